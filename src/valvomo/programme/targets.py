"""Target status of programme indicator links: the services' one calculation, re-exported.

A plan states where an indicator starts (baseline), where it should be by an
interim deadline and where by the final deadline (e.g. the RRP's 7-day share:
66 % by 2024Q2, 80 % by 2025Q4). The arithmetic — linear path, met / on track /
off track / not met — lives once in ``valvomo.services.targets`` so that the
programme pages and the report give the same verdict as the overview and the
indicator pages; this module only names it for the programme layer.
"""

from __future__ import annotations

from valvomo.services.targets import (
    STATUS_MSGIDS,
    TARGET_STATUSES,
    Evaluation,
    Point,
    TargetStatus,
    at_least_as_good,
    evaluate,
    meets,
    path_value,
    status_against,
)

Status = TargetStatus
STATUSES = TARGET_STATUSES

__all__ = [
    "STATUSES",
    "STATUS_MSGIDS",
    "Evaluation",
    "Point",
    "Status",
    "at_least_as_good",
    "evaluate",
    "meets",
    "path_value",
    "status_against",
]
