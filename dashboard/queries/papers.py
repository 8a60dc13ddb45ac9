"""The files a page hands out (Word papers, workbooks), read within the caller's scope: pages ask
here and never open a connection themselves."""
from __future__ import annotations

import io

from sqlalchemy import Engine

from ledger.config import Config
from ledger.scope import Scope
from outputs import documents, facts, workbooks


def notice(engine: Engine, scope: Scope, kind: str, month: str, dept: str, config: Config) -> tuple[str, bytes] | None:
    """One department's 整改通知书 (kind "rectify") or 约谈通知书 ("interview"): (file name, bytes), or
    None where the department is outside the scope or has no such notice this month."""
    make = {"rectify": documents.rectify, "interview": documents.interview}[kind]
    with engine.connect() as conn:
        return make(conn, scope, month, dept, config, config.today())


def notices(engine: Engine, scope: Scope, kind: str, month: str, config: Config) -> list[tuple[str, bytes]]:
    """Every notice of a kind for the month within the scope."""
    with engine.connect() as conn:
        return documents.each(conn, scope, kind, month, config, config.today())


def bulletin(engine: Engine, scope: Scope, month: str, config: Config) -> tuple[str, bytes]:
    with engine.connect() as conn:
        return documents.bulletin(conn, scope, month, config, config.today())


def interview_departments(engine: Engine, scope: Scope, month: str) -> list[tuple[str, str]]:
    """(code, name) of the month's interview list within the scope."""
    with engine.connect() as conn:
        return facts.interview_departments(conn, scope, month)


def meeting_pack(engine: Engine, scope: Scope, month: str, config: Config, scope_text: str) -> bytes:
    buffer = io.BytesIO()
    with engine.connect() as conn:
        workbooks.meeting_pack(conn, month, buffer, config, scope, scope_text)
    return buffer.getvalue()


def rankings(engine: Engine, scope: Scope, month: str, config: Config, scope_text: str, region: str,
             region_text: str) -> bytes:
    buffer = io.BytesIO()
    with engine.connect() as conn:
        workbooks.rankings(conn, month, buffer, config, scope, scope_text, region, region_text)
    return buffer.getvalue()
