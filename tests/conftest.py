"""Fixtures: a migrated, empty database per test on SQLite (default) or on the PostgreSQL
named by PANHUO_DATABASE_URL; a config that points at it."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy import text

from ledger.config import load_config
from ledger.db import make_engine
from ledger.migrate import upgrade
from ledger.models import Base

# no per-example deadline: a loaded CI machine is not a failure (speed is measured in benchmarks/)
settings.register_profile("panhuo", deadline=None)
settings.load_profile("panhuo")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SAMPLE = SHARED / "samples" / "qingjiang-3k"


def pytest_report_header(config):
    return f"database: {os.environ.get('PANHUO_DATABASE_URL', 'sqlite (per-test file)')}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("PANHUO_DATABASE_URL")
    if url:
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'panhuo.db'}"


@pytest.fixture(scope="session")
def migrated_engine(database_url):
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def empty_all(migrated_engine):
    """Empty every table, the append-only audit log too (its guard triggers are lifted for this)."""
    with migrated_engine.begin() as conn:
        names = [t.name for t in reversed(Base.metadata.sorted_tables)]
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
        else:
            guards = conn.execute(text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'")).all()
            for name, _ in guards:
                conn.execute(text(f"DROP TRIGGER {name}"))
            for name in names:
                conn.execute(text(f"DELETE FROM {name}"))
            for _, sql in guards:
                conn.execute(text(sql))
    return migrated_engine


@pytest.fixture
def engine(migrated_engine):
    """The shared engine, with every table emptied before the test."""
    return empty_all(migrated_engine)


@pytest.fixture(scope="session")
def base_config(database_url):
    return load_config(environ={}).replace(database__url=database_url, org__city_region_code="990100")


@pytest.fixture
def config(base_config):
    return base_config
