"""Read the dashboard's HTML tables back (helpers for the page, download and disclosure tests)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_SPACE = re.compile(r"[ \t\r\n]+")  # not the no-break space, which is part of "1 234,5 %"


def _squash(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[dict] = []
        self._stack: list[dict] = []
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None
        self._row: list[str] | None = None
        self._svg_depth = 0
        self._spans: list[bool] = []  # per open <span>: aria-hidden?

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "svg":
            self._svg_depth += 1
        if tag == "span":
            self._spans.append("aria-hidden" in attributes)
        if tag == "table":
            self._stack.append({"id": attributes.get("id"), "caption": "", "rows": []})
        elif tag == "caption" and self._stack:
            self._caption = []
        elif tag == "tr" and self._stack:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "svg":
            self._svg_depth -= 1
        if tag == "span" and self._spans:
            self._spans.pop()
        if tag == "table" and self._stack:
            self.tables.append(self._stack.pop())
        elif tag == "caption" and self._caption is not None:
            self._stack[-1]["caption"] = _squash("".join(self._caption))
            self._caption = None
        elif tag == "tr" and self._row is not None:
            self._stack[-1]["rows"].append(self._row)
            self._row = None
        elif tag in ("td", "th") and self._cell is not None:
            self._row.append(_squash("".join(self._cell)))
            self._cell = None

    def handle_data(self, data):
        if self._svg_depth or any(self._spans):
            return
        if self._cell is not None:
            self._cell.append(data)
        elif self._caption is not None:
            self._caption.append(data)


def html_tables(html: str) -> list[dict]:
    """Every <table> as {"id", "caption", "rows": [[cell text, ...], ...]} (header row first)."""
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def table_by_id(html: str, prefix: str) -> dict:
    found = [t for t in html_tables(html) if (t["id"] or "").startswith(prefix)]
    assert found, f"no table with id {prefix}… on the page"
    return found[0]
