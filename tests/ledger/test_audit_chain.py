"""The audit log cannot be rewritten through the portal's database guards, and what a database
owner rewrites around them shows in the hash chain (`panhuo audit verify`)."""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from jobs.cli import main
from ledger import audit
from tests.helpers import tamper_audit_log


def written(engine, count=4):
    with engine.begin() as conn:
        for i in range(1, count + 1):
            audit.record(conn, f"user{i}", "login", f"user{i}", after={"n": i, "tuple": (1, 2)}, address="10.0.0.1")
    return engine


def check(engine):
    with engine.connect() as conn:
        return audit.verify(conn)


def test_an_untouched_log_verifies(engine):
    written(engine)
    found = check(engine)
    assert found.intact and found.rows == 4 and len(found.head) == 64


def test_writing_over_an_existing_row_is_refused(engine):
    written(engine)
    with pytest.raises(DBAPIError, match="append-only|duplicate key|UNIQUE"):
        with engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                # REPLACE deletes the old row without firing the DELETE trigger
                conn.execute(text("INSERT OR REPLACE INTO audit_log (id, at, actor, action) "
                                  "VALUES (1, '2026-01-01 00:00:00', 'mallory', 'login')"))
            else:
                conn.execute(text("INSERT INTO audit_log (id, at, actor, action) VALUES "
                                  "(1, '2026-01-01 00:00:00', 'mallory', 'login') "
                                  "ON CONFLICT (id) DO UPDATE SET actor = 'mallory'"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT actor FROM audit_log WHERE id = 1")).scalar() == "user1"
    assert check(engine).intact


@pytest.mark.parametrize("tamper, broken_at, words", [
    ("UPDATE audit_log SET actor = 'mallory' WHERE id = 2", 2, "content does not match"),
    ("DELETE FROM audit_log WHERE id = 2", 3, "does not link"),
    ("UPDATE audit_log SET after = NULL WHERE id = 4", 4, "content does not match"),
])
def test_a_row_changed_behind_the_guards_is_named(engine, tamper, broken_at, words):
    written(engine)
    tamper_audit_log(engine, tamper)
    found = check(engine)
    assert not found.intact and found.broken_at == broken_at and words in found.reason_en


def test_panhuo_audit_verify_names_the_first_broken_row(engine, base_config, monkeypatch):
    written(engine)
    monkeypatch.setenv("PANHUO_DATABASE_URL", base_config.database_url)
    monkeypatch.setenv("PANHUO_ORG_CITY_REGION_CODE", "990100")
    ok = CliRunner().invoke(main, ["audit", "verify"])
    assert ok.exit_code == 0 and "审计链完整" in ok.output and "4 条" in ok.output
    tamper_audit_log(engine, "UPDATE audit_log SET detail = '改过' WHERE id = 3")
    broken = CliRunner().invoke(main, ["audit", "verify"])
    assert broken.exit_code != 0 and "第 3 条" in broken.output


def test_every_action_the_portal_writes_has_its_chinese_name():
    import re
    from pathlib import Path
    written = set()
    root = Path(audit.__file__).resolve().parents[1]
    for source in (p for package in ("ledger", "metrics", "outputs", "jobs", "dashboard")
                   for p in (root / package).rglob("*.py")):
        written |= set(re.findall(r'(?:audit\.record|context\.audit|\baudit)\([^"\n]*"([a-z]+(?:\.[a-z]+)+|[a-z]+)"',
                                  source.read_text(encoding="utf-8")))
    written -= {"system"}  # an actor, not an action
    assert written and written <= set(audit.ACTIONS), written - set(audit.ACTIONS)
