"""The SQF and its versions with the whole Annex content: passport, parts, professional
standards, Tables 1–3, the working group.

An SQF is the identity across versions (state body, council, sector, OKED scope); a
version is one development or update cycle (Rules §16: an update is a new version)
and holds everything the Annex prescribes (§1–§11). Every classifier reference points
at a node of a specific edition, so a reload of a classifier never changes an SQF.

Each editable piece carries `revision`, an optimistic lock: a save names the revision it
started from and is refused when someone else saved in between (document/services.py).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from councils.models import localized
from sbsh.limits import CELL, PART, limit

LANGUAGES = ("kk", "ru")
SQF_LEVEL_VALIDATOR = RegexValidator(
    r"^[1-8](\.[1-9])?$",
    _("An SQF level is 1–8, or a sub-level such as 4.1 (Rules §9)."),
)


class UpdateGround(models.TextChoices):
    """Rules §15: the four grounds for updating an SQF."""

    NQF = (
        "nqf",
        _(
            "§15.1 — the characteristics of professional activity and education levels in the NQF changed"
        ),
    )
    NKZ = (
        "nkz",
        _(
            "§15.2 — the NKZ classification of occupations by skill level and specialisation changed"
        ),
    )
    REQUIREMENTS = (
        "requirements",
        _(
            "§15.3 — the qualification requirements by level, complexity of work, knowledge, abilities and competences changed"
        ),
    )
    LABOUR_MARKET = (
        "labour_market",
        _("§15.4 — labour-market needs in recognising qualifications changed"),
    )


class Framework(models.Model):
    state_body = models.ForeignKey(
        "councils.Organisation",
        verbose_name=_("state body"),
        on_delete=models.PROTECT,
        related_name="frameworks",
        limit_choices_to={"kind": "state_body"},
    )
    council = models.ForeignKey(
        "councils.Organisation",
        verbose_name=_("sectoral council"),
        on_delete=models.PROTECT,
        related_name="council_frameworks",
        limit_choices_to={"kind": "council"},
    )
    sector_kk = models.CharField(_("sector (Kazakh)"), max_length=300)
    sector_ru = models.CharField(_("sector (Russian)"), max_length=300)
    # The OKED scope the SQF covers (Rules §8.2); also what the coverage analysis reads.
    oked_scope = models.ManyToManyField(
        "classifiers.Node", verbose_name=_("OKED scope"), blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("sectoral qualification framework")
        verbose_name_plural = _("sectoral qualification frameworks")
        ordering = ["sector_ru"]

    def __str__(self) -> str:
        return self.sector

    @property
    def sector(self) -> str:
        return localized(self, "sector")


class Version(ConcurrentTransitionMixin, models.Model):
    """One development or update cycle of an SQF, moved through the Rules by its status.

    The transitions below change the status only; sbsh.workflow runs them for the role the
    Rules name, inside a transaction that also writes the transition log, closes and opens
    the deadlines and schedules the notifications.
    """

    class Status(models.TextChoices):
        PREPARATION = "preparation", _("preparatory work")  # Rules §8
        DRAFTING = "drafting", _("drafting")  # Rules §11
        COUNCIL_REVIEW = "council_review", _("council review")  # Rules §12
        REVISION = "revision", _("revision")  # Rules §13
        RE_REVIEW = "re_review", _("council re-review")  # Rules §13
        APPROVED = "approved", _("approved")  # Rules §12
        SENT = "sent", _("sent to the national body")  # Rules §14
        RECEIVED = "received", _("received by the national body")  # Rules §14
        PUBLISHED = "published", _("published")
        SUPERSEDED = "superseded", _("superseded by a newer version")  # Rules §16
        WITHDRAWN = "withdrawn", _("withdrawn")

    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    updates = models.ForeignKey(
        "self",
        verbose_name=_("updates version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="updated_in",
    )
    status = FSMField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFTING, protected=True
    )
    name_kk = models.CharField(_("name (Kazakh)"), max_length=500, blank=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=500, blank=True)
    approved_on = models.DateField(_("approval date"), null=True, blank=True)
    # A document option of the state body (exports): Tables 2 and 3 printed on landscape
    # pages. Annex §12 prescribes book orientation, so the compliance check shows it as a
    # departure; it is part of the content, frozen at approval like the text.
    tables_landscape = models.BooleanField(_("Tables 2 and 3 on landscape pages"), default=False)
    # Annex §2: the economic activities and professional groups the SQF covers.
    oked_nodes = models.ManyToManyField(
        "classifiers.Node",
        verbose_name=_("economic activities (OKED)"),
        blank=True,
        related_name="+",
    )
    nkz_groups = models.ManyToManyField(
        "classifiers.Node",
        verbose_name=_("professional groups (NKZ)"),
        blank=True,
        related_name="+",
    )
    # Rules §15: why this update was decided (empty for a first version).
    update_ground = models.CharField(
        _("ground for the update (Rules §15)"),
        max_length=20,
        choices=UpdateGround.choices,
        blank=True,
    )
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("SQF version")
        verbose_name_plural = _("SQF versions")
        ordering = ["framework", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "number"], name="version_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.framework.sector} v{self.number}"

    @property
    def name(self) -> str:
        return localized(self, "name")

    # --- transitions (status only; see sbsh.workflow) ---------------------------------------
    S = Status

    @transition(field=status, source=S.PREPARATION, target=S.DRAFTING)
    def finish_preparation(self) -> None:
        """Rules §8 → §11: the preparatory work is done; drafting starts."""

    @transition(field=status, source=S.DRAFTING, target=S.COUNCIL_REVIEW)
    def submit(self) -> None:
        """Rules §11 → §12: the draft goes to the council."""

    @transition(field=status, source=[S.COUNCIL_REVIEW, S.RE_REVIEW], target=S.REVISION)
    def return_for_revision(self) -> None:
        """Rules §12–§13: the council sends recommendations."""

    @transition(field=status, source=S.REVISION, target=S.RE_REVIEW)
    def resubmit(self) -> None:
        """Rules §13: the revised draft goes back to the council."""

    @transition(field=status, source=[S.COUNCIL_REVIEW, S.RE_REVIEW], target=S.APPROVED)
    def approve(self) -> None:
        """Rules §12: the council approves."""

    @transition(field=status, source=S.APPROVED, target=S.SENT)
    def send(self) -> None:
        """Rules §14: the state body sends the SQF in Kazakh and Russian to the national body."""

    @transition(field=status, source=S.SENT, target=S.RECEIVED)
    def receive(self) -> None:
        """Rules §14: the national body acknowledges receipt."""

    @transition(field=status, source=S.RECEIVED, target=S.PUBLISHED)
    def publish(self) -> None:
        """Rules §14: placed on the SQF digital platform."""

    @transition(field=status, source=S.SENT, target=S.APPROVED)
    def return_handover(self) -> None:
        """Rules §14: the national body returns a hand-over for a technical reason (a file
        missing or damaged); the state body sends again."""

    @transition(field=status, source=S.APPROVED, target=S.REVISION)
    def reopen_for_revision(self) -> None:
        """Rules §13–§14: the hand-over documents of the approved content cannot be
        prepared; the council's secretary returns the version to the state body for
        revision, with the reason recorded, so no version is stuck in *approved*."""

    @transition(field=status, source=S.PUBLISHED, target=S.SUPERSEDED)
    def supersede(self) -> None:
        """Rules §16: a newer version of the same SQF was published."""

    @transition(
        field=status,
        source=[S.PREPARATION, S.DRAFTING, S.COUNCIL_REVIEW, S.REVISION, S.RE_REVIEW],
        target=S.WITHDRAWN,
    )
    def withdraw(self) -> None:
        """The state body withdraws the version before approval."""


class BilingualMixin(models.Model):
    """Kazakh and Russian kept side by side, with a flag when one changed after the other."""

    revision = models.PositiveIntegerField(default=1)
    kk_changed_at = models.DateTimeField(null=True, blank=True)
    ru_changed_at = models.DateTimeField(null=True, blank=True)
    # The language that may be out of date because the other changed after it ("" none).
    stale_language = models.CharField(max_length=2, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True


class Part(BilingualMixin):
    """A narrative part of the Annex (§2 sector description, §3–§6, §8) as sanitised HTML."""

    class Key(models.TextChoices):
        PASSPORT_SECTOR = "passport_sector", _("Annex §2 — sector description")
        GENERAL = "general", _("Annex §3 — general provisions")
        CURRENT_STATE = "current_state", _("Annex §4 — current state of the sector")
        PROCESS_MANAGEMENT = "process_management", _("Annex §4.1 — management processes")
        PROCESS_PREPARATION = "process_preparation", _("Annex §4.2 — preparation of production")
        PROCESS_MAIN = "process_main", _("Annex §4.3 — main production")
        PROCESS_POST = "process_post", _("Annex §4.4 — post-production (sales)")
        PROCESS_SUPPORT = "process_support", _("Annex §4.5 — auxiliary (support) processes")
        ANALYSIS = "analysis", _("Annex §5 — sector analysis")
        OCCUPATIONS = "occupations", _("Annex §6 — main groups of positions and occupations")
        CONCLUSIONS = "conclusions", _("Annex §8 — conclusions and proposals")

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="parts")
    key = models.CharField(max_length=30, choices=Key.choices)
    text_kk = models.TextField(_("text (Kazakh)"), blank=True, **limit(PART))
    text_ru = models.TextField(_("text (Russian)"), blank=True, **limit(PART))

    class Meta:
        verbose_name = _("part")
        verbose_name_plural = _("parts")
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="part_key_unique")]

    def __str__(self) -> str:
        return self.get_key_display()


class ProfessionalStandard(BilingualMixin):
    """Annex §7: a professional standard of the sector, existing or planned."""

    class Status(models.TextChoices):
        EXISTING = "existing", _("existing")
        PLANNED = "planned", _("planned")

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="standards")
    order = models.PositiveIntegerField(default=0)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=500, blank=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.EXISTING
    )
    nkz_nodes = models.ManyToManyField(
        "classifiers.Node", verbose_name=_("NKZ occupations"), blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("professional standard")
        verbose_name_plural = _("professional standards")
        ordering = ["version", "order", "id"]

    def __str__(self) -> str:
        return localized(self, "name")


# Annex §9, Table 1, columns 4–8, as the Annex words them.
COLUMN_LABELS = {
    "stages": _("Stages"),
    "role": _("Role in the collective division of labour (incl. area of responsibility)"),
    "knowledge": _("Knowledge"),
    "skills": _("Abilities (skills)"),
    "competences": _("Personal competences"),
}


# A Table 1 cell longer than this is shown folded (sbsh/templatetags/sqf.py).
LONG_CELL = 180


class Table1Row(BilingualMixin):
    """Annex §9, Table 1: one SQF level (or sub-level) in one process section."""

    class Section(models.IntegerChoices):
        MANAGEMENT = 1, _("Continuous and cross-cutting management processes")
        SECTORAL = 2, _("Sectoral processes (they define the sector's boundaries)")
        PREPARATORY = 3, _("Preparatory cross-sectoral processes")
        POST_PRODUCTION = 4, _("Post-production cross-sectoral processes (sales)")

    TEXT_COLUMNS = ("stages", "role", "knowledge", "skills", "competences")
    TEXT_FIELDS = tuple(f"{c}_{lang}" for c in TEXT_COLUMNS for lang in ("kk", "ru"))

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="table1_rows")
    section = models.PositiveSmallIntegerField(_("process section"), choices=Section.choices)
    order = models.PositiveIntegerField(default=0)
    sqf_level = models.CharField(_("SQF level"), max_length=4, validators=[SQF_LEVEL_VALIDATOR])
    nqf_level = models.PositiveSmallIntegerField(
        _("NQF level"), validators=[MinValueValidator(1), MaxValueValidator(8)]
    )
    occupations = models.ManyToManyField(
        "classifiers.Node", verbose_name=_("occupations in NKZ"), blank=True, related_name="+"
    )
    stages_kk = models.TextField(_("stages (Kazakh)"), blank=True, **limit(CELL))
    stages_ru = models.TextField(_("stages (Russian)"), blank=True, **limit(CELL))
    role_kk = models.TextField(
        _("role and area of responsibility (Kazakh)"), blank=True, **limit(CELL)
    )
    role_ru = models.TextField(
        _("role and area of responsibility (Russian)"), blank=True, **limit(CELL)
    )
    knowledge_kk = models.TextField(_("knowledge (Kazakh)"), blank=True, **limit(CELL))
    knowledge_ru = models.TextField(_("knowledge (Russian)"), blank=True, **limit(CELL))
    skills_kk = models.TextField(_("abilities / skills (Kazakh)"), blank=True, **limit(CELL))
    skills_ru = models.TextField(_("abilities / skills (Russian)"), blank=True, **limit(CELL))
    competences_kk = models.TextField(_("personal competences (Kazakh)"), blank=True, **limit(CELL))
    competences_ru = models.TextField(
        _("personal competences (Russian)"), blank=True, **limit(CELL)
    )

    class Meta:
        verbose_name = _("Table 1 row")
        verbose_name_plural = _("Table 1 rows")
        ordering = ["version", "section", "order", "id"]

    def __str__(self) -> str:
        return f"{self.section}/{self.sqf_level}"

    @property
    def bilingual_cells(self) -> list[tuple[str, str]]:
        return [(getattr(self, f"{c}_kk"), getattr(self, f"{c}_ru")) for c in self.TEXT_COLUMNS]

    @property
    def has_long_text(self) -> bool:
        return any(len(getattr(self, f) or "") > LONG_CELL for f in self.TEXT_FIELDS)

    @property
    def column_labels(self) -> list[tuple[str, str]]:
        return [(c, str(COLUMN_LABELS[c])) for c in self.TEXT_COLUMNS]


class Table2Entry(models.Model):
    """Annex §10, Table 2: an occupation placed at an SQF level in a professional group."""

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="table2_entries")
    sqf_level = models.CharField(_("SQF level"), max_length=4, validators=[SQF_LEVEL_VALIDATOR])
    group = models.ForeignKey(
        "classifiers.Node",
        verbose_name=_("professional group (NKZ)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    occupation = models.ForeignKey(
        "classifiers.Node",
        verbose_name=_("occupation (NKZ)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("Table 2 entry")
        verbose_name_plural = _("Table 2 entries")
        ordering = ["version", "sqf_level", "group__code", "occupation__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "occupation", "sqf_level"], name="table2_entry_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sqf_level} {self.occupation_id}"


class ProgressionLink(models.Model):
    """Annex §10: a possible career move between two occupations of Table 2."""

    class Kind(models.TextChoices):
        HORIZONTAL = "horizontal", _("horizontal (same level)")
        VERTICAL = "vertical", _("vertical (across levels)")

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="progression_links")
    source = models.ForeignKey(Table2Entry, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Table2Entry, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # Rules §8.4: "жұмыс тәжірибесін ескере отырып" — the work experience a move to a
    # higher level takes (required on vertical links by the §8 checklist).
    experience_years = models.PositiveSmallIntegerField(
        _("work experience (years)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(50)],
    )
    experience_note_kk = models.CharField(
        _("work experience: in which occupations or levels (Kazakh)"), max_length=300, blank=True
    )
    experience_note_ru = models.CharField(
        _("work experience: in which occupations or levels (Russian)"), max_length=300, blank=True
    )

    class Meta:
        verbose_name = _("progression link")
        verbose_name_plural = _("progression links")
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="progression_link_unique"),
            models.CheckConstraint(
                condition=~models.Q(source=models.F("target")), name="progression_link_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} → {self.target_id}"

    @property
    def experience_note(self) -> str:
        """The note in the reader's language (Kazakh or Russian; the other as fallback)."""
        return localized(self, "experience_note")


