"""Signing a hand-over document with ЭЦП in a real browser (security programme row 25).

NCALayer runs on the signer's own computer and cannot run here, so a WebSocket server on
its address (wss://127.0.0.1:13579, a throw-away certificate) plays it, speaking the
protocol of its kz.gov.pki.knca.basics module as the vendored ncalayer-js-client expects
it; NCANode is the loopback fake of tests/sbsh/workflow/test_signatures.py. What is proven: the
page hands NCALayer the document's exact bytes, posts the CMS NCALayer returns, and shows
the server's verdict — the signature, or the reason it was refused."""

from __future__ import annotations

import base64
import json
import ssl
import subprocess
import threading
from pathlib import Path

import pytest

from exports.models import Signature
from sbsh.document import services
from tests.conftest import PASSWORD
from tests.sbsh.workflow.test_signatures import (
    IIN_DRAFTER,
    FakeNCANode,
    _answer,
    _certificate,
    handover_ready,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CMS = base64.b64encode(b"\x30\x82\x02\x00" + b"\x05" * 512).decode()


class FakeNCALayer:
    """wss://127.0.0.1:13579 answering like NCALayer: its version on connect, an error for
    the KAZTOKEN probe, and a detached CMS for kz.gov.pki.knca.basics `sign`."""

    def __init__(self, tmp: Path) -> None:
        from websockets.sync.server import serve

        key, cert = tmp / "key.pem", tmp / "cert.pem"
        subprocess.run(
            ["/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
             "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
            check=True,
            capture_output=True,
        )  # fmt: skip
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.requests: list[dict] = []
        self.server = serve(self._handle, "127.0.0.1", 13579, ssl=context)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _handle(self, connection) -> None:
        connection.send(json.dumps({"result": {"version": "1.4"}}))
        for message in connection:
            request = json.loads(message)
            self.requests.append(request)
            if request.get("module") == "kz.gov.pki.knca.basics":
                connection.send(json.dumps({"status": True, "body": {"result": [CMS]}}))
            else:
                connection.send(json.dumps({"code": "500", "message": "module not found"}))

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def signing_browser(browser):
    # Certificate errors ignored only for the fake NCALayer's throw-away certificate (the
    # real NCALayer installs its own into the signer's system).
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-US", ignore_https_errors=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def approved(personas, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    _framework, version = services.framework_create(
        actor=personas.drafter,
        state_body=personas.energy,
        council=personas.energy_council,
        sector_kk="Электр энергетикасы",
        sector_ru="Электроэнергетика",
    )
    docs = handover_ready(personas, version)
    personas.drafter.preferred_language = "en"
    personas.drafter.save()
    return version, docs


def test_the_drafter_signs_a_document_through_ncalayer_and_sees_a_refusal_explained(
    live_server, approved, signing_browser, tmp_path, settings
) -> None:
    version, docs = approved
    ncanode, layer = FakeNCANode(), FakeNCALayer(tmp_path)
    settings.SQF_NCANODE_URL = ncanode.url
    page = signing_browser
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", "drafter")
        page.fill("#id_password", PASSWORD)
        page.click("button.primary")
        page.wait_for_url(f"{live_server.url}/")
        page.goto(f"{live_server.url}/sqf/{version.pk}/documents/")

        # A key of another kind is refused, and the page says why.
        ncanode.answer = _answer(certificate=_certificate(keyUsage="AUTH"))
        page.click('[data-testid="sign-ru-pdf"]')
        status = page.locator('[data-testid="doc-ru-pdf"] [data-sign-status]')
        status.filter(has_text="authentication key").wait_for()
        assert Signature.objects.count() == 0

        # The signing key: accepted, the page shows the signature.
        ncanode.answer = _answer()
        page.click('[data-testid="sign-kk-pdf"]')
        page.locator('[data-testid="signature-kk-pdf"]').wait_for()
        assert "Signed" in page.locator('[data-testid="signature-kk-pdf"]').inner_text()
        page.screenshot(path=str(_artifact("documents-signed-en")), full_page=True)

        rendering = docs[("kk", "pdf")]
        data = rendering.file.open("rb").read()
        [signature] = Signature.objects.all()
        assert (signature.rendering, signature.signer_iin, signature.cms) == (
            rendering,
            IIN_DRAFTER,
            CMS,
        )
        # NCALayer was handed the document's exact bytes, detached, with a time stamp.
        signs = [r for r in layer.requests if r.get("module") == "kz.gov.pki.knca.basics"]
        assert len(signs) == 2
        args = signs[-1]["args"]
        assert base64.b64decode(args["data"]) == data
        assert args["format"] == "cms"
        assert args["signingParams"]["encapsulate"] is False
        assert "tsaProfile" in args["signingParams"]
        assert args["signerParams"]["extKeyUsageOids"] == ["1.3.6.1.5.5.7.3.4"]
        # NCANode was asked about the same bytes and that CMS.
        assert base64.b64decode(ncanode.requests[-1]["body"]["data"]) == data
        assert ncanode.requests[-1]["body"]["cms"] == CMS
        # The signed document no longer offers a button; the others still do.
        assert page.locator('[data-testid="sign-kk-pdf"]').count() == 0
        assert page.locator("[data-sign]").count() == 3
    finally:
        layer.close()
        ncanode.close()


def _artifact(name: str) -> Path:
    from tests.browser.conftest import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"{name}.png"
