"""Hostile-input probe (issue 12): re-runs the categories of the independent probe and prints its figures.

Bounded and loopback-only. In a temporary directory (removed afterwards unless ``--keep``) it

1. generates a small synthetic county (CSV), ingests and materialises it — the baseline warehouse;
2. **inputs**: offers ~20 corrupted folders to ``ingest_folder`` (a 20 MB name, a 60 MB line, a 2099 date,
   a NUL byte in a station key, a symlink to a file outside the folder, identity codes, broken encodings,
   …). An input is *refused cleanly* when ingest raises ``IngestError`` whose first error names the file
   the problem is in, whose lines are short and hold no content of files outside the folder nor the
   library's "straddling" message; a refused input is *lost* when the published warehouse changed
   (snapshot id or row counts) or cannot be read afterwards; an accepted corrupted input is counted apart. The CLI run of one input checks that values print literally;
3. **kills**: SIGKILLs ingests at four kill points with the helpers of
   ``tests/warehouse/test_warehouse_kill.py``; a kill is lost when the warehouse afterwards is neither the
   state before nor the state after the load;
4. **requests**: starts ``uvicorn`` on a free 127.0.0.1 port (proxy headers trusted from 127.0.0.1 only, to
   give attackers their own addresses) and sends ~500 hostile requests: oversized and odd query
   parameters, path traversal, bad tokens, CSRF-less POSTs, wrong roles on patient lists, lock-out attempts;
5. **differencing**: compares two disclosure-controlled views of the results store (by station, and the
   county total) of every indicator, quarter and bin, column by column (numerator, denominator, ``n``; a
   distribution's group sizes once): a line where exactly one station cell is redacted while the total and
   the other cells are shown would let a reader compute the redacted cell; a leak is one it pins.

Leaks: a response of a forbidden resource (200), a CSRF-less POST that was carried out, a bad token that
was accepted, file content outside the static folder, a reflected unescaped script, a user locked out by
someone else's failures, a differencing group. Exit code 1 when anything was lost or leaked or a request
got a 5xx. Usage::

    .venv/bin/python bench/probe.py [--population 1500] [--requests 500] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "warehouse"))
sys.path.insert(0, str(ROOT / "tests" / "ingest"))

PASSWORD = "probe-password-123"
SECRET = "PROBE-SECRET-CONTENT root:x:0:0"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
KILL_POINTS = ("validated", "table_written:stations", "before_pointer_swap", "after_pointer_swap")


@dataclass
class Figures:
    inputs: int = 0
    accepted: int = 0
    refused_cleanly: int = 0
    lost: int = 0
    kills: int = 0
    kills_lost: int = 0
    requests: int = 0
    server_errors: int = 0
    timeouts: int = 0
    statuses: Counter = field(default_factory=Counter)
    leaks: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    groups_compared: int = 0
    single_redactions: int = 0
    throttled: int = 0
    unsendable: int = 0
    by_category: Counter = field(default_factory=Counter)
    category: str = "setup"
    differencing_by_column: Counter = field(default_factory=Counter)


# --- 1. baseline ---------------------------------------------------------------------------------------------


def build_baseline(work: Path, population: int):
    from valvomo.config import Settings
    from valvomo.ingest import ingest_folder
    from valvomo.services.results import ResultStore
    from valvomo.synth import generate

    source = work / "county"
    generate(source, population=population, years=1, seed=20240101, fmt="csv", progress=False)
    settings = Settings(home=work / "home")
    ingest_folder(settings, source, progress=False)
    ResultStore(settings).materialise(progress=False)
    return settings, source


def warehouse_state(settings) -> tuple[str | None, dict[str, int]]:
    """Snapshot id and row counts read back through the warehouse (raises when it is unreadable)."""
    from valvomo.warehouse.store import Warehouse

    warehouse = Warehouse(settings)
    counts = {name: warehouse.table(name).count().to_pyarrow().as_py() for name in warehouse.tables()}
    return warehouse.snapshot_id, counts


# --- 2. corrupted inputs -------------------------------------------------------------------------------------


def _csv_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def _with_lines(source: Path, folder: Path, table: str, edit: Callable[[list[str]], list[str]]) -> None:
    (folder / f"{table}.csv").write_text("".join(edit(_csv_lines(source / f"{table}.csv"))), encoding="utf-8")


def _replace_cell(line: str, index: int, value: str) -> str:
    cells = line.rstrip("\n").split(",")
    cells[index] = value
    return ",".join(cells) + "\n"


def corrupted_inputs(source: Path, outside: Path) -> list[tuple[str, str, Callable[[Path], None]]]:
    """(name, the file the first error must name, how to write the folder)."""
    stations, contacts = source / "stations.csv", source / "contacts.csv"
    contact_header = _csv_lines(contacts)[0].rstrip("\n").split(",")
    started = contact_header.index("started_at")

    def copy(*names: str) -> Callable[[Path], None]:
        def write(folder: Path) -> None:
            for name in names:
                shutil.copy(source / f"{name}.csv", folder / f"{name}.csv")

        return write

    def stations_edit(edit):
        return lambda folder: _with_lines(source, folder, "stations", edit)

    def first_row(index: int, value: str):
        return stations_edit(lambda lines: [lines[0], _replace_cell(lines[1], index, value), *lines[2:]])

    def contacts_cell(index: int, value: str):
        def write(folder: Path) -> None:
            _with_lines(source, folder, "contacts", lambda ls: [ls[0], _replace_cell(ls[1], index, value), *ls[2:]])

        return write

    def long_line(folder: Path) -> None:
        copy("patients")(folder)
        with open(folder / "patients.csv", "a", encoding="utf-8") as handle:
            handle.write("P-LONG," + "9" * (60 << 20) + ",F,638,fi,,,\n")

    def big_name_parquet(folder: Path) -> None:
        table = pacsv.read_csv(stations, convert_options=pacsv.ConvertOptions(strings_can_be_null=False,
                                column_types={"municipality": pa.string()}))  # fmt: skip
        names = table.column("name_fi").to_pylist()
        names[0] = "x" * (20 << 20)
        pq.write_table(table.set_column(1, "name_fi", pa.array(names)), folder / "stations.parquet")

    def symlink(folder: Path) -> None:
        os.symlink(outside, folder / "stations.csv")

    def truncated_parquet(folder: Path) -> None:
        pq.write_table(pacsv.read_csv(stations), folder / "stations.parquet")
        data = (folder / "stations.parquet").read_bytes()
        (folder / "stations.parquet").write_bytes(data[: len(data) // 2])

    def latin1(folder: Path) -> None:
        (folder / "stations.csv").write_bytes(stations.read_text(encoding="utf-8").encode("latin-1"))

    def semicolons(folder: Path) -> None:
        (folder / "stations.csv").write_text(stations.read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8")

    def broken_rows(folder: Path) -> None:
        _with_lines(source, folder, "contacts", lambda ls: [ls[0], *[line.replace(",", ",,", 1) for line in ls[1:500]]])

    def fifo(folder: Path) -> None:
        os.mkfifo(folder / "contacts.csv")

    def manifest(folder: Path) -> None:
        copy("stations")(folder)
        (folder / "manifest.json").write_text('{"patients_are_all_residents": "yes"', encoding="utf-8")

    return [
        ("20 MB station name (CSV: one row longer than a read block)", "stations.csv",
         first_row(1, "x" * (20 << 20))),
        ("20 MB station name (Parquet)", "stations.parquet", big_name_parquet),
        ("300-character station name", "stations.csv", first_row(1, "Näsi" * 75)),
        ("60 MB line in patients.csv", "patients.csv", long_line),
        ("contact in 2099", "contacts.csv", contacts_cell(started, "2099-03-06T10:00")),
        ("contact in 1900", "contacts.csv", contacts_cell(started, "1900-01-01T00:00")),
        ("impossible date 2024-02-30", "contacts.csv", contacts_cell(started, "2024-02-30T10:00")),
        ("NUL byte in a station key", "stations.csv", first_row(0, "ST-NASI\x00")),
        ("line feed inside a quoted station name", "stations.csv", first_row(1, '"Näsi\nasema"')),
        ("symlink to a file outside the folder", "stations.csv", symlink),
        ("emoji code and rich markup in a code value", "stations.csv", first_row(5, ":x: [bold]boom[/bold]")),
        ("identity code in a pseudonym column", "contacts.csv", contacts_cell(1, "131052-308T")),
        ("not UTF-8 (Latin-1)", "stations.csv", latin1),
        ("semicolon-separated", "stations.csv", semicolons),
        ("truncated Parquet file", "stations.parquet", truncated_parquet),
        ("500 rows with an extra field", "contacts.csv", broken_rows),
        ("duplicate primary key", "stations.csv", stations_edit(lambda ls: [*ls, ls[1]])),
        ("unknown column", "stations.csv", stations_edit(lambda ls: [ls[0].rstrip("\n") + ",secret\n",
                                                                      *[line.rstrip("\n") + ",x\n" for line in ls[1:]]])),
        ("required column missing", "stations.csv", stations_edit(lambda ls: [",".join(line.split(",")[1:]) for line in ls])),
        ("empty file", "stations.csv", stations_edit(lambda ls: [])),
        ("manifest.json that is not JSON", "manifest.json", manifest),
        ("FIFO named contacts.csv", "", fifo),
    ]  # fmt: skip


def _refused_cleanly(error, expected_file: str, outside_text: str) -> tuple[bool, str]:
    lines = error.lines()
    text = "\n".join([error.summary, *lines])
    if expected_file and (not error.errors or error.errors[0].file != expected_file):
        first = error.errors[0].file if error.errors else None
        return False, f"first error names {first!r}, expected {expected_file!r}"
    if "straddl" in text:
        return False, "the CSV library's message"
    if outside_text in text or "root:x:0:0" in text:
        return False, "content of a file outside the folder"
    if any(len(line) > 500 for line in lines):
        return False, "an error line longer than 500 characters"
    return True, ""


def probe_inputs(settings, source: Path, work: Path, figures: Figures) -> None:
    from typer.testing import CliRunner

    from valvomo.cli import app as cli
    from valvomo.config import get_settings
    from valvomo.ingest import IngestError, ingest_folder

    outside = work / "outside-secret.txt"
    outside.write_text(SECRET + "\n", encoding="utf-8")
    for index, (name, expected, write) in enumerate(corrupted_inputs(source, outside)):
        folder = work / f"input-{index:02d}"
        folder.mkdir()
        write(folder)
        before = warehouse_state(settings)
        figures.inputs += 1
        began = time.monotonic()
        refused = True
        try:
            ingest_folder(settings, folder, progress=False)
        except IngestError as error:
            clean, why = _refused_cleanly(error, expected, SECRET)
        except Exception as error:  # noqa: BLE001  (any other exception is a finding)
            clean, why = False, f"{type(error).__name__}: {str(error)[:200]}"
        else:
            clean, why, refused = False, "accepted", False
            figures.accepted += 1
        try:  # a refused input must leave the warehouse exactly as it was
            lost = refused and warehouse_state(settings) != before
        except Exception:  # noqa: BLE001  (an unreadable warehouse is lost too)
            lost = True
        figures.refused_cleanly += clean
        figures.lost += lost
        verdict = "refused cleanly" if clean else f"NOT clean ({why})"
        print(f"  input {index + 1:2d} {name}: {verdict}{', LOST' if lost else ''} ({time.monotonic() - began:.1f} s)")
        if "emoji" in name:
            os.environ["VALVOMO_HOME"] = str(settings.home)
            get_settings.cache_clear()
            result = CliRunner().invoke(cli, ["ingest", str(folder), "--no-progress", "--no-materialise"])
            get_settings.cache_clear()
            if ":x: [bold]boom[/bold]" not in result.output or "Traceback" in result.output:
                figures.leaks.append("CLI rewrote a data value (emoji or markup)")
        shutil.rmtree(folder, ignore_errors=True)


# --- 3. kills --------------------------------------------------------------------------------------------------


def probe_kills(settings, source: Path, work: Path, figures: Figures) -> None:
    from test_warehouse_kill import run_ingest

    folder = work / "kill-input"
    folder.mkdir()
    shutil.copy(source / "stations.csv", folder / "stations.csv")
    for point in KILL_POINTS:
        before_id, before_counts = warehouse_state(settings)
        process = run_ingest(settings.home, folder, kill_at=point)
        _, stderr = process.communicate(timeout=300)
        figures.kills += 1
        after_id, after_counts = warehouse_state(settings)
        killed = process.returncode == -9
        whole = after_counts == before_counts  # the folder replaces stations with the same rows
        expected_new = point == "after_pointer_swap"
        state_ok = (after_id != before_id) if expected_new else (after_id == before_id)
        lost = not (killed and whole and state_ok)
        figures.kills_lost += lost
        state = "new" if after_id != before_id else "old"
        print(f"  kill at {point}: rc {process.returncode}, warehouse {state}{', LOST' if lost else ''}")


# --- 4. requests ------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_accounts(settings) -> dict[str, str]:
    from valvomo.appdb import session_scope, upgrade_to_head
    from valvomo.web.auth import create_user, get_user, issue_token

    upgrade_to_head(settings)
    with session_scope(settings) as db:
        for name, role, stations in (("viewer", "viewer", ()), ("manager", "station_manager", ("ST-LOVIISA",)),
                                     ("analyst", "analyst", ()), ("admin", "admin", ()), ("victim", "analyst", ())):
            if get_user(db, name) is None:
                create_user(db, name, PASSWORD, role, stations=stations, actor="probe")
        return {"viewer": issue_token(db, get_user(db, "viewer"), actor="probe"),
                "analyst": issue_token(db, get_user(db, "analyst"), actor="probe")}  # fmt: skip


def start_server(settings, port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "VALVOMO_HOME": str(settings.home)}
    code = (
        "import uvicorn; "
        f"uvicorn.run('valvomo.web.app:create_app', factory=True, host='127.0.0.1', port={port}, "
        "proxy_headers=True, forwarded_allow_ips='127.0.0.1', log_level='warning')"
    )
    handle = open(log, "w")  # noqa: SIM115  (kept open for the server's life)
    return subprocess.Popen([sys.executable, "-c", code], env=env, stdout=handle, stderr=subprocess.STDOUT)


def wait_until_up(base: str, server: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with code {server.returncode}")
        try:
            if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{base} did not answer within {timeout} s")


class Prober:
    """Sends requests, counts them and their 5xx, within a fixed budget."""

    def __init__(self, base: str, figures: Figures, budget: int):
        self.base = base
        self.figures = figures
        self.budget = budget

    def client(self, address: str | None = None) -> httpx.Client:
        headers = {"X-Forwarded-For": address} if address else {}
        return httpx.Client(base_url=self.base, timeout=60, headers=headers, follow_redirects=False)

    def send(self, client: httpx.Client, method: str, url: str, **kwargs) -> httpx.Response | None:
        if self.figures.requests >= self.budget:
            return None
        self.figures.requests += 1
        self.figures.by_category[self.figures.category] += 1
        try:
            response = client.request(method, url, **kwargs)
        except httpx.TimeoutException:
            self.figures.timeouts += 1
            return None
        except httpx.LocalProtocolError:  # httpx refused to send it (a NUL in a header): not a request
            self.figures.requests -= 1
            self.figures.by_category[self.figures.category] -= 1
            self.figures.unsendable += 1
            return None
        except httpx.HTTPError as error:
            self.figures.notes.append(f"{method} {url[:80]}: {type(error).__name__}")
            return None
        self.figures.statuses[response.status_code // 100 * 100] += 1
        if response.status_code >= 500:
            self.figures.server_errors += 1
            self.figures.notes.append(f"5xx: {method} {url[:120]}")
        body = response.text if "text" in response.headers.get("content-type", "") or "json" in response.headers.get(
            "content-type", "") else ""  # fmt: skip
        if SECRET in body or "root:x:0:0" in body or "SQLite format 3" in body:
            self.figures.leaks.append(f"file content in {method} {url[:120]}")
        if "<script>alert(1)</script>" in body and "html" in response.headers.get("content-type", ""):
            self.figures.leaks.append(f"reflected script in {method} {url[:120]}")
        return response

    def login(self, client: httpx.Client, username: str, password: str = PASSWORD) -> httpx.Response | None:
        page = self.send(client, "GET", "/login")
        if page is None:
            return None
        found = CSRF.search(page.text)
        data = {"username": username, "password": password, "csrf_token": found.group(1) if found else "", "next": "/"}
        return self.send(client, "POST", "/login", data=data)


ODD_VALUES = [
    "A" * 10_000, "%00", "\x00", "../../etc/passwd", "' OR 1=1 --", "<script>alert(1)</script>", "{{7*7}}",
    "${jndi:ldap://127.0.0.1/x}", "-1", "9" * 40, "2024-13-45", "🙂" * 200, ":x:", "[bold]x", "station,station",
    "ST-LOVIISA\r\nSet-Cookie: x=1", "%ff%fe", "null", "true", " ",
]  # fmt: skip
ODD_TARGETS = [
    ("/api/indicators", ("indicator", "by", "period", "from", "to", "unsuppressed", "zzz")),
    ("/api/indicators/catalogue", ("lang", "zzz")),
    ("/api/stations", ("zzz",)),
    ("/api/health", ("zzz",)),
    ("/", ("lang", "period", "zzz")),
    ("/indicators", ("indicator", "period", "zzz")),
    ("/download/comparison.csv", ("indicator", "period", "station")),
    ("/login", ("next", "lang")),
]
TRAVERSALS = [
    "/static/../../../../etc/passwd", "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/static/..%2f..%2f..%2fetc%2fpasswd",
    "/static/%252e%252e/%252e%252e/etc/passwd", "/static/....//....//etc/passwd", "/static/..\\..\\..\\etc\\passwd",
    "/download/..%2f..%2fapp.sqlite3.csv", "/download/%2e%2e.csv", "/stations/..%2f..%2f..%2fetc%2fpasswd",
    "/stations/..%2F..%2Fsecret_key/patients.csv", "/static/%00../../etc/passwd", "/static//etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd", "/static/valvomo.css/../../secret_key", "/admin/../api/stations",
    "/static/../app.sqlite3", "/static/../../secret_key", "/api/../../etc/passwd",
]  # fmt: skip


def probe_requests(settings, figures: Figures, budget: int, tokens: dict[str, str], work: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(settings, port, work / "server.log")
    try:
        wait_until_up(base, server)
        prober = Prober(base, figures, budget)
        viewer, manager, analyst, admin = (prober.client(f"10.0.0.{i}") for i in (1, 2, 3, 4))
        for client, name in ((viewer, "viewer"), (manager, "manager"), (analyst, "analyst"), (admin, "admin")):
            response = prober.login(client, name)
            if response is None or response.status_code != 303:
                raise RuntimeError(f"{name} could not log in: {response and response.status_code}")
        api = prober.client()
        bearer = {"Authorization": f"Bearer {tokens['viewer']}"}

        # path traversal, with and without a session
        figures.category = "path_traversal"
        for path in TRAVERSALS:
            prober.send(viewer, "GET", path)
            prober.send(prober.client(), "GET", path)

        # bad tokens
        figures.category = "bad_tokens"
        anonymous = prober.client()
        bad_tokens = ["", "x", "vlv_", "vlv_" + "A" * 43, tokens["viewer"][:-1] + "x", tokens["viewer"] + "x",
                      "A" * 5000, "Bearer", "vlv_\x00", tokens["viewer"].upper(), "null", "' OR '1'='1"]  # fmt: skip
        for token in bad_tokens:
            for scheme in ("Bearer ", "bearer ", "Basic ", ""):
                response = prober.send(anonymous, "GET", "/api/stations",
                                       headers={"Authorization": f"{scheme}{token}".encode("utf-8", "replace")})  # fmt: skip
                if response is not None and response.status_code == 200:
                    figures.leaks.append(f"bad token accepted: {scheme}{token[:12]}")
        response = prober.send(api, "GET", "/api/indicators", params={"unsuppressed": "true"}, headers=bearer)
        if response is not None and response.status_code == 200:
            figures.leaks.append("a viewer token got unsuppressed rows")

        # CSRF-less POSTs (a logged-in session, no token or a wrong one, or a foreign Origin)
        figures.category = "csrf_less_posts"
        posts = [
            (admin, "/admin/users", {"username": "csrfmade", "password": "x" * 12, "role": "admin"}),
            (admin, "/admin/users/viewer/role", {"role": "admin"}),
            (admin, "/admin/users/viewer/active", {"active": "0"}),
            (admin, "/admin/users/viewer/password", {"password": "y" * 12}),
            (admin, "/admin/users/victim/unlock", {}),
            (admin, "/admin/users/viewer/tokens", {"label": "csrf"}),
            (analyst, "/disclosure", {"control": "off", "next": "/"}),
            (viewer, "/logout", {}),
        ]
        for client, path, data in posts:
            for extra in ({}, {"csrf_token": "forged"}, {"csrf_token": ""}):
                for headers in ({}, {"Origin": "http://evil.example"}):
                    response = prober.send(client, "POST", path, data={**data, **extra}, headers=headers)
                    if response is not None and response.status_code < 400:
                        figures.leaks.append(f"CSRF-less POST carried out: {path}")
        check = prober.send(admin, "GET", "/admin/users/csrfmade")
        if check is not None and check.status_code == 200:
            figures.leaks.append("a CSRF-less POST created a user")

        # wrong roles on patient lists
        figures.category = "wrong_roles"
        from valvomo.warehouse.store import Warehouse

        stations = [r["station_id"] for r in Warehouse(settings).table("stations").to_pyarrow().to_pylist()]
        for station in stations:
            for suffix in ("", ".csv"):
                path = f"/stations/{station}/patients{suffix}"
                for client, allowed in ((viewer, False), (manager, station == "ST-LOVIISA"), (anonymous, False)):
                    response = prober.send(client, "GET", path)
                    if response is not None and response.status_code == 200 and not allowed:
                        figures.leaks.append(f"patient list served to the wrong role: {path}")
        own = prober.send(manager, "GET", "/stations/ST-LOVIISA/patients.csv")
        if own is None or own.status_code != 200 or own.text.count("\n") < 3:
            figures.notes.append("the manager's own patient list did not come back non-empty")
        for station in stations[:3]:
            response = prober.send(api, "GET", f"/stations/{station}/patients.csv", headers=bearer)
            if response is not None and response.status_code == 200:
                figures.leaks.append("patient list served to a viewer token")

        # lock-out attempts: strangers guess the victim's password; the victim logs in from their own address
        figures.category = "lock_out"
        home = prober.client("10.0.0.50")
        if (response := prober.login(home, "victim")) is None or response.status_code != 303:
            raise RuntimeError("the victim could not log in before the attack")
        refused = 0
        for attempt in range(24):
            stranger = prober.client(f"192.0.2.{attempt % 6 + 1}")
            response = prober.login(stranger, "victim", "wrong-password-1")
            refused += response is not None and response.status_code == 429
        sprayer = prober.client("198.51.100.7")
        for attempt in range(24):
            response = prober.login(sprayer, f"nobody{attempt}", "wrong-password-1")
            refused += response is not None and response.status_code == 429
        figures.throttled = refused
        response = prober.login(prober.client("10.0.0.50"), "victim")
        if response is None or response.status_code != 303:
            figures.leaks.append("lock-out: the victim was locked out by strangers' failures")
        response = prober.login(prober.client("198.51.100.7"), "viewer")
        if response is None or response.status_code not in (303, 429):
            figures.notes.append(f"login behind the sprayed address answered {response and response.status_code}")

        # oversized and odd query parameters
        figures.category = "odd_parameters"
        for path, names in ODD_TARGETS:
            for name in names:
                for value in ODD_VALUES[: 9]:
                    use = api if path.startswith("/api/") else viewer
                    prober.send(use, "GET", path, params={name: value}, headers=bearer if use is api else None)
        prober.send(api, "GET", "/api/indicators", params=[("indicator", "access_7d")] * 500, headers=bearer)
        prober.send(api, "GET", "/api/indicators?" + "&".join(f"p{i}=1" for i in range(1000)), headers=bearer)

        # fill the budget with random mixes of the above on the pages (bounded)
        figures.category = "mixed_pages"
        rng = random.Random(12)
        pages = ["/", "/indicators", "/quality", "/stations", "/api/stations", "/api/indicators/catalogue",
                 "/admin/users", "/admin/audit", "/programmes"]  # fmt: skip
        while figures.requests < budget:
            path = rng.choice(pages)
            params = {rng.choice(["lang", "period", "indicator", "page", "user"]): rng.choice(ODD_VALUES)}
            client = rng.choice([viewer, manager, anonymous])
            prober.send(client, "GET", path, params=params, headers=bearer if path.startswith("/api/") else None)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


# --- 5. differencing ---------------------------------------------------------------------------------------------


def _possible_counts(shown: int | None, rounded: bool = True) -> tuple[int, int]:
    """The true counts a shown value of the ``standard`` profile can stand for: 0 is 0; 1–7 are redacted;
    others are rounded to the nearest 5 (so 10 is 8–12); a value the profile does not round (the residents
    of a rate) is exact."""
    if shown == 0 or not rounded:
        return shown, shown
    return max(8, shown - 2), shown + 2


def pinned_value(total: int, shown: list[int], rounded: bool = True) -> int | None:
    """The one count 1–7 a redacted cell must have, given the shown total and the other shown cells
    (all rounded by the ``standard`` profile unless ``rounded`` is false), or None when more than one value
    remains possible."""
    low_total, high_total = _possible_counts(total, rounded)
    bounds = [_possible_counts(value, rounded) for value in shown]
    low = max(1, low_total - sum(high for _, high in bounds))
    high = min(7, high_total - sum(low for low, _ in bounds))
    return low if low == high else None


def differencing_lines(by_station: list[dict], totals: list[dict], registry) -> list[tuple]:
    """Every line a reader can difference: (indicator, period, bin, column, county row, station rows).

    Per indicator, period and bin, the stations' numerators and ``n`` against the county's; their
    denominators too, except for a distribution, whose group sizes (one per station, repeated on its
    bins) are compared once against the county's group size."""
    total_of = {(r["indicator"], r["period"], r.get("bin")): r for r in totals}
    groups: dict[tuple, list[dict]] = {}
    sizes: dict[tuple, dict[str, dict]] = {}
    for row in by_station:
        groups.setdefault((row["indicator"], row["period"], row.get("bin")), []).append(row)
        if "bin" in row and registry.get(row["indicator"]).disclosure == "share":
            sizes.setdefault((row["indicator"], row["period"]), {}).setdefault(row["station_id"], row)
    lines = []
    for key, rows in groups.items():
        total = total_of.get(key)
        for column in ("numerator", "denominator", "n"):
            if total is None or (column == "denominator" and key[:2] in sizes):
                continue
            lines.append((*key, column, total, rows))
    for key, per_station in sizes.items():
        total = next((r for k, r in total_of.items() if k[:2] == key), None)
        if total is not None:
            lines.append((*key, None, "denominator", total, list(per_station.values())))
    return lines


