"""超期闲置 Overdue idle assets: filters, paging and sorting on the server, xlsx export of the filtered rows."""
from __future__ import annotations

import io

from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard import components as c
from dashboard import context, queries
from dashboard.shell import guarded, in_address, page_frame, register_page
from ledger import vocab
from ledger.vocab import CATEGORIES, label
from outputs.workbooks import title_line
from outputs.xlsx import write_frame

PATH = register_page(__name__, "/overdue")
P = "overdue"
in_address({"month": (f"{P}-month", "value"), "region": (f"{P}-region", "value"),
            "category": (f"{P}-category", "value"), "band": (f"{P}-band", "value"), "min_value": (f"{P}-min-value", "value")})
BANDS = {"6-11": "6–11 个月", "12-23": "12–23 个月", "24+": "24 个月以上"}  # queries.MONTH_BANDS, in words
MAX_YUAN = 10 ** 13  # ten trillion yuan: far above any card, far below 2**63 fen
FILTERS = [Input(f"{P}-month", "value"), Input(f"{P}-region", "value"), Input(f"{P}-category", "value"),
           Input(f"{P}-band", "value"), Input(f"{P}-min-value", "value")]
COLUMNS = [
    c.link_column("asset_code", "资产编号", "href", width=140),
    {"field": "asset_name", "headerName": "资产名称", "width": 150, "sortable": False},
    {"field": "category", "headerName": "分类", "width": 110},
    c.yuan_column("original_value", "原值", width=140),
    {"field": "months", "headerName": "闲置月数", "width": 125, "sort": "desc"},
    {"field": "level", "headerName": "预警", "width": 90, "sortable": False, "cellClassRules": {
        "lvl-red": "params.value == '红色'", "lvl-orange": "params.value == '橙色'", "lvl-yellow": "params.value == '黄色'"}},
    {"field": "dept_name", "headerName": "主管部门", "width": 200},
    {"field": "unit_name", "headerName": "单位", "flex": 1, "minWidth": 200, "sortable": False},
    # a card without one says so, as the asset page does (an empty cell reads as not yet loaded)
    {"field": "location", "headerName": "存放地点", "width": 150, "sortable": False,
     "valueFormatter": {"function": "params.value ? params.value : '—'"}},
    {"field": "first_seen", "headerName": "首次预警", "width": 120},
]


def layout(month: str | None = None, region: str | None = None, category: str | None = None,
           band: str | None = None, min_value: str | None = None, **_query):
    asked = _filters(region, category, band, _number(min_value))  # the address's filters, as narrow as they are valid

    def controls(months):
        scope = context.scope()
        extra = []
        if scope.kind == "all":
            regions = queries.kpis(context.engine(), scope, months[0], level="region").sort_values("code")
            extra.append(c.dropdown(f"{P}-region", options=[{"label": r["name"], "value": r.code}
                                                                for _, r in regions.iterrows()],
                                    value=asked.get("region"), placeholder="全部区划", className="filter"))
        else:
            # a store has no "value": a hidden dropdown keeps the address's one name for the filter
            extra.append(c.dropdown(f"{P}-region", options=[], value=None, style={"display": "none"}))
        extra += [
            c.dropdown(f"{P}-category", options=[{"label": zh, "value": key} for zh, key in CATEGORIES.items()],
                       value=asked.get("category"), placeholder="全部分类", className="filter"),
            c.dropdown(f"{P}-band", options=[{"label": text, "value": key} for key, text in BANDS.items()],
                       value=asked.get("band"), placeholder="全部时长", className="filter"),
            dcc.Input(id=f"{P}-min-value", type="number", min=0, value=asked.get("min_value"), placeholder="原值不低于（元）", className="form-control",
                      debounce=True, style={"width": "170px"}),
            html.Button("导出 Excel", id=f"{P}-export", className="btn btn-outline-primary"),
            dcc.Download(id=f"{P}-download"),
        ]
        return extra

    return page_frame(PATH, P, "超期闲置资产", controls=controls, snapshot_only=True, month=month)


def _number(text: str | None) -> float | None:
    """A number from the address (?min_value=5000), or None."""
    try:
        return float(text) if isinstance(text, str) and len(text) <= 20 else None
    except ValueError:
        return None


def _filters(region, category, band, min_value) -> dict:
    """Browser values become narrowing filters only; anything malformed is dropped."""
    out = {}
    if isinstance(region, str) and region.isdigit():
        out["region"] = region
    if isinstance(category, str) and category in CATEGORIES.values():
        out["category"] = category
    if isinstance(band, str) and band in queries.MONTH_BANDS:
        out["band"] = band
    if isinstance(min_value, (int, float)) and not isinstance(min_value, bool) and min_value >= 0:
        # beyond any asset's value (and beyond what fen in 64 bits hold): nothing is that dear
        out["min_value"] = min(min_value, MAX_YUAN)  # inf and 9.3e16 included; NaN fails >= 0
    return out


