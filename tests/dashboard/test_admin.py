"""Admin pages (任务, 审计日志), the audit trail of logins and refusals, and the screen's kiosk login."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from sqlalchemy import select

from ledger import accounts, runs
from ledger.db import session_scope
from ledger.models import AuditEntry, JobRun
from tests.city import login
from tests.dashboard.callbacks import by_id, call, components, layout_as, page
from tests.helpers import tamper_audit_log


def audit_rows(engine, action=None):
    with engine.connect() as conn:
        query = select(AuditEntry).order_by(AuditEntry.id)
        if action:
            query = query.where(AuditEntry.action == action)
        return conn.execute(query).all()


def queue(client, month, reopen=False):
    return call(client, [("jobs-queued", "children")], [("jobs-queue", "n_clicks", 1)],
                [("jobs-month", "value", month), ("jobs-reopen", "value", reopen)])


def test_an_admin_queues_a_recompute_and_it_is_audited(app, as_user, engine):
    status, response = queue(as_user("admin"), "2026-10")
    assert status == 200 and "已排队" in json.dumps(response, ensure_ascii=False)
    (run,) = runs.recent(engine)
    assert (run.job, run.month, run.status, run.requested_by, run.reopen) == ("recompute-month", "2026-10", "queued", "admin", False)
    (entry,) = audit_rows(engine, "job.request")
    assert entry.actor == "admin" and entry.target == "手动重算 2026-10" and entry.address == "127.0.0.1"


def test_a_closed_month_is_queued_only_with_reopen(app, as_user, engine):
    with engine.begin() as conn:
        runs.close_month(conn, "2026-10", "scheduler")
    client = as_user("admin")
    _, response = queue(client, "2026-10")
    assert "已关账" in json.dumps(response, ensure_ascii=False) and runs.recent(engine) == []
    queue(client, "2026-10", reopen=True)
    assert [r.reopen for r in runs.recent(engine)] == [True]


def test_only_admins_queue_jobs_or_read_the_audit_log(app, as_user, engine):
    for username in ("leader", "supervisor", "county", "dept", "screen"):
        client = as_user(username)
        status, _ = queue(client, "2026-10")
        assert status in (200, 204)
        for name in ("jobs", "audit"):
            assert "未找到" in layout_as(app, username, page(name).layout)
        _, listed = call(client, [("audit-body", "children")], [("audit-action", "value", None),
                             ("audit-actor", "value", None), ("audit-dates", "start_date", None), ("audit-dates", "end_date", None)])
        assert "audit-grid" not in json.dumps(listed)
    with engine.connect() as conn:
        assert conn.execute(select(JobRun)).all() == []


def test_logins_failures_logouts_and_refusals_are_audited(app, as_user, engine):
    client = app.test_client()
    assert login(client, "dept", "wrong-password").status_code == 401
    client = as_user("dept")
    call(client, [("asset-body", "children"), ("asset-title", "children")], [("asset-month", "value", "2026-10")],
         [("asset-code", "data", "A3")])  # another department's asset
    from tests.city import csrf
    client.post("/logout", data={"csrf": csrf(client)})
    actions = [(e.action, e.actor) for e in audit_rows(engine)]
    assert ("login.failed", "dept") in actions and ("login", "dept") in actions and ("logout", "dept") in actions
    refused = audit_rows(engine, "scope.refused")
    assert refused and refused[0].actor == "dept" and "A3" in refused[0].target


AUDIT_FILTERS = ("audit-action", "value"), ("audit-actor", "value"), ("audit-dates", "start_date"), \
    ("audit-dates", "end_date")


def audit_block(client, action=None, actor=None, since=None, until=None, start=0, end=100):
    """The audit page's grid block [start, end) as the browser asks for it, with the filters."""
    values = (action, actor, since, until)
    _, response = call(client, [("audit-grid", "getRowsResponse")],
                       [("audit-grid", "getRowsRequest", {"startRow": start, "endRow": end})],
                       [(i, p, v) for (i, p), v in zip(AUDIT_FILTERS, values)])
    return response.get("audit-grid", {}).get("getRowsResponse", {})