def probe_differencing(settings, figures: Figures) -> None:
    """Two disclosure-controlled views (by station and the county total) must not pin down a redacted cell.

    For every line of ``differencing_lines`` where the county figure is shown and exactly one station's cell
    is redacted, the redacted count lies in [total − Σ others] widened by every rounding; a leak is a line
    where that range leaves a single value of 1–7. Lines are counted per column (numerator, denominator, n).
    """
    from valvomo.indicators.registry import REGISTRY
    from valvomo.services.results import ResultStore

    store = ResultStore(settings)
    profile = settings.disclosure_profile
    by_station = store.query(None, period="quarter", by="station", profile=profile)
    totals = store.query(None, period="quarter", by="", profile=profile)
    for indicator, period, bin_, column, total, rows in differencing_lines(by_station, totals, REGISTRY):
        if total.get(column) is None:
            continue
        figures.groups_compared += 1
        figures.differencing_by_column[f"{column} compared"] += 1
        hidden = [r for r in rows if r.get(column) is None]
        if len(hidden) != 1:
            continue
        figures.single_redactions += 1
        figures.differencing_by_column[f"{column} one redacted"] += 1
        rounded = not (column == "denominator" and REGISTRY.get(indicator).disclosure == "rate")
        value = pinned_value(total[column], [r[column] for r in rows if r.get(column) is not None], rounded)
        if value is not None:
            figures.leaks.append(
                f"differencing pins {indicator} {period} {bin_ or ''} {column} of {hidden[0].get('station_id')} "
                f"to {value}"
            )


