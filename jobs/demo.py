"""The demo city, built end to end: its ledger written and imported, last budget year's
purchase requests (配置审核) reviewed against the stock of their day and most transfers carried
out by a later ledger import, the way they would be, 13 months computed, and the accountability
cycle under way (warnings answered and closed off, interviews held, commitments followed)."""
from __future__ import annotations

import datetime as dt
import io
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import Engine, func, select, true, update

from jobs.deliver import deliver
from jobs.runner import compute_months
from jobs.schedule import MONTHLY_PAPERS, close_day
from jobs.scheduler import triggers
from ledger import allocation, audit, filestore, inbox, runs, workflow
from ledger.config import Config
from ledger.demo import (
    CITY,
    DEPT_ACCOUNTS,
    OWNERS,
    REQUEST_YEARS,
    LedgerWriter,
    clear_ledger,
    months_to_compute,
    reporting_history,
    write_demo_ledger,
)
from ledger.importer import import_path
from ledger.importer.schema import ASSETS
from ledger.models import (
    Asset,
    Commitment,
    Department,
    Interview,
    ListEntry,
    Message,
    Paper,
    PurchaseRequest,
    Region,
    Transfer,
    Unit,
    WarningCase,
    WarningEvent,
)
from ledger.reporting import reported_month
from ledger.vocab import CASE_STATES, CATEGORIES, COMMITMENT_STATES, DECISION_KINDS, STATUSES, label
from ledger.workflow import Actor
from metrics.allocation import requests_frame, review
from metrics.rules import NAMES as RULE_NAMES
from metrics.timeline import shift_month
from outputs import warning_list
from outputs.phrasing import interview_arranged, reason_text, table_rows
from outputs.xlsx import write_frame

REVIEWER = Actor("demo", "supervisor")
WORKBOOK = "示范市资产台账.xlsx"
SENDER = DEPT_ACCOUNTS["dept"]  # the demo account dept's department: its own ledger as it sends it (报送)
DEPT_WORKBOOK = f"部门报送示例_{SENDER}.xlsx"
NOTES = {"transfer": "存量资产可满足需求，通过公物仓调剂解决", "partial": "部分由存量调剂，其余同意采购",
         "approve_stock": "候选资产规格型号不符，同意采购", "approve": "全市存量中无同类闲置资产，同意采购",
         "reject": "需求依据不足，不予批复"}


def build_demo(engine: Engine, config: Config, assets: int, seed: int, folder: Path | None = None,
               say: Callable[[str], None] = print) -> Config:
    """Build the demo city in `engine` (which must hold nothing else) and return its config.

    `folder`: where to leave the demo workbook (default: a temporary folder); `say`: progress lines.
    """
    config = config.replace(org__city_region_code=CITY[0], org__city_name=CITY[1])
    clear_ledger(engine)
    with tempfile.TemporaryDirectory() as tmp:
        workbook = Path(folder or tmp) / WORKBOOK
        workbook.parent.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        counts = write_demo_ledger(workbook, assets=assets, seed=seed)
        say(f"已生成演示台账 / wrote demo ledger: {table_rows(counts)} ({time.perf_counter() - started:.1f}s)")
        result = import_path(engine, workbook, config, username="demo")
        if not result.ok:  # the generator and the importer disagree: a bug, say so plainly
            raise RuntimeError("演示台账导入失败 / demo import failed: " + "; ".join(map(str, result.problems[:5])))
    say(f"已导入 / imported in {time.perf_counter() - started:.1f}s")
    year = REQUEST_YEARS[0]
    decided = review_demo_requests(engine, config, year, dt.date(year - 1, 12, 1))
    moved = carry_out_transfers(engine, config, 0.85, dt.date(year, 1, 15))
    say(f"已审核 {year} 年度配置需求 / reviewed last year's requests: "
        + "，".join(f"{DECISION_KINDS[kind]} {count:,}" for kind, count in decided.items()) + "; "
        f"{len(moved)} 项调剂已在台账完成 / transfers done in the ledger")
    if folder:  # the department's own ledger as it would send it now: without what it has transferred away
        write_demo_ledger(Path(folder) / DEPT_WORKBOOK, assets=assets, seed=seed, dept=SENDER, gone=frozenset(moved))
    months = months_to_compute()
    compute_months(engine, config, months, "demo")
    with engine.execution_options(write=True).begin() as conn:  # months long past are final, as a bureau keeps them
        for month in months:
            runs.close_month(conn, month, REVIEWER.username)
            audit.record(conn, REVIEWER.username, "month.close", month)
    say(f"已计算并关账 13 个月快照 / computed and closed 13 monthly snapshots: {months[0]} … {months[-1]}")
    today = config.today()
    reported = [shift_month(reported_month(today), -i) for i in range(3, -1, -1)]
    history = reporting_history(engine, reported, today, config["reporting.due_day"], seed, config.zone)
    say(f"已生成报送记录 / reporting history {reported[0]} … {reported[-1]}: 按期 {history['on_time']:,}，"
        f"逾期 {history['late']:,}，未报送 {history['missing']:,}；周进度 {history['weekly']:,} 份")
    answer_warnings(engine, config, today, seed)
    hold_interviews(engine, config, months[-2:], seed)
    with engine.connect() as conn:
        cases = dict(conn.execute(select(WarningCase.state, func.count()).group_by(WarningCase.state)).all())
        kept = dict(conn.execute(select(Commitment.status, func.count()).group_by(Commitment.status)).all())
    say("已生成整改进展 / the cycle under way: 预警 " + "，".join(f"{CASE_STATES[k]} {v:,}" for k, v in sorted(cases.items()))
        + "；整改承诺 " + "，".join(f"{COMMITMENT_STATES[k]} {v}" for k, v in sorted(kept.items())))
    return config


