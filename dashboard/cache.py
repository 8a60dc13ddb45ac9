"""A per-process cache of reads, keyed by the caller's scope and the data's version.

Snapshots change only when a month is computed, the ledger only on an import: their version is
(newest computation, newest import), read once per request. Workflow reads (warning states,
interviews, commitments, purchase requests and decisions) add the newest workflow change to it. The scope is part of every key,
so one account's rows are never handed to another scope.
"""
from __future__ import annotations

import copy
import datetime as dt
import functools
import json
import threading
from collections import OrderedDict

from flask import current_app, g, has_app_context, has_request_context
from sqlalchemy import Engine, func, select

from ledger import clock
from ledger.models import (
    Commitment,
    Decision,
    ImportRecord,
    Interview,
    MonthClose,
    PurchaseRequest,
    Snapshot,
    WarningEvent,
)

SIZE = 512
_entries: OrderedDict[str, object] = OrderedDict()
_lock = threading.Lock()


def _versions(engine: Engine) -> dict[str, str]:
    if has_request_context() and "panhuo_versions" in g:
        return g.panhuo_versions
    with engine.connect() as conn:
        computed = conn.execute(select(func.max(Snapshot.computed_at), func.count())).one()
        closed = conn.execute(select(func.count()).select_from(MonthClose)).scalar()
        imported = conn.execute(select(func.max(ImportRecord.id), func.max(ImportRecord.finished_at))).one()
        # every workflow step leaves a trace here (an audit entry would do too, but every login
        # and refused ask writes one, and would empty these caches all day)
        steps = [conn.execute(select(func.max(WarningEvent.id))).scalar(),
                 *conn.execute(select(func.max(Interview.id), func.count(Interview.outcome))).one(),
                 conn.execute(select(func.max(Commitment.updated_at))).scalar(),
                 *conn.execute(select(func.max(Decision.id), func.max(Decision.withdrawn_at))).one(),
                 conn.execute(select(func.count()).select_from(PurchaseRequest)).scalar()]
    # computed_at and finished_at carry microseconds: two computations never share a version
    data = f"{computed[0]}|{computed[1]}|{closed}|{imported[0]}|{imported[1]}"
    # the date too, where the deployment is: a commitment or a warning becomes overdue at its midnight
    versions = {"data": data, "workflow": f"{data}|{steps}|{_today()}"}
    if has_request_context():
        g.panhuo_versions = versions
    return versions


def _today() -> dt.date:
    if has_app_context() and "panhuo.config" in current_app.extensions:
        return current_app.extensions["panhuo.config"].today()
    return clock.now().date()


def snapshot_cached(fn=None, *, workflow: bool = False):
    """Cache `fn(engine, scope, *args, **kwargs)`; a hit returns a copy the caller may change.

    `workflow=True`: the read also depends on warning states, interviews and commitments.
    """
    if fn is None:
        return functools.partial(snapshot_cached, workflow=workflow)

    @functools.wraps(fn)
    def wrapper(engine: Engine, scope, *args, **kwargs):
        version = _versions(engine)["workflow" if workflow else "data"]
        key = json.dumps([fn.__name__, scope.kind, scope.code, version, args, kwargs], default=str, sort_keys=True)
        with _lock:
            if key in _entries:
                _entries.move_to_end(key)
                return copy.deepcopy(_entries[key])
        value = fn(engine, scope, *args, **kwargs)
        with _lock:
            _entries[key] = copy.deepcopy(value)
            while len(_entries) > SIZE:
                _entries.popitem(last=False)
        return value
    return wrapper


def clear() -> None:
    """Forget every cached read (when a database is put back to an earlier state under the same versions)."""
    with _lock:
        _entries.clear()
