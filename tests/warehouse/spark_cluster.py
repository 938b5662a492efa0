"""A Spark standalone cluster on the loopback interface, started from the pip-installed pyspark.

The pip package ships ``sbin/spark-daemon.sh`` (not ``start-master.sh``/``start-worker.sh``, which only
the full Spark distribution has); those scripts are thin wrappers around
``spark-daemon.sh start org.apache.spark.deploy.master.Master 1 ...`` and ``... worker.Worker 1 ...``,
which is what this runs. Everything the daemons write (logs, pid files, executor work dirs, an empty
conf dir) lives in a folder of the caller's, the ports are free ones picked at start, and ``stop`` ends
the daemons and any executor JVM they started, by pid, also when a start fails half-way.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

import psutil

MASTER = "org.apache.spark.deploy.master.Master"
WORKER = "org.apache.spark.deploy.worker.Worker"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).resolve().parent


class StandaloneCluster:
    """One master and one worker (``cores``, ``memory``) on 127.0.0.1; a context manager."""

    def __init__(self, folder: Path, *, cores: int = 1, memory: str = "1g", timeout: float = 90.0):
        self.folder, self.cores, self.memory, self.timeout = Path(folder), cores, memory, timeout
        self.port, self.ui_port = free_port(), free_port()
        self.worker_port, self.worker_ui_port = free_port(), free_port()
        self.ident = f"valvomo-test-{uuid.uuid4().hex[:8]}"
        self._pids: set[int] = set()

    @property
    def url(self) -> str:
        return f"spark://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        for name in ("logs", "pids", "work", "conf"):
            (self.folder / name).mkdir(parents=True, exist_ok=True)
        return {
            **os.environ,
            "SPARK_HOME": str(spark_home()),
            "SPARK_LOCAL_IP": "127.0.0.1",
            "SPARK_LOG_DIR": str(self.folder / "logs"),
            "SPARK_PID_DIR": str(self.folder / "pids"),
            "SPARK_WORKER_DIR": str(self.folder / "work"),
            "SPARK_CONF_DIR": str(self.folder / "conf"),
            "SPARK_IDENT_STRING": self.ident,
            "SPARK_DAEMON_MEMORY": "512m",
            "SPARK_NICENESS": "5",
        }

    def _daemon(self, action: str, cls: str, *args: str) -> None:
        script = spark_home() / "sbin" / "spark-daemon.sh"
        subprocess.run(
            ["bash", str(script), action, cls, "1", *args],
            env=self.env(), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60,
        )

    def _pid(self, cls: str) -> int | None:
        path = self.folder / "pids" / f"spark-{self.ident}-{cls}-1.pid"
        return int(path.read_text().strip()) if path.exists() else None

    def state(self) -> dict:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.ui_port}/json/", timeout=5) as response:
            return json.load(response)

    def _wait(self, ready, what: str) -> None:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            try:
                if ready():
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise TimeoutError(f"the Spark {what} did not come up within {self.timeout:.0f} s; logs in {self.folder / 'logs'}")

    def start(self) -> StandaloneCluster:
        try:
            self._daemon("start", MASTER, "--host", "127.0.0.1", "--port", str(self.port),
                         "--webui-port", str(self.ui_port))  # fmt: skip
            self._remember(MASTER)
            self._wait(lambda: self.state().get("status") == "ALIVE", "master")
            self._daemon("start", WORKER, "--host", "127.0.0.1", "--port", str(self.worker_port),
                         "--webui-port", str(self.worker_ui_port), "--cores", str(self.cores),
                         "--memory", self.memory, "--work-dir", str(self.folder / "work"), self.url)  # fmt: skip
            self._remember(WORKER)
            self._wait(lambda: any(w.get("state") == "ALIVE" for w in self.state().get("workers", [])), "worker")
        except BaseException:
            self.stop()
            raise
        return self

    def _remember(self, cls: str) -> None:
        pid = self._pid(cls)
        if pid is not None:
            self._pids.add(pid)

    def processes(self) -> list[psutil.Process]:
        """The daemons and everything they started (executor JVMs) that are still running."""
        found = []
        for pid in self._pids:
            try:
                daemon = psutil.Process(pid)
                found.extend([daemon, *daemon.children(recursive=True)])
            except psutil.NoSuchProcess:
                continue
        return [p for p in found if p.is_running()]

    def stop(self) -> None:
        """Stop worker then master with spark-daemon.sh; then end, by pid, whatever of theirs is left."""
        leftovers = self.processes()
        for cls in (WORKER, MASTER):
            if self._pid(cls) is not None:
                with contextlib.suppress(subprocess.SubprocessError, OSError):
                    self._daemon("stop", cls)
        gone, alive = psutil.wait_procs(leftovers, timeout=20)
        for process in alive:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.send_signal(signal.SIGKILL)
        psutil.wait_procs(alive, timeout=10)

    def __enter__(self) -> StandaloneCluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
