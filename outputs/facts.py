"""What each document says, read from a month's snapshot within a Scope and phrased (outputs.phrasing).

Every function takes the caller's Scope; a department or region outside it is answered exactly as
one that does not exist (None), and the ask is recorded by `Scope.refused`.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, and_, or_, select

from ledger import reporting
from ledger.config import Config
from ledger.errors import UserError
from ledger.models import Asset, Department, Income, Interview, KpiRow, ListEntry, Region, Unit, WarningCase, WarningRow
from ledger.scope import Scope
from ledger.vocab import ESCALATED, SEVERE_FIRST
from metrics import attribution
from metrics.rules import FIXED_BY
from metrics.timeline import shift_month, snapshot_date
from outputs import figures as fig
from outputs import months as month_states
from outputs import phrasing as say
from outputs.exports import typed

HEADLINE = [  # 一、总体情况: the figures in documents.md's order, each said with its change (outputs.figures)
    "asset_count", "base_value", "idle_rate", "overdue_idle_count", "overdue_idle_rate", "due_completion_rate",
    "remit_rate", "data_quality_rate", "score",
]
ATTACHMENT = ["score", "idle_rate", "overdue_idle_rate", "due_completion_rate", "remit_rate", "data_quality_rate"]
TOP_ASSETS = 10


class DocumentError(UserError):
    pass


def _kpis(conn: Connection, scope: Scope, month: str, *conditions) -> pd.DataFrame:
    columns = [c.name for c in KpiRow.__table__.columns]
    rows = conn.execute(select(KpiRow.__table__).where(KpiRow.month == month, scope.kpis(), *conditions)).fetchall()
    return typed(pd.DataFrame(rows, columns=columns))


def _require_snapshot(conn: Connection, month: str, config: Config) -> month_states.MonthState:
    """The month as every page names it, with the day its data reach; no snapshot: a DocumentError."""
    state = month_states.states(conn, config.zone, month).get(month)
    if state is None:
        raise DocumentError(f"{month} 尚无快照 / no snapshot for {month}")
    return state


def _row(frame: pd.DataFrame) -> dict | None:
    return None if frame.empty else {k: (None if fig.undefined(v) else v) for k, v in frame.iloc[0].to_dict().items()}


def _ranked(frame: pd.DataFrame) -> list[tuple[str, float]]:
    ranked = frame[frame["rank"].notna()].sort_values(["rank", "code"])
    return list(zip(ranked["name"], ranked["score"]))


def _common(config: Config, today: dt.date, state: month_states.MonthState) -> dict:
    """What every document says alike; its month as every page names it (metrics.md): a month not yet
    closed is marked 进行中 in the text, the title keeping documents.md's form."""
    city = config["org.city_name"]
    return {"bureau": config["documents.bureau_name"] or f"{city}财政局", "date": fig.date_text(today),
            "month_text": state.label, "city": city}


def _list_members(entries: pd.DataFrame, which: str, figures: dict[tuple[str, str], dict]) -> list[dict]:
    """A list's members in reading order: counties first, then departments by region and rank."""
    return [{"name": e["name"], "reasons": say.reasons_paragraph(e["reasons"], figures.get((e["level"], e["code"])))}
            for e in _ordered(entries, which, figures)]


def _rank_key(rank) -> float:
    return float("inf") if fig.undefined(rank) else float(rank)


def _ordered(entries: pd.DataFrame, which: str, figures: dict[tuple[str, str], dict]) -> list[dict]:
    chosen = [e for e in entries.to_dict("records") if e["list"] == which]
    return sorted(chosen, key=lambda e: (figures.get((e["level"], e["code"]), {}).get("order", ()), e["code"]))


