"""配置审核 Purchase review: every request to buy assets reviewed against the city's idle stock
before money is approved (allocation.md) — the requests with their flags, a request's ranked
candidates, the decision, held assets and transfers followed to done, and the year's figures.
Supervisors decide any request, counties those of their region; departments read their own."""
from __future__ import annotations

import datetime as dt
import io

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, Patch, State, callback, ctx, dcc, html, no_update

from dashboard import components as c
from dashboard import context, queries
from dashboard.shell import guarded, in_address, permitted, register_page
from ledger import allocation, inbox, vocab, workflow
from metrics.allocation import shown_count
from outputs import figures as fig
from outputs import workbooks
from outputs.phrasing import decision_told

PATH = register_page(__name__, "/allocation")
P = "allocation"
in_address({"year": (f"{P}-year", "value"), "show": (f"{P}-show", "value")})
SHOW = {"open": "待审核", "decided": "已审核", "all": "全部"}
TIERS = {1: "本单位", 2: "本部门", 3: "本区划", 4: "全市"}
STATUS_ZH = {v: k for k, v in vocab.STATUSES.items()}
CATEGORY_ZH = {v: k for k, v in vocab.CATEGORIES.items()}
FLAG_CLASS = {"own_stock": "flag-warn", "covered": "flag-ok", "budget_restricted": "flag-bad", "buy_while_idle": "flag-bad"}
# widths that fit a laptop's 1366 pixels; names take what is left
REQUEST_COLUMNS = [
    {"field": "request_id", "headerName": "需求编号", "width": 160},
    {"field": "dept_name", "headerName": "主管部门", "flex": 1, "minWidth": 110, "tooltipField": "dept_name"},
    {"field": "unit_name", "headerName": "申报单位", "flex": 1, "minWidth": 110, "tooltipField": "unit_name"},
    {"field": "asset_name", "headerName": "资产名称", "width": 110, "tooltipField": "asset_name"},
    {"field": "category_zh", "headerName": "资产分类", "width": 90},
    {"field": "quantity", "headerName": "数量", "width": 62, "type": "rightAligned"},
    {"field": "amount", "headerName": "金额（元）", "width": 115, "type": "rightAligned",
     "valueFormatter": {"function": "d3.format(',.2f')(params.value)"}},
    {"field": "requested_on", "headerName": "申报日期", "width": 105},
    {"field": "candidate_count", "headerName": "候选资产", "width": 90, "type": "rightAligned"},
    {"field": "flags", "headerName": "提示", "flex": 1.2, "minWidth": 140, "tooltipField": "flags",
     "cellClassRules": {"lvl-red": "params.value && params.value.includes('建议暂停批复')"}},
    {"field": "decision_zh", "headerName": "审核决定", "width": 92},
    {"field": "progress", "headerName": "调剂进度", "width": 100},
]
CANDIDATE_COLUMNS = [
    {"field": "rank", "headerName": "排序", "width": 80},
    {"field": "asset_code", "headerName": "资产编号", "width": 130},
    {"field": "name", "headerName": "资产名称", "width": 130},
    {"field": "unit_name", "headerName": "所在单位", "flex": 1, "minWidth": 150, "tooltipField": "unit_name"},
    {"field": "dept_name", "headerName": "主管部门", "flex": 1, "minWidth": 130, "tooltipField": "dept_name"},
    {"field": "tier_zh", "headerName": "范围", "width": 90},
    {"field": "status_zh", "headerName": "使用状况", "width": 100},
    {"field": "months_idle", "headerName": "闲置月数", "width": 100, "type": "rightAligned"},
    {"field": "listed_zh", "headerName": "公物仓", "width": 90},
    {"field": "value_text", "headerName": "价值", "width": 130, "type": "rightAligned"},
]
TRANSFER_COLUMNS = [
    {"field": "request_id", "headerName": "需求编号", "width": 135},
    {"field": "asset_code", "headerName": "资产编号", "width": 130}, {"field": "asset_name", "headerName": "资产名称", "width": 130},
    {"field": "from_unit", "headerName": "调出单位", "flex": 1, "minWidth": 160, "tooltipField": "from_unit"},
    {"field": "to_dept", "headerName": "接收部门", "flex": 1, "minWidth": 140, "tooltipField": "to_dept"},
    {"field": "decided_on", "headerName": "决定日期", "width": 115}, {"field": "due_on", "headerName": "应完成", "width": 115},
    {"field": "state_zh", "headerName": "状态", "width": 100, "cellClassRules": {"lvl-red": "params.value == '逾期'"}},
    {"field": "done_text", "headerName": "完成情况", "flex": 1, "minWidth": 160},
]
FIGURES = ("request_amount", "transfer_saving", "transfer_rate")  # shown as outputs.figures writes them


