"""A range of months computed from one reading of the ledger stores what computing each month on
its own does: the months before come from the range itself (kept in DuckDB), not read back."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select

from jobs.runner import compute_month, compute_months
from ledger.models import KpiRow, ListEntry, Snapshot, WarningCase, WarningEvent, WarningRow
from metrics.timeline import months_range

MONTHS = months_range("2026-06", "2026-10")


def stored(engine) -> dict[str, list[tuple]]:
    """Every snapshot row of MONTHS, sorted, without the computation's own time."""
    out = {}
    with engine.connect() as conn:
        for model in (KpiRow, WarningRow, ListEntry):
            columns = [c for c in model.__table__.columns if c.name != "id"]
            rows = conn.execute(select(*columns).where(model.month.in_(MONTHS))).all()
            out[model.__tablename__] = sorted((tuple(map(repr, r)) for r in rows))
    return out


def forget(engine) -> None:
    with engine.begin() as conn:
        for model in (WarningEvent, WarningCase, WarningRow, KpiRow, ListEntry, Snapshot):
            conn.execute(delete(model))


def test_a_range_stores_what_its_months_computed_one_by_one_store(city, config):
    forget(city)
    for month in MONTHS:  # each reads the months before it back from the database
        compute_month(city, config, month, "test")
    alone = stored(city)
    forget(city)
    compute_months(city, config, MONTHS, "test")
    ranged = stored(city)
    # what the history changes, present: rank changes, warnings first seen before, lists of months before
    assert any(r[0] == "'2026-10'" for r in alone["list_entries"])
    with city.connect() as conn:
        assert conn.scalar(select(KpiRow.rank_change).where(KpiRow.month == "2026-10",
                                                             KpiRow.rank_change.is_not(None)).limit(1)) is not None
        assert conn.scalar(select(WarningRow.first_seen).where(WarningRow.month == "2026-10",
                                                               WarningRow.first_seen < dt.date(2026, 10, 1)).limit(1))
    assert ranged == alone
