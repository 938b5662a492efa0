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


# --- every command, and Typer's own words, in the configured language (issue 11, item 11) ---------

# Typer's and Click's English words that must not show in Finnish or Swedish help and errors.
ENGLISH_WORDS = ("Usage", "Options", "Commands", "Arguments", "Show this message and exit", "[default:",
                 "[required]", "for help", "Error", "No such option", "Missing argument", "[OPTIONS]", "COMMAND")

# Runs in a process of its own (help is translated for the configured language): prints, as JSON,
# each command path's help and help text (msgid), and the outputs of a few usage errors.
SHOW_ALL = """
import json, typer.main
from typer.testing import CliRunner
from valvomo.cli import app
from valvomo.cli._help import help_msgids

root = typer.main.get_command(app)
def paths(command, prefix=()):
    yield prefix, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from paths(sub, (*prefix, name))
runner = CliRunner()
out = {"help": [], "errors": {}}
for path, command in paths(root):
    result = runner.invoke(app, [*path, "--help"], terminal_width=400)
    text = getattr(command, "valvomo_msgid_help", None) or command.help or ""
    out["help"].append([list(path), result.exit_code, result.output, text])
for name, args in {"option": ["indicators", "--bogus"], "argument": ["programme", "import"],
                   "command": ["indicatorz"]}.items():
    result = runner.invoke(app, args, terminal_width=400)
    out["errors"][name] = [result.exit_code, result.output]
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def every_help(tmp_path_factory):
    import json

    def run(lang: str) -> dict:
        home = tmp_path_factory.mktemp(f"home-{lang}")
        env = {**os.environ, "VALVOMO_LANGUAGE": lang, "VALVOMO_HOME": str(home), "PYTHONPATH": str(SRC),
               "COLUMNS": "400", "TERMINAL_WIDTH": "400"}
        done = subprocess.run([sys.executable, "-c", SHOW_ALL], env=env, capture_output=True, text=True,
                              timeout=300, check=False)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    return {lang: run(lang) for lang in ("fi", "sv", "en")}


def _flat(text: str) -> str:
    return " ".join(text.replace("│", " ").split())


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_every_command_help_is_in_the_configured_language(every_help, lang):
    from valvomo.services.i18n import gettext

    shown = every_help[lang]["help"]
    names = {" ".join(path) for path, *_ in shown}
    # every command and group the brief names is there (and more: warehouse-info, docs data-model, ...)
    for name in ("", "ingest", "synth", "materialise", "indicators", "segments", "caregaps", "programme",
                 "programme import", "simulate", "simulate run", "user", "user add", "serve", "demo",
                 "report", "docs-indicators", "docs-segments", "docs", "docs data-model"):
        assert name in names, name
    for path, code, output, msgid in shown:
        assert code == 0, (path, output)
        flat = _flat(output)
        for word in ENGLISH_WORDS:
            assert word not in flat, (lang, path, word)
        assert msgid, path
        translated = _flat(gettext(lang, msgid))
        assert translated != _flat(msgid), (lang, path, msgid)  # a translation, not the English text
        assert translated[:60] in flat, (lang, path, translated)


def test_every_help_text_of_the_cli_is_translated():
    """Each command's, group's and option's help text (the English msgid) is in the fi and sv catalogs."""
    import typer.main

    from valvomo.cli import app
    from valvomo.cli._help import help_msgids
    from valvomo.services import i18n

    texts = dict((text, where) for where, text in help_msgids(typer.main.get_command(app)))
    assert len(texts) > 80 and "Validate a programme file and store it." in texts
    for lang in ("fi", "sv"):
        missing = [f"{where}: {text!r}" for text, where in texts.items() if not i18n.catalog(lang).get(text)]
        assert missing == [], lang


@pytest.mark.parametrize(("lang", "words"), [
    ("fi", {"option": "Tuntematon valitsin: --bogus", "argument": "Argumentti 'file' puuttuu.",
            "command": "Tuntematon komento 'indicatorz'. Tarkoititko 'indicators'"}),
    ("sv", {"option": "Okänt alternativ: --bogus", "argument": "Argumentet 'file' saknas.",
            "command": "Okänt kommando 'indicatorz'. Menade du 'indicators'"}),
    ("en", {"option": "No such option: --bogus", "argument": "Missing argument 'file'.",
            "command": "No such command 'indicatorz'. Did you mean 'indicators'"}),
])
def test_usage_errors_are_in_the_configured_language(every_help, lang, words):
    for name, expected in words.items():
        code, output = every_help[lang]["errors"][name]
        flat = _flat(output)
        assert code == 2 and expected in flat, (name, flat)
        if lang != "en":
            for word in ("Usage", "Error", "for help"):
                assert word not in flat, (lang, name, word)


def test_english_help_stays_english(every_help):
    shown = {" ".join(path): output for path, _code, output, _msgid in every_help["en"]["help"]}
    for word in ("Usage:", "Options", "Commands", "Show this message and exit."):
        assert word in _flat(shown[""]), word
    assert "Validate a programme file and store it." in _flat(shown["programme import"])
    assert "Arguments" in _flat(shown["programme import"])


@pytest.mark.parametrize(("message", "fi", "sv"), [
    ("No such option: --bogus", "Tuntematon valitsin: --bogus", "Okänt alternativ: --bogus"),
    ("Missing option '--programme'.", "Valitsin '--programme' puuttuu.", "Alternativet '--programme' saknas."),
    ("Option '--port' requires an argument.", "Valitsin '--port' tarvitsee arvon.",
     "Alternativet '--port' kräver ett värde."),
    ("Got unexpected extra argument(s) (b)", "Odottamattomia ylimääräisiä argumentteja (b)",
     "Oväntade extra argument (b)"),
    ("Invalid value for '--port': 99999 is out of range.",
     "Virheellinen arvo valitsimelle '--port': 99999 is out of range.",
     "Ogiltigt värde för '--port': 99999 is out of range."),
    ("Something Typer may say one day.", "Something Typer may say one day.", "Something Typer may say one day."),
])
def test_usage_error_wordings(message, fi, sv):
    from valvomo.cli._help import translate_error

    assert translate_error(message, "fi") == fi
    assert translate_error(message, "sv") == sv
    assert translate_error(message, "en") == message.replace("argument(s)", "arguments")  # the msgid's wording


def test_every_usage_error_worded_as_its_msgid_reaches_its_own_translation():
    """No earlier, looser entry of the table shadows a later one: each message worded as its msgid
    gets that msgid's translation, in Finnish and Swedish."""
    import re

    from valvomo.cli._help import ERRORS, translate_error
    from valvomo.services.i18n import gettext

    samples = {"name": "'--port'", "options": "--period", "count": "2", "args": "b", "reason": "too big"}
    reached = 0
    for _pattern, msgid in ERRORS:
        fields = {field: samples[field] for field in re.findall(r"%\((\w+)\)s", msgid)}
        message = msgid % fields
        if "possible options" in msgid or "(%(args)s)" in msgid or msgid.startswith("No such option: %(name)s."):
            continue  # Click words these differently; test_usage_error_wordings covers them
        for lang in ("fi", "sv"):
            assert translate_error(message, lang) == gettext(lang, msgid, **fields) != message, (lang, msgid)
        reached += 1
    assert reached >= 10
