"""Rendered documents, one per version content, language and format."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Rendering(models.Model):
    """A document of a version's content. Keyed by the content's sha256, so an unchanged
    version is rendered once; a file is marked ready only after it is fully written."""

    class Format(models.TextChoices):
        DOCX = "docx", "DOCX"
        PDF = "pdf", "PDF"
        JSON = "json", "JSON"

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        RUNNING = "running", _("rendering")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    version = models.ForeignKey("sbsh.Version", on_delete=models.CASCADE, related_name="renderings")
    language = models.CharField(
        _("language"), max_length=2, choices=[("kk", "Қазақша"), ("ru", "Русский")]
    )
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    content_sha256 = models.CharField(max_length=64)
    # A document of a published version's frozen content (the registry's downloads of a
    # published or superseded version), rather than of the version's live content.
    publication = models.ForeignKey(
        "sbsh.Publication", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    file = models.FileField(upload_to="renderings/%Y/%m/", blank=True)
    size = models.PositiveIntegerField(default=0)
    file_sha256 = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    # The task run that holds the rendering while it is "running": a redelivery of the same
    # task after its worker died, or any run after the time limit, may take it over.
    task_id = models.CharField(max_length=255, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = _("rendered document")
        verbose_name_plural = _("rendered documents")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "content_sha256", "language", "format"], name="rendering_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} {self.language} {self.format} ({self.status})"

    def filename(self) -> str:
        from exports.naming import document_filename

        return document_filename(
            self.version.framework, self.version.number, self.language, self.format
        )


class Signature(models.Model):
    """An electronic digital signature (ЭЦП) of a hand-over document: a detached CMS made by
    NCALayer on the signer's computer over the document's exact bytes, verified by NCANode
    (chain to the NCA, OCSP, time stamp) and by our rules (the signing key, the signer's IIN,
    the organisation's BIN). An e-document so certified equals a signed paper one (Law
    370-II of 7 January 2003, Art. 7(1)). Rows are never changed; a new document of new
    content needs new signatures."""

    rendering = models.ForeignKey(Rendering, on_delete=models.PROTECT, related_name="signatures")
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signatures"
    )
    cms = models.TextField()  # base64 of the DER CMS, as NCALayer returns it
    document_sha256 = models.CharField(max_length=64)
    signer_iin = models.CharField(max_length=12)
    signer_bin = models.CharField(max_length=12, blank=True)
    signer_name = models.CharField(max_length=300)
    certificate_serial = models.CharField(max_length=100)
    certificate_issuer = models.CharField(max_length=500)
    certificate_not_after = models.DateTimeField()
    signed_at = models.DateTimeField()  # the time stamp (TSP) of the signature
    verification = models.JSONField(default=dict)  # what NCANode said, without certificates
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("electronic signature")
        verbose_name_plural = _("electronic signatures")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["rendering", "signer"], name="signature_once"),
        ]

    def __str__(self) -> str:
        # No IIN in an object's name: names reach audit rows and the history (issue 15).
        return f"{self.signer_name} — {self.rendering}"

    def filename(self) -> str:
        return f"{self.rendering.filename()}.signature-{self.pk}.cms"
