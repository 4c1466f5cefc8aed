"""REST API of the public registry (Rules §14): published SQFs, read-only, no login."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from config import params
from config.params import ID_PATTERN
from sbsh.models import (
    Publication,
)
from sbsh.publication import services as registry


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
