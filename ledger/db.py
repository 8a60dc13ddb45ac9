"""Engine and sessions. SQLite runs in WAL mode with a busy timeout and foreign keys on; PostgreSQL
stops a statement whose client died."""
from __future__ import annotations

import datetime as dt
import sqlite3
import time
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

# Dates go to SQLite as ISO text, the form SQLAlchemy's Date type reads back (the implicit
# adapter is deprecated since Python 3.12).
sqlite3.register_adapter(dt.date, dt.date.isoformat)
sqlite3.register_adapter(dt.datetime, lambda value: value.isoformat(" "))


CLIENT_CHECK_MS = 2_000  # how often PostgreSQL looks whether a running statement's client is alive


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
    engine = create_engine(url, pool_pre_ping=True)

    @event.listens_for(engine, "connect")
    def _postgres_settings(dbapi_conn, _record):
        # A process killed mid-statement (kill -9, an OOM kill, a timeout) leaves its statement
        # running on the server, its transaction holding the rows it locked, until the statement
        # ends: minutes for a long one, while the restarted job waits. The server checks the
        # client every CLIENT_CHECK_MS instead (PostgreSQL 14+), and ends an orphan's work.
        if dbapi_conn.info.server_version >= 140000:
            with dbapi_conn.cursor() as cur:
                cur.execute(f"SET client_connection_check_interval = {CLIENT_CHECK_MS}")
            dbapi_conn.commit()  # a SET in a transaction rolled back is undone

    return engine


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


class TimedOut(Exception):
    """A statement ran past the time_limit it was given."""


@contextmanager
def time_limit(conn: Connection, ms: int) -> Iterator[None]:
    """Statements on `conn` inside the block stop after `ms` milliseconds with TimedOut, and the
    transaction is rolled back (for a read that may have to go through every card). PostgreSQL:
    the transaction's statement_timeout; SQLite: a progress handler that interrupts the statement."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SET LOCAL statement_timeout = {int(ms)}")
        try:
            yield
        except OperationalError as exc:
            if getattr(exc.orig, "sqlstate", None) != "57014":  # query_canceled
                raise
            conn.rollback()
            raise TimedOut() from None
        conn.exec_driver_sql("SET LOCAL statement_timeout = DEFAULT")
        return
    raw = conn.connection.driver_connection
    deadline = time.monotonic() + ms / 1000
    raw.set_progress_handler(lambda: time.monotonic() > deadline, 10_000)  # checked every 10,000 steps
    try:
        yield
    except OperationalError as exc:
        if "interrupted" not in str(exc.orig):
            raise
        conn.rollback()
        raise TimedOut() from None
    finally:
        raw.set_progress_handler(None, 0)
