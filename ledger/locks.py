"""Named locks that hold across processes: one computation of a month at a time (`named_lock`),
or one writer of a transaction at a time (`transaction_lock`).

PostgreSQL: a session-level advisory lock on a connection of its own. SQLite: an exclusive
`flock` on a file beside the database. Both are released by the operating system or the
server when the holder dies, so a `kill -9` never leaves a lock behind.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session


class LockBusy(RuntimeError):
    pass


def _lock_id(name: str) -> int:
    """A stable signed 64-bit key for pg_advisory_lock."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def _lock_file(engine: Engine, name: str) -> Path:
    database = engine.url.database
    if database and database != ":memory:":
        folder = Path(database).resolve().parent
        stem = Path(database).name
    else:
        folder, stem = Path(tempfile.gettempdir()), "panhuo-memory"
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)
    return folder / f".{stem}.{safe}.lock"


@contextmanager
def named_lock(engine: Engine, name: str, wait: float | None = None) -> Iterator[None]:
    """Hold the lock `name` for the block. `wait`: seconds to wait (None: as long as it takes);
    raises LockBusy if it could not be taken in time."""
    deadline = None if wait is None else time.monotonic() + wait
    if engine.dialect.name == "postgresql":
        key = _lock_id(name)
        with engine.connect() as conn:
            while not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar_one():
                conn.rollback()
                if deadline is not None and time.monotonic() >= deadline:
                    raise LockBusy(name)
                time.sleep(0.2)
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()
        return
    path = _lock_file(engine, name)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if deadline is not None and time.monotonic() >= deadline:
                    raise LockBusy(name) from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def transaction_lock(db: Connection | Session, name: str) -> None:
    """Serialise, on `name`, the writers of the caller's transaction until it ends: PostgreSQL
    takes a transaction-level advisory lock; SQLite's writers are one at a time already (every
    write transaction begins IMMEDIATE)."""
    dialect = db.dialect if isinstance(db, Connection) else db.get_bind().dialect
    if dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _lock_id(name)})
