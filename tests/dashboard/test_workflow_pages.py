"""The workflow through the portal's callbacks: who may act, on what, and what each step writes."""
from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from sqlalchemy import func, select, true, update

from ledger import allocation, inbox, workflow
from ledger.models import AuditEntry, Commitment, Evidence, Interview, ListEntry, Message, StoredFile, User, WarningCase
from outputs import figures as fig
from outputs.phrasing import reason_text
from tests.dashboard.callbacks import by_id, call


def cases(engine):
    with engine.connect() as conn:
        return {(c.rule, c.ref): c for c in conn.execute(select(WarningCase))}


BUTTONS = ("ack", "submit", "verify", "return", "resolve")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def data_url(data: bytes, mime: str = "application/pdf") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def act(client, button, case_ids, note="已安排调剂", fix_by="2026-12-31", files=()):
    """Press a button of the warning list's toolbar with some rows chosen, by case id or as grid rows
    (files: (name, bytes) to send)."""
    return call(client, [("warnings-done", "children"), ("warnings-updated", "data"), ("warnings-note", "value"),
                         ("warnings-files", "contents"), ("warnings-files", "filename")],
                [(f"warnings-{b}", "n_clicks", 1) for b in BUTTONS],
                [("warnings-grid", "selectedRows", [i if isinstance(i, dict) else {"case_id": i} for i in case_ids]),
                 ("warnings-note", "value", note),
                 ("warnings-fix-by", "date", fix_by), ("warnings-files", "contents", [data_url(d) for _, d in files]),
                 ("warnings-files", "filename", [n for n, _ in files])], changed=f"warnings-{button}.n_clicks")


def text(response) -> str:
    return json.dumps(response, ensure_ascii=False)


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
    with engine.connect() as conn:  # its own step: nobody told
        assert conn.execute(select(func.count()).select_from(Message).where(Message.kind == "acknowledged")).scalar() == 0


def test_a_supervisor_acknowledging_tells_each_department_its_own_and_the_date(app, as_user, engine, config):
    """监管 or a county acknowledges a department's warnings for it: the planned date binds the
    department, so each is told in 消息 how many of its own and by when; a refused date tells nobody."""
    from tests.city import add_accounts

    sync(engine, config)
    add_accounts(engine, [("dept2", "department", "D2")])
    open_cases = [c for c in cases(engine).values() if c.state == "open"]
    counts = {d: sum(c.dept_code == d for c in open_cases) for d in ("D1", "D2", "D3", "D4")}
    assert all(counts.values()) and counts["D1"] != counts["D2"]

    def told():
        with engine.connect() as conn:
            return conn.execute(select(User.username, Message.title, Message.body).join(User, User.id == Message.user_id)
                                .where(Message.kind == "acknowledged").order_by(User.username)).all()
    _, response = act(as_user("supervisor"), "ack", [c.id for c in open_cases], fix_by="2020-01-01")
    assert "计划整改日期" in text(response) and told() == []
    fix_by = (config.today() + dt.timedelta(days=30)).isoformat()
    rows = [{"case_id": c.id, "dept_code": c.dept_code, "dept_name": f"部门{c.dept_code}"} for c in open_cases]
    _, response = act(as_user("supervisor"), "ack", rows, note="督促限期调剂", fix_by=fix_by)
    # D3 and D4 have no account: the supervisor is told to let them know some other way
    assert f"已确认 {len(open_cases)} 条；已在消息中通知 2 个部门；2 个部门尚无账号，请另行通知：部门D3、部门D4" in text(response)
    assert '"color": "warning"' in text(response)
    day = fig.date_text(dt.date.fromisoformat(fix_by))
    assert [(t.username, t.title) for t in told()] == [
        ("dept", f"预警已由监管人员确认（{counts['D1']} 条），计划{day}前整改"),
        ("dept2", f"预警已由监管人员确认（{counts['D2']} 条），计划{day}前整改")]
    assert all("说明：督促限期调剂" in t.body and f"计划整改日期为{day}" in t.body for t in told())
    # a county's 确认 is told as the county's, to its region's departments only
    add_accounts(engine, [("dept4", "department", "D4")])
    with engine.begin() as conn:
        conn.execute(update(WarningCase).values(state="open"))
    act(as_user("county"), "ack", [c.id for c in open_cases], note="县区督办", fix_by=fix_by)
    assert [(t.username, t.title) for t in told() if t.username == "dept4"] == [
        ("dept4", f"预警已由县区财政确认（{counts['D4']} 条），计划{day}前整改")]
    assert len(told()) == 3  # D1 and D2 lie outside the county: not told again