def bulletin(conn: Connection, scope: Scope, month: str, config: Config, today: dt.date) -> dict:
    """月度通报 for the city (full scope) or one region (a county's own version)."""
    state = _require_snapshot(conn, month, config)
    city_code = config["org.city_region_code"]
    if scope.kind == "all":
        level, code = "city", city_code
    elif scope.kind == "region":
        level, code = "region", scope.code
    else:
        scope.refused("月度通报", month)
        raise DocumentError("无权生成月度通报 / not allowed to draft the bulletin")
    previous = shift_month(month, -1)
    now = _row(_kpis(conn, scope, month, KpiRow.level == level, KpiRow.code == code))
    if now is None:
        raise DocumentError(f"{month} 无该范围的指标 / no figures for {code} in {month}")
    before = _row(_kpis(conn, scope, previous, KpiRow.level == level, KpiRow.code == code)) or {}
    regions = dict(conn.execute(select(Region.code, Region.name)).all())
    scope_name = config["org.city_name"] if level == "city" else regions.get(code, code)
    departments = _kpis(conn, scope, month, KpiRow.level == "department")
    own_region = city_code if level == "city" else code
    sections = []
    if level == "city":
        counties = _kpis(conn, scope, month, KpiRow.level == "region", KpiRow.code != city_code)
        sections.append({"heading": "（一）县（市、区）排名", "text": say.top_and_bottom(_ranked(counties), "县（市、区）")})
        sections.append({"heading": "（二）市直部门排名",
                         "text": say.top_and_bottom(_ranked(departments[departments["region_code"] == own_region]),
                                                    "市直部门")})
    else:
        sections.append({"heading": "（一）部门排名",
                         "text": say.top_and_bottom(_ranked(departments[departments["region_code"] == own_region]),
                                                    "部门")})
    entries = pd.DataFrame(conn.execute(select(ListEntry.list, ListEntry.level, ListEntry.code, ListEntry.name,
                                               ListEntry.region_code, ListEntry.reasons)
                                        .where(ListEntry.month == month, scope.lists())).fetchall(),
                           columns=["list", "level", "code", "name", "region_code", "reasons"])
    figures = {}
    for r in departments.to_dict("records"):
        city_own = r["region_code"] == city_code
        figures[("department", r["code"])] = {
            **r, "peers": "市直部门" if city_own else f"{regions.get(r['region_code'], '')}各部门",
            "order": (1, not city_own, r["region_code"], _rank_key(r["rank"]))}
    for r in _kpis(conn, scope, month, KpiRow.level == "region").to_dict("records"):
        figures[("region", r["code"])] = {**r, "peers": "各县（市、区）", "order": (0, False, "", _rank_key(r["rank"]))}
    ordered = departments.assign(own=departments["region_code"] != own_region).sort_values(
        ["own", "region_code", "rank", "code"], na_position="last")
    attachment = [[regions.get(r["region_code"], r["region_code"]),
                   "未排名" if fig.undefined(r["rank"]) else str(int(r["rank"])), r["name"],
                   *["无" if fig.undefined(r[key]) else fig.text(key, r[key]) for key in ATTACHMENT]]
                  for r in ordered.to_dict("records")]
    return {
        **_common(config, today, state), "scope_name": scope_name,
        # a county issues its own region's bulletin
        **({} if level == "city" else {"bureau": f"{scope_name}财政局"}),
        "recipients": config["documents.recipients"] if level == "city" else f"{scope_name}各部门、各单位：",
        "title": f"关于{fig.month_text(month)}{scope_name}国有资产盘活工作情况的通报",
        "overview": _overview(now, before, state.reach, scope_name),
        **reporting_facts(conn, scope, month, config, today, regions),
        "rankings": sections,
        "notices": _list_members(entries, "notice", figures),
        "interviews": _list_members(entries, "interview", figures),
        "accountability": say.accountability_paragraph([e["name"] for e in _ordered(entries, "accountability",
                                                                                      figures)]),
        "budget": say.budget_paragraph([(e["name"], e["reasons"]) for e in _ordered(entries, "budget_restriction",
                                                                                     figures)]),
        "requirements": [line.strip() for line in config["documents.requirements"].splitlines() if line.strip()],
        "attachment_head": ["区划", "排名", "部门", *[fig.figure(key).label for key in ATTACHMENT]],
        "attachment": attachment,
    }


def reporting_facts(conn: Connection, scope: Scope, month: str, config: Config, today: dt.date,
                    regions: dict[str, str]) -> dict:
    """报送情况 (reporting.md) of the units in scope: the paragraph, and the rows of its annex (附件2:
    区划, 部门, 应报单位, 未报送, 逾期) when it names only the first departments of a longer list."""
    frame = reporting.statuses(conn, month, scope.units(), today, config["reporting.due_day"])
    counts = {} if frame.empty else {status: int(n) for status, n in frame["status"].value_counts().items()}
    behind = reporting.shares(frame)
    behind = behind[(behind["missing"] > 0) | (behind["late"] > 0)].sort_values(
        ["missing", "late", "region_code", "dept_code"], ascending=[False, False, True, True])
    due = reporting.due_date(month, config["reporting.due_day"])
    named = say.NAMED_BEHIND
    text = say.reporting_paragraph(month, due, today, counts,
                                   [(r.dept_name, int(r.missing), int(r.late)) for r in behind.itertuples()], named)
    annex = [[regions.get(r.region_code, r.region_code), r.dept_name, f"{int(r.units):,}", f"{int(r.missing):,}",
              f"{int(r.late):,}"] for r in behind.itertuples()] if len(behind) > named else []
    return {"reporting": text, "reporting_behind": annex}


