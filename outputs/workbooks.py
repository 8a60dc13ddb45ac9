"""The workbooks people read: the monthly meeting pack and the weekly dispatch report (周调度).

Every figure goes through outputs.figures (the cell keeps the number, its format shows it as the
pages do; a change is the layer's words). Every sheet carries one title line naming the city, the
month (marked 进行中 until it is closed), the scope and when the file was made, in the deployment's
time zone. Every read is filtered by the Scope it is given, which has no default: the portal
passes the caller's, the scheduler (which writes for the finance bureau) passes `Scope("all")`.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, func, select

from ledger import clock, inbox, reporting
from ledger.config import Config
from ledger.models import Department, KpiRow, ListEntry, Snapshot, WarningRow
from ledger.scope import Scope
from ledger.vocab import LEVELS, LISTS, SCOPE_LEVELS, SEVERE_FIRST
from metrics.timeline import shift_month
from outputs import figures, months
from outputs.exports import typed
from outputs.files import atomic_path
from outputs.months import MonthState
from outputs.phrasing import reasons_text
from outputs.xlsx import ExportError, Sheet, safe_text, write_workbook

# the ranking's columns, in order: figures (as outputs.figures shows them) and a few words
RANKING = ["rank", "rank_change", "code", "name", "score", "score_idle", "score_overdue", "score_completion",
           "score_remit", "score_quality", "asset_count", "base_value", "idle_rate", "overdue_idle_count",
           "overdue_idle_value", "due_completion_rate", "remit_rate", "data_quality_rate", "late_income_count"]
WORDS = {"code": "编码", "name": "名称", "region_name": "区划", "rank_change": "名次变化"}
# the figures a meeting reads first: the summary's and each listed department's own sheet
HEADLINE = ["score", "asset_count", "base_value", "idle_rate", "overdue_idle_count", "overdue_idle_rate",
            "due_completion_rate", "completion_rate", "overdue_plan_count", "remit_rate", "late_income_count",
            "data_quality_rate", "listing_rate"]


def cell(key: str, value):
    """A figure's cell in a table people read: the number (outputs.figures.cell), or — when undefined."""
    number = figures.cell(key, value)
    return figures.DASH if number is None else number


def heading(key: str) -> str:
    """A column's heading: the figure's name, money with its unit (a cell keeps yuan)."""
    if key in WORDS:
        return WORDS[key]
    fig = figures.figure(key)
    return fig.label + ("（元）" if fig.kind == "money" else "")


def month_state(conn: Connection, month: str, zone: str) -> MonthState:
    found = months.states(conn, zone, month)
    if month not in found:
        raise ExportError(f"{month} 尚无快照 / no snapshot for {month}")
    return found[month]


def title_line(config: Config, month_label: str, scope_text: str, what: str, filters: str = "") -> str:
    """What a file is: city, title, month, scope, the filters applied (if any), when it was made."""
    made = figures.moment(clock.now(), config.zone)
    return (f"{config['org.city_name']} · {what} · {month_label} · 范围：{scope_text}"
            + (f" · 筛选：{filters}" if filters else "") + f" · 生成于 {made}")


def _kpis(conn: Connection, month: str, level: str, scope: Scope) -> pd.DataFrame:
    rows = conn.execute(select(KpiRow.__table__).where(KpiRow.month == month, KpiRow.level == level, scope.kpis())
                        ).fetchall()
    frame = typed(pd.DataFrame(rows, columns=[c.name for c in KpiRow.__table__.columns]))
    regions = dict(conn.execute(select(KpiRow.code, KpiRow.name).where(
        KpiRow.month == month, KpiRow.level == "region", scope.kpis())).all())
    frame["region_name"] = frame["region_code"].map(regions).fillna(frame["region_code"])
    return frame


def _ranking(frame: pd.DataFrame, with_region: bool) -> Sheet:
    """A ranking as a sheet: figures as numbers in their formats, the rank's move as the pages show it."""
    ordered = frame.sort_values(["region_code", "rank", "code"] if with_region else ["rank", "code"],
                                na_position="last")
    keys = (["region_name"] if with_region else []) + RANKING
    table = pd.DataFrame({heading(k): ordered[k].map(figures.rank_move) if k == "rank_change" else
                          ordered[k].map(lambda v, k=k: cell(k, v)) if k in figures.FIGURES else ordered[k]
                          for k in keys})
    return table, {heading(k): figures.number_format(k) for k in keys if k in figures.FIGURES and k != "rank_change"}


