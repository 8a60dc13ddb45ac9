"""The months with a snapshot as every surface names them: closed or still in progress (进行中),
how far the data of a month not yet ended reach, and the month a page opens on."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, select

from ledger import clock
from ledger.models import MonthClose, Snapshot
from metrics.timeline import data_date, snapshot_date
from outputs import figures


@dataclass(frozen=True)
class MonthState:
    month: str
    closed: bool  # its snapshot is final (the scheduler closes a month on `[scheduler] close_day`)
    upto: dt.date | None  # the day a month not yet ended has data to; None once it has ended
    computed_at: dt.datetime

    @property
    def label(self) -> str:
        return figures.month_label(self.month, self.closed, self.upto)

    @property
    def reach(self) -> dt.date:
        """The day its data reach: its last day, or for a month not yet ended the day it was computed."""
        return self.upto or snapshot_date(self.month)


def states(conn: Connection, zone: str, month: str | None = None) -> dict[str, MonthState]:
    """Every month with a snapshot (or just `month`), newest first."""
    query = select(Snapshot.month, Snapshot.computed_at).order_by(Snapshot.month.desc())
    if month is not None:
        query = query.where(Snapshot.month == month)
    closed = set(conn.execute(select(MonthClose.month)).scalars())
    out = {}
    for m, computed in conn.execute(query):
        reach = data_date(m, clock.local_date(computed, zone))
        out[m] = MonthState(m, m in closed, None if reach == snapshot_date(m) else reach, computed)
    return out


def default_month(found: dict[str, MonthState], today: dt.date) -> str | None:
    """The month a page opens on: the newest closed one; before any is closed, the newest that has
    ended; before any has ended, the newest."""
    ordered = sorted(found, reverse=True)
    for usable in ([m for m in ordered if found[m].closed], [m for m in ordered if snapshot_date(m) < today], ordered):
        if usable:
            return usable[0]
    return None
