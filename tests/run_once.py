"""``once_per_run``: a costly session value computed once per test run, also on two xdist workers."""

from __future__ import annotations

import fcntl
import os
import pickle


def once_per_run(tmp_path_factory, name: str, build):
    """``build()`` computed once per test run, also under pytest-xdist, where each worker has its own
    session: the first worker to ask computes it under a file lock and pickles it beside the workers'
    temporary folders, the others read the pickle (the pattern of the pytest-xdist docs, "Making
    session-scoped fixtures execute only once"). For values that cost many seconds and that several
    modules read, which loadfile may deal to both workers."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return build()
    shared = tmp_path_factory.getbasetemp().parent
    with (shared / f"{name}.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        stored = shared / f"{name}.pickle"
        if stored.exists():
            return pickle.loads(stored.read_bytes())
        value = build()
        stored.write_bytes(pickle.dumps(value))
        return value
