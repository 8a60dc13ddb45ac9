"""消息 and 报送 through the portal: each account reads its own papers (the reading recorded), the
finance bureau sees who has read what and who has not reported, departments see their own units
only, confirm 本月无变化, are reminded (催报) and write their weekly report."""
from __future__ import annotations

import base64
import datetime as dt
import io
import json

import openpyxl
import pytest
from sqlalchemy import delete, func, select, update

from jobs import deliver
from ledger.models import AuditEntry, Message, Submission, User, WeeklyReport
from tests.city import assert_no_foreign
from tests.conftest import put_back
from tests.dashboard.callbacks import by_id, call, components, layout_as, page
from tests.helpers import table_rows

MONTH = "2026-10"


def text(response) -> str:
    return json.dumps(response, ensure_ascii=False)


@pytest.fixture(scope="module")
def delivered_city(migrated_engine, city_rows, base_config, tmp_path_factory):
    """The city after the month's papers were delivered, once for the module: (its rows, the files)."""
    files = tmp_path_factory.mktemp("files")
    put_back(migrated_engine, city_rows)
    deliver.deliver(migrated_engine, base_config.replace(files__dir=str(files)), MONTH)
    return table_rows(migrated_engine), files


@pytest.fixture
def delivered(app, engine, config, delivered_city):
    rows, files = delivered_city
    put_back(engine, rows)
    app.extensions["panhuo.config"] = app.extensions["panhuo.config"].replace(files__dir=str(files))
    yield engine
    app.extensions["panhuo.config"] = config.replace(auth__secret_key="test-secret-key-0123456789")


def messages_of(engine, username):
    with engine.connect() as conn:
        return conn.execute(select(Message.id, Message.kind, Message.read_at).join(User, User.id == Message.user_id)
                            .where(User.username == username).order_by(Message.id)).all()


OPENED = [("inbox-detail", "children"), ("inbox-grid", "rowData"), ("inbox-counts", "children"),
          ("app-unread", "children"), ("app-unread", "className")]


def test_a_department_opens_its_notice_and_the_reading_is_recorded(app, as_user, delivered):
    dept = as_user("dept")
    listed = layout_as(app, "dept", page("inbox").layout)
    assert "未读" in listed and "整改通知书" in listed
    assert_no_foreign(listed)  # its own papers only
    notice = next(m for m in messages_of(delivered, "dept") if m.kind == "rectify")
    unread = sum(m.read_at is None for m in messages_of(delivered, "dept"))
    others = [{"id": m.id, "state": "未读"} for m in messages_of(delivered, "dept") if m.id != notice.id]
    _, opened = call(dept, OPENED, [("inbox-grid", "selectedRows", [{"id": notice.id}]), ("inbox-asked", "data", None)],
                     [("inbox-grid", "rowData", [{"id": notice.id, "state": "未读"}, *others])])
    shown = opened["inbox-grid"]["rowData"]
    assert f"/papers/{notice.id}" in text(opened) and shown[0]["state"].startswith("已读")
    assert shown[1:] == others  # the other rows stay as they were, unread
    # the count on the page and the badge in the top bar both drop by one
    assert opened["inbox-counts"]["children"].endswith(f"未读 {unread - 1} 条")
    assert opened["app-unread"]["children"] == (str(unread - 1) if unread > 1 else "")
    assert next(m for m in messages_of(delivered, "dept") if m.id == notice.id).read_at is not None
    # another account asking for it gets nothing, as for a message that does not exist; the file neither
    leader = as_user("leader")
    _, theirs = call(leader, OPENED,
                     [("inbox-grid", "selectedRows", [{"id": notice.id}]), ("inbox-asked", "data", None)],
                     [("inbox-grid", "rowData", [])])
    assert "未找到" in text(theirs) and "整改通知书" not in text(theirs)
    assert leader.get(f"/papers/{notice.id}").status_code == 404
    download = dept.get(f"/papers/{notice.id}")
    assert download.status_code == 200 and download.headers["Content-Disposition"].startswith("attachment;")
    with delivered.connect() as conn:
        assert conn.execute(select(AuditEntry.actor).where(AuditEntry.action == "paper.download")).scalars().all() == ["dept"]


