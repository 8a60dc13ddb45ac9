"""排名 Rankings: departments of a region (市直部门 by default) and the county ranking."""
from __future__ import annotations

from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard import components as c
from dashboard import context, queries
from dashboard.shell import guarded, in_address, page_frame, register_page
from outputs import figures as fig

PATH = register_page(__name__, "/rankings")
P = "rankings"
in_address({"month": (f"{P}-month", "value"), "region": (f"{P}-region", "value")})
SUBS = [("score_idle", "闲置"), ("score_overdue", "超期闲置"), ("score_completion", "盘活完成"),
        ("score_remit", "收入上缴"), ("score_quality", "数据质量")]


def _columns(linked: bool) -> list[dict]:
    name = {"field": "name", "headerName": "名称", "minWidth": 220, "flex": 2}
    if linked:
        name = c.link_column("name", "名称", "href", minWidth=220, flex=2)
    return [
        {"field": "rank", "headerName": "排名", "width": 96, "sort": "asc"},
        {"field": "move", "headerName": "变化", "width": 90, "cellClassRules": {
            "move-up": "params.value && params.value.startsWith('▲')",
            "move-down": "params.value && params.value.startsWith('▼')"}},
        name,
        c.figure_column("score", width=110),
        *[c.figure_column(f, h, width=100) for f, h in SUBS],
        c.figure_column("idle_rate", width=100),
        {"field": "trend", "headerName": "近13月得分", "width": 150, "cellRenderer": "Sparkline", "sortable": False},
    ]


def layout(region: str | None = None, month: str | None = None, **_query):
    def region_select(months):
        scope = context.scope()
        regions = queries.kpis(context.engine(), scope, months[0], level="region")
        city = context.config()["org.city_region_code"]
        options = [{"label": "市直部门" if r.code == city else r["name"], "value": r.code}
                   for _, r in regions.sort_values("code").iterrows()]
        default = scope.code if scope.kind == "region" else (region if region in {o["value"] for o in options} else city)
        return [c.dropdown(f"{P}-region", options=options, value=default, clearable=False, className="region-select"),
                html.Button("导出 Excel", id=f"{P}-export", className="btn btn-outline-primary btn-sm"),
                dcc.Download(id=f"{P}-download")]

    return page_frame(PATH, P, "排名", controls=region_select, month=month)


def _table(frame, history, link: tuple[str, str] | None, id_: str):
    """`link`: (page, query key) each row's name leads to, with its code; None: no links."""
    frame = frame.dropna(subset=["rank"]).copy()
    if frame.empty:
        return c.empty("该范围内没有参与排名的单位")
    frame["rank"] = frame["rank"].astype(int)
    frame["move"] = [fig.rank_move(m) for m in frame["rank_change"]]
    frame = c.figure_texts(frame, {key: key for key in ("score", *[f for f, _ in SUBS], "idle_rate")})
    spark = history.sort_values("month").groupby("code")["score"].apply(list).to_dict()
    frame["trend"] = [[round(float(s), 1) for s in spark.get(code, []) if not c.undefined(s)] for code in frame["code"]]
    if link:
        frame["href"] = [c.href(link[0], code, link[1]) for code in frame["code"]]
    figures = ["score", *[f for f, _ in SUBS], "idle_rate"]
    rows = frame[["rank", "move", "name", *figures, *[f"{f}_text" for f in figures], "trend", "code",
                  *(["href"] if link else [])]]
    return c.grid(id_, rows, _columns(link is not None), height=c.grid_height(len(rows), 640, chrome=60))


@callback(Output(f"{P}-body", "children"), Input(f"{P}-month", "value"), Input(f"{P}-region", "value"))
@guarded(PATH)
def render(month: str, region: str | None):
    scope, engine = context.scope(), context.engine()
    months = sorted(queries.months(engine, scope))
    if month not in months:
        return c.not_found()
    window = [m for m in months if m <= month][-13:]
    depts = queries.kpis(engine, scope, month, level="department", region=region)
    history = queries.kpis(engine, scope, window, level="department", region=region)
    drill = ("/department", "code") if scope.sees_assets else None
    body = [c.section("部门排名", _table(depts, history, drill, f"{P}-departments"))]
    if scope.kind in ("all", "screen"):
        counties = queries.kpis(engine, scope, month, level="region")
        county_history = queries.kpis(engine, scope, window, level="region")
        # a county's name leads to this page showing its departments
        body.append(c.section("县区排名", _table(counties, county_history, ("/rankings", "region"), f"{P}-regions")))
    return html.Div(body)


@callback(Output(f"{P}-download", "data"), Input(f"{P}-export", "n_clicks"), State(f"{P}-month", "value"),
          State(f"{P}-region", "value"), prevent_initial_call=True)
@guarded(PATH)
def export(n_clicks, month, region):
    """The rankings as shown: the chosen region's departments, and the counties."""
    scope, engine, config = context.scope(), context.engine(), context.config()
    if not n_clicks or month not in queries.months(engine, scope):
        return no_update
    names = queries.region_names(engine, scope, month)
    if scope.kind == "region":
        region = scope.code  # a county's ranking is its own region's, whatever was asked
    elif region not in names:
        region = config["org.city_region_code"]
    region_text = "市直部门" if region == config["org.city_region_code"] else names.get(region, region)
    made = queries.rankings(engine, scope, month, config, queries.scope_label(engine, scope), region, region_text)
    context.audit("export", f"排名 {month} {region_text}"[:200])
    return dcc.send_bytes(made, f"排名_{month}_{region_text}.xlsx")