def closing_moment(config: Config, month: str) -> dt.datetime:
    """When the scheduler closes `month` (its close day's first `[scheduler] close_cron` tick), as
    a stored moment."""
    day = dt.date.fromisoformat(f"{shift_month(month, 1)}-{close_day(config):02d}")
    start = dt.datetime.combine(day, dt.time(), ZoneInfo(config.zone))
    tick = triggers(config)["close-month"].get_next_fire_time(None, start)
    return tick.astimezone(dt.timezone.utc).replace(tzinfo=None)


def deliver_newest_month(engine: Engine, config: Config, say: Callable[[str], None] = print) -> None:
    """The newest month's 通报 and notices delivered to the accounts' 消息, as closing it would have
    (`[delivery] after_close`): the demo closes its months itself, before its accounts exist."""
    if not config["delivery.after_close"]:
        return
    month = months_to_compute()[-1]
    done = deliver(engine, config, month, kinds=MONTHLY_PAPERS, actor=REVIEWER.username)
    # sent when the scheduler would have closed the month, not today: before the month's interviews
    # in the departments' 履历, and 逾期未读 where a department has not read its notice since
    sent = closing_moment(config, month)
    papers = select(Paper.id).where(Paper.month == month, Paper.kind.in_(MONTHLY_PAPERS)).scalar_subquery()
    with engine.execution_options(write=True).begin() as conn:
        conn.execute(update(Message).where(Message.paper_id.in_(papers)).values(created_at=sent))
        conn.execute(update(Paper).where(Paper.id.in_(papers)).values(created_at=sent))
    say(f"已送达 {month} 的通报和通知书 / delivered {month}'s papers: 文书 {done.papers} 份，"
        f"站内消息 {done.inbox} 条，邮件 {done.sent} 封")
    told = tell_interviews_arranged(engine, month, sent + dt.timedelta(days=1, hours=6))
    say(f"已发送 {month} 约谈名单的约谈安排 / sent the interviews' arrangements: 站内消息 {told} 条")