def test_supervisor_resolves_in_bulk_and_county_only_inside_its_region(app, as_user, engine, config):
    """直接销号 in bulk, each department told of its own closed off (and no department of another's)."""
    from tests.city import add_accounts

    sync(engine, config)
    add_accounts(engine, [("dept4", "department", "D4")])
    before = {key: c.dept_code for key, c in cases(engine).items()}
    all_ids = [c.id for c in cases(engine).values()]
    _, response = act(as_user("county"), "resolve", all_ids, note="县区核实")
    resolved = [c for c in cases(engine).values() if c.state == "resolved"]
    assert resolved and {c.region_code for c in resolved} == {"990102"}

    def told():
        with engine.connect() as conn:
            return conn.execute(select(User.username, Message.title, Message.body).join(User, User.id == Message.user_id)
                                .where(Message.kind == "verified").order_by(Message.id)).all()
    d4 = sum(c.dept_code == "D4" for c in resolved)
    assert [(t.username, t.title) for t in told()] == [("dept4", f"预警已销号（{d4} 条）")]
    assert "经监管核实已直接销号" in told()[0].body and "销号说明：县区核实" in told()[0].body
    act(as_user("supervisor"), "resolve", all_ids, note="财政局核实")
    assert {c.state for c in cases(engine).values()} == {"resolved"}
    d1 = sum(dept == "D1" for dept in before.values())
    assert ("dept", f"预警已销号（{d1} 条）") in [(t.username, t.title) for t in told()[1:]]
    assert ("dept4", f"预警已销号（{d4} 条）") not in [(t.username, t.title) for t in told()[1:]]  # told once
    _, response = act(as_user("leader"), "resolve", all_ids)
    assert "无权" in json.dumps(response, ensure_ascii=False)


def test_a_bulk_check_tells_each_department_its_own_closed_off_count(app, as_user, engine, config):
    """A supervisor closes off (销号) the city's warnings reported fixed in one check: each department
    is told how many of its own were, and no department hears of another's."""
    from tests.city import add_accounts

    sync(engine, config)
    add_accounts(engine, [("dept2", "department", "D2")])
    with engine.begin() as conn:
        conn.execute(update(WarningCase).values(state="submitted"))
    counts = {}
    for case in cases(engine).values():
        counts[case.dept_code] = counts.get(case.dept_code, 0) + 1
    assert counts.get("D1") and counts.get("D2") and counts["D1"] != counts["D2"]  # a shared count would show
    act(as_user("supervisor"), "verify", [c.id for c in cases(engine).values()], note="逐条核验")
    with engine.connect() as conn:
        told = dict(conn.execute(select(User.username, Message.title).join(User, User.id == Message.user_id)
                                 .where(Message.kind == "verified")).all())
    assert told == {"dept": f"预警已核验销号（{counts['D1']} 条）", "dept2": f"预警已核验销号（{counts['D2']} 条）"}


def test_a_step_over_a_mixed_selection_changes_tells_and_shows_only_what_it_moved(app, as_user, engine, config):
    """Rows chosen in several states: 退回 sends back only those 待核验, tells only their departments,
    each of its own count, and the list shows the new state on those rows alone; evidence sent with
    报送整改 belongs to the cases it moved, not to those 待核验 already."""
    from tests.city import add_accounts

    sync(engine, config)
    add_accounts(engine, [("dept2", "department", "D2")])
    by_dept: dict[str, list] = {}
    for case in cases(engine).values():
        by_dept.setdefault(case.dept_code, []).append(case)
    d1, d2 = sorted(by_dept["D1"], key=lambda c: c.id), sorted(by_dept["D2"], key=lambda c: c.id)
    assert len(d1) >= 3 and len(d2) >= 1
    sent, earlier, still_open = d1[:2], d1[2], d2[0]
    with engine.begin() as conn:
        conn.execute(update(WarningCase).where(WarningCase.id.in_([c.id for c in sent])).values(state="submitted"))
        conn.execute(update(WarningCase).where(WarningCase.id == earlier.id).values(
            state="returned", return_reason="上月退回：缺照片"))
    chosen = [*sent, earlier, still_open]
    _, response = act(as_user("supervisor"), "return", [{"case_id": c.id, "key": f"k{c.id}"} for c in chosen],
                      "材料不全")
    assert "已退回 2 条；所选另有 2 条当前状态不能退回，未改动" in text(response["warnings-done"])
    assert response["warnings-updated"]["data"]["keys"] == [f"k{c.id}" for c in sent]
    now = cases(engine)
    assert [now[(c.rule, c.ref)].state for c in chosen] == ["returned", "returned", "returned", "open"]
    assert now[(earlier.rule, earlier.ref)].return_reason == "上月退回：缺照片"  # not another return's reason
    with engine.connect() as conn:
        told = conn.execute(select(User.username, Message.title, Message.link).join(User, User.id == Message.user_id)
                            .where(Message.kind == "returned")).all()
    # D2's open case was not sent back: D2 not told; the message leads to the list of those sent back
    assert told == [("dept", "预警整改材料被退回（2 条）", "/warnings?state=returned")]
    _, response = act(as_user("supervisor"), "return", [earlier.id, still_open.id], "再退一次")
    assert "所选 2 条预警的状态都不能这样处理：此操作只处理“待核验”的预警" in text(response)
    with engine.begin() as conn:  # one of them sent again already, by another hand
        conn.execute(update(WarningCase).where(WarningCase.id == sent[0].id).values(state="submitted"))
    _, response = act(as_user("dept"), "submit", [sent[0].id, sent[1].id, earlier.id], "已补充材料",
                      files=[("照片.png", PNG)])
    assert "已报送待核验 2 条；所选另有 1 条当前状态不能报送整改，未改动" in text(response)
    with engine.connect() as conn:
        proved = conn.execute(select(Evidence.subject_id).where(Evidence.subject == "case")).scalars().all()
    assert sorted(proved) == sorted([sent[1].id, earlier.id])