def test_a_departments_to_do_counts_its_unread_notices_until_it_reads_them(app, as_user, delivered, monkeypatch):
    from ledger import clock

    def to_answer() -> str:
        _, response = call(as_user("dept"), [("my-score-body", "children")], [("my-score-month", "value", MONTH)])
        return text(response).split('"待办"', 1)[1]
    notices = [m for m in messages_of(delivered, "dept") if m.kind in ("interview", "rectify")]
    assert notices and all(m.read_at is None for m in notices)
    said = to_answer()
    assert f'"{len(notices)} 份约谈、整改通知书未读"' in said and '"/inbox"' in said
    sent = clock.now()
    monkeypatch.setattr(clock, "now", lambda precise=False: sent + dt.timedelta(days=4))
    assert f'"{len(notices)} 份约谈、整改通知书未读，其中 {len(notices)} 份逾期未读（超过 3 天）"' in to_answer()
    for notice in notices:  # opened from the inbox: read, and off the list
        call(as_user("dept"), OPENED, [("inbox-grid", "selectedRows", [{"id": notice.id}]), ("inbox-asked", "data", None)],
             [("inbox-grid", "rowData", [{"id": notice.id, "state": "未读"}])])
    assert "通知书未读" not in to_answer()


def test_the_bureaus_to_do_counts_the_notices_departments_left_unread_too_long(app, as_user, delivered, monkeypatch):
    """逾期未读 waits on whoever interviews: on the overview's 待办 once a notice is unread past
    [delivery] read_within_days, counted as 约谈整改 lists them; a county's counts its region's only."""
    from ledger import clock
    from tests.dashboard.test_workflow_pages import to_do

    with delivered.connect() as conn:
        unread = conn.execute(select(Message.dept_code).join(User, User.id == Message.user_id).where(
            Message.kind.in_(("interview", "rectify")), User.role == "department")).scalars().all()
    assert unread and "逾期未读" not in to_do(as_user("supervisor"))
    sent = clock.now()
    monkeypatch.setattr(clock, "now", lambda precise=False: sent + dt.timedelta(days=4))
    said = to_do(as_user("supervisor"))
    assert f'"{len(unread)} 份通知书逾期未读（送达超过 3 天）"' in said and '"/interviews"' in said
    _, listed = call(as_user("supervisor"), [("interviews-unread", "children")], [("interviews-version", "data", 0)])
    assert f"{len(unread)} 份）" in text(listed)
    assert set(unread) == {"D1"} and "逾期未读" not in to_do(as_user("county"))  # D1 is outside its region
    assert "逾期未读" not in to_do(as_user("leader"))  # who does not interview is not asked to follow up


def opened_links(client, message_id: int) -> list[tuple[str, str]]:
    """The buttons of an opened message: (words, address)."""
    _, opened = call(client, OPENED, [("inbox-grid", "selectedRows", [{"id": message_id}]), ("inbox-asked", "data", None)],
                     [("inbox-grid", "rowData", [])])
    return [(a["props"]["children"], a["props"]["href"])
            for a in components(opened["inbox-detail"], lambda node: node.get("type") == "A")]


def test_a_message_leads_to_the_page_it_is_about(app, as_user, delivered):
    """Beside its file, an opened paper offers the page its reader acts on, for its month: a
    department's 整改通知书 its warnings, its bulletin its own score, the bureau's bulletin the
    ranking; never a page the account may not open."""
    mine = {m.kind: m.id for m in messages_of(delivered, "dept")}
    assert ("前往预警", f"/warnings?month={MONTH}") in opened_links(as_user("dept"), mine["rectify"])
    assert ("前往我的得分", f"/my-score?month={MONTH}") in opened_links(as_user("dept"), mine["bulletin"])
    theirs = {m.kind: m.id for m in messages_of(delivered, "supervisor")}
    assert ("前往排名", f"/rankings?month={MONTH}") in opened_links(as_user("supervisor"), theirs["bulletin"])
    assert ("前往约谈整改", f"/interviews?month={MONTH}") in opened_links(as_user("supervisor"), theirs["interview"])
    with delivered.begin() as conn:  # a link to a page its role does not open (its role changed since)
        conn.execute(update(Message).where(Message.id == mine["rectify"]).values(link="/accounts"))
    buttons = [words for words, _ in opened_links(as_user("dept"), mine["rectify"])]
    assert len(buttons) == 1 and buttons[0].startswith("下载文书：")  # the file only


