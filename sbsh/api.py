"""REST API for SQFs (Django REST framework; schema by drf-spectacular at /api/schema/).

Public, read-only: the registry of published versions (frozen content, documents).
Authenticated (session or token): what the browser can do — read versions the user may
see, edit parts and Table 1 rows, make the moves of the Rules, comment, record the
council's decision on a draft, answer recommendations. Every write goes through the same
services and access helpers as the pages; the FSM status is read-only everywhere and
moves are their own endpoint.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from config import params
from config.params import ID_PATTERN, BadParameter
from councils.access import Action
from sbsh import access as sqf_access
from sbsh import limits
from sbsh.document import selectors, services, services_tables
from sbsh.models import (
    SQF_LEVEL_VALIDATOR,
    Comment,
    Ground,
    Part,
    Publication,
    Recommendation,
    Table1Row,
    UpdateGround,
    Version,
)
from sbsh.publication import services as registry
from sbsh.workflow import decisions, review
from sbsh.workflow import moves as workflow

# --- errors: the services' refusals as HTTP answers ----------------------------------------------


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "conflict"
    default_code = "conflict"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """PermissionError → 403, WorkflowError and edit conflicts → 409, a Django
    ValidationError → 400 with its messages per field. Nothing was written in any case."""
    if isinstance(exc, BadParameter):
        exc = exceptions.ValidationError({exc.name: [exc.message]})
    elif isinstance(exc, PermissionError | PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, workflow.WorkflowError):
        exc = Conflict(str(exc))
    elif isinstance(exc, services.EditConflict):
        exc = Conflict("Someone saved this piece after you read it; read it again.")
    elif isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail)
    return drf_exception_handler(exc, context)


class AtomicWritesMixin:
    """Rules of the API: a refused write changes nothing. Every POST, PUT, PATCH and DELETE
    runs in one transaction, rolled back when the answer is not a success (a 4xx from a
    check that came after a first write, e.g. a row created and then refused)."""

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        with transaction.atomic():
            response = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
            if response.status_code >= 400:
                transaction.set_rollback(True)
        return response


# --- public: the registry --------------------------------------------------------------------------


class PublicationSerializer(serializers.ModelSerializer):
    framework = serializers.IntegerField(source="framework_id", read_only=True)
    state_body = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Publication
        fields = [
            "id",
            "framework",
            "number",
            "name_kk",
            "name_ru",
            "state_body",
            "status",
            "published_at",
            "superseded_at",
            "content_sha256",
            "change_summary",
            "url",
        ]
        read_only_fields = fields

    def get_state_body(self, obj: Publication) -> dict[str, str]:
        return {"id": obj.state_body_id, "kk": obj.state_body.name_kk, "ru": obj.state_body.name_ru}

    def get_status(self, obj: Publication) -> str:
        return "superseded" if obj.superseded_at else "published"

    def get_url(self, obj: Publication) -> str:
        return reverse("registry:version", args=[obj.framework_id, obj.number])


class PublicationDetailSerializer(PublicationSerializer):
    content = serializers.JSONField(read_only=True)
    documents = serializers.SerializerMethodField()

    class Meta(PublicationSerializer.Meta):
        fields = [*PublicationSerializer.Meta.fields, "content", "documents"]
        read_only_fields = fields

    def get_documents(self, obj: Publication) -> dict[str, dict[str, str]]:
        return {
            lang: {
                fmt: reverse("registry:download", args=[obj.framework_id, obj.number, lang, fmt])
                for fmt in ("pdf", "docx", "json")
            }
            for lang in ("kk", "ru")
        }


REGISTRY_FILTERS = [
    OpenApiParameter("q", str, description="Words in kk, ru or en, or a code; all must match."),
    OpenApiParameter("state_body", int),
    OpenApiParameter(
        "oked", str, description="An OKED section, division, group, class or subclass code."
    ),
    OpenApiParameter("nkz", str, description="An NKZ group or occupation code."),
    OpenApiParameter("sqf_level", str),
    OpenApiParameter("nqf_level", str),
    OpenApiParameter("superseded", bool, description="Include superseded versions."),
]


@extend_schema(tags=["registry (public)"])
class PublicationViewSet(viewsets.ReadOnlyModelViewSet):
    """Published SQF versions (current and, on request, superseded)."""

    lookup_value_regex = ID_PATTERN

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return PublicationDetailSerializer if self.action == "retrieve" else PublicationSerializer

    def get_queryset(self) -> QuerySet[Publication]:
        if self.action == "retrieve":
            return (
                Publication.objects.select_related("state_body")
                .defer("search_text", "search_vector")
                .order_by("-id")
            )
        p = self.request.query_params
        return registry.publications_search(
            registry.Filters(
                q=params.text_param(p, "q", registry.MAX_QUERY),
                state_body=params.id_param(p, "state_body"),
                oked=params.text_param(p, "oked", 12),
                nkz=params.text_param(p, "nkz", 12),
                sqf_level=params.text_param(p, "sqf_level", 4),
                nqf_level=params.text_param(p, "nqf_level", 2),
                include_superseded=p.get("superseded") in ("true", "1"),
            )
        )

    @extend_schema(parameters=REGISTRY_FILTERS)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)


# --- authenticated: versions and their content -------------------------------------------------------


class VersionSerializer(serializers.ModelSerializer):
    sector_kk = serializers.CharField(source="framework.sector_kk", read_only=True)
    sector_ru = serializers.CharField(source="framework.sector_ru", read_only=True)
    state_body = serializers.IntegerField(source="framework.state_body_id", read_only=True)
    council = serializers.IntegerField(source="framework.council_id", read_only=True)
    update_ground = serializers.ChoiceField(
        choices=UpdateGround.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Version
        fields = [
            "id",
            "framework",
            "number",
            "status",
            "name_kk",
            "name_ru",
            "sector_kk",
            "sector_ru",
            "state_body",
            "council",
            "update_ground",
            "approved_on",
            "revision",
            "updated_at",
        ]
        # The status moves only through the moves endpoint; nothing here is writable.
        read_only_fields = fields


class PassportWriteSerializer(serializers.Serializer):
    revision = serializers.IntegerField(min_value=1, max_value=10**18 - 1)
    name_kk = serializers.CharField(max_length=limits.NAME, allow_blank=True)
    name_ru = serializers.CharField(max_length=limits.NAME, allow_blank=True)


class PartSerializer(serializers.ModelSerializer):
    class Meta:
        model = Part
        fields = ["key", "text_kk", "text_ru", "revision", "stale_language", "updated_at"]
        read_only_fields = ["key", "stale_language", "updated_at"]


class Table1RowSerializer(serializers.ModelSerializer):
    # NKZ node ids (occupations, levels 5–6), written and read as a list of ids.
    occupations = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=10**18 - 1),
        required=False,
        write_only=True,
        max_length=500,
    )
    occupation_ids = serializers.SerializerMethodField()
    sqf_level = serializers.CharField(max_length=4, validators=[SQF_LEVEL_VALIDATOR])
    nqf_level = serializers.IntegerField(min_value=1, max_value=8)

    class Meta:
        model = Table1Row
        fields = [
            "id",
            "section",
            "order",
            "sqf_level",
            "nqf_level",
            "occupations",
            "occupation_ids",
            *[f"{c}_{lang}" for c in Table1Row.TEXT_COLUMNS for lang in ("kk", "ru")],
            "revision",
            "stale_language",
        ]
        read_only_fields = ["id", "order", "stale_language"]

    def get_occupation_ids(self, instance: Table1Row) -> list[int]:
        return [n.pk for n in getattr(instance, "occupation_list", [])]


class MoveSerializer(serializers.Serializer):
    name = serializers.ChoiceField(choices=sorted(workflow.MOVES))
    # A move's reason: the same limit as the form and the model (docs/limits.md).
    comment = serializers.CharField(required=False, allow_blank=True, max_length=limits.TEXT)


class ParentCommentField(serializers.PrimaryKeyRelatedField):
    def to_internal_value(self, data: Any) -> Any:
        if data is None or not params.is_id(data):
            self.fail("does_not_exist", pk_value=str(data)[:20])
        return super().to_internal_value(int(data))


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True)
    column = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=20)

    class Meta:
        model = Comment
        fields = [
            "id",
            "anchor",
            "column",
            "anchor_label",
            "language",
            "parent",
            "body",
            "author",
            "created_at",
            "resolved_at",
        ]
        read_only_fields = ["id", "anchor_label", "author", "created_at", "resolved_at"]
        extra_kwargs = {"anchor": {"required": False}, "parent": {"required": False}}

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        # Only this version's comments can be replied to; another version's comment and
        # a missing id get the same answer (no id oracle). An id is [0-9]{1,18}.
        version = self.context.get("version")
        fields["parent"] = ParentCommentField(
            queryset=Comment.objects.filter(version=version) if version else Comment.objects.all(),
            required=False,
            allow_null=True,
        )
        return fields


class DecisionOnDraftSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["approve", "return"])
    meeting_date = serializers.DateField()
    protocol_number = serializers.CharField(max_length=40)
    votes_for = serializers.IntegerField(min_value=0, max_value=500)
    votes_against = serializers.IntegerField(min_value=0, max_value=500)
    votes_abstained = serializers.IntegerField(min_value=0, max_value=500)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=limits.TEXT)
    recommendations = serializers.ListField(
        child=serializers.CharField(max_length=limits.TEXT), required=False, max_length=100
    )


class RecommendationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Recommendation
        fields = [
            "id",
            "decision",
            "order",
            "text",
            "answer",
            "answer_text",
            "answered_at",
            "revision",
        ]
        read_only_fields = fields


class AnswerSerializer(serializers.Serializer):
    revision = serializers.IntegerField(min_value=1, max_value=10**18 - 1)
    answer = serializers.ChoiceField(choices=["accepted", "rejected"])
    answer_text = serializers.CharField(allow_blank=True, max_length=limits.TEXT)


class GroundSerializer(serializers.ModelSerializer):
    class Meta:
        model = Ground
        fields = [
            "id",
            "kind",
            "status",
            "council",
            "framework",
            "sector_kk",
            "sector_ru",
            "year",
            "justification",
            "findings",
            "filed_at",
        ]
        read_only_fields = fields


def _version(request: Request, pk: int | str, *, edit: bool = False) -> Version:
    if not params.is_id(pk):
        raise exceptions.NotFound()
    number = int(pk)
    return sqf_access.sqf_version_for_user(
        request.user, number, action=Action.MANAGE if edit else Action.VIEW
    )


@extend_schema(tags=["versions"])
class VersionViewSet(AtomicWritesMixin, viewsets.ReadOnlyModelViewSet):
    """Versions of the SQFs the user may see (their ministry's or council's; all for the
    national body and administrators)."""

    lookup_value_regex = ID_PATTERN

    serializer_class = VersionSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> QuerySet[Version]:
        frameworks = sqf_access.frameworks_for_user(self.request.user)
        qs = Version.objects.filter(framework__in=frameworks.values("pk")).select_related(
            "framework"
        )
        wanted = params.text_param(self.request.query_params, "status", 20)
        if wanted:
            qs = qs.filter(status=wanted)
        return qs.order_by("framework_id", "-number")

    def get_object(self) -> Version:
        return _version(self.request, self.kwargs["pk"])

    @extend_schema(request=PassportWriteSerializer, responses=VersionSerializer)
    @action(detail=True, methods=["put"], url_path="passport")
    def passport(self, request: Request, pk: str) -> Response:
        """Rename the version (Annex §1); the classifier codes stay as they are."""
        version = _version(request, pk, edit=True)
        data = PassportWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        oked, nkz = selectors.passport_nodes(version)
        saved = services.passport_save(
            actor=request.user,
            version=version,
            revision=data.validated_data["revision"],
            name_kk=data.validated_data["name_kk"],
            name_ru=data.validated_data["name_ru"],
            oked_ids=[n.pk for n in oked],
            nkz_ids=[n.pk for n in nkz],
        )
        return Response(
            VersionSerializer(Version.objects.select_related("framework").get(pk=saved.pk)).data
        )

    @extend_schema(
        responses=inline_serializer(
            "AvailableMove",
            {
                "name": serializers.CharField(),
                "label": serializers.CharField(),
                "clause": serializers.CharField(),
                "needs_comment": serializers.BooleanField(),
                "needs_decision": serializers.BooleanField(),
                "blockers": serializers.ListField(child=serializers.CharField()),
            },
            many=True,
        )
    )
    # A plain list (no pagination): the schema said "paginated", which schemathesis found
    # once it could reach a real version (on SQLite, where the ids start at 1).
    @action(detail=True, methods=["get"], url_path="moves", pagination_class=None)
    def moves(self, request: Request, pk: str) -> Response:
        """The moves this user may make now, with what still blocks each one."""
        version = _version(request, pk)
        return Response(
            [
                {
                    "name": name,
                    "label": str(move.label),
                    "clause": move.clause,
                    "needs_comment": move.needs_comment,
                    "needs_decision": move.needs_decision,
                    "blockers": [] if move.needs_decision else workflow.blockers(version, name),
                }
                for name, move in workflow.available_moves(request.user, version)
            ]
        )

    @extend_schema(request=MoveSerializer, responses=VersionSerializer)
    @moves.mapping.post
    def move(self, request: Request, pk: str) -> Response:
        """Make a move of the Rules (approve and return: record a decision instead)."""
        version = _version(request, pk)
        data = MoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        moved = workflow.version_transition(
            actor=request.user,
            version=version,
            name=data.validated_data["name"],
            comment=data.validated_data.get("comment", ""),
        )
        return Response(
            VersionSerializer(Version.objects.select_related("framework").get(pk=moved.pk)).data
        )

    @extend_schema(request=DecisionOnDraftSerializer, responses={201: VersionSerializer})
    @action(detail=True, methods=["post"], url_path="decisions")
    def decide(self, request: Request, pk: str) -> Response:
        """The council secretary records the council's decision on the draft (Rules §12–§13)."""
        version = _version(request, pk)
        data = DecisionOnDraftSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        decisions.decision_on_draft(
            actor=request.user,
            version=version,
            outcome=v["outcome"],
            meeting=decisions.Meeting(
                v["meeting_date"],
                v["protocol_number"],
                v["votes_for"],
                v["votes_against"],
                v["votes_abstained"],
                v.get("comment", ""),
            ),
            recommendations=v.get("recommendations", []),
        )
        fresh = Version.objects.select_related("framework").get(pk=version.pk)
        return Response(VersionSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=RecommendationSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="recommendations", pagination_class=None)
    def recommendations(self, request: Request, pk: str) -> Response:
        version = _version(request, pk)
        rows = Recommendation.objects.filter(version=version).order_by("decision_id", "order")
        return Response(RecommendationSerializer(rows, many=True).data)


