"""The three formats of the report: semantic HTML, a paged PDF, a Word document — with the same content."""

from __future__ import annotations

import io
import re
import subprocess
from html.parser import HTMLParser

import docx
import pytest

from valvomo.reports import MEDIA_TYPES

PROGRAMMES = ("helsinki-tsk", "keski-suomi-tsk", "rrp-lansi-uusimaa")


class _Semantics(HTMLParser):
    """Collects what an accessibility scan looks at."""

    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.headings: list[tuple[int, str]] = []
        self.tables = 0
        self.captions = 0
        self.th_scopes: list[str | None] = []
        self.svgs: list[dict] = []
        self.imgs: list[dict] = []
        self.figures = 0
        self.figcaptions = 0
        self._heading: int | None = None
        self._text: list[str] = []
        self._last_start: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self._heading, self._text = int(tag[1]), []
        if tag == "caption" and self._last_start == "table":
            self.captions += 1
        self.tables += tag == "table"
        self.figures += tag == "figure"
        self.figcaptions += tag == "figcaption"
        if tag == "th":
            self.th_scopes.append(attributes.get("scope"))
        if tag == "svg":
            self.svgs.append(attributes)
        if tag == "img":
            self.imgs.append(attributes)
        self._last_start = tag

    def handle_endtag(self, tag):
        if self._heading is not None and tag == f"h{self._heading}":
            self.headings.append((self._heading, " ".join("".join(self._text).split())))
            self._heading = None

    def handle_data(self, data):
        if self._heading is not None:
            self._text.append(data)


def _semantics(html: str) -> _Semantics:
    parser = _Semantics()
    parser.feed(html)
    return parser


@pytest.mark.parametrize(("programme_id", "lang"), [(p, "fi") for p in PROGRAMMES] + [("helsinki-tsk", "sv"), ("helsinki-tsk", "en")])
def test_html_is_semantic(report_content, rendered, programme_id, lang):
    content = report_content(programme_id, lang)
    html = rendered(content, "html").decode("utf-8")
    page = _semantics(html)
    assert page.lang == lang
    levels = [level for level, _ in page.headings]
    assert levels.count(1) == 1 and levels[0] == 1
    for previous, current in zip(levels, levels[1:], strict=False):
        assert current <= previous + 1, f"heading level jumps from h{previous} to h{current}"
    assert page.tables == page.captions > 5
    assert page.th_scopes and all(scope in ("col", "row", "rowgroup") for scope in page.th_scopes)
    assert page.svgs and all(svg.get("role") == "img" and len(svg.get("aria-label", "")) > 40 for svg in page.svgs)
    assert page.figures == page.figcaptions == len(page.svgs) == len(content.charts())
    assert content.disclosure_label in html
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "element ids are unique (inline SVGs included)"
    assert set(re.findall(r'href="#([^"]+)"', html)) <= set(ids), "every in-page link has a target"
    if lang != "fi":
        assert ' lang="fi"' in html  # Finnish narratives inside a Swedish or English page are marked


def _pdf_pages_and_text(pdf: bytes, tmp_path) -> tuple[int, int, str]:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, flags=re.M).group(1))
    subprocess.run(["pdftoppm", "-r", "10", "-png", str(path), str(tmp_path / "page")], check=True)
    images = len(list(tmp_path.glob("page-*.png")))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return pages, images, text


@pytest.mark.parametrize("programme_id", PROGRAMMES)
def test_pdf_has_pages_contents_and_headings(report_content, rendered, programme_id, tmp_path):
    content = report_content(programme_id)
    pdf = rendered(content, "pdf")
    assert pdf.startswith(b"%PDF")
    pages, images, text = _pdf_pages_and_text(pdf, tmp_path)
    assert images == pages >= 12
    flat = " ".join(text.split())
    assert content.title in flat and content.programme_name.split(" ")[0] in flat
    assert re.search(r"Yhteenveto \.{5,} \d+", text), "the table of contents carries page numbers"
    for section in content.walk():
        if section.level == 1:
            assert section.heading in flat, section.heading
    assert "Tietosuojakäsittely: vakio" in flat


@pytest.mark.slow
def test_pdf_in_swedish(report_content, rendered, tmp_path):
    content = report_content("helsinki-tsk", "sv")
    pages, images, text = _pdf_pages_and_text(rendered(content, "pdf"), tmp_path)
    assert images == pages >= 12
    assert "Självvärdering 11/2021" in text and "Innehåll" in text and "Röjandekontroll" in text


