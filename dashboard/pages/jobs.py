"""任务 Jobs (admins): is the scheduler alive, what runs when, every run, and a recompute by hand."""
from __future__ import annotations

import datetime as dt
import re

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard import components as c
from dashboard import context, queries
from dashboard.shell import guarded, permitted, register_page
from ledger import clock, runs, vocab
from metrics.timeline import months_range, parse_month, shift_month
from outputs import figures as fig

PATH = register_page(__name__, "/jobs")
P = "jobs"
RUN_COLUMNS = [
    {"field": "id", "headerName": "编号", "width": 80}, {"field": "job", "headerName": "任务", "width": 180},
    {"field": "tick", "headerName": "周期", "width": 150}, {"field": "trigger", "headerName": "触发", "width": 90},
    {"field": "month", "headerName": "月份", "width": 90}, {"field": "status_zh", "headerName": "状态", "width": 90},
    {"field": "requested_by", "headerName": "发起人", "width": 100},
    {"field": "started_at", "headerName": "开始", "width": 160}, {"field": "ended_at", "headerName": "结束", "width": 160},
    {"field": "rows", "headerName": "行数", "width": 90}, {"field": "error", "headerName": "错误", "flex": 1, "minWidth": 200,
                                                         "tooltipField": "error"},
]


def _tick(tick: str | None, trigger: str) -> str:
    """The period a run served, in words: 2026年12月4日 · 2026年11月 · 2026年第49周 · 手动."""
    text = tick or ""
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return fig.date_text(dt.date.fromisoformat(text))
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}", text):
        return fig.month_text(text)
    week = re.fullmatch(r"([0-9]{4})-W([0-9]{2})", text)
    if week:
        return f"{week.group(1)}年第{int(week.group(2))}周"
    return vocab.RUN_TRIGGERS.get(trigger, "—") if text.startswith("manual-") or not text else text


def _month_of(tick: str | None) -> str:
    """The month a run's tick falls in (a month or a day), for runs recorded without one."""
    return tick[:7] if isinstance(tick, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}(-[0-9]{2})?", tick) else "—"


def _current_month() -> str:
    today = context.config().today()
    return f"{today.year:04d}-{today.month:02d}"


def _offered(states: dict) -> list[str]:
    """The months a recompute may be asked for, newest first: those with a snapshot, and every month
    after the newest of them up to this one (a month that ended while the scheduler was stopped, so
    never computed, among them); with no snapshot yet, this month and the one before."""
    current = _current_month()
    since = shift_month(max(states), 1) if states else shift_month(current, -1)
    return sorted(set(states) | set(months_range(min(since, current), current)), reverse=True)


def layout(**_query):
    if not permitted(PATH):
        return c.not_found()
    states = queries.month_states(context.engine(), context.scope(), context.config().zone)
    months = _offered(states)
    options = [{"label": states[m].label if m in states else f"{fig.month_text(m)}（尚无快照）", "value": m}
               for m in months]
    request = dbc.Card(dbc.CardBody([
        html.Div("手动重算某月快照（由调度进程执行）", className="section-title mb-2"),
        dbc.Row([
            dbc.Col(c.dropdown(f"{P}-month", options=options, value=months[0], clearable=False,
                               className="month-select"), width="auto"),
            dbc.Col(dbc.Checkbox(id=f"{P}-reopen", label="重开已关账月份（记入审计日志）", value=False), width="auto",
                    className="d-flex align-items-center"),
            dbc.Col(dbc.Button("排队重算", id=f"{P}-queue", color="primary", size="sm"), width="auto"),
        ], className="g-2 align-items-center"),
        html.Div(id=f"{P}-queued", className="mt-2"),
    ]), className="section")
    return html.Div([
        html.Div([html.H2("任务", className="page-title")], className="page-head"),
        request,
        dcc.Interval(id=f"{P}-tick", interval=10_000),
        html.Div(id=f"{P}-body"),
    ])


@callback(Output(f"{P}-queued", "children"), Input(f"{P}-queue", "n_clicks"),
          State(f"{P}-month", "value"), State(f"{P}-reopen", "value"), prevent_initial_call=True)
