"""REST API of versions and their content (Rules §8–§11), and of their moves."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from config import params
from config.params import ID_PATTERN
from sbsh import access as sqf_access
from sbsh import limits
from sbsh.api import AtomicWritesMixin, version_for_api
from sbsh.document import selectors, services, services_tables
from sbsh.models import (
    SQF_LEVEL_VALIDATOR,
    Part,
    Recommendation,
    Table1Row,
    UpdateGround,
    Version,
)
from sbsh.workflow import decisions
from sbsh.workflow import moves as workflow
from sbsh.workflow.api import RecommendationSerializer


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
        return version_for_api(self.request, self.kwargs["pk"])

    @extend_schema(request=PassportWriteSerializer, responses=VersionSerializer)
    @action(detail=True, methods=["put"], url_path="passport")
    def passport(self, request: Request, pk: str) -> Response:
        """Rename the version (Annex §1); the classifier codes stay as they are."""
        version = version_for_api(request, pk, edit=True)
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
        version = version_for_api(request, pk)
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
        version = version_for_api(request, pk)
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
        version = version_for_api(request, pk)
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
        version = version_for_api(request, pk)
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
        version = version_for_api(self.request, self.kwargs["version_pk"])
        return Part.objects.filter(version=version).order_by("id")

    @extend_schema(request=PartSerializer, responses=PartSerializer)
    def update(self, request: Request, version_pk: str, key: str) -> Response:
        version = version_for_api(request, version_pk, edit=True)
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
        version = version_for_api(self.request, self.kwargs["version_pk"])
        return selectors.table1_rows(version)

    def get_object(self) -> Table1Row:
        version = version_for_api(self.request, self.kwargs["version_pk"])
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
        version = version_for_api(request, version_pk, edit=True)
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
        version = version_for_api(request, version_pk, edit=True)
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
        version_for_api(request, version_pk, edit=True)
        row = self.get_object()
        revision = request.query_params.get("revision", "")
        if not params.is_id(revision):
            raise exceptions.ValidationError({"revision": ["Give the revision you read."]})
        services_tables.table1_row_delete(actor=request.user, row=row, revision=int(revision))
        return Response(status=status.HTTP_204_NO_CONTENT)
