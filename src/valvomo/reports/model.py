"""The report's content model: what the report says, independent of its format.

The self-assessment is assembled once (``content.build_content``) into these
plain objects — sections with headings, paragraphs, tables with header cells,
charts with a text alternative and their data as a table — and the HTML, PDF
and DOCX renderers only lay it out. That is how the three formats carry the
same content.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Cell:
    text: str
    header: bool = False  # a row header (th scope="row")
    numeric: bool = False
    lang: str | None = None  # set when the text is in another language than the report
    css: str | None = None


@dataclass
class Row:
    cells: list[Cell]
    group: bool = False  # a heading row: one cell spanning every column
    level: int = 0  # indentation of hierarchical rows
    total: bool = False


@dataclass
class Table:
    id: str
    caption: str
    columns: list[str]
    rows: list[Row]
    kind: str = ""  # css hook, e.g. "measures"
    note: str | None = None

    def text_rows(self) -> list[list[str]]:
        return [[cell.text for cell in row.cells] for row in self.rows]


@dataclass
class Chart:
    """A figure; rendered lazily to SVG (HTML) or PNG (PDF, DOCX) by ``draw``."""

    id: str
    caption: str
    alt: str
    data: Table
    draw: Callable[[str], bytes]  # format ("svg" or "png") -> image bytes
    width_cm: float = 16.0
    _cache: dict[str, bytes] = field(default_factory=dict, repr=False)

    def image(self, fmt: str) -> bytes:
        if fmt not in self._cache:
            self._cache[fmt] = self.draw(fmt)
        return self._cache[fmt]


@dataclass
class Paragraph:
    text: str
    lang: str | None = None
    css: str | None = None


@dataclass
class BulletList:
    items: list[str]
    lang: str | None = None
    numbered: bool = False  # items carry their own numbers ("4. ..."): no bullets


@dataclass
class Subheading:
    id: str
    text: str
    level: int = 3


@dataclass
class NarrativeEntry:
    period: str
    heading: str | None
    text: str
    lang: str | None = None


@dataclass
class Facts:
    items: list[tuple[str, str]]


Block = Paragraph | BulletList | Subheading | NarrativeEntry | Facts | Table | Chart


@dataclass
class Section:
    id: str
    number: str
    title: str
    level: int
    blocks: list[Block] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return f"{self.number} {self.title}" if self.number else self.title


@dataclass
class ReportContent:
    lang: str
    title: str  # e.g. "Oma-arviointi 11/2021"
    programme_id: str
    programme_name: str
    organisation: str
    period: str
    indicator_period: str
    generated: dt.date
    disclosure_profile: str
    disclosure_label: str
    facts: list[tuple[str, str]]
    sections: list[Section]
    warnings: list[str] = field(default_factory=list)

    def walk(self) -> list[Section]:
        """Every section in reading order (parents before children)."""
        result: list[Section] = []

        def visit(section: Section) -> None:
            result.append(section)
            for child in section.children:
                visit(child)

        for section in self.sections:
            visit(section)
        return result

    def tables(self) -> list[Table]:
        found: list[Table] = []
        for section in self.walk():
            for block in section.blocks:
                if isinstance(block, Table):
                    found.append(block)
                elif isinstance(block, Chart):
                    found.append(block.data)
        return found

    def charts(self) -> list[Chart]:
        return [block for section in self.walk() for block in section.blocks if isinstance(block, Chart)]

    def filename(self, fmt: str) -> str:
        period = self.period.replace("/", "-")
        return f"{self.programme_id}-{period}-{self.lang}.{fmt}"