def _overview(now: dict, before: dict, upto: dt.date, scope_name: str) -> str:
    parts = [say.figure_with_change(key, now.get(key), before.get(key)) for key in HEADLINE]
    return (f"截至{fig.date_text(upto)}，{scope_name}纳入监测的" + "；".join(parts) + "。")


def region_name(conn: Connection, code: str) -> str:
    return conn.execute(select(Region.name).where(Region.code == code)).scalar() or code


def department_name(conn: Connection, code: str) -> str:
    return conn.execute(select(Department.name).where(Department.code == code)).scalar() or code


def interview_departments(conn: Connection, scope: Scope, month: str) -> list[tuple[str, str]]:
    """(code, name) of the departments on the month's interview list that the scope sees."""
    return [tuple(r) for r in conn.execute(
        select(ListEntry.code, ListEntry.name).where(ListEntry.month == month, ListEntry.list == "interview",
                                                     ListEntry.level == "department", scope.lists())
        .order_by(ListEntry.region_code, ListEntry.code)).all()]


def interview(conn: Connection, scope: Scope, month: str, dept: str, config: Config, today: dt.date) -> dict | None:
    """约谈通知书 for a department on the month's interview list; None outside the scope or the list.
    When and where it is held and who attends come from the interview scheduled from that list."""
    state = _require_snapshot(conn, month, config)
    entry = conn.execute(select(ListEntry.name, ListEntry.reasons).where(
        ListEntry.month == month, ListEntry.list == "interview", ListEntry.level == "department",
        ListEntry.code == dept, scope.lists())).first()
    row = _row(_kpis(conn, scope, month, KpiRow.level == "department", KpiRow.code == dept))
    if entry is None or row is None:
        scope.refused("约谈通知书", dept)
        return None
    held = conn.execute(select(Interview.scheduled_on, Interview.place, Interview.attendees).where(
        Interview.month == month, Interview.dept_code == dept, scope.owns(Interview))
        .order_by(Interview.created_at.desc())).first()
    return {
        **_common(config, today, state), "title": "约谈通知书", "addressee": entry.name,
        "reasons": [say.reason_sentence(r, row) for r in entry.reasons],
        "when": fig.date_text(held.scheduled_on) if held else "    年  月  日",
        "where": (held.place if held and held.place else "              "),
        "attendees": held.attendees.strip() if held and held.attendees and held.attendees.strip() else "",
        "scheduled": held is not None,
    }


def rectify_departments(conn: Connection, scope: Scope, month: str) -> list[str]:
    """Departments with open orange or red warnings in the month, within the scope."""
    return list(conn.execute(_open_warnings(scope, month).with_only_columns(WarningRow.dept_code).distinct()
                             .order_by(WarningRow.dept_code)).scalars())


def _open_warnings(scope: Scope, month: str):
    """The month's orange and red warnings whose case a supervisor has not resolved."""
    return (select(WarningRow.rule, WarningRow.ref, WarningRow.level, WarningRow.asset_code, WarningRow.first_seen,
                   WarningRow.days, WarningRow.months, Asset.name.label("asset_name"), Unit.name.label("unit_name"))
            .join(Asset, Asset.code == WarningRow.asset_code).join(Unit, Unit.code == WarningRow.unit_code)
            .outerjoin(WarningCase, and_(WarningCase.rule == WarningRow.rule, WarningCase.ref == WarningRow.ref))
            .where(WarningRow.month == month, WarningRow.level.in_(ESCALATED), scope.warnings(),
                   or_(WarningCase.state.is_(None), WarningCase.state != "resolved")))


def point_items(conn: Connection, scope: Scope, month: str, dept: str) -> list[dict]:
    """A department's warned assets, plans and income rows with the money at stake (yuan), for
    metrics.attribution to rank by the points they cost."""
    query = (select(WarningRow.rule, WarningRow.ref, WarningRow.asset_code, Asset.name.label("asset_name"),
                    Asset.original_value.label("value"), Income.amount, Income.remitted_amount, Income.remitted_on,
                    Income.received_on)
             .join(Asset, Asset.code == WarningRow.asset_code)
             .outerjoin(Income, and_(WarningRow.rule == "remit_late", Income.income_id == WarningRow.ref))
             .where(WarningRow.month == month, WarningRow.dept_code == dept, scope.warnings(),
                    WarningRow.rule.in_([rule for rules in FIXED_BY.values() for rule in rules]))
             .order_by(WarningRow.rule, WarningRow.ref))
    rows = [dict(r._mapping) for r in conn.execute(query)]
    for row in rows:
        for key in ("value", "amount", "remitted_amount"):
            row[key] = None if row[key] is None else row[key] / 100
    return rows


