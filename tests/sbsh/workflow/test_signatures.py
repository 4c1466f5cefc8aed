"""ЭЦП of the hand-over documents (security programme row 25; Rules §14, Law 370-II Art. 7).

NCANode is played by a real HTTP server on loopback that answers in the shape of NCANode
3.x's DTOs (kz.ncanode.dto.response.CmsVerificationResponse and the classes it holds) and
records what it was asked. These answers are built from those DTOs, not recorded from a
live NCANode (it needs the NCA's KalkanCrypt, which registries do not carry): a staging
run against NCANode with the NCA's test certificates stays due before release."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from councils.models import AuditEvent, iin_bin_validate
from deadlines.demo import seed_calendar
from exports.models import Rendering, Signature
from exports.services import HANDOVER_DOCUMENTS, _key
from sbsh.document.content import version_content
from sbsh.models import Handover, Version
from sbsh.workflow import moves as workflow

pytestmark = pytest.mark.django_db

CMS = base64.b64encode(b"\x30\x82\x01\x00" + b"\x01" * 256).decode()  # a DER-shaped blob


def _with_control(eleven: str) -> str:
    """Append the control digit, or None when the number cannot have one."""
    digits = [int(c) for c in eleven]
    control = sum(d * w for d, w in zip(digits, range(1, 12), strict=True)) % 11
    if control == 10:
        weights = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]
        control = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
    return None if control == 10 else eleven + str(control)


IIN_DRAFTER = _with_control("88091430051")
IIN_OTHER = _with_control("90010130012")
BIN_ENERGY = _with_control("14034001340")


class FakeNCANode:
    """An HTTP server that answers POST /cms/verify with `answer` and records requests."""

    def __init__(self) -> None:
        self.answer: dict = {}
        self.status = 200
        self.requests: list[dict] = []
        node = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                node.requests.append(
                    {"path": self.path, "body": json.loads(self.rfile.read(length))}
                )
                body = json.dumps(node.answer).encode()
                self.send_response(node.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _certificate(**over) -> dict:
    subject = {
        "commonName": "НҰРЛАНҚЫЗЫ АСЕЛЬ",
        "lastName": "НҰРЛАНҚЫЗЫ",
        "iin": IIN_DRAFTER,
        "bin": BIN_ENERGY,
        "organization": "ҚР ЭНЕРГЕТИКА МИНИСТРЛІГІ",
        "country": "KZ",
        "dn": f"CN=НҰРЛАНҚЫЗЫ АСЕЛЬ,SERIALNUMBER=IIN{IIN_DRAFTER},OU=BIN{BIN_ENERGY},C=KZ",
    }
    subject.update(over.pop("subject", {}))
    certificate = {
        "valid": True,
        "revokedBy": [],
        "notBefore": "2026-01-15T04:00:00.000+00:00",
        "notAfter": 1799985600000,  # 2027-01-15T04:00:00Z as epoch milliseconds (Jackson)
        "keyUsage": "SIGN",
        "keyUser": ["ORGANIZATION", "EMPLOYEE"],
        "serialNumber": "5f0c3e9a1b2d",
        "signAlg": "ECGOST3410-2015-512",
        "subject": subject,
        "issuer": {
            "commonName": "ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (GOST) 2022",
            "country": "KZ",
            "dn": "CN=ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (GOST) 2022,C=KZ",
        },
    }
    certificate.update(over)
    return certificate


def _answer(*, certificate: dict | None = None, tsp: object = "default", **over) -> dict:
    ca = _certificate(
        keyUsage="UNKNOWN",
        keyUser=[],
        subject={"commonName": "ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (GOST) 2022", "iin": None, "bin": None},
    )
    signer = {
        "certificates": [certificate or _certificate(), ca],
        "tsp": {
            "serialNumber": "2b9f",
            "genTime": "2026-11-26T05:30:00.000+00:00",
            "policy": "1.2.398.3.3.2.6.1",
            "tsa": "CN=TSA GOST",
            "tspHashAlgorithm": "GOST34311",
            "hash": "9f86d081",
        }
        if tsp == "default"
        else tsp,
    }
    answer = {"status": 200, "message": "OK", "valid": True, "signers": [signer]}
    answer.update(over)
    return answer


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


def _client(personas, who: str):
    """A signed-in client reading the interface in English (the messages are asserted)."""
    client = personas.client_for(getattr(personas, who))
    client.cookies["sqf_language"] = "en"
    return client


@pytest.fixture
def ncanode(settings):
    node = FakeNCANode()
    node.answer = _answer()
    settings.SQF_NCANODE_URL = node.url
    yield node
    node.close()


def handover_ready(personas, version: Version) -> dict[tuple[str, str], Rendering]:
    """Make `version` approved with its four hand-over documents ready (real files), the
    drafter's IIN and the ministry's BIN on record (also used by the browser test)."""
    Version.objects.filter(pk=version.pk).update(status="approved")
    version.refresh_from_db()
    key = _key(version_content(version))
    docs = {}
    for lang, fmt in HANDOVER_DOCUMENTS:
        data = f"%{fmt.upper()} document {lang} of version {version.pk}\n".encode() * 50
        rendering = Rendering(
            version=version,
            language=lang,
            format=fmt,
            content_sha256=key,
            status="ready",
            size=len(data),
            file_sha256=hashlib.sha256(data).hexdigest(),
        )
        rendering.file.save(f"{lang}.{fmt}", ContentFile(data), save=False)
        rendering.save()
        docs[(lang, fmt)] = rendering
    personas.drafter.iin = IIN_DRAFTER
    personas.drafter.save()
    personas.energy.bin = BIN_ENERGY
    personas.energy.save()
    return docs


@pytest.fixture
def approved(personas, sqf, monkeypatch):
    seed_calendar()
    monkeypatch.setattr("sbsh.document.checks.findings", lambda version: [])
    return sqf.version, handover_ready(personas, sqf.version)


def _sign(client, version, rendering, cms=CMS):
    return client.post(f"/sqf/{version.pk}/documents/{rendering.pk}/sign/", {"cms": cms})


def _footprint() -> tuple[int, int]:
    return Signature.objects.count(), AuditEvent.objects.filter(action="sqf.signature.add").count()


def test_the_iin_and_bin_control_digit_is_checked() -> None:
    for number in [IIN_DRAFTER, IIN_OTHER, BIN_ENERGY]:
        iin_bin_validate(number)
        wrong = number[:11] + str((int(number[11]) + 1) % 10)
        with pytest.raises(ValidationError, match="control digit"):
            iin_bin_validate(wrong)
    for bad in ["", "12345", "88091430051x", "8809143005123"]:
        with pytest.raises(ValidationError, match="12 digits"):
            iin_bin_validate(bad)


def test_a_valid_signature_is_kept_with_what_ncanode_proved(personas, approved, ncanode) -> None:
    version, docs = approved
    pdf = docs[("kk", "pdf")]
    client = _client(personas, "drafter")
    response = _sign(client, version, pdf, cms=CMS[:40] + "\n" + CMS[40:])  # line breaks are ok
    assert response.status_code == 201, response.content
    # NCANode was asked about the exact stored bytes, with OCSP.
    [asked] = ncanode.requests
    assert asked["path"] == "/cms/verify"
    assert asked["body"]["cms"] == CMS
    assert base64.b64decode(asked["body"]["data"]) == pdf.file.open("rb").read()
    assert asked["body"]["revocationCheck"] == ["OCSP"]
    [signature] = Signature.objects.all()
    assert (signature.rendering, signature.signer, signature.signer_iin, signature.signer_bin) == (
        pdf,
        personas.drafter,
        IIN_DRAFTER,
        BIN_ENERGY,
    )
    assert signature.document_sha256 == pdf.file_sha256
    assert signature.signed_at.isoformat() == "2026-11-26T05:30:00+00:00"
    assert signature.certificate_not_after.isoformat() == "2027-01-15T04:00:00+00:00"
    assert signature.certificate_serial == "5f0c3e9a1b2d"
    assert "publicKey" not in json.dumps(signature.verification)
    [row] = AuditEvent.objects.filter(action="sqf.signature.add")
    # No IIN in audit texts or object names (issue 15): the signature row keeps it.
    assert row.actor == personas.drafter and "iin" not in row.changes
    assert IIN_DRAFTER not in json.dumps(row.changes) + row.object_repr
    assert row.changes["document_sha256"] == pdf.file_sha256
    # The .cms file is the DER the signer made.
    cms = client.get(f"/sqf/{version.pk}/documents/{pdf.pk}/signatures/{signature.pk}.cms")
    assert cms.status_code == 200 and cms.content == base64.b64decode(CMS)
    assert cms["Content-Type"] == "application/pkcs7-signature"
    assert "attachment" in cms["Content-Disposition"]
    assert IIN_DRAFTER not in cms["Content-Disposition"]
    # Signing the same document twice: refused, nothing more written.
    again = _sign(client, version, pdf)
    assert again.status_code == 400 and "already" in again.json()["errors"][0]
    assert _footprint() == (1, 1)


BAD_ANSWERS = {
    "not this document": (
        _answer(valid=False, message="Signature is not valid"),
        "does not match this document",
    ),
    "authentication key": (_answer(certificate=_certificate(keyUsage="AUTH")), "AUTH"),
    "another person's key": (
        _answer(certificate=_certificate(subject={"iin": IIN_OTHER})),
        f"IIN ••••••••{IIN_OTHER[-4:]}",  # masked: the text goes to the audit trail
    ),
    "expired": (_answer(certificate=_certificate(valid=False)), "not valid"),
    "revoked (OCSP)": (
        _answer(certificate=_certificate(valid=False, revokedBy=["OCSP"])),
        "revoked",
    ),
    "no time stamp": (_answer(tsp=None), "time stamp"),
    "time stamp after expiry": (
        _answer(tsp={"genTime": "2027-03-01T00:00:00.000+00:00"}),
        "outside the certificate",
    ),
    "another organisation's key": (
        _answer(certificate=_certificate(subject={"bin": _with_control("99034001340")})),
        f"BIN {BIN_ENERGY}",
    ),
    "personal key": (_answer(certificate=_certificate(subject={"bin": None})), "organisation"),
    "two signers": (
        _answer(signers=[_answer()["signers"][0], _answer()["signers"][0]]),
        "one key",
    ),
    "NCANode refuses the CMS": (
        {"status": 400, "message": "Invalid CMS", "valid": False, "signers": []},
        "Invalid CMS",
    ),
}


@pytest.mark.parametrize("case", list(BAD_ANSWERS))
def test_a_signature_that_breaks_a_rule_is_refused_and_says_why(
    personas, approved, ncanode, case
) -> None:
    version, docs = approved
    ncanode.answer, words = BAD_ANSWERS[case]
    response = _sign(_client(personas, "drafter"), version, docs[("ru", "docx")])
    assert response.status_code == 400
    assert words in " ".join(response.json()["errors"])
    assert len(ncanode.requests) == 1
    assert _footprint() == (0, 0)
    [refused] = AuditEvent.objects.filter(action="sqf.signature.refused")
    assert refused.actor == personas.drafter and refused.changes["problems"]


def test_a_profile_without_an_iin_cannot_sign(personas, approved, ncanode) -> None:
    version, docs = approved
    personas.drafter.iin = ""
    personas.drafter.save()
    response = _sign(_client(personas, "drafter"), version, docs[("kk", "pdf")])
    assert response.status_code == 400 and "no IIN" in response.json()["errors"][0]
    assert _footprint() == (0, 0)


@pytest.mark.parametrize("who", ["member", "secretary", "officer", "outsider", "expert"])
def test_only_the_state_bodys_staff_sign(personas, approved, ncanode, who) -> None:
    version, docs = approved
    response = _sign(_client(personas, who), version, docs[("kk", "pdf")])
    # Another ministry does not even see the version; the others are refused.
    assert response.status_code in (403, 404)
    assert ncanode.requests == [] and _footprint() == (0, 0)


def test_what_is_refused_before_ncanode_is_asked(personas, approved, ncanode, settings) -> None:
    version, docs = approved
    client = _client(personas, "drafter")
    pdf = docs[("kk", "pdf")]
    cases = {
        "": "no signature",
        "not base64!": "base64",
        base64.b64encode(b"%PDF-1.7 not a cms").decode(): "not a CMS",
        base64.b64encode(b"\x30" * (settings.SQF_SIGNATURE_MAX_BYTES + 10)).decode(): "larger",
    }
    for cms, words in cases.items():
        response = _sign(client, version, pdf, cms=cms)
        assert response.status_code == 400 and words in response.json()["errors"][0], cms[:20]
    # A JSON document, or a document of older content, is not a hand-over document.
    old = Rendering.objects.create(
        version=version, language="kk", format="pdf", content_sha256="0" * 64, status="ready"
    )
    json_doc = Rendering.objects.create(
        version=version, language="kk", format="json", content_sha256=pdf.content_sha256
    )
    for rendering in (old, json_doc):
        response = _sign(client, version, rendering)
        assert response.status_code == 400 and "hand-over documents" in response.json()["errors"][0]
    # Not approved: drafting, or already sent.
    for status in ("drafting", "sent"):
        Version.objects.filter(pk=version.pk).update(status=status)
        response = _sign(client, version, pdf)
        assert response.status_code == 400 and "after the council" in response.json()["errors"][0]
    assert client.get(f"/sqf/{version.pk}/documents/{pdf.pk}/sign/").status_code == 405
    assert ncanode.requests == [] and _footprint() == (0, 0)
    assert not AuditEvent.objects.filter(action="sqf.signature.refused").exists()


def test_when_ncanode_does_not_answer_nothing_is_saved(
    personas, approved, ncanode, settings
) -> None:
    version, docs = approved
    client = _client(personas, "drafter")
    ncanode.status = 502
    response = _sign(client, version, docs[("kk", "pdf")])
    assert response.status_code == 503 and "try again" in response.json()["errors"][0]
    settings.SQF_NCANODE_URL = "http://127.0.0.1:9"  # nothing listens there
    response = _sign(client, version, docs[("kk", "pdf")])
    assert response.status_code == 503
    settings.SQF_NCANODE_URL = ""
    response = _sign(client, version, docs[("kk", "pdf")])
    assert response.status_code == 503
    assert _footprint() == (0, 0)


def test_the_documents_page_offers_signing_to_the_state_body_only(
    personas, approved, ncanode, settings
) -> None:
    version, _docs = approved
    drafter = _client(personas, "drafter").get(f"/sqf/{version.pk}/documents/")
    assert drafter.content.count(b"data-sign ") == 4
    assert b"vendor/ncalayer/ncalayer-client.js" in drafter.content
    csp = drafter["Content-Security-Policy"]
    assert "wss://127.0.0.1:13579" in csp and "<script>" not in drafter.content.decode()
    member = _client(personas, "member").get(f"/sqf/{version.pk}/documents/")
    assert member.status_code == 200 and b"data-sign " not in member.content
    assert "wss://127.0.0.1:13579" not in member["Content-Security-Policy"]
    settings.SQF_NCANODE_URL = ""
    off = _client(personas, "drafter").get(f"/sqf/{version.pk}/documents/")
    assert b"data-sign " not in off.content
    assert "wss://" not in off["Content-Security-Policy"]


def test_when_signatures_are_required_unsigned_documents_are_not_sent(
    personas, approved, ncanode, settings
) -> None:
    import datetime as dt

    version, docs = approved
    settings.SQF_SIGNATURES_REQUIRED = True
    client = _client(personas, "drafter")
    for key in [("kk", "pdf"), ("kk", "docx"), ("ru", "pdf")]:
        assert _sign(client, version, docs[key]).status_code == 201
    with pytest.raises(workflow.WorkflowError, match="RU DOCX"):
        workflow.version_transition(
            actor=personas.drafter, version=version, name="send", today=dt.date(2026, 11, 26)
        )
    assert Version.objects.get(pk=version.pk).status == "approved"
    assert not Handover.objects.exists()
    assert _sign(client, version, docs[("ru", "docx")]).status_code == 201
    workflow.version_transition(
        actor=personas.drafter, version=version, name="send", today=dt.date(2026, 11, 26)
    )
    assert Version.objects.get(pk=version.pk).status == "sent"
    # The national body sees who signed each document, and can take the .cms files.
    inbox = _client(personas, "officer").get("/sqf/inbox/")
    assert inbox.content.decode().count(f"IIN {IIN_DRAFTER}") == 4
    signature = Signature.objects.get(rendering=docs[("ru", "pdf")])
    officer = _client(personas, "officer")
    url = f"/sqf/{version.pk}/documents/{docs[('ru', 'pdf')].pk}/signatures/{signature.pk}.cms"
    assert officer.get(url).content == base64.b64decode(CMS)
    # Another ministry cannot take them.
    assert _client(personas, "outsider").get(url).status_code in (403, 404)