def tell_interviews_arranged(engine: Engine, month: str, at: dt.datetime) -> int:
    """The 约谈安排 of each interview held from `month`'s list, as the supervisor who scheduled it
    would have sent it (`at`, a stored moment, the morning after the close) and its department read
    it that morning; how many messages."""
    with engine.execution_options(write=True).begin() as conn:
        interviews = conn.execute(select(Interview).where(Interview.month == month).order_by(Interview.id)).all()
        first = conn.execute(select(func.max(Message.id))).scalar() or 0
        told = sum(inbox.notify_departments(conn, [held.dept_code], "scheduled",
                                            *interview_arranged(held.month, held.scheduled_on, held.place,
                                                                held.attendees, held.topics),
                                            held.month, False, inbox.link("/interviews", month=held.month))
                    for held in interviews)
        conn.execute(update(Message).where(Message.id > first, Message.kind == "scheduled").values(
            created_at=at, read_at=at + dt.timedelta(hours=1, minutes=17)))
    return told


def tell_warnings_checked(engine: Engine, config: Config) -> int:
    """The departments told in 消息 of their warnings the demo's supervisor checked (销号通知) and
    sent back (退回通知), as the page tells them: once the accounts exist. How many messages."""
    told = 0
    with engine.execution_options(write=True).begin() as conn:
        for action, note in (("verified", CHECKED), ("returned", SENT_BACK)):
            rows = conn.execute(select(WarningCase.id, WarningCase.dept_code).join(
                WarningEvent, WarningEvent.case_id == WarningCase.id).where(
                WarningEvent.action == action, WarningEvent.actor == REVIEWER.username).order_by(WarningCase.id)).all()
            reached = warning_list.tell_departments(conn, REVIEWER, workflow.Moved(tuple(rows), action), note,
                                                    bool(config["mail.host"]))
            told += reached.total()
    return told


def review_demo_requests(engine: Engine, config: Config, year: int, on: dt.date, seed: int = 2026) -> dict[str, int]:
    """Decide every request of budget `year` as a reviewer would on `on`; returns counts by decision."""
    rng = random.Random(seed + 2)
    requests = requests_frame(engine, PurchaseRequest.budget_year == year)
    found = review(engine, config, on, requests)
    used: set[str] = set()
    counts: dict[str, int] = {}
    for r in requests.sort_values(["requested_on", "request_id"]).itertuples():
        basis = found.basis(r.request_id, exclude=used)  # ranked; what earlier decisions took is gone
        free = list(basis.assets)
        if free and rng.random() < 0.6:
            kind = "transfer" if len(free) >= r.quantity else "partial" if r.quantity > 1 else "transfer"
            assets = free[:r.quantity if kind == "transfer" else len(free)]
            approved = r.quantity - len(assets) if kind == "partial" else None
        else:
            kind = "reject" if rng.random() < 0.1 else "approve"
            assets, approved = [], None
        note = NOTES["approve_stock" if kind == "approve" and free else kind]
        with engine.begin() as conn:
            allocation.decide(conn, REVIEWER, r.request_id, true(), kind, assets, approved, note, basis,
                              config["allocation.transfer_days"])
        used.update(assets)
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def carry_out_transfers(engine: Engine, config: Config, share: float, on: dt.date, seed: int = 2026) -> list[str]:
    """Import a ledger update in which `share` of the decided transfers have moved to a unit of
    the receiving department (in use there from `on`); the import settles them. The assets moved."""
    rng = random.Random(seed + 3)
    with engine.connect() as conn:
        moves = [(t.asset_code, t.request_id) for t in conn.execute(
            select(Transfer.asset_code, Transfer.request_id).where(Transfer.state == "open").order_by(Transfer.id))
            if rng.random() < share]
        if not moves:
            return []
        receiving = dict(conn.execute(select(PurchaseRequest.request_id, PurchaseRequest.unit_code)
                                      .where(PurchaseRequest.request_id.in_({r for _, r in moves}))).all())
        cards = {a.code: a for a in conn.execute(select(Asset).where(Asset.code.in_([a for a, _ in moves])))}
        units = conn.execute(select(Unit.code, Unit.name, Unit.dept_code, Department.name, Department.region_code,
                                    Region.name, Unit.unit_type)
                             .join(Department, Department.code == Unit.dept_code)
                             .join(Region, Region.code == Department.region_code)
                             .where(Unit.code.in_(set(receiving.values())))).all()
    with tempfile.TemporaryDirectory() as folder:
        writer = LedgerWriter(Path(folder) / "update")
        try:
            for unit in units:
                writer.row("units", list(unit))
            for asset_code, request_id in moves:
                a = cards[asset_code]
                card = {"asset_code": a.code, "unit_code": receiving[request_id], "asset_name": a.name,
                        "category": label(CATEGORIES, a.category), "original_value": f"{a.original_value / 100:.2f}",
                        "net_value": None if a.net_value is None else f"{a.net_value / 100:.2f}",
                        "acquired_on": a.acquired_on.isoformat(), "status": label(STATUSES, "in_use"),
                        "status_since": max(on, a.status_since).isoformat(), "location": "调入后存放地点待登记",
                        "photo_count": a.photo_count, "shared": "是" if a.shared else "否",
                        "category_code": a.category_code}
                writer.row("assets", [card[c.key] for c in ASSETS.columns])
        finally:
            writer.close()
        result = import_path(engine, Path(folder) / "update", config, username="demo", file_name="调剂完成后的台账更新")
    if not result.ok:
        raise RuntimeError("; ".join(map(str, result.problems[:5])))
    return [asset_code for asset_code, _ in moves]


