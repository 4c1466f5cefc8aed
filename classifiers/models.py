"""The three classifiers an SQF is built from (Rules §8.2–8.3, §9, §10; Annex §9–11).

A classifier is loaded as an *edition*; reloading creates a new edition and leaves the
old one in place, so an SQF keeps pointing at the nodes it cited.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Classifier(models.TextChoices):
    NKZ = "nkz", _("NKZ 01-2017 (national classifier of occupations)")
    OKED = "oked", _("OKED (general classifier of economic activities)")
    ISCO08 = "isco08", _("ISCO-08 (international standard classification of occupations)")


# Level names per classifier, as the classifiers themselves call them.
LEVEL_NAMES: dict[str, dict[int, str]] = {
    Classifier.NKZ: {
        0: _("special code"),
        1: _("major group"),
        2: _("sub-major group"),
        3: _("minor group"),
        4: _("unit group"),
        5: _("occupation group"),
        6: _("occupation"),
    },
    Classifier.OKED: {
        1: _("section"),
        2: _("division"),
        3: _("group"),
        4: _("class"),
        5: _("subclass"),
    },
    Classifier.ISCO08: {
        1: _("major group"),
        2: _("sub-major group"),
        3: _("minor group"),
        4: _("unit group"),
    },
}


class Edition(models.Model):
    classifier = models.CharField(_("classifier"), max_length=10, choices=Classifier.choices)
    name = models.CharField(_("edition"), max_length=120)
    effective_date = models.DateField(_("effective date"), null=True, blank=True)
    source_name = models.CharField(_("source file"), max_length=255)
    source_sha256 = models.CharField(_("source sha256"), max_length=64)
    source_format = models.CharField(_("source format"), max_length=40)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("loaded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    loaded_at = models.DateTimeField(_("loaded at"), default=timezone.now)
    # {"1": 9, "2": 41, ...}: rows per level, as loaded.
    counts = models.JSONField(_("rows per level"), default=dict)
    # The difference from the previous edition of the same classifier.
    diff = models.JSONField(_("difference from the previous edition"), default=dict, blank=True)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("previous edition"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # ISCO-08 only: where its Kazakh and Russian names come from (whose translation, of
    # what date), as the administrator said when loading them (Annex §11, column 4).
    names_source = models.CharField(
        _("source of the Kazakh/Russian names"), max_length=300, blank=True
    )
    # New SQF content picks from the current edition; old content keeps its own.
    is_current = models.BooleanField(_("current"), default=True)
    # Raised by every service that changes its nodes in place (names, skill levels): the
    # cached rows of Tables 1 and 3 that show them are keyed by it (sbsh/document/fragments.py).
    nodes_revision = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("classifier edition")
        verbose_name_plural = _("classifier editions")
        ordering = ["classifier", "-loaded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["classifier"],
                condition=models.Q(is_current=True),
                name="one_current_edition",
            ),
            models.UniqueConstraint(fields=["classifier", "name"], name="edition_name_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_classifier_display()} — {self.name}"

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def counts_by_level(self) -> list[tuple[int, str, int]]:
        names = LEVEL_NAMES[self.classifier]
        return [
            (int(level), str(names.get(int(level), level)), n)
            for level, n in sorted(self.counts.items())
        ]


class Node(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="nodes")
    code = models.CharField(_("code"), max_length=20)
    level = models.PositiveSmallIntegerField(_("level"))
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    # As the source publishes them (NKZ is mostly upper case) ...
    name_kk = models.TextField(_("name (Kazakh), as published"), blank=True)
    name_ru = models.TextField(_("name (Russian), as published"), blank=True)
    name_en = models.TextField(_("name (English), as published"), blank=True)
    # ... and as people read them: sentence case, whitespace tidied.
    title_kk = models.TextField(_("name (Kazakh)"), blank=True)
    title_ru = models.TextField(_("name (Russian)"), blank=True)
    title_en = models.TextField(_("name (English)"), blank=True)
    description_en = models.TextField(_("definition (English)"), blank=True)
    # ISCO-08 skill level 1–4. For NKZ derived from the major group as ISCO-08 does
    # (NKZ ships none per code); an administrator may correct it.
    skill_level = models.PositiveSmallIntegerField(_("skill level"), null=True, blank=True)
    skill_level_edited = models.BooleanField(_("skill level set by hand"), default=False)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    is_leaf = models.BooleanField(_("has no children"), default=True)
    # Lower-cased code and names in every language, for search on any database.
    search_text = models.TextField(editable=False, default="")
    source_row = models.PositiveIntegerField(_("row in the source file"), null=True, blank=True)

    class Meta:
        verbose_name = _("classifier node")
        verbose_name_plural = _("classifier nodes")
        ordering = ["edition", "code"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "code"], name="node_code_unique_in_edition"),
        ]
        indexes = [
            models.Index(fields=["edition", "level", "code"], name="node_edition_level_idx"),
        ]
        # PostgreSQL adds trigram and pattern indexes in a migration (0002).

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def classifier(self) -> str:
        return self.edition.classifier

    @property
    def title(self) -> str:
        language = (get_language() or "kk")[:2]
        order = {"kk": ("kk", "ru", "en"), "ru": ("ru", "kk", "en"), "en": ("en", "ru", "kk")}[
            language if language in ("kk", "ru", "en") else "kk"
        ]
        for lang in order:
            value = getattr(self, f"title_{lang}")
            if value:
                return value
        return ""

    @property
    def level_name(self) -> str:
        return str(LEVEL_NAMES.get(self.edition.classifier, {}).get(self.level, self.level))


class Correspondence(models.TextChoices):
    FULL = "full", _("full")
    PARTIAL = "partial", _("partial")
    BROADER = "broader", _("broader (NKZ group is wider)")
    NARROWER = "narrower", _("narrower (NKZ group is narrower)")
    NONE = "none", _("none")
    UNVERIFIED = "unverified", _("unverified (equal codes only)")


class CrosswalkLink(models.Model):
    """One ISCO-08 unit group ↔ NKZ unit group correspondence (Table 3, columns 5 and 9)."""

    isco = models.ForeignKey(
        Node,
        verbose_name=_("ISCO-08 unit group"),
        on_delete=models.PROTECT,
        related_name="nkz_links",
    )
    nkz = models.ForeignKey(
        Node, verbose_name=_("NKZ unit group"), on_delete=models.PROTECT, related_name="isco_links"
    )
    correspondence = models.CharField(
        _("correspondence"),
        max_length=12,
        choices=Correspondence.choices,
        default=Correspondence.UNVERIFIED,
    )
    note = models.TextField(_("note"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("ISCO-08 ↔ NKZ correspondence")
        verbose_name_plural = _("ISCO-08 ↔ NKZ crosswalk")
        ordering = ["isco__code", "nkz__code"]
        constraints = [
            models.UniqueConstraint(fields=["isco", "nkz"], name="crosswalk_pair_unique"),
        ]

    def __str__(self) -> str:
        return f"ISCO {self.isco.code} ↔ NKZ {self.nkz.code} ({self.get_correspondence_display()})"


class ImportJob(models.Model):
    """A classifier file uploaded through the admin, loaded in the background."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        RUNNING = "running", _("loading")
        DONE = "done", _("done")
        FAILED = "failed", _("rejected")

    classifier = models.CharField(_("classifier"), max_length=10, choices=Classifier.choices)
    edition_name = models.CharField(_("edition name"), max_length=120, blank=True)
    dry_run = models.BooleanField(_("dry run: check only, write nothing"), default=False)
    file = models.FileField(_("file"), upload_to="classifier-imports/%Y/%m/")
    original_name = models.CharField(max_length=255)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("progress, %"), default=0)
    stage = models.CharField(_("stage"), max_length=120, blank=True)
    report = models.JSONField(_("report"), default=dict, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    edition = models.ForeignKey(
        Edition, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("classifier import")
        verbose_name_plural = _("classifier imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return (
            f"{self.get_classifier_display()} — {self.original_name} ({self.get_status_display()})"
        )


class NqfDescriptor(models.Model):
    """One descriptor of one level of the national qualification framework (ҰБШ/НРК), as
    an administrator loaded it (`load_classifier nqf PATH`) from the official text. Rules
    §8: levels are matched using the NQF; drafters see these beside Table 1. Nothing is
    shipped: no official text of the current framework is available here as data."""

    class Kind(models.TextChoices):
        KNOWLEDGE = "knowledge", _("knowledge")
        SKILLS = "skills", _("abilities and skills")
        COMPETENCES = "competences", _("personal and professional competences")

    level = models.PositiveSmallIntegerField(
        _("NQF level"), validators=[MinValueValidator(1), MaxValueValidator(8)]
    )
    kind = models.CharField(_("descriptor"), max_length=12, choices=Kind.choices)
    text_kk = models.TextField(_("text (Kazakh)"))
    text_ru = models.TextField(_("text (Russian)"))
    source = models.CharField(_("source (document and where it is published)"), max_length=500)
    source_date = models.DateField(_("date of the source"))
    loaded_at = models.DateTimeField(_("loaded"), default=timezone.now)

    class Meta:
        verbose_name = _("NQF level descriptor")
        verbose_name_plural = _("NQF level descriptors")
        ordering = ["level", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["level", "kind"], name="nqf_descriptor_unique")
        ]

    def __str__(self) -> str:
        return f"{self.level} · {self.get_kind_display()}"

    @property
    def text(self) -> str:
        from councils.models import localized

        return localized(self, "text")