READ_ALL = [("inbox-grid", "rowData"), ("inbox-counts", "children"), ("app-unread", "children"),
            ("app-unread", "className"), ("inbox-read-all", "disabled")]


def test_the_bureau_marks_its_copies_read_at_once_and_a_department_cannot(app, as_user, delivered):
    """全部标为已读: a supervisor's copies of every department's 约谈通知书 read in one step, recorded
    once; a department's reading is the proof that a paper reached it, so it reads one by one, and
    the server refuses the step to it whatever the browser sends."""
    assert "全部标为已读" in layout_as(app, "supervisor", page("inbox").layout)
    assert "全部标为已读" not in layout_as(app, "dept", page("inbox").layout)
    theirs = messages_of(delivered, "supervisor")
    assert len(theirs) > 1 and all(m.read_at is None for m in theirs)
    shown = [{"id": m.id, "state": "未读"} for m in theirs]
    _, response = call(as_user("supervisor"), READ_ALL, [("inbox-read-all", "n_clicks", 1)], [("inbox-grid", "rowData", shown)])
    assert all(r["state"].startswith("已读 ") for r in response["inbox-grid"]["rowData"])
    assert response["inbox-counts"]["children"] == f"共 {len(theirs)} 条，未读 0 条"
    assert response["app-unread"] == {"children": "", "className": ""}
    assert response["inbox-read-all"]["disabled"] is True  # nothing left to mark
    assert all(m.read_at is not None for m in messages_of(delivered, "supervisor"))
    with delivered.connect() as conn:
        recorded = conn.execute(select(AuditEntry.actor, AuditEntry.target).where(AuditEntry.action == "message.read")).all()
    assert recorded == [("supervisor", f"全部标为已读：{len(theirs)} 条消息")]
    mine = messages_of(delivered, "dept")
    _, response = call(as_user("dept"), READ_ALL, [("inbox-read-all", "n_clicks", 1)], [("inbox-grid", "rowData", [])])
    assert response == {} and messages_of(delivered, "dept") == mine  # nothing read for it


def test_an_e_mails_link_opens_the_message_it_names(app, as_user, delivered):
    notice = messages_of(delivered, "dept")[0]
    layout = layout_as(app, "dept", page("inbox").layout, message=str(notice.id))
    assert f'"data": {notice.id}' in layout  # the page opens it (its reading is recorded when it shows)


def test_the_bureau_sees_who_has_read_which_paper(app, as_user, delivered):
    _, response = call(as_user("supervisor"), [("inbox-sent", "children")], [("inbox-counts", "id", "inbox-counts")])
    said = text(response)
    assert "送达情况" in said and "dept" in said and "0/1" in said  # the department has not read its notice yet


def reporting_body(client, month=MONTH, dept=None):
    return call(client, [("reporting-body", "children")], [("reporting-month", "value", month),
                                                           ("reporting-dept", "data", dept), ("reporting-version", "data", 0)])


def share_headings(response) -> list[str]:
    """The 报送 page's departments grid: the headings of its share columns."""
    (depts,) = by_id(response, "reporting-depts")
    return [col["headerName"] for col in depts["props"]["columnDefs"] if "率" in col["headerName"] or "占比" in col["headerName"]]


def export_headings(client, month=MONTH) -> list[str]:
    _, response = call(client, [("reporting-download", "data")], [("reporting-export", "n_clicks", 1)],
                       [("reporting-month", "value", month), ("reporting-dept", "data", None)])
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(response["reporting-download"]["data"]["content"])))
    return [cell.value for cell in book["各部门"][2]]


def remind(client, month=MONTH):
    """催报 pressed on the 报送 page for `month`."""
    return call(client, [("reporting-said", "children"), ("reporting-version", "data")],
                [("reporting-confirm", "n_clicks", None), ("reporting-remind", "n_clicks", 1)],
                [("reporting-units", "selectedRows", []), ("reporting-month", "value", month),
                 ("reporting-version", "data", 0)], changed="reporting-remind.n_clicks")


