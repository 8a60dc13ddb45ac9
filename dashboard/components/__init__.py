"""Small functions returning components: formatting, KPI cards, month selector, trend, grid."""
from __future__ import annotations

import base64
import binascii
import datetime as dt
from urllib.parse import urlencode

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
import plotly.io as pio
from dash import dcc, html

from ledger.vocab import LEVELS, SEVERE_FIRST, SUBMISSION_STATES
from metrics.definitions import BY_KEY, SCORED, overdue_months
from outputs import figures as fig

PALETTE = ["#1f4e79", "#c8102e", "#2e8b57", "#e0701b", "#6a5acd", "#7f8c8d"]


undefined = fig.undefined


def shown(key: str, value) -> str:
    """A figure as every surface shows it (outputs.figures): 12.35% · 1,234.5万元 · 87.6 · —."""
    return fig.text(key, value)


def delta(key: str, now, before) -> html.Span:
    """A figure's change on the month before (outputs.figures), green where it improved."""
    change = fig.change(key, now, before)
    if change.size is None:
        return html.Span(change.reason, className="delta muted")
    tone = {True: "up", False: "down", None: "muted"}[change.improved]
    return html.Span(f"较上月 {change.arrow}", className=f"delta {tone}", title=change.sentence)


def explain(key: str, config) -> str:
    """What an indicator measures, its full-marks target and its weight, from its one definition
    (metrics.definitions): the tooltip wherever the indicator is shown."""
    if key == "score":
        weights = "、".join(f"{i.label} {config.score_rule(name)[2]:g}" for name, i in SCORED.items())
        return f"五项指标单项得分按权重加权（{weights}），满分 100"
    indicator = BY_KEY[key]
    text = indicator.note + (f"（闲置满 {overdue_months(config)} 个月为超期）" if key == "overdue_idle_rate" else "")
    if indicator.score:
        text += f"；满分目标 {indicator.target(config)}，权重 {config.score_rule(indicator.score)[2]:g}"
    return text


def kpi_card(title: str, value: str, change=None, note: str | None = None, id_: str | None = None,
             explained: str | None = None) -> dbc.Card:
    """A figure with its change and a note; `explained`: what it means, shown on hovering its title."""
    head = html.Div([title, html.Span(" ⓘ", className="kpi-info")] if explained else title, className="kpi-title",
                    title=explained)
    body = [head, html.Div(value, className="kpi-value")]
    if change is not None:
        body.append(change)
    if note:
        body.append(html.Div(note, className="kpi-note"))
    return dbc.Card(dbc.CardBody(body), className="kpi-card", id=id_ or f"kpi-{title}")


# the figures a page or the screen leads with, each with the figures noted under it
HEADLINE = [("score", ()), ("idle_rate", ("idle_value",)), ("overdue_idle_rate", ("overdue_idle_count",)),
            ("due_completion_rate", ("overdue_plan_count",)), ("remit_rate", ("income_received",)),
            ("data_quality_rate", ("asset_count", "base_value"))]


def figure_note(row, keys) -> str:
    """闲置资产原值 1,234.5万元 · 资产数 12,345项: figures named under a tile."""
    return " · ".join(f"{fig.figure(k).label} {fig.phrase(k, row[k])}" for k in keys)


# what a dropdown says of itself (its search box, an empty list, a multiple choice): Dash's are English
DROPDOWN_LABELS = {"search": "搜索", "clear_search": "清除搜索", "clear_selection": "清除所选",
                   "no_options_found": "没有匹配的选项", "select_all": "全选", "deselect_all": "全不选",
                   "selected_count": "已选 {num_selected} 项"}


def dropdown(id_, **props) -> dcc.Dropdown:
    """A dropdown that speaks Chinese: every page's dropdowns are made here."""
    return dcc.Dropdown(id=id_, labels=DROPDOWN_LABELS, **props)


def month_select(id_: str, states: dict, value: str | None) -> dcc.Dropdown:
    """The month selector over the months' states (outputs.months, newest first): an unclosed month
    is marked 进行中, one not yet ended says how far its data reach; the choice follows the address
    (?month=) and every link to another page (assets_static/month.js)."""
    return dropdown(id_, options=[{"label": state.label, "value": m} for m, state in states.items()],
                    value=value, clearable=False, className="month-select")


# the calendars speak Chinese: month headers as 2026年12月, weeks from Monday, weekday names from
# the date-fns locale in assets_static/vendor (Dash's pickers read window.dateFns.locale)
CALENDAR = {"display_format": "YYYY-MM-DD", "month_format": "YYYY年M月", "first_day_of_week": 1}


