"""The records of the workflow: moves of a version, grounds and council decisions (Rules §5–§6,
§12–§13), recommendations and comments, hand-overs to the national body (Rules §14), local
policy switches."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from councils.models import localized
from sbsh.document.models import Framework, UpdateGround, Version
from sbsh.limits import COMMENT, TEXT, limit


class VersionTransition(models.Model):
    """Append-only log of the moves of a version through the Rules."""

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="transitions")
    name = models.CharField(_("transition"), max_length=40)
    source = models.CharField(_("from"), max_length=20)
    target = models.CharField(_("to"), max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True, **limit(TEXT))
    clause = models.CharField(_("clause"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("version transition")
        verbose_name_plural = _("version transitions")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.source} → {self.target}"


class Ground(models.Model):
    """Rules §5: a ground for developing or updating an SQF, filed to the sectoral council.

    A council member's proposal (§5.1: justification and a comparative table) or the state
    body's gap analysis (§5.2: its sectors, as OKED nodes, not or not fully covered). Each
    is for a year analysed and due by 31 March of the next year (§6).
    """

    class Kind(models.TextChoices):
        PROPOSAL = "proposal", _("proposal of a council member (Rules §5.1)")
        ANALYSIS = "analysis", _("gap analysis of the state body (Rules §5.2)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        FILED = "filed", _("filed to the council")
        DECIDED = "decided", _("decided by the council")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    council = models.ForeignKey(
        "councils.Organisation",
        verbose_name=_("sectoral council"),
        on_delete=models.PROTECT,
        related_name="grounds",
        limit_choices_to={"kind": "council"},
    )
    # The SQF a proposal would change; empty when a new SQF is proposed.
    framework = models.ForeignKey(
        Framework,
        verbose_name=_("existing SQF"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grounds",
    )
    sector_kk = models.CharField(_("proposed sector (Kazakh)"), max_length=300, blank=True)
    sector_ru = models.CharField(_("proposed sector (Russian)"), max_length=300, blank=True)
    year = models.PositiveSmallIntegerField(
        # Rules §6 "талдау жүргізілген жыл": the year in which the analysis was carried out.
        _("year the analysis was carried out"),
        validators=[MinValueValidator(2023), MaxValueValidator(2100)],
    )
    # Rules §5.1: a proposal is a council member's ("мүшелерінің"); a secretary who
    # records one records it on a named member's behalf.
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("on behalf of the council member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    justification = models.TextField(_("justification"), blank=True, **limit(TEXT))
    findings = models.TextField(_("findings"), blank=True, **limit(TEXT))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    filed_at = models.DateTimeField(_("filed"), null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("ground")
        verbose_name_plural = _("grounds")
        ordering = ["-year", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, {self.year}: {self.target}"

    @property
    def target(self) -> str:
        if self.framework_id:
            return str(self.framework)
        return localized(self, "sector")


class GroundRow(models.Model):
    """Rules §5.1: one row of a proposal's comparative table."""

    ground = models.ForeignKey(Ground, on_delete=models.CASCADE, related_name="rows")
    order = models.PositiveIntegerField(default=0)
    current_text = models.TextField(_("current text"), blank=True, **limit(TEXT))
    proposed_text = models.TextField(_("proposed text"), **limit(TEXT))
    reason = models.TextField(_("reason"), **limit(TEXT))

    class Meta:
        verbose_name = _("comparative table row")
        verbose_name_plural = _("comparative table rows")
        ordering = ["ground", "order", "id"]

    def __str__(self) -> str:
        return self.proposed_text[:60]