def send_weekly(client, week: str, progress: str = "调剂三台车辆"):
    """A department's 周进度 of `week` sent from the 报送 page's form."""
    return call(client, [("reporting-saved", "children"), ("reporting-files", "contents"), ("reporting-files", "filename")],
                [("reporting-save", "n_clicks", 1)],
                [("reporting-week-of", "data", week), ("reporting-progress", "value", progress),
                 ("reporting-problems", "value", "无"), ("reporting-next", "value", "入仓两台设备"),
                 ("reporting-signer", "value", "王五"), ("reporting-files", "contents", None),
                 ("reporting-files", "filename", None)])


def test_a_department_sees_its_own_units_only_and_confirms_nothing_changed(app, as_user, engine, config):
    from ledger.reporting import reported_month
    month = reported_month(config.today())
    dept = as_user("dept")
    _, response = reporting_body(dept, month, dept="D4")  # asks for another department: its own still
    said = text(response)
    assert "单位U1" in said and "单位U2" in said
    assert_no_foreign(said)

    def confirm(units):
        return text(call(dept, [("reporting-said", "children"), ("reporting-version", "data")],
                         [("reporting-confirm", "n_clicks", 1), ("reporting-remind", "n_clicks", None)],
                         [("reporting-units", "selectedRows", [{"unit_code": u} for u in units]),
                          ("reporting-month", "value", month), ("reporting-version", "data", 0)],
                         changed="reporting-confirm.n_clicks")[1])

    said = confirm(["U1", "U3"])
    assert "不在本账号范围内" in said and "U3" in said
    with engine.begin() as conn:  # U2 has sent nothing this month; U1 its ledger
        conn.execute(delete(Submission).where(Submission.unit_code == "U2", Submission.month == month))
    said = confirm(["U1", "U2"])
    assert "已确认 1 个单位" in said and "另 1 个单位本月已报送，不再重复记录" in said
    assert f"所选单位 {month} 均已报送" in confirm(["U2"])  # and U2 now has too
    with engine.connect() as conn:
        assert [(s.unit_code, s.channel) for s in conn.execute(
            select(Submission).where(Submission.channel == "confirm"))] == [("U2", "confirm")]


@pytest.mark.parametrize("username, ticks", [("leader", False), ("admin", False), ("supervisor", True),
                                              ("county", True), ("dept", True)])
def test_the_units_can_be_ticked_only_by_an_account_that_may_confirm_them(app, as_user, config, username, ticks):
    """A leader reads the units' 报送 and confirms nothing: no ticks that lead nowhere. Nor in a month
    before the one a confirmation reports, nor on a unit that has sent something for it."""
    from ledger.reporting import reported_month
    client = as_user(username)
    (units,) = by_id(reporting_body(client, reported_month(config.today()))[1], "reporting-units")
    options = units["props"]["dashGridOptions"]
    assert ("rowSelection" in options) == ticks
    # a department's units are all its own: no column naming it on every row
    assert ("主管部门" in [col["headerName"] for col in units["props"]["columnDefs"]]) == (username != "dept")
    if ticks:
        assert options["rowSelection"]["isRowSelectable"] == {"function": "params.data.received === '—'"}
    (units,) = by_id(reporting_body(client, MONTH)[1], "reporting-units")
    assert "rowSelection" not in units["props"]["dashGridOptions"]