def date_single(id_: str, placeholder: str, value=None, **options) -> dcc.DatePickerSingle:
    return dcc.DatePickerSingle(id=id_, placeholder=placeholder, date=value, clearable=True, **CALENDAR, **options)


def date_range(id_: str, start=None, end=None, **options) -> dcc.DatePickerRange:
    return dcc.DatePickerRange(id=id_, start_date=start, end_date=end, start_date_placeholder_text="开始日期",
                               end_date_placeholder_text="结束日期", clearable=True, **CALENDAR, **options)


def month_ticks(months: list[str]) -> list[str]:
    """Axis labels for consecutive months: the month, and under it the year where the axis starts
    or the year turns (a second line, so 13 labels fit side by side on a laptop)."""
    ticks = []
    for i, month in enumerate(months):
        year, mon = month[:4], int(month[5:])
        ticks.append(f"{mon}月<br>{year}年" if i == 0 or mon == 1 else f"{mon}月")
    return ticks


# the look go.Figure gives a chart (plotly's default template), taken once: a chart is drawn from
# plain traces and layout, since go.Figure checks every property it is given (8-12 ms a chart, a
# third of a department page's time once its data is cached; tests/dashboard/test_widgets.py
# holds every chart to what go.Figure accepts)
TEMPLATE = pio.templates[pio.templates.default].to_plotly_json()
FONT = "Noto Sans CJK SC, Microsoft YaHei, sans-serif"


def chart(data: list[dict], layout: dict, static: bool = False, **graph) -> dcc.Graph:
    """A plotly chart of `data` (traces, each with its `type`) and `layout`, as go.Figure draws it;
    `static`: a picture (the printed report, the meeting screen), no hover or zoom."""
    config = {"displayModeBar": False, **({"staticPlot": True} if static else {})}
    return dcc.Graph(figure={"data": data, "layout": {"template": TEMPLATE, **layout}}, config=config, **graph)


def values(series) -> list:
    """A column's values as the chart's JSON carries them (a gap where there is none)."""
    return [None if undefined(v) else v for v in pd.Series(series).tolist()]


def month_axis(months: list[str], **more) -> dict:
    """The x axis of a month-by-month chart: every month, labelled short (month_ticks)."""
    return {"type": "category", "tickmode": "array", "tickvals": months, "ticktext": month_ticks(months),
            "tickangle": 0, **more}


def trend(frame: pd.DataFrame, series: list[str], title: str = "", height: int = 260):
    """Figures month by month (`series`: figure keys, all of one kind), one line each, named as defined."""
    percent = fig.figure(series[0]).kind == "rate"
    months = list(frame["month"])
    lines = []
    for i, column in enumerate(series):
        label = fig.figure(column).label
        lines.append({"type": "scatter", "x": months, "y": values(frame[column] * (100 if percent else 1)),
                      "name": label, "mode": "lines+markers", "line": {"color": PALETTE[i % len(PALETTE)], "width": 2},
                      "customdata": [shown(column, v) for v in frame[column]],  # as the tiles say it
                      "hovertemplate": f"{label} %{{customdata}}<extra>%{{x}}</extra>"})
    # legend above the plot, never over the axis; months short enough for 13 of them on a laptop
    return chart(lines, {"title": {"text": title, "font": {"size": 14}}, "height": height,
                         "margin": {"l": 44, "r": 12, "t": 48 if title else 28, "b": 36},
                         "legend": {"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"},
                         "showlegend": len(series) > 1, "plot_bgcolor": "white", "paper_bgcolor": "white",
                         "yaxis": {"ticksuffix": "%" if percent else "", "gridcolor": "#eef1f5", "automargin": True},
                         "xaxis": month_axis(months, automargin=True), "font": {"family": FONT}})


LEVEL_COLORS = {"red": "#c8102e", "orange": "#e0701b", "yellow": "#d4a106"}  # as the warning tiles


