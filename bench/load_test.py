"""Load test of the dashboard (issue 3, point 8): 20 concurrent users, p95 under 300 ms.

Starts ``uvicorn`` on a free loopback port (never another address) serving the
warehouse of ``--home`` (default ``$VALVOMO_HOME``), creates ``--users`` accounts in
a temporary app database, logs each in through the login form, warms each page
once (the first view of a snapshot builds and caches its view model; that cold
time is reported separately), then lets ``--users`` concurrent clients request
the main pages in turn until ``--requests`` responses or ``--seconds`` have
passed. Prints p50/p95/max per page and overall; exits 1 when any page's or the
overall p95 is at or above ``--p95-limit`` ms, 2 when a request failed.

Prepare the demo county (97 400 residents, 2 years) once::

    VALVOMO_HOME=/tmp/valvomo-demo valvomo demo --no-serve   # or: synth + ingest (materialises)
    .venv/bin/python bench/load_test.py --home /tmp/valvomo-demo
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

PASSWORD = "load-test-password-1"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main_pages(home: Path) -> list[str]:
    """The main pages, with the latest quarter and a station of the county."""
    from valvomo.config import Settings
    from valvomo.services.results import ResultStore

    store = ResultStore(Settings(home=home))
    if not store.is_materialised():
        raise SystemExit(f"{home}: the indicator results of this snapshot are not materialised (or were made by "
                         "an older registry); run `valvomo materialise` or ingest again first")
    rows = store.query(["access_7d"], by="station")
    latest = max(r["period"] for r in rows)
    stations = sorted({r["station_id"] for r in rows})
    station = "ST-LOVIISA" if "ST-LOVIISA" in stations else stations[0]
    return [
        "/",
        "/stations",
        f"/stations?indicator=remote_share_20plus&period={latest}",
        f"/stations/{station}",
        "/indicators",
        "/indicators/access_7d",
        "/indicators/access_7d?by=station",
        "/quality",
    ]


def prepare_users(home: Path, database_url: str, count: int) -> list[str]:
    from valvomo.appdb import session_scope, upgrade_to_head
    from valvomo.config import Settings
    from valvomo.web.auth import create_user

    settings = Settings(home=home, database_url=database_url)
    upgrade_to_head(settings)
    names = []
    with session_scope(settings) as db:
        for index in range(count):
            name = f"load{index:02d}"
            role = ("viewer", "analyst", "station_manager")[index % 3]
            stations = ["ST-LOVIISA"] if role == "station_manager" else []
            create_user(db, name, PASSWORD, role, stations=stations, language=("fi", "sv", "en")[index % 3],
                        actor="load test")
            names.append(name)
    return names


def start_server(home: Path, database_url: str, port: int, log_path: Path, workers: int) -> subprocess.Popen:
    env = {**os.environ, "VALVOMO_HOME": str(home), "VALVOMO_DATABASE_URL": database_url}
    code = (
        "import uvicorn; "
        f"uvicorn.run('valvomo.web.app:create_app', factory=True, host='127.0.0.1', port={port}, "
        f"workers={workers}, log_level='warning')"
    )
    log = open(log_path, "w")  # noqa: SIM115  (kept open for the server's life)
    return subprocess.Popen([sys.executable, "-c", code], env=env, stdout=log, stderr=subprocess.STDOUT)


async def wait_until_up(base: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise RuntimeError(f"the server exited with code {server.returncode}")
            try:
                if (await client.get(f"{base}/api/health", timeout=2)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.3)
    raise RuntimeError(f"{base} did not answer within {timeout} s")


async def log_in(base: str, username: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=30)
    page = await client.get("/login")
    token = CSRF.search(page.text).group(1)
    response = await client.post("/login", data={"username": username, "password": PASSWORD,
                                                 "csrf_token": token, "next": "/"})
    if response.status_code != 303 or "/login" in response.headers.get("location", ""):
        raise RuntimeError(f"login as {username} failed: {response.status_code}")
    return client


async def run(args: argparse.Namespace) -> int:
    home = Path(args.home).resolve()
    load_before = os.getloadavg()[0]
    pages = main_pages(home)
    with tempfile.TemporaryDirectory(prefix="valvomo-load-") as scratch:
        database_url = f"sqlite:///{Path(scratch) / 'app.sqlite3'}"
        users = prepare_users(home, database_url, args.users)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(home, database_url, port, Path(scratch) / "server.log", args.workers)
        try:
            await wait_until_up(base, server)
            clients = [await log_in(base, name) for name in users]
            cold: dict[str, float] = {}
            # warm: views per page and language build the cached view models (in every worker)
            for page in pages:
                for client in clients[: 3 * args.workers]:
                    started = time.perf_counter()
                    response = await client.get(page)
                    response.raise_for_status()
                    cold.setdefault(page, (time.perf_counter() - started) * 1000)
            timings: dict[str, list[float]] = {page: [] for page in pages}
            failures: list[str] = []
            counter = iter(range(args.requests))
            stop_at = time.monotonic() + args.seconds

            async def user(client: httpx.AsyncClient, offset: int) -> None:
                for number in counter:
                    if time.monotonic() > stop_at:
                        return
                    page = pages[(number + offset) % len(pages)]
                    started = time.perf_counter()
                    response = await client.get(page)
                    elapsed = (time.perf_counter() - started) * 1000
                    if response.status_code != 200:
                        failures.append(f"{page}: {response.status_code}")
                    timings[page].append(elapsed)

            began = time.perf_counter()
            await asyncio.gather(*(user(c, i) for i, c in enumerate(clients)))
            wall = time.perf_counter() - began
            for client in clients:
                await client.aclose()
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()

    def p(values: list[float], q: float) -> float:
        ordered = sorted(values)
        return ordered[max(0, min(len(ordered) - 1, int(-(-q * len(ordered) // 1)) - 1))]

    everything = [t for values in timings.values() for t in values]
    print(f"{len(everything)} requests by {args.users} concurrent users in {wall:.1f} s "
          f"({len(everything) / wall:.0f} req/s); {args.workers} worker(s); home {home}; "
          f"load average before the run {load_before:.1f} on {os.cpu_count()} CPUs")
    print(f"{'page':58} {'n':>5} {'cold ms':>8} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}")
    worst = 0.0
    for page, values in timings.items():
        if not values:
            continue
        p95 = p(values, 0.95)
        worst = max(worst, p95)
        print(f"{page:58} {len(values):5d} {cold[page]:8.0f} {statistics.median(values):7.0f} {p95:7.0f} "
              f"{max(values):7.0f}")
    overall = p(everything, 0.95)
    print(f"{'overall':58} {len(everything):5d} {'':8} {statistics.median(everything):7.0f} {overall:7.0f} "
          f"{max(everything):7.0f}")
    if failures:
        print(f"{len(failures)} failed requests, e.g. {failures[:3]}")
        return 2
    if max(worst, overall) >= args.p95_limit:
        print(f"FAIL: p95 {max(worst, overall):.0f} ms >= {args.p95_limit:.0f} ms")
        return 1
    print(f"OK: every page's p95 < {args.p95_limit:.0f} ms")
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", default=os.environ.get("VALVOMO_HOME", ".valvomo"),
                        help="data directory with an ingested, materialised county")
    parser.add_argument("--users", type=int, default=20, help="concurrent logged-in users (default 20)")
    parser.add_argument("--requests", type=int, default=2000, help="requests in all (default 2000)")
    parser.add_argument("--seconds", type=float, default=120.0, help="time limit of the timed run (default 120)")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (default 1)")
    parser.add_argument("--p95-limit", type=float, default=300.0, help="p95 limit in ms (default 300)")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(asyncio.run(run(parse_args())))
