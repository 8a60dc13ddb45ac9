"""Fixtures: a migrated, empty database per test on SQLite (default) or on the PostgreSQL
named by PANHUO_DATABASE_URL; a config that points at it; the small city of tests/city.py, built
once per session and put back before each test that asks for it; one portal app over it."""
from __future__ import annotations

import os

import pytest
from hypothesis import settings
from sqlalchemy import make_url, text

from dashboard import cache
from ledger import accounts
from ledger.config import load_config
from ledger.db import make_engine
from ledger.migrate import upgrade
from tests.city import build_city, login, make_app
from tests.helpers import empty_all, fresh_postgres_database, restore_rows, table_rows

# no per-example deadline: a loaded CI machine is not a failure (speed is measured in benchmarks/)
settings.register_profile("panhuo", deadline=None)
# the fast lane (scripts/test.sh --fast) tries each property on fewer examples; the full run on 100
settings.register_profile("fast", deadline=None, max_examples=20)
settings.load_profile("fast" if os.environ.get("PANHUO_TEST_FAST") else "panhuo")

# Logging in is much of what many tests do, and scrypt at the cost a portal needs takes 0.07 s a
# hash here: a fifth of the fast lane went to it. Tests hash with scrypt 32 times cheaper, as
# Django's test settings swap in a fast hasher; test_accounts.py holds the portal to the full cost.
PORTAL_HASH_METHOD = accounts.HASH_METHOD
accounts.HASH_METHOD = "scrypt:1024:8:1"


def pytest_report_header(config):
    return f"database: {os.environ.get('PANHUO_DATABASE_URL', 'sqlite (per-test file)')}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("PANHUO_DATABASE_URL")
    if url and "PYTEST_XDIST_WORKER" in os.environ:
        return fresh_postgres_database(url, make_url(url).database)  # one database per parallel worker
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


@pytest.fixture
def engine(migrated_engine):
    """The shared engine, with every table emptied before the test."""
    return empty_all(migrated_engine)


@pytest.fixture(scope="session")
def base_config(database_url, tmp_path_factory):
    return load_config(environ={}).replace(database__url=database_url, org__city_region_code="990100",
                                           server__cache_dir=str(tmp_path_factory.mktemp("cache")))


@pytest.fixture
def config(base_config):
    return base_config


@pytest.fixture(scope="session")
def city_rows(migrated_engine, base_config, tmp_path_factory) -> dict[str, list[dict]]:
    """The city's rows, imported and computed once."""
    build_city(empty_all(migrated_engine), base_config, tmp_path_factory.mktemp("city"))
    return table_rows(migrated_engine)


def put_back(engine, rows):
    restore_rows(engine, rows)
    cache.clear()  # a test may have changed rows without changing the versions the cache is keyed by
    return engine


@pytest.fixture
def city(engine, city_rows):
    """The city, as built, for this test alone."""
    return put_back(engine, city_rows)


@pytest.fixture(scope="session")
def portal(base_config):
    app = make_app(base_config)
    # Dash hands the callbacks registered at import (the shell's) to the first app that serves a
    # request in the process; a test's own short-lived app must not be that one
    app.test_client().get("/login")
    return app


@pytest.fixture
def app(city, portal):
    """The portal over a fresh city; settings a test changes are put back after it."""
    saved = dict(portal.config)
    yield portal
    portal.config.clear()
    portal.config.update(saved)


@pytest.fixture(scope="module")
def shared_app(migrated_engine, city_rows, portal):
    """The portal over one city for a module of tests that only read (or build on each other)."""
    put_back(migrated_engine, city_rows)
    return portal


@pytest.fixture
def as_user(app):
    def make(username):
        client = app.test_client()
        response = login(client, username)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client
    return make