def record(client, interview_id, rows):
    """The outcome and the commitments typed into the form's rows: (内容, 责任人, 期限, 资产编号) each."""
    columns = list(zip(*rows)) if rows else [(), (), (), ()]
    return call(client, [("interviews-recorded", "children"), ("interviews-version", "data"),
                         ("interviews-items", "children"), ("interviews-more", "n_clicks"), ("interviews-outcome", "value")],
                [("interviews-record", "n_clicks", 1)],
                [("interviews-interview", "value", interview_id), ("interviews-outcome", "value", "承诺整改"),
                 *[({"type": f"interviews-item-{kind}", "index": "ALL"}, prop, list(values))
                   for kind, prop, values in zip(("text", "owner", "deadline", "assets"),
                                                 ("value", "value", "date", "value"), columns)],
                 ("interviews-version", "data", 1)])


def follow(client, button, commitment_id, note="", files=()):
    """Report a commitment kept with files, close it off or send it back (interviews page)."""
    return call(client, [("interviews-answered", "children"), ("interviews-version", "data"),
                         ("interviews-files", "contents"), ("interviews-files", "filename")],
                [(f"interviews-{b}", "n_clicks", 1) for b in ("submit", "verify", "return")],
                [("interviews-commitment", "value", commitment_id), ("interviews-evidence", "value", note),
                 ("interviews-files", "contents", [data_url(d) for _, d in files]),
                 ("interviews-files", "filename", [n for n, _ in files]), ("interviews-version", "data", 2)],
                changed=f"interviews-{button}.n_clicks")


