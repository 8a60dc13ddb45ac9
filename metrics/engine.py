"""The analytic engine: the ledger tables a computation needs, read as Arrow into DuckDB.

The ledger database (SQLite or PostgreSQL) stays the source of truth; a computation reads it
once (ledger.columnar: Arrow through ADBC, one read transaction) and computes everything in
DuckDB.
"""
from __future__ import annotations

import duckdb
from sqlalchemy import Engine

from ledger import columnar
from ledger.config import Config
from metrics.figures import build_timeline

# table -> {column: DuckDB type}; what metrics/ reads of the ledger and the snapshots
LEDGER: dict[str, dict[str, str]] = {
    "regions": {"code": "VARCHAR", "name": "VARCHAR"},
    "departments": {"code": "VARCHAR", "name": "VARCHAR", "region_code": "VARCHAR"},
    "units": {"code": "VARCHAR", "name": "VARCHAR", "dept_code": "VARCHAR"},
    "assets": {"code": "VARCHAR", "unit_code": "VARCHAR", "category": "VARCHAR", "original_value": "BIGINT",
               "acquired_on": "DATE", "location": "VARCHAR", "photo_count": "INTEGER", "status": "VARCHAR",
               "status_since": "DATE"},
    "status_changes": {"asset_code": "VARCHAR", "changed_on": "DATE", "status": "VARCHAR"},
    "plans": {"plan_id": "VARCHAR", "asset_code": "VARCHAR", "listed_on": "DATE", "due_on": "DATE",
              "done_on": "DATE"},
    "income": {"income_id": "VARCHAR", "asset_code": "VARCHAR", "kind": "VARCHAR", "received_on": "DATE",
               "amount": "BIGINT", "appraised_value": "BIGINT", "remitted_on": "DATE", "remitted_amount": "BIGINT"},
    "leases": {"lease_id": "VARCHAR", "asset_code": "VARCHAR", "start_on": "DATE", "end_on": "DATE",
               "appraised": "BOOLEAN", "public_bidding": "BOOLEAN"},
    "listings": {"listing_id": "VARCHAR", "asset_code": "VARCHAR", "listed_on": "DATE", "delisted_on": "DATE"},
}
# earlier snapshots, read for one month at a time
HISTORY: dict[str, dict[str, str]] = {
    "kpi_rows": {"month": "VARCHAR", "level": "VARCHAR", "code": "VARCHAR", "rank": "INTEGER"},
    "warning_rows": {"month": "VARCHAR", "rule": "VARCHAR", "ref": "VARCHAR", "first_seen": "DATE"},
    "list_entries": {"month": "VARCHAR", "list": "VARCHAR", "level": "VARCHAR", "code": "VARCHAR"},
}
# what a month reads of the month before (rank changes, first_seen, the lists' "month before")
# and of the one before that (the lists' "interviewed twice")
HISTORY_READ: dict[str, tuple[str, ...]] = {"prev": ("kpi_rows", "warning_rows", "list_entries"),
                                            "prev2": ("list_entries",)}
# a month's results as its snapshot stores them, for the months after it (`keep_history`)
KEPT = {"kpi_rows": "SELECT {month} AS month, level, code, rank FROM kpis",
        "warning_rows": "SELECT {month} AS month, rule, ref, first_seen FROM warnings",
        "list_entries": "SELECT DISTINCT {month} AS month, list, level, code FROM list_reasons"}


def keep_history(duck: duckdb.DuckDBPyConnection, month: str) -> None:
    """The month just computed (`kpis`, `warnings`, `list_reasons`) kept as the history of the
    months after it, as its stored snapshot has it: `kept_<table>_<yyyymm>`."""
    for table, select in KEPT.items():
        duck.execute(f"CREATE OR REPLACE TABLE kept_{table}_{month.replace('-', '')} AS "
                     + select.format(month=f"'{month}'"))


def drop_kept(duck: duckdb.DuckDBPyConnection, month: str) -> None:
    for table in KEPT:
        duck.execute(f"DROP TABLE IF EXISTS kept_{table}_{month.replace('-', '')}")


def history_from_kept(duck: duckdb.DuckDBPyConnection, months: dict[str, str],
                      kept: list[str]) -> list[tuple[str, str, str]]:
    """The history tables `<table>_<key>` of HISTORY_READ for `months` ({"prev": "2026-09",
    "prev2": "2026-08"}) made from the `kept` months; (table, key, month) of those not kept."""
    missing = []
    for key, month in months.items():
        for table in HISTORY_READ[key]:
            if month in kept:
                duck.execute(f"CREATE OR REPLACE TABLE {table}_{key} AS "
                             f"SELECT * FROM kept_{table}_{month.replace('-', '')}")
            else:
                missing.append((table, key, month))
    return missing


class LoadedLedger:
    """The ledger read into DuckDB once, with every asset's status timeline built: the months of
    one `compute --from --to` share it (one consistent reading of the ledger for all of them)."""

    def __init__(self, engine: Engine, config: Config):
        self.engine = engine
        self.kept: list[str] = []  # the months `keep` holds, newest first
        self.duck = columnar.connect(config)
        # the cards first, the largest: on SQLite two connections read them at once, then the rest
        queries = [("assets", sql, ()) for sql in columnar.parts(engine, "assets", LEDGER["assets"])]
        queries += [(table, f"SELECT {', '.join(columns)} FROM {table}", ())
                    for table, columns in LEDGER.items() if table != "assets"]
        columnar.load(self.duck, engine, queries, LEDGER, connections=2)
        build_timeline(self.duck)

    def read_history(self, months: dict[str, str]) -> None:
        """The snapshots of `months` ({"prev": "2026-09", "prev2": "2026-08"}) as `<table>_<key>`,
        those of HISTORY_READ: a month this ledger computed itself (`keep`) from DuckDB, the others
        from the database."""
        mark = columnar.placeholder(self.engine)
        missing = history_from_kept(self.duck, months, self.kept)
        columnar.load(self.duck, self.engine,
                      [(f"{table}_{key}", f"SELECT {', '.join(HISTORY[table])} FROM {table} WHERE month = {mark}",
                        (month,)) for table, key, month in missing],
                      {f"{table}_{key}": HISTORY[table] for table, key, _ in missing})

    def keep(self, month: str) -> None:
        """`month`, just computed from this ledger (and stored before the next is), is the history
        the next months read: a range reads it from DuckDB, not back from the database. Two months
        are kept."""
        keep_history(self.duck, month)
        self.kept = [month, *(m for m in self.kept if m != month)]
        for old in self.kept[2:]:
            drop_kept(self.duck, old)
        del self.kept[2:]

    def close(self) -> None:
        self.duck.close()

    def __enter__(self) -> "LoadedLedger":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
