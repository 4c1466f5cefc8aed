"""The effects of the workflow's moves that concern the documents (Rules §13–§14),
registered with `sbsh.workflow.effects` from ExportsConfig.ready(): sbsh names them in
its table of moves and never imports this app."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from exports import services, signatures
from exports.models import Rendering
from sbsh.document.content import content_hash, version_content
from sbsh.models import Handover, Version
from sbsh.workflow import effects
from sbsh.workflow.effects import Step


def _documents_ready(step: Step) -> list[str]:
    """Rules §14: both languages' documents of the approved content exist (and are
    signed, where signatures are required)."""
    if "handover" not in step.known:
        # Read the content once: the documents of it, and its checksum as approved and
        # rendered, before the status moves on.
        content = version_content(step.version)
        step.known["handover"] = services.handover_documents(step.version, content=content)
        step.known["handover_hash"] = content_hash(content)
    ready, missing = step.known["handover"]
    if missing:
        return [
            _(
                "The documents in Kazakh and Russian are not ready yet (Rules §14): %(missing)s. Prepare them on the Documents page."
            )
            % {"missing": ", ".join(f"{lang.upper()} {fmt.upper()}" for lang, fmt in missing)}
        ]
    if settings.SQF_SIGNATURES_REQUIRED:
        unsigned = signatures.unsigned_handover(step.version, ready)
        if unsigned:
            return [
                _(
                    "Sign the documents with ЭЦП on the Documents page first (Rules §14, Law 370-II Art. 7): %(unsigned)s."
                )
                % {
                    "unsigned": ", ".join(
                        f"{r.language.upper()} {r.format.upper()}" for r in unsigned
                    )
                }
            ]
    return []


def _hand_over(step: Step) -> None:
    """Rules §14: record what was sent — the documents and the checksum of their content."""
    handover = Handover.objects.create(
        version=step.version, content_sha256=step.known["handover_hash"], sent_by=step.actor
    )
    handover.renderings.set(step.known["handover"][0])
    step.known["handover_record"] = handover


def _documents_failed(step: Step) -> list[str]:
    if Rendering.objects.filter(version=step.version, status=Rendering.Status.FAILED).exists():
        return []
    return [
        _(
            "An approved version goes back for revision only when its documents could not be prepared (Rules §14); prepare them on the Documents page and send them."
        )
    ]


def _prepare_documents(step: Step) -> None:
    # The content is frozen now: start rendering the hand-over documents (Rules §14).
    version = Version.objects.select_related("framework__state_body").get(pk=step.version.pk)
    services.handover_prepare(version=version, actor=step.actor)


def register() -> None:
    effects.register(
        "hand_over",
        "check the documents are ready and signed; record the hand-over (§14)",
        check=_documents_ready,
        run=_hand_over,
    )
    effects.register(
        "documents_failed",
        "check the documents could not be prepared (§14)",
        check=_documents_failed,
    )
    effects.register(
        "prepare_documents",
        "prepare the hand-over documents (after commit, §14)",
        on_commit=_prepare_documents,
    )
