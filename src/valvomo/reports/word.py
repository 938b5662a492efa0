"""Render the report as a Word document (python-docx).

Same content as the HTML: a cover page, a table of contents (a Word TOC field
whose cached result is the written list of headings, so it reads correctly
before Word refreshes the page numbers), headings with Word's built-in heading
styles (navigation pane, accessibility checker), tables with repeating header
rows, and charts as PNG pictures with their text alternative set as the
picture's description.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from valvomo.reports.messages import t
from valvomo.reports.model import (
    BulletList,
    Chart,
    Facts,
    NarrativeEntry,
    Paragraph,
    ReportContent,
    Section,
    Subheading,
    Table,
)

ACCENT = RGBColor(0x0B, 0x4F, 0x8A)
_LANG_TAGS = {"fi": "fi-FI", "sv": "sv-FI", "en": "en-GB"}


def _set_language(document, lang: str) -> None:
    tag = _LANG_TAGS.get(lang, "fi-FI")
    styles = document.styles.element
    rpr_default = styles.find(qn("w:docDefaults"))
    if rpr_default is not None:
        rpr = rpr_default.find(qn("w:rPrDefault"))
        if rpr is not None:
            run_props = rpr.find(qn("w:rPr"))
            if run_props is not None:
                lang_el = run_props.find(qn("w:lang"))
                if lang_el is None:
                    lang_el = OxmlElement("w:lang")
                    run_props.append(lang_el)
                lang_el.set(qn("w:val"), tag)
    document.core_properties.language = tag


def _run_lang(run, lang: str | None) -> None:
    if not lang:
        return
    rpr = run._r.get_or_add_rPr()
    element = OxmlElement("w:lang")
    element.set(qn("w:val"), _LANG_TAGS.get(lang, lang))
    rpr.append(element)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    tr_pr.append(element)


def _shade(cell, colour: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)
    tc_pr.append(shading)


def _toc_field(document, entries: list[tuple[int, str]], lang: str) -> None:
    """A TOC field whose cached result lists the headings (Word refreshes page numbers)."""
    first = document.add_paragraph()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = 'TOC \\o "1-2" \\h \\z \\u'
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run = first.add_run()
    run._r.append(begin)
    run = first.add_run()
    run._r.append(instruction)
    run = first.add_run()
    run._r.append(separate)
    paragraph = first
    for index, (level, heading) in enumerate(entries):
        if index:
            paragraph = document.add_paragraph()
        paragraph.paragraph_format.left_indent = Cm(0.8 * (level - 1))
        paragraph.paragraph_format.space_after = Pt(2)
        run = paragraph.add_run(heading)
        if level == 1:
            run.bold = True
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    paragraph.add_run()._r.append(end)
    settings = document.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.append(update)


class _Writer:
    def __init__(self, content: ReportContent):
        self.c = content
        self.doc = Document()
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_height, section.page_width = Cm(29.7), Cm(21.0)
        section.left_margin = section.right_margin = Cm(2.0)
        section.top_margin = section.bottom_margin = Cm(2.0)
        style = self.doc.styles["Normal"]
        style.font.name = "Calibri"
        style.font.size = Pt(10)
        _set_language(self.doc, content.lang)
        props = self.doc.core_properties
        props.title = f"{content.programme_name} – {content.title}"
        props.subject = content.title
        props.author = content.organisation
        props.keywords = f"valvomo; {content.programme_id}; {content.period}; {content.disclosure_profile}"
        props.comments = content.disclosure_label

    def t(self, key: str, **values: object) -> str:
        return t(key, self.c.lang, **values)

    def write(self) -> bytes:
        self.cover()
        self.contents()
        for section in self.c.sections:
            self.section(section)
        self.header_footer()
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()

    def cover(self) -> None:
        doc = self.doc
        for _ in range(6):
            doc.add_paragraph()
        kicker = doc.add_paragraph(self.c.organisation.upper())
        kicker.runs[0].font.color.rgb = RGBColor(0x55, 0x55, 0x55)
        doc.add_paragraph(self.c.programme_name, style="Title")
        subtitle = doc.add_paragraph(self.c.title, style="Subtitle")
        subtitle.alignment = WD_ALIGN_PARAGRAPH.LEFT
        for key, value in self.c.facts:  # the preparation date is one of the facts
            paragraph = doc.add_paragraph()
            paragraph.paragraph_format.space_after = Pt(1)
            paragraph.add_run(f"{key}: ").bold = True
            paragraph.add_run(value)
        note = doc.add_paragraph(self.c.disclosure_label)
        note.runs[0].italic = True
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def contents(self) -> None:
        self.doc.add_heading(self.t("contents"), level=1)
        entries = []
        for section in self.c.sections:
            entries.append((1, section.heading))
            entries += [(2, child.heading) for child in section.children]
        _toc_field(self.doc, entries, self.c.lang)
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def section(self, section: Section) -> None:
        if section.level == 1 and section is not self.c.sections[0]:
            self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        self.doc.add_heading(section.heading, level=section.level)
        for block in section.blocks:
            self.block(block, section.level)
        for child in section.children:
            self.section(child)

    def block(self, block, level: int) -> None:
        doc = self.doc
        if isinstance(block, Paragraph):
            paragraph = doc.add_paragraph()
            run = paragraph.add_run(block.text)
            _run_lang(run, block.lang)
            if block.css in ("muted", "source"):
                run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
            if block.css == "baseline-result":
                run.bold = True
            if block.css == "warning":
                run.font.color.rgb = RGBColor(0xA1, 0x1A, 0x1A)
        elif isinstance(block, BulletList):
            for item in block.items:
                style = "List Paragraph" if block.numbered else "List Bullet"
                _run_lang(doc.add_paragraph(style=style).add_run(item), block.lang)
        elif isinstance(block, Subheading):
            doc.add_heading(block.text, level=min(level + 1, 4))
        elif isinstance(block, NarrativeEntry):
            paragraph = doc.add_paragraph()
            period = paragraph.add_run(block.period)
            period.bold = True
            period.font.color.rgb = ACCENT
            if block.heading:
                heading = paragraph.add_run(f" {block.heading}")
                heading.bold = True
                _run_lang(heading, block.lang)
            _run_lang(paragraph.add_run(f": {block.text}"), block.lang)
        elif isinstance(block, Facts):
            for key, value in block.items:
                paragraph = doc.add_paragraph()
                paragraph.paragraph_format.space_after = Pt(1)
                paragraph.add_run(f"{key}: ").bold = True
                paragraph.add_run(value)
        elif isinstance(block, Table):
            self.table(block)
        elif isinstance(block, Chart):
            self.chart(block)

    def table(self, table: Table) -> None:
        doc = self.doc
        caption = doc.add_paragraph(table.caption, style="Caption")
        caption.paragraph_format.keep_with_next = True
        columns = len(table.columns)
        grid = doc.add_table(rows=1, cols=columns)
        grid.style = "Table Grid"
        grid.alignment = WD_TABLE_ALIGNMENT.LEFT
        header = grid.rows[0]
        _repeat_header(header)
        for cell, text in zip(header.cells, table.columns, strict=True):
            cell.text = ""
            run = cell.paragraphs[0].add_run(text)
            run.bold = True
            run.font.size = Pt(8.5)
            run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
            _shade(cell, "0B4F8A")
        for row in table.rows:
            cells = grid.add_row().cells
            if row.group:
                merged = cells[0].merge(cells[-1]) if columns > 1 else cells[0]
                merged.text = ""
                run = merged.paragraphs[0].add_run(row.cells[0].text)
                run.bold = True
                run.italic = row.level > 0
                run.font.size = Pt(8.5)
                _run_lang(run, row.cells[0].lang)
                _shade(merged, "EEF3F8")
                continue
            for cell, data in zip(cells, row.cells, strict=False):
                cell.text = ""
                paragraph = cell.paragraphs[0]
                if data.numeric:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if table.kind != "measures" else WD_ALIGN_PARAGRAPH.CENTER
                if data.header and row.level:
                    paragraph.paragraph_format.left_indent = Cm(0.3 * row.level)
                run = paragraph.add_run(data.text)
                run.font.size = Pt(8.5)
                run.bold = row.total
                if data.css == "stalled":
                    run.italic = True
                _run_lang(run, data.lang)
        doc.add_paragraph()

    def chart(self, chart: Chart) -> None:
        doc = self.doc
        doc.add_picture(io.BytesIO(chart.image("png")), width=Cm(min(chart.width_cm, 16.5)))
        inline = doc.inline_shapes[-1]._inline
        doc_pr = inline.docPr
        doc_pr.set("descr", chart.alt)
        doc_pr.set("title", chart.caption)
        caption = doc.add_paragraph(chart.caption, style="Caption")
        caption.paragraph_format.keep_with_next = True
        self.table(chart.data)

    def header_footer(self) -> None:
        section = self.doc.sections[0]
        section.different_first_page_header_footer = True
        header = section.header.paragraphs[0]
        header.text = f"{self.c.programme_name} — {self.c.title}"
        header.runs[0].font.size = Pt(8)
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        run = footer.add_run()
        begin = OxmlElement("w:fldChar")
        begin.set(qn("w:fldCharType"), "begin")
        instruction = OxmlElement("w:instrText")
        instruction.set(qn("xml:space"), "preserve")
        instruction.text = "PAGE"
        end = OxmlElement("w:fldChar")
        end.set(qn("w:fldCharType"), "end")
        run._r.append(begin)
        run._r.append(instruction)
        run._r.append(end)
        run.font.size = Pt(8)


def render_docx(content: ReportContent) -> bytes:
    return _Writer(content).write()
