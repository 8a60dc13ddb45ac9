"""A per-process cache of snapshot reads, keyed by the caller's scope and the data's version.

Snapshots change only when a month is computed, the ledger only on an import: the version is
(newest computation, newest import), read once per request. The scope is part of every key, so
one account's rows are never handed to another scope. Workflow reads (states, interviews,
commitments) change any time and are not cached.
"""
from __future__ import annotations

import copy
import functools
import json
import threading
from collections import OrderedDict

from flask import g, has_request_context
from sqlalchemy import Engine, func, select

from ledger.models import ImportRecord, Snapshot

SIZE = 512
_entries: OrderedDict[str, object] = OrderedDict()
_lock = threading.Lock()


def data_version(engine: Engine) -> str:
    if has_request_context() and "panhuo_data_version" in g:
        return g.panhuo_data_version
    with engine.connect() as conn:
        computed = conn.execute(select(func.max(Snapshot.computed_at), func.count())).one()
        imported = conn.execute(select(func.max(ImportRecord.id), func.max(ImportRecord.finished_at))).one()
    # computed_at and finished_at carry microseconds: two computations never share a version
    version = f"{computed[0]}|{computed[1]}|{imported[0]}|{imported[1]}"
    if has_request_context():
        g.panhuo_data_version = version
    return version


def snapshot_cached(fn):
    """Cache `fn(engine, scope, *args, **kwargs)`; a hit returns a copy the caller may change."""
    @functools.wraps(fn)
    def wrapper(engine: Engine, scope, *args, **kwargs):
        key = json.dumps([fn.__name__, scope.kind, scope.code, data_version(engine), args, kwargs],
                         default=str, sort_keys=True)
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
    wrapper.uncached = fn
    return wrapper