def _figures_table(now: dict, before: dict, keys: list[str]) -> tuple[pd.DataFrame, dict]:
    """指标 · 本月 · 上月 · 较上月: the cells keep the numbers, each row in its figure's format."""
    table = pd.DataFrame({
        "指标": [heading(k) for k in keys],
        "本月": [cell(k, now.get(k)) for k in keys],
        "上月": [cell(k, before.get(k)) if before else figures.DASH for k in keys],
        "较上月": [figures.change(k, now.get(k), before.get(k)).words if before else "上月无可比数据" for k in keys],
    })
    shown = [figures.number_format(k) for k in keys]
    return table, {"本月": shown, "上月": shown}


def _lists(conn: Connection, month: str, scope: Scope) -> pd.DataFrame:
    rows = conn.execute(select(ListEntry.list, ListEntry.level, ListEntry.code, ListEntry.name, ListEntry.reasons)
                        .where(ListEntry.month == month, scope.lists())
                        .order_by(ListEntry.list, ListEntry.level, ListEntry.code)).all()
    order = list(LISTS)
    rows = sorted(rows, key=lambda r: (order.index(r.list) if r.list in order else 9, r.level, r.code))
    return pd.DataFrame([{"名单": LISTS.get(r.list, r.list), "层级": SCOPE_LEVELS.get(r.level, r.level), "编码": r.code,
                          "名称": r.name, "原因": reasons_text(r.reasons)} for r in rows],
                        columns=["名单", "层级", "编码", "名称", "原因"])


def _warning_counts(conn: Connection, month: str, scope: Scope) -> pd.DataFrame:
    rows = conn.execute(select(WarningRow.dept_code, WarningRow.level, func.count()).where(
        WarningRow.month == month, scope.warnings()).group_by(WarningRow.dept_code, WarningRow.level)).all()
    return pd.DataFrame(rows, columns=["dept_code", "level", "n"])


