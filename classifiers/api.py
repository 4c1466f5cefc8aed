"""Read-only REST endpoints for classifier editions, nodes and the crosswalk (public)."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import serializers, viewsets
from rest_framework.permissions import AllowAny

from classifiers.models import CrosswalkLink, Edition, Node
from config import params
from config.params import ID_PATTERN


class EditionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Edition
        fields = [
            "id",
            "classifier",
            "name",
            "effective_date",
            "source_name",
            "source_sha256",
            "source_format",
            "loaded_at",
            "counts",
            "diff",
            "previous",
            "is_current",
        ]
        read_only_fields = fields


class NodeSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(
        source="parent.code", default=None, read_only=True, allow_null=True
    )

    class Meta:
        model = Node
        fields = [
            "id",
            "edition",
            "code",
            "level",
            "parent",
            "parent_code",
            "name_kk",
            "name_ru",
            "name_en",
            "title_kk",
            "title_ru",
            "title_en",
            "description_en",
            "skill_level",
            "valid_from",
            "is_leaf",
        ]
        read_only_fields = fields


class CrosswalkSerializer(serializers.ModelSerializer):
    isco_code = serializers.CharField(source="isco.code", read_only=True)
    nkz_code = serializers.CharField(source="nkz.code", read_only=True)

    class Meta:
        model = CrosswalkLink
        fields = [
            "id",
            "isco",
            "isco_code",
            "nkz",
            "nkz_code",
            "correspondence",
            "note",
            "updated_at",
        ]
        read_only_fields = fields


class EditionViewSet(viewsets.ReadOnlyModelViewSet):
    """Classifier editions. Filter with ?classifier=nkz|oked|isco08 and ?current=true."""

    lookup_value_regex = ID_PATTERN
    serializer_class = EditionSerializer
    permission_classes = [AllowAny]

    def get_queryset(self) -> QuerySet[Edition]:
        qs = Edition.objects.order_by("classifier", "-loaded_at")
        p = self.request.query_params
        classifier = params.text_param(p, "classifier", 10)
        if classifier:
            qs = qs.filter(classifier=classifier)
        if p.get("current") in ("true", "1"):
            qs = qs.filter(is_current=True)
        return qs


class NodeViewSet(viewsets.ReadOnlyModelViewSet):
    """Nodes. Filter with ?edition=ID (or ?classifier=… for the current edition), ?level, ?parent, ?code."""

    lookup_value_regex = ID_PATTERN
    serializer_class = NodeSerializer
    permission_classes = [AllowAny]

    def get_queryset(self) -> QuerySet[Node]:
        qs = Node.objects.select_related("parent").order_by("edition_id", "code")
        p = self.request.query_params
        edition = params.id_param(p, "edition")
        classifier = params.text_param(p, "classifier", 10)
        level = params.id_param(p, "level")
        parent = params.id_param(p, "parent")
        code = params.text_param(p, "code", 40)
        if edition is not None:
            qs = qs.filter(edition_id=edition)
        elif classifier:
            qs = qs.filter(edition__classifier=classifier, edition__is_current=True)
        if level is not None:
            qs = qs.filter(level=level)
        if parent is not None:
            qs = qs.filter(parent_id=parent)
        if code:
            qs = qs.filter(code=code)
        return qs


class CrosswalkViewSet(viewsets.ReadOnlyModelViewSet):
    """ISCO-08 ↔ NKZ unit-group links of the current editions. ?isco=CODE, ?nkz=CODE."""

    lookup_value_regex = ID_PATTERN
    serializer_class = CrosswalkSerializer
    permission_classes = [AllowAny]

    def get_queryset(self) -> QuerySet[CrosswalkLink]:
        qs = (
            CrosswalkLink.objects.select_related("isco", "nkz")
            .filter(isco__edition__is_current=True, nkz__edition__is_current=True)
            .order_by("isco__code", "nkz__code")
        )
        p = self.request.query_params
        isco = params.text_param(p, "isco", 40)
        nkz = params.text_param(p, "nkz", 40)
        if isco:
            qs = qs.filter(isco__code=isco)
        if nkz:
            qs = qs.filter(nkz__code=nkz)
        return qs
