"""Issue 10: the admin pages work before the first ingest and with an unreadable warehouse, without a
broad ``except``: the station check boxes are then replaced by the free-text station field."""

from __future__ import annotations

import logging
import re

import pytest

from valvomo.web.pages import context

CHECKBOX = re.compile(r'type="checkbox"[^>]*name="stations"')
TEXT_FIELD = re.compile(r'type="text"[^>]*name="stations"')


@pytest.fixture
def admin(logged_in):
    context._STORES.clear()
    yield logged_in("admin", username="boss")
    context._STORES.clear()


def test_the_user_form_works_without_a_warehouse(admin, settings):
    assert not (settings.home / "warehouse").exists()
    page = admin.get("/admin/users")
    assert page.status_code == 200
    assert not CHECKBOX.search(page.text)  # no check boxes: no stations are known
    assert TEXT_FIELD.search(page.text)


def test_a_corrupt_warehouse_is_logged_and_the_form_still_works(admin, settings, caplog):
    warehouse = settings.home / "warehouse"
    warehouse.mkdir(parents=True)
    (warehouse / "CURRENT").write_text("snapshot-that-is-gone\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="valvomo.web.admin"):
        page = admin.get("/admin/users")
    assert page.status_code == 200
    assert TEXT_FIELD.search(page.text) and not CHECKBOX.search(page.text)
    assert any("warehouse cannot be read" in record.getMessage() for record in caplog.records)


def test_an_unexpected_error_is_not_swallowed(admin, monkeypatch):
    """Only the errors of "no data" are expected; anything else is a bug and reaches the error page."""
    from valvomo.services.results import ResultStore

    def broken(self, fetch):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(ResultStore, "read", broken)
    from fastapi.testclient import TestClient

    client = TestClient(admin.app, raise_server_exceptions=False, cookies=admin.cookies)
    assert client.get("/admin/users").status_code == 500