def _count(field: str, header: str, width: int = 96) -> dict:
    return {"field": field, "headerName": header, "type": "rightAligned", "width": width}


DEPT_COLUMNS = [  # 分部门统计
    {"field": "name", "headerName": "主管部门", "flex": 1, "minWidth": 180, "tooltipField": "name"},
    _count("request_count", "需求（项）", 112), c.figure_column("request_amount", "金额", width=120),
    _count("reviewed_count", "已审核"), _count("covered_count", "存量可满足", 120), _count("transfer_qty", "调剂（件）", 112),
    _count("transfer_done_qty", "已完成"), c.figure_column("transfer_saving", "节约采购资金", width=130),
    c.figure_column("transfer_rate", "调剂率", width=96), _count("approved_despite_stock", "有存量仍采购", 124),
]

FORM_FIELDS = [("request_id", "需求编号", 2), ("unit_code", "单位编码", 2), ("budget_year", "预算年度", 1),
               ("asset_name", "资产名称", 2), ("category", "资产分类", 2), ("category_code", "分类代码（可选）", 2),
               ("quantity", "数量", 1), ("unit_price", "单价（元）", 2), ("requested_on", "申报日期", 2),
               ("reason", "申报理由（可选）", 4)]


REQUESTS_HEIGHT = 340  # the request list's pixels at most (ten rows and the pager)


def _actor() -> workflow.Actor:
    return workflow.Actor(context.current_username(), context.role(), context.address())


def layout(year: str | None = None, show: str | None = None, **_query):
    if not permitted(PATH):
        return c.not_found()
    scope, engine = context.scope(), context.engine()
    today = context.config().today()
    years = queries.request_years(engine, scope) or [today.year + 1]
    hidden = {"display": "none"}
    asked_year = int(year) if isinstance(year, str) and year.isdigit() and int(year) in years else years[0]
    # a department follows its own requests whatever their state; reviewers start from the open ones
    shown = show if show in SHOW else ("all" if context.role() == "department" else "open")
    year_select = c.dropdown(f"{P}-year", options=[{"label": f"{y} 年度", "value": y} for y in years],
                             value=asked_year, clearable=False, className="month-select")
    decide_form = html.Div([
        dbc.Row([
            dbc.Col(dbc.RadioItems(id=f"{P}-kind", options=[{"label": v, "value": k} for k, v in allocation.KINDS.items()],
                                   inline=True), md=5),
            dbc.Col(dbc.Input(id=f"{P}-approved", type="number", min=1, step=1, placeholder="同意采购数量（部分调剂）"), md=2),
            dbc.Col(dbc.Textarea(id=f"{P}-note", rows=2, maxLength=1000,
                                 placeholder="审核意见（必填）：同意采购且有候选资产时，说明其不能满足需求的理由"), md=5),
        ], className="g-2 align-items-center"),
        html.Div([dbc.Button("提交审核决定", id=f"{P}-decide", color="primary", size="sm", className="me-2"),
                  dbc.Button("撤回决定", id=f"{P}-withdraw", color="secondary", size="sm", outline=True),
                  html.Span("调剂、部分调剂：在上表勾选调剂的资产", className="small text-muted ms-3")], className="mt-2"),
        html.Div(id=f"{P}-decided", className="mt-2"),
    ], style=None if context.scope().may("decide") else hidden)
    entry = c.section("录入配置需求", dbc.Row(
        [dbc.Col(dbc.Input(id=f"{P}-f-{key}", placeholder=label, size="sm",
                           value=str(today.year + 1) if key == "budget_year" else None), md=width)
         for key, label, width in FORM_FIELDS]
        + [dbc.Col(dbc.Button("保存需求", id=f"{P}-add", color="primary", size="sm"), width="auto"),
           dbc.Col(html.Div(id=f"{P}-added"), md=12)], className="g-2 align-items-center"))
    return html.Div([
        html.Div([html.H2("配置审核", className="page-title"),
                  html.Span(f"审核日 {today.isoformat()}：候选资产与提示按当日台账计算", className="page-note"),
                  dbc.Button("下载审核意见表（xlsx）", id=f"{P}-sheet", color="primary", size="sm", outline=True),
                  dcc.Download(id=f"{P}-download"), year_select], className="page-head"),
        dcc.Store(id=f"{P}-version", data=0), dcc.Store(id=f"{P}-request"),
        dcc.Loading(html.Div(id=f"{P}-figures"), type="dot"),
        c.section("配置需求", dbc.RadioItems(
            id=f"{P}-show", value=shown, inline=True, className="mb-2",
            options=[{"label": label, "value": key} for key, label in SHOW.items()]),
            # loading until the first answer (never 暂无数据 before the rows arrive), a spinner on each later one
            dcc.Loading(c.grid(f"{P}-requests", pd.DataFrame(), REQUEST_COLUMNS, height=f"{REQUESTS_HEIGHT}px",
                               options={"rowSelection": c.PICK_ONE, "pagination": True, "paginationPageSize": 50,
                                        "loading": True}), type="dot", delay_show=300)),
        c.section("需求详情与候选资产", html.Div(id=f"{P}-detail", children=c.empty("在上表选择一项需求")),
                  c.grid(f"{P}-candidates", pd.DataFrame(), CANDIDATE_COLUMNS, height="330px",
                         options={"rowSelection": c.TICK_SEVERAL}, empty="无候选资产"),
                  decide_form),
        c.section("调剂跟踪（占用资产与调剂完成情况）", html.Div(id=f"{P}-transfers")),
        html.Div(entry, style=None if context.scope().may("request") else hidden),
    ])


