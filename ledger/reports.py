"""The meeting pack and the weekly dispatch report (周调度): xlsx workbooks read from a snapshot.

Every sheet carries one title line naming the city, the month, the scope and when the file was
made. Every read is filtered by the Scope it is given, which has no default: the portal passes the
caller's, the scheduler (which writes for the finance bureau) passes `Scope("all")` by name.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, func, select

from ledger.exports import ExportError, write_workbook
from ledger.models import KpiRow, ListEntry, Snapshot, WarningRow
from ledger.scope import Scope
from ledger.snapshot_rows import typed
from ledger.vocab import LEVELS as LEVEL_ZH, LISTS as LIST_ZH

RANKING_COLUMNS = {  # column -> heading, in order
    "region_name": "区划", "rank": "排名", "rank_change": "名次变化", "code": "编码", "name": "名称",
    "score": "综合得分", "score_idle": "闲置率得分", "score_overdue": "超期闲置得分",
    "score_completion": "盘活完成得分", "score_remit": "收入上缴得分", "score_quality": "数据质量得分",
    "asset_count": "资产数", "base_value": "资产原值(元)", "idle_rate": "闲置率", "overdue_idle_count": "超期闲置数",
    "overdue_idle_value": "超期闲置原值(元)", "due_completion_rate": "到期盘活完成率", "remit_rate": "收入上缴率",
    "data_quality_rate": "数据质量", "late_income_count": "逾期未缴笔数",
}
FORMATS = {heading: ("0.00%" if heading.endswith("率") or heading == "数据质量" else "#,##0.00")
           for heading in RANKING_COLUMNS.values() if heading.endswith(("率", "(元)")) or heading == "数据质量"}
FIGURES = [  # the figures on a department's own sheet: column, label, kind
    ("score", "综合得分", "score"), ("rank", "排名", "int"), ("peer_size", "参评数", "int"),
    ("asset_count", "资产数", "int"), ("base_value", "资产原值(元)", "money"), ("idle_count", "闲置资产数", "int"),
    ("idle_value", "闲置资产原值(元)", "money"), ("idle_rate", "闲置率", "rate"),
    ("overdue_idle_count", "超期闲置数", "int"), ("overdue_idle_value", "超期闲置原值(元)", "money"),
    ("overdue_idle_rate", "超期闲置率", "rate"), ("avg_months_idle", "平均闲置月数", "score"),
    ("plan_count", "盘活台账数", "int"), ("due_completion_rate", "到期盘活完成率", "rate"),
    ("completion_rate", "盘活完成率", "rate"), ("overdue_plan_count", "逾期台账数", "int"),
    ("income_received", "盘活收入(元)", "money"), ("income_remitted", "已上缴(元)", "money"),
    ("remit_rate", "收入上缴率", "rate"), ("late_income_count", "逾期未缴笔数", "int"),
    ("data_quality_rate", "数据质量", "rate"),
]


def _kpis(conn: Connection, month: str, level: str, scope: Scope) -> pd.DataFrame:
    columns = ["level", "code", "name", "dept_code", "region_code", "peer_size",
               *[c for c in RANKING_COLUMNS if c != "region_name"]]
    columns = list(dict.fromkeys(columns))
    rows = conn.execute(select(*[getattr(KpiRow, c) for c in columns]).where(
        KpiRow.month == month, KpiRow.level == level, scope.kpis())).fetchall()
    frame = typed(pd.DataFrame(rows, columns=columns))
    regions = dict(conn.execute(select(KpiRow.code, KpiRow.name).where(KpiRow.month == month, KpiRow.level == "region")
                                .where(scope.kpis())).all())
    frame["region_name"] = frame["region_code"].map(regions).fillna(frame["region_code"])
    return frame


def _ranking(frame: pd.DataFrame, with_region: bool) -> pd.DataFrame:
    ordered = frame.sort_values(["region_code", "rank", "code"] if with_region else ["rank", "code"],
                                na_position="last")
    columns = [c for c in RANKING_COLUMNS if with_region or c != "region_name"]
    return ordered[columns].rename(columns=RANKING_COLUMNS)


def _lists(conn: Connection, month: str, scope: Scope) -> pd.DataFrame:
    rows = conn.execute(select(ListEntry.list, ListEntry.level, ListEntry.code, ListEntry.name, ListEntry.reasons)
                        .where(ListEntry.month == month, scope.lists())
                        .order_by(ListEntry.list, ListEntry.level, ListEntry.code)).all()
    return pd.DataFrame([{"名单": LIST_ZH.get(r.list, r.list), "层级": "县区" if r.level == "region" else "部门",
                          "编码": r.code, "名称": r.name, "原因": "；".join(x["text"] for x in r.reasons)} for r in rows],
                        columns=["名单", "层级", "编码", "名称", "原因"])


def _warning_summary(conn: Connection, month: str, scope: Scope, names: dict[str, str]) -> pd.DataFrame:
    rows = conn.execute(select(WarningRow.dept_code, WarningRow.level, func.count()).where(
        WarningRow.month == month, scope.warnings()).group_by(WarningRow.dept_code, WarningRow.level)).all()
    counts = pd.DataFrame(rows, columns=["dept_code", "level", "n"])
    table = (counts.pivot_table(index="dept_code", columns="level", values="n", aggfunc="sum", fill_value=0)
             .reindex(columns=list(LEVEL_ZH), fill_value=0)) if len(counts) else pd.DataFrame(columns=list(LEVEL_ZH))
    table = table.astype(int).reset_index().rename(columns={"dept_code": "部门编码", **{k: f"{v}预警" for k, v in LEVEL_ZH.items()}})
    table.insert(1, "部门", table["部门编码"].map(names))
    table["合计"] = table[[f"{v}预警" for v in LEVEL_ZH.values()]].sum(axis=1)
    return table.sort_values(["红色预警", "合计"], ascending=False)


def _department_sheet(row: pd.Series, units: pd.DataFrame) -> pd.DataFrame:
    digits = {"rate": 4, "money": 2, "score": 1, "int": 0}
    lines = [{"指标": label + ("（%）" if kind == "rate" else ""),
              "数值": None if pd.isna(row[col]) else round(float(row[col]) * (100 if kind == "rate" else 1), digits[kind] - (2 if kind == "rate" else 0))}
             for col, label, kind in FIGURES if col in row]
    figures = pd.DataFrame(lines)
    if len(units):
        figures = pd.concat([figures, pd.DataFrame([{"指标": "", "数值": None}, {"指标": "下属单位（按排名）", "数值": None}]),
                             units.rename(columns={"name": "指标", "score": "数值"})[["指标", "数值"]]],
                            ignore_index=True)
    return figures


def title_line(city: str, month: str, scope_text: str, what: str, filters: str = "") -> str:
    """What a file is: city, title, month, scope, the filters applied (if any), when it was made."""
    made = dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    return f"{city} · {what} · {month} · 范围：{scope_text}" + (f" · 筛选：{filters}" if filters else "") + f" · 生成于 {made}"


def _snapshot(conn: Connection, month: str):
    snap = conn.execute(select(Snapshot).where(Snapshot.month == month)).first()
    if snap is None:
        raise ExportError(f"{month} 尚无快照 / no snapshot for {month}")
    return snap


def meeting_pack(conn: Connection, month: str, target, city: str, scope: Scope, scope_text: str,
                 city_region_code: str | None = None) -> None:
    """Rankings, lists with reasons, warnings summary, and a sheet per department."""
    snap = _snapshot(conn, month)
    departments = _kpis(conn, month, "department", scope)
    regions = _kpis(conn, month, "region", scope)
    regions = regions[regions["code"] != city_region_code] if city_region_code else regions
    units = _kpis(conn, month, "unit", scope)
    names = dict(zip(departments["code"], departments["name"]))
    upto = min(snap.snapshot_date, snap.computed_at.date())  # a month still in progress: the day it was computed
    month_shown = month if upto == snap.snapshot_date else f"{month}（本月进行中）"
    sheets = [("说明", pd.DataFrame({"项目": ["月份", "数据截至", "快照计算时间", "范围", "部门数"],
                                     "内容": [month_shown, upto.isoformat(), f"{snap.computed_at:%Y-%m-%d %H:%M:%S}",
                                            scope_text, len(departments)]}))]
    if len(regions):
        sheets.append(("县区排名", _ranking(regions, with_region=False)))
    sheets += [("部门排名", _ranking(departments, with_region=True)), ("约谈问责名单", _lists(conn, month, scope)),
               ("预警汇总", _warning_summary(conn, month, scope, names))]
    for _, row in departments.sort_values(["region_code", "rank", "code"], na_position="last").iterrows():
        mine = units[units["dept_code"] == row["code"]].sort_values(["rank", "code"], na_position="last")
        # sheet names: at most 31 characters, no []:*?/\ ; the code keeps them unique
        name = "".join(ch for ch in f"{row['code']} {row['name']}" if ch not in "[]:*?/\\")[:31]
        sheets.append((name, _department_sheet(row, mine)))
    write_workbook(target, sheets, title_line(city, month, scope_text, "月度督导会议材料"), FORMATS)


def weekly_dispatch(conn: Connection, month: str, target, city: str, scope: Scope, scope_text: str) -> None:
    """周调度: where each department stands in the newest snapshot, its warnings and the lists."""
    _snapshot(conn, month)
    departments = _kpis(conn, month, "department", scope)
    names = dict(zip(departments["code"], departments["name"]))
    sheets = [("部门排名", _ranking(departments, with_region=True)),
              ("预警汇总", _warning_summary(conn, month, scope, names)),
              ("约谈问责名单", _lists(conn, month, scope))]
    write_workbook(target, sheets, title_line(city, month, scope_text, "盘活工作周调度"), FORMATS)


def newest_month(conn: Connection) -> str | None:
    return conn.execute(select(func.max(Snapshot.month))).scalar()