def test_the_audit_page_lists_and_filters_entries_for_an_admin(app, as_user, engine):
    login(app.test_client(), "ghost", "nope-nope")
    client = as_user("admin")
    _, response = call(client, [("audit-body", "children")], [(i, p, v) for (i, p), v in
                                                              zip(AUDIT_FILTERS, ("login.failed", None, None, None))])
    text = json.dumps(response, ensure_ascii=False)
    assert "审计链完整" in text and "审计记录（1 条" in text
    block = audit_block(client, "login.failed")
    assert block["rowCount"] == 1 and [(r["actor"], r["action_zh"], r["role"]) for r in block["rowData"]] == [
        ("ghost", "登录失败", "未登录")]


def test_the_audit_page_pages_on_the_server_and_shows_times_where_the_deployment_is(app, as_user, engine):
    from ledger import audit
    client = as_user("admin")
    with engine.begin() as conn:
        for i in range(250):
            audit.record(conn, "cli:ops", "export", f"导出 {i}")
    block = audit_block(client, start=100, end=200)
    assert block["rowCount"] >= 250 and len(block["rowData"]) == 100
    assert block["rowData"][0]["target"] == "导出 149"  # newest first: rows 100… of the whole log
    with engine.connect() as conn:
        stored = conn.execute(select(AuditEntry.at).where(AuditEntry.target == "导出 149")).scalar_one()
    shanghai = stored + dt.timedelta(hours=8)  # stored in UTC, shown in Asia/Shanghai
    assert block["rowData"][0]["at"] == f"{shanghai:%Y-%m-%d %H:%M:%S}"
    assert audit_block(client, since="2000-01-01", until="2000-01-02")["rowCount"] == 0


def test_the_audit_page_says_where_the_chain_breaks(app, as_user, engine):
    client = as_user("admin")
    first = audit_rows(engine)[0].id  # a database owner edits the first row behind the guards
    tamper_audit_log(engine, f"UPDATE audit_log SET actor = 'mallory' WHERE id = {first}")
    _, response = call(client, [("audit-body", "children")], [("audit-action", "value", None),
                       ("audit-actor", "value", None), ("audit-dates", "start_date", None), ("audit-dates", "end_date", None)])
    text = json.dumps(response, ensure_ascii=False)
    assert f"审计链在第 {first} 条记录处断开" in text and "审计链完整" not in text


def test_a_screen_token_url_logs_the_kiosk_in_until_it_is_revoked(app, engine):
    with session_scope(engine, write=True) as s:
        token = accounts.issue_token(s, "screen")
    kiosk = app.test_client()
    response = kiosk.get(f"/screen/login?token={token}")
    assert response.status_code == 302 and response.headers["Location"] == "/screen"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert kiosk.get("/api/v1/kpis").status_code == 200
    with session_scope(engine, write=True) as s:
        accounts.revoke_tokens(s, "screen")
    assert kiosk.get("/api/v1/kpis").status_code == 401  # the kiosk's session ended with the token
    assert app.test_client().get(f"/screen/login?token={token}").status_code == 401
    # a token of another role never opens a screen session
    with session_scope(engine, write=True) as s:
        leader_token = accounts.issue_token(s, "leader")
    assert app.test_client().get(f"/screen/login?token={leader_token}").status_code == 401


def test_the_screen_role_sees_the_screen_and_nothing_else(app):
    for name in ("overview", "rankings", "lists", "jobs"):
        assert "未找到" in layout_as(app, "screen", page(name).layout)
    screen = layout_as(app, "screen", page("screen").layout)
    assert "2026年10月（进行中）" in screen and "部门D2" in screen  # department rankings are aggregates it may show
    assert not re.search(r'"(A1|U1|B1)"', screen) and "单位U1" not in screen  # no asset or unit detail


def test_a_department_account_gets_no_screen(app):
    assert "未找到" in layout_as(app, "dept", page("screen").layout)


@pytest.mark.slow  # seconds of its own: the full lane's
def test_the_screen_picks_up_a_recomputed_snapshot_in_place(app, as_user, engine, config):
    from jobs.runner import compute_month

    client = as_user("screen")
    stamp = json.loads(layout_as(app, "screen", page("screen").layout))["props"]["children"][0]["props"]["data"]
    refresh = lambda s: call(client, [("screen-content", "children"), ("screen-stamp", "data")],  # noqa: E731
                             [("screen-refresh", "n_intervals", 1)], [("screen-stamp", "data", s), ("screen-asked", "data", None)])
    status, response = refresh(stamp)
    assert status == 204 or response == {}  # nothing new: nothing moves
    import time
    time.sleep(1.1)  # computed_at has one-second resolution
    compute_month(engine, config, "2026-10", "test")
    status, response = refresh(stamp)
    assert status == 200 and response["screen-stamp"]["data"] != stamp and response["screen-stamp"]["data"].startswith("2026-10@")
    assert "2026年10月（进行中）" in json.dumps(response["screen-content"], ensure_ascii=False)