def _flag_text(flags: dict) -> str:
    return "、".join(allocation.FLAG_NAMES[k] for k in allocation.FLAG_NAMES if flags.get(k))


def _year(value) -> int | None:
    return value if isinstance(value, int) and 2000 <= value <= 2100 else None


@callback(Output(f"{P}-figures", "children"), Output(f"{P}-requests", "rowData"), Output(f"{P}-transfers", "children"),
          Output(f"{P}-requests", "dashGridOptions"), Output(f"{P}-requests", "style"),
          Input(f"{P}-year", "value"), Input(f"{P}-show", "value"), Input(f"{P}-version", "data"))
@guarded(PATH)
def render(year, show, _version):
    """The year's figures, its requests (open ones with today's flags) and the transfers."""
    scope, engine, config = context.scope(), context.engine(), context.config()
    year = _year(year)
    loaded = Patch()
    loaded["loading"] = False
    if year is None:
        return c.not_found(), [], None, loaded, no_update
    today = config.today()
    # a decided request shows the flags its decision was taken on: only the open ones are reviewed
    requests, flags, figures = queries.year_review(engine, scope, year, today, config)
    flags = flags.set_index("request_id") if not flags.empty else flags
    rows = []
    for r in requests.itertuples():
        decided = isinstance(r.decision, str)
        if (show == "open" and decided) or (show == "decided" and not decided):
            continue
        now = flags.loc[r.request_id] if r.request_id in flags.index else None
        shown_flags = (r.decided_flags or {}) if decided else ({k: bool(now[k]) for k in allocation.FLAG_NAMES}
                                                               if now is not None else {})
        count = r.decided_candidates if decided else (int(now.candidate_count) if now is not None else 0)
        rows.append({"request_id": r.request_id, "dept_name": r.dept_name, "unit_name": r.unit_name,
                     "asset_name": r.asset_name, "category_zh": CATEGORY_ZH.get(r.category, r.category),
                     "quantity": int(r.quantity), "amount": r.quantity * r.unit_price / 100,
                     "requested_on": r.requested_on.isoformat(), "candidate_count": int(count),
                     "flags": _flag_text(shown_flags) or "—",
                     "decision_zh": allocation.KINDS[r.decision] if decided else "待审核",
                     "progress": c.transfer_progress(r)})
    # as tall as its rows under the header and the pager: a department's one request leaves no empty box
    height = {"height": c.grid_height(len(rows), REQUESTS_HEIGHT, chrome=100, fewest=3), "width": "100%"}
    return _figures(figures, scope, year), rows, _transfers(engine, scope, today), loaded, height


