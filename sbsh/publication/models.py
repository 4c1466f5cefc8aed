"""What the national body published (Rules §14): the frozen content and its search terms."""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from councils.models import localized
from sbsh.document.models import Framework, Version


class Publication(models.Model):
    """A published version as the public sees it: its content frozen at publication, the
    words and codes it is found by, and what changed since the version it replaces.

    Created in the same transaction as the move to "published"; nothing unpublished ever
    has one, so the public pages read only this table."""

    version = models.OneToOneField(Version, on_delete=models.PROTECT, related_name="publication")
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="publications")
    state_body = models.ForeignKey(
        "councils.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    number = models.PositiveSmallIntegerField()
    name_kk = models.CharField(max_length=500)
    name_ru = models.CharField(max_length=500)
    published_at = models.DateTimeField(default=timezone.now, db_index=True)
    superseded_at = models.DateTimeField(null=True, blank=True, db_index=True)
    content = models.JSONField()
    content_sha256 = models.CharField(max_length=64)
    # What changed since the previous publication of the same SQF (Rules §16).
    change_summary = models.JSONField(default=dict, blank=True)
    # Lower-cased names, sector, state body, parts' plain text and every cited code and
    # classifier title, in kk, ru and en: what the registry search reads.
    search_text = models.TextField(blank=True)
    # PostgreSQL: the same text as a tsvector ('simple' configuration: no stemming, both
    # languages alike) with a GIN index, searched by word prefixes. Empty on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["framework", "-number"], name="publication_framework_idx")]

    def __str__(self) -> str:
        return f"{self.name_ru} v{self.number}"

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None


class PublicationTerm(models.Model):
    """A code or level a publication can be filtered by: every OKED and NKZ code it cites
    with their ancestors, and its SQF and NQF levels."""

    class Kind(models.TextChoices):
        OKED = "oked", "OKED"
        NKZ = "nkz", "NKZ"
        SQF_LEVEL = "sqf_level", "SQF"
        NQF_LEVEL = "nqf_level", "NQF"

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="terms")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.CharField(max_length=40)

    class Meta:
        verbose_name = _("publication term")
        verbose_name_plural = _("publication terms")
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "kind", "value"], name="publication_term_unique"
            )
        ]
        indexes = [models.Index(fields=["kind", "value"], name="publication_term_idx")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"