def _filters_text(filters: dict, regions: dict[str, str]) -> str:
    """The filters applied, as the export's title line names them (a region by its name)."""
    parts = []
    if "region" in filters:
        parts.append(regions.get(filters["region"], filters["region"]))
    if "category" in filters:
        parts.append(label(CATEGORIES, filters["category"]))
    if "band" in filters:
        parts.append(f"闲置 {BANDS[filters['band']]}")
    if "min_value" in filters:
        parts.append(f"原值不低于 {filters['min_value']:,.2f} 元")
    return "，".join(parts)


def _month_label(month: str) -> str:
    states = queries.month_states(context.engine(), context.scope(), context.config().zone)
    return states[month].label if month in states else month


def _display(frame):
    frame = frame.copy()
    frame["category"] = frame["category"].map(lambda k: label(CATEGORIES, k))
    frame["level"] = frame["level"].map(vocab.LEVELS)
    frame["href"] = [c.href("/asset", code) for code in frame["asset_code"]]
    frame["first_seen"] = frame["first_seen"].astype(str)
    return frame


@callback(Output(f"{P}-body", "children"), *FILTERS)
@guarded(PATH)
def render(month, region, category, band, min_value):
    scope = context.scope()
    if month not in queries.months(context.engine(), scope) or not scope.sees_assets:
        return c.not_found()
    _, total = queries.overdue_idle(context.engine(), scope, month, start=0, end=0,
                                    **_filters(region, category, band, min_value))
    grid = c.infinite_grid(f"{P}-grid", c.seen_columns(COLUMNS, scope), total, "640px")
    return c.section(f"闲置满 6 个月的资产（{total:,} 项）", grid)


@callback(Output(f"{P}-grid", "getRowsResponse"), Input(f"{P}-grid", "getRowsRequest"),
          State(f"{P}-month", "value"), State(f"{P}-region", "value"), State(f"{P}-category", "value"),
          State(f"{P}-band", "value"), State(f"{P}-min-value", "value"))
@guarded(PATH)
def rows(request, month, region, category, band, min_value):
    scope = context.scope()
    block = c.row_block(request)
    if block is None or month not in queries.months(context.engine(), scope) or not scope.sees_assets:
        return c.NO_ROWS
    start, end = block
    sort = request.get("sortModel") if isinstance(request.get("sortModel"), list) else []
    frame, total = queries.overdue_idle(context.engine(), scope, month, sort=[s for s in sort if isinstance(s, dict)],
                                        start=start, end=end, **_filters(region, category, band, min_value))
    return {"rowData": queries.to_records(_display(frame)), "rowCount": total}


@callback(Output(f"{P}-download", "data"), Input(f"{P}-export", "n_clicks"), *[State(i.component_id, i.component_property)
                                                                              for i in FILTERS], prevent_initial_call=True)
@guarded(PATH)
def export(n_clicks, month, region, category, band, min_value):
    scope = context.scope()
    if not n_clicks or month not in queries.months(context.engine(), scope) or not scope.sees_assets:
        return no_update
    frame, _ = queries.overdue_idle(context.engine(), scope, month, end=None,
                                    **_filters(region, category, band, min_value))
    frame["category"] = frame["category"].map(lambda k: label(CATEGORIES, k))
    frame["level"] = frame["level"].map(vocab.LEVELS)
    regions = queries.region_names(context.engine(), scope, month)
    if "region_code" in frame:  # the region by name, its code beside it
        frame.insert(frame.columns.get_loc("region_code"), "region_name", frame["region_code"].map(regions))
    headers = {col["field"]: col["headerName"] for col in COLUMNS} | {"region_code": "区划编码", "region_name": "区划"}
    frame = frame.rename(columns=headers)
    buffer = io.BytesIO()
    write_frame(frame, buffer, sheet=f"超期闲置 {month}", formats={"原值（元）": "#,##0.00"},
                title=title_line(context.config(), _month_label(month), queries.scope_label(context.engine(), scope),
                                 "超期闲置资产", _filters_text(_filters(region, category, band, min_value), regions)))
    context.audit("export", f"超期闲置资产 {month}", detail=f"{len(frame)} 行")
    return dcc.send_bytes(buffer.getvalue(), f"超期闲置资产_{month}.xlsx")