def _figures(frame: pd.DataFrame, scope, year: int):
    if frame.empty:
        return c.empty(f"{year} 年度尚无配置需求")
    top = frame[frame.level == {"all": "city", "region": "region", "department": "department"}[scope.kind]].iloc[0]
    cards = dbc.Row([dbc.Col(card, md=2, className="kpi-col") for card in [  # one height, whichever note wraps
        c.kpi_card("配置需求", f"{int(top.request_count):,} 项", note=f"金额 {c.shown('request_amount', top.request_amount / 100)}"),
        c.kpi_card("已审核", f"{int(top.reviewed_count)} 项", note=f"存量可满足 {int(top.covered_count)} 项"),
        c.kpi_card("决定调剂", f"{int(top.transfer_qty)} 件", note=f"已完成 {int(top.transfer_done_qty)} 件"),
        c.kpi_card("节约采购资金", c.shown("transfer_saving", top.transfer_saving / 100), note="调剂资产按申报单价计"),
        c.kpi_card("调剂率", c.shown("transfer_rate", top.transfer_rate), note="调剂件数 ÷ 存量可满足需求的数量"),
        c.kpi_card("有存量仍同意采购", f"{int(top.approved_despite_stock)} 项", note="须有书面理由"),
    ]], className="g-2 mb-2")
    if scope.kind == "department":
        return cards
    # a grid, not a table: 150 departments' rows as HTML components cost the browser two seconds to
    # take in on every render, closed or not; the grid holds them as data and draws what shows
    by_dept = frame[frame.level == "department"].sort_values("request_amount", ascending=False).assign(
        request_amount=lambda f: f.request_amount / 100, transfer_saving=lambda f: f.transfer_saving / 100)
    by_dept = c.figure_texts(by_dept, {key: key for key in FIGURES})
    table = c.grid(f"{P}-by-dept", by_dept[[col["field"] for col in DEPT_COLUMNS] + [f"{k}_text" for k in FIGURES]],
                   DEPT_COLUMNS, height=c.grid_height(len(by_dept), 420))
    return html.Div([cards, html.Details([html.Summary(f"{year} 年度分部门统计（{len(by_dept)} 个部门）"), table],
                                         className="mb-2")])


def _transfers(engine, scope, today):
    frame = queries.transfers(engine, scope)
    if frame.empty:
        return c.empty("尚无调剂决定")
    frame = frame.assign(
        state_zh=[("逾期" if allocation.overdue(s, due, today) else allocation.TRANSFER_STATES[s])
                  for s, due in zip(frame.state, frame.due_on)],
        done_text=[(f"{d.isoformat()} " + ("公物仓出仓（已调剂）" if how == "listing" else "台账已划入接收部门"))
                   if isinstance(d, dt.date) else "—" for d, how in zip(frame.done_on, frame.done_how)],
        decided_on=frame.decided_on.map(dt.date.isoformat), due_on=frame.due_on.map(dt.date.isoformat))
    return c.grid(f"{P}-transfer-grid", frame, TRANSFER_COLUMNS, height="260px")


@callback(Output(f"{P}-request", "data"), Output(f"{P}-detail", "children"), Output(f"{P}-candidates", "rowData"),
          Output(f"{P}-candidates", "selectedRows"),
          Input(f"{P}-requests", "selectedRows"), Input(f"{P}-version", "data"), State(f"{P}-request", "data"))