@extend_schema(tags=["versions"])
class PartViewSet(
    AtomicWritesMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The narrative parts of a version (Annex §2–§8), sanitised HTML in kk and ru."""

    serializer_class = PartSerializer
    permission_classes = [IsAuthenticated]
    lookup_field = "key"
    pagination_class = None

    def get_queryset(self) -> QuerySet[Part]:
        version = _version(self.request, self.kwargs["version_pk"])
        return Part.objects.filter(version=version).order_by("id")

    @extend_schema(request=PartSerializer, responses=PartSerializer)
    def update(self, request: Request, version_pk: str, key: str) -> Response:
        version = _version(request, version_pk, edit=True)
        part = get_object_or_404(Part, version=version, key=key)
        data = PartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        saved = services.part_save(
            actor=request.user,
            part=part,
            revision=data.validated_data.get("revision", 0),
            text_kk=data.validated_data.get("text_kk", ""),
            text_ru=data.validated_data.get("text_ru", ""),
        )
        return Response(PartSerializer(saved).data)


@extend_schema(tags=["versions"])
class Table1ViewSet(AtomicWritesMixin, viewsets.ModelViewSet):
    """Annex §9, Table 1 rows. Writes go through the editor's services (optimistic lock)."""

    serializer_class = Table1RowSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = None
    http_method_names = ["get", "post", "put", "delete"]

    def get_queryset(self) -> Any:
        version = _version(self.request, self.kwargs["version_pk"])
        return selectors.table1_rows(version)

    def get_object(self) -> Table1Row:
        version = _version(self.request, self.kwargs["version_pk"])
        if not params.is_id(self.kwargs["pk"]):
            raise exceptions.NotFound()
        pk = int(self.kwargs["pk"])
        rows = selectors.table1_rows(version, pk=pk)
        if not rows:
            raise exceptions.NotFound()
        return rows[0]

    def _values(self, data: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in data.items() if k not in ("occupations", "section", "revision")}

    def create(self, request: Request, version_pk: str) -> Response:
        version = _version(request, version_pk, edit=True)
        data = Table1RowSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        # Validation first (the occupations must be NKZ levels 5–6), then one transaction:
        # a refused row is never left behind empty (it blocked finishing the preparation).
        services.nodes_check(v.get("occupations", []), "nkz", (5, 6), "occupations")
        with transaction.atomic():
            row = services_tables.table1_row_create(
                actor=request.user,
                version=version,
                section=v["section"],
                sqf_level=v["sqf_level"],
                nqf_level=v["nqf_level"],
            )
            row = services_tables.table1_row_save(
                actor=request.user,
                row=row,
                revision=row.revision,
                values=self._values(v),
                occupation_ids=v.get("occupations", []),
            )
        fresh = selectors.table1_rows(version, pk=row.pk)[0]
        return Response(Table1RowSerializer(fresh).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, version_pk: str, pk: str) -> Response:
        version = _version(request, version_pk, edit=True)
        row = self.get_object()
        data = Table1RowSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        services_tables.table1_row_save(
            actor=request.user,
            row=row,
            revision=v.get("revision", 0),
            values=self._values(v),
            occupation_ids=v.get("occupations", []),
        )
        return Response(Table1RowSerializer(selectors.table1_rows(version, pk=row.pk)[0]).data)

    @extend_schema(
        parameters=[OpenApiParameter("revision", int, required=True)], responses={204: None}
    )
    def destroy(self, request: Request, version_pk: str, pk: str) -> Response:
        _version(request, version_pk, edit=True)
        row = self.get_object()
        revision = request.query_params.get("revision", "")
        if not params.is_id(revision):
            raise exceptions.ValidationError({"revision": ["Give the revision you read."]})
        services_tables.table1_row_delete(actor=request.user, row=row, revision=int(revision))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["review"])