def warning_mix(frame: pd.DataFrame, rule_names: dict[str, str]):
    """This month's warnings by rule (a bar each, most first) and level (red, orange, yellow stacked)."""
    counts = frame.groupby(["rule", "level"]).size().unstack(fill_value=0)
    order = counts.sum(axis=1).sort_values().index.tolist()  # plotly draws bottom up: the most on top
    bars = [{"type": "bar", "y": [rule_names.get(r, r) for r in order], "x": [int(counts.at[r, level]) for r in order],
             "name": LEVELS[level], "orientation": "h", "marker": {"color": LEVEL_COLORS[level]},
             "hovertemplate": "%{y}：%{x} 条<extra>" + LEVELS[level] + "</extra>"}
            for level in SEVERE_FIRST if level in counts.columns]
    return chart(bars, {"barmode": "stack", "height": max(160, 70 + 28 * len(order)),
                        "margin": {"l": 10, "r": 10, "t": 10, "b": 30}, "plot_bgcolor": "white", "paper_bgcolor": "white",
                        "legend": {"orientation": "h", "y": -0.15, "traceorder": "normal"},
                        "xaxis": {"gridcolor": "#eef1f5", "title": {"text": "条"}},
                        "yaxis": {"automargin": True}, "font": {"family": FONT}})


def _rank_ticks(top: int) -> list[int]:
    """First place and round places below it: 1, 5, 10 … or 1, 10, 20 …"""
    step = 1 if top <= 6 else 5 if top <= 30 else 10 if top <= 80 else 50
    return sorted({1, *range(step, top + 1, step)})


def rank_path(frame: pd.DataFrame, peers: int, height: int = 220):
    """The 13-month rank of one department among its `peers`: first place at the top."""
    ranked = frame.dropna(subset=["rank"])
    months, ranks = ranked["month"].tolist(), ranked["rank"].astype(int).tolist()
    path = {"type": "scatter", "x": months, "y": ranks, "mode": "lines+markers+text", "name": "排名",
            "text": [f"{r}" for r in ranks], "textposition": "top center", "textfont": {"size": 11},
            "line": {"color": PALETTE[1], "width": 2}, "hovertemplate": "%{x}：第 %{y} 名<extra></extra>"}
    top = max([peers, *ranks], default=1)
    return chart([path], {"height": height, "margin": {"l": 40, "r": 10, "t": 10, "b": 30}, "showlegend": False,
                          "plot_bgcolor": "white", "paper_bgcolor": "white", "xaxis": month_axis(months, automargin=True),
                          "yaxis": {"range": [top + 0.5, 0.5], "title": {"text": f"名次（共 {peers} 个）", "font": {"size": 11}},
                                    "gridcolor": "#eef1f5", "tickvals": _rank_ticks(top)},
                          "font": {"family": FONT}})


GRID_LOCALE = {"page": "第", "to": "至", "of": "共", "more": "更多", "next": "下一页", "last": "末页", "first": "首页",
               "previous": "上一页", "pageSizeSelectorLabel": "每页条数", "noRowsToShow": "暂无数据",
               "loadingOoo": "加载中…", "firstPage": "首页", "lastPage": "末页", "nextPage": "下一页",
               "previousPage": "上一页", "pageLastRowUnknown": "?",
               # what a screen reader says of the pager and the ticks (their own words are English)
               "ariaPageSizeSelectorLabel": "每页条数", "ariaRowToggleSelection": "按空格键选中或取消此行",
               "ariaRowSelectionDisabled": "此行不可选", "ariaHeaderSelection": "勾选列", "ariaChecked": "已选",
               "ariaUnchecked": "未选", "ariaIndeterminate": "部分选中"}


# a cell cut short by its column shows its whole text on hover (a column's own tooltipField wins);
# one shown whole shows none (SHARED_OPTIONS: whenTruncated is the grid's option, on a column AG Grid ignores it)
READ_WHOLE = {"tooltipValueGetter": {"function": "params.valueFormatted ? params.valueFormatted : params.value"}}
# how a grid's rows are chosen (its rowSelection): one by a click on it, or several ticked one by one
# (there a click on a row chooses nothing, it may open a link; no tick-all: a batch, never a whole list)
PICK_ONE = {"mode": "singleRow", "checkboxes": False, "enableClickSelection": True}
TICK_SEVERAL = {"mode": "multiRow", "headerCheckbox": False, "enableClickSelection": False}
# every grid's: tooltips only on cells cut short; the ticks' column no wider than a tick
SHARED_OPTIONS = {"tooltipShowDelay": 300, "tooltipShowMode": "whenTruncated",
                  "selectionColumnDef": {"width": 40, "minWidth": 40, "maxWidth": 40, "resizable": False}}


