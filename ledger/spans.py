"""The status timeline of each asset, stored as spans (import.md, "The status timeline").

Timeline entries are the asset's status changes plus the card's own (状况起始日期, 使用状况);
on a day given by both, the card wins. Before the first entry the asset is 在用 from its
取得日期. Each entry becomes a span [start_on, end_on) up to the next entry; a 闲置 span
carries `run_start`, the date of the first entry of its unbroken run of 闲置 entries (an
idle-after-idle entry does not restart the run). The same SQL runs on SQLite and PostgreSQL.
"""
from __future__ import annotations

from sqlalchemy import Connection

_SPANS_SQL = """
WITH touched AS ({touched}),
entries AS (
    SELECT a.code AS asset_code, a.acquired_on AS d, 'in_use' AS status, 0 AS prio
      FROM assets a WHERE a.code IN (SELECT asset_code FROM touched)
    UNION ALL
    SELECT c.asset_code, c.changed_on, c.status, 1
      FROM status_changes c WHERE c.asset_code IN (SELECT asset_code FROM touched)
    UNION ALL
    SELECT a.code, a.status_since, a.status, 2
      FROM assets a WHERE a.code IN (SELECT asset_code FROM touched)
),
ranked AS (
    SELECT asset_code, d, status,
           ROW_NUMBER() OVER (PARTITION BY asset_code, d ORDER BY prio DESC) AS rn
      FROM entries
),
seq AS (
    SELECT asset_code, d, status,
           LEAD(d) OVER (PARTITION BY asset_code ORDER BY d) AS next_d,
           CASE WHEN status = 'idle' AND LAG(status) OVER (PARTITION BY asset_code ORDER BY d) = 'idle'
                THEN 0 ELSE 1 END AS brk
      FROM ranked WHERE rn = 1
),
runs AS (
    SELECT asset_code, d, next_d, status,
           SUM(brk) OVER (PARTITION BY asset_code ORDER BY d ROWS UNBOUNDED PRECEDING) AS run_no
      FROM seq
)
INSERT INTO status_spans (asset_code, start_on, end_on, status, run_start)
SELECT asset_code, d, next_d, status,
       CASE WHEN status = 'idle' THEN MIN(d) OVER (PARTITION BY asset_code, run_no) END
  FROM runs
"""


def rebuild_spans(conn: Connection, touched_select: str = "SELECT code AS asset_code FROM assets") -> None:
    """Recompute the spans of the assets the query `touched_select` names (default: all)."""
    conn.exec_driver_sql(f"DELETE FROM status_spans WHERE asset_code IN ({touched_select})")
    conn.exec_driver_sql(_SPANS_SQL.format(touched=touched_select))
