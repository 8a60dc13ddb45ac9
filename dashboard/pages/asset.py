"""资产 Asset detail: the card, its status timeline, plan, leases, income, listings and warnings."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from dashboard import components as c
from dashboard import context, queries
from dashboard.shell import guarded, month_in_address, page_frame, register_page
from ledger import vocab
from ledger.vocab import CATEGORIES, INCOME_KINDS, METHODS, STATUSES, label
from metrics.rules import NAMES as RULE_NAMES
from outputs import figures as fig

PATH = register_page(__name__, "/asset")
P = "asset"
month_in_address(f"{P}-month")
STATUS_COLOR = {"in_use": "#2e8b57", "idle": "#c8102e", "underused": "#e0701b", "leased": "#1f4e79",
                "lent": "#6a5acd", "pending_disposal": "#d4a106", "disposed": "#7f8c8d"}


def layout(code: str | None = None, month: str | None = None, **_query):
    if not code:
        return c.not_found()
    return page_frame(PATH, P, "资产详情", snapshot_only=True, controls=[dcc.Store(id=f"{P}-code", data=code)], month=month)


def _money(fen) -> str:
    return fig.yuan(None if c.undefined(fen) else fen / 100)


def _timeline(spans):
    today = context.config().today()
    bars = []
    for _, span in spans.iterrows():
        end = span["end_on"] if span["end_on"] is not None and not c.undefined(span["end_on"]) else today
        bars.append({"type": "bar", "x": [(end - span["start_on"]).days * 86_400_000], "base": [str(span["start_on"])],
                     "y": ["状况"], "orientation": "h", "marker": {"color": STATUS_COLOR.get(span["status"], "#999")},
                     "name": label(STATUSES, span["status"]), "showlegend": False,
                     "hovertemplate": f"{label(STATUSES, span['status'])}：{span['start_on']} 起<extra></extra>"})
    legend = html.Div([html.Span([html.Span(className="swatch", style={"background": color}), label(STATUSES, key)],
                                 className="legend-item") for key, color in STATUS_COLOR.items()], className="legend")
    return html.Div([c.chart(bars, {"barmode": "stack", "height": 140, "margin": {"l": 40, "r": 10, "t": 10, "b": 30},
                                    "plot_bgcolor": "white", "xaxis": {"type": "date"}, "font": {"family": c.FONT}}),
                     legend])


def _table(frame, columns: dict[str, str], formats: dict | None = None):
    if frame.empty:
        return c.empty("无")
    formats = formats or {}
    head = html.Thead(html.Tr([html.Th(h) for h in columns.values()]))
    body = html.Tbody([html.Tr([html.Td(formats.get(k, lambda v: "—" if c.undefined(v) else str(v))(row[k]))
                                for k in columns]) for _, row in frame.iterrows()])
    return dbc.Table([head, body], size="sm", hover=True, className="mb-0")


@callback(Output(f"{P}-body", "children"), Output(f"{P}-title", "children"),
          Input(f"{P}-month", "value"), State(f"{P}-code", "data"))
@guarded(PATH)
def render(month: str, code: str):
    scope = context.scope()
    detail = queries.asset_detail(context.engine(), scope, str(code or ""))
    if detail is None:
        return c.not_found(), "资产详情"
    a = detail["card"]
    yes = {True: "是", False: "否"}  # 1 and 0 hash as True and False
    facts = [("资产编号", a["code"]), ("资产分类", label(CATEGORIES, a["category"])), ("原值", _money(a["original_value"])),
             ("净值", _money(a["net_value"])), ("取得日期", a["acquired_on"]), ("使用状况", label(STATUSES, a["status"])),
             ("状况起始日期", a["status_since"]), ("存放地点", a["location"] or "—"), ("照片数", a["photo_count"]),
             ("共享共用", yes.get(a["shared"], "—")), ("单位", a["unit_name"]),
             ("主管部门", html.A(a["dept_name"], href=f"/department?code={a['dept_code']}"))]
    card = dbc.Row([dbc.Col([html.Div(k, className="kpi-title"), html.Div(v, className="fact")], md=3, className="mb-2")
                    for k, v in facts])
    return html.Div([
        c.section("资产卡片", card),
        c.section("状况变动", _timeline(detail["spans"])),
        dbc.Row([
            dbc.Col(c.section("盘活台账", _table(detail["plans"], {"plan_id": "台账编号", "method": "盘活方式", "owner": "责任人",
                                                                "listed_on": "列入", "due_on": "计划完成", "done_on": "实际完成"},
                                                 {"method": lambda v: label(METHODS, v)})), lg=6),
            dbc.Col(c.section("公物仓", _table(detail["listings"], {"listing_id": "入仓编号", "listed_on": "入仓",
                                                                 "delisted_on": "出仓", "outcome": "出仓原因"})), lg=6),
        ], className="g-3"),
        dbc.Row([
            dbc.Col(c.section("出租合同", _table(detail["leases"], {"lease_id": "合同编号", "lessee": "承租方", "start_on": "起租",
                                                                 "end_on": "到期", "annual_rent": "年租金"},
                                                 {"annual_rent": _money})), lg=6),
            dbc.Col(c.section("收入", _table(detail["income"], {"income_id": "收入编号", "kind": "类型", "received_on": "到账",
                                                              "amount": "金额", "remitted_on": "上缴", "remitted_amount": "上缴金额"},
                                             {"kind": lambda v: label(INCOME_KINDS, v), "amount": _money,
                                              "remitted_amount": _money})), lg=6),
        ], className="g-3"),
        c.section("预警记录", _table(detail["warnings"], {"month": "月份", "rule": "规则", "level": "等级", "message": "说明"},
                                     {"rule": lambda v: RULE_NAMES.get(v, v), "level": lambda v: vocab.LEVELS.get(v, v)})),
        c.section("预警处理经过", _table(detail["handling"], {"at": "时间", "rule": "规则", "ref": "对象", "actor": "处理人",
                                                          "to_state": "处理后状态", "note": "说明"},
                                       {"rule": lambda v: RULE_NAMES.get(v, v), "to_state": lambda v: vocab.CASE_STATES.get(v, v),
                                        "at": lambda v: fig.moment(v, context.config().zone, seconds=False),
                                        "actor": lambda v: "系统" if v == "system" else v})),
    ]), f"{a['name']}（{a['code']}）"
