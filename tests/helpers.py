"""Helpers that tests in several modules share: paths, emptying and refilling the database, reads."""
from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, inspect, make_url, select, text

from ledger.db import make_engine
from ledger.models import Base, KpiRow, ListEntry, WarningRow

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SAMPLE = SHARED / "samples" / "qingjiang-3k"


FAST = bool(os.environ.get("PANHUO_TEST_FAST"))  # scripts/test.sh --fast


def examples(n: int) -> int:
    """A property's number of examples: n in the full run, a third of it in the fast lane."""
    return max(5, n // 3) if FAST else n


def fresh_postgres_database(url: str, name: str) -> str:
    """Create (or recreate, empty) database `name` on the server of `url`, named for this test
    worker so that parallel workers never share one; its URL."""
    name = f"{name}_{os.environ['PYTEST_XDIST_WORKER']}" if "PYTEST_XDIST_WORKER" in os.environ else name
    server = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def _without_audit_guards(conn, statements) -> None:
    """Run `statements(conn)` with the audit log's append-only guards off for this one transaction."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        statements(conn)
        return
    guards = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                               "AND tbl_name = 'audit_log'")).all()
    for name, _ in guards:
        conn.execute(text(f"DROP TRIGGER {name}"))
    statements(conn)
    for _, sql in guards:
        conn.execute(text(sql))


def empty_all(engine: Engine) -> Engine:
    """Empty every table, the append-only audit log too."""
    names = [t.name for t in reversed(Base.metadata.sorted_tables)]

    def empty(conn):
        if conn.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
        else:
            for name in names:
                conn.execute(text(f"DELETE FROM {name}"))
    with engine.begin() as conn:
        _without_audit_guards(conn, empty)
    return engine


def schema(engine: Engine, tables: list[str]) -> dict:
    """Each table's indexes and foreign keys, to hold a schema to what it was."""
    found = inspect(engine)
    return {t: (sorted((i["name"], tuple(i["column_names"])) for i in found.get_indexes(t)),
                sorted((tuple(k["constrained_columns"]), k["referred_table"]) for k in found.get_foreign_keys(t)))
            for t in tables}


def table_rows(engine: Engine) -> dict[str, list[dict]]:
    """Every row of every table, to put back with `restore_rows`."""
    with engine.connect() as conn:
        return {t.name: [dict(r) for r in conn.execute(select(t)).mappings()] for t in Base.metadata.sorted_tables}


def restore_rows(engine: Engine, rows: dict[str, list[dict]]) -> Engine:
    """Empty the database and put `rows` back as they were (ids, hashes and all)."""
    empty_all(engine)
    with engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            if rows[table.name]:
                conn.execute(table.insert(), rows[table.name])
        if conn.dialect.name == "postgresql":
            # the ids were given: move each sequence past them
            for table in Base.metadata.sorted_tables:
                for column in table.primary_key.columns:
                    if column.autoincrement is True:
                        conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                                          f"COALESCE((SELECT max({column.name}) FROM {table.name}), 0) + 1, false)"))
    return engine


def tamper_audit_log(engine, statement: str) -> None:
    """Run `statement` on the audit log as a database owner can: with its append-only guards
    switched off for that one transaction (and put back, so later tests keep them)."""
    with engine.begin() as conn:
        _without_audit_guards(conn, lambda c: c.execute(text(statement)))


def kpi(engine, month, level, code) -> dict:
    with engine.connect() as conn:
        return dict(conn.execute(select(KpiRow.__table__).where(
            KpiRow.month == month, KpiRow.level == level, KpiRow.code == code)).mappings().one())


def warnings(engine, month) -> dict[tuple[str, str], WarningRow]:
    with engine.connect() as conn:
        return {(w.rule, w.ref): w for w in conn.execute(select(WarningRow.__table__).where(WarningRow.month == month)).all()}


def lists(engine, month) -> set[tuple[str, str, str]]:
    with engine.connect() as conn:
        return {(e.list, e.level, e.code) for e in conn.execute(select(ListEntry).where(ListEntry.month == month))}


def as_xls(source: Path, workdir: Path) -> Path:
    """`source` saved by LibreOffice as an Excel 97–2003 workbook (as older asset systems export)."""
    import subprocess

    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{workdir}/lo", "--convert-to", "xls",
                    "--outdir", str(workdir), str(source)], check=True, capture_output=True, timeout=180)
    return workdir / f"{source.stem}.xls"


def libreoffice_text(source: Path, workdir: Path, picture: str | None = None) -> str:
    """Open `source` in LibreOffice headless, convert it to PDF and return its text (whitespace
    collapsed); `picture`: also leave page one as tests/outputs/rendered/<picture>.png to look at."""
    import subprocess

    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{workdir}/lo", "--convert-to", "pdf",
                    "--outdir", str(workdir), str(source)], check=True, capture_output=True, timeout=180)
    pdf = workdir / f"{source.stem}.pdf"
    if picture:
        rendered = ROOT / "tests" / "outputs" / "rendered"
        rendered.mkdir(exist_ok=True)
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                        str(rendered / picture)], check=True)
    return " ".join(subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
