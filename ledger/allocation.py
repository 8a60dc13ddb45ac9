"""配置审核 (allocation.md): requests entered on the page, decisions, held assets and transfers.

The candidates a decision may name come from metrics.allocation (computed by the caller on the
review date); which requests an account may decide comes from its scope as an SQL condition
(`where`), so a request outside it behaves exactly like one that does not exist. Every step
writes its audit entry, with before and after, in the same transaction.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, and_, delete, exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement

from ledger import audit, fit, vocab
from ledger.importer.rows import Problem, Problems, RowParser
from ledger.importer.schema import REQUESTS
from ledger.locks import transaction_lock
from ledger.models import (
    Asset,
    Decision,
    Department,
    HeldAsset,
    ImportRecord,
    Listing,
    PurchaseRequest,
    RequestReview,
    Snapshot,
    Transfer,
    Unit,
)
from ledger.texts import checked_text
from ledger.workflow import Actor, WorkflowError, timestamp

KINDS, TRANSFER_STATES, FLAG_NAMES = vocab.DECISION_KINDS, vocab.TRANSFER_STATES, vocab.FLAG_NAMES
REVIEWS_LOCK = "request-reviews"


@dataclass(frozen=True)
class Candidates:
    """What the review of one request found on `d`: its candidates (asset code -> unit code), the
    flags and the count, as the decision records them."""
    d: dt.date
    assets: dict[str, str]
    flags: dict[str, bool]


def _request(conn: Connection, request_id: str, where: ColumnElement[bool]):
    row = conn.execute(select(PurchaseRequest.request_id, PurchaseRequest.quantity, Unit.dept_code,
                              Department.region_code)
                       .join(Unit, Unit.code == PurchaseRequest.unit_code)
                       .join(Department, Department.code == Unit.dept_code)
                       .where(PurchaseRequest.request_id == request_id, where)).first()
    if row is None:
        raise WorkflowError("配置需求不存在 / no such request")
    return row


def standing(conn: Connection, request_id: str):
    """The request's decision that is not withdrawn (id, kind, decided_by), or None."""
    return conn.execute(select(Decision.id, Decision.kind, Decision.decided_by).where(
        Decision.request_id == request_id, Decision.withdrawn_at.is_(None))).first()


def stock_stamp(conn: Connection) -> str:
    """What the stock and the list flags were read from: the newest import and computation. A
    stored review with another stamp is stale (metrics.allocation.stored_review)."""
    imported = conn.execute(select(func.max(ImportRecord.id), func.max(ImportRecord.finished_at))).one()
    computed = conn.execute(select(func.max(Snapshot.computed_at), func.count()).select_from(Snapshot)).one()
    return f"{imported[0]}|{imported[1]}|{computed[0]}|{computed[1]}"


def holds_stamp(conn: Connection) -> str:
    """The newest decision and withdrawal: a review computed before either changed is not stored."""
    return "|".join(map(str, conn.execute(select(func.max(Decision.id), func.max(Decision.withdrawn_at))).one()))


def forget_reviews(conn: Connection, asset_codes: list[str]) -> int:
    """Drop the stored reviews of the requests these assets fit (held or released: they leave
    or rejoin those requests' candidates), so the next review computes them again."""
    if not asset_codes:
        return 0
    transaction_lock(conn, REVIEWS_LOCK)  # a review being stored waits for this decision, or it for the review
    cards = conn.execute(select(Asset.code_key, Asset.category, Asset.name_key)
                         .where(Asset.code.in_(asset_codes))).all()
    stored = conn.execute(select(PurchaseRequest.request_id, PurchaseRequest.category, PurchaseRequest.category_code,
                                 PurchaseRequest.asset_name)
                          .join(RequestReview, RequestReview.request_id == PurchaseRequest.request_id)).all()
    codes = {c.code_key for c in cards if c.code_key}
    names = {(c.category, c.name_key) for c in cards}
    fitting = [r.request_id for r in stored
               if (any(k.startswith(fit.code_key(r.category_code)) for k in codes) if r.category_code
                   else (r.category, fit.name_key(r.asset_name)) in names)]
    if fitting:
        conn.execute(delete(RequestReview).where(RequestReview.request_id.in_(fitting)))
    return len(fitting)


# ---- requests entered on the page ---------------------------------------------------------

