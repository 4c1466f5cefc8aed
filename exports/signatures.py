"""Electronic digital signatures (ЭЦП) of the hand-over documents (Rules §14; Law 370-II
Art. 7(1); ASVS 4.1.5).

The key never leaves the signer's computer: NCALayer (the NCA's desktop program) makes a
detached CMS over the document's exact bytes in the browser. The server does not trust
the browser: it sends the CMS and the document it holds to NCANode, which checks the
signature against those bytes, the certificate chain to the NCA, revocation (OCSP) and the
time stamp, and then applies our own rules on NCANode's answer:

- one signer, whose certificate NCANode found valid and not revoked;
- a signing key (keyUsage SIGN), not the authentication key (AUTH);
- the certificate's IIN is the IIN in the signer's profile;
- when the state body has a BIN on record, the certificate is the organisation's, of that BIN;
- a time stamp (TSP) that falls within the certificate's validity.

NCANode answers in the shape of its 3.x DTOs (kz.ncanode.dto.response.CmsVerificationResponse:
status, message, valid, signers[{certificates[{valid, revokedBy, notBefore, notAfter,
keyUsage, keyUser, serialNumber, subject{iin, bin, commonName, organization, dn}, issuer},
…], tsp{genTime, serialNumber, …}}])."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from councils.models import User
from councils.services import audit_record
from exports.models import Rendering, Signature
from sbsh.access import mask_iin

HANDOVER_FORMATS = {Rendering.Format.PDF, Rendering.Format.DOCX}


class SignatureServiceError(Exception):
    """NCANode could not be asked (not configured, unreachable, or an answer we cannot read)."""


@dataclass(frozen=True)
class NCANode:
    """The HTTP client of NCANode 3.x (`POST /cms/verify`)."""

    url: str
    timeout: float = 15.0

    def cms_verify(self, cms: str, data: bytes) -> dict[str, Any]:
        body = json.dumps(
            {
                "cms": cms,
                "data": base64.b64encode(data).decode("ascii"),
                "revocationCheck": ["OCSP"],
            }
        ).encode()
        request = urllib.request.Request(  # noqa: S310 (the address is the operator's setting)
            self.url.rstrip("/") + "/cms/verify",
            data=body,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310  # nosec B310
                raw = response.read(2_000_000)
        except urllib.error.HTTPError as error:
            # NCANode answers a malformed CMS with 4xx and a JSON body saying why.
            raw = error.read(2_000_000)
            if error.code >= 500:
                raise SignatureServiceError(f"NCANode answered {error.code}") from error
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise SignatureServiceError(f"NCANode cannot be reached: {error}") from error
        try:
            answer = json.loads(raw)
        except ValueError as error:
            raise SignatureServiceError("NCANode's answer is not JSON") from error
        if not isinstance(answer, dict):
            raise SignatureServiceError("NCANode's answer is not a JSON object")
        return answer


def verifier() -> NCANode | None:
    url = getattr(settings, "SQF_NCANODE_URL", "")
    return NCANode(url, settings.SQF_NCANODE_TIMEOUT) if url else None


def signatures_enabled() -> bool:
    return verifier() is not None


def _when(value: Any) -> dt.datetime | None:
    """NCANode writes dates as ISO 8601 text or as epoch milliseconds (Jackson's default)."""
    if isinstance(value, int | float):
        return dt.datetime.fromtimestamp(value / 1000, tz=dt.UTC)
    if isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is not None and timezone.is_naive(parsed):
            parsed = parsed.replace(tzinfo=dt.UTC)
        return parsed
    return None


@dataclass(frozen=True)
class Checked:
    """What the signature proves, once every rule holds."""

    iin: str
    bin: str
    name: str
    serial: str
    issuer: str
    not_after: dt.datetime
    signed_at: dt.datetime


def signature_check(
    answer: dict[str, Any], *, signer: User, bin_required: str = ""
) -> tuple[Checked | None, list[str]]:
    """Our rules on NCANode's answer. Returns what was proven, or the problems in words the
    signer can act on (Law 370-II Art. 7: signed by the person authorised to sign)."""
    problems: list[str] = []
    signers = answer.get("signers") or []
    if answer.get("status", 200) != 200 or not answer.get("valid") or not signers:
        reason = str(answer.get("message") or "")[:200]
        return None, [
            _(
                "The signature does not match this document or is damaged; sign the "
                "document again. (NCANode: %(reason)s)"
            )
            % {"reason": reason or "valid = false"}
        ]
    if len(signers) != 1:
        return None, [_("Sign the document with one key only.")]
    certificates = signers[0].get("certificates") or []
    if not certificates:
        return None, [_("The signature carries no certificate; sign it again with NCALayer.")]
    certificate = certificates[0]  # the signer's own; the rest is the chain to the NCA
    subject = certificate.get("subject") or {}
    issuer = certificate.get("issuer") or {}
    not_before, not_after = _when(certificate.get("notBefore")), _when(certificate.get("notAfter"))
    if certificate.get("revokedBy"):
        problems.append(
            _("The certificate has been revoked (%(by)s); sign with a valid key.")
            % {"by": ", ".join(map(str, certificate["revokedBy"]))}
        )
    elif not certificate.get("valid"):
        problems.append(
            _(
                "The certificate is not valid (expired, not yet valid or not issued by the "
                "National Certification Authority); sign with a valid key."
            )
        )
    if certificate.get("keyUsage") != "SIGN":
        problems.append(
            _(
                "This is the authentication key (AUTH). Sign with the signing key: its file "
                "name starts with RSA or GOSTKNCA."
            )
        )
    iin = str(subject.get("iin") or "")
    if not signer.iin:
        problems.append(
            _("Your profile has no IIN yet; ask the administrator to enter it, then sign.")
        )
    elif iin != signer.iin:
        problems.append(
            _(
                "The key belongs to another person (IIN %(theirs)s); your profile's IIN is "
                "%(ours)s. Sign with your own key."
            )
            # Masked: this text is also kept in the audit trail (no IIN in audit texts).
            % {"theirs": mask_iin(iin) or "—", "ours": mask_iin(signer.iin)}
        )
    bin_ = str(subject.get("bin") or "")
    if bin_required and bin_ != bin_required:
        problems.append(
            _(
                "Sign with your organisation's key (BIN %(bin)s), not a personal one or "
                "another organisation's."
            )
            % {"bin": bin_required}
        )
    tsp = signers[0].get("tsp") or {}
    signed_at = _when(tsp.get("genTime"))
    if signed_at is None:
        problems.append(
            _("The signature has no time stamp (TSP); sign again with NCALayer's time stamp on.")
        )
    elif (not_before and signed_at < not_before) or (not_after and signed_at > not_after):
        problems.append(_("The time stamp falls outside the certificate's validity."))
    if problems:
        return None, problems
    return (
        Checked(
            iin=iin,
            bin=bin_,
            name=str(subject.get("commonName") or signer)[:300],
            serial=str(certificate.get("serialNumber") or "")[:100],
            issuer=str(issuer.get("commonName") or issuer.get("dn") or "")[:500],
            not_after=not_after or signed_at,
            signed_at=signed_at,
        ),
        [],
    )


def _cms_clean(cms: str) -> str:
    """Base64 of a DER structure, within the size limit (ASVS 5.2.1); whitespace allowed."""
    text = "".join((cms or "").split())
    limit = settings.SQF_SIGNATURE_MAX_BYTES
    if not text:
        raise ValidationError(_("There is no signature to check; sign the document first."))
    if len(text) > limit * 4 // 3 + 4:
        raise ValidationError(
            _("The signature is larger than %(kb)s KB; this is not a signature of one document.")
            % {"kb": limit // 1024}
        )
    try:
        der = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(_("The signature is not valid base64 text.")) from None
    if not der.startswith(b"\x30"):
        raise ValidationError(_("This is not a CMS signature (PKCS#7)."))
    return text


def _document_bytes(rendering: Rendering) -> bytes:
    with rendering.file.open("rb") as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != rendering.file_sha256:
        raise ValidationError(_("The stored document does not match its checksum; make it again."))
    return data


def may_sign(user: User, version: Any) -> bool:
    """The state body's staff sign what it hands over (Rules §14), like the move itself."""
    from sbsh.workflow import moves as workflow

    return workflow.may_move(user, version, "send")


def signature_add(*, actor: User, rendering: Rendering, cms: str) -> Signature:
    """Check a signature of a hand-over document and keep it. Refusals change nothing but
    leave an audit row (a failed check is a security event, ASVS 16.3.3)."""
    from exports.services import handover_documents
    from sbsh.document.services import version_scope
    from sbsh.models import Version

    version = rendering.version
    if not may_sign(actor, version):
        raise PermissionError("sign")
    if version.status != Version.Status.APPROVED:
        raise ValidationError(
            _("Documents are signed after the council's approval and before sending (Rules §14).")
        )
    ready, _missing = handover_documents(version)
    if rendering not in ready or rendering.format not in HANDOVER_FORMATS:
        raise ValidationError(
            _("Only the hand-over documents of the approved content are signed (PDF and DOCX).")
        )
    if Signature.objects.filter(rendering=rendering, signer=actor).exists():
        raise ValidationError(_("You have signed this document already."))
    text = _cms_clean(cms)
    client = verifier()
    if client is None:
        raise SignatureServiceError(_("Signature checking is not set up (SQF_NCANODE_URL)."))
    data = _document_bytes(rendering)
    answer = client.cms_verify(text, data)
    state_body = version.framework.state_body
    checked, problems = signature_check(answer, signer=actor, bin_required=state_body.bin)
    scope = version_scope(version)
    if checked is None:
        audit_record(
            actor=actor,
            action="sqf.signature.refused",
            obj=rendering,
            organisation=state_body,
            changes={"problems": problems, "document_sha256": rendering.file_sha256},
            scope=scope,
        )
        raise ValidationError(problems)
    try:
        with transaction.atomic():
            signature = Signature.objects.create(
                rendering=rendering,
                signer=actor,
                cms=text,
                document_sha256=rendering.file_sha256,
                signer_iin=checked.iin,
                signer_bin=checked.bin,
                signer_name=checked.name,
                certificate_serial=checked.serial,
                certificate_issuer=checked.issuer,
                certificate_not_after=checked.not_after,
                signed_at=checked.signed_at,
                verification=_summary(answer),
            )
            audit_record(
                actor=actor,
                action="sqf.signature.add",
                obj=signature,
                organisation=state_body,
                changes={
                    "document": f"{rendering.language} {rendering.format}",
                    "document_sha256": rendering.file_sha256,
                    "serial": checked.serial,
                    "signed_at": checked.signed_at.isoformat(),
                },
                scope=scope,
            )
    except IntegrityError:
        raise ValidationError(_("You have signed this document already.")) from None
    return signature


def _summary(answer: dict[str, Any]) -> dict[str, Any]:
    """NCANode's answer without the certificates' keys and signatures (kept small)."""
    keep = {"valid", "revokedBy", "notBefore", "notAfter", "keyUsage", "keyUser", "serialNumber"}
    signers = []
    for signer in answer.get("signers") or []:
        certificates = [
            {
                **{k: v for k, v in c.items() if k in keep},
                "subject": (c.get("subject") or {}).get("dn", ""),
                "issuer": (c.get("issuer") or {}).get("dn", ""),
            }
            for c in signer.get("certificates") or []
        ]
        signers.append({"certificates": certificates, "tsp": signer.get("tsp")})
    return {"valid": answer.get("valid"), "message": answer.get("message"), "signers": signers}


def unsigned_handover(version: Any, ready: list[Rendering]) -> list[Rendering]:
    """Hand-over documents without a signature by the state body's staff (Rules §14)."""
    signed = set(
        Signature.objects.filter(rendering__in=ready).values_list("rendering_id", flat=True)
    )
    return [r for r in ready if r.format in HANDOVER_FORMATS and r.pk not in signed]
