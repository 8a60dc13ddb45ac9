"""A range of months computed from one reading of the ledger stores what computing each month on
its own does: the months before come from the range itself (kept in DuckDB), not read back."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, func, select

import jobs.runner
from jobs.runner import compute_month, compute_months
from ledger.locks import named_lock
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


def stored_months(engine) -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.scalars(select(Snapshot.month)))


def months_free(engine, months) -> bool:
    """No month's lock left held: each taken at once."""
    for month in months:
        with named_lock(engine, f"compute-{month}", wait=0):
            pass
    return True


@pytest.mark.parametrize("failing", ["compute", "store"])
def test_a_failure_stops_the_range_and_leaves_the_months_stored_before_it(city, config, monkeypatch, failing):
    """Month N is stored while N+1 is computed: whichever of the two fails, the months before the
    failure are stored whole, none after it, and no month's lock is left held."""
    forget(city)
    real = getattr(jobs.runner, failing)

    def broken(*args, **kwargs):
        month = args[1] if failing == "compute" else args[1].month
        if month == "2026-08":
            raise RuntimeError("磁盘已满 / disk full")
        return real(*args, **kwargs)
    monkeypatch.setattr(jobs.runner, failing, broken)
    with pytest.raises(RuntimeError, match="disk full"):
        compute_months(city, config, MONTHS, "test")
    assert stored_months(city) == ["2026-06", "2026-07"]
    assert months_free(city, MONTHS)
    with city.connect() as conn:  # the months stored are whole
        assert {m: n for m, n in conn.execute(select(WarningRow.month, func.count()).group_by(WarningRow.month))} == {
            m: counts["warnings"] for m, counts in conn.execute(select(Snapshot.month, Snapshot.row_counts))}