def _points_by_warning(fixes: list[attribution.Fix]) -> dict[tuple[str, str], float]:
    """Points regained per warning (rule, ref): the rules of one kind of fix share it (an idle
    asset's two warnings are one fix)."""
    return {(rule, fix.ref): fix.points for fix in fixes for rule in FIXED_BY[fix.kind]}


def rectify(conn: Connection, scope: Scope, month: str, dept: str, config: Config, today: dt.date) -> dict | None:
    """整改通知书 for any department in the scope: score, rank, points lost, open orange/red warnings."""
    state = _require_snapshot(conn, month, config)
    upto = state.reach
    row = _row(_kpis(conn, scope, month, KpiRow.level == "department", KpiRow.code == dept))
    if row is None:
        scope.refused("整改通知书", dept)
        return None
    region = conn.execute(select(Region.name, Region.code).join(Department, Department.region_code == Region.code)
                          .where(Department.code == dept)).first()
    peers = "市直部门" if region.code == config["org.city_region_code"] else f"{region.name}各部门"
    indicators = [[item["label"], fig.phrase(item["key"], item["value"]), item["target"],
                   fig.text("score", item["score"]), f"{item['weight']:g}", fig.text("score", item["lost"])]
                  for item in attribution.breakdown(row, config)]
    fixes = attribution.fixes(row, point_items(conn, scope, month, dept), snapshot_date(month), config)
    points = _points_by_warning(fixes)
    warnings = pd.DataFrame(conn.execute(_open_warnings(scope, month).where(WarningRow.dept_code == dept)).fetchall(),
                            columns=["rule", "ref", "level", "asset_code", "first_seen", "days", "months",
                                     "asset_name", "unit_name"])
    groups = []
    if not warnings.empty:
        warnings["points"] = [points.get((r, f), 0.0) for r, f in zip(warnings["rule"], warnings["ref"])]
        warnings["severity"] = warnings["level"].map(SEVERE_FIRST.index)
        for number, (rule, group) in enumerate(sorted(warnings.groupby("rule"), key=lambda g: (-len(g[1]), g[0])),
                                               start=1):
            top = group.sort_values(["points", "severity", "ref"], ascending=[False, True, True]).head(TOP_ASSETS)
            groups.append({
                "heading": f"{_chinese_number(number)}{say.rule_name(rule)}（{say.level_count(group['level'].tolist())}）",
                "more": (f"另有{len(group) - TOP_ASSETS}条，详见平台预警清单。" if len(group) > TOP_ASSETS else ""),
                "rows": [[r["asset_code"], r["asset_name"], r["unit_name"], say.level_name(r["level"]),
                          say.months_or_days(r["days"], r["months"]) or "—", r["first_seen"].isoformat(),
                          fig.text("score", r["points"]) if r["points"] >= 0.05 else "—"]
                         for r in top.to_dict("records")],
            })
    rank = ("本月未参与排名（无在册资产）" if row["rank"] is None else
            f"在{peers}中排名第{int(row['rank'])}位（共{int(row['peer_size'])}个）")
    lost_total = sum(attribution.lost_points(row, config).values())
    deadline = today + dt.timedelta(days=config["documents.rectify_days"])
    common = _common(config, today, state)
    return {
        **common, "title": "整改通知书", "addressee": row["name"],
        "standing": f"根据{common['month_text']}国有资产盘活工作监测结果，你单位{fig.labelled('score', row['score'])}，"
                    f"{rank}，共失{fig.phrase('score', lost_total)}。各项指标得分及失分情况如下：",
        "indicator_head": ["指标", "本月", "目标", "单项得分", "权重", "失分"],
        "indicators": indicators,
        "warning_count": int(len(warnings)),
        "warnings_intro": (f"截至{fig.date_text(upto)}，你单位尚有未整改的橙色及以上预警{len(warnings)}条，"
                           "按规则分列如下（每类列出整改后可挽回分数最多的资产，至多10项）：") if len(warnings) else
                          f"截至{fig.date_text(upto)}，你单位无未整改的橙色及以上预警。",
        "warning_head": ["资产编号", "资产名称", "单位", "等级", "持续时间", "首次出现", "可挽回分数"],
        "groups": groups,
        "deadline": fig.date_text(deadline),
    }


def _chinese_number(n: int) -> str:
    digits = "一二三四五六七八九十"
    return f"（{digits[n - 1] if n <= 10 else n}）"