# what a department writes when it answers a warning of each rule
ANSWERS = {"idle_overdue": "已列入公物仓调剂，拟调剂给有需求的单位使用", "idle_no_plan": "已制定盘活方案，报主管部门审核",
           "plan_overdue": "加快处置进度，已与产权交易中心对接挂牌", "remit_late": "已通知单位于月底前将收入上缴国库",
           "lease_no_contract": "补签出租合同，报财政部门备案", "lease_irregular": "按规定重新履行出租审批和公开招租程序",
           "below_appraisal": "重新评估，按不低于评估价的价格出租", "stale_listing": "扩大公物仓推送范围，降低调剂门槛",
           "buy_while_idle": "说明购置理由，同类闲置资产优先调剂使用", "data_gap": "补录资产照片和存放地点"}
CHECKED = "佐证材料齐全，经核实已整改到位"
SENT_BACK = "佐证材料未体现整改结果，请补充资产使用或处置的证明"
ATTENDEES = "部门分管负责人、财务科负责人、资产管理员"
PLACE = "市财政局三楼会议室"


def answer_warnings(engine: Engine, config: Config, today: dt.date, seed: int = 2026) -> None:
    """The departments' answers to their open warnings as a bureau would find them a week into the
    month: most acknowledged with a fix date, some reported fixed with evidence (待核验), part of
    that closed off by a supervisor and a little sent back; the rest still open."""
    rng = random.Random(seed + 7)
    with engine.connect() as conn:
        open_cases = conn.execute(select(WarningCase.id, WarningCase.rule, WarningCase.asset_code,
                                         WarningCase.dept_code).where(WarningCase.state == "open")
                                  .order_by(WarningCase.dept_code, WarningCase.id)).all()
    by_dept: dict[str, list] = {}
    for case in open_cases:
        by_dept.setdefault(case.dept_code, []).append(case)
    for dept, cases in by_dept.items():
        diligence = rng.random()  # a department answers much or little, as in a real city
        answered = [c for c in cases if rng.random() < 0.2 + 0.7 * diligence]
        fixed = [c for c in answered if rng.random() < 0.35]
        checked = [c for c in fixed if rng.random() < 0.6]
        sent_back = [c for c in fixed if c not in checked and rng.random() < 0.2]
        if dept == SENDER:  # the demo account's department meets every state: half checked, one sent back
            checked, sent_back = fixed[::2], fixed[1:2]
        department = _department(dept)
        with engine.execution_options(write=True).begin() as conn:
            for rule in sorted({c.rule for c in answered}):
                ids = [c.id for c in answered if c.rule == rule]
                fix_by = today + dt.timedelta(days=rng.randrange(20, 120))
                workflow.acknowledge(conn, department, ids, true(), ANSWERS.get(rule, "整改中"), fix_by, today)
            if fixed:
                proof = [(f"整改佐证材料_{dept}.xlsx", filestore.keep(conn, config, _evidence(fixed), "xlsx"))]
                workflow.submit_cases(conn, department, [c.id for c in fixed], true(), "已完成整改，佐证材料见附件", proof)
            if checked:
                workflow.verify_cases(conn, REVIEWER, [c.id for c in checked], true(), CHECKED)
            if sent_back:
                workflow.return_cases(conn, REVIEWER, [c.id for c in sent_back], true(), SENT_BACK)