class GapFinding(models.Model):
    """Rules §5.2: a sector of the state body (an OKED node) without a full SQF."""

    class Coverage(models.TextChoices):
        NONE = "none", _("no SQF")
        PARTIAL = "partial", _("not fully covered")

    ground = models.ForeignKey(Ground, on_delete=models.CASCADE, related_name="gaps")
    oked = models.ForeignKey(
        "classifiers.Node", verbose_name=_("OKED"), on_delete=models.PROTECT, related_name="+"
    )
    coverage = models.CharField(_("coverage"), max_length=10, choices=Coverage.choices)
    note = models.TextField(_("finding"), blank=True, **limit(TEXT))

    class Meta:
        verbose_name = _("gap")
        verbose_name_plural = _("gaps")
        ordering = ["ground", "oked__code"]
        constraints = [
            models.UniqueConstraint(fields=["ground", "oked"], name="gap_finding_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.oked_id}: {self.coverage}"


def protocol_path(instance: Decision, filename: str) -> str:
    return (
        f"protocols/{instance.council_id}/{timezone.now():%Y}/{instance.protocol_sha256[:16]}.pdf"
    )


class Decision(models.Model):
    """A decision of the sectoral council, recorded by its secretary from the protocol.

    On grounds: develop a new SQF, update an existing one (with its §15 ground), or decline.
    On a submitted draft (Rules §12–§13): approve, or return with recommendations.
    """

    class Outcome(models.TextChoices):
        DEVELOP = "develop", _("develop a new SQF (Rules §8)")
        UPDATE = "update", _("update the SQF (Rules §15–§16)")
        DECLINE = "decline", _("decline")
        APPROVE = "approve", _("approve the draft (Rules §12)")
        RETURN = "return", _("return with recommendations (Rules §12–§13)")

    ON_GROUNDS = (Outcome.DEVELOP, Outcome.UPDATE, Outcome.DECLINE)
    ON_DRAFT = (Outcome.APPROVE, Outcome.RETURN)

    council = models.ForeignKey(
        "councils.Organisation",
        verbose_name=_("sectoral council"),
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    meeting_date = models.DateField(_("meeting date"))
    protocol_number = models.CharField(_("protocol number"), max_length=40)
    votes_for = models.PositiveSmallIntegerField(_("votes for"))
    votes_against = models.PositiveSmallIntegerField(_("votes against"))
    votes_abstained = models.PositiveSmallIntegerField(_("abstained"))
    grounds = models.ManyToManyField(
        Ground, verbose_name=_("grounds"), blank=True, related_name="decisions"
    )
    # The draft decided on (approve / return).
    version = models.ForeignKey(
        Version,
        verbose_name=_("draft"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
    )
    framework = models.ForeignKey(
        Framework, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    update_ground = models.CharField(
        _("ground for the update (Rules §15)"),
        max_length=20,
        choices=UpdateGround.choices,
        blank=True,
    )
    # The version this decision opened in preparation (develop / update).
    opened_version = models.OneToOneField(
        Version, on_delete=models.PROTECT, null=True, blank=True, related_name="opening_decision"
    )
    protocol_file = models.FileField(_("protocol (PDF)"), upload_to="protocols/", blank=True)
    protocol_sha256 = models.CharField(max_length=64, blank=True)
    comment = models.TextField(_("comment"), blank=True, **limit(TEXT))
    # On a return: the version's content as the council returned it, for the diff (Rules §13).
    snapshot = models.JSONField(null=True, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("council decision")
        verbose_name_plural = _("council decisions")
        ordering = ["-meeting_date", "-id"]

    def __str__(self) -> str:
        return f"№{self.protocol_number} {self.meeting_date}: {self.get_outcome_display()}"


class UpdateReason(models.Model):
    """Rules §15: one ground on which the council decided an update, with its explanation;
    for §15.2 (the NKZ changed) the classifier codes concerned. A decision to update may
    rest on one or more of them and needs no §5 ground (Rules §16 applies §7–§14 only)."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="update_reasons")
    ground = models.CharField(
        _("ground for the update (Rules §15)"), max_length=20, choices=UpdateGround.choices
    )
    explanation = models.TextField(_("explanation"), **limit(TEXT))
    codes = models.ManyToManyField(
        "classifiers.Node",
        verbose_name=_("classifier codes concerned"),
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("ground for the update")
        verbose_name_plural = _("grounds for the update")
        ordering = ["decision", "id"]  # created in the order of §15
        constraints = [
            models.UniqueConstraint(fields=["decision", "ground"], name="update_reason_unique")
        ]

    def __str__(self) -> str:
        return self.get_ground_display()

    @property
    def clause(self) -> str:
        return UPDATE_GROUND_CLAUSES[self.ground]


# The sub-item of Rules §15 each ground is.
UPDATE_GROUND_CLAUSES = {
    UpdateGround.NQF: "15.1",
    UpdateGround.NKZ: "15.2",
    UpdateGround.REQUIREMENTS: "15.3",
    UpdateGround.LABOUR_MARKET: "15.4",
}


class Recommendation(models.Model):
    """Rules §13: a recommendation of the council; the state body answers each one."""

    class Answer(models.TextChoices):
        PENDING = "pending", _("not answered")
        ACCEPTED = "accepted", _("accepted, change made")
        REJECTED = "rejected", _("rejected, with a reason")

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="recommendations")
    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="recommendations")
    order = models.PositiveIntegerField(default=0)
    text = models.TextField(_("recommendation"), **limit(TEXT))
    answer = models.CharField(
        _("answer"), max_length=10, choices=Answer.choices, default=Answer.PENDING
    )
    answer_text = models.TextField(_("what was changed, or why not"), blank=True, **limit(TEXT))
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["decision", "order", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class Comment(models.Model):
    """A review comment on a part, a table row or a cell, in either language, with replies."""

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="comments")
    # "passport", "part:<key>", "standards", "table1:<row id>[:<column>]", "table2",
    # "table3:<row id>[:<column>]" — the label is frozen at writing, rows may go away.
    anchor = models.CharField(_("about"), max_length=60)
    anchor_label = models.CharField(max_length=300)
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=[("", _("both")), ("kk", _("Kazakh")), ("ru", _("Russian"))],
        blank=True,
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    body = models.TextField(_("comment"), **limit(COMMENT))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["version", "anchor"], name="comment_anchor_idx")]

    def __str__(self) -> str:
        return self.body[:60]


class Handover(models.Model):
    """Rules §14: what the state body sent to the national body — both languages' documents."""

    version = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="handovers")
    content_sha256 = models.CharField(max_length=64)
    renderings = models.ManyToManyField("exports.Rendering", related_name="+")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    received_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(blank=True, **limit(TEXT))
    # The clock this sending closed: Rules §14 for the first, the re-send clock after a
    # return (deadlines.rules.Stage.HANDOVER_RESEND).
    deadline = models.ForeignKey(
        "deadlines.Deadline", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("hand-over")
        verbose_name_plural = _("hand-overs")
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.version} → {self.sent_at:%Y-%m-%d}"


# --- the public registry (Rules §14: the SQF digital platform) -----------------------------------


class PolicySwitch(models.Model):
    """An administrator's switch for one local policy (sbsh/workflow/policy.py); a policy without a
    row is on."""

    key = models.CharField(_("policy"), max_length=40, unique=True)
    enabled = models.BooleanField(_("on"), default=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("local policy switch")
        verbose_name_plural = _("local policy switches")
        ordering = ["key"]

    def __str__(self) -> str:
        from sbsh.workflow.policy import POLICIES

        policy = POLICIES.get(self.key)
        return str(policy.label) if policy else self.key