def grid(id_: str, frame: pd.DataFrame, columns: list[dict], height: str = "420px",
         options: dict | None = None, empty: str = GRID_LOCALE["noRowsToShow"], **props) -> dag.AgGrid:
    """A grid over all of `frame`'s rows; `empty`: what it says when there are none; `props` go to the
    grid itself (getRowId: a JS expression naming a row, so that a changed row keeps its place and its
    selection)."""
    from dashboard.queries import to_records

    return dag.AgGrid(id=id_, rowData=to_records(frame), columnDefs=columns, **props,
                      # cellDataType off: the grid would guess "date" from a first row like 2026-11-22 and blank a later 2026-10
                      defaultColDef={"sortable": True, "resizable": True, "filter": False, "cellDataType": False,
                                     **READ_WHOLE},
                      dashGridOptions={"rowHeight": 34, "headerHeight": 36, "localeText": {**GRID_LOCALE, "noRowsToShow": empty},
                                       **SHARED_OPTIONS, **(options or {})},
                      style={"height": height, "width": "100%"}, className="ag-theme-quartz")


def grid_height(rows: int, most: int, chrome: int = 90, fewest: int = 0) -> str:
    """A grid as tall as its rows (34 px each, under its header: `chrome`), at most `most` pixels:
    a short list leaves no empty box below it."""
    return f"{min(most, chrome + 34 * max(rows, fewest))}px"


NO_ROWS = {"rowData": [], "rowCount": 0}  # an infinite grid's answer when there is nothing to give


def seen_columns(columns: list[dict], scope) -> list[dict]:
    """`columns` as `scope` needs them: a department's lists are all its own, so its name on every
    row would only take the room of the columns beside it."""
    return [col for col in columns if not (scope.kind == "department" and col.get("field") == "dept_name")]


def infinite_grid(id_: str, columns: list[dict], total: int, height: str, sortable: bool = True,
                  options: dict | None = None, **props) -> dag.AgGrid:
    """A grid whose rows the server hands out block by block (its getRowsRequest callback answers
    with `row_block` bounds); `total`: how many rows there are, for the first scroll bar."""
    return dag.AgGrid(id=id_, columnDefs=columns, rowModelType="infinite", **props,
                      defaultColDef={"sortable": sortable, "resizable": True, "cellDataType": False, **READ_WHOLE},
                      dashGridOptions={**SHARED_OPTIONS, "rowBuffer": 0, "cacheBlockSize": 100, "maxBlocksInCache": 20,
                                       "infiniteInitialRowCount": min(total, 100), "rowHeight": 34,
                                       "localeText": GRID_LOCALE, **(options or {})},
                      style={"height": height, "width": "100%"}, className="ag-theme-quartz")


def upload_bytes(content) -> bytes | None:
    """The bytes of one file a dcc.Upload sent (a data URL); None when they cannot be read."""
    try:
        return base64.b64decode(str(content).split(",", 1)[1], validate=True)
    except (IndexError, binascii.Error):
        return None


def first_selected(rows, field: str, default=None):
    """`field` of a grid's first selected row, or `default` when no row is selected."""
    if isinstance(rows, list) and rows and isinstance(rows[0], dict):
        return rows[0].get(field)
    return default


def row_block(request) -> tuple[int, int] | None:
    """The rows an infinite grid asks for, [start, end): whole numbers, at most 1,000 of them."""
    if not isinstance(request, dict):
        return None
    start, end = request.get("startRow", 0), request.get("endRow", 100)
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
        return None
    if not 0 <= start < end <= start + 1000 or end > 10 ** 9:
        return None
    return start, end


def href(path: str, code, key: str = "code") -> str:
    """The address of an object's page (`/asset?code=…`), the code quoted."""
    return f"{path}?{urlencode({key: str(code)})}"


def yuan_column(field: str, header: str, **options) -> dict:
    """A grid column of money in yuan: one unit for the whole column (in the header), to the fen,
    thousands separated, right-aligned; the values stay numbers so the column sorts as numbers."""
    return {"field": field, "headerName": f"{header}（元）", "type": "rightAligned",
            "valueFormatter": {"function": "params.value == null ? '—' : d3.format(',.2f')(params.value)"}, **options}


def figure_column(field: str, header: str | None = None, **options) -> dict:
    """A grid column of figures: the number sorts, the text outputs.figures wrote for it (in
    `<field>_text`, figure_texts) shows, so a grid reads as the page, the screen and the files do.
    `header`: the figure's own name (metrics.definitions) unless another is given."""
    return {"field": field, "headerName": header or fig.figure(field).label, "type": "rightAligned",
            "valueFormatter": {"function": f"params.data ? params.data['{field}_text'] : ''"}, **options}


