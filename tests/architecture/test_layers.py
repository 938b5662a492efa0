"""The one-way import rule of architecture.md, enforced.

import-linter checks the layer contract in pyproject.toml; a second, independent
check walks the source tree with ``ast`` so the rule holds even if the linter's
configuration drifts.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "valvomo"

# Lower index = lower layer. A module may import only from its own layer or lower ones.
LAYERS: list[set[str]] = [
    {"schema"},
    {"workdays", "config"},
    {"warehouse", "appdb"},
    {"ingest", "synth"},
    {"indicators"},
    {"segments", "simulation"},  # engines built on the indicators' definitions; independent of each other
    {"disclosure"},
    {"services"},
    {"programme"},
    {"reports"},
    {"web"},
    {"cli"},  # the command line starts the web server, so it sits on top
]


def _layer_of(top: str) -> int | None:
    for index, members in enumerate(LAYERS):
        if top in members:
            return index
    return None


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return [(line, name) for line, name in found if name.startswith("valvomo.")]


def test_every_top_level_module_has_a_layer():
    tops = {p.stem if p.is_file() else p.name for p in SRC.iterdir() if not p.name.startswith("_")}
    tops -= {"py.typed"}
    unknown = sorted(t for t in tops if _layer_of(t) is None)
    assert not unknown, f"modules without a layer in architecture.md: {unknown}"


def test_no_module_imports_upward():
    violations = []
    for path in SRC.rglob("*.py"):
        relative = path.relative_to(SRC)
        if relative.parts[0] == "__init__.py":
            continue
        own = _layer_of(relative.parts[0].removesuffix(".py"))
        for line, name in _imports(path):
            target = _layer_of(name.split(".")[1])
            if own is not None and target is not None and target > own:
                violations.append(f"{relative}:{line} imports {name}")
    assert not violations, "upward imports:\n" + "\n".join(violations)


def test_import_linter_contract_holds():
    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    result = subprocess.run([exe], capture_output=True, text=True, cwd=SRC.parents[1])
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_segment_and_simulation_engines_do_not_import_each_other():
    """Siblings in one layer (``valvomo.segments | valvomo.simulation`` in the contract) stay independent."""
    crossings = []
    for engine, other in (("segments", "simulation"), ("simulation", "segments")):
        for path in sorted((SRC / engine).rglob("*.py")):
            for line, name in _imports(path):
                if name.split(".")[1] == other:
                    crossings.append(f"{path.relative_to(SRC)}:{line} imports {name}")
    assert not crossings, "\n".join(crossings)



# Inside the indicator engine (the second and third contracts in pyproject.toml): the indicator families
# and the runner read the shared populations, which read the shared building blocks and the registry.
INDICATOR_LAYERS: list[set[str]] = [
    {"registry"},
    {"common"},
    {"populations"},
    {"runner", "access", "t3", "guidance", "interventions", "resolution", "channels", "continuity", "utilisation",
     "quality", "feedback"},
]  # fmt: skip


def _indicator_layer(name: str) -> int | None:
    for index, members in enumerate(INDICATOR_LAYERS):
        if name in members:
            return index
    return None


def test_every_indicator_module_has_an_engine_layer():
    names = {p.stem if p.is_file() else p.name for p in (SRC / "indicators").iterdir()}
    names -= {"__init__", "__pycache__"}
    unknown = sorted(n for n in names if _indicator_layer(n) is None)
    assert not unknown, f"indicator modules without a layer in architecture.md: {unknown}"


def test_no_indicator_module_imports_upward_within_the_engine():
    violations = []
    checked = 0
    for path in (SRC / "indicators").rglob("*.py"):
        relative = path.relative_to(SRC / "indicators")
        own = _indicator_layer(relative.parts[0].removesuffix(".py"))
        if own is None:  # the package's __init__ registers every family
            continue
        for line, name in _imports(path):
            parts = name.split(".")
            if parts[1] != "indicators" or len(parts) < 3:
                continue
            target = _indicator_layer(parts[2])
            checked += 1
            if target is not None and target > own:
                violations.append(f"indicators/{relative}:{line} imports {name}")
    assert checked > 20  # the walk sees the engine's imports
    assert not violations, "upward imports inside the indicator engine:\n" + "\n".join(violations)