@guarded(PATH)
def detail(selected, _version, current):
    """A request's facts, flags and first max(10, 3 × quantity) candidates (its held assets ticked)."""
    scope, engine, config = context.scope(), context.engine(), context.config()
    request_id = c.first_selected(selected, "request_id") if ctx.triggered_id == f"{P}-requests" else current
    if not isinstance(request_id, str):
        return None, c.empty("在上表选择一项需求"), [], []
    today = config.today()
    found = queries.request_review(engine, config, scope, today, request_id=request_id)
    match = queries.purchase_requests(engine, scope, request_id=request_id)
    if found is None or match.empty:
        return None, c.not_found(), [], []
    r = match.iloc[0]
    flags = found.flags_of(request_id)
    shown = found.of(request_id).head(shown_count(int(r.quantity)))
    names = queries.place_names(engine, scope, set(shown.unit_code))
    rows = [{"rank": int(x.rank), "asset_code": x.asset_code, "name": x.name,
             "unit_name": names.get(x.unit_code, ("", ""))[0], "dept_name": names.get(x.unit_code, ("", ""))[1],
             "tier_zh": TIERS[int(x.tier)], "status_zh": STATUS_ZH.get(x.status, x.status),
             "months_idle": int(x.months_idle), "listed_zh": "已挂牌" if x.listed else "—",
             "value_text": fig.yuan(None if x.value is None or pd.isna(x.value) else x.value / 100)}
            for x in shown.itertuples()]
    held = set(queries.held_assets(engine, scope, request_id))
    decided = isinstance(r.decision, str)
    # a decided request shows the flags its decision was taken on, as the list and the 审核意见表 do;
    # today's, where the ledger has moved since, beside them
    taken = r.decided_flags if decided and isinstance(r.decided_flags, dict) else None
    shown_flags = flags if taken is None else taken
    badges = [html.Span(allocation.FLAG_NAMES[k], className=f"flag {FLAG_CLASS[k]}") for k in allocation.FLAG_NAMES
              if shown_flags.get(k)] or [html.Span("无提示", className="flag")]
    if taken is not None:
        badges.insert(0, html.Span("审核时提示：", className="small text-muted"))
        if (today_text := _flag_text(flags)) != _flag_text(taken):
            badges.append(html.Span(f"按今日台账：{today_text or '无提示'}", className="small text-muted ms-2"))
    facts = html.Div([
        html.Div([html.Strong(f"{r.request_id} · {r.asset_name}"),
                  html.Span(f"　{r.unit_name}（{r.dept_name}）　{CATEGORY_ZH.get(r.category, r.category)}"
                            + (f" {r.category_code}" if isinstance(r.category_code, str) else "")
                            + f"　数量 {int(r.quantity)}　单价 {fig.yuan(r.unit_price / 100)}"
                            + f"　申报 {r.requested_on.isoformat()}")]),
        html.Div(f"申报理由：{r.reason}", className="small text-muted") if isinstance(r.reason, str) else None,
        html.Div([*badges, html.Span(f"存量候选资产共 {flags.get('candidate_count', 0)} 项，显示前 {len(rows)} 项（排序：本单位 → 本部门 → "
                                     "本区划 → 全市，公物仓挂牌优先，闲置越久越优先，价值高者优先）" if rows else
                                     "存量候选资产共 0 项：全市存量中没有可调剂给该需求的同类资产",
                                     className="small text-muted ms-2")], className="mt-1"),
        html.Div(_decision_text(r), className="decision-box mt-1") if decided else None,
    ], id=f"{P}-facts")
    ticked = [row for row in rows if row["asset_code"] in held]
    return request_id, facts, rows, ticked


def _decision_text(r) -> str:
    text = f"审核决定：{allocation.KINDS[r.decision]}"
    if r.decision == "partial":
        text += f"，同意采购 {int(r.approved_qty)} 件"
    return text + f"（{r.decided_by}，{fig.moment(r.decided_at, context.config().zone, seconds=False)}）　意见：{r.decision_note}"


@callback(Output(f"{P}-decided", "children"), Output(f"{P}-version", "data", allow_duplicate=True),
          Output(f"{P}-note", "value"),
          Input(f"{P}-decide", "n_clicks"), Input(f"{P}-withdraw", "n_clicks"),
          State(f"{P}-request", "data"), State(f"{P}-kind", "value"), State(f"{P}-approved", "value"),
          State(f"{P}-note", "value"), State(f"{P}-candidates", "selectedRows"), State(f"{P}-version", "data"),
          prevent_initial_call=True)
