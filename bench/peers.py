"""Peer baselines: four indicators as a careful analyst would write them in pandas and in Polars.

``bench/indicators.py`` runs these side by side with Valvomo on the same warehouse Parquet files in one
run and reports the time ratios. They are *baselines*, not a second implementation of the registry:
the definitions are those of indicators.md for

* ``access_7d``: the care-guarantee access events (first contact per assessment) seen within 7 days;
* ``coci``: the Bice-Boxerman continuity index of physician visits over the 12 months ending with
  each quarter, mean per station (home station, else the station of most window visits);
* ``remote_share_20plus``: remote contacts among the realised patient contacts of adults;
* ``top_decile_cost_share``: the share of cost of the costliest tenth of users,

all by station x quarter, with the same output columns as ``valvomo.indicators.compute``.
"Careful" means: read only the needed columns, vectorised group-bys (no Python loops over rows),
integer cents for costs, the tie-breaks of the definitions. ``same_rows`` checks that they agree with
Valvomo (tests/indicators/test_peer_baselines.py runs it on a small county; the benchmark asserts it).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

PHYSICAL = ("R10", "R20", "R30", "R40", "R41")
REMOTE = ("R50", "R51", "R52", "R55", "R56")
PATIENT_TYPES = PHYSICAL + REMOTE
INDICATORS = ("access_7d", "coci", "remote_share_20plus", "top_decile_cost_share")
CONTACT_COLUMNS = [
    "contact_id", "patient_id", "station_id", "professional_id", "profession", "contact_type", "service_type",
    "nature", "urgency", "licensed", "assessed_at", "started_at", "cancelled_at", "care_plan",
    "certificate_only", "specialty", "cost_eur",
]  # fmt: skip
PATIENT_COLUMNS = ["patient_id", "home_station_id", "birth_year"]
# access_7d counts contacts at these station kinds only; a unit missing from stations counts (docs/populations.md)
CARE_STATION_KINDS = ("health_station", "nurse_led_station")


def _other_kind_units(paths: Mapping[str, Path]) -> list[str]:
    """Units of the stations table (``paths["stations"]``, when given) whose kind is not a care station."""
    if "stations" not in paths:
        return []
    import pyarrow.parquet as pq

    stations = pq.read_table(paths["stations"], columns=["station_id", "kind"]).to_pylist()
    return sorted(s["station_id"] for s in stations if s["kind"] not in CARE_STATION_KINDS)


# --- pandas ------------------------------------------------------------------------------------------


def pandas_indicators(paths: Mapping[str, Path]) -> dict[str, list[dict]]:
    """The four indicators by station x quarter with pandas (pyarrow-backed reading)."""
    import numpy as np
    import pandas as pd

    contacts = pd.read_parquet(paths["contacts"], columns=CONTACT_COLUMNS)
    patients = pd.read_parquet(paths["patients"], columns=PATIENT_COLUMNS)
    started = contacts["started_at"]
    contacts["period"] = started.dt.year.astype("string") + "Q" + started.dt.quarter.astype("string")
    realised = contacts[contacts["cancelled_at"].isna()]
    patient_contacts = realised[realised["contact_type"].isin(PATIENT_TYPES)]
    out: dict[str, list[dict]] = {}

    def flag(column: str):
        return patient_contacts[column].fillna(False).astype(bool)

    # access_7d
    pc = patient_contacts
    events = pc[
        (pc["service_type"] == "T11") & (pc["nature"] == "SH") & (pc["urgency"] == "non_urgent")
        & flag("licensed") & pc["assessed_at"].notna() & (pc["assessed_at"] <= pc["started_at"])
        & ~flag("care_plan") & ~flag("certificate_only") & pc["specialty"].isna()
        & ~pc["station_id"].isin(_other_kind_units(paths))
    ]  # fmt: skip
    events = events.sort_values(["patient_id", "assessed_at", "started_at", "contact_id"])
    events = events.drop_duplicates(["patient_id", "assessed_at"])
    wait = (events["started_at"].dt.normalize() - events["assessed_at"].dt.normalize()).dt.days
    grouped = events.assign(_met=wait <= 7).groupby(["period", "station_id"], dropna=False)["_met"]
    table = grouped.agg(["sum", "count"]).reset_index()
    out["access_7d"] = [
        {"period": r.period, "station_id": _none(r.station_id), "value": r.sum / r.count,
         "numerator": int(r.sum), "denominator": int(r.count)}
        for r in table.itertuples()
    ]  # fmt: skip

    # coci
    visits = pc[(pc["service_type"] == "T11") & pc["professional_id"].notna() & (pc["profession"] == "physician")]
    visits = visits[["patient_id", "station_id", "professional_id", "started_at", "period"]].copy()
    visits["_mi"] = visits["started_at"].dt.year * 12 + visits["started_at"].dt.month - 1
    visits["_end"] = visits["started_at"].dt.year * 12 + visits["started_at"].dt.quarter * 3 - 1
    home = patients.set_index("patient_id")["home_station_id"]
    rows = []
    periods = visits[["_end", "period"]].drop_duplicates().sort_values("_end")
    for end, period in zip(periods["_end"], periods["period"], strict=True):
        window = visits[(visits["_mi"] >= end - 11) & (visits["_mi"] <= end)]
        n_j = window.groupby(["patient_id", "professional_id"]).size()
        per_patient = (n_j * n_j).groupby(level=0).sum().to_frame("s").join(n_j.groupby(level=0).sum().rename("n"))
        per_patient = per_patient[per_patient["n"] >= 2]
        coci = (per_patient["s"] - per_patient["n"]) / (per_patient["n"] * (per_patient["n"] - 1))
        stations = window.groupby(["patient_id", "station_id"]).size().rename("v").reset_index()
        stations = stations.sort_values(["patient_id", "v", "station_id"], ascending=[True, False, True])
        majority = stations.drop_duplicates("patient_id").set_index("patient_id")["station_id"]
        station = home.reindex(coci.index).astype(object)
        station = station.where(station.notna(), majority.reindex(coci.index))
        frame = pd.DataFrame({"station_id": station.values, "coci": coci.values})
        for station_id, group in frame.groupby("station_id", dropna=False):
            rows.append({"period": period, "station_id": _none(station_id),
                         "value": round(float(group["coci"].mean()), 12), "n": len(group)})  # fmt: skip
    out["coci"] = rows

    # remote_share_20plus
    adults = pc.merge(patients[["patient_id", "birth_year"]], on="patient_id", how="inner")
    adults = adults[adults["started_at"].dt.year - adults["birth_year"] >= 20]
    grouped = adults.assign(_met=adults["contact_type"].isin(REMOTE)).groupby(["period", "station_id"], dropna=False)
    table = grouped["_met"].agg(["sum", "count"]).reset_index()
    out["remote_share_20plus"] = [
        {"period": r.period, "station_id": _none(r.station_id), "value": r.sum / r.count,
         "numerator": int(r.sum), "denominator": int(r.count)}
        for r in table.itertuples()
    ]  # fmt: skip

    # top_decile_cost_share
    costed = realised[realised["cost_eur"].notna()]
    cents = np.floor(costed["cost_eur"].to_numpy(dtype="float64") * 100 + 0.5).astype("int64")  # half away from 0
    totals = costed.assign(_cents=cents).groupby(["period", "station_id", "patient_id"], dropna=False)["_cents"].sum()
    totals = totals.reset_index().sort_values(
        ["period", "station_id", "_cents", "patient_id"], ascending=[True, True, False, True]
    )
    totals["_rank"] = totals.groupby(["period", "station_id"], dropna=False).cumcount()
    totals["_users"] = totals.groupby(["period", "station_id"], dropna=False)["patient_id"].transform("size")
    totals["_top"] = totals["_cents"].where(totals["_rank"] < (totals["_users"] + 9) // 10, 0)
    table = totals.groupby(["period", "station_id"], dropna=False).agg(
        top=("_top", "sum"), total=("_cents", "sum"), n=("patient_id", "size")
    )
    out["top_decile_cost_share"] = [
        {"period": period, "station_id": _none(station_id), "value": r.top / r.total if r.total > 0 else None,
         "numerator": r.top / 100.0, "denominator": r.total / 100.0, "n": int(r.n)}
        for (period, station_id), r in zip(table.index, table.itertuples(), strict=True)
    ]  # fmt: skip
    return out


# --- Polars ------------------------------------------------------------------------------------------


def polars_indicators(paths: Mapping[str, Path]) -> dict[str, list[dict]]:
    """The four indicators by station x quarter with Polars (lazy scans, so unused columns are not read)."""
    import polars as pl

    contacts = pl.scan_parquet(paths["contacts"]).select(CONTACT_COLUMNS)
    patients = pl.scan_parquet(paths["patients"]).select(PATIENT_COLUMNS)
    started = pl.col("started_at")
    contacts = contacts.with_columns(
        period=started.dt.year().cast(pl.String) + "Q" + started.dt.quarter().cast(pl.String)
    )
    realised = contacts.filter(pl.col("cancelled_at").is_null())
    pc = realised.filter(pl.col("contact_type").is_in(PATIENT_TYPES))
    keys = ["period", "station_id"]

    def flag(column: str):
        return pl.col(column).fill_null(False)

    def share(frame, met) -> list[dict]:
        table = frame.group_by(keys).agg(numerator=met.sum(), denominator=pl.len()).collect()
        return [
            {"period": r["period"], "station_id": r["station_id"], "value": r["numerator"] / r["denominator"],
             "numerator": int(r["numerator"]), "denominator": int(r["denominator"])}
            for r in table.iter_rows(named=True)
        ]  # fmt: skip

    out: dict[str, list[dict]] = {}
    events = pc.filter(
        (pl.col("service_type") == "T11") & (pl.col("nature") == "SH") & (pl.col("urgency") == "non_urgent")
        & flag("licensed") & pl.col("assessed_at").is_not_null() & (pl.col("assessed_at") <= started)
        & ~flag("care_plan") & ~flag("certificate_only") & pl.col("specialty").is_null()
        & ~pl.col("station_id").is_in(_other_kind_units(paths))
    )  # fmt: skip
    events = events.sort(["patient_id", "assessed_at", "started_at", "contact_id"]).unique(
        ["patient_id", "assessed_at"], keep="first", maintain_order=True
    )
    wait = (started.dt.date() - pl.col("assessed_at").dt.date()).dt.total_days()
    out["access_7d"] = share(events, wait <= 7)

    # coci: every visit once per quarter whose 12-month window holds it, through a small month bridge
    visits = pc.filter(
        (pl.col("service_type") == "T11") & pl.col("professional_id").is_not_null()
        & (pl.col("profession") == "physician")
    ).select(
        "patient_id", "station_id", "professional_id",
        _mi=started.dt.year().cast(pl.Int64) * 12 + started.dt.month().cast(pl.Int64) - 1,
        _end=started.dt.year().cast(pl.Int64) * 12 + started.dt.quarter().cast(pl.Int64) * 3 - 1,
        _period=pl.col("period"),
    )  # fmt: skip
    visits = visits.collect().lazy()
    ends = visits.select("_end", "_period").unique()
    months = visits.select("_mi").unique()
    bridge = ends.join(months, how="cross").filter(
        (pl.col("_mi") >= pl.col("_end") - 11) & (pl.col("_mi") <= pl.col("_end"))
    )
    windowed = visits.drop("_end", "_period").join(bridge, on="_mi")
    per_professional = windowed.group_by(["_period", "patient_id", "professional_id"]).agg(n_j=pl.len())
    per_patient = per_professional.group_by(["_period", "patient_id"]).agg(
        n=pl.col("n_j").sum(), s=(pl.col("n_j") * pl.col("n_j")).sum()
    ).filter(pl.col("n") >= 2)
    per_patient = per_patient.with_columns(
        coci=(pl.col("s") - pl.col("n")).cast(pl.Float64) / (pl.col("n") * (pl.col("n") - 1)).cast(pl.Float64)
    )
    majority = (
        windowed.group_by(["_period", "patient_id", "station_id"]).agg(v=pl.len())
        .sort(["_period", "patient_id", "v", "station_id"], descending=[False, False, True, False])
        .unique(["_period", "patient_id"], keep="first", maintain_order=True)
        .select("_period", "patient_id", _majority="station_id")
    )  # fmt: skip
    rows = per_patient.join(majority, on=["_period", "patient_id"]).join(patients, on="patient_id", how="left")
    rows = rows.with_columns(station_id=pl.coalesce("home_station_id", "_majority"))
    table = rows.group_by(["_period", "station_id"]).agg(value=pl.col("coci").mean(), n=pl.len()).collect()
    out["coci"] = [
        {"period": r["_period"], "station_id": r["station_id"], "value": round(r["value"], 12), "n": r["n"]}
        for r in table.iter_rows(named=True)
    ]

    adults = pc.join(patients.select("patient_id", "birth_year"), on="patient_id", how="inner")
    adults = adults.filter(started.dt.year().cast(pl.Int64) - pl.col("birth_year") >= 20)
    out["remote_share_20plus"] = share(adults, pl.col("contact_type").is_in(REMOTE))

    costed = realised.filter(pl.col("cost_eur").is_not_null()).with_columns(
        _cents=(pl.col("cost_eur") * 100 + 0.5).floor().cast(pl.Int64)  # half away from zero (costs >= 0)
    )
    totals = costed.group_by([*keys, "patient_id"]).agg(total=pl.col("_cents").sum())
    totals = totals.sort([*keys, "total", "patient_id"], descending=[False, False, True, False]).with_columns(
        _rank=pl.int_range(pl.len()).over(keys), _users=pl.len().over(keys)
    )
    table = totals.group_by(keys).agg(
        top=pl.col("total").filter(pl.col("_rank") < (pl.col("_users") + 9) // 10).sum(),
        total=pl.col("total").sum(),
        n=pl.len(),
    ).collect()
    out["top_decile_cost_share"] = [
        {"period": r["period"], "station_id": r["station_id"],
         "value": r["top"] / r["total"] if r["total"] > 0 else None,
         "numerator": r["top"] / 100.0, "denominator": r["total"] / 100.0, "n": r["n"]}
        for r in table.iter_rows(named=True)
    ]  # fmt: skip
    return out


# --- comparison ----------------------------------------------------------------------------------------


def _none(value):
    try:
        return None if value is None or (isinstance(value, float) and math.isnan(value)) or value is _NA else value
    except TypeError:
        return value


try:  # pandas' missing-value marker, when pandas is installed
    import pandas as _pd

    _NA = _pd.NA
except ImportError:  # pragma: no cover
    _NA = object()


def same_rows(valvomo: list[dict], peer: list[dict], *, rel: float = 1e-9) -> list[str]:
    """Differences between Valvomo's rows and a peer's (empty when they agree): the same (period,
    station) groups, equal counts, values equal to ``rel`` (peers sum floats in another order)."""

    def index(rows):
        return {(r["period"], r.get("station_id")): r for r in rows}

    ours, theirs = index(valvomo), index(peer)
    problems = []
    if set(ours) != set(theirs):
        problems.append(f"groups differ: only Valvomo {sorted(set(ours) - set(theirs), key=repr)[:5]}, "
                        f"only peer {sorted(set(theirs) - set(ours), key=repr)[:5]}")  # fmt: skip
    for key in sorted(set(ours) & set(theirs), key=repr):
        a, b = ours[key], theirs[key]
        for column in ("value", "numerator", "denominator", "n"):
            if column not in a:
                continue
            x, y = a[column], b.get(column)
            if x is None or y is None:
                if x is not y:
                    problems.append(f"{key} {column}: {x} != {y}")
            elif not math.isclose(float(x), float(y), rel_tol=rel, abs_tol=1e-12):
                problems.append(f"{key} {column}: {x} != {y}")
    return problems


# --- one peer in its own process ---------------------------------------------------------------------


def main() -> None:
    """``python bench/peers.py {pandas,polars} CONTACTS PATIENTS [--stations STATIONS] --repeat R --out FILE``: times the peer
    (median of R runs, wall and CPU) in this process, so its memory is measured apart from Valvomo's,
    and writes the timings, the peak RSS and the rows of the last run as JSON."""
    import argparse
    import json
    import statistics
    import threading
    import time

    import psutil

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("peer", choices=["pandas", "polars"])
    parser.add_argument("contacts", type=Path)
    parser.add_argument("patients", type=Path)
    parser.add_argument("--stations", type=Path, help="the stations table (access_7d counts care stations only)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    run = pandas_indicators if args.peer == "pandas" else polars_indicators
    process, peak, stop = psutil.Process(), [0], threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], process.memory_info().rss)
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    walls, cpus, rows = [], [], {}
    for _ in range(args.repeat):
        cpu, wall = sum(process.cpu_times()[:2]), time.perf_counter()
        paths = {"contacts": args.contacts, "patients": args.patients}
        rows = run({**paths, "stations": args.stations} if args.stations else paths)
        walls.append(time.perf_counter() - wall)
        cpus.append(sum(process.cpu_times()[:2]) - cpu)
    stop.set()
    sampler.join()
    args.out.write_text(json.dumps({
        "peer": args.peer, "times_s": [round(t, 3) for t in walls], "median_s": round(statistics.median(walls), 3),
        "cpu_median_s": round(statistics.median(cpus), 1), "peak_rss_mb": round(peak[0] / 2**20), "rows": rows,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
