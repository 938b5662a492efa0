"""Security headers on every kind of response, and no inline script without the CSP nonce."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import valvomo.web

EXPECTED = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}


@pytest.mark.parametrize("path", ["/login", "/static/valvomo.css", "/no-such-page", "/api/health", "/api/indicators"])
def test_headers_present(client, path):
    response = client.get(path)
    for name, value in EXPECTED.items():
        assert response.headers[name] == value, (path, name)
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'nonce-" in script_src
    assert "camera=()" in response.headers["permissions-policy"]


def test_pages_are_not_cached_but_static_files_may_be(client):
    assert client.get("/login").headers["cache-control"] == "no-store"
    assert "no-store" not in client.get("/static/valvomo.css").headers.get("cache-control", "")


def test_nonce_differs_per_response(client):
    first = client.get("/login").headers["content-security-policy"]
    second = client.get("/login").headers["content-security-policy"]
    assert re.search(r"'nonce-([^']+)'", first).group(1) != re.search(r"'nonce-([^']+)'", second).group(1)


def test_no_inline_script_without_nonce_and_no_external_resources():
    templates = Path(valvomo.web.__file__).with_name("templates")
    problems = []
    for path in templates.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text, flags=re.I):
            if "src=" not in tag and "nonce=" not in tag:
                problems.append(f"{path.name}: inline script without nonce: {tag}")
        problems += [f"{path.name}: external resource {url}" for url in re.findall(r'(?:src|href)="((?:https?:)?//[^"]+)"', text)]
        if re.search(r"\son[a-z]+=\"", text):
            problems.append(f"{path.name}: inline event handler")
    assert problems == []


def test_interactive_api_docs_are_off(client):
    """Swagger UI and ReDoc load scripts from a CDN; only the JSON schema is served."""
    assert client.get("/docs").status_code == 404
    assert client.get("/redoc").status_code == 404
    assert client.get("/api/openapi.json").status_code == 200