def add_request(conn: Connection, actor: Actor, cells: dict[str, str | None], where: ColumnElement[bool]) -> str:
    """One request typed on the page: the import's cell rules and messages, its unit in the
    writer's scope, its id new. Returns the request id."""
    actor.require("request")
    problems = Problems(cap=50)
    positions = list(enumerate(REQUESTS.columns))
    parser = RowParser(REQUESTS, REQUESTS.zh, positions, problems, [])
    parsed = parser.parse(None, tuple(cells.get(c.key) for c in REQUESTS.columns))  # type: ignore[arg-type]
    if parsed is None:
        raise WorkflowError("请填写配置需求 / the request is empty")
    row, _ = parsed
    if not problems:
        unit_ok = conn.execute(select(Unit.code).join(Department, Department.code == Unit.dept_code)
                               .where(Unit.code == row["unit_code"], where)).first()
        if unit_ok is None:
            problems.add(Problem(REQUESTS.zh, None, "单位编码", row["unit_code"], "单位编码不存在或不在本账号范围内",
                                 "unknown unit, or outside this account's scope"))
        elif conn.execute(select(PurchaseRequest.request_id)
                          .where(PurchaseRequest.request_id == row["request_id"])).first():
            problems.add(Problem(REQUESTS.zh, None, "需求编号", row["request_id"], "需求编号已存在",
                                 "a request with this id exists"))
    if problems:
        raise WorkflowError("；".join(f"{p.column or ''}「{p.value or ''}」{p.zh}" for p in problems.items)
                            + " / " + "; ".join(p.en for p in problems.items))
    values = {c.key: row[c.key] for c in REQUESTS.columns}  # dates as ISO text, as the import stages them
    conn.execute(insert(PurchaseRequest).values({**values, "requested_on": dt.date.fromisoformat(values["requested_on"])}))
    audit.record(conn, actor.username, "request.add", f"配置需求 {row['request_id']}", after=values,
                 role=actor.role, address=actor.address)
    return row["request_id"]


# ---- decisions ----------------------------------------------------------------------------

def decide(conn: Connection, actor: Actor, request_id: str, where: ColumnElement[bool], kind: str,
           assets: list[str], approved_qty: int | None, note: str | None, found: Candidates,
           transfer_days: int) -> int:
    """Record the decision on a request (allocation.md "Decisions"); returns its id."""
    actor.require("decide")
    req = _request(conn, request_id, where)
    if standing(conn, request_id) is not None:
        raise WorkflowError("该需求已有审核决定，如需改变请先撤回 / already decided: withdraw the decision first")
    if kind not in KINDS:
        raise WorkflowError("请选择审核决定 / choose a decision")
    note = (note or "").strip()
    count = len(found.assets)
    if not note:
        if kind == "approve" and count:
            raise WorkflowError(f"存量中有 {count} 项候选资产，同意采购须说明其不能满足需求的理由 / "
                                "candidates exist: say why they do not serve")
        raise WorkflowError("请填写审核意见 / a note is required")
    note = checked_text(note, "审核意见")  # its length and characters, as every typed text (roles.md)
    assets = list(dict.fromkeys(a.strip() for a in assets if a and a.strip()))
    qty = req.quantity
    if kind in ("transfer", "partial"):
        strangers = [a for a in assets if a not in found.assets]
        if strangers:
            raise WorkflowError(f"不是本需求的候选资产：{'、'.join(strangers)} / not candidates of this request: "
                                + ", ".join(strangers))
        if not assets:
            raise WorkflowError("请从候选资产中选择调剂的资产 / pick the assets to transfer")
        if kind == "transfer" and len(assets) > qty:
            raise WorkflowError(f"调剂资产不能多于需求数量 {qty} / no more assets than the quantity {qty}")
        if kind == "partial" and len(assets) >= qty:
            raise WorkflowError(f"部分调剂的资产应少于需求数量 {qty}，否则请选择「调剂」 / "
                                f"a partial transfer names fewer than {qty} assets")
    elif assets:
        raise WorkflowError(f"「{KINDS[kind]}」不调剂资产，请不要选择资产 / this decision names no assets")
    if kind == "partial":
        room = qty - len(assets)
        if approved_qty is None or not 1 <= approved_qty <= room:
            raise WorkflowError(f"请填写同意采购的数量（1–{room}）/ the approved purchase quantity must be 1–{room}")
    approved = {"transfer": 0, "partial": approved_qty or 0, "approve": qty, "reject": 0}[kind]
    now = timestamp()
    flags = {**found.flags, "candidate_count": count}
    decision_id = conn.execute(insert(Decision).values(
        request_id=request_id, kind=kind, approved_qty=approved, note=note, review_date=found.d,
        candidate_count=count, flags=flags, decided_by=actor.username, decided_at=now).returning(Decision.id)).scalar_one()
    if assets:
        try:
            with conn.begin_nested():
                conn.execute(insert(HeldAsset), [dict(asset_code=a, decision_id=decision_id, request_id=request_id,
                                                      held_on=found.d) for a in assets])
        except IntegrityError:
            raise WorkflowError("所选资产刚被其他需求占用，请刷新候选资产 / an asset was just held for another "
                                "request: reload the candidates") from None
        due = found.d + dt.timedelta(days=transfer_days)
        conn.execute(insert(Transfer), [dict(
            decision_id=decision_id, request_id=request_id, asset_code=a, from_unit_code=found.assets[a],
            dept_code=req.dept_code, region_code=req.region_code, decided_on=found.d, due_on=due, state="open")
            for a in assets])
        forget_reviews(conn, assets)  # no longer candidates of the other requests they fit
    audit.record(conn, actor.username, "request.decide", f"配置需求 {request_id}", before=None,
                 after={"decision": kind, "assets": assets, "approved_qty": approved, "flags": flags,
                        "review_date": found.d.isoformat()},
                 detail=note, role=actor.role, address=actor.address)
    return decision_id


