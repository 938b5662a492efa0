"""Errors: friendly localised pages for people, JSON for the API, no internals leaked."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.testclient import TestClient


def _failing_router() -> APIRouter:
    router = APIRouter()

    @router.get("/boom")
    def boom():
        raise RuntimeError("secret internals: /srv/valvomo/app.sqlite3")

    @router.get("/api/boom")
    def api_boom():
        raise RuntimeError("secret internals")

    return router


def test_unhandled_error_is_a_localised_500_page_without_internals(app):
    app.include_router(_failing_router())
    client = TestClient(app, raise_server_exceptions=False)
    page = client.get("/boom?lang=sv")
    assert page.status_code == 500
    assert "Ett fel uppstod i tjänsten" in page.text and '<html lang="sv">' in page.text
    assert "secret internals" not in page.text and "Traceback" not in page.text
    assert page.headers["x-frame-options"] == "DENY"  # headers on error responses too


def test_unhandled_api_error_is_json(app):
    app.include_router(_failing_router())
    client = TestClient(app, raise_server_exceptions=False)
    response = client.get("/api/boom")
    assert response.status_code == 500 and response.json() == {"detail": "internal error"}


def test_api_404_and_405_are_json(client):
    assert client.get("/api/nothing").json() == {"detail": "Not Found"}
    wrong_method = client.post("/api/indicators")
    assert wrong_method.status_code == 405 and wrong_method.json() == {"detail": "Method Not Allowed"}


def test_page_404_is_a_page(client):
    response = client.get("/nothing-here?lang=en")
    assert response.status_code == 404
    assert "Page not found" in response.text and 'href="/login"' in response.text