def test_the_interview_flow_through_the_page(app, as_user, engine, config):
    sync(engine, config)
    supervisor = as_user("supervisor")
    _, options = call(supervisor, [("interviews-dept", "options")], [("interviews-month", "value", "2026-10")])
    listed = [o["value"] for o in options["interviews-dept"]["options"]]
    assert "D1" in listed and len(listed) > 1, listed
    _, response = call(supervisor, [("interviews-scheduled", "children"), ("interviews-version", "data")],
                       [("interviews-schedule", "n_clicks", 1)],
                       [("interviews-month", "value", "2026-10"), ("interviews-dept", "value", "D1"),
                        ("interviews-date", "date", None), ("interviews-attendees", "value", None),
                        ("interviews-place", "value", None), ("interviews-version", "data", 0)])
    assert "请填写约谈日期" in text(response)  # empty fields answer, beside the button
    status, response = call(supervisor, [("interviews-scheduled", "children"), ("interviews-version", "data")],
                            [("interviews-schedule", "n_clicks", 1)],
                            [("interviews-month", "value", "2026-10"), ("interviews-dept", "value", "D1"),
                             ("interviews-date", "date", config.today().isoformat()),
                             ("interviews-attendees", "value", "李四；王五"),
                             ("interviews-place", "value", "市财政局三楼会议室"), ("interviews-version", "data", 0)])
    assert "已安排约谈 #" in text(response) and "已通知该部门（1 个账号）" in text(response)
    with engine.connect() as conn:
        interview = conn.execute(select(Interview)).one()
        told = conn.execute(select(Message.title, Message.body, Message.read_at, Message.link)
                            .join(User, User.id == Message.user_id)
                            .where(Message.kind == "scheduled", User.username == "dept")).one()
    assert interview.place == "市财政局三楼会议室" and told.link == "/interviews?month=2026-10"
    # the notice sent at the close left date and place blank: the department is told them in 消息
    on = fig.date_text(config.today())
    assert told.title == f"约谈安排：{on}（2026年10月约谈名单）" and told.read_at is None
    assert f"定于{on}约谈贵部门，地点：市财政局三楼会议室；参加人员：李四；王五。" in told.body
    assert all(reason_text(r) in told.body for r in interview.topics) and interview.topics
    # a department on the list with no account yet: the supervisor is told to let it know otherwise
    other = next(code for code in listed if code != "D1")
    _, response = call(supervisor, [("interviews-scheduled", "children"), ("interviews-version", "data")],
                       [("interviews-schedule", "n_clicks", 1)],
                       [("interviews-month", "value", "2026-10"), ("interviews-dept", "value", other),
                        ("interviews-date", "date", config.today().isoformat()), ("interviews-attendees", "value", "李四"),
                        ("interviews-place", "value", None), ("interviews-version", "data", 1)])
    assert "该部门尚无账号，请另行通知" in text(response)
    with engine.connect() as conn:
        interview = conn.execute(select(Interview).where(Interview.dept_code == "D1")).one()
    _, response = record(supervisor, interview.id, [("A1 调剂使用", "王五", "2026-12-31", "A1"),
                                                    ("补全资料", "赵六", None, "")])
    assert "请填写第2项承诺的期限" in text(response)  # a row short of a field is named, nothing saved
    assert "interviews-items" not in response  # and what was typed stays to be corrected
    with engine.connect() as conn:
        assert conn.execute(select(Commitment)).all() == []
    _, response = record(supervisor, interview.id, [("A1 调剂使用", "王五", "2026-12-31", "A1"), ("", "", None, "")])
    # saved: the form is empty again (its rows hold nothing typed), so it cannot be saved twice
    rows = response["interviews-items"]["children"]
    assert len(rows) == 3 and "A1 调剂使用" not in text(rows) and response["interviews-outcome"]["value"] == ""
    with engine.connect() as conn:
        (commitment,) = conn.execute(select(Commitment)).all()
    assert commitment.asset_codes == ["A1"] and commitment.dept_code == "D1"
    # the department reports it kept, with evidence; those who check it cannot send it themselves
    for checker in ("county", "supervisor"):
        assert "无权执行此操作" in text(follow(as_user(checker), "submit", commitment.id, "代报", [("a.pdf", PDF)])[1])
    dept = as_user("dept")
    assert "至少一份佐证材料" in text(follow(dept, "submit", commitment.id, "已调剂给某局")[1])
    sent = follow(dept, "submit", commitment.id, "已调剂给某局", [("调剂协议.pdf", PDF)])[1]
    assert sent["interviews-files"] == {"contents": None, "filename": None}
    assert state_of(engine, commitment.id) == "submitted"
    # the supervisor sends it back with a reason: the department is told in its inbox
    assert "请填写退回理由" in text(follow(supervisor, "return", commitment.id, "")[1])
    follow(supervisor, "return", commitment.id, "协议未盖章")
    assert state_of(engine, commitment.id) == "returned"
    with engine.connect() as conn:
        told = conn.execute(select(Message.title, Message.body, Message.link).where(Message.kind == "returned")).one()
    assert "协议未盖章" in told.body and told.link == "/interviews"
    follow(dept, "submit", commitment.id, "补充盖章件", [("盖章协议.pdf", PDF)])
    assert "已核验销号，并通知该部门" in text(follow(supervisor, "verify", commitment.id)[1])
    with engine.connect() as conn:  # closed off: the department is told, as it is of a return
        closed = conn.execute(select(Message.title, Message.body).where(Message.kind == "verified")).one()
    assert closed.title == f"整改承诺 #{commitment.id} 已核验销号" and "A1 调剂使用" in closed.body
    assert state_of(engine, commitment.id) == "done"
    with engine.connect() as conn:
        files = conn.execute(select(Evidence.id, Evidence.file_name).where(Evidence.subject == "commitment")).all()
    assert sorted(f.file_name for f in files) == ["盖章协议.pdf", "调剂协议.pdf"]
    download = dept.get(f"/evidence/{files[0].id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.mimetype == "application/pdf" and "sandbox" in download.headers["Content-Security-Policy"]
    assert as_user("county").get(f"/evidence/{files[0].id}").status_code == 404  # not its region's
    _, body = call(dept, [("interviews-body", "children"), ("interviews-interview", "options"),
                          ("interviews-commitment", "options"), ("interviews-moved", "options")], [("interviews-version", "data", 3)])
    assert "补充盖章件" in text(body) and "已销号" in text(body)
    with engine.connect() as conn:
        actions = [a for a in conn.scalars(select(AuditEntry.action).order_by(AuditEntry.id)) if "." in a and
                   a.split(".")[0] in ("interview", "commitment", "evidence")]
    assert actions == ["interview.schedule", "interview.schedule", "interview.record", "commitment.submit", "evidence.upload",
                       "commitment.return", "commitment.submit", "evidence.upload", "commitment.verify",
                       "evidence.download"]


def state_of(engine, commitment_id):
    with engine.connect() as conn:
        return conn.execute(select(Commitment.status).where(Commitment.id == commitment_id)).scalar_one()


def zipped(members: dict[str, str]) -> bytes:
    import io
    import zipfile
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return out.getvalue()


@pytest.mark.parametrize("name, data, said", [
    ("合同.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, "不是可接受的文件"),  # an .exe renamed .pdf
    ("页面.pdf", b"<html><script>alert(1)</script></html>", "不是可接受的文件"),
    # what offices send instead, said for what it is with the way to a kind the portal keeps
    ("IMG_0001.HEIC", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64,
     "「IMG_0001.HEIC」是苹果手机照片（HEIC），请转为 JPG 后上传"),
    ("整改报告.ofd", zipped({"OFD.xml": "<ofd:OFD/>", "Doc_0/Document.xml": "<ofd:Document/>"}),
     "「整改报告.ofd」是 OFD 版式文件（电子公文、电子发票），请在 OFD 阅读器中导出或打印为 PDF 后上传"),
    ("照片.zip", zipped({"1.jpg": "x"}), "「照片.zip」是压缩包，请解压后逐个上传其中的文件"),
    ("说明.wps", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "是旧版 Office 或 WPS 文件，请另存为 .docx、.xlsx 或 PDF"),
    ("../../etc/passwd.pdf", PDF, "不能包含路径"),
    ("大.pdf", PDF + b"0" * (21 * 1024 * 1024), "过大"),
])
def test_bad_evidence_is_refused_with_its_name_and_nothing_is_stored(app, as_user, engine, config, name, data, said):
    sync(engine, config)
    mine = cases(engine)[("idle_overdue", "A1")].id
    _, response = act(as_user("dept"), "submit", [mine], "已整改", files=[(name, data)])
    assert said in text(response)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Evidence)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(StoredFile)).scalar() == 0
    assert cases(engine)[("idle_overdue", "A1")].state == "open"


