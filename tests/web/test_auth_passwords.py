"""Passwords are stored as argon2id hashes only and never appear in the database or the logs."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import select

from valvomo.appdb import session_scope
from valvomo.appdb.engine import dispose_engines
from valvomo.web.auth.models import User
from valvomo.web.auth.passwords import (
    PasswordPolicyError,
    check_password_policy,
    hash_password,
    verify_password,
)


def test_hash_is_argon2id_and_verifies():
    hashed = hash_password("long-enough-secret")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "long-enough-secret") is True
    assert verify_password(hashed, "long-enough-secreT") is False
    assert verify_password(None, "anything") is False
    assert verify_password("not-a-hash", "anything") is False


def test_short_passwords_are_refused():
    with pytest.raises(PasswordPolicyError):
        check_password_policy("123456789")  # 9 characters, the minimum is 10
    check_password_policy("1234567890")


def test_clear_password_is_nowhere_in_the_database_or_logs(client, make_user, login, settings, caplog):
    caplog.set_level(logging.DEBUG)
    secret = "Zebra-Quartz-7731"
    wrong = "Wrong-Guess-5521"
    make_user("ana", "analyst", password=secret)
    assert login(client, "ana", wrong).status_code == 401
    assert login(client, "ana", secret).status_code == 303
    with session_scope(settings) as db:
        stored = db.scalar(select(User.password_hash).where(User.username == "ana"))
    assert stored.startswith("$argon2id$")
    dispose_engines()  # flush SQLite's pages to the file before reading its bytes
    database = Path(settings.app_database_url.removeprefix("sqlite:///"))
    raw = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
    for clear in (secret, wrong):
        assert clear.encode() not in raw
        assert clear not in caplog.text
