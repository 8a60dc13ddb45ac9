"""The workflow through the portal's callbacks: who may act, on what, and what each step writes."""
from __future__ import annotations

import json

from sqlalchemy import select, true

from ledger.models import AuditEntry, Commitment, Interview, WarningCase
from tests.dashboard.callbacks import call


def cases(engine):
    with engine.connect() as conn:
        return {(c.rule, c.ref): c for c in conn.execute(select(WarningCase))}


def act(client, button, case_ids, note="已安排调剂", fix_by="2026-12-31"):
    return call(client, [("warnings-done", "children"), ("warnings-updated", "data"), ("warnings-note", "value")],
                [("warnings-ack", "n_clicks", 1), ("warnings-resolve", "n_clicks", 1)],
                [("warnings-grid", "selectedRows", [{"case_id": i} for i in case_ids]), ("warnings-note", "value", note),
                 ("warnings-fix-by", "date", fix_by)], changed=f"warnings-{button}.n_clicks")


def sync(engine, config):
    from jobs.runner import compute_month
    compute_month(engine, config, "2026-10", "test")  # the newest month: creates the cases


def test_department_acknowledges_only_its_own_and_cannot_resolve(app, as_user, engine, config):
    sync(engine, config)
    mine, theirs = cases(engine)[("idle_overdue", "A1")].id, cases(engine)[("idle_overdue", "A3")].id
    client = as_user("dept")
    status, response = act(client, "ack", [mine, theirs])
    assert status == 200 and "已确认 1 条" in json.dumps(response, ensure_ascii=False)
    state = cases(engine)
    assert state[("idle_overdue", "A1")].state == "acknowledged" and state[("idle_overdue", "A3")].state == "open"
    act(client, "ack", [theirs])  # only another department's case: nothing done, and logged too
    assert cases(engine)[("idle_overdue", "A3")].state == "open"
    with engine.connect() as conn:
        refused = conn.execute(select(AuditEntry.actor, AuditEntry.target).where(
            AuditEntry.action == "scope.refused")).all()
    assert refused == [("dept", f"预警 #[{theirs}]")] * 2
    _, response = act(client, "resolve", [mine])
    assert "无权" in json.dumps(response, ensure_ascii=False)
    assert cases(engine)[("idle_overdue", "A1")].state == "acknowledged"


def test_supervisor_resolves_in_bulk_and_county_only_inside_its_region(app, as_user, engine, config):
    sync(engine, config)
    all_ids = [c.id for c in cases(engine).values()]
    _, response = act(as_user("county"), "resolve", all_ids, note="县区核实")
    resolved = [c for c in cases(engine).values() if c.state == "resolved"]
    assert resolved and {c.region_code for c in resolved} == {"990102"}
    act(as_user("supervisor"), "resolve", all_ids, note="财政局核实")
    assert {c.state for c in cases(engine).values()} == {"resolved"}
    _, response = act(as_user("leader"), "resolve", all_ids)
    assert "无权" in json.dumps(response, ensure_ascii=False)


def test_the_interview_flow_through_the_page(app, as_user, engine, config):
    sync(engine, config)
    supervisor = as_user("supervisor")
    _, options = call(supervisor, [("interviews-dept", "options")], [("interviews-month", "value", "2026-10")])
    listed = [o["value"] for o in options["interviews-dept"]["options"]]
    assert "D1" in listed
    status, response = call(supervisor, [("interviews-scheduled", "children"), ("interviews-version", "data")],
                            [("interviews-schedule", "n_clicks", 1)],
                            [("interviews-month", "value", "2026-10"), ("interviews-dept", "value", "D1"),
                             ("interviews-date", "date", "2026-11-25"), ("interviews-attendees", "value", "李四；王五"),
                             ("interviews-place", "value", "市财政局三楼会议室"), ("interviews-version", "data", 0)])
    assert "已安排约谈" in json.dumps(response, ensure_ascii=False)
    with engine.connect() as conn:
        interview = conn.execute(select(Interview)).one()
    assert interview.place == "市财政局三楼会议室"
    _, response = call(supervisor, [("interviews-recorded", "children"), ("interviews-version", "data")],
                       [("interviews-record", "n_clicks", 1)],
                       [("interviews-interview", "value", interview.id), ("interviews-outcome", "value", "承诺整改"),
                        ("interviews-commitments", "value", "A1 调剂使用 | 王五 | 2026-12-31 | A1\n补全资料 | 赵六 | 2026-13-01"),
                        ("interviews-version", "data", 1)])
    assert "第2行 期限「2026-13-01」" in json.dumps(response, ensure_ascii=False)  # a bad line is named, nothing saved
    call(supervisor, [("interviews-recorded", "children"), ("interviews-version", "data")],
         [("interviews-record", "n_clicks", 2)],
         [("interviews-interview", "value", interview.id), ("interviews-outcome", "value", "承诺整改"),
          ("interviews-commitments", "value", "A1 调剂使用 | 王五 | 2026-12-31 | A1"), ("interviews-version", "data", 1)])
    with engine.connect() as conn:
        (commitment,) = conn.execute(select(Commitment)).all()
    assert commitment.asset_codes == ["A1"] and commitment.dept_code == "D1"
    # the department answers its own; another department's account cannot see or answer it
    answer = lambda client, text: call(client, [("interviews-answered", "children"), ("interviews-version", "data")],  # noqa: E731
                                       [("interviews-answer", "n_clicks", 1), ("interviews-complete", "n_clicks", None)],
                                       [("interviews-commitment", "value", commitment.id), ("interviews-evidence", "value", text),
                                        ("interviews-version", "data", 2)], changed="interviews-answer.n_clicks")
    _, response = answer(as_user("county"), "县区代答")  # D1 is not in the county's region
    assert "不存在" in json.dumps(response, ensure_ascii=False)
    answer(as_user("dept"), "已调剂给某局")
    _, body = call(as_user("dept"), [("interviews-body", "children"), ("interviews-interview", "options"),
                                     ("interviews-commitment", "options")], [("interviews-version", "data", 3)])
    text = json.dumps(body, ensure_ascii=False)
    assert "已调剂给某局" in text and "已反馈" in text and "待下月快照核验" in text
    with engine.connect() as conn:
        actions = [a for a in conn.scalars(select(AuditEntry.action).order_by(AuditEntry.id)) if "." in a and
                   a.split(".")[0] in ("interview", "commitment")]
    assert actions == ["interview.schedule", "interview.record", "commitment.answer"]


