"""预警 Warnings: every warning of the month in the caller's scope, the most pressing first, paged on
the server; filters for level, rule, state, region and department and a search; acknowledge
(departments their own, supervisors, counties) and resolve (supervisors, counties) many at once."""
from __future__ import annotations

import io
from typing import NamedTuple

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, clientside_callback, ctx, dcc, html, no_update

from dashboard import components as c
from dashboard import context, queries
from dashboard.components import evidence
from dashboard.components.warnings import LEVEL_CLASSES
from dashboard.shell import guarded, in_address, page_frame, register_page
from ledger import filestore, runs, vocab, workflow
from ledger.errors import UserError
from ledger.models import WarningCase
from ledger.texts import NOTE_CHARS
from ledger.vocab import CaseState
from metrics.rules import NAMES as RULE_NAMES
from outputs import warning_list
from outputs.phrasing import unreached

PATH = register_page(__name__, "/warnings")
P = "warnings"
in_address({"month": (f"{P}-month", "value"), "level": (f"{P}-level", "value"), "rule": (f"{P}-rule", "value"),
            "state": (f"{P}-state", "value"), "region": (f"{P}-region", "value"), "dept": (f"{P}-dept", "value"),
            "q": (f"{P}-search", "value")})
STATES = warning_list.STATES
SEARCH_MAX = 50
FILTERS = [Input(f"{P}-month", "value"), Input(f"{P}-level", "value"), Input(f"{P}-rule", "value"),
           Input(f"{P}-state", "value"), Input(f"{P}-region", "value"), Input(f"{P}-dept", "value"),
           Input(f"{P}-search", "value")]
COLUMNS = [
    {"field": "level_zh", "headerName": "等级", "width": 96, "cellClassRules": LEVEL_CLASSES},
    {"field": "state_zh", "headerName": "状态", "width": 110, "cellClassRules": {"lvl-red": f"params.value == '{warning_list.OVERDUE}'"}},
    {"field": "rule_zh", "headerName": "规则", "width": 140},  # seven characters: 低于评估价处置
    {"field": "object", "headerName": "对象", "width": 200, "tooltipField": "object"},
    c.link_column("asset_code", "资产编号", "asset_href", width=130),
    c.link_column("unit_name", "单位", "unit_href", flex=1, minWidth=170, tooltipField="unit_name"),
    c.link_column("dept_name", "主管部门", "dept_href", flex=1, minWidth=170, tooltipField="dept_name"),
    {"field": "span", "headerName": "时长", "width": 90}, {"field": "opened_on", "headerName": "发生于", "width": 108},
    {"field": "fix_by", "headerName": "计划整改", "width": 108},
    {"field": "note", "headerName": "处理说明", "width": 180, "tooltipField": "note"},
    {"field": "message", "headerName": "说明", "flex": 1.5, "minWidth": 220, "tooltipField": "message"},
]
WHO = ("确认：主管部门确认本部门的预警，监管人员和县区财政确认其范围内的预警；整改完成后由主管部门上传佐证材料报送"
       "（待核验），监管人员或县区财政核验后销号，或写明理由退回。")


class Step(NamedTuple):
    """One button of the toolbar: who may press it, what the cases become and what the page says
    (the departments told of it: outputs.warning_list.TOLD)."""
    label: str
    color: str
    permission: str
    name: str  # 所选另有 N 条当前状态不能{name}
    done: str  # {done} N 条
    state: str
    outline: bool = False


STEPS = {
    "ack": Step("确认并计划整改", "primary", "acknowledge", "确认", "已确认", CaseState.ACKNOWLEDGED),
    "submit": Step("报送整改完成（附佐证材料）", "primary", "submit", "报送整改", "已报送待核验", CaseState.SUBMITTED,
                   outline=True),
    "verify": Step("核验销号", "success", "verify", "核验销号", "已核验销号", CaseState.RESOLVED),
    "return": Step("退回", "warning", "verify", "退回", "已退回", CaseState.RETURNED),
    "resolve": Step("直接销号", "secondary", "resolve", "销号", "已销号", CaseState.RESOLVED, outline=True),
}


