"""Background simulation jobs: long runs never block the web server.

A job runs in one background thread per app (``ThreadPoolExecutor`` with one
worker, so two planners' runs queue instead of competing for the two cores),
and the replications inside it run in a process pool. The job's id is the
result key (``valvomo.simulation.store.result_key``): asking again for the same
run attaches to the running job or reads the stored file. Progress is kept in
memory; the finished result is a file, so it outlives a restart.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from valvomo.config import Settings
from valvomo.simulation.service import Request, request_key, simulate_request, stored_result

log = logging.getLogger(__name__)


@dataclass
class JobState:
    status: str  # "queued", "running", "done", "failed"
    done: int = 0
    total: int = 0
    error: str | None = None


class SimulationJobs:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="valvomo-simulation")
        self._jobs: dict[str, JobState] = {}
        self._lock = threading.Lock()

    def submit(self, request: Request) -> str:
        """Start ``request`` unless it is stored or already running; returns its key."""
        key = request_key(self.settings, request)
        with self._lock:
            state = self._jobs.get(key)
            if state is not None and state.status in ("queued", "running"):
                return key
            if stored_result(self.settings, key) is not None:
                return key
            self._jobs[key] = JobState("queued")
        self._executor.submit(self._run, key, request)
        return key

    def _run(self, key: str, request: Request) -> None:
        state = self._jobs[key]
        state.status = "running"

        def progress(done: int, total: int) -> None:
            state.done, state.total = done, total

        try:
            simulate_request(self.settings, request, progress)
            state.status = "done"
        except Exception as error:  # noqa: BLE001  (a background job: reported on its page and logged)
            log.exception("simulation job %s failed", key)
            state.status, state.error = "failed", str(error) or type(error).__name__

    def state(self, key: str) -> JobState | None:
        with self._lock:
            state = self._jobs.get(key)
        if state is not None and state.status != "done":
            return state
        if stored_result(self.settings, key) is not None:
            return JobState("done", 1, 1)
        return state

    def result(self, key: str) -> dict | None:
        return stored_result(self.settings, key)

    def wait(self, key: str, timeout: float) -> JobState | None:
        """Block until the job is finished or ``timeout`` passes (tests and the CLI-like API client)."""
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.state(key)
            if state is None or state.status in ("done", "failed"):
                return state
            time.sleep(0.05)
        return self.state(key)


_LOCK = threading.Lock()


def jobs_for(app) -> SimulationJobs:
    """The app's job runner, created on first use (kept on ``app.state``)."""
    with _LOCK:
        jobs = getattr(app.state, "simulation_jobs", None)
        if jobs is None:
            jobs = SimulationJobs(app.state.settings)
            app.state.simulation_jobs = jobs
        return jobs