def test_refused_callbacks_are_audited(app, as_user, engine):
    # a supervisor replaying the admin's job queue, a leader and an admin the upload
    # (roles.md, reporting.md: imports are a supervisor's, a county's or a department's; admins use the CLI)
    status, response = queue(as_user("supervisor"), "2026-10")
    assert status in (200, 204) and "已排队" not in json.dumps(response, ensure_ascii=False)
    assert runs.recent(engine) == []
    for username in ("leader", "admin"):
        status, response = call(as_user(username), [("import-result", "children")],
                                [("import-upload", "contents", "data:application/zip;base64,UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==")],
                                [("import-upload", "filename", "ledger.zip")])
        assert "导入" not in json.dumps(response, ensure_ascii=False)
    refused = [(e.actor, e.role, e.target) for e in audit_rows(engine, "scope.refused")]
    assert ("supervisor", "supervisor", "页面 /jobs") in refused
    assert ("leader", "leader", "页面 /import") in refused
    assert ("admin", "admin", "页面 /import") in refused
    imports = audit_rows(engine, "import") + audit_rows(engine, "import.failed")
    assert [e.actor.split(":")[0] for e in imports] == ["cli"]  # the city's own import (cli:<account>), nothing since


def test_the_logo_leads_a_department_to_its_own_score(app, as_user):
    response = as_user("dept").get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/my-score"
    assert as_user("screen").get("/").headers["Location"] == "/screen"
    assert as_user("leader").get("/").status_code == 200


def test_the_run_list_names_a_month_and_who_asked_on_every_row(app, as_user, engine):
    from jobs.runner import run_recorded

    run_recorded(engine, "recompute", "2026-11-20", "schedule", lambda: 3)
    queue(as_user("admin"), "2026-10")
    _, response = call(as_user("admin"), [("jobs-body", "children")], [("jobs-tick", "n_intervals", 0),
                                                                         ("jobs-queued", "children", None)])
    (runs_grid,) = components(response, lambda node: node.get("id") == "jobs-runs")
    rows = runs_grid["rowData"]
    assert {(r["month"], r["requested_by"]) for r in rows} == {("2026-11", "调度进程"), ("2026-10", "admin")}
    # a computation at the console is no run of the list: the list says where it is found
    def leads_to_audit(props):
        children = props.get("children")
        return isinstance(children, list) and any(isinstance(child, dict) and child["props"].get("href") == "/audit"
                                                  for child in children)
    (note,) = components(response, leads_to_audit)
    assert note["children"][0] == "调度进程与本页手动任务的运行；命令行的计算见"


def test_a_closed_month_is_never_broken_across_lines(app, as_user, engine):
    with engine.begin() as conn:
        for month in ("2026-09", "2026-10"):
            runs.close_month(conn, month, "scheduler")
    _, response = call(as_user("admin"), [("jobs-body", "children")], [("jobs-tick", "n_intervals", 0),
                                                                         ("jobs-queued", "children", None)])
    (closed,) = components(response, lambda node: node.get("className") == "closed-months")
    pieces = [(span["props"]["children"], span["props"]["className"]) for span in closed["children"]]
    assert pieces == [("2026年10月、", "text-nowrap"), ("2026年9月", "text-nowrap")]


def test_a_month_that_ended_uncomputed_can_be_queued_from_the_page(app, engine, monkeypatch):
    """The scheduler stopped over November and December: both are offered, beside the months computed."""
    from ledger import clock
    monkeypatch.setattr(clock, "today", lambda zone: dt.date(2027, 1, 10))
    (choice,) = by_id(json.loads(layout_as(app, "admin", page("jobs").layout)), "jobs-month")
    offered = [option["value"] for option in choice["props"]["options"]]
    assert offered[:4] == ["2027-01", "2026-12", "2026-11", "2026-10"] and choice["props"]["value"] == "2027-01"
    labels = {option["value"]: option["label"] for option in choice["props"]["options"]}
    assert labels["2026-11"] == "2026年11月（尚无快照）" and "尚无快照" not in labels["2026-10"]
