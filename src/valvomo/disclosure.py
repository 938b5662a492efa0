"""Disclosure control: the one place where aggregates are made safe to show (disclosure.md).

Everything here is a pure function of the numbers it is given, so the same
underlying numbers always give the same output whatever else is on the page or
in the request; differencing two views then reveals nothing new. Rounding and
redaction are per cell; complementary suppression looks only at the cells of
one table (for an indicator distribution: the bins of one period and group)
and, for a breakdown served beside its county total, at the lines of that
breakdown (``protect_breakdown``).

Profiles:
- ``standard``: counts 0 stay 0, 1-7 are redacted, every other count is rounded
  to the nearest multiple of 5 (counts are integers, so there is never a tie;
  a non-integer count is rounded half up). Shares and rates are recomputed from
  the rounded counts; statistics over 1-7 people are redacted.
- ``threshold5``: counts 1-4 are redacted, nothing is rounded.
- ``none``: nothing changes (authorised analysts only).

How each registry entry is treated follows its ``disclosure`` kind (see
``valvomo.indicators.registry.DisclosureKind``); ``docs/disclosure.md`` gives the
rules with worked examples.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from babel.numbers import format_decimal

from valvomo.indicators.registry import REGISTRY, Indicator, Registry

ProfileName = Literal["standard", "threshold5", "none"]
PROFILES: tuple[ProfileName, ...] = ("standard", "threshold5", "none")
COUNT_COLUMNS = ("numerator", "denominator", "n")


@dataclass(frozen=True)
class Policy:
    """The numbers behind a profile: counts 1..``redact_max`` are redacted; others are
    rounded to the nearest multiple of ``rounding_base`` (1 = not rounded)."""

    name: ProfileName
    redact_max: int
    rounding_base: int

    @property
    def active(self) -> bool:
        return self.redact_max > 0 or self.rounding_base > 1


POLICIES: dict[str, Policy] = {
    "standard": Policy("standard", redact_max=7, rounding_base=5),
    "threshold5": Policy("threshold5", redact_max=4, rounding_base=1),
    "none": Policy("none", redact_max=0, rounding_base=1),
}


def policy(profile: str | Policy) -> Policy:
    """The ``Policy`` of a profile name; unknown names are an error, never "no control"."""
    if isinstance(profile, Policy):
        return profile
    try:
        return POLICIES[profile]
    except KeyError:
        raise ValueError(
            f"unknown disclosure profile {profile!r}; expected one of {', '.join(PROFILES)}"
        ) from None


# --- single counts ---------------------------------------------------------------------------------


def is_redacted(count: float | None, profile: str | Policy) -> bool:
    """True for a count of 1..redact_max people or events (0 and missing are never redacted)."""
    rules = policy(profile)
    return count is not None and 0 < count <= rules.redact_max


def round_count(count: float, profile: str | Policy) -> float:
    """``count`` rounded to the nearest multiple of the profile's base, half up (12 -> 10, 13 -> 15).

    Integers stay integers. Used for every shown count and for totals, whether or
    not the count is then redacted.
    """
    base = policy(profile).rounding_base
    if base <= 1:
        return count
    rounded = math.floor(count / base + 0.5) * base
    return int(rounded) if float(count).is_integer() else float(rounded)


def protect_count(count: float | None, profile: str | Policy) -> float | None:
    """A count as it may be shown: ``None`` when redacted, otherwise rounded."""
    if count is None:
        return None
    if is_redacted(count, profile):
        return None
    return round_count(count, profile)


# --- tables with totals ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProtectedTable:
    """A two-way table after disclosure control. ``None`` marks a redacted cell or total.

    Totals are sums of the *rounded* cells (redacted cells included with their
    rounded value), so a total minus the shown cells only ever gives rounded
    numbers; ``hidden`` lists every redacted cell, primary or complementary.
    """

    cells: dict[tuple[Hashable, Hashable], float | None]
    row_totals: dict[Hashable, float | None]
    column_totals: dict[Hashable, float | None]
    grand_total: float | None
    hidden: frozenset[tuple[Hashable, Hashable]]


def _smallest_shown(keys: Sequence, counts: Mapping, hidden: set) -> Hashable | None:
    """The complementary candidate: the smallest positive shown count, first in order on ties."""
    candidates = [(counts[k], i, k) for i, k in enumerate(keys) if k not in hidden and counts[k] > 0]
    return min(candidates)[2] if candidates else None


def protect_table(
    cells: Mapping[tuple[Hashable, Hashable], float],
    profile: str | Policy,
    *,
    row_totals: bool = True,
    column_totals: bool = True,
) -> ProtectedTable:
    """Round and redact the cells of a (row, column) table and suppress complementary cells.

    Rules, applied until nothing changes (so the result depends only on this table):

    1. A cell of 1..redact_max is redacted (primary suppression).
    2. A row, column or grand total is the sum of the rounded cells; it is
       redacted when the true sum is 1..redact_max.
    3. A row (column) whose total is shown and which has exactly one redacted
       cell gets its smallest positive shown cell redacted too; when it has no
       other positive cell, its total is redacted instead.
    4. A hidden total whose line has no redacted positive cell gets the line's
       smallest positive cell redacted, so the total cannot be added up again.
    5. The row totals (column totals) form a line whose total is the grand
       total: when exactly one of them is redacted and the grand total is shown,
       the smallest positive shown one is redacted too (then rule 4 applies).

    This is the single-subtraction rule of disclosure.md applied to every line
    of the table, not a full linear-programming audit (such as tau-Argus).
    Missing (row, column) pairs are zero cells. Ties go to the first key in the
    order the cells were given.
    """
    rules = policy(profile)
    counts = {key: value for key, value in cells.items()}
    rows = list(dict.fromkeys(r for r, _ in counts))
    columns = list(dict.fromkeys(c for _, c in counts))
    if not rules.active:
        rsum = {r: sum(v for (rr, _), v in counts.items() if rr == r) for r in rows}
        csum = {c: sum(v for (_, cc), v in counts.items() if cc == c) for c in columns}
        return ProtectedTable(
            cells=dict(counts),
            row_totals=rsum if row_totals else {},
            column_totals=csum if column_totals else {},
            grand_total=sum(counts.values()) if row_totals or column_totals else None,
            hidden=frozenset(),
        )

    row_keys = {r: [k for k in counts if k[0] == r] for r in rows}
    column_keys = {c: [k for k in counts if k[1] == c] for c in columns}
    true_row = {r: sum(counts[k] for k in keys) for r, keys in row_keys.items()}
    true_column = {c: sum(counts[k] for k in keys) for c, keys in column_keys.items()}
    true_grand = sum(counts.values())

    hidden: set = {k for k, v in counts.items() if is_redacted(v, rules)}
    hidden_rows: set = {r for r, v in true_row.items() if is_redacted(v, rules)} if row_totals else set()
    hidden_columns: set = (
        {c for c, v in true_column.items() if is_redacted(v, rules)} if column_totals else set()
    )
    grand_hidden = is_redacted(true_grand, rules)

    def settle_lines(lines: Mapping, shown: bool, hidden_totals: set) -> bool:
        changed = False
        for line, keys in lines.items():
            line_hidden = [k for k in keys if k in hidden and counts[k] > 0]
            total_hidden = line in hidden_totals
            needs_more = (shown and not total_hidden and len(line_hidden) == 1) or (
                total_hidden and not line_hidden
            )
            if needs_more:
                pick = _smallest_shown(keys, counts, hidden)
                if pick is not None:
                    hidden.add(pick)
                    changed = True
                elif not total_hidden:
                    hidden_totals.add(line)  # nothing left to hide beside it: the total would reveal it
                    changed = True
        return changed

    def settle_margin(true_totals: Mapping, hidden_totals: set, shown: bool) -> bool:
        if not shown or grand_hidden:
            return False
        if len([t for t in hidden_totals if true_totals[t] > 0]) != 1:
            return False
        pick = _smallest_shown(list(true_totals), true_totals, hidden_totals)
        if pick is None:
            return False
        hidden_totals.add(pick)
        return True

    changed = True
    while changed:
        changed = settle_lines(row_keys, row_totals, hidden_rows)
        changed = settle_lines(column_keys, column_totals, hidden_columns) or changed
        changed = settle_margin(true_row, hidden_rows, row_totals) or changed
        changed = settle_margin(true_column, hidden_columns, column_totals) or changed

    rounded = {k: round_count(v, rules) for k, v in counts.items()}

    def total(keys: Iterable) -> float:
        return sum(rounded[k] for k in keys)

    shown_any_total = row_totals or column_totals
    return ProtectedTable(
        cells={k: (None if k in hidden else rounded[k]) for k in counts},
        row_totals={r: (None if r in hidden_rows else total(keys)) for r, keys in row_keys.items()}
        if row_totals
        else {},
        column_totals={c: (None if c in hidden_columns else total(keys)) for c, keys in column_keys.items()}
        if column_totals
        else {},
        grand_total=None if grand_hidden or not shown_any_total else total(counts),
        hidden=frozenset(hidden),
    )


@dataclass(frozen=True)
class ProtectedLine:
    """One line of cells (e.g. the bins of a distribution) with its total."""

    cells: tuple[float | None, ...]
    total: float | None


def protect_line(counts: Sequence[float], profile: str | Policy) -> ProtectedLine:
    """Cells of one line with a shown total (a distribution's bins and the group size)."""
    table = protect_table({(0, i): c for i, c in enumerate(counts)}, profile, column_totals=False)
    return ProtectedLine(
        cells=tuple(table.cells[(0, i)] for i in range(len(counts))),
        total=table.row_totals.get(0) if counts else 0,
    )


# --- indicator rows (the output contract) ----------------------------------------------------------

_PAYLOAD = frozenset({"bin", "value", "numerator", "denominator", "n", "unit", "suppressed"})


def _group_key(row: Mapping) -> tuple:
    return tuple((k, row[k]) for k in row if k not in _PAYLOAD)


def _ratio(numerator: float | None, denominator: float | None, scale: float = 1.0) -> float | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return float(numerator) * scale / float(denominator)


def _protect_share(row: dict, rules: Policy) -> dict:
    if "numerator" not in row and "denominator" not in row:
        return _protect_statistic(row, rules)
    num, den = row.get("numerator"), row.get("denominator")
    den_hidden = is_redacted(den, rules)
    num_hidden = den_hidden or is_redacted(num, rules)
    n_hidden = is_redacted(row.get("n"), rules)
    if "numerator" in row:
        row["numerator"] = None if num_hidden else protect_count(num, rules)
    if "denominator" in row:
        row["denominator"] = None if den_hidden else protect_count(den, rules)
    if "n" in row:
        row["n"] = None if n_hidden or num_hidden else protect_count(row["n"], rules)
    if num_hidden or n_hidden:
        row["value"], row["suppressed"] = None, True
    elif row.get("value") is not None and "numerator" in row and "denominator" in row:
        row["value"] = _ratio(row["numerator"], row["denominator"])
    return row


def _protect_rate(row: dict, rules: Policy, scale: float) -> dict:
    """Numerator counts people or events; the denominator is residents (public statistics):
    not rounded, but a population of 1..redact_max people hides the whole row."""
    num, den = row.get("numerator"), row.get("denominator")
    if is_redacted(num, rules) or is_redacted(den, rules):
        row["value"], row["suppressed"] = None, True
        if "numerator" in row:
            row["numerator"] = None
        if is_redacted(den, rules) and "denominator" in row:
            row["denominator"] = None
        return row
    if "numerator" in row:
        row["numerator"] = protect_count(num, rules)
        if row.get("value") is not None:
            row["value"] = _ratio(row["numerator"], den, scale)
    return row


def _protect_statistic(row: dict, rules: Policy) -> dict:
    """A mean/median/index over ``n`` people (``denominator`` when there is no ``n``).

    The value itself is not changed; the counts beside it are rounded like any count."""
    size_column = "n" if "n" in row else "denominator" if "denominator" in row else None
    if size_column is None:
        return row
    if is_redacted(row[size_column], rules):
        row["value"], row["suppressed"] = None, True
        for column in COUNT_COLUMNS:
            if column in row:
                row[column] = None
        return row
    for column in COUNT_COLUMNS:
        if column in row and row[column] is not None:
            row[column] = round_count(row[column], rules)
    return row


def _protect_count_value(row: dict, rules: Policy) -> dict:
    hidden = is_redacted(row.get("value"), rules) or any(
        is_redacted(row.get(c), rules) for c in COUNT_COLUMNS
    )
    if hidden:
        row["value"], row["suppressed"] = None, True
        for column in COUNT_COLUMNS:
            if column in row:
                row[column] = None
        return row
    if row.get("value") is not None:
        row["value"] = float(round_count(row["value"], rules))
    for column in COUNT_COLUMNS:
        if column in row and row[column] is not None:
            row[column] = protect_count(row[column], rules)
    return row


def _protect_distribution(rows: list[dict], indicator: Indicator, rules: Policy) -> None:
    """Bins of one group are the cells of a line; its total (the denominator) is shown.

    The bins are taken in the indicator's bin order (``bins_labels``), not the order given, so ties
    for the complementary bin go the same way whatever the order of the rows."""
    labels = list(indicator.parameters.get("bins_labels", ()))
    rows = sorted(rows, key=lambda r: (labels.index(r.get("bin")) if r.get("bin") in labels else len(labels),
                                       str(r.get("bin"))))  # fmt: skip
    cell_column = "numerator" if "numerator" in rows[0] else "n" if "n" in rows[0] else "value"
    counts = [row.get(cell_column) or 0 for row in rows]
    line = protect_line(counts, rules)
    for row, cell in zip(rows, line.cells, strict=True):
        suppressed = cell is None or line.total is None
        shown = None if suppressed else cell
        for column in ("numerator", "n"):
            if column in row:
                row[column] = shown
        if "denominator" in row:
            row["denominator"] = line.total
        if suppressed:
            row["value"], row["suppressed"] = None, True
        elif indicator.disclosure == "count" or cell_column == "value":
            row["value"] = float(shown)
        elif row.get("value") is not None:
            row["value"] = _ratio(shown, line.total)


def protect_rows(
    rows: Iterable[Mapping],
    profile: str | Policy,
    *,
    registry: Registry = REGISTRY,
) -> list[dict]:
    """Disclosure-controlled copies of result rows (indicators.md, output contract).

    Each row is treated by its indicator's ``disclosure`` kind: ``share`` (round
    numerator and denominator, recompute the value), ``rate`` (round the
    numerator, recompute against the residents), ``statistic`` (redact when
    ``n`` is small, round ``n``), ``count`` (the value is a count), ``capacity``
    (untouched). Distribution rows (``bin``) of one indicator, period and group
    are protected together with complementary suppression when the bins split
    the group (their counts add up to the denominator); bins that are each a
    share of the whole (completeness per field) are protected as single shares. Row order is kept;
    the input is not modified.
    """
    rules = policy(profile)
    out = [dict(row) for row in rows]
    if not rules.active:
        return out
    groups: dict[tuple, list[dict]] = {}
    for row in out:
        indicator = registry.get(row["indicator"])
        if indicator.disclosure == "capacity":
            continue
        if "bin" in row and indicator.disclosure in ("share", "count"):
            groups.setdefault(_group_key(row), []).append(row)
        elif indicator.disclosure in ("share",):
            _protect_share(row, rules)
        elif indicator.disclosure == "rate":
            scale = float(indicator.parameters.get("scale", 1000 if indicator.unit == "rate_per_1000" else 1))
            _protect_rate(row, rules, scale)
        elif indicator.disclosure == "statistic":
            _protect_statistic(row, rules)
        elif indicator.disclosure == "count":
            _protect_count_value(row, rules)
    for group_rows in groups.values():
        indicator = registry.get(group_rows[0]["indicator"])
        if indicator.disclosure == "share" and not _is_partition(group_rows):
            for row in group_rows:
                _protect_share(row, rules)
        else:
            _protect_distribution(group_rows, indicator, rules)
    return out


DIMENSION_KEYS = ("station_id", "profession", "municipality", "age_band", "language", "contact_class")
_SHARED = "\x00group"  # the bin key of a distribution group's own size (one cell for all its bins)


_ORDER_KEYS = ("indicator", "period", *DIMENSION_KEYS, "bin")


def _breakdown_columns(row: Mapping, indicator: Indicator) -> list[str]:
    """The count columns of a row that add up across a breakdown (the value too for a ``count``)."""
    columns = [column for column in COUNT_COLUMNS if column in row]
    if indicator.disclosure == "count" and "value" in row:
        columns.append("value")
    return columns


def protect_breakdown(
    rows: Iterable[Mapping],
    profile: str | Policy,
    *,
    registry: Registry = REGISTRY,
) -> list[dict]:
    """Complementary suppression across the groups of a breakdown (disclosure.md).

    The undivided figure (the county, or the other dimension's total) is served
    by another query, so where exactly one cell of a breakdown line is redacted
    a reader could recover it as that total minus the shown cells. A *cell* is
    one count column of one row: the numerator, the denominator (of shares and
    of rates alike), ``n`` (the size behind a statistic) or, for a ``count``,
    the value. A *line* is the cells of one indicator, period, column and bin
    that differ in one dimension only (every dimension is checked); the bins of
    a distribution group (waiting-time bins, channel mix) form a line too,
    whose total is the group's denominator. Rules, applied until nothing changes:

    1. A line with exactly one hidden cell gets a positive shown cell hidden
       too: one of a row whose value is already hidden if there is one (no
       further loss), else the smallest: the row with the smallest denominator
       (else ``n``) for whole rows, as before, so that the numerator and the
       denominator lines pick the same row; the smallest cell for bins and
       counts. Ties go to the smaller dimension value, then position.
    2. A bin line whose total (denominator) is hidden but none of whose bins is
       gets its smallest positive bin hidden, so the bins cannot be added up to it.

    Hiding a cell hides the row's value (a share or rate of a hidden count
    would give it back) and marks the row ``suppressed``; the other cells of the
    row stay as shown. Rows must already be protected with ``protect_rows``;
    capacity figures are left alone. The decision uses only the protected
    numbers of the rows given, so the same rows always give the same output
    whatever else is requested, and applying it twice changes nothing.
    Totals are assumed shown (a total of 1..redact_max is itself redacted
    elsewhere, so this over-suppresses at worst).
    """
    out = [dict(row) for row in rows]
    if not policy(profile).active:
        return out
    entries = []
    # A canonical order (not the order given), so that the same numbers give the same cells hidden
    # whatever the page, filter or sort of the request.
    canonical = sorted(range(len(out)), key=lambda i: tuple(str(out[i].get(k)) for k in _ORDER_KEYS))
    for index in canonical:
        row = out[index]
        indicator = registry.get(row["indicator"])
        if indicator.disclosure == "capacity":
            continue
        grouped_bins = "bin" in row and indicator.disclosure in ("share", "count")
        entries.append((index, row, indicator, grouped_bins))
    dimensions = [key for key in DIMENSION_KEYS if any(key in row for _, row, _, _ in entries)]

    # cell id -> indices of the rows holding it; a distribution group's denominator is one shared cell.
    cells: dict[tuple, list[int]] = {}
    partitioned: set[tuple] = set()
    for index, row, indicator, grouped_bins in entries:
        for column in _breakdown_columns(row, indicator):
            shared = grouped_bins and column == "denominator"
            bin_key = _SHARED if shared else row.get("bin")
            key = (row["indicator"], row["period"], column, bin_key, *(row.get(d) for d in dimensions))
            cells.setdefault(key, []).append(index)
            if grouped_bins and not shared:
                partitioned.add(key)

    def shown(key: tuple) -> float | None:
        return out[cells[key][0]].get(key[2])

    def hidden(key: tuple) -> bool:
        row = out[cells[key][0]]
        return row.get(key[2]) is None and bool(row.get("suppressed"))

    def hide(key: tuple) -> None:
        for index in cells[key]:
            out[index][key[2]] = None
            out[index]["value"], out[index]["suppressed"] = None, True

    def size(key: tuple) -> float:
        """A row's size: its denominator (else ``n``) for whole rows, the cell itself for bins and counts."""
        row = out[cells[key][0]]
        if key[3] is not None or key[2] == "value":
            return shown(key) or 0
        for column in ("denominator", "n"):
            if row.get(column) is not None:
                return row[column]
        return shown(key) or 0

    def pick_smallest(members: list[tuple], position: int) -> tuple | None:
        candidates = [
            (not out[cells[k][0]].get("suppressed"), size(k), str(k[position]), order, k)
            for order, k in enumerate(members)
            if not hidden(k) and (shown(k) or 0) > 0
        ]
        return min(candidates)[-1] if candidates else None

    # Lines: (members, position of the varying key part, total cell or None = shown elsewhere).
    lines: list[tuple[list[tuple], int, tuple | None]] = []
    for offset, _dimension in enumerate(dimensions):
        position = 4 + offset
        by_line: dict[tuple, list[tuple]] = {}
        for key in cells:
            by_line.setdefault(key[:position] + key[position + 1 :], []).append(key)
        lines.extend((members, position, None) for members in by_line.values() if len(members) > 1)
    bin_lines: dict[tuple, list[tuple]] = {}
    for key in partitioned:
        bin_lines.setdefault(key[:2] + key[4:], []).append(key)
    for line_key, members in bin_lines.items():
        members.sort(key=lambda k: (str(k[2]), cells[k][0]))
        for column in {k[2] for k in members}:
            total = (*line_key[:2], "denominator", _SHARED, *line_key[2:])
            lines.append(([k for k in members if k[2] == column], 3, total if total in cells else None))

    changed = True
    while changed:
        changed = False
        for members, position, total in lines:
            hidden_count = sum(1 for k in members if hidden(k))
            total_hidden = total is not None and hidden(total)
            if (not total_hidden and hidden_count == 1) or (total_hidden and hidden_count == 0):
                pick = pick_smallest(members, position)
                if pick is not None:
                    hide(pick)
                    changed = True
    return out


def _is_partition(rows: list[dict]) -> bool:
    """Whether the bins split the group's denominator (waiting-time bins) rather than each being
    a share of it on its own (completeness per field): decided from the group's own numbers."""
    denominators = {row.get("denominator") for row in rows}
    if len(denominators) != 1 or None in denominators or "numerator" not in rows[0]:
        return "denominator" not in rows[0]
    return sum(row.get("numerator") or 0 for row in rows) == denominators.pop()


# --- presentation ----------------------------------------------------------------------------------


def redaction_marker(profile: str | Policy = "standard") -> str:
    """How a redacted value is shown in fi, sv and en alike: "<8" (standard), "<5" (threshold5)."""
    rules = policy(profile)
    return f"<{rules.redact_max + 1}" if rules.redact_max else ""


# Decimals shown per unit; shares are shown as percentages.
_UNIT_DECIMALS = {
    "share": 1,
    "count": 0,
    "eur": 0,
    "days": 1,
    "hours": 1,
    "score": 1,
    "rate_per_1000": 1,
    "index": 2,
    "ratio": 2,
}
_PERCENT_SIGN = {"fi": "\u00a0%", "sv": "\u00a0%", "en": "%"}
NO_VALUE = "\u2013"  # en dash: no data for this cell (not a redaction)


_BABEL_LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB"}


def format_number(value: float | int | None, lang: str = "fi", decimals: int = 1) -> str:
    """The one number formatter of Valvomo (tables, charts, CSV/XLSX text, reports, CLI).

    Halves round up (0.1225 as a percentage with one decimal is "12,3 %" everywhere; Babel
    alone would round half to even). Finnish and Swedish write "1 234,5" with a no-break
    space, English "1,234.5"; None is an en dash.
    """
    if value is None:
        return NO_VALUE
    number = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    text = format_decimal(number, format=pattern, locale=_BABEL_LOCALES.get(lang, "fi_FI"))
    return text.replace("\u202f", "\u00a0").replace(" ", "\u00a0")


def format_percent(share: float | None, lang: str = "fi", decimals: int = 1) -> str:
    """A share 0-1 as a percentage with ``format_number``: 0.456 -> "45,6 %" (fi, sv), "45.6%" (en)."""
    if share is None:
        return NO_VALUE
    number = format_number(Decimal(repr(float(share))) * 100, lang, decimals)
    return number + _PERCENT_SIGN.get(lang, "%")


def format_cell(
    value: float | None,
    suppressed: bool,
    lang: str = "fi",
    *,
    profile: str | Policy = "standard",
    unit: str | None = None,
) -> str:
    """A value as text for the UI, reports and the CLI table.

    Redacted cells are "<8" (threshold5: "<5"); a missing value that is not
    redacted is an en dash. Shares are percentages with one decimal; counts and
    euros whole numbers; days, hours, scores and rates one decimal; indices and
    ratios two; halves round up (``format_number``). Decimal separators follow
    ``lang`` (fi/sv comma, en point).
    """
    if suppressed:
        return redaction_marker(profile) or NO_VALUE
    if value is None:
        return NO_VALUE
    locale = lang if lang in _PERCENT_SIGN else "en"
    decimals = _UNIT_DECIMALS.get(unit or "", 2)
    if unit == "share":
        return format_percent(value, locale, decimals)
    text = format_number(value, locale, decimals)
    return f"{text}\u00a0\u20ac" if unit == "eur" else text


# The profiles in words, for exports and reports (disclosure.md): gettext msgids of the ``core`` domain
# (the English text). This module sits below the services layer, so it names them and
# ``services.catalogue.profile_label`` translates them; ``profile_msgid`` is the English wording.
PROFILE_MSGIDS: dict[str, str] = {
    "standard": "Disclosure control: standard (counts 1–7 redacted, others rounded to the nearest 5)",
    "threshold5": "Disclosure control: threshold 5 (counts 1–4 redacted, no rounding)",
    "none": "No disclosure control: authorised analysts only",
}


def profile_msgid(profile: str | Policy) -> str:
    """The msgid (English wording) of the profile in force."""
    return PROFILE_MSGIDS[policy(profile).name]
