"""Render the report content as HTML (a standalone page, or the source of the PDF).

The page is semantic so that it can pass an accessibility scan: ``lang`` on
the document and on passages in another language, one ``h1`` and a heading
hierarchy without gaps, tables with captions and ``scope`` on header cells,
figures with captions and a text alternative on every chart (whose data also
follows as a table). Charts are inline SVG on screen and PNG images in print,
where WeasyPrint lays them out more reliably.
"""

from __future__ import annotations

import base64
from functools import lru_cache
from importlib import resources

from babel.dates import format_date
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from valvomo.reports.charts import svg_for_html
from valvomo.reports.messages import t
from valvomo.reports.model import Chart, ReportContent


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("valvomo.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=False,
        lstrip_blocks=False,
    )


@lru_cache(maxsize=1)
def stylesheet() -> str:
    return resources.files("valvomo.reports").joinpath("templates/report.css").read_text(encoding="utf-8")


def render_html(content: ReportContent, mode: str = "html") -> str:
    """The report as an HTML document; ``mode='pdf'`` embeds charts as PNG for WeasyPrint."""
    if mode not in ("html", "pdf"):
        raise ValueError(f"unknown mode {mode!r}")

    def image(chart: Chart) -> Markup:
        if mode == "html":
            return Markup(svg_for_html(chart.image("svg"), chart.alt, chart.id))
        data = base64.b64encode(chart.image("png")).decode("ascii")
        return Markup(f'<img src="data:image/png;base64,{data}" alt="{escape(chart.alt)}">')

    template = _environment().get_template("report.html.j2")
    return template.render(
        c=content,
        css=Markup(stylesheet()),
        mode=mode,
        image=image,
        t=lambda key, **values: t(key, content.lang, **values),
        generated=format_date(content.generated, format="long", locale=content.lang),
    ).lstrip()