def test_the_bureau_reminds_departments_with_units_missing(app, as_user, engine, config):
    from ledger.reporting import due_date
    month = MONTH  # every unit of the test city is missing October's report (its ledger came later)
    _, response = reporting_body(as_user("supervisor"), month)
    said = text(response)
    assert "部门D1" in said and "部门D4" in said and "未报送" in said
    assert "按期报送率" in said and "截止）" not in said  # after the due day the rate is the month's result
    assert share_headings(response)[0] == "按期率" and "按期率" in export_headings(as_user("supervisor"))
    _, response = remind(as_user("supervisor"), month)
    # the test city's departments with units missing: D1 has an account, the others none to tell
    assert "已向 1 个部门发送催报消息（1 个账号），涉及未报送单位 6 个" in text(response)
    assert "；3 个部门尚无账号，请另行通知：部门D2、部门D3、部门D4" in text(response)
    with engine.connect() as conn:
        (reminder,) = conn.execute(select(Message.title, Message.body, Message.link).join(User, User.id == Message.user_id)
                                   .where(User.username == "dept", Message.kind == "reminder")).all()
    assert reminder.link == f"/reporting?month={month}"  # where it confirms 本月无变化 or sees what is missing
    assert "单位U1" in reminder.body and "单位U2" in reminder.body and "单位U3" not in reminder.body
    assert due_date(month, config["reporting.due_day"]).day == 5
    # a county reminds its region's: none of them has an account, so nothing went, and it is told so
    _, response = remind(as_user("county"), month)
    alert = response["reporting-said"]["children"]
    assert alert["props"]["color"] == "warning"
    assert alert["props"]["children"].startswith("未发出催报消息：涉及未报送单位 ")
    assert alert["props"]["children"].endswith("；1 个部门尚无账号，请另行通知：部门D4")
    # a leader cannot remind: not its action (the button is not there, the server refuses)
    _, response = remind(as_user("leader"), month)
    assert "无权" in text(response)


def test_before_the_due_day_there_is_no_one_to_remind_yet_nor_a_rate(app, as_user, engine, monkeypatch):
    from ledger import clock
    monkeypatch.setattr(clock, "today", lambda zone: dt.date(2026, 11, 3))  # October's ledgers are due on the 5th
    with engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(Message).where(Message.kind == "reminder")).scalar()
    _, response = remind(as_user("supervisor"))
    assert "尚未到报送截止日（2026年11月5日），6 个单位待报送" in text(response)
    # nor a rate to show: the page says how far the month has come, as the bulletin does
    _, response = reporting_body(as_user("supervisor"))
    assert "已报送（2026年11月5日截止）" in text(response) and "按期报送率" not in text(response)
    # the departments' column says the same, on the page and in its workbook; the months before are rates
    assert share_headings(response) == ["已报送占比", "2026年7月按期率", "2026年8月按期率", "2026年9月按期率"]
    headings = export_headings(as_user("supervisor"))
    assert "已报送占比" in headings and "按期率" not in headings
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Message).where(Message.kind == "reminder")).scalar() == before


def test_the_page_exports_what_it_shows(app, as_user):
    _, response = call(as_user("county"), [("reporting-download", "data")], [("reporting-export", "n_clicks", 1)],
                       [("reporting-month", "value", MONTH), ("reporting-dept", "data", None)])
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(response["reporting-download"]["data"]["content"])))
    units = [row[0] for row in book["各单位"].iter_rows(min_row=3, values_only=True)]
    assert units == ["U5", "U6"]  # the county's region only
    assert "报送情况" in book["各单位"]["A1"].value and book["各部门"]["G3"].number_format == "0.00%"


def test_a_department_writes_its_weekly_report_and_reads_no_other(app, as_user, engine, config, monkeypatch):
    from ledger import clock
    from ledger.reporting import week_days, week_of
    week = week_of(config.today())
    dept = as_user("dept")
    _, form = call(dept, [("reporting-weekly", "children")], [("reporting-week", "value", week),
                                                            ("reporting-tabs", "active_tab", "weekly")])
    assert "本周进度" in text(form) and "平台记录的本周情况" in text(form)
    _, saved = send_weekly(dept, week)
    assert "已保存第 1 版" in text(saved)
    with engine.connect() as conn:
        assert conn.execute(select(WeeklyReport.dept_code, WeeklyReport.progress)).all() == [("D1", "调剂三台车辆")]
    # the bureau on the week's Friday: the departments without a report are 未报送; on its Monday
    # they still have until Thursday 18:00
    monday = week_days(week)[0]
    monkeypatch.setattr(clock, "local_now", lambda zone: dt.datetime.combine(monday + dt.timedelta(days=4), dt.time(9)))
    _, bureau = call(as_user("supervisor"), [("reporting-weekly", "children")],
                     [("reporting-week", "value", week), ("reporting-tabs", "active_tab", "weekly")])
    said = text(bureau)
    assert "调剂三台车辆" in said and "未报送（3 个部门）" in said and "部门D2" in said
    monkeypatch.setattr(clock, "local_now", lambda zone: dt.datetime.combine(monday, dt.time(9)))
    _, bureau = call(as_user("supervisor"), [("reporting-weekly", "children")],
                     [("reporting-week", "value", week), ("reporting-tabs", "active_tab", "weekly")])
    thursday = monday + dt.timedelta(days=3)
    assert f"待报送（3 个部门，{thursday.year}年{thursday.month}月{thursday.day}日周四 18:00 截止）" in text(bureau)
    assert "未报送（" not in text(bureau)
    _, county = call(as_user("county"), [("reporting-weekly", "children")],
                     [("reporting-week", "value", week), ("reporting-tabs", "active_tab", "weekly")])
    assert "调剂三台车辆" not in text(county) and "部门D4" in text(county)  # its region's departments only
    assert not any(name in text(form) for name in ("部门D2", "部门D3", "部门D4"))


