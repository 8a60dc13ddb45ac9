"""The pages' cache: what one worker process read, another reads from disk; never across scopes,
data versions or versions of the code; a folder open to other accounts is not used."""
from __future__ import annotations

import os

import pytest

from dashboard import cache
from dashboard.scope import Scope

calls: list[tuple] = []


@cache.snapshot_cached
def counted(engine, scope, month):
    """A read that says how often it really ran."""
    calls.append((scope.kind, scope.code, month))
    return {"scope": scope.code, "month": month, "rows": list(range(3))}


def another_worker(monkeypatch, pid):
    """What a second process starts with: no memory, its own handle on the shared folder."""
    with cache._lock:
        cache._entries.clear()
    monkeypatch.setattr(os, "getpid", lambda: pid)


@pytest.fixture
def fresh(app, engine):
    calls.clear()
    cache.clear()
    with app.app_context():
        yield engine


def test_a_read_is_shared_by_the_workers_and_never_across_scopes(fresh, monkeypatch):
    d1, d2 = Scope("department", "D1"), Scope("department", "D2")
    first = counted(fresh, d1, "2026-10")
    another_worker(monkeypatch, 10_001)
    assert counted(fresh, d1, "2026-10") == first and len(calls) == 1  # read from disk, not again
    assert counted(fresh, d2, "2026-10")["scope"] == "D2" and len(calls) == 2  # another scope: its own read
    assert counted(fresh, d1, "2026-09")["month"] == "2026-09" and len(calls) == 3
    mine = counted(fresh, d1, "2026-10")
    mine["rows"].append(99)  # what a caller changes stays its own
    another_worker(monkeypatch, 10_002)
    assert counted(fresh, d1, "2026-10")["rows"] == [0, 1, 2] and len(calls) == 3


def test_what_a_caller_changes_stays_its_own_in_the_same_worker(fresh):
    first = counted(fresh, Scope("all"), "2026-10")  # read now
    first["rows"].append(99)
    again = counted(fresh, Scope("all"), "2026-10")  # from this worker's memory
    assert again["rows"] == [0, 1, 2] and len(calls) == 1
    again["rows"].clear()
    again["scope"] = "changed"
    assert counted(fresh, Scope("all"), "2026-10") == {"scope": None, "month": "2026-10", "rows": [0, 1, 2]}
    assert len(calls) == 1


def test_a_broken_entry_on_disk_is_read_again(fresh, monkeypatch):
    counted(fresh, Scope("all"), "2026-10")
    another_worker(monkeypatch, 10_006)
    disk = cache._disk()
    for key in disk:  # the bytes kept there, spoilt
        disk.set(key, b"not a pickle")
    assert counted(fresh, Scope("all"), "2026-10")["rows"] == [0, 1, 2] and len(calls) == 2


def test_a_new_version_is_read_again(fresh, monkeypatch):
    import datetime as dt

    from sqlalchemy import update

    from ledger.models import Snapshot
    counted(fresh, Scope("all"), "2026-10")
    with fresh.begin() as conn:  # a computation stamps its snapshot
        conn.execute(update(Snapshot).where(Snapshot.month == "2026-10").values(computed_at=dt.datetime(2030, 1, 1)))
    another_worker(monkeypatch, 10_003)
    counted(fresh, Scope("all"), "2026-10")
    assert len(calls) == 2


def test_what_another_version_of_the_portal_kept_is_not_read(fresh, monkeypatch):
    counted(fresh, Scope("all"), "2026-10")
    another_worker(monkeypatch, 10_005)
    monkeypatch.setattr(cache, "CODE", "deployed-later")  # the next deployment, over the same data
    counted(fresh, Scope("all"), "2026-10")
    assert len(calls) == 2


def test_a_folder_others_may_write_is_not_read(app, fresh, monkeypatch, tmp_path):
    shared = tmp_path / "open"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setitem(app.extensions, "panhuo.config",
                        app.extensions["panhuo.config"].replace(server__cache_dir=str(shared)))
    counted(fresh, Scope("all"), "2026-10")
    another_worker(monkeypatch, 10_004)
    counted(fresh, Scope("all"), "2026-10")
    assert len(calls) == 2 and not any(shared.iterdir())  # nothing kept there, nothing read from there