def figure_texts(frame: pd.DataFrame, keys: dict[str, str]) -> pd.DataFrame:
    """`frame` with a `<field>_text` column beside each field of `keys` ({field: figure key})."""
    return frame.assign(**{f"{field}_text": [fig.text(key, v) for v in frame[field]] for field, key in keys.items()})


def link_column(field: str, header: str, href_field: str, **options) -> dict:
    """A grid column whose cells link to `href_field`'s address and show their value as text:
    data never renders as markdown or HTML (a name like `x](https://…)[` stays a name)."""
    return {"field": field, "headerName": header, "cellRenderer": "DataLink",
            "cellRendererParams": {"href": href_field}, **options}


def section(title: str, *children, extra=None) -> dbc.Card:
    header = [html.Span(title, className="section-title")]
    if extra is not None:
        header.append(extra)
    return dbc.Card([dbc.CardHeader(header, className="section-header"), dbc.CardBody(list(children))],
                    className="section")


def weekly_href(week: str) -> str:
    """The 报送 page's 周进度 tab for `week` (2026-W50)."""
    return f"/reporting?{urlencode({'tab': 'weekly', 'week': week})}"


def submission_tiles(frame: pd.DataFrame, month: str, due: dt.date, id_: str, *more) -> dbc.Card:
    """报送: the units' ledgers of `month` (ledger.reporting.statuses) as two tiles leading to the
    报送 page: before the due day 待报送 and 按期 with the day they are due (nobody is late or missing
    yet: a green 0 未报送 would read as all sent), after it 未报送 and 逾期; then `more` (the week's 周进度)."""
    counts = frame["status"].value_counts()
    waiting = bool(counts.get("pending", 0))
    shown = (("pending", "yellow"), ("on_time", "ok")) if waiting else (("missing", "red"), ("late", "orange"))
    tiles = html.A([html.Div([html.Div(f"{int(counts.get(key, 0)):,}", className="alert-count"),
                              html.Div(f"{SUBMISSION_STATES[key]}单位")],
                             className=f"alert-tile tile-{tone if counts.get(key, 0) else 'ok'}") for key, tone in shown],
                   href=f"/reporting?{urlencode({'month': month})}", className="alert-tiles", id=id_)
    return section("报送", tiles, *([html.Div(f"{fig.month_text(month)}台账应于{fig.date_text(due)}前报送",
                                           className="small text-muted mt-2")] if waiting else []), *more)


def empty(text: str = "暂无数据") -> html.Div:
    return html.Div(text, className="empty-state")


def not_found() -> html.Div:
    """Used alike for 'does not exist' and 'outside your scope'."""
    return html.Div([html.H4("未找到"), html.P("请求的内容不存在。")], className="empty-state")


def transfer_progress(r) -> str:
    """A decided request's transfers, done of decided (调剂进度), as the transfers say it on every page: 1/2 件已完成."""
    decided = isinstance(r.decision, str) and not undefined(r.transfer_qty) and r.transfer_qty
    return f"{int(r.transfer_done)}/{int(r.transfer_qty)} 件已完成" if decided else "—"


def request_outcomes(frame: pd.DataFrame) -> dbc.Card:
    """A department's purchase requests (配置审核) and what became of each, newest first."""
    from ledger.allocation import KINDS

    if frame.empty:
        return section("配置需求与审核结果", empty("尚无配置需求"))
    frame = frame.sort_values(["budget_year", "requested_on"], ascending=False)
    rows = [html.Tr([
        html.Td(html.A(r.request_id, href="/allocation")), html.Td(f"{r.budget_year}"), html.Td(r.asset_name),
        html.Td(int(r.quantity), className="num"), html.Td(fig.yuan(r.quantity * r.unit_price / 100), className="num"),
        html.Td(r.requested_on.isoformat()),
        html.Td(KINDS[r.decision] if isinstance(r.decision, str) else "待审核"),
        html.Td(transfer_progress(r)),
        html.Td(r.decision_note if isinstance(r.decision_note, str) else "", className="small")])
        for r in frame.head(20).itertuples()]
    head = html.Thead(html.Tr([html.Th(h) for h in ("需求编号", "预算年度", "资产名称", "数量", "金额", "申报日期",
                                                    "审核决定", "调剂进度", "审核意见")]))
    note = f"共 {len(frame):,} 项，显示最近 20 项" if len(frame) > 20 else None
    return section("配置需求与审核结果", dbc.Table([head, html.Tbody(rows)], size="sm", hover=True),
                   html.Div(note, className="small text-muted") if note else None)
