"""The status timeline of each asset, stored as spans (import.md, "The status timeline").

Timeline entries are the asset's status changes plus the card's own (状况起始日期, 使用状况);
on a day given by both, the card wins. Before the first entry the asset is 在用 from its
取得日期. Each entry becomes a span [start_on, end_on) up to the next entry; a 闲置 span
carries `run_start`, the date of the first entry of its unbroken run of 闲置 entries (an
idle-after-idle entry does not restart the run). Built in DuckDB from the assets and their
changes whenever it is needed (each computation; an asset's page), never stored.
"""
from __future__ import annotations

import datetime as dt

import duckdb

# `timeline_assets` (code, acquired_on, status, status_since) and `timeline_changes` (asset_code,
# changed_on, status): the assets whose spans are made and all of their changes
SPANS = """
CREATE OR REPLACE TABLE spans AS
WITH entries AS (
    SELECT code AS asset_code, acquired_on AS on_day, 0 AS priority, 'in_use' AS status FROM timeline_assets
    UNION ALL SELECT asset_code, changed_on, 1, status FROM timeline_changes
    UNION ALL SELECT code, status_since, 2, status FROM timeline_assets),
-- one entry per day, the highest priority (card > change > implicit start) winning
timeline AS (SELECT asset_code, on_day, arg_max(status, priority) AS status FROM entries GROUP BY asset_code, on_day),
marked AS (
    SELECT *, lead(on_day) OVER w AS end_on,
           -- an idle entry after a non-idle one (or first) starts a run
           CASE WHEN status = 'idle' AND COALESCE(lag(status) OVER w, '') <> 'idle' THEN on_day END AS run_mark
      FROM timeline WINDOW w AS (PARTITION BY asset_code ORDER BY on_day))
SELECT asset_code, on_day AS start_on, end_on, status,
       CASE WHEN status = 'idle' THEN max(run_mark) OVER (PARTITION BY asset_code ORDER BY on_day
                                                          ROWS UNBOUNDED PRECEDING) END AS run_start
  FROM marked
"""


def make_spans(duck: duckdb.DuckDBPyConnection) -> None:
    """Table `spans` from `timeline_assets` and `timeline_changes`."""
    duck.execute(SPANS)


def spans_of_asset(acquired_on: dt.date, status: str, status_since: dt.date,
                   changes: list[tuple[dt.date, str]]) -> list[dict]:
    """One asset's spans ({start_on, end_on, status, run_start}, in time order), for its page."""
    with duckdb.connect() as duck:
        duck.execute("CREATE TABLE timeline_assets AS SELECT 'A' AS code, CAST(? AS DATE) AS acquired_on, "
                     "CAST(? AS VARCHAR) AS status, CAST(? AS DATE) AS status_since", [acquired_on, status, status_since])
        duck.execute("CREATE TABLE timeline_changes (asset_code VARCHAR, changed_on DATE, status VARCHAR)")
        if changes:
            duck.executemany("INSERT INTO timeline_changes VALUES ('A', ?, ?)", [list(c) for c in changes])
        make_spans(duck)
        result = duck.execute("SELECT start_on, end_on, status, run_start FROM spans ORDER BY start_on")
        names = [d[0] for d in result.description]
        return [dict(zip(names, row)) for row in result.fetchall()]