# --- main ------------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--population", type=int, default=1500)
    parser.add_argument("--requests", type=int, default=520, help="request budget (bounded)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="valvomo-probe-"))
    figures = Figures()
    began = time.monotonic()
    try:
        print(f"baseline county ({args.population} residents) in {work}")
        settings, source = build_baseline(work, args.population)
        print("inputs:")
        probe_inputs(settings, source, work, figures)
        print("kills:")
        probe_kills(settings, source, work, figures)
        print("requests:")
        tokens = prepare_accounts(settings)
        probe_requests(settings, figures, min(args.requests, 2000), tokens, work)
        print("differencing:")
        probe_differencing(settings, figures)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    summary = {
        "inputs_tried": figures.inputs,
        "inputs_refused_cleanly": figures.refused_cleanly,
        "inputs_accepted": figures.accepted,
        "inputs_lost": figures.lost,
        "kills": figures.kills,
        "kills_lost": figures.kills_lost,
        "requests": figures.requests,
        "requests_by_category": dict(figures.by_category),
        "responses_by_class": dict(sorted(figures.statuses.items())),
        "5xx": figures.server_errors,
        "timeouts": figures.timeouts,
        "login_attempts_throttled_429": figures.throttled,
        "differencing_groups_compared": figures.groups_compared,
        "differencing_groups_with_one_redacted_cell": figures.single_redactions,
        "differencing_by_column": dict(sorted(figures.differencing_by_column.items())),
        "requests_httpx_refused_to_send": figures.unsendable,
        "leaks": len(figures.leaks),
        "seconds": round(time.monotonic() - began, 1),
    }
    for leak in figures.leaks:
        print(f"LEAK: {leak}")
    for note in figures.notes[:20]:
        print(f"note: {note}")
    print(json.dumps(summary, ensure_ascii=False))
    print(
        f"inputs tried {figures.inputs} / refused cleanly {figures.refused_cleanly} / lost {figures.lost}; "
        f"kills {figures.kills} / lost {figures.kills_lost}; requests {figures.requests} / 5xx "
        f"{figures.server_errors}; leaks found {len(figures.leaks)}"
    )
    bad = figures.lost or figures.kills_lost or figures.server_errors or figures.leaks or figures.timeouts
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
