"""部门履历 A department's history: every notice, interview, commitment and outcome over time."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from dashboard import components as c
from dashboard import context, queries
from dashboard.shell import permitted, register_page
from ledger import vocab
from ledger.vocab import LISTS
from outputs import figures as fig
from outputs.phrasing import reasons_text

PATH = register_page(__name__, "/history")


def _notices(notices: list, zone: str) -> list[tuple[str, str, str, str]]:
    """Each notice sent to the department as an event: when it was sent, and who of its accounts read
    it when, or has not (delivery.md: every reading is recorded)."""
    papers: dict[int, list] = {}
    for row in notices:
        papers.setdefault(row.paper_id, []).append(row)
    events = []
    for rows in papers.values():
        read = [f"{r.username}（{fig.moment(r.read_at, zone, seconds=False)}）" for r in rows if r.read_at]
        unread = [r.username for r in rows if r.read_at is None]
        events.append((fig.moment(rows[0].created_at, zone, seconds=False), "送达", rows[0].title,
                       "；".join(x for x in (read and "已读：" + "、".join(read), unread and "未读：" + "、".join(unread)) if x)))
    return events


def layout(code: str | None = None, **_query):
    scope, engine = context.scope(), context.engine()
    if not permitted(PATH) or not isinstance(code, str) or not code:
        return c.not_found()
    found = queries.department_history(engine, scope, code)
    if found is None:
        return c.not_found()
    states = queries.month_states(engine, scope, context.config().zone)
    dept, listed, interviews, commitments, checks, notices = (
        found[k] for k in ("dept", "listed", "interviews", "commitments", "checks", "notices"))
    zone = context.config().zone
    events = []  # (date or moment text: sorts as time does, kind, what, detail)
    for e in listed:
        events.append((e.month, LISTS.get(e.list, e.list), f"{states[e.month].label if e.month in states else e.month}"
                                                           f" 列入{LISTS.get(e.list, e.list)}名单", reasons_text(e.reasons)))
    for i in interviews:
        events.append((i.scheduled_on.isoformat(), "约谈", f"约谈（{fig.month_text(i.month)}名单）· "
                                                         f"{vocab.INTERVIEW_STATES[i.status]}",
                       f"参加：{i.attendees}" + (f"；结果：{i.outcome}" if i.outcome else "")))
    held = {i.id: i.scheduled_on for i in interviews}
    for m in commitments:  # made at its interview; its deadline is in its words, not its place in time
        state = vocab.COMMITMENT_STATES[m.status] + (f"（{m.done_on}）" if m.done_on else "")
        events.append((held[m.interview_id].isoformat(), "整改承诺",
                       f"{m.text}（责任人 {m.owner}，期限 {m.deadline}）· {state}",
                       "；".join(x for x in (m.evidence and f"反馈：{m.evidence}", checks.get(m.id)) if x)))
    events += _notices(notices, zone)
    events.sort(key=lambda e: e[0], reverse=True)
    rows = [html.Tr([html.Td(when, className="text-nowrap"), html.Td(dbc.Badge(kind, color="secondary")), html.Td(what),
                     html.Td(detail, className="small text-muted")]) for when, kind, what, detail in events]
    table = dbc.Table([html.Thead(html.Tr([html.Th(h) for h in ("时间", "类别", "事项", "说明")])), html.Tbody(rows)],
                      size="sm", hover=True) if rows else c.empty("暂无通报、约谈或整改记录")
    return html.Div([
        html.Div([html.H2(f"{dept.name} · 履历", className="page-title"),
                  html.A("部门详情", href=f"/department?code={code}", className="btn btn-sm btn-outline-secondary")],
                 className="page-head"),
        c.section(f"通报、约谈、整改（{len(events):,} 项）", table),
    ])
