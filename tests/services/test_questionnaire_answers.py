"""Questionnaire answers in the app database: migration 0003_segments (SQLite, PostgreSQL) and storage."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from valvomo.appdb import Base, session_scope, upgrade_to_head
from valvomo.appdb.engine import dispose_engines, get_engine
from valvomo.appdb.migrate import alembic_config
from valvomo.config import Settings
from valvomo.segments.questionnaire import load_questionnaire
from valvomo.services import questionnaire_answers as store

TABLES = {"questionnaire_responses", "questionnaire_response_items"}
POSTGRES_URL = os.environ.get("VALVOMO_TEST_POSTGRES_URL")


@pytest.fixture
def settings(tmp_path):
    settings = Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path / 'app.sqlite3'}")
    upgrade_to_head(settings)
    yield settings
    dispose_engines()


def _differences(connection):
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    found = []
    for diff in compare_metadata(context, Base.metadata):
        first = diff[0] if isinstance(diff, list) else diff
        names = {getattr(getattr(x, "table", x), "name", x) for x in first[1:]}
        if names & TABLES:
            found.append(diff)
    return found


def scores(resources, complexity):
    return {**{f"R{i}": resources for i in range(1, 6)}, **{f"C{i}": complexity for i in range(1, 6)}}


def test_migration_matches_the_models_and_goes_down_and_up(settings):
    with get_engine(settings).connect() as connection:
        assert set(inspect(connection).get_table_names()) >= TABLES
        assert _differences(connection) == []
    config = alembic_config(settings)
    with get_engine(settings).begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0002_auth")
    with get_engine(settings).connect() as connection:
        names = set(inspect(connection).get_table_names())
    assert not (TABLES & names) and "users" in names
    assert upgrade_to_head(settings) == "0003_segments"


def test_answers_are_stored_per_patient_with_date_and_professional(settings):
    qset = load_questionnaire()
    with session_scope(settings) as db:
        store.save_answer(db, qset, patient_id="P1", station_id="ST-A", answered_on=dt.date(2024, 5, 2),
                          professional="nurse1", scores=scores(3, 2))  # fmt: skip
        store.save_answer(db, qset, patient_id="P1", station_id="ST-A", answered_on=dt.date(2024, 9, 2),
                          professional="nurse2", scores=scores(1, 5))  # fmt: skip
    with session_scope(settings) as db:
        latest, first = store.answers_of(db, "P1")
        assert (latest.answered_on, latest.professional, latest.segment) == (dt.date(2024, 9, 2), "nurse2", "network_customer")
        # resources mean 3 = 0.5, the cut-off itself: high; complexity 2 -> 0.25: low
        assert (first.resources, first.complexity, first.segment) == (0.5, 0.25, "self_managing")
        assert [(i.item, i.score) for i in first.items][:2] == [("C1", 2), ("C2", 2)] and len(first.items) == 10


def test_an_incomplete_or_out_of_scale_answer_is_refused(settings):
    qset = load_questionnaire()
    missing = scores(3, 3)
    del missing["C4"]
    with pytest.raises(store.AnswerError, match="item C4 is not answered"):
        store.score_answer(qset, missing)
    with pytest.raises(store.AnswerError, match="must be 1-5, got 6"):
        store.score_answer(qset, {**scores(3, 3), "R2": 6})


@pytest.mark.skipif(not POSTGRES_URL, reason="no PostgreSQL server: set VALVOMO_TEST_POSTGRES_URL to run")
def test_migration_and_storage_on_postgresql(tmp_path, postgres_to_ourselves):
    engine = create_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    settings = Settings(home=tmp_path, database_url=POSTGRES_URL)
    try:
        assert upgrade_to_head(settings) == "0003_segments"
        with get_engine(settings).connect() as connection:
            assert _differences(connection) == []
        with session_scope(settings) as db:
            store.save_answer(db, load_questionnaire(), patient_id="P1", station_id="ST-A",
                              answered_on=dt.date(2024, 5, 2), professional="n", scores=scores(4, 4))  # fmt: skip
        with session_scope(settings) as db:
            assert store.answers_of(db, "P1")[0].segment == "collaborative"
        config = alembic_config(settings)
        with get_engine(settings).begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0002_auth")
        with get_engine(settings).connect() as connection:
            assert not (TABLES & set(inspect(connection).get_table_names()))
    finally:
        dispose_engines()