def test_a_warning_is_closed_off_only_after_its_evidence_is_checked(app, as_user, engine, config):
    sync(engine, config)
    mine = cases(engine)[("idle_overdue", "A1")].id
    dept, supervisor = as_user("dept"), as_user("supervisor")
    _, response = act(dept, "submit", [mine], "已调剂使用", files=[("照片.png", PNG)])
    assert "已报送待核验 1 条" in text(response) and cases(engine)[("idle_overdue", "A1")].state == "submitted"
    # the drop zone empties: the files sent are not offered again with the next answer
    assert response["warnings-files"] == {"contents": None, "filename": None}
    assert "无权" in text(act(dept, "verify", [mine], "自己销号")[1])
    act(supervisor, "return", [mine], "照片看不清")
    case = cases(engine)[("idle_overdue", "A1")]
    assert case.state == "returned" and case.return_reason == "照片看不清"
    act(dept, "submit", [mine], "补拍照片", files=[("照片2.png", PNG)])
    _, response = act(supervisor, "verify", [mine], "核验属实")
    assert "已核验销号 1 条" in text(response) and cases(engine)[("idle_overdue", "A1")].state == "resolved"
    with engine.connect() as conn:  # the department told it is closed off, with the check's note
        told = conn.execute(select(User.username, Message.title, Message.body).join(User, User.id == Message.user_id)
                            .where(Message.kind == "verified")).all()
    assert [(t.username, t.title) for t in told] == [("dept", "预警已核验销号（1 条）")] and "核验说明：核验属实" in told[0].body


PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cf"
                    "c0f01f0005000201f51c1c8e0000000049454e44ae426082")


