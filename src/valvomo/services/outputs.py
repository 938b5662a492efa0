"""One lookup for every output a programme indicator link (or any caller) can name: indicators and segments.

An *output reference* is an id of the indicator ``REGISTRY`` or of the
``SEGMENT_REGISTRY`` (the two registries never share an id; the indicator
registry is asked first), followed for a distribution output by ``:`` and the bin:

- ``coci``, ``top_decile_cost_share_12m`` (one value per period);
- ``segment_coci:high_need`` (the high-need customers' COCI),
  ``care_gaps:t2d_no_hba1c_12m`` (share of type 2 diabetics with that care gap),
  ``questionnaire_segment_mix:network_customer``.

``lookup`` resolves a reference to its registry entry, with unit, direction and
fi/sv/en names read from that entry (a bin's name is appended); ``catalogue``
lists every reference the configured definitions allow (the programme YAML
validation and the programme pages read it); ``output_series`` returns the
county-level rows of one reference through the result store of its registry,
disclosure-controlled like every other figure (for a bin: its row after
complementary suppression across the bins).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from valvomo.config import Settings
from valvomo.indicators.registry import REGISTRY, Indicator, Registry, UnknownIndicatorError
from valvomo.segments.registry import SEGMENT_REGISTRY
from valvomo.services.i18n import LANGUAGES
from valvomo.services.results import ResultStore

BIN_SEPARATOR = ":"


class UnknownOutputError(UnknownIndicatorError):
    """An output reference that names no output, or a bin the output does not have."""


@dataclass(frozen=True)
class OutputRef:
    """A resolved output reference: the registry entry, which registry, the bin (distributions)."""

    ref: str
    entry: Indicator
    registry: Registry
    bin: str | None = None
    names: Mapping[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.entry.id

    @property
    def unit(self) -> str:
        return self.entry.unit

    @property
    def direction(self) -> str:
        return self.entry.direction

    @property
    def is_segment(self) -> bool:
        return self.registry is SEGMENT_REGISTRY


def split_ref(ref: str) -> tuple[str, str | None]:
    """``"segment_coci:high_need"`` -> ``("segment_coci", "high_need")``; ``"coci"`` -> ``("coci", None)``."""
    output_id, sep, bin_ = ref.partition(BIN_SEPARATOR)
    return output_id, (bin_ if sep else None)


def _registry_of(output_id: str) -> Registry | None:
    for registry in (REGISTRY, SEGMENT_REGISTRY):
        if output_id in registry:
            return registry
    return None


def _texts(texts) -> dict[str, str]:
    return {lang: texts.get(lang) for lang in LANGUAGES}


def bin_names(entry: Indicator) -> dict[str, dict[str, str]]:
    """The bins of a distribution output with fi/sv/en names, from the configured definitions
    (a county's questionnaire or care-gap rule file changes them); ``{}`` for a single-value output."""
    if not entry.distribution:
        return {}
    from valvomo.segments import utilisation
    from valvomo.segments.registry import configured_questionnaire, configured_rules

    if entry.id == "questionnaire_segment_mix":
        return {s.id: _texts(s.names) for s in configured_questionnaire().segments}
    if entry.id == "care_gaps":
        return {r.id: _texts(r.label) for r in configured_rules().rules}
    labels = tuple(entry.parameters.get("bins_labels", ()))
    if entry.id.startswith("lorenz_"):
        return {b: {lang: f"{b} %" for lang in LANGUAGES} for b in labels}
    return {b: dict(utilisation.SEGMENT_NAMES.get(b, {lang: b for lang in LANGUAGES})) for b in labels}


def _named(entry: Indicator, bin_: str | None, bins: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    names = {lang: entry.name(lang) for lang in LANGUAGES}
    if bin_ is None:
        return names
    return {lang: f"{name}: {bins[bin_].get(lang) or bin_}" for lang, name in names.items()}


def lookup(ref: str) -> OutputRef:
    """Resolve ``ref``; ``UnknownOutputError`` (an ``UnknownIndicatorError``, naming what is wrong) for an unknown id, a missing
    or unknown bin of a distribution, or a bin on a single-value output."""
    output_id, bin_ = split_ref(ref)
    registry = _registry_of(output_id)
    if registry is None:
        raise UnknownOutputError(ref, message=f"unknown indicator or segment output {output_id!r}")
    entry = registry.get(output_id)
    bins = bin_names(entry)
    if bins and bin_ is None:
        raise UnknownOutputError(
            ref, message=f"{output_id!r} is a distribution: name one bin as {output_id}:BIN, BIN one of {', '.join(bins)}"
        )
    if not bins and bin_ is not None:
        raise UnknownOutputError(ref, message=f"{output_id!r} has one value per period; it has no bin {bin_!r}")
    if bin_ is not None and bin_ not in bins:
        raise UnknownOutputError(ref, message=f"{output_id!r} has no bin {bin_!r}; bins: {', '.join(bins)}")
    return OutputRef(ref, entry, registry, bin_, _named(entry, bin_, bins))


def catalogue() -> dict[str, OutputRef]:
    """Every reference a link may name: each single-value output and each bin of each distribution."""
    result: dict[str, OutputRef] = {}
    for registry in (REGISTRY, SEGMENT_REGISTRY):
        for entry in registry:
            if entry.id in result:
                continue
            bins = bin_names(entry)
            refs = [f"{entry.id}{BIN_SEPARATOR}{b}" for b in bins] if bins else [entry.id]
            for ref in refs:
                _, bin_ = split_ref(ref)
                result[ref] = OutputRef(ref, entry, registry, bin_, _named(entry, bin_, bins))
    return result


def output_series(
    settings: Settings,
    ref: str,
    period: str = "quarter",
    start: dt.date | None = None,
    end: dt.date | None = None,
    *,
    profile: str | None = None,
    store: ResultStore | None = None,
) -> list[dict]:
    """County-level rows of one output reference, oldest period first, disclosure-controlled with
    ``profile`` (default ``settings.disclosure_profile``). ``store`` is an indicator result store whose
    warehouse is reused for a segment output (the dashboard's cached store)."""
    resolved = lookup(ref)
    if resolved.is_segment:
        from valvomo.services.segments import segment_rows, segment_store

        warehouse = store.warehouse if store is not None else None
        rows = segment_rows(
            settings, [resolved.id], period=period, by=(), start=start, end=end, profile=profile,
            store=segment_store(settings, warehouse=warehouse),
        )  # fmt: skip
    else:
        store = store or ResultStore(settings)
        rows = store.query([resolved.id], period=period, by=(), start=start, end=end, profile=profile)
    if resolved.bin is not None:
        rows = [row for row in rows if str(row.get("bin")) == resolved.bin]
    return rows


def output_values(settings: Settings, ref: str, *args: Any, **kwargs: Any) -> dict[str, float | None]:
    """``{period label: value}`` of one output reference (``output_series``, whose arguments it takes);
    ``None`` = suppressed."""
    output_id = split_ref(ref)[0]
    values: dict[str, float | None] = {}
    for row in output_series(settings, ref, *args, **kwargs):
        if row.get("indicator", output_id) != output_id:
            continue
        value = row.get("value")
        values[str(row["period"])] = None if row.get("suppressed") or value is None else float(value)
    return values
