"""The county template: municipalities, stations and the story each station tells.

The default synthetic county is modelled on Itä-Uusimaa (seed 001): seven
municipalities, six health stations, two nurse-led wellbeing stations and a central
guidance unit. Every number that makes one station differ from another lives here,
in one table, so that docs/synthetic-county.md can point at it and a reader can see
why the dashboard shows what it shows.

A national-size population is made by *replicating* the template: replica 0 is the
real-looking county, replicas 1, 2, ... are copies with their own synthetic
municipality codes and station ids, each with about the template's population.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

COUNTY_NAME = "Itä-Uusimaa"
TEMPLATE_POPULATION = 97_400


@dataclass(frozen=True)
class Municipality:
    """A template municipality: Statistics Finland code, size and language mix."""

    code: str
    name_fi: str
    residents: int  # approximate residents, used only as relative weights
    swedish_share: float
    other_language_share: float
    age_tilt: float  # > 0 older than the national age structure, < 0 younger


MUNICIPALITIES: tuple[Municipality, ...] = (
    Municipality("018", "Askola", 4_800, 0.02, 0.02, 0.00),
    Municipality("407", "Lapinjärvi", 2_600, 0.31, 0.04, 0.25),
    Municipality("434", "Loviisa", 14_500, 0.42, 0.04, 0.20),
    Municipality("504", "Myrskylä", 1_800, 0.09, 0.02, 0.15),
    Municipality("616", "Pukkila", 1_900, 0.02, 0.02, 0.10),
    Municipality("638", "Porvoo", 51_000, 0.28, 0.07, 0.00),
    Municipality("753", "Sipoo", 22_000, 0.33, 0.05, -0.15),
)


@dataclass(frozen=True)
class StationStory:
    """One station of the template and the parameters that give it its character.

    Shares are fractions 0-1; days are calendar days. ``catchment`` lists
    (municipality code, share of that municipality's residents listed here).
    """

    key: str
    name_fi: str
    name_sv: str
    municipality: str
    kind: str
    catchment: tuple[tuple[str, float], ...]
    access_7d: float = 0.75  # target share of non-urgent T11 access events within 7 days
    slow_wait_mean: float = 10.0  # mean extra days beyond day 8 for the slow part
    assessment_recorded: float = 0.98  # first non-urgent T11 visits with assessed_at
    assessment_same_day: float = 0.92  # contact and assessment on the same date
    physician_continuity: float = 0.72  # a physician visit goes to the patient's usual physician
    nurse_continuity: float = 0.55
    named_nurse_share: float = 0.55
    named_physician_share: float = 0.32
    residents_per_physician: int = 2_300
    residents_per_nurse: int = 1_500
    locum_physician_share: float = 0.0  # extra rotating physicians relative to permanent ones
    physician_share_t11: float = 0.26  # of T11 contacts
    remote_share_t11: float = 0.45
    cancellation_share: float = 0.085  # of booked non-urgent contacts
    t3_physician_days: float = 10.0
    t3_nurse_days: float = 4.0
    nps: float = 58.0
    guidance_same_day: float = 0.88  # of requests that can be answered the same day
    guidance_unreached: float = 0.035
    slot_never_booked: float = 0.02  # non-urgent slots nobody books (free at every T3 instant)
    intervention_wait_factor: float = 1.0  # multiplies the wait for IPC / Cool Kids / IPT-A
    lab_follow_up: float = 1.0  # multiplies the share of chronic patients whose labs are followed up


# fmt: off
STATIONS: tuple[StationStory, ...] = (
    StationStory(
        "NASI", "Näsin terveysasema", "Näse hälsostation", "638", "health_station",
        (("638", 1.0),),
        # POOR CONTINUITY: a big station run on rotating locums; few named physicians.
        access_7d=0.70, slow_wait_mean=12, physician_continuity=0.10, nurse_continuity=0.30,
        named_physician_share=0.08, named_nurse_share=0.40, locum_physician_share=0.8,
        t3_physician_days=16, t3_nurse_days=5, nps=48, guidance_same_day=0.84,
    ),
    StationStory(
        "NIKKILA", "Nikkilän sosiaali- ja terveysasema", "Nickby social- och hälsostation", "753",
        "health_station", (("753", 0.55),),
        # INCOMPLETE ASSESSMENT RECORDING: a third of first visits lack assessed_at.
        access_7d=0.76, slow_wait_mean=10, assessment_recorded=0.64, assessment_same_day=0.85,
        t3_physician_days=10, t3_nurse_days=4, nps=56,
    ),
    StationStory(
        "SODERKULLA", "Söderkullan terveysasema", "Söderkulla hälsostation", "753", "health_station",
        (("753", 0.45),),
        # BEST ACCESS: short waits, short T3, high NPS.
        access_7d=0.90, slow_wait_mean=6, physician_continuity=0.76, t3_physician_days=3,
        t3_nurse_days=2, nps=68, guidance_same_day=0.93, assessment_recorded=0.995,
    ),
    StationStory(
        "LOVIISA", "Loviisan terveyskeskus", "Lovisa hälsovårdscentral", "434", "health_station",
        (("434", 0.72),),
        # UNDERSTAFFED: long waits, T3 near 40 days, low NPS, more cancellations.
        access_7d=0.45, slow_wait_mean=22, assessment_same_day=0.78, residents_per_physician=3_600,
        residents_per_nurse=2_100, physician_continuity=0.55, cancellation_share=0.12,
        t3_physician_days=35, t3_nurse_days=12, nps=42, guidance_same_day=0.74, guidance_unreached=0.07,
        slot_never_booked=0.005, intervention_wait_factor=1.35,
        # CARE GAPS: diabetics and hypertensives lose their follow-up labs (docs/care-gaps.md).
        lab_follow_up=0.55,
    ),
    StationStory(
        "LAPINJARVI", "Lapinjärven terveystalo", "Lappträsk hälsohus", "407", "health_station",
        (("407", 1.0),),
        access_7d=0.72, slow_wait_mean=10, t3_physician_days=9, t3_nurse_days=4, nps=60,
    ),
    StationStory(
        "KOSKENKYLA", "Koskenkylän terveystalo", "Forsby hälsohus", "434", "health_station",
        (("434", 0.28),),
        access_7d=0.66, slow_wait_mean=12, t3_physician_days=14, t3_nurse_days=6, nps=55,
    ),
    StationStory(
        "ASKOLA", "Askolan terveyskeskus", "Askola hälsovårdscentral", "018", "health_station",
        (("018", 1.0),),
        access_7d=0.82, slow_wait_mean=9, physician_continuity=0.78, t3_physician_days=6,
        t3_nurse_days=3, nps=63,
    ),
    StationStory(
        "MYRSKYLA", "Myrskylän hyvinvointiasema", "Mörskom välfärdsstation", "504", "nurse_led_station",
        (("504", 1.0),),
        access_7d=0.86, slow_wait_mean=8, physician_share_t11=0.08, named_physician_share=0.0,
        named_nurse_share=0.70, nurse_continuity=0.70, residents_per_physician=10_000,
        residents_per_nurse=900, t3_physician_days=14, t3_nurse_days=3, nps=66,
    ),
    StationStory(
        "PUKKILA", "Pukkilan hyvinvointiasema", "Pukkila välfärdsstation", "616", "nurse_led_station",
        (("616", 1.0),),
        access_7d=0.84, slow_wait_mean=8, physician_share_t11=0.08, named_physician_share=0.0,
        named_nurse_share=0.70, nurse_continuity=0.70, residents_per_physician=10_000,
        residents_per_nurse=900, t3_physician_days=15, t3_nurse_days=3, nps=65,
    ),
    StationStory(
        "OHJAUS", "Itä-Uudenmaan asiakasohjaus", "Östra Nylands kundstyrning", "638", "guidance_unit",
        (),
        # Central guidance: nurses resolve needs by phone and message; answers most calls the same day.
        access_7d=0.99, residents_per_nurse=7_000, remote_share_t11=1.0, nps=58, guidance_same_day=0.95,
        guidance_unreached=0.03,
    ),
)
# fmt: on

GUIDANCE_KEY = "OHJAUS"


def _base36(value: int, width: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while value:
        value, rest = divmod(value, 36)
        out = digits[rest] + out
    return out.rjust(width, "0")


def allocate(total: int, weights: np.ndarray) -> np.ndarray:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder)."""
    weights = np.asarray(weights, dtype=float)
    exact = total * weights / weights.sum()
    counts = np.floor(exact).astype(np.int64)
    short = total - int(counts.sum())
    if short:
        order = np.lexsort((np.arange(len(weights)), -(exact - counts)))
        counts[order[:short]] += 1
    return counts


@dataclass(frozen=True)
class Replica:
    """One copy of the county template with its own codes, ids and residents."""

    index: int
    first_patient: int  # global number of its first resident
    residents: int
    municipality_codes: tuple[str, ...]  # parallel to MUNICIPALITIES
    municipality_residents: tuple[int, ...]
    station_ids: tuple[str, ...]  # parallel to STATIONS
    county: str

    def station_names(self, story: StationStory) -> tuple[str, str]:
        if self.index == 0:
            return story.name_fi, story.name_sv
        suffix = f" R{_base36(self.index, 2)}"
        return story.name_fi + suffix, story.name_sv + suffix

    def station_municipality(self, story: StationStory) -> str:
        return self.municipality_codes[[m.code for m in MUNICIPALITIES].index(story.municipality)]


@dataclass(frozen=True)
class CountyPlan:
    """The whole synthetic population: the replicas of the template."""

    population: int
    replicas: tuple[Replica, ...]


def plan_county(population: int) -> CountyPlan:
    """Decide how many template replicas make up ``population`` and size each one.

    Up to 1.5 template sizes the county is one (scaled) Itä-Uusimaa; beyond that it is
    ``round(population / 97 400)`` replicas of about the template's size.
    """
    count = max(1, round(population / TEMPLATE_POPULATION))
    sizes = allocate(population, np.ones(count))
    weights = np.array([m.residents for m in MUNICIPALITIES], dtype=float)
    replicas = []
    first = 0
    for index, size in enumerate(sizes.tolist()):
        if index == 0:
            codes = tuple(m.code for m in MUNICIPALITIES)
            station_ids = tuple(f"ST-{s.key}" for s in STATIONS)
            county = COUNTY_NAME
        else:
            tag = _base36(index, 2)
            # Letter + two base-36 characters: never a real Statistics Finland code.
            codes = tuple(f"{'ABCDEFG'[i]}{tag}" for i in range(len(MUNICIPALITIES)))
            station_ids = tuple(f"ST-{s.key}-R{tag}" for s in STATIONS)
            county = f"{COUNTY_NAME} R{tag}"
        replicas.append(
            Replica(
                index=index,
                first_patient=first,
                residents=size,
                municipality_codes=codes,
                municipality_residents=tuple(allocate(size, weights).tolist()),
                station_ids=station_ids,
                county=county,
            )
        )
        first += size
    return CountyPlan(population=population, replicas=tuple(replicas))
