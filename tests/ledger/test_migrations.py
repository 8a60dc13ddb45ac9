"""Migrations on a ledger stored before them (0008: the cards get the match keys and stock_since an
import would have given them; 0009, 0014), and the models and the migrations in agreement."""
from __future__ import annotations

import datetime as dt
import os

import pytest
from alembic import command
from sqlalchemy import text

from ledger.db import make_engine
from ledger.migrate import alembic_config
from tests.helpers import fresh_postgres_database

ROWS = """
INSERT INTO regions VALUES ('990100', '区划');
INSERT INTO departments VALUES ('D1', '部门', '990100');
INSERT INTO units VALUES ('U1', '单位', 'D1', '事业单位');
INSERT INTO assets (code, unit_code, name, category, original_value, acquired_on, status, status_since, photo_count, shared)
VALUES ('A1', 'U1', ' 办公　桌 ', 'furniture', 100, '2020-01-01', 'idle', '2026-05-01', 0, false),
       ('A2', 'U1', 'ＨＰ Printer', 'general_equipment', 100, '2020-01-01', 'in_use', '2025-01-01', 0, false),
       ('A3', 'U1', '车', 'vehicle', 100, '2020-01-01', 'in_use', '2020-01-01', 0, false);
INSERT INTO status_changes VALUES ('A2', '2023-04-01', 'underused');
INSERT INTO listings (listing_id, asset_code, mode, scope, listed_on) VALUES ('L3', 'A3', 'sharing', 'local', '2024-01-01');
"""


def fresh_database(tmp_path) -> str:
    """An empty database of the kind the suite runs on (PostgreSQL: one of its own, beside `test`)."""
    url = os.environ.get("PANHUO_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path / 'old.db'}"
    return fresh_postgres_database(url, "panhuo_migration_test")


def test_0008_backfills_the_cards_stored_before_it(tmp_path):
    engine = make_engine(fresh_database(tmp_path))
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0007")
        for statement in ROWS.strip().split(";"):
            if statement.strip():
                conn.execute(text(statement))
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    with engine.connect() as conn:
        rows = {r.code: (r.name_key, r.stock_since) for r in conn.execute(
            text("SELECT code, name_key, stock_since FROM assets"))}
    as_date = lambda v: v if v is None or isinstance(v, dt.date) else dt.date.fromisoformat(v)  # noqa: E731
    assert {k: (n, as_date(s)) for k, (n, s) in rows.items()} == {
        "A1": ("办公桌", dt.date(2026, 5, 1)), "A2": ("hpprinter", dt.date(2023, 4, 1)), "A3": ("车", None)}
    engine.dispose()


def test_0009_chains_the_audit_rows_written_before_it(tmp_path):
    from ledger import audit

    engine = make_engine(fresh_database(tmp_path))
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0008")
        conn.execute(text("INSERT INTO audit_log (at, actor, action, target, after) VALUES "
                          "('2026-01-05 09:00:00', 'cli:root', 'import', '#1 台账.xlsx', '{\"rows\": {\"assets\": 3}}'), "
                          "('2026-01-06 10:30:00', '张三', 'login', '张三', NULL)"))
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    with engine.begin() as conn:
        audit.record(conn, "李四", "login", "李四")
    with engine.connect() as conn:
        check = audit.verify(conn)
    assert check.intact and check.rows == 3
    engine.dispose()


def test_0014_keeps_the_stored_warnings_and_their_index_and_drops_only_the_check(tmp_path):
    from sqlalchemy import inspect

    engine = make_engine(fresh_database(tmp_path))
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0013")
        conn.execute(text("INSERT INTO snapshots (month, snapshot_date, computed_at, row_counts) "
                          "VALUES ('2026-10', '2026-10-31', '2026-11-01 02:00:00', '{}')"))
        conn.execute(text("INSERT INTO warning_rows VALUES ('2026-10', 'idle_overdue', 'A1', 'red', 'A1', 'U1', 'D1', "
                          "'990100', 400, 13, '2025-10-31', '闲置超过 12 个月')"))
        assert inspect(conn).get_foreign_keys("warning_rows") != []
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT month, rule, ref, months, message FROM warning_rows")).all() == [
            ("2026-10", "idle_overdue", "A1", 13, "闲置超过 12 个月")]
        assert inspect(conn).get_foreign_keys("warning_rows") == []
        assert "ix_warning_rows_scope" in {i["name"] for i in inspect(conn).get_indexes("warning_rows")}
        assert inspect(conn).get_pk_constraint("warning_rows")["constrained_columns"] == ["month", "rule", "ref"]
    with engine.begin() as conn:  # and back
        command.downgrade(alembic_config(conn), "0013")
        assert [fk["referred_table"] for fk in inspect(conn).get_foreign_keys("warning_rows")] == ["snapshots"]
    engine.dispose()


# the trigram indexes are on lower(…), an expression autogenerate cannot compare: it says so, and skips them
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_the_models_and_the_migrations_agree(migrated_engine):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from ledger.migrate import on_this_database
    from ledger.models import Base

    with migrated_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "include_object": on_this_database(conn.dialect.name)})
        assert compare_metadata(context, Base.metadata) == []  # autogenerate would find nothing to write


def test_on_postgresql_a_part_of_a_cards_name_or_code_is_found_by_its_trigram_index(migrated_engine):
    """Migration 0012: the searches' "contains" over the cards can use an index (pg_trgm) where a
    million cards would otherwise be read one by one; a join on a card's code never can (a trigram
    index taken for an equality cost 20 ms a row)."""
    from sqlalchemy import select

    from ledger.models import Asset, WarningRow, holds
    if migrated_engine.dialect.name != "postgresql":
        pytest.skip("trigram indexes are PostgreSQL's")

    def plan(conn, query) -> str:
        compiled = query.compile(conn, compile_kwargs={"literal_binds": True})
        # the driver's own execute: no parameters, so the '%' of a LIKE pattern is left as it is
        return "\n".join(r[0] for r in conn.connection.driver_connection.execute(f"EXPLAIN {compiled}"))

    with migrated_engine.connect() as conn:
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        assert "ix_assets_name_trgm" in plan(conn, select(Asset.code).where(holds(Asset.name, "办公桌椅")))
        definition = conn.exec_driver_sql("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_assets_code_trgm'").scalar()
        assert "gin (lower((code)::text) gin_trgm_ops)" in definition
        joined = plan(conn, select(WarningRow.rule).join(Asset, Asset.code == WarningRow.asset_code))
        assert "trgm" not in joined, joined
        fillfactor = conn.exec_driver_sql("SELECT reloptions FROM pg_class WHERE relname = 'warning_cases'").scalar()
        assert "fillfactor=50" in fillfactor