def schedule(client, dept, on, place, attendees="李四"):
    return call(client, [("interviews-scheduled", "children"), ("interviews-version", "data")],
                [("interviews-schedule", "n_clicks", 1)],
                [("interviews-month", "value", "2026-10"), ("interviews-dept", "value", dept),
                 ("interviews-date", "date", on), ("interviews-attendees", "value", attendees),
                 ("interviews-place", "value", place), ("interviews-version", "data", 0)])[1]


def move(client, interview_id, on, place=None):
    return call(client, [("interviews-moved-said", "children"), ("interviews-version", "data")],
                [("interviews-move", "n_clicks", 1)],
                [("interviews-moved", "value", interview_id), ("interviews-moved-date", "date", on),
                 ("interviews-moved-place", "value", place), ("interviews-version", "data", 1)])[1]


def test_an_interview_is_moved_not_scheduled_twice_and_the_department_is_told(app, as_user, engine, config):
    """改期: a day set by mistake, or moved at the leaders' wish, is changed before the interview is
    held, the department told in 消息 where it stands now; a second scheduling would tell it two dates."""
    sync(engine, config)
    supervisor, first, later = as_user("supervisor"), config.today(), config.today() + dt.timedelta(days=7)
    schedule(supervisor, "D1", first.isoformat(), "市财政局三楼会议室")
    with engine.connect() as conn:
        interview = conn.execute(select(Interview)).one()
    said = text(schedule(supervisor, "D1", later.isoformat(), "别处"))
    assert f"该部门的约谈已安排（#{interview.id}，{first}），尚未记录结果；如需改期，请用“改期”" in said

    assert "请选择要改期的约谈" in text(move(supervisor, None, later.isoformat()))
    assert "约谈日期和地点都没有改变" in text(move(supervisor, interview.id, first.isoformat()))
    assert "约谈不存在" in text(move(as_user("county"), interview.id, later.isoformat()))  # D1 is outside its region
    assert "无权" in text(move(as_user("dept"), interview.id, later.isoformat()))
    with engine.connect() as conn:  # another department of the list, interviewed on a day of its own
        other = conn.execute(select(ListEntry.code).where(ListEntry.month == "2026-10", ListEntry.list == "interview",
                                                          ListEntry.level == "department", ListEntry.code != "D1")).scalar()
    theirs = config.today() + dt.timedelta(days=10)
    schedule(supervisor, other, theirs.isoformat(), "区会议室")
    ahead = "（2026年10月约谈名单），请按约谈通知书准备书面整改报告"
    said = to_answer(as_user("dept"))
    assert f'"约谈：{fig.date_text(first)}，市财政局三楼会议室{ahead}"' in said and fig.date_text(theirs) not in said
    said = text(move(supervisor, interview.id, later.isoformat()))
    assert f"约谈 #{interview.id} 已改期，已通知该部门（1 个账号）" in said
    # the department's 待办 leads with the day and place it is to keep, as they now stand
    said = to_answer(as_user("dept"))
    assert f'"约谈：{fig.date_text(later)}，市财政局三楼会议室{ahead}"' in said and fig.date_text(first) not in said
    # the interview's card tells the supervisor whether the department has read where it stands
    def card() -> str:
        _, body = call(supervisor, [("interviews-body", "children"), ("interviews-interview", "options"),
                                    ("interviews-commitment", "options"), ("interviews-moved", "options")],
                       [("interviews-version", "data", 5)])
        return text(body["interviews-body"]).split(f"#{interview.id} ", 1)[1].split("interview-card", 1)[0]
    assert "约谈安排：dept 未读" in card()
    with engine.begin() as conn:
        user, newest = conn.execute(select(User.id, func.max(Message.id)).join(Message, Message.user_id == User.id)
                                    .where(User.username == "dept", Message.kind == "scheduled").group_by(User.id)).one()
        inbox.read(conn, user, newest, "inbox")
        read_at = conn.execute(select(Message.read_at).where(Message.id == newest)).scalar()
    assert f"约谈安排：dept 已读（{fig.moment(read_at, config.zone, seconds=False)}）" in card()
    with engine.connect() as conn:
        moved = conn.execute(select(Interview).where(Interview.id == interview.id)).one()
        told = conn.execute(select(Message.title, Message.body).join(User, User.id == Message.user_id).where(
            Message.kind == "scheduled", User.username == "dept").order_by(Message.id)).all()
        logged = conn.execute(select(AuditEntry.before, AuditEntry.after).where(
            AuditEntry.action == "interview.reschedule")).one()
    assert (moved.scheduled_on, moved.place) == (later, "市财政局三楼会议室")  # no place given: it stays
    assert [t.title for t in told] == [f"约谈安排：{fig.date_text(first)}（2026年10月约谈名单）",
                                       f"约谈改期：{fig.date_text(later)}（2026年10月约谈名单）"]
    assert told[1].body.startswith(f"原定{fig.date_text(first)}在市财政局三楼会议室的约谈，改为{fig.date_text(later)}约谈贵部门，"
                                   "地点：市财政局三楼会议室；")
    assert (logged.before, logged.after) == ({"on": first.isoformat()}, {"on": later.isoformat()})  # the place stayed
    # once held, it is a record: no longer moved
    record(supervisor, interview.id, [("A1 调剂使用", "王五", "2026-12-31", "A1")])
    assert "该约谈已记录结果，不能改期" in text(move(supervisor, interview.id, first.isoformat()))
    assert "约谈：" not in to_answer(as_user("dept"))  # held: nothing ahead


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

    from dashboard import cache, queries
    from dashboard.scope import Scope
    from ledger.models import WarningRow
    sync(engine, config)  # cases synchronised with 2026-10; 2026-09 is read through the join
    cache.clear()
    for month in ("2026-10", "2026-09"):
        frame, counts = queries.warning_cases(engine, Scope("all"), month, dt.date(2026, 11, 22), 15)
        with engine.connect() as conn:
            rows = conn.execute(select(WarningRow.rule, WarningRow.ref, WarningRow.level).where(WarningRow.month == month)).all()
        assert set(zip(frame["rule"], frame["ref"])) == {(r.rule, r.ref) for r in rows}
        assert counts["total"] == len(rows) and counts["red"] == sum(r.level == "red" for r in rows)
        levels = list(frame["level"])
        assert levels == sorted(levels, key={"red": 0, "orange": 1, "yellow": 2}.get) or frame["overdue"].any()
    mine, _ = queries.warning_cases(engine, Scope("department", "D1"), "2026-10", dt.date(2026, 11, 22), 15)
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