def test_history_shows_a_departments_own_record_and_nothing_of_others(app, engine, config):
    from tests.dashboard.callbacks import layout_as, page
    sync(engine, config)
    mine = layout_as(app, "dept", page("history").layout, code="D1")
    assert "部门D1 · 履历" in mine and "列入约谈名单" in mine
    for other in ("D2", "D4", "990100"):
        assert "未找到" in layout_as(app, "dept", page("history").layout, code=other)
    assert "部门D4 · 履历" in layout_as(app, "county", page("history").layout, code="D4")
    assert "未找到" in layout_as(app, "county", page("history").layout, code="D1")
    assert "未找到" in layout_as(app, "screen", page("history").layout, code="D1")


def test_lists_carry_overdue_commitments_and_unacknowledged_warnings_as_reasons(app, as_user, engine, config):
    import datetime as dt

    from sqlalchemy import update

    from ledger import workflow
    sync(engine, config)
    with engine.begin() as conn:
        conn.execute(update(WarningCase).values(opened_on=dt.date.today() - dt.timedelta(days=40)))
        interview = workflow.schedule_interview(conn, workflow.Actor("sup", "supervisor"), "2026-10", "D1",
                                                dt.date.today(), "李四", true())
        workflow.record_outcome(conn, workflow.Actor("sup", "supervisor"), interview, Interview.id == interview, "承诺",
                                [{"text": "盘活", "owner": "王五", "deadline": dt.date.today() - dt.timedelta(days=1)}])
    _, response = call(as_user("leader"), [("lists-table", "children")], [("lists-tabs", "active_tab", "interview")],
                       [("lists-month", "value", "2026-10")])
    text = json.dumps(response, ensure_ascii=False)
    assert "整改承诺未完成 1 项，其中逾期 1 项" in text and "橙色以上预警逾期未确认" in text


def test_the_warnings_api_reports_each_warnings_state(app, as_user, engine, config):
    sync(engine, config)
    act(as_user("dept"), "ack", [cases(engine)[("idle_overdue", "A1")].id])
    rows = as_user("dept").get("/api/v1/warnings?month=2026-10").get_json()
    states = {(r["rule"], r["ref"]): r["state"] for r in rows}
    assert states[("idle_overdue", "A1")] == "acknowledged" and states[("idle_overdue", "A2")] == "open"


def test_the_asset_page_shows_how_its_warnings_were_handled(app, as_user, engine, config):
    sync(engine, config)
    act(as_user("dept"), "ack", [cases(engine)[("idle_overdue", "A1")].id], note="安排调剂给档案馆")
    _, response = call(as_user("dept"), [("asset-body", "children"), ("asset-title", "children")],
                       [("asset-month", "value", "2026-10")], [("asset-code", "data", "A1")])
    text = json.dumps(response, ensure_ascii=False)
    assert "预警处理经过" in text and "安排调剂给档案馆" in text and "已确认" in text


def test_the_warning_list_reads_the_same_from_the_cases_and_from_the_snapshot(app, engine, config):
    import datetime as dt

    from dashboard import queries
    from dashboard.scope import Scope
    from ledger.models import WarningRow
    sync(engine, config)  # cases synchronised with 2026-10; 2026-09 is read through the join
    for month in ("2026-10", "2026-09"):
        frame, counts = queries.warning_cases.__wrapped__(engine, Scope("all"), month, dt.date(2026, 11, 22), 15)
        with engine.connect() as conn:
            rows = conn.execute(select(WarningRow.rule, WarningRow.ref, WarningRow.level).where(WarningRow.month == month)).all()
        assert set(zip(frame["rule"], frame["ref"])) == {(r.rule, r.ref) for r in rows}
        assert counts["total"] == len(rows) and counts["red"] == sum(r.level == "red" for r in rows)
        levels = list(frame["level"])
        assert levels == sorted(levels, key={"red": 0, "orange": 1, "yellow": 2}.get) or frame["overdue"].any()
    mine, _ = queries.warning_cases.__wrapped__(engine, Scope("department", "D1"), "2026-10", dt.date(2026, 11, 22), 15)
    assert set(mine["dept_code"]) == {"D1"}


def test_the_lists_are_a_sortable_searchable_grid_with_links_only_where_the_caller_may_go(app, as_user, engine, config):
    sync(engine, config)
    _, response = call(as_user("leader"), [("lists-table", "children")], [("lists-tabs", "active_tab", "interview")],
                       [("lists-month", "value", "2026-10")])
    text = json.dumps(response, ensure_ascii=False)
    assert '"id": "lists-search"' in text and '"id": "lists-grid"' in text and '"sortable": true' in text
    assert "/department?code=D1" in text and "/history?code=D1" in text
    _, response = call(as_user("screen"), [("lists-table", "children")], [("lists-tabs", "active_tab", "interview")],
                       [("lists-month", "value", "2026-10")])
    assert "/department?code=" not in json.dumps(response)  # no drill-down where the caller sees no assets
