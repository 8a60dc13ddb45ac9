"""A cache of reads, keyed by the caller's scope and the data's version: in each process's memory,
and behind it on disk, shared by the web server's worker processes (what one worker read, the
others need not read again).

Snapshots change only when a month is computed, the ledger only on an import: their version is
(newest computation, newest import), read once per request. Workflow reads (warning states,
interviews, commitments, purchase requests and decisions) add the newest workflow change to it. The scope is part of every key,
so one account's rows are never handed to another scope.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import logging
import os
import pickle
import threading
from collections import OrderedDict
from pathlib import Path

import diskcache
from flask import current_app, g, has_app_context, has_request_context
from sqlalchemy import Engine, func, select

from ledger import clock, filestore
from ledger.config import Config
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
_entries: OrderedDict[str, bytes] = OrderedDict()  # pickled reads (snapshot_cached)
_lock = threading.Lock()
_shared: dict[tuple[int, str], diskcache.Cache | None] = {}  # (process, folder): opened after the fork
log = logging.getLogger(__name__)


def _code_stamp() -> str:
    """A digest of the portal's own code: the disk outlives a deployment, and what a read returns
    may take another shape in the next one."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parent.parent
    for package in ("ledger", "metrics", "outputs", "dashboard"):
        for path in sorted((root / package).rglob("*.py")):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


CODE = _code_stamp()


def folder(config: Config) -> Path:
    """`[server] cache_dir`, or a cache/ folder beside the files folder."""
    return Path(config["server.cache_dir"]) if config["server.cache_dir"] else filestore.folder(config).parent / "cache"


def _private(path: Path) -> bool:
    """The folder is this account's alone: what is read back from it is unpickled."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    found = path.stat()
    return found.st_uid == os.getuid() and not found.st_mode & 0o077


def _disk() -> diskcache.Cache | None:
    """The cache the worker processes share, None outside the portal or where its folder is not private."""
    if not has_app_context() or "panhuo.config" not in current_app.extensions:
        return None
    config = current_app.extensions["panhuo.config"]
    where = folder(config)
    key = (os.getpid(), str(where))
    with _lock:
        if key not in _shared:
            try:
                if _private(where):
                    _shared[key] = diskcache.Cache(str(where), size_limit=config["server.cache_mb"] * 1024 * 1024,
                                                   eviction_policy="least-recently-used")
                else:
                    log.warning("cache folder %s is open to other accounts: not used", where)
                    _shared[key] = None
            except OSError as exc:
                log.warning("cache folder %s cannot be used: %s", where, exc)
                _shared[key] = None
        return _shared[key]


MISSING = object()


def _disk_get(key: str):
    """(the pickled read, the read) kept on disk under `key`, or MISSING."""
    disk = _disk()
    if disk is None:
        return MISSING
    try:
        kept = disk.get(key, default=MISSING)
        return kept if kept is MISSING else (kept, pickle.loads(kept))
    except Exception as exc:  # the cache never stops a page: a broken entry is read again
        log.warning("cache read failed: %s", exc)
        return MISSING


def _disk_set(key: str, value) -> None:
    disk = _disk()
    if disk is not None:
        try:
            disk.set(key, value)
        except Exception as exc:  # a full disk slows the pages down, never stops them
            log.warning("cache write failed: %s", exc)


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
    # kept pickled, in memory as on disk: a hit unpickles its own copy (a department's thousand
    # warned items, a list of dicts, took 14 ms to deep-copy and take 1 ms to unpickle), and
    # the disk stores the bytes as they are
    if fn is None:
        return functools.partial(snapshot_cached, workflow=workflow)

    @functools.wraps(fn)
    def wrapper(engine: Engine, scope, *args, **kwargs):
        version = _versions(engine)["workflow" if workflow else "data"]
        # on disk the key also names the code and the database: it outlives a deployment, and two
        # portals may share a folder
        key = json.dumps([CODE, fn.__module__, fn.__name__, engine.url.render_as_string(hide_password=True),
                          scope.kind, scope.code, version, args, kwargs], default=str, sort_keys=True)
        with _lock:
            if key in _entries:
                _entries.move_to_end(key)
                return pickle.loads(_entries[key])
        found = _disk_get(key)
        if found is MISSING:
            value = fn(engine, scope, *args, **kwargs)
            kept = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
            _disk_set(key, kept)
        else:
            kept, value = found
        with _lock:
            _entries[key] = kept
            while len(_entries) > SIZE:
                _entries.popitem(last=False)
        return value
    return wrapper


def clear() -> None:
    """Forget every cached read, on disk too (when a database is put back to an earlier state under
    the same versions)."""
    with _lock:
        _entries.clear()
        for disk in _shared.values():
            if disk is not None:
                disk.clear()