@guarded(PATH)
def queue(n_clicks, month, reopen):
    if not n_clicks:
        return no_update
    try:
        month = parse_month(month)
    except ValueError:
        return dbc.Alert("月份无效", color="danger")
    reopen = reopen is True
    engine = context.engine()
    closed = queries.month_closed(engine, context.scope(), month)
    if closed and not reopen:
        return dbc.Alert(f"{month} 已关账：如确需重算，请勾选“重开已关账月份”", color="warning")
    run_id = runs.queue(engine, "recompute-month", month, context.current_username(), reopen=reopen and closed)
    context.audit("job.request", f"手动重算 {month}", after={"run": run_id, "reopen": reopen and closed})
    return dbc.Alert(f"已排队（任务 #{run_id}）：调度进程将在 {context.config()['scheduler.poll_seconds']} 秒内执行",
                     color="success")


def _scheduler_state(rows, poll_seconds: int, zone: str):
    if not rows:
        return dbc.Alert("调度进程未运行：请在服务器上运行 panhuo scheduler（手动任务将在它启动后执行）", color="warning")
    beat = max(r.heartbeat_at for r in rows)
    stale = clock.now() - beat > dt.timedelta(seconds=3 * poll_seconds + 60)
    text = f"主机 {rows[0].host} · 进程 {rows[0].pid} · 最近心跳 {fig.moment(beat, zone)}"
    if stale:
        return dbc.Alert(f"调度进程可能已停止（{text}）", color="danger")
    return dbc.Alert(f"调度进程运行中（{text}）", color="success")


@callback(Output(f"{P}-body", "children"), Input(f"{P}-tick", "n_intervals"), Input(f"{P}-queued", "children"))
@guarded(PATH)
def render(_n, _queued):
    scheduled, recent, closed = queries.jobs(context.engine(), context.scope(), 200)
    zone = context.config().zone
    last = {}
    for run in recent:
        last.setdefault(run.job, run)
    jobs = dbc.Table([
        html.Thead(html.Tr([html.Th(h) for h in ("任务", "计划（crontab）", "下次运行", "最近一次", "状态")])),
        html.Tbody([html.Tr([
            html.Td(j.title), html.Td(html.Code(j.schedule)),
            html.Td(fig.moment(j.next_run_at, zone, seconds=False)),
            html.Td(fig.moment(last[j.job].started_at, zone, seconds=False) if j.job in last else "—"),
            html.Td(vocab.RUN_STATES.get(last[j.job].status, last[j.job].status) if j.job in last else "—"),
        ]) for j in scheduled]),
    ], size="sm", className="mb-0") if scheduled else c.empty("调度进程尚未报告计划")
    rows = [{"id": r.id, "job": vocab.JOB_TITLES.get(r.job, r.job), "tick": _tick(r.tick, r.trigger),
             "trigger": vocab.RUN_TRIGGERS.get(r.trigger, r.trigger), "month": r.month or _month_of(r.tick),
             "status_zh": vocab.RUN_STATES.get(r.status, r.status),
             "requested_by": r.requested_by or ("调度进程" if r.trigger in ("schedule", "catch-up") else "—"),
             "started_at": fig.moment(r.started_at, zone), "ended_at": fig.moment(r.ended_at, zone), "rows": r.rows,
             "error": (r.error or "").splitlines()[0] if r.error else None} for r in recent]
    return html.Div([
        _scheduler_state(scheduled, context.config()["scheduler.poll_seconds"], zone),
        dbc.Row([
            dbc.Col(c.section("计划任务", jobs), lg=8),
            # a month is never broken across lines (2026年5 | 月); its 、 stays at the end of the line
            dbc.Col(c.section("已关账月份", html.Div([html.Span(fig.month_text(m.month) + ("、" if i < len(closed) - 1 else ""),
                                                             className="text-nowrap") for i, m in enumerate(closed)]
                                                  or "暂无", className="closed-months")), lg=4),
        ], className="g-3"),
        c.section("运行记录（最近 200 次）", c.grid(f"{P}-runs", pd.DataFrame(rows, columns=[col["field"] for col in RUN_COLUMNS]),
                                                RUN_COLUMNS, height=c.grid_height(len(rows), 460, fewest=3),
                                                empty="暂无运行记录"),
                  # a `panhuo compute` at the console claims no run: it is audited, with its row counts
                  extra=html.Span(["调度进程与本页手动任务的运行；命令行的计算见", html.A("审计日志", href="/audit")],
                                  className="ms-auto small text-muted")),
    ])