def test_the_overview_shows_the_bureau_the_months_units_not_reported(app, as_user):
    _, response = call(as_user("supervisor"), [("overview-body", "children")], [("overview-month", "value", MONTH)])
    (tile,) = by_id(response, "overview-reporting")
    assert "6" in text(tile) and "未报送单位" in text(tile) and f"/reporting?month={MONTH}" in text(tile)
    _, county = call(as_user("county"), [("overview-body", "children")], [("overview-month", "value", MONTH)])
    (tile,) = by_id(county, "overview-reporting")
    assert '"2"' in text(tile)  # its region's two units


def test_before_the_due_day_the_overview_counts_units_still_to_send_not_a_green_zero(app, as_user, monkeypatch):
    from ledger import clock
    monkeypatch.setattr(clock, "today", lambda zone: dt.date(2026, 11, 3))  # October's ledgers are due on the 5th
    _, response = call(as_user("supervisor"), [("overview-body", "children")], [("overview-month", "value", MONTH)])
    (tile,) = by_id(response, "overview-reporting")
    said = text(tile)
    assert "待报送单位" in said and '"6"' in said and "按期单位" in said and "未报送单位" not in said
    assert "2026年10月台账应于2026年11月5日前报送" in text(response)


def test_the_overview_counts_the_departments_that_sent_this_weeks_report(app, as_user, monkeypatch):
    from ledger import clock

    def weekly_line(user: str, day: dt.date) -> str:
        monkeypatch.setattr(clock, "today", lambda zone: day)
        monkeypatch.setattr(clock, "local_now", lambda zone: dt.datetime.combine(day, dt.time(9)))
        _, response = call(as_user(user), [("overview-body", "children")], [("overview-month", "value", MONTH)])
        (line,) = by_id(response, "overview-weekly")
        return text(line)
    # week 45 of 2026: Monday 2 to Sunday 8 November, due on Thursday the 5th at 18:00
    said = weekly_line("supervisor", dt.date(2026, 11, 3))
    assert "本周进度已报送 0 / 4 个部门，应于2026年11月5日周四 18:00前报送" in said
    # until this week's are due, last week's that never came (none of week 44's) one click away
    assert "上周 4 个部门未报送" in said and "reporting?tab=weekly&week=2026-W44" in said
    assert "已报送 0 / 1 个部门" in weekly_line("county", dt.date(2026, 11, 3))  # its region's one department
    send_weekly(as_user("dept"), "2026-W45")
    said = weekly_line("supervisor", dt.date(2026, 11, 6))
    assert "本周进度已报送 1 / 4 个部门，3 个部门未报送" in said and "reporting?tab=weekly&week=2026-W45" in said
    assert "上周" not in said  # once this week's are due, this week's missing are the ones that count
    assert "已报送 0 / 1 个部门，1 个部门未报送" in weekly_line("county", dt.date(2026, 11, 6))
    # the Monday after: week 45's three missing, the county's own one among them
    said = weekly_line("supervisor", dt.date(2026, 11, 9))
    assert "本周进度已报送 0 / 4 个部门" in said and "上周 3 个部门未报送" in said and "week=2026-W45" in said
    assert "上周 1 个部门未报送" in weekly_line("county", dt.date(2026, 11, 9))