def to_answer(client) -> str:
    """The 待办 card of a department's 我的得分 page for October, as text."""
    _, response = call(client, [("my-score-body", "children")], [("my-score-month", "value", "2026-10")])
    return text(response).split('"待办"', 1)[1]


def test_a_department_sees_what_waits_on_it_and_it_changes_as_it_answers(app, as_user, engine, config):
    sync(engine, config)
    with engine.connect() as conn:
        states = dict(conn.execute(select(WarningCase.state, func.count()).where(
            WarningCase.dept_code == "D1", WarningCase.last_month == "2026-10").group_by(WarningCase.state)).all())
        others = conn.execute(select(func.count()).where(WarningCase.dept_code != "D1")).scalar()
    assert states.get("open", 0) >= 2 and others  # its own warnings to answer, and other departments' it must not count
    client = as_user("dept")
    said = to_answer(client)
    # the whole count, its own: another department's warnings would make it larger
    assert f'"{states["open"]} 条预警待确认"' in said and "/warnings?month=2026-10&state=open" in said
    assert "已确认" not in said and "被退回" not in said  # nothing acknowledged or sent back yet
    mine = cases(engine)[("idle_overdue", "A1")].id
    act(client, "ack", [mine])
    said = to_answer(client)
    assert f'"{states["open"] - 1} 条预警待确认"' in said and '"1 条预警已确认，整改后报送佐证材料"' in said
    act(client, "submit", [mine], note="已调剂", files=[("证明.pdf", PDF)])
    act(as_user("supervisor"), "return", [mine], note="照片不清晰")
    said = to_answer(client)
    assert "1 条预警被退回，需重新报送" in said and "已确认" not in said
    # an interview's commitments wait on it too, one of them past its deadline
    supervisor = workflow.Actor("supervisor", "supervisor")
    with engine.begin() as conn:
        held = workflow.schedule_interview(conn, supervisor, "2026-10", "D1", dt.date(2026, 11, 20), "局长", true())
        workflow.record_outcome(conn, supervisor, held, true(), "限期整改", [
            {"text": "调剂闲置设备", "owner": "王五", "deadline": "2026-01-31"},
            {"text": "补全资产照片", "owner": "王五", "deadline": "2099-12-31"}])
    assert '"2 项整改承诺未完成，其中逾期 1 项"' in to_answer(client) and '"/interviews"' in to_answer(client)


