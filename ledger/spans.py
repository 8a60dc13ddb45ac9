"""The status timeline of each asset, stored as spans (import.md, "The status timeline").

Timeline entries are the asset's status changes plus the card's own (状况起始日期, 使用状况);
on a day given by both, the card wins. Before the first entry the asset is 在用 from its
取得日期. Each entry becomes a span [start_on, end_on) up to the next entry; a 闲置 span
carries `run_start`, the date of the first entry of its unbroken run of 闲置 entries (an
idle-after-idle entry does not restart the run).

Assets and status changes are read in key order and merged as they stream by, so memory
stays flat; spans are written in batches. (A window-function query computes the same,
but costs several times more on SQLite at a million assets.)
"""
from __future__ import annotations

from itertools import groupby
from operator import itemgetter
from typing import Iterator

from sqlalchemy import Connection

from ledger.bulk import write_rows

SPAN_COLUMNS = ["asset_code", "start_on", "end_on", "status", "run_start"]
BATCH = 20_000


def spans_of(acquired_on, card_status: str, status_since, changes: list[tuple]) -> list[tuple]:
    """Spans (start_on, end_on, status, run_start) of one asset; `changes` are (changed_on, status) sorted."""
    entries = [(acquired_on, 0, "in_use")]
    entries += [(on, 1, status) for on, status in changes]
    entries.append((status_since, 2, card_status))
    entries.sort()
    # one entry per day, the highest priority (card > change > implicit start) winning
    timeline = [entries[i] for i in range(len(entries)) if i + 1 == len(entries) or entries[i + 1][0] != entries[i][0]]
    out = []
    run_start = None
    for i, (on, _, status) in enumerate(timeline):
        if status == "idle":
            if run_start is None:
                run_start = on
        else:
            run_start = None
        end = timeline[i + 1][0] if i + 1 < len(timeline) else None
        out.append((on, end, status, run_start))
    return out


def _stream(conn: Connection, sql: str) -> Iterator[tuple]:
    result = conn.exec_driver_sql(sql, execution_options={"stream_results": True, "yield_per": BATCH})
    for row in result:
        yield tuple(row)


def rebuild_spans(conn: Connection, touched_select: str | None = None) -> int:
    """Recompute the spans of the assets named by `touched_select` (a query of asset_code), or of all."""
    if touched_select:
        conn.exec_driver_sql(f"DELETE FROM status_spans WHERE asset_code IN ({touched_select})")
        asset_filter = f"WHERE code IN ({touched_select})"
        change_filter = f"WHERE asset_code IN ({touched_select})"
    else:
        conn.exec_driver_sql("DELETE FROM status_spans")
        asset_filter = change_filter = ""
    # the merge compares codes in Python: both streams must be sorted by code point, not by locale
    binary = ' COLLATE "C"' if conn.dialect.name == "postgresql" else ""
    assets = _stream(conn, f"SELECT code, acquired_on, status, status_since FROM assets {asset_filter} "
                           f"ORDER BY code{binary}")
    changes = groupby(_stream(conn, f"SELECT asset_code, changed_on, status FROM status_changes {change_filter} "
                                    f"ORDER BY asset_code{binary}, changed_on"), key=itemgetter(0))
    pending = next(changes, None)
    batch: list[tuple] = []
    written = 0
    for code, acquired_on, status, since in assets:
        own: list[tuple] = []
        # both streams are sorted by asset code; changes of assets not in this stream cannot exist (FK)
        while pending is not None and pending[0] <= code:
            if pending[0] == code:
                own = [(on, st) for _, on, st in pending[1]]
            pending = next(changes, None)
        for span in spans_of(acquired_on, status, since, own):
            batch.append((code, *span))
        if len(batch) >= BATCH:
            write_rows(conn, "status_spans", SPAN_COLUMNS, batch)
            written += len(batch)
            batch = []
    write_rows(conn, "status_spans", SPAN_COLUMNS, batch)
    return written + len(batch)
