"""Progress bars: shown on a terminal, silent otherwise."""

from __future__ import annotations

import io

from ingest_helpers import contact, make_settings, write_folder
from rich.console import Console

from valvomo.ingest import ingest_folder
from valvomo.ingest.progress import IngestProgress


def test_progress_draws_on_a_terminal():
    stream = io.StringIO()
    with IngestProgress(True, Console(file=stream, force_terminal=True, width=100)) as bar:
        task = bar.task("contacts.csv", 200)
        bar.update(task, 100)
        bar.finish(task)
    assert "contacts.csv" in stream.getvalue() and "100.0 %" in stream.getvalue()


def test_progress_is_off_when_not_a_terminal_or_not_wanted():
    stream = io.StringIO()
    assert not IngestProgress(True, Console(file=stream, force_terminal=False)).enabled
    assert not IngestProgress(False, Console(file=stream, force_terminal=True)).enabled


def test_ingest_with_progress_requested_outside_a_terminal(tmp_path, capsys):
    result = ingest_folder(
        make_settings(tmp_path), write_folder(tmp_path / "in", {"contacts": [contact()]}), progress=True
    )
    assert result.row_counts == {"contacts": 1}
    assert "contacts.csv" not in capsys.readouterr().err
