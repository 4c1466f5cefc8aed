"""The demo SQF: the electric power industry, Ministry of Energy (sbsh/data/demo_sqf_energy.json),
filled in Kazakh and Russian with real NKZ, OKED and ISCO-08 codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import transaction

from classifiers.models import Classifier, CrosswalkLink, Node
from classifiers.services import current_edition
from councils.models import Organisation, User
from sbsh.document import services, services_tables
from sbsh.models import Framework, Part, Version

DATA = Path(__file__).resolve().parent / "data" / "demo_sqf_energy.json"


def _node_map(classifier: str, codes: set[str]) -> dict[str, Node]:
    edition = current_edition(classifier)
    nodes = {n.code: n for n in Node.objects.filter(edition=edition, code__in=codes)}
    missing = codes - set(nodes)
    if missing:
        raise ValueError(
            f"demo SQF cites {classifier} codes missing from the current edition: {sorted(missing)}"
        )
    return nodes


@transaction.atomic
def seed_demo_sqf(*, actor: User | None = None, data_path: Path = DATA) -> Version | None:
    """Create the demo SQF once (idempotent: nothing happens if the sector exists)."""
    content: dict[str, Any] = json.loads(data_path.read_text(encoding="utf-8"))
    energy = Organisation.objects.filter(kind=Organisation.Kind.STATE_BODY, short_name="ЭМ").first()
    council = Organisation.objects.filter(kind=Organisation.Kind.COUNCIL, state_body=energy).first()
    if energy is None or council is None:
        return None
    if Framework.objects.filter(state_body=energy, sector_ru="Электроэнергетика").exists():
        return None
    actor = (
        actor
        or User.objects.filter(
            memberships__organisation=energy, memberships__role="ministry_staff"
        ).first()
    )
    nkz_codes = set(content["nkz_groups"])
    for std in content["standards"]:
        nkz_codes |= set(std["nkz"])
    for row in content["table1"]:
        nkz_codes |= set(row["nkz"])
    for entry in content["table2"]["entries"]:
        nkz_codes |= {entry["group"], entry["occupation"]}
    for row in content["table3"]:
        nkz_codes |= {row["nkz_unit"], row["nkz_group"], row["occupation"]}
    nkz = _node_map(Classifier.NKZ, nkz_codes)
    oked = _node_map(Classifier.OKED, set(content["oked"]) | {r["oked"] for r in content["table3"]})
    isco = _node_map(Classifier.ISCO08, {r["isco"] for r in content["table3"]})

    framework, version = services.framework_create(
        actor=actor,
        state_body=energy,
        council=council,
        sector_kk="Электр энергетикасы",
        sector_ru="Электроэнергетика",
    )
    framework.oked_scope.set([oked[c] for c in content["oked"]])
    version = services.passport_save(
        actor=actor,
        version=version,
        revision=version.revision,
        name_kk=content["name_kk"],
        name_ru=content["name_ru"],
        oked_ids=[oked[c].pk for c in content["oked"]],
        nkz_ids=[nkz[c].pk for c in content["nkz_groups"]],
    )
    for part in Part.objects.filter(version=version):
        texts = content["parts"].get(part.key)
        if texts:
            services.part_save(
                actor=actor,
                part=part,
                revision=part.revision,
                text_kk=texts["kk"],
                text_ru=texts["ru"],
            )
    for std in content["standards"]:
        services.standard_save(
            actor=actor,
            version=version,
            standard=None,
            revision=None,
            name_kk=std["name_kk"],
            name_ru=std["name_ru"],
            status=std["status"],
            nkz_ids=[nkz[c].pk for c in std["nkz"]],
        )
    for row in content["table1"]:
        created = services_tables.table1_row_create(actor=actor, version=version, section=row["section"])
        services_tables.table1_row_save(
            actor=actor,
            row=created,
            revision=created.revision,
            values={
                "sqf_level": row["sqf_level"],
                "nqf_level": row["nqf_level"],
                **{
                    f"{c}_{lang}": row[f"{c}_{lang}"]
                    for c in ("stages", "role", "knowledge", "skills", "competences")
                    for lang in ("kk", "ru")
                },
            },
            occupation_ids=[nkz[c].pk for c in row["nkz"]],
        )
    entries = {}
    for entry in content["table2"]["entries"]:
        entries[(entry["occupation"], entry["sqf_level"])] = services_tables.table2_entry_add(
            actor=actor,
            version=version,
            sqf_level=entry["sqf_level"],
            occupation_id=nkz[entry["occupation"]].pk,
        )
    by_occupation = {occ: e for (occ, _level), e in entries.items()}
    for link in content["table2"]["links"]:
        services_tables.progression_link_add(
            actor=actor,
            version=version,
            source=by_occupation[link["from"]],
            target=by_occupation[link["to"]],
            # Rules §8.4: the demo's figures are illustrative, marked "(демо)".
            experience_years=link.get("experience_years"),
            experience_note_kk=link.get("experience_note_kk", ""),
            experience_note_ru=link.get("experience_note_ru", ""),
        )
    # The demo's working group has checked the ISCO-08 ↔ NKZ pairs its map uses.
    for row in content["table3"]:
        CrosswalkLink.objects.update_or_create(
            isco=isco[row["isco"]],
            nkz=nkz[row["nkz_unit"]],
            defaults={
                "correspondence": "full" if row["isco"] == row["nkz_unit"] else "partial",
                "note": "Demo: checked by the energy working group",
                "updated_by": actor,
            },
        )
    for row in content["table3"]:
        services_tables.table3_row_save(
            actor=actor,
            version=version,
            row=None,
            revision=None,
            values=services_tables.Table3Values(
                isco_id=isco[row["isco"]].pk,
                occupation_id=nkz[row["occupation"]].pk,
                oked_id=oked[row["oked"]].pk,
                nqf_level=row["nqf_level"],
                sqf_level=row["sqf_level"],
            ),
        )
    # Rules §7: the demo's working group — the state body's participants, as experts.
    for participant in User.objects.filter(
        memberships__organisation=energy, memberships__role="working_group", is_active=True
    ):
        services.working_group_add(
            actor=actor,
            version=version,
            user=participant,
            category="expert",
            organisation="«Энергетика ғылыми-зерттеу институты» (демо)",
        )
    return Version.objects.get(pk=version.pk)


def seed_demo_history() -> None:
    """The demo's story so far (once): version 1 of the power-sector SQF was published in
    2025; a council member proposed an update, the council decided it (Rules §15.2), so
    version 2 is in preparation and editable; a second proposal waits for the council's
    decision; the ministry's gap analysis of last year is still a draft."""
    from django.utils import timezone

    from councils.services import audit_record
    from sbsh.document.system_texts import system_comment
    from sbsh.models import Ground, VersionTransition
    from sbsh.publication.services import publication_create
    from sbsh.workflow import decisions, grounds

    framework = Framework.objects.filter(sector_ru="Электроэнергетика").first()
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["member", "drafter", "secretary", "officer"])
    }
    if framework is None or len(users) < 4 or Ground.objects.exists():
        return
    member, drafter, secretary, officer = (
        users[n] for n in ("member", "drafter", "secretary", "officer")
    )
    v1 = framework.versions.get(number=1)
    if v1.status != Version.Status.PUBLISHED:
        # Published before the workbench existed: recorded as such, not replayed.
        approved = timezone.localdate().replace(year=timezone.localdate().year - 1, month=6, day=2)
        Version.objects.filter(pk=v1.pk).update(
            status=Version.Status.PUBLISHED, approved_on=approved
        )
        v1.refresh_from_db()
        VersionTransition.objects.create(
            version=v1,
            name="publish",
            source="drafting",
            target="published",
            actor=officer,
            comment=system_comment("demo.published_before"),
            clause="Rules §14",
        )
        publication_create(version=v1)
        audit_record(actor=None, action="demo.publish", obj=v1, changes={"status": "published"})
    year = timezone.localdate().year - 1
    today = timezone.localdate()

    def proposal(text: str, current: str, proposed: str, reason: str) -> Ground:
        ground = grounds.ground_create(
            actor=member,
            kind=Ground.Kind.PROPOSAL,
            council=framework.council,
            year=year,
            framework=framework,
            justification=text,
        )
        grounds.ground_row_add(
            actor=member, ground=ground, current_text=current, proposed_text=proposed, reason=reason
        )
        return grounds.ground_file(actor=member, ground=ground)

    decided = proposal(
        "ҰКС 01-2017 өзгерістеріне сәйкес ЖЭК кәсіптерін нақтылау қажет.",
        "5-деңгей: жел турбинасының технигі (3121).",
        "5-деңгей: жел турбинасының технигі; күн электр станциясының технигі (3121).",
        "ҰКС-ке жаңа кәсіптер енгізілді.",
    )
    decisions.decision_on_grounds(
        actor=secretary,
        council=framework.council,
        grounds=[decided],
        outcome="update",
        meeting=decisions.Meeting(today, "12", 9, 0, 1),
        framework=framework,
        update_reasons=[
            decisions.UpdateReasonInput(
                ground="nkz",
                explanation="ҰКС 01-2017 өзгерістеріне сәйкес ЖЭК кәсіптері нақтыланады.",
                codes="NKZ:3121, OKED:35.11",
            )
        ],
    )
    proposal(
        "Жаңартылатын энергия көздері станцияларында жаңа кәсіптер пайда болды; "
        "6-деңгейдегі сипаттамалар нарық талаптарына сай емес.",
        "6-деңгей: электр станциясының ауысым бастығы.",
        "6-деңгей: электр станциясының ауысым бастығы; ЖЭК станциясының операторы.",
        "ЖЭК станцияларының саны 2019 жылдан бері екі есе өсті.",
    )
    oked = Node.objects.filter(edition=current_edition(Classifier.OKED), code="35111").first()
    analysis = grounds.ground_create(
        actor=drafter,
        kind=Ground.Kind.ANALYSIS,
        council=framework.council,
        year=year,
        justification="Министрлік жетекшілік ететін салалардың ҚБШ-мен қамтылуын талдау.",
    )
    if oked is not None:
        grounds.gap_add(
            actor=drafter,
            ground=analysis,
            oked=oked,
            coverage="partial",
            note="Жел электр станциялары ҚБШ-да толық сипатталмаған.",
        )