def _toolbar():
    scope = context.scope()
    if not scope.may("acknowledge"):
        return [html.Div(WHO, className="small text-muted mb-2")]

    def button(key: str, step: Step):
        return dbc.Button(step.label, id=f"{P}-{key}", color=step.color, outline=step.outline, size="sm",
                          className="me-2 mb-1", style=None if scope.may(step.permission) else {"display": "none"})
    return [dbc.Card(dbc.CardBody([dbc.Row([
        dbc.Col(dbc.Textarea(id=f"{P}-note", placeholder="说明（必填）：已采取或将采取的整改措施" + (
            "；核验销号时写明核验情况，退回时写明理由" if scope.may("verify") else ""), rows=2, maxLength=NOTE_CHARS), md=4),
        dbc.Col(c.date_single(f"{P}-fix-by", "计划整改日期"), md=2),
        # evidence goes with 报送整改, the department's step: a supervisor's toolbar has no drop zone
        dbc.Col(evidence.upload(f"{P}-files"), md=3, style=None if scope.may("submit") else {"display": "none"}),
        dbc.Col(html.Div(id=f"{P}-done"), md=3),
    ], className="g-2 align-items-start"), html.Div([button(key, step) for key, step in STEPS.items()
    ], className="mt-2"), html.Div(WHO, className="small text-muted mt-1")]), className="section mb-2 action-bar")]


def layout(month: str | None = None, level: str | None = None, rule: str | None = None, state: str | None = None,
           region: str | None = None, dept: str | None = None, q: str | None = None, **_query):
    asked = _filters(level, rule, state, region, dept, q)  # the address's filters, as narrow as they are valid

    def controls(months):
        scope, engine = context.scope(), context.engine()
        regions = queries.kpis(engine, scope, months[0], level="region").sort_values("code")
        departments = queries.kpis(engine, scope, months[0], level="department").sort_values("code")
        return [
            c.dropdown(f"{P}-level", options=[{"label": v, "value": k} for k, v in vocab.LEVELS.items()],
                       value=asked["level"], placeholder="全部等级", className="filter"),
            c.dropdown(f"{P}-rule", options=[{"label": v, "value": k} for k, v in RULE_NAMES.items()],
                       value=asked["rule"], placeholder="全部规则", className="filter"),
            c.dropdown(f"{P}-state", options=[{"label": v, "value": k} for k, v in STATES.items()],
                       value=asked["state"], placeholder="全部状态", className="filter"),
            c.dropdown(f"{P}-region", options=[{"label": r["name"], "value": r["code"]}
                                                  for _, r in regions.iterrows()],
                       value=asked["region"], placeholder="全部区划", className="filter",
                       style=None if scope.kind == "all" else {"display": "none"}),
            c.dropdown(f"{P}-dept", options=[{"label": d["name"], "value": d["code"]}
                                                for _, d in departments.iterrows()],
                       value=asked["dept"], placeholder="全部部门", className="filter filter-wide",
                       style=None if scope.kind in ("all", "region") else {"display": "none"}),
            dcc.Input(id=f"{P}-search", type="search", placeholder="搜索资产编号或名称、单位、部门", debounce=True,
                      value=asked["search"], maxLength=SEARCH_MAX, className="form-control", style={"width": "290px"}),
            html.Button("导出 Excel", id=f"{P}-export", className="btn btn-outline-primary btn-sm"),
            dcc.Download(id=f"{P}-download"),
            dcc.Store(id=f"{P}-version", data=0), dcc.Store(id=f"{P}-updated"),
        ]
    return page_frame(PATH, P, "预警", snapshot_only=True, toolbar=[html.Div(id=f"{P}-export-note"), *_toolbar()],
                      controls=controls, month=month, footer=[html.Div(id=f"{P}-evidence")])


