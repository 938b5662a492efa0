"""Demo accounts for ``valvomo demo``: one per role, with documented passwords.

Only for the synthetic demo county: the passwords are printed and written in the
README. ``ensure_demo_users`` is idempotent — it creates missing accounts and
resets a demo account's password, role and stations to the documented ones, so
the printed table is always true.
"""

from __future__ import annotations

from collections.abc import Sequence

from valvomo.appdb import session_scope
from valvomo.config import Settings
from valvomo.web.auth import audit
from valvomo.web.auth.models import UserStation
from valvomo.web.auth.passwords import hash_password, verify_password
from valvomo.web.auth.users import create_user, get_user

# The synthetic county's understaffed station (long waits, T3 near 40 days): the
# station manager's story in the demo. Station ids come from valvomo.synth.county.
UNDERSTAFFED_STATION = "ST-LOVIISA"
DEMO_ACTOR = "valvomo demo"


def demo_accounts(manager_stations: Sequence[str]) -> list[tuple[str, str, str, list[str]]]:
    """(username, password, role, stations) of the demo accounts."""
    return [
        ("admin", "demo-admin", "admin", []),
        ("analyst", "demo-analyst", "analyst", []),
        ("viewer", "demo-viewer", "viewer", []),
        ("manager", "demo-manager", "station_manager", sorted(manager_stations)),
    ]


def ensure_demo_users(
    settings: Settings, manager_stations: Sequence[str] = (UNDERSTAFFED_STATION,)
) -> list[tuple[str, str, str, list[str]]]:
    """Create (or restore) the demo accounts; returns them for printing.

    Expects the app database to be migrated (``valvomo.appdb.upgrade_to_head``).
    """
    accounts = demo_accounts(manager_stations)
    with session_scope(settings) as db:
        for username, password, role, stations in accounts:
            user = get_user(db, username)
            if user is None:
                create_user(db, username, password, role, stations=stations, actor=DEMO_ACTOR)
                continue
            changed = not verify_password(user.password_hash, password) or not user.active
            changed = changed or user.role != role or user.station_ids != stations
            if changed:
                user.password_hash = hash_password(password)
                user.role = role
                user.active = True
                user.stations = [UserStation(station_id=s) for s in stations]
                audit.record(
                    db, audit.USER_PASSWORD_CHANGE, username=DEMO_ACTOR,
                    detail={"user": username, "reason": "demo account restored"},
                )  # fmt: skip
    return accounts