def reporting_tile(client):
    """The 报送 tiles on a department's 我的得分 page for October, as text."""
    _, response = call(client, [("my-score-body", "children")], [("my-score-month", "value", MONTH)])
    (tile,) = by_id(response, "my-score-reporting")
    return text(tile), text(response)


def test_a_department_sees_on_its_own_page_what_its_units_still_have_to_send(app, as_user, monkeypatch):
    from ledger import clock
    tile, page_text = reporting_tile(as_user("dept"))
    # after the due day: its own two units, neither of which sent October's ledger (the city's came later)
    assert "未报送单位" in tile and '"2"' in tile and f"/reporting?month={MONTH}" in tile
    assert "台账应于" not in page_text
    monkeypatch.setattr(clock, "today", lambda zone: dt.date(2026, 11, 3))
    tile, page_text = reporting_tile(as_user("dept"))
    assert "待报送单位" in tile and '"2"' in tile and "未报送单位" not in tile
    assert "2026年10月台账应于2026年11月5日前报送" in page_text


def test_a_department_sees_on_its_own_page_whether_this_weeks_report_is_in(app, as_user, monkeypatch):
    from ledger import clock

    def weekly_line(day: dt.date) -> str:
        monkeypatch.setattr(clock, "today", lambda zone: day)
        monkeypatch.setattr(clock, "local_now", lambda zone: dt.datetime.combine(day, dt.time(9)))
        _, response = call(as_user("dept"), [("my-score-body", "children")], [("my-score-month", "value", MONTH)])
        (line,) = by_id(response, "my-score-weekly")
        return text(line)
    # week 45 of 2026 runs from Monday 2 to Sunday 8 November; its reports are due on Thursday at 18:00
    assert "本周进度待报送，应于2026年11月5日周四 18:00前报送" in weekly_line(dt.date(2026, 11, 3))
    assert "reporting?tab=weekly&week=2026-W45" in weekly_line(dt.date(2026, 11, 3))
    # until then the week before's, never sent, may still be sent late
    assert "上周进度未报送（2026年10月29日周四 18:00截止）" in weekly_line(dt.date(2026, 11, 3))
    assert "week=2026-W44" in weekly_line(dt.date(2026, 11, 3))
    assert "上周" not in weekly_line(dt.date(2026, 11, 6))  # this week's due now: that is the one to send
    assert "本周进度未报送（2026年11月5日周四 18:00截止）" in weekly_line(dt.date(2026, 11, 6))
    send_weekly(as_user("dept"), "2026-W45")
    assert "本周进度已报送（第 1 版）" in weekly_line(dt.date(2026, 11, 6))
    said = weekly_line(dt.date(2026, 11, 9))
    assert "本周进度待报送" in said and "上周" not in said  # the next week begins with nothing sent, the last in



def test_a_departments_history_records_each_notice_sent_to_it_and_who_read_it_when(app, as_user, delivered, config):
    """履历 carries each notice sent to the department (送达): when it was sent, and which of its own
    accounts read it when, or has not (delivery.md: every reading is recorded); no other's notice."""
    from outputs import figures as fig

    def notices():
        with delivered.connect() as conn:
            return conn.execute(select(Message.id, Message.title, Message.dept_code, Message.created_at, Message.read_at)
                                .join(User, User.id == Message.user_id)
                                .where(Message.kind.in_(("interview", "rectify")), User.role == "department")).all()
    own = [n for n in notices() if n.dept_code == "D1"]
    assert len(own) == 2  # D1 is on the 约谈 list and has open orange or red warnings
    history = layout_as(app, "supervisor", page("history").layout, code="D1")
    for notice in own:
        assert notice.title in history and "未读：dept" in history
        assert fig.moment(notice.created_at, config.zone, seconds=False) in history
    assert [n.title for n in notices() if n.dept_code != "D1" and n.title in history] == []

    assert as_user("dept").get(f"/papers/{own[0].id}").status_code == 200
    read = next(n for n in notices() if n.id == own[0].id).read_at
    history = layout_as(app, "dept", page("history").layout, code="D1")
    assert f"已读：dept（{fig.moment(read, config.zone, seconds=False)}）" in history
    assert history.count("未读：dept") == 1  # the other notice