def to_do(client) -> str:
    """The 待办 line at the top of the overview of October, as text ("" where there is none)."""
    _, response = call(client, [("overview-body", "children")], [("overview-month", "value", "2026-10")])
    found = by_id(response, "overview-to-do")
    return text(found[0]) if found else ""



def test_the_bureau_sees_what_waits_on_its_check_and_its_review(app, as_user, engine, config):
    sync(engine, config)
    mine = cases(engine)[("idle_overdue", "A1")].id
    with engine.connect() as conn:
        listed = conn.execute(select(ListEntry.code).where(ListEntry.month == "2026-10", ListEntry.list == "interview",
                                                           ListEntry.level == "department")).scalars().all()
    assert "D1" in listed and len(listed) > 1, listed
    # the test city's two purchase requests (D1's R1, the county's D4's R4) have no decision yet
    said = to_do(as_user("supervisor"))
    assert '"2027 年度配置需求 2 项待审核"' in said and "/allocation?year=2027&show=open" in said
    assert f'"本月约谈名单 {len(listed)} 个部门尚未安排约谈"' in said and "/interviews?month=2026-10" in said
    assert "待核验" not in said
    supervisor = workflow.Actor("supervisor", "supervisor")
    with engine.begin() as conn:
        workflow.schedule_interview(conn, supervisor, "2026-10", "D1", dt.date(2026, 11, 20), "局长", true())
    assert f'"本月约谈名单 {len(listed) - 1} 个部门尚未安排约谈"' in to_do(as_user("supervisor"))
    assert '"2027 年度配置需求 1 项待审核"' in to_do(as_user("county"))  # its region's request only
    act(as_user("dept"), "submit", [mine], note="已调剂", files=[("证明.pdf", PDF)])
    said = to_do(as_user("supervisor"))
    assert '"1 条预警已报送整改，待核验销号"' in said and "/warnings?month=2026-10&state=submitted" in said
    assert "整改承诺" not in said  # none of those reported
    assert "待核验" not in to_do(as_user("county"))  # D1 is not in its region
    assert to_do(as_user("leader")) == "" and to_do(as_user("dept")) == ""  # they close nothing off
    act(as_user("supervisor"), "verify", [mine], note="核验属实")
    # commitments wait on the check when reported kept, and as an earlier version stored an answer
    # (answered): both are what the 约谈整改 page offers a supervisor to close off or send back
    with engine.begin() as conn:
        held = conn.execute(select(Interview.id).where(Interview.dept_code == "D1")).scalar_one()
        kept, answered, still_open = workflow.record_outcome(conn, supervisor, held, true(), "限期整改", [
            {"text": text, "owner": "王五", "deadline": "2099-12-31"} for text in ("调剂设备", "补全照片", "处置车辆")])
        for commitment, status in ((kept, "submitted"), (answered, "answered")):
            conn.execute(update(Commitment).where(Commitment.id == commitment).values(status=status))
    assert '"2 项整改承诺待核验"' in to_do(as_user("supervisor"))
    with engine.begin() as conn:
        for commitment in (kept, answered):
            workflow.verify_commitment(conn, supervisor, commitment, true(), dt.date(2026, 11, 25))
    with engine.begin() as conn:
        for request in ("R1", "R4"):
            allocation.decide(conn, supervisor, request, true(), "reject", [], None, "本年度不予配置",
                              allocation.Candidates(dt.date(2026, 11, 30), {}, {"covered": False}), 60)
        for dept in (d for d in listed if d != "D1"):
            workflow.schedule_interview(conn, supervisor, "2026-10", dept, dt.date(2026, 11, 20), "局长", true())
    assert "没有待安排、待核验、待审核的事项" in to_do(as_user("supervisor"))


def test_the_toolbar_offers_each_role_its_own_steps_only(app, engine, config):
    """The drop zone goes with 报送整改 (the department's), on the warning list and on a commitment;
    the note asks for a check's words or a return's reason only of whoever checks."""
    from tests.dashboard.callbacks import components, layout_as, page

    sync(engine, config)
    for username, sends in (("dept", True), ("supervisor", False)):
        for name, box, note_id in (("warnings", "warnings-files", "warnings-note"),
                                   ("interviews", "interviews-files", "interviews-evidence")):
            tree = json.loads(layout_as(app, username, page(name).layout))
            drop = components(tree, lambda n: n.get("type") == "Col" and f'"{box}"' in json.dumps(n))[-1]
            assert (drop["props"].get("style") is None) is sends, (username, name)  # the innermost column holding it
            note = by_id(tree, note_id)[0]["props"]["placeholder"]
            assert ("退回" in note) is not sends, (username, name, note)