def _filters(level, rule, state, region, dept, search) -> dict:
    """Browser values become narrowing filters only; anything else is dropped."""
    text = search.strip()[:SEARCH_MAX] if isinstance(search, str) else ""
    return {"level": level if level in vocab.LEVELS else None, "rule": rule if rule in RULE_NAMES else None,
            "state": state if state in STATES else None,
            "region": region if isinstance(region, str) and region.isalnum() else None,
            "dept": dept if isinstance(dept, str) and dept.isprintable() and len(dept) <= 64 else None,
            "search": text or None}


def _rows(frame):
    """Warning rows as the grid shows them: words for codes and states, names beside codes, links."""
    return warning_list.case_words(frame).assign(
        asset_href=[c.href("/asset", code) for code in frame["asset_code"]],
        unit_href=[c.href("/unit", code) for code in frame["unit_code"]],
        dept_href=[c.href("/department", code) for code in frame["dept_code"]],
        key=[f"{rule}|{ref}" for rule, ref in zip(frame["rule"], frame["ref"])],  # the grid's row id
    )


def _ask(month, filters, start=0, end=0):
    cfg = context.config()
    return queries.warning_cases(context.engine(), context.scope(), month, cfg.today(), cfg["workflow.ack_days"],
                                 **filters, start=start, end=end)


@callback(Output(f"{P}-body", "children"), *FILTERS)
@guarded(PATH)
def render(month, level, rule, state, region, dept, search):
    scope = context.scope()
    if month not in queries.months(context.engine(), scope) or not scope.sees_assets:
        return c.not_found()
    _, counts = _ask(month, _filters(level, rule, state, region, dept, search))
    total = counts["total"]
    if not total:
        return html.Div([html.Div(id=f"{P}-tiles"), c.section("预警清单", c.empty("没有符合条件的预警"))])
    # rows known by rule and object, so that a workflow step updates its rows in place
    grid = c.infinite_grid(f"{P}-grid", c.seen_columns(COLUMNS, scope), total, "620px", sortable=False, options={
        "rowSelection": dict(c.TICK_SEVERAL, checkboxes=scope.may("acknowledge"))},
        getRowId="params.data.key")
    title = f"预警清单（{total:,} 条，最紧要的在前：逾期未确认、红色、橙色、黄色）"
    return html.Div([html.Div(id=f"{P}-tiles"), c.section(title, grid)])


@callback(Output(f"{P}-tiles", "children"), *FILTERS, Input(f"{P}-version", "data"))
@guarded(PATH)
def tiles(month, level, rule, state, region, dept, search, _version):
    """The counts above the list; after an acknowledgement they are counted again, the list stays."""
    scope = context.scope()
    if month not in queries.months(context.engine(), scope) or not scope.sees_assets:
        return None
    _, counts = _ask(month, _filters(level, rule, state, region, dept, search))
    ack_days = context.config()["workflow.ack_days"]
    return html.Div([html.Div([html.Div(f"{counts.get(k, 0):,}", className="alert-count"),
                               html.Div(f"{vocab.LEVELS[k]}预警")], className=f"alert-tile tile-{k}")
                     for k in ("red", "orange", "yellow")]
                    + [html.Div([html.Div(f"{counts['overdue']:,}", className="alert-count"),
                                 html.Div(f"橙色以上逾期未确认（>{ack_days}天）")], className="alert-tile tile-overdue")],
                    className="alert-tiles mb-3")


@callback(Output(f"{P}-grid", "getRowsResponse"), Input(f"{P}-grid", "getRowsRequest"),
          *[State(i.component_id, i.component_property) for i in FILTERS])
@guarded(PATH)
def rows(request, month, level, rule, state, region, dept, search):
    scope = context.scope()
    block = c.row_block(request)
    if block is None or month not in queries.months(context.engine(), scope) or not scope.sees_assets:
        return c.NO_ROWS
    frame, counts = _ask(month, _filters(level, rule, state, region, dept, search), *block)
    shown = ["key", "case_id", "dept_code", *[col["field"] for col in COLUMNS], "asset_href", "unit_href", "dept_href"]
    return {"rowData": queries.to_records(_rows(frame), shown), "rowCount": counts["total"]}


EXPORT_NOW = 20_000  # rows written while the browser waits (a few seconds); a longer list is made by a job


