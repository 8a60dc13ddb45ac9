"""Reads of the purchase review (配置审核, allocation.md): requests, candidates, decisions, transfers.
Every function takes a Scope; a department sees other departments' candidates without their values."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, and_, func, select

from dashboard.cache import snapshot_cached
from dashboard.queries.snapshots import yuan_of
from dashboard.scope import Scope
from ledger import allocation, vocab
from ledger.models import Asset, Decision, Department, HeldAsset, PurchaseRequest, Transfer, Unit
from metrics import allocation as alloc


def _masked(scope: Scope, candidates: pd.DataFrame) -> pd.DataFrame:
    """Candidates held elsewhere without their values (roles.md): a department sees the values of
    its own assets only, a county those of its own region."""
    if scope.kind == "department":
        candidates = candidates.assign(value=candidates.value.where(candidates.dept_code == scope.code, None))
    elif scope.kind == "region":
        candidates = candidates.assign(value=candidates.value.where(candidates.region_code == scope.code, None))
    return candidates


def request_years(engine: Engine, scope: Scope) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(select(PurchaseRequest.budget_year).distinct()
                                 .join(Unit, Unit.code == PurchaseRequest.unit_code)
                                 .join(Department, Department.code == Unit.dept_code)
                                 .where(scope.units()).order_by(PurchaseRequest.budget_year.desc())).scalars())


@snapshot_cached(workflow=True)
def requests_to_review(engine: Engine, scope: Scope) -> dict[int, int]:
    """Budget year -> the requests the caller sees with no standing decision (待审核)."""
    with engine.connect() as conn:
        return dict(conn.execute(select(PurchaseRequest.budget_year, func.count())
                                 .join(Unit, Unit.code == PurchaseRequest.unit_code)
                                 .join(Department, Department.code == Unit.dept_code)
                                 .where(scope.units(), alloc.UNDECIDED).group_by(PurchaseRequest.budget_year)
                                 .order_by(PurchaseRequest.budget_year)).all())


def purchase_requests(engine: Engine, scope: Scope, year: int | None = None, request_id: str | None = None,
                      dept: str | None = None) -> pd.DataFrame:
    """The requests the caller sees (of a year, one, or a department's), with the standing
    decision and its transfers."""
    where = and_(scope.units(), *([PurchaseRequest.budget_year == year] if year is not None else []),
                 *([PurchaseRequest.request_id == request_id] if request_id is not None else []),
                 *([Unit.dept_code == dept] if dept is not None else []))
    frame = alloc.requests_frame(engine, where)
    ids = frame.request_id.tolist()
    with engine.connect() as conn:
        decisions = pd.DataFrame(conn.execute(select(
            Decision.request_id, Decision.kind, Decision.approved_qty, Decision.note, Decision.decided_by,
            Decision.decided_at, Decision.candidate_count, Decision.flags)
            .where(Decision.withdrawn_at.is_(None), Decision.request_id.in_(ids))).all(),
            columns=["request_id", "decision", "approved_qty", "decision_note", "decided_by", "decided_at",
                     "decided_candidates", "decided_flags"])
        moved = pd.DataFrame(conn.execute(select(Transfer.request_id, Transfer.state).where(
            Transfer.request_id.in_(ids), Transfer.state != "withdrawn")).all(), columns=["request_id", "state"])
    frame = frame.merge(decisions, on="request_id", how="left")
    counts = moved.groupby("request_id").state.agg(
        transfer_qty="size", transfer_done=lambda s: int((s == "done").sum()))
    return frame.merge(counts, left_on="request_id", right_index=True, how="left")


def request_review(engine: Engine, config, scope: Scope, d: dt.date, year: int | None = None,
                   request_id: str | None = None, live: bool = False, candidates: bool = True,
                   undecided: bool = False) -> alloc.Review | None:
    """Candidates and flags on `d` of the caller's requests (one, or a year's; `undecided`: those
    without a standing decision): as stored, with the candidates the page shows (none unless
    `candidates`); `live`: computed now, with all of them (what a decision is taken on). None when
    the request is not the caller's to see."""
    where = and_(scope.units(), alloc.UNDECIDED) if undecided else scope.units()
    if request_id is not None:
        where = and_(where, PurchaseRequest.request_id == request_id)
    if year is not None:
        where = and_(where, PurchaseRequest.budget_year == year)
    requests = alloc.requests_frame(engine, where)
    if requests.empty:
        if request_id is not None:
            scope.refused("配置需求", request_id)
        return None
    found = (alloc.review(engine, config, d, requests) if live
             else alloc.stored_review(engine, config, d, requests, candidates=candidates))
    found.candidates = _masked(scope, found.candidates)
    return found


@snapshot_cached(workflow=True)
def year_review(engine: Engine, scope: Scope, year: int, d: dt.date, config) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """What the review page lists for a budget year: its requests, the open ones' flags on `d`
    (as stored) and the year's figures; cached until a request, decision, import or computation
    changes them, or the day."""
    found = request_review(engine, config, scope, d, year=year, candidates=False, undecided=True)
    flags = found.flags if found is not None else pd.DataFrame()
    return purchase_requests(engine, scope, year), flags, allocation_figures(engine, config, scope, year, d, flags)