class CommentViewSet(
    AtomicWritesMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Review comments of a version (threads: a reply names its `parent`)."""

    serializer_class = CommentSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> QuerySet[Comment]:
        version = _version(self.request, self.kwargs["version_pk"])
        return Comment.objects.filter(version=version).select_related("author").order_by("id")

    def create(self, request: Request, version_pk: str) -> Response:
        version = _version(request, version_pk)
        data = CommentSerializer(data=request.data, context={"version": version})
        data.is_valid(raise_exception=True)
        v = data.validated_data
        parent = v.get("parent")
        comment = review.comment_add(
            actor=request.user,
            version=version,
            body=v["body"],
            anchor=v.get("anchor", ""),
            column=v.get("column", ""),
            language=v.get("language", ""),
            parent=parent,
        )
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["review"])
class RecommendationViewSet(AtomicWritesMixin, viewsets.GenericViewSet):
    lookup_value_regex = ID_PATTERN
    serializer_class = AnswerSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> QuerySet[Recommendation]:
        return Recommendation.objects.none()

    @extend_schema(request=AnswerSerializer, responses=RecommendationSerializer)
    @action(detail=True, methods=["post"], url_path="answer")
    def answer(self, request: Request, pk: str) -> Response:
        """Rules §13: the state body answers a recommendation while revising."""
        if not params.is_id(pk):
            raise exceptions.NotFound()
        rec = get_object_or_404(Recommendation.objects.select_related("version__framework"), pk=pk)
        if not sqf_access.can_view_framework(request.user, rec.version.framework):
            raise exceptions.NotFound()
        data = AnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        saved = decisions.recommendation_answer(
            actor=request.user,
            recommendation=rec,
            revision=data.validated_data["revision"],
            answer=data.validated_data["answer"],
            text=data.validated_data["answer_text"],
        )
        return Response(RecommendationSerializer(saved).data)


@extend_schema(tags=["grounds"])
class GroundViewSet(viewsets.ReadOnlyModelViewSet):
    """Grounds the user may see: their own drafts and what was filed to their council or
    by their ministry (Rules §5–§6)."""

    lookup_value_regex = ID_PATTERN

    serializer_class = GroundSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> QuerySet[Ground]:
        return sqf_access.grounds_for_user(self.request.user).order_by("-id")

    def get_object(self) -> Ground:
        if not params.is_id(self.kwargs["pk"]):
            raise exceptions.NotFound()
        return sqf_access.ground_for_user(self.request.user, int(self.kwargs["pk"]), action=Action.VIEW)
