"""Public API over the registry's reads across SQFs (sbsh/publication/insight.py)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sbsh.publication import insight

PLACE = inline_serializer(
    "OccupationPlace",
    {
        "table": serializers.ChoiceField(["passport", "table1", "table2", "table3"]),
        "row": serializers.IntegerField(allow_null=True),
        "section": serializers.IntegerField(required=False),
        "sqf_level": serializers.CharField(),
        "nqf_level": serializers.IntegerField(required=False),
        "code": serializers.CharField(),
    },
)


@extend_schema(
    tags=["registry (public)"],
    responses=inline_serializer(
        "OccupationAppearances",
        {
            "code": serializers.CharField(),
            "name": serializers.DictField(child=serializers.CharField()),
            "frameworks": inline_serializer(
                "OccupationFramework",
                {
                    "framework": serializers.IntegerField(),
                    "number": serializers.IntegerField(),
                    "name": serializers.DictField(child=serializers.CharField()),
                    "state_body": serializers.DictField(child=serializers.CharField()),
                    "url": serializers.CharField(),
                    "levels": serializers.ListField(child=serializers.CharField()),
                    "places": PLACE,
                },
                many=True,
            ),
        },
    ),
)
class OccupationAppearancesView(APIView):
    """Every current published SQF, level and table row naming an NKZ code or a code under it."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    def get(self, request: Request, code: str) -> Response:
        found = insight.occupation_appearances(code)
        if found is None:
            raise exceptions.NotFound(f"{code[:20]} is not an NKZ code.")
        return Response(
            {
                "code": found["code"],
                "name": found["name"],
                "frameworks": [
                    {
                        "framework": f["publication"].framework_id,
                        "number": f["publication"].number,
                        "name": {"kk": f["publication"].name_kk, "ru": f["publication"].name_ru},
                        "state_body": {
                            "kk": f["publication"].state_body.name_kk,
                            "ru": f["publication"].state_body.name_ru,
                        },
                        "url": reverse(
                            "registry:version",
                            args=[f["publication"].framework_id, f["publication"].number],
                        ),
                        "levels": f["levels"],
                        "places": [
                            {
                                **{k: v for k, v in p.items() if k != "node"},
                                "code": p["node"]["code"],
                            }
                            for p in f["places"]
                        ],
                    }
                    for f in found["frameworks"]
                ],
            }
        )


@extend_schema(
    tags=["registry (public)"],
    responses=inline_serializer(
        "Coverage",
        {
            "publications": serializers.IntegerField(),
            "oked": inline_serializer(
                "OkedCoverage",
                {
                    "code": serializers.CharField(),
                    "level": serializers.IntegerField(),
                    "title": serializers.CharField(),
                    "sqfs": serializers.ListField(child=serializers.DictField()),
                },
                many=True,
            ),
            "nkz": inline_serializer(
                "NkzCoverage",
                {
                    "code": serializers.CharField(),
                    "level": serializers.IntegerField(),
                    "title": serializers.CharField(),
                    "unit_groups": serializers.IntegerField(),
                    "unit_groups_covered": serializers.IntegerField(),
                    "occupations": serializers.IntegerField(),
                    "occupations_covered": serializers.IntegerField(),
                },
                many=True,
            ),
        },
    ),
)
class CoverageView(APIView):
    """Per OKED section and division the current published SQFs covering it and their state
    bodies; per NKZ major and sub-major group the unit groups and occupations covered
    (Rules §5.2). Titles in the language of Accept-Language."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    def get(self, request: Request) -> Response:
        from sbsh.publication import coverage

        summary = coverage.coverage_summary()
        return Response(
            {
                "publications": summary["publications"],
                "oked": [
                    {
                        "code": r.code,
                        "level": r.level,
                        "title": r.title,
                        "sqfs": [
                            {
                                "framework": p.framework_id,
                                "number": p.number,
                                "name": {"kk": p.name_kk, "ru": p.name_ru},
                                "state_body": {
                                    "kk": p.state_body.name_kk,
                                    "ru": p.state_body.name_ru,
                                },
                            }
                            for p in r.publications
                        ],
                    }
                    for r in summary["oked"]
                ],
                "nkz": [
                    {
                        "code": r.code,
                        "level": r.level,
                        "title": r.title,
                        "unit_groups": r.units,
                        "unit_groups_covered": r.units_covered,
                        "occupations": r.occupations,
                        "occupations_covered": r.occupations_covered,
                    }
                    for r in summary["nkz"]
                ],
            }
        )