def allocation_exports(engine: Engine, config, scope: Scope, d: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    return alloc.export_frames(engine, config, d, scope.units(), shown=lambda found: _masked(scope, found))


def transfers(engine: Engine, scope: Scope) -> pd.DataFrame:
    """Transfers decided for the caller's departments, with asset, unit and department names."""
    receiver = Department.__table__.alias("receiver")
    query = (select(Transfer.request_id, Transfer.asset_code, Asset.name.label("asset_name"),
                    Unit.name.label("from_unit"), receiver.c.name.label("to_dept"), Transfer.dept_code,
                    Transfer.decided_on, Transfer.due_on, Transfer.state, Transfer.done_on, Transfer.done_how)
             .join(Asset, Asset.code == Transfer.asset_code).join(Unit, Unit.code == Transfer.from_unit_code)
             .join(receiver, receiver.c.code == Transfer.dept_code)
             .where(scope.owns(Transfer)).order_by(Transfer.decided_on.desc(), Transfer.request_id, Transfer.asset_code))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).all(), columns=[
            "request_id", "asset_code", "asset_name", "from_unit", "to_dept", "dept_code", "decided_on", "due_on",
            "state", "done_on", "done_how"])


def allocation_figures(engine: Engine, config, scope: Scope, year: int, d: dt.date,
                       open_flags: pd.DataFrame | None = None) -> pd.DataFrame:
    """The year's figures by department, region and city over the caller's requests (a county:
    its departments and its region; a department: itself); `open_flags`: the open requests'
    stored flags, where the caller has read them."""
    frame = alloc.figures(engine, config, year, d, scope.units(), open_flags)
    if scope.kind == "region":
        frame = frame[frame.level != "city"]
    elif scope.kind == "department":
        frame = frame[frame.level == "department"]
    return frame.reset_index(drop=True)


def place_names(engine: Engine, scope: Scope, unit_codes: set[str]) -> dict[str, tuple[str, str]]:
    """unit code -> (unit name, department name). Not scoped on purpose: a request's candidates
    name the unit holding each asset, whoever's it is (allocation.md: a department sees them)."""
    if not unit_codes or scope.kind == "none":
        return {}
    with engine.connect() as conn:
        return {r.code: (r.name, r.dept_name) for r in conn.execute(
            select(Unit.code, Unit.name, Department.name.label("dept_name"))
            .join(Department, Department.code == Unit.dept_code).where(Unit.code.in_(sorted(unit_codes))))}


def held_assets(engine: Engine, scope: Scope, request_id: str) -> list[str]:
    """The assets held by the caller's request's standing decision."""
    with engine.connect() as conn:
        return list(conn.execute(select(HeldAsset.asset_code).join(
            PurchaseRequest, PurchaseRequest.request_id == HeldAsset.request_id)
            .join(Unit, Unit.code == PurchaseRequest.unit_code).join(Department, Department.code == Unit.dept_code)
            .where(HeldAsset.request_id == request_id, scope.units())).scalars())


def opinion_forms(engine: Engine, config, scope: Scope, year: int, d: dt.date) -> list[dict]:
    """审核意见表: one form per request of the year the caller sees: the request, its first
    candidates on `d` (values only where the caller may see them), the flags, the decision and the
    assets it names (outputs.workbooks.opinion_forms writes them)."""
    frame = purchase_requests(engine, scope, year)
    if frame.empty:
        return []
    found = request_review(engine, config, scope, d, year=year)
    with engine.connect() as conn:
        named = conn.execute(select(Transfer.request_id, Transfer.asset_code, Asset.name)
                             .join(Asset, Asset.code == Transfer.asset_code)
                             .where(Transfer.request_id.in_(frame.request_id.tolist()), Transfer.state != "withdrawn")
                             .order_by(Transfer.asset_code)).all()
    assets: dict[str, list[str]] = {}
    for request_id, code, name in named:
        assets.setdefault(request_id, []).append(f"{code} {name}")
    forms = []
    for r in frame.itertuples():
        decided = isinstance(r.decision, str)
        candidates = found.of(r.request_id).head(alloc.shown_count(int(r.quantity))) if found is not None else None
        names = place_names(engine, scope, set(candidates.unit_code)) if candidates is not None else {}
        flags = (r.decided_flags if decided and isinstance(r.decided_flags, dict)
                 else found.flags_of(r.request_id) if found is not None else {})
        forms.append({
            "request_id": r.request_id, "budget_year": int(r.budget_year), "unit": r.unit_name, "dept": r.dept_name,
            "asset_name": r.asset_name, "category": vocab.label(vocab.CATEGORIES, r.category),
            "category_code": r.category_code if isinstance(r.category_code, str) else "",
            "quantity": int(r.quantity), "unit_price": yuan_of(r.unit_price), "amount": yuan_of(r.quantity * r.unit_price),
            "requested_on": r.requested_on, "reason": r.reason if isinstance(r.reason, str) else "",
            "candidate_count": int(r.decided_candidates) if decided else int(flags.get("candidate_count", 0)),
            "flags": "、".join(v for k, v in allocation.FLAG_NAMES.items() if flags.get(k)) or "无",
            "candidates": [] if candidates is None else [
                {"rank": int(x.rank), "asset_code": x.asset_code, "name": x.name,
                 "unit": names.get(x.unit_code, ("", ""))[0], "status": vocab.label(vocab.STATUSES, x.status),
                 "months_idle": int(x.months_idle), "listed": "已挂牌" if x.listed else "",
                 "value": None if x.value is None or pd.isna(x.value) else yuan_of(x.value)}
                for x in candidates.itertuples()],
            "decision": allocation.KINDS[r.decision] if decided else "待审核",
            "approved_qty": int(r.approved_qty) if decided and r.decision == "partial" else None,
            "transfers": assets.get(r.request_id, []),
            "note": r.decision_note if decided else "", "decided_by": r.decided_by if decided else "",
            "decided_at": r.decided_at if decided else None,
        })
    return forms
