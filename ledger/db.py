"""Engine and sessions. SQLite runs in WAL mode with a busy timeout and foreign keys on."""
from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

# Dates go to SQLite as ISO text, the form SQLAlchemy's Date type reads back (the implicit
# adapter is deprecated since Python 3.12).
sqlite3.register_adapter(dt.date, dt.date.isoformat)
sqlite3.register_adapter(dt.datetime, lambda value: value.isoformat(" "))


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            # Let SQLAlchemy, not pysqlite, issue BEGIN so transactions cover DDL and DML alike.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            # A writer takes the lock up front (IMMEDIATE): two writers then wait for each
            # other instead of one failing half-way with "database is locked".
            immediate = conn.get_execution_options().get("write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True)


@contextmanager
def session_scope(engine: Engine, write: bool = False) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back on any exception.

    `write=True` marks a transaction that will write, so SQLite locks at its start.
    """
    bind = engine.execution_options(write=True) if write else engine
    session = sessionmaker(bind, expire_on_commit=False)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def is_busy(exc: Exception) -> bool:
    """The database was busy past its timeout (SQLite: another process writing), not broken."""
    text = str(getattr(exc, "orig", None) or exc)
    return "locked" in text or "busy" in text