@guarded(PATH)
def decide(_decide, _withdraw, request_id, kind, approved, note, picked, version):
    """Record or withdraw the decision on the selected request (supervisor; county in its region)."""
    scope, engine, config = context.scope(), context.engine(), context.config()
    if ctx.triggered_id not in (f"{P}-decide", f"{P}-withdraw"):
        return no_update, no_update, no_update
    if not context.scope().may("decide"):
        context.audit("scope.refused", "配置审核决定", detail="无权")
        return dbc.Alert("无权执行此操作", color="danger", className="py-1 mb-0"), no_update, no_update
    if not isinstance(request_id, str):
        return dbc.Alert("请先在需求列表中选择一项需求", color="warning", className="py-1 mb-0"), no_update, no_update
    assets = [row.get("asset_code") for row in (picked or []) if isinstance(row, dict) and isinstance(row.get("asset_code"), str)]
    try:
        if ctx.triggered_id == f"{P}-withdraw":
            with engine.execution_options(write=True).begin() as conn:
                withdrawn = allocation.withdraw(conn, _actor(), request_id, scope.units(), note)
                told = _tell(conn, withdrawn, withdrawn=True)
            said = f"已撤回决定，占用的资产已释放{told}"
        else:
            today = config.today()
            found = queries.request_review(engine, config, scope, today, request_id=request_id, live=True)
            if found is None:
                raise workflow.WorkflowError("配置需求不存在 / no such request")
            with engine.execution_options(write=True).begin() as conn:
                decided = allocation.decide(conn, _actor(), request_id, scope.units(), kind, assets, _int(approved),
                                            note, found.basis(request_id), config["allocation.transfer_days"])
                told = _tell(conn, decided)
            said = f"已记录：{allocation.KINDS[kind]}" + (f"，调剂资产 {len(assets)} 件" if assets else "") + told
    except workflow.WorkflowError as exc:
        return dbc.Alert(exc.zh, color="danger", className="py-1 mb-0"), no_update, no_update
    return dbc.Alert(said, color="success", className="py-1 mb-0"), (version or 0) + 1, ""


def _tell(conn, decision_id: int, withdrawn: bool = False) -> str:
    """The departments concerned told in 消息 (by e-mail too where it is set up): the requesting one its
    outcome, led to its request's year on this page; each holding one what it hands over (the
    message lists it; this page shows a department only its own requests). What to say of it."""
    facts = allocation.decision_facts(conn, decision_id)
    asker, here = facts["request"].dept_code, inbox.link(PATH, year=facts["request"].budget_year)
    told = sum(inbox.notify_departments(conn, [dept], "allocation", title, body, None, bool(context.config()["mail.host"]),
                                        here if dept == asker else None)
               for dept, title, body in decision_told(facts, withdrawn))
    return f"，已通知相关部门（{told:,} 条消息）" if told else ""


def _int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") and float(value).is_integer() else None
    except (TypeError, ValueError, OverflowError):
        return None


@callback(Output(f"{P}-added", "children"), Output(f"{P}-version", "data", allow_duplicate=True),
          Input(f"{P}-add", "n_clicks"), *[State(f"{P}-f-{key}", "value") for key, _, _ in FORM_FIELDS],
          State(f"{P}-version", "data"), prevent_initial_call=True)
@guarded(PATH)
def add_request(n_clicks, *values):
    """One request typed on the page: the import's rules and messages."""
    *cells, version = values
    if not n_clicks:
        return no_update, no_update
    if not context.scope().may("request"):
        return dbc.Alert("无权执行此操作", color="danger", className="py-1 mb-0"), no_update
    typed = {key: (str(v) if v not in (None, "") else None) for (key, _, _), v in zip(FORM_FIELDS, cells)}
    try:
        with context.engine().execution_options(write=True).begin() as conn:
            request_id = allocation.add_request(conn, _actor(), typed, context.scope().units())
    except workflow.WorkflowError as exc:
        return dbc.Alert(exc.zh, color="danger", className="py-1 mb-0"), no_update
    return dbc.Alert(f"已保存配置需求 {request_id}", color="success", className="py-1 mb-0"), (version or 0) + 1


@callback(Output(f"{P}-download", "data"), Input(f"{P}-sheet", "n_clicks"), State(f"{P}-year", "value"),
          prevent_initial_call=True)
@guarded(PATH)
def opinion_sheet(n_clicks, year):
    """审核意见表: a form for each request of the year in the caller's scope, ready to print and sign."""
    scope, engine, config = context.scope(), context.engine(), context.config()
    year = _year(year)
    if not n_clicks or year is None:
        return no_update
    forms = queries.opinion_forms(engine, config, scope, year, config.today())
    buffer = io.BytesIO()
    workbooks.opinion_forms(buffer, forms, config, queries.scope_label(engine, scope), year)
    context.audit("export", f"审核意见表 {year}", detail=f"{len(forms)} 份")
    return dcc.send_bytes(buffer.getvalue(), f"配置审核意见表_{year}.xlsx")