class NkzCorrespondence(models.TextChoices):
    """Annex §11, Table 3 column 9: how the NKZ unit group answers to the occupation group,
    judged by the drafter row by row (the crosswalk decides column 5, not this one)."""

    FULL = "full", _("full")
    PARTIAL = "partial", _("partial")
    BROADER = "broader", _("broader")
    NARROWER = "narrower", _("narrower")


class Table3Row(models.Model):
    """Annex §11, Table 3: one line of the professional qualification map (18 columns).

    Names are never typed: every name column is read from the node picked here, the
    OKED section, division, group and class from the subclass's ancestors, the NKZ main
    group from the occupation's, and the correspondence from the crosswalk.
    """

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="table3_rows")
    order = models.PositiveIntegerField(default=0)
    isco = models.ForeignKey(
        "classifiers.Node",
        verbose_name=_("ISCO-08 unit group"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    isco_correspondence = models.CharField(
        _("correspondence ISCO-08 ↔ NKZ"), max_length=12, blank=True
    )
    nkz_unit = models.ForeignKey(
        "classifiers.Node",
        verbose_name=_("NKZ unit group"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    nkz_correspondence = models.CharField(
        _("correspondence unit group ↔ occupation group"),
        max_length=12,
        choices=NkzCorrespondence.choices,
        default=NkzCorrespondence.FULL,
    )
    nkz_group = models.ForeignKey(
        "classifiers.Node",
        verbose_name=_("NKZ occupation group"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    oked = models.ForeignKey(
        "classifiers.Node",
        verbose_name=_("OKED subclass"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    occupation = models.ForeignKey(
        "classifiers.Node",
        verbose_name=_("occupation (NKZ)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    nqf_level = models.PositiveSmallIntegerField(
        _("NQF level"), validators=[MinValueValidator(1), MaxValueValidator(8)]
    )
    sqf_level = models.CharField(_("SQF level"), max_length=4, validators=[SQF_LEVEL_VALIDATOR])
    revision = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("Table 3 row")
        verbose_name_plural = _("Table 3 rows")
        ordering = ["version", "order", "id"]

    def __str__(self) -> str:
        return f"{self.isco_id} / {self.occupation_id}"

    @property
    def isco_correspondence_label(self) -> str:
        """Column 5 in words (the crosswalk's value), never the stored code."""
        from classifiers.models import Correspondence

        value = self.isco_correspondence or Correspondence.NONE
        return str(Correspondence(value).label) if value in Correspondence.values else value


# --- grounds, council decisions, review (Rules §5–§6, §8, §12–§15) ------------------------------


class WorkingGroupMember(models.Model):
    """Rules §7: a person the state body drew into the development of one SQF version,
    with the category of §7 they come from and the organisation they represent. A
    working-group participant works only on the versions whose group lists them."""

    class Category(models.TextChoices):
        WORKER = "worker", _("worker of the occupations and positions concerned")
        EMPLOYERS = "employers", _("employers' association")
        TRADE_UNION = "trade_union", _("trade union")
        EDUCATION = "education", _("education organisation")
        RECOGNITION = "recognition", _("qualification-recognition centre")
        RESEARCH = "research", _("research organisation")
        EXPERT = "expert", _("independent expert of the sector")
        CONSULTANT = "consultant", _("consultant of the sector")

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="working_group")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="working_groups",
    )
    category = models.CharField(_("category (Rules §7)"), max_length=20, choices=Category.choices)
    organisation = models.CharField(_("organisation represented"), max_length=300, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("working-group member")
        verbose_name_plural = _("working-group members")
        ordering = ["version", "category", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "user"], name="working_group_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_category_display()})"