@callback(Output(f"{P}-download", "data"), Output(f"{P}-export-note", "children"), Input(f"{P}-export", "n_clicks"),
          *[State(i.component_id, i.component_property) for i in FILTERS], prevent_initial_call=True)
@guarded(PATH)
def export(n_clicks, month, level, rule, state, region, dept, search):
    """The list as the page shows it (the same filters and order), as xlsx: at once when it is short,
    otherwise made by the scheduler and left in the account's 消息 (a city's list takes a minute)."""
    scope = context.scope()
    if not n_clicks or month not in queries.months(context.engine(), scope) or not scope.sees_assets:
        return no_update, no_update
    filters = _filters(level, rule, state, region, dept, search)
    config, engine = context.config(), context.engine()
    _, counts = _ask(month, filters)

    def name(level: str, code: str | None) -> str:
        """A region or department by its name, as the filter offers it."""
        if not code:
            return ""
        found = queries.kpis(engine, scope, month, level=level, code=code)
        return found["name"].iloc[0] if len(found) else code
    title = {"month_label": queries.month_states(engine, scope, config.zone)[month].label,
             "scope_label": queries.scope_label(engine, scope),
             "filters_text": warning_list.filter_text(filters["level"], filters["rule"], filters["state"],
                                                      name("region", filters["region"]),
                                                      name("department", filters["dept"]), filters["search"])}
    if counts["total"] > EXPORT_NOW:
        params, username = {"month": month, "filters": filters, **title}, context.current_username()
        if params not in runs.waiting(engine, warning_list.EXPORT_JOB, username):  # a second click makes no second file
            run_id = runs.queue(engine, warning_list.EXPORT_JOB, month, username, params=params)
            context.audit("export", f"预警清单 {month}（后台生成）", detail=f"共 {counts['total']} 行，任务 #{run_id}")
        return no_update, dbc.Alert([f"预警清单共 {counts['total']:,} 条，正在后台生成，约一两分钟后放入",
                                     html.A("「消息」", href="/inbox"), "，届时在那里下载。"],
                                    color="info", className="py-1 mb-2")
    frame, _ = _ask(month, filters, 0, warning_list.EXPORT_ROWS)
    buffer = io.BytesIO()
    written = warning_list.write_export(frame, counts["total"], buffer, config, **title)
    context.audit("export", f"预警清单 {month}", detail=f"{written} 行（共 {counts['total']} 行）")
    return dcc.send_bytes(buffer.getvalue(), f"预警清单_{month}.xlsx"), None


@callback(Output(f"{P}-done", "children"), Output(f"{P}-updated", "data"), Output(f"{P}-note", "value"),
          Output(f"{P}-files", "contents"), Output(f"{P}-files", "filename"),
          Input(f"{P}-ack", "n_clicks"), Input(f"{P}-submit", "n_clicks"), Input(f"{P}-verify", "n_clicks"),
          Input(f"{P}-return", "n_clicks"), Input(f"{P}-resolve", "n_clicks"),
          State(f"{P}-grid", "selectedRows"), State(f"{P}-note", "value"), State(f"{P}-fix-by", "date"),
          State(f"{P}-files", "contents"), State(f"{P}-files", "filename"), prevent_initial_call=True)