def _warning_summary(counts: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    table = (counts.pivot_table(index="dept_code", columns="level", values="n", aggfunc="sum", fill_value=0)
             .reindex(columns=list(SEVERE_FIRST), fill_value=0)) if len(counts) else pd.DataFrame(columns=SEVERE_FIRST)
    table = table.astype(int).reset_index().rename(columns={"dept_code": "部门编码",
                                                            **{k: f"{LEVELS[k]}预警" for k in SEVERE_FIRST}})
    table.insert(1, "部门", table["部门编码"].map(names))
    table["合计"] = table[[f"{LEVELS[k]}预警" for k in SEVERE_FIRST]].sum(axis=1)
    return table.sort_values(["红色预警", "合计"], ascending=False)


def _summary(conn: Connection, state: MonthState, scope: Scope, focus: tuple[str, str], scope_text: str,
             config: Config) -> Sheet:
    """The first sheet, what a meeting reads first on one printed page: the month, the headline
    figures against the month before, the warnings by level and the lists with their members."""
    level, code = focus
    month, previous = state.month, shift_month(state.month, -1)

    def row(m: str) -> dict:
        found = _kpis(conn, m, level, scope)
        found = found[found["code"] == code]
        return {} if found.empty else found.iloc[0].to_dict()
    about = pd.DataFrame({"指标": ["月份", "范围", "数据截至", "快照计算于"],
                          "本月": [state.label, scope_text, figures.date_text(state.reach),
                                 figures.moment(state.computed_at, config.zone)]})
    table, formats = _figures_table(row(month), row(previous), HEADLINE)
    counts = {m: _warning_counts(conn, m, scope).groupby("level")["n"].sum() for m in (month, previous)}
    entries = {m: _lists(conn, m, scope) for m in (month, previous)}
    counted = [(f"{LEVELS[lvl]}预警（条）", "warning_count", *(int(counts[m].get(lvl, 0)) for m in (month, previous)), "")
               for lvl in SEVERE_FIRST]
    counted += [(f"{zh}名单（个）", "list_count", *(int((entries[m]["名单"] == zh).sum()) for m in (month, previous)),
                 "、".join(entries[month].loc[entries[month]["名单"] == zh, "名称"])) for zh in LISTS.values()]
    tally = pd.DataFrame([{"指标": name, "本月": now, "上月": before, "较上月": figures.change(key, now, before).words,
                           "说明": members} for name, key, now, before, members in counted])
    sheet = pd.concat([about, pd.DataFrame([{}]), table, pd.DataFrame([{}]), tally], ignore_index=True)
    sheet = sheet.reindex(columns=["指标", "本月", "上月", "较上月", "说明"])
    pad = [None] * (len(about) + 1)
    return sheet, {col: pad + shown + [None] + ["#,##0"] * len(tally) for col, shown in formats.items()}


def meeting_pack(conn: Connection, month: str, target, config: Config, scope: Scope, scope_text: str) -> None:
    """The monthly meeting's workbook: a summary first, the rankings, the lists with their reasons,
    the warnings by department, then a sheet for each department on a list this month (the ones
    the meeting discusses)."""
    state = month_state(conn, month, config.zone)
    city_code = config["org.city_region_code"]
    focus = ("region", scope.code) if scope.kind == "region" else ("city", city_code)
    departments = _kpis(conn, month, "department", scope)
    regions = _kpis(conn, month, "region", scope)
    regions = regions[regions["code"] != city_code]
    names = dict(zip(departments["code"], departments["name"]))
    sheets = [("汇总", *_summary(conn, state, scope, focus, scope_text, config))]
    if len(regions):
        sheets.append(("县区排名", *_ranking(regions, with_region=False)))
    sheets += [("部门排名", *_ranking(departments, with_region=True)), ("约谈问责名单", _lists(conn, month, scope), {}),
               ("预警汇总", _warning_summary(_warning_counts(conn, month, scope), names), {})]
    listed = set(conn.execute(select(ListEntry.code).where(ListEntry.month == month, ListEntry.level == "department",
                                                           scope.lists())).scalars())
    before = _kpis(conn, shift_month(month, -1), "department", scope).set_index("code")
    units = _kpis(conn, month, "unit", scope)
    for _, row in departments[departments["code"].isin(listed)].sort_values(["region_code", "rank", "code"],
                                                                           na_position="last").iterrows():
        previous = before.loc[row["code"]].to_dict() if row["code"] in before.index else {}
        table, formats = _figures_table(row.to_dict(), previous, HEADLINE)
        mine = units[units["dept_code"] == row["code"]].sort_values(["rank", "code"], na_position="last")
        if len(mine):
            ranked = pd.DataFrame({"指标": [f"{figures.rank_text(r, n, '未排名')} {name}" for r, n, name in
                                           zip(mine["rank"], mine["peer_size"], mine["name"])],
                                   "本月": [cell("score", s) for s in mine["score"]]})
            table = pd.concat([table, pd.DataFrame([{}, {"指标": "下属单位（按综合得分排名）"}]), ranked],
                              ignore_index=True)
            formats = {col: shown + [None, None] + (["0.0"] * len(mine) if col == "本月" else [None] * len(mine))
                       for col, shown in formats.items()}
        # sheet names: at most 31 characters, no []:*?/\ ; the code keeps them unique
        name = "".join(ch for ch in f"{row['code']} {row['name']}" if ch not in "[]:*?/\\")[:31]
        sheets.append((name, table, formats))
    write_workbook(target, sheets, title_line(config, state.label, scope_text, "月度督导会议材料"))


def rankings(conn: Connection, month: str, target, config: Config, scope: Scope, scope_text: str,
             region: str | None, region_text: str) -> None:
    """排名 as the page shows it: the departments of one region (its own peer group), and the
    counties where the caller sees the city."""
    state = month_state(conn, month, config.zone)
    departments = _kpis(conn, month, "department", scope)
    if region:
        departments = departments[departments["region_code"] == region]
    sheets = [(f"部门排名（{region_text}）", *_ranking(departments, with_region=not region))]
    if scope.kind in ("all", "screen"):
        regions = _kpis(conn, month, "region", scope)
        regions = regions[regions["code"] != config["org.city_region_code"]]
        if len(regions):
            sheets.append(("县区排名", *_ranking(regions, with_region=False)))
    write_workbook(target, sheets, title_line(config, state.label, scope_text, "排名", region_text))


def dispatch_week(config: Config) -> str:
    """The week a 周调度 drafted now reports on: the newest whose progress reports were due."""
    return reporting.reported_week(clock.local_now(config.zone), config["reporting.weekly_due"])


def weekly_dispatch(conn: Connection, month: str, target, config: Config, scope: Scope, scope_text: str,
                    week: str | None = None) -> None:
    """周调度: where each department stands in the newest snapshot, its warnings and the lists; the
    week's progress reports and who has not reported (reporting.md); notices left unread too long
    (delivery.md, 逾期未读)."""
    state = month_state(conn, month, config.zone)
    week = week or dispatch_week(config)
    departments = _kpis(conn, month, "department", scope)
    names = dict(zip(departments["code"], departments["name"]))
    reports = reporting.weekly_reports(conn, week, scope.owns(Department))
    done = reports[reports["version"].notna()]
    progress = pd.DataFrame({"部门": done["dept_name"], "本周进展": done["progress"], "存在问题": done["problems"],
                             "下周计划": done["next_plan"], "负责人": done["signer"],
                             "报送时间": [figures.moment(t, config.zone, seconds=False) for t in done["submitted_at"]],
                             "版本": [f"第{int(v)}版" + ("（逾期更正）" if late else "") for v, late in
                                    zip(done["version"], done["late"])]})
    missing = reports[reports["version"].isna()]
    unread = inbox.overdue_unread(conn, scope.owns(Department), clock.now(), config["delivery.read_within_days"])
    sheets = [("部门排名", *_ranking(departments, with_region=True)),
              ("预警汇总", _warning_summary(_warning_counts(conn, month, scope), names), {}),
              ("约谈问责名单", _lists(conn, month, scope), {}),
              (f"周进度 {week}", progress, {}),
              ("未报周进度部门", pd.DataFrame({"部门编码": missing["dept_code"], "部门": missing["dept_name"]}), {}),
              ("逾期未读通知书", pd.DataFrame([{"部门": r.dept_name, "文书": r.title, "未读账号": r.username,
                                          "送达时间": figures.moment(r.created_at, config.zone, seconds=False)}
                                         for r in unread], columns=["部门", "文书", "未读账号", "送达时间"]), {})]
    write_workbook(target, sheets, title_line(config, f"{state.label} · {week.replace('-W', '年第')}周", scope_text,
                                              "盘活工作周调度"))


def newest_month(conn: Connection) -> str | None:
    return conn.execute(select(func.max(Snapshot.month))).scalar()


# ---- 审核意见表: one printed form per purchase request (allocation.md) ---------------------------

FORM_COLUMNS = [8, 16, 20, 20, 12, 10, 10, 16]  # widths of columns A–H, one A4 portrait page wide
CANDIDATE_HEAD = ["排序", "资产编号", "资产名称", "所在单位", "使用状况", "闲置月数", "公物仓", "价值（元）"]


def opinion_forms(target, forms: list[dict], config: Config, scope_text: str, year: int) -> None:
    """The year's 审核意见表: each request on a page of its own (request, candidates, flags,
    decision, reason, signature lines), ready to print and sign."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.worksheet.pagebreak import Break

    if isinstance(target, (str, Path)):  # a file is written whole or not at all
        with atomic_path(target) as temporary, temporary.open("wb") as out:
            return opinion_forms(out, forms, config, scope_text, year)
    book = Workbook()
    sheet = book.active
    sheet.title = "审核意见表"
    for index, width in enumerate(FORM_COLUMNS, start=1):
        sheet.column_dimensions[chr(64 + index)].width = width
    line = Side(style="thin", color="808080")
    box, wrap = Border(left=line, right=line, top=line, bottom=line), Alignment(wrap_text=True, vertical="center")
    made = title_line(config, f"{year}年度", scope_text, "新增资产配置审核意见表")
    row = 1

    def put(cells: list[tuple[int, int, object]], bold: bool = False, height: float | None = None) -> None:
        """Cells of one row: (first column, last column, value), merged and boxed."""
        nonlocal row
        for first, last, value in cells:
            written = sheet.cell(row=row, column=first, value=safe_text(value))
            written.alignment, written.font = wrap, Font(bold=bold, name="宋体", size=10)
            if last > first:
                sheet.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
            for column in range(first, last + 1):
                sheet.cell(row=row, column=column).border = box
        if height:
            sheet.row_dimensions[row].height = height
        row += 1

    if not forms:
        sheet.cell(row=1, column=1, value=made)
        sheet.cell(row=2, column=1, value=f"{year}年度尚无配置需求")
    for number, f in enumerate(forms):
        title = sheet.cell(row=row, column=1, value=f"{config['org.city_name']}新增资产配置审核意见表")
        title.font, title.alignment = Font(bold=True, size=16, name="宋体"), Alignment(horizontal="center")
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=8)
        sheet.row_dimensions[row].height = 30
        row += 1
        sheet.cell(row=row, column=1, value=safe_text(made)).font = Font(size=8, color="606060")
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=8)
        row += 1
        put([(1, 2, "需求编号"), (3, 4, f["request_id"]), (5, 6, "预算年度"), (7, 8, f"{f['budget_year']}年度")], height=20)
        put([(1, 2, "申报单位"), (3, 4, f["unit"]), (5, 6, "主管部门"), (7, 8, f["dept"])], height=30)
        put([(1, 2, "资产名称"), (3, 4, f["asset_name"]), (5, 6, "资产分类"),
             (7, 8, f"{f['category']} {f['category_code']}".strip())], height=20)
        put([(1, 2, "数量"), (3, 3, f["quantity"]), (4, 4, "单价（元）"), (5, 5, f["unit_price"]),
             (6, 6, "金额（元）"), (7, 8, f["amount"])], height=20)
        for column, shown in ((5, "#,##0.00"), (7, "#,##0.00")):
            sheet.cell(row=row - 1, column=column).number_format = shown
        put([(1, 2, "申报日期"), (3, 4, figures.date_text(f["requested_on"])), (5, 6, "申报理由"), (7, 8, f["reason"])],
            height=30)
        put([(1, 8, f"存量候选资产（共 {f['candidate_count']} 项，列出前 {len(f['candidates'])} 项）")], bold=True)
        put([(i + 1, i + 1, h) for i, h in enumerate(CANDIDATE_HEAD)], bold=True)
        for c in f["candidates"]:
            put([(1, 1, c["rank"]), (2, 2, c["asset_code"]), (3, 3, c["name"]), (4, 4, c["unit"]), (5, 5, c["status"]),
                 (6, 6, c["months_idle"]), (7, 7, c["listed"]), (8, 8, "—" if c["value"] is None else c["value"])])
            sheet.cell(row=row - 1, column=8).number_format = "#,##0.00"
        if not f["candidates"]:
            put([(1, 8, "无存量候选资产")])
        put([(1, 2, "审核提示"), (3, 8, f["flags"])], height=20)
        decision = f["decision"] + (f"（同意采购 {f['approved_qty']} 件）" if f["approved_qty"] else "")
        put([(1, 2, "审核决定"), (3, 8, decision)], height=20)
        put([(1, 2, "调剂资产"), (3, 8, "；".join(f["transfers"]) or "—")], height=30)
        put([(1, 2, "审核意见及理由"), (3, 8, f["note"])], height=60)
        decided = (f"{f['decided_by']}，{figures.moment(f['decided_at'], config.zone, seconds=False)}"
                   if f["decided_at"] else "—")
        put([(1, 2, "平台记录"), (3, 8, decided)])
        row += 1
        sheet.cell(row=row, column=1, value="经办人（签字）：")
        sheet.cell(row=row, column=4, value="审核人（签字）：")
        sheet.cell(row=row, column=7, value="日期：    年  月  日")
        row += 2
        sheet.cell(row=row, column=1, value="主管部门意见（盖章）：")
        sheet.cell(row=row, column=5, value="财政部门意见（盖章）：")
        row += 2
        if number < len(forms) - 1:
            sheet.row_breaks.append(Break(id=row - 1))  # the next request starts a page of its own
    sheet.page_setup.orientation = "portrait"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    book.save(target)


# an import's problem as the import page's list and its workbook head it
PROBLEM_HEADINGS = {"sheet": "工作表", "row": "行", "column": "列", "value": "值", "zh": "问题"}


def import_problems(target, record, zone: str) -> None:
    """A failed import's problems as the import page listed them, for whoever corrects the ledger:
    `record` has the import's id, file_name, started_at, username and kept problems."""
    kept = record.problems
    frame = pd.DataFrame(kept["listed"], columns=list(PROBLEM_HEADINGS)).rename(columns=PROBLEM_HEADINGS)
    frame["行"] = frame["行"].astype("Int64")  # row numbers, not 12.0; empty for a whole sheet or file
    shown = len(frame)
    listed = f"，列出前 {shown:,} 个" if kept["total"] > shown else ""
    title = (f"导入问题清单 · {record.file_name}（#{record.id}，{record.username} 于 "
             f"{figures.moment(record.started_at, zone)} 导入）· 共 {kept['total']:,} 个问题{listed}，未写入任何数据")
    write_workbook(target, [("问题清单", frame)], title, pages_wide=1)