def _evidence(cases: list) -> bytes:
    """A department's evidence: the workbook listing what it did for each warning."""
    return _workbook(pd.DataFrame({"资产编号": [c.asset_code for c in cases],
                                   "预警规则": [RULE_NAMES.get(c.rule, c.rule) for c in cases],
                                   "整改措施": [ANSWERS.get(c.rule, "整改") for c in cases], "完成情况": "已完成"}))


def _workbook(frame: pd.DataFrame) -> bytes:
    """An evidence file as the portal writes its own workbooks (columns fitted, one page wide)."""
    out = io.BytesIO()
    write_frame(frame, out, sheet="整改情况")
    return out.getvalue()


def _department(code: str) -> Actor:
    """Who answers for a department: the demo account for its own, else the demo."""
    return Actor("dept" if code == SENDER else "demo", "department")


def hold_interviews(engine: Engine, config: Config, months: list[str], seed: int = 2026) -> None:
    """Interviews of the first departments on each month's interview list, held in the month after
    it, with two commitments each: of the older month's one closed off and the others past their
    deadlines, of the newer month's one reported kept (待核验) and the others under way."""
    rng = random.Random(seed + 11)
    for index, month in enumerate(months):
        older = index < len(months) - 1
        with engine.connect() as conn:
            entries = conn.execute(select(ListEntry.code, ListEntry.reasons).where(
                ListEntry.month == month, ListEntry.list == "interview", ListEntry.level == "department")
                .order_by(ListEntry.code)).all()
        first_day = dt.date.fromisoformat(f"{shift_month(month, 1)}-12")
        for n, entry in enumerate(entries[:3]):
            with engine.connect() as conn:
                assets = list(conn.execute(select(WarningCase.asset_code).where(
                    WarningCase.dept_code == entry.code, WarningCase.level == "red").order_by(WarningCase.id).limit(3))
                    .scalars())
            topics = "、".join(reason_text(r) for r in entry.reasons) or "盘活工作进展滞后"
            deadline = first_day + dt.timedelta(days=45 if older else 60)
            items = [{"text": "逐项制定盘活方案，限期调剂或处置红色预警资产" if assets else "制定盘活工作整改方案，按月报送进展",
                      "owner": rng.choice(OWNERS), "deadline": deadline.isoformat(), "asset_codes": assets},
                     {"text": "完善资产卡片资料，建立月度盘活进展台账并按时报送", "owner": rng.choice(OWNERS),
                      "deadline": (deadline - dt.timedelta(days=30)).isoformat(), "asset_codes": []}]
            with engine.execution_options(write=True).begin() as conn:
                held = workflow.schedule_interview(conn, REVIEWER, month, entry.code, first_day + dt.timedelta(days=2 * n),
                                                   ATTENDEES, true(), PLACE)
                ids = workflow.record_outcome(conn, REVIEWER, held, true(),
                                              f"指出{topics}等问题，部门作出整改承诺，限期整改并报送佐证材料", items)
                if n == 0:  # the first department reported its records done, with evidence
                    department = _department(entry.code)
                    records = _workbook(pd.DataFrame({"整改事项": ["补全资产卡片照片和存放地点", "建立月度盘活进展台账"],
                                                      "完成情况": ["已完成", "已建立，按月报送"]}))
                    proof = [(f"资产台账整改_{entry.code}.xlsx", filestore.keep(conn, config, records, "xlsx"))]
                    workflow.submit_commitment(conn, department, ids[1], true(), "已补全资产卡片资料，建立月度台账", proof)
                    if older:  # and a supervisor checked it
                        workflow.verify_commitment(conn, REVIEWER, ids[1], true(), first_day + dt.timedelta(days=20))