def withdraw(conn: Connection, actor: Actor, request_id: str, where: ColumnElement[bool], note: str | None) -> int:
    """Withdraw the standing decision: its holds end, its open transfers are withdrawn; its id."""
    actor.require("decide")
    _request(conn, request_id, where)
    decision = standing(conn, request_id)
    if decision is None:
        raise WorkflowError("该需求没有可撤回的决定 / no decision to withdraw")
    note = checked_text(note, "撤回理由")
    done = conn.execute(select(func.count()).select_from(Transfer).where(
        Transfer.decision_id == decision.id, Transfer.state == "done")).scalar_one()
    if done:
        raise WorkflowError(f"已有 {done} 项资产完成调剂，不能撤回 / {done} transfers are done: cannot withdraw")
    now = timestamp()
    conn.execute(update(Decision).where(Decision.id == decision.id).values(
        withdrawn_by=actor.username, withdrawn_at=now, withdraw_note=note))
    held = conn.execute(select(HeldAsset.asset_code).where(HeldAsset.decision_id == decision.id)).scalars().all()
    conn.execute(delete(HeldAsset).where(HeldAsset.decision_id == decision.id))
    forget_reviews(conn, held)  # candidates again of the requests they fit
    conn.execute(update(Transfer).where(Transfer.decision_id == decision.id, Transfer.state == "open")
                 .values(state="withdrawn"))
    audit.record(conn, actor.username, "request.withdraw", f"配置需求 {request_id}",
                 before={"decision": decision.kind, "assets": sorted(held), "decided_by": decision.decided_by},
                 after={"decision": None, "released": sorted(held)}, detail=note,
                 role=actor.role, address=actor.address)
    return decision.id


def decision_facts(conn: Connection, decision_id: int) -> dict:
    """What the departments concerned are told of a decision (or its withdrawal): the request, the
    requesting unit and department, the decision, and each asset it transfers with its holder."""
    decision = conn.execute(select(Decision).where(Decision.id == decision_id)).one()
    req = conn.execute(select(PurchaseRequest, Unit.name.label("unit_name"), Unit.dept_code)
                       .join(Unit, Unit.code == PurchaseRequest.unit_code)
                       .where(PurchaseRequest.request_id == decision.request_id)).one()
    holder = aliased(Unit)
    assets = conn.execute(select(Transfer.asset_code, Asset.name, holder.name.label("unit_name"),
                                 holder.dept_code, Department.name.label("dept_name"), Transfer.due_on)
                          .join(Asset, Asset.code == Transfer.asset_code)
                          .join(holder, holder.code == Transfer.from_unit_code)
                          .join(Department, Department.code == holder.dept_code)
                          .where(Transfer.decision_id == decision_id).order_by(Transfer.id)).all()
    return {"decision": decision, "request": req, "assets": assets}


# ---- transfers ----------------------------------------------------------------------------

def settle_transfers(conn: Connection, today: dt.date, actor: str = "system") -> int:
    """Open transfers the ledger now shows done: the asset's listing closed 已调剂 after the
    decision (done that day), or the asset under a unit of the receiving department (done
    today, the import that shows it). Their holds end. Returns how many were settled."""
    is_open = Transfer.state == "open"
    by_listing = and_(Listing.asset_code == Transfer.asset_code, Listing.outcome == "已调剂",
                      Listing.delisted_on >= Transfer.decided_on)
    listed = conn.execute(update(Transfer).where(is_open, exists().where(by_listing)).values(
        state="done", done_how="listing",
        done_on=select(func.min(Listing.delisted_on)).where(by_listing).scalar_subquery())).rowcount
    moved = conn.execute(update(Transfer).where(is_open, exists().where(
        Asset.code == Transfer.asset_code, Unit.code == Asset.unit_code, Unit.dept_code == Transfer.dept_code))
        .values(state="done", done_how="moved", done_on=today)).rowcount
    if listed or moved:
        done_assets = select(Transfer.asset_code).where(Transfer.state == "done",
                                                        Transfer.decision_id == HeldAsset.decision_id)
        conn.execute(delete(HeldAsset).where(HeldAsset.asset_code.in_(done_assets)))
        audit.record(conn, actor, "transfer.done", f"{listed + moved} 项调剂",
                     after={"by_listing": listed, "moved": moved, "on": today.isoformat()})
    return listed + moved


def overdue(state: str, due_on: dt.date, today: dt.date) -> bool:
    """A transfer not done `[allocation] transfer_days` after its decision (its due day) is overdue."""
    return state == "open" and due_on < today


def transfer_counts(conn: Connection, today: dt.date, where: ColumnElement[bool]) -> dict[str, dict[str, int]]:
    """Per receiving department: transfers under way, and of those the ones past their due day."""
    out: dict[str, dict[str, int]] = {}
    for dept, due_on in conn.execute(select(Transfer.dept_code, Transfer.due_on)
                                     .where(Transfer.state == "open", where)):
        counts = out.setdefault(dept, {"open": 0, "overdue": 0})
        counts["open"] += 1
        counts["overdue"] += overdue("open", due_on, today)
    return out
