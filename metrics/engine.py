"""The analytic engine: the ledger tables a computation needs, read as Arrow into DuckDB.

The ledger database (SQLite or PostgreSQL) stays the source of truth; a computation reads it
once (ledger.columnar: Arrow through ADBC, one read transaction) and computes everything in
DuckDB.
"""
from __future__ import annotations

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


class LoadedLedger:
    """The ledger read into DuckDB once, with every asset's status timeline built: the months of
    one `compute --from --to` share it (one consistent reading of the ledger for all of them)."""

    def __init__(self, engine: Engine, config: Config):
        self.engine = engine
        self.duck = columnar.connect(config)
        queries = [(table, f"SELECT {', '.join(columns)} FROM {table}", ()) for table, columns in LEDGER.items()]
        columnar.load(self.duck, engine, queries, LEDGER)
        build_timeline(self.duck)

    def read_history(self, months: dict[str, str]) -> None:
        """The snapshots of `months` ({"prev": "2026-09", ...}) as `<table>_<key>` (rank changes,
        first_seen and the lists' "month before" come from them)."""
        mark = columnar.placeholder(self.engine)
        queries = [(f"{table}_{key}", f"SELECT {', '.join(columns)} FROM {table} WHERE month = {mark}", (month,))
                   for table, columns in HISTORY.items() for key, month in months.items()]
        columnar.load(self.duck, self.engine, queries,
                      {f"{t}_{k}": c for t, c in HISTORY.items() for k in months})

    def close(self) -> None:
        self.duck.close()

    def __enter__(self) -> "LoadedLedger":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
