"""`valvomo serve`: the dashboard and JSON API with uvicorn.

The app database is migrated first (``upgrade_to_head``), so a new release or a
fresh home directory needs no separate step. The address is printed before
the server starts, so a user can copy it from the terminal.
"""

from __future__ import annotations

import typer


def serve(
    host: str = typer.Option(None, "--host", help="Address to bind (default: settings.host, 127.0.0.1)."),
    port: int = typer.Option(None, "--port", min=1, max=65535, help="Port (default: settings.port, 8000)."),
    proxy_headers: bool = typer.Option(
        False, "--proxy-headers/--no-proxy-headers",
        help="Trust X-Forwarded-Proto/For from a reverse proxy on this machine (https → Secure cookies).",
    ),
) -> None:
    """Serve the dashboard and the JSON API."""
    import uvicorn

    from valvomo.appdb import upgrade_to_head
    from valvomo.config import get_settings
    from valvomo.web.app import create_app

    settings = get_settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    revision = upgrade_to_head(settings)
    bind_host = host or settings.host
    bind_port = port or settings.port
    app = create_app(settings, migrate=False)
    shown_host = f"[{bind_host}]" if ":" in bind_host else bind_host
    typer.echo(f"App database at revision {revision}.", err=True)
    typer.echo(f"Valvomo is serving at http://{shown_host}:{bind_port}  (Ctrl+C stops)")
    uvicorn.run(
        app,
        host=bind_host,
        port=bind_port,
        log_level="warning",
        proxy_headers=proxy_headers,
        forwarded_allow_ips="127.0.0.1" if proxy_headers else None,
    )


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
