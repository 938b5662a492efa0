"""Command-line interface (typer + rich).

Each sub-module registers one group of commands; this module only assembles them,
so that the commands of different capabilities live beside each other without
touching one file.
"""

from __future__ import annotations

from valvomo.cli._help import LocalisedTyper

app = LocalisedTyper(
    name="valvomo",
    help="Valvomo: access indicators, segments, programme tracking and scenarios for a wellbeing services county.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _register() -> None:
    import importlib
    import pkgutil

    import valvomo.cli as pkg

    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"valvomo.cli.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


_register()