def _docx(rendered, content):
    return docx.Document(io.BytesIO(rendered(content, "docx")))


def _measures_table(document, first_header: str):
    for table in document.tables:
        if table.rows[0].cells[0].text == first_header:
            yield table


def _cells_of(document, first_header: str, measure: str) -> list[str]:
    for table in _measures_table(document, first_header):
        for row in table.rows:
            if row.cells[0].text == measure:
                return [cell.text.replace("\u00a0", " ") for cell in row.cells]
    raise AssertionError(f"no row {measure!r}")


@pytest.mark.parametrize(
    ("programme_id", "measure", "expected"),
    [
        ("helsinki-tsk", "Omaolo", ["THK/Tepa", "50 %", "75 %", "–", "–"]),
        ("helsinki-tsk", "1-2 terveysaseman palvelutuotannon lisäpalvelujen hankinta", ["THK/Tepa", "75 %", "100 %", "–", "–"]),
        ("helsinki-tsk", "Triage", ["THK/Tepa", "0 %", "0 %", "–", "–"]),
        ("keski-suomi-tsk", "Sisote-ammattilaisia koulutetaan IPC-menetelmän käyttöön", ["", "2", "3", "3", "3", "5", "5", "5"]),
        ("keski-suomi-tsk", "Käynnistetään maakunnallisen perheoikeudellisten palveluiden yksikkö", ["", "2", "3", "3", "5", "5", "5", "5"]),
        ("rrp-lansi-uusimaa", "Hyvinvointialueen kirjaamiskäytäntöjen kehittäminen", ["", "–", "–", "–", "–", "–"]),
    ],
)
def test_docx_contains_the_measures_table_with_the_right_values(report_content, rendered, programme_id, measure, expected):
    document = _docx(rendered, report_content(programme_id))
    cells = _cells_of(document, "Kehittämisen kärki / alahanke tai toimenpide", measure)
    assert cells[1 : 1 + len(expected)] == expected


@pytest.mark.parametrize("programme_id", PROGRAMMES)
def test_docx_has_cover_contents_headings_and_described_pictures(report_content, rendered, programme_id):
    content = report_content(programme_id)
    document = _docx(rendered, content)
    paragraphs = document.paragraphs
    assert any(p.style.name == "Title" and p.text == content.programme_name for p in paragraphs)
    assert any(p.style.name == "Subtitle" and p.text == content.title for p in paragraphs)
    headings = [p.text for p in paragraphs if p.style.name.startswith("Heading")]
    assert headings[0] == "Sisällys"
    expected = [section.heading for section in content.walk()]
    assert [h for h in headings if h in expected] == expected
    body = document.element.body.xml
    assert 'TOC \\o "1-2"' in body
    assert document.core_properties.language == "fi-FI"
    assert content.disclosure_label in document.core_properties.comments
    shapes = document.inline_shapes
    assert len(shapes) == len(content.charts())
    for shape in shapes:
        assert len(shape._inline.docPr.get("descr", "")) > 40
    for table in document.tables:
        assert table.rows[0]._tr.trPr is not None  # header row repeats on every page


def test_english_docx(report_content, rendered):
    content = report_content("helsinki-tsk", "en")
    document = _docx(rendered, content)
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:2] == ["Contents", "Summary"]
    assert document.core_properties.language == "en-GB"
    cells = _cells_of(document, "Spearhead / sub-project or measure", "Omaolo")
    assert cells[2:4] == ["50%", "75%"]


def test_same_headings_in_all_formats(report_content, rendered, tmp_path):
    content = report_content("keski-suomi-tsk")
    html_headings = [text for level, text in _semantics(rendered(content, "html").decode()).headings if level in (2, 3)]
    docx_headings = [p.text for p in _docx(rendered, content).paragraphs if p.style.name in ("Heading 1", "Heading 2")]
    pdf_text = " ".join(_pdf_pages_and_text(rendered(content, "pdf"), tmp_path)[2].split())
    assert all(heading in pdf_text for heading in docx_headings)
    assert html_headings == docx_headings
    assert MEDIA_TYPES["docx"].endswith("wordprocessingml.document")
