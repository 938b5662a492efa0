"""CLI help in the configured language, and `valvomo demo --port` (issue 11, item 11).

Help texts are read when the commands are defined, so each language runs in its own process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"


def help_text(lang: str, *command: str, home: Path) -> str:
    env = {**os.environ, "VALVOMO_LANGUAGE": lang, "VALVOMO_HOME": str(home), "PYTHONPATH": str(SRC),
           "COLUMNS": "200"}
    done = subprocess.run([sys.executable, "-c", "from valvomo.cli import app; app()", *command, "--help"],
                          env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize(("lang", "words"), [
    ("fi", ("Tulosta tunnuslukujen tulokset", "vaatii analyytikon API-tunnisteen")),
    ("sv", ("Skriv ut nyckeltalens resultat", "kräver en analytikers API-token")),
    ("en", ("Print indicator results", "needs an analyst's API token")),
])
def test_indicators_help_is_in_the_configured_language(tmp_path, lang, words):
    text = " ".join(help_text(lang, "indicators", home=tmp_path).split())
    for word in words:
        assert word in text


def test_demo_takes_host_and_port_like_serve(tmp_path):
    text = help_text("sv", "demo", home=tmp_path)
    assert "--port" in text and "--host" in text
    assert "Port (standard: settings.port, 8000)." in " ".join(text.split())