@guarded(PATH)
def act(_ack, _submit, _verify, _return, _resolve, selected, note, fix_by, contents, names):
    """Acknowledge, report fixed with evidence, close off, send back or resolve the selected warnings;
    the scope decides which of them may be touched. The rows acted on stay where they are in the
    list, with their new state."""
    key = ctx.triggered_id.removeprefix(f"{P}-") if isinstance(ctx.triggered_id, str) else None
    step = STEPS.get(key)
    if step is None:
        return no_update, no_update, no_update, no_update, no_update
    chosen = [r for r in (selected if isinstance(selected, list) else [])
              if isinstance(r, dict) and isinstance(r.get("case_id"), int)]
    ids = [r["case_id"] for r in chosen]
    if not ids:
        return (dbc.Alert("请先在清单中勾选要处理的预警", color="warning", className="py-1 mb-0"),
                no_update, no_update, no_update, no_update)
    actor = workflow.Actor(context.current_username(), context.role(), context.address())
    where, config = context.scope().owns(WarningCase), context.config()
    try:
        actor.require(step.permission)  # before any file is read or kept
        files = evidence.read(contents, names, config) if key == "submit" else []
        with context.engine().execution_options(write=True).begin() as conn:
            if key == "ack":
                moved = workflow.acknowledge(conn, actor, ids, where, note, fix_by, config.today())
            elif key == "submit":
                kept = [(name, filestore.keep(conn, config, data, kind)) for name, data, kind in files]
                moved = workflow.submit_cases(conn, actor, ids, where, note, kept)
            elif key == "verify":
                moved = workflow.verify_cases(conn, actor, ids, where, note)
            elif key == "return":
                moved = workflow.return_cases(conn, actor, ids, where, note)
            else:
                moved = workflow.resolve(conn, actor, ids, where, note)
            reached = warning_list.tell_departments(conn, actor, moved, note, bool(config["mail.host"]))
    except UserError as exc:
        if isinstance(exc, workflow.OutOfScope):
            context.audit("scope.refused", f"预警 #{exc.ids}"[:200], detail=f"{ctx.triggered_id}")
        return dbc.Alert(exc.zh, color="danger", className="py-1 mb-0"), no_update, no_update, no_update, no_update
    changed = {"state_zh": vocab.CASE_STATES[step.state], "note": note.strip()}
    if key == "ack":
        changed["fix_by"] = str(fix_by)
    done = set(moved.ids)
    skipped = len(set(ids) - done)
    told = f"{step.done} {len(done):,} 条" + (f"；所选另有 {skipped:,} 条当前状态不能{step.name}，未改动" if skipped else "")
    # whom the step told, and which departments must be told some other way
    names = {r.get("dept_code"): r.get("dept_name") for r in chosen}
    silent = [str(names.get(dept) or dept) for dept, n in sorted(reached.items()) if not n]
    if len(silent) < len(reached):
        told += f"；已在消息中通知 {len(reached) - len(silent):,} 个部门"
    if silent:
        told += f"；{unreached(silent)}"
    return (dbc.Alert(told, color="warning" if silent else "success", className="py-1 mb-0"),
            {"keys": [r.get("key") for r in chosen if r["case_id"] in done], "changed": changed}, "", None, None)


@callback(Output(f"{P}-evidence", "children"), Input(f"{P}-grid", "selectedRows"))
@guarded(PATH)
def chosen_evidence(selected):
    """The evidence sent for the selected warnings, as links."""
    chosen = [r for r in (selected if isinstance(selected, list) else []) if isinstance(r, dict)
              and isinstance(r.get("case_id"), int)][:50]
    if not chosen:
        return None
    found = queries.evidence_of(context.engine(), context.scope(), "case", [r["case_id"] for r in chosen])
    zone = context.config().zone
    parts = [html.Div([html.Strong(r.get("object") or r.get("asset_code")),
                       evidence.links(found.get(r["case_id"], []), zone)]) for r in chosen]
    return c.section("所选预警的佐证材料", *parts)


@callback(Output(f"{P}-files-names", "children"), Input(f"{P}-files", "filename"))
@guarded(PATH)
def files_chosen(names):
    return evidence.chosen(names)


# the rows acted on take their new state in place (the list is not fetched again, so a row that a
# state filter would now leave out stays in view until the filters change)
clientside_callback(
    """
    function(updated, version) {
        const api = updated && window.dash_ag_grid && dash_ag_grid.getApi("GRID");
        if (!api) { return (version || 0) + 1; }
        updated.keys.forEach(key => {
            const node = typeof key === "string" && api.getRowNode(key);
            if (node && node.data) { node.setData(Object.assign({}, node.data, updated.changed)); }
        });
        api.deselectAll();
        return (version || 0) + 1;
    }
    """.replace("GRID", f"{P}-grid"),
    Output(f"{P}-version", "data"), Input(f"{P}-updated", "data"), State(f"{P}-version", "data"),
    prevent_initial_call=True,
)
