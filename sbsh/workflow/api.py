"""REST API of the review (Rules §12–§13) and the grounds (Rules §4–§6): comments,
recommendations and their answers, grounds."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from config import params
from config.params import ID_PATTERN
from councils.access import Action
from sbsh import access as sqf_access
from sbsh import limits
from sbsh.api import AtomicWritesMixin, version_for_api
from sbsh.models import (
    Comment,
    Ground,
    Recommendation,
)
from sbsh.workflow import decisions, review


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


@extend_schema(tags=["review"])
class CommentViewSet(
    AtomicWritesMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Review comments of a version (threads: a reply names its `parent`)."""

    serializer_class = CommentSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> QuerySet[Comment]:
        version = version_for_api(self.request, self.kwargs["version_pk"])
        return Comment.objects.filter(version=version).select_related("author").order_by("id")

    def create(self, request: Request, version_pk: str) -> Response:
        version = version_for_api(request, version_pk)
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
