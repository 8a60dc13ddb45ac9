"""配置审核 through the portal: who decides, what a department sees, downloads and the API, scoped."""
from __future__ import annotations

import base64
import datetime as dt
import io
import json
import shutil

import openpyxl
import pytest
from sqlalchemy import select, true, update

from dashboard import cache
from ledger import allocation
from ledger.models import AuditEntry, Decision, HeldAsset, Message, User
from ledger.workflow import Actor
from outputs import figures as fig
from tests.dashboard.callbacks import by_id, call
from tests.helpers import libreoffice_text

DETAIL = [("allocation-request", "data"), ("allocation-detail", "children"), ("allocation-candidates", "rowData"),
          ("allocation-candidates", "selectedRows")]


def detail(client, request_id):
    return call(client, DETAIL, [("allocation-requests", "selectedRows", [{"request_id": request_id}]),
                                 ("allocation-version", "data", 0)], [("allocation-request", "data", None)],
                changed="allocation-requests.selectedRows")


def decide(client, request_id, kind, assets=(), note="经审核，可调剂", approved=None, button="decide"):
    return call(client, [("allocation-decided", "children"), ("allocation-version", "data"), ("allocation-note", "value")],
                [("allocation-decide", "n_clicks", 1), ("allocation-withdraw", "n_clicks", 1)],
                [("allocation-request", "data", request_id), ("allocation-kind", "value", kind),
                 ("allocation-approved", "value", approved), ("allocation-note", "value", note),
                 ("allocation-candidates", "selectedRows", [{"asset_code": a} for a in assets]),
                 ("allocation-version", "data", 0)], changed=f"allocation-{button}.n_clicks")


def text(response) -> str:
    return json.dumps(response, ensure_ascii=False)


def test_a_supervisor_reviews_a_request_and_decides_a_transfer(app, as_user, engine):
    client = as_user("supervisor")
    status, response = detail(client, "R1")
    assert status == 200
    rows = response["allocation-candidates"]["rowData"]
    # tier, then (all idle equally long) the higher value first
    assert [r["asset_code"] for r in rows] == ["A1", "A2", "A4", "A3", "A6", "A5"]
    assert [r["tier_zh"] for r in rows] == ["本单位", "本部门", "本区划", "本区划", "全市", "全市"]
    assert "存量候选资产共 6 项" in text(response) and "本单位有同类闲置" in text(response)
    _, said = decide(client, "R1", "transfer", ["A1", "A3"])
    assert "已记录：调剂，调剂资产 2 件" in text(said)
    with engine.connect() as conn:
        assert set(conn.execute(select(HeldAsset.asset_code)).scalars()) == {"A1", "A3"}
        entry = conn.execute(select(AuditEntry).where(AuditEntry.action == "request.decide")).one()
    assert entry.actor == "supervisor" and entry.after["assets"] == ["A1", "A3"] and entry.role == "supervisor"
    # R4 now sees A1 and A3 held for R1: not its candidates
    _, response = detail(client, "R4")
    assert [r["asset_code"] for r in response["allocation-candidates"]["rowData"]] == ["A5", "A6", "A4", "A2"]


def told(engine, username="dept") -> list:
    """The 配置审核 messages in an account's 消息, oldest first."""
    with engine.connect() as conn:
        return conn.execute(select(Message.title, Message.body, Message.link).join(User, User.id == Message.user_id)
                            .where(Message.kind == "allocation", User.username == username).order_by(Message.id)).all()


def test_a_decision_reaches_the_departments_concerned_by_itself(app, as_user, engine):
    """The requesting department is told its request's outcome in 消息, with the assets it is to
    receive and whose they are; a department whose idle asset goes is told what to hand over and
    by when, never to whom (roles.md); a withdrawal is told to both."""
    client = as_user("supervisor")
    _, response = detail(client, "R4")  # D4's request (no account): A1 of D1's unit U1 among its candidates
    assert "A1" in [r["asset_code"] for r in response["allocation-candidates"]["rowData"]]
    _, said = decide(client, "R4", "transfer", ["A1"])
    assert "已记录：调剂，调剂资产 1 件，已通知相关部门（1 条消息）" in text(said)
    [(title, body, link)] = told(engine)
    assert link is None  # the page shows a department its own requests only: the message says it all
    assert title == "资产调剂：1 件闲置资产调剂使用（配置需求 R4）"
    assert body.startswith("经配置审核，贵部门以下闲置资产决定调剂使用：\n· A1 ") and "请于" in body
    assert "部门D4" not in body and "D4" not in body  # who receives it is the bureau's to arrange
    _, said = decide(client, "R4", "reject", note="需求取消", button="withdraw")
    assert "已撤回决定，占用的资产已释放，已通知相关部门（1 条消息）" in text(said)
    assert told(engine)[-1].title == "资产调剂撤回：配置需求 R4" and "· A1 " in told(engine)[-1].body
    # its own request: the outcome and the note, and the assets it receives with their holders
    _, said = decide(client, "R1", "partial", ["A3"], note="A3 可调剂，余下一件采购", approved=1)
    title, body, link = told(engine)[-1]
    assert link == "/allocation?year=2027"  # its own request's year
    assert title == "配置审核结果：R1 测试资产（部分调剂）"
    assert "申报的测试资产 2 件（需求编号 R1，2027 年度），审核决定：调剂 1 件，另同意采购 1 件。" in body
    assert "· A3 " in body and "部门" in body.split("· A3 ", 1)[1].split("\n", 1)[0]  # the holder named
    assert body.endswith("审核意见：A3 可调剂，余下一件采购")


def test_a_department_reads_its_own_request_without_other_departments_values_and_cannot_decide(app, as_user, engine):
    client = as_user("dept")
    _, response = detail(client, "R1")
    values = {r["asset_code"]: r["value_text"] for r in response["allocation-candidates"]["rowData"]}
    assert values["A1"] == "1,000.00元" and values["A2"] == "2,000.00元"  # its own units' assets
    assert values["A3"] == values["A5"] == "—"  # others': no values
    _, response = detail(client, "R4")  # D4's request
    assert response["allocation-detail"]["children"]["props"]["children"][0]["props"]["children"] == "未找到"
    assert response["allocation-candidates"]["rowData"] == []
    _, said = decide(client, "R1", "reject", note="部门自己驳回")
    assert "无权" in text(said)
    with engine.connect() as conn:
        assert conn.execute(select(Decision)).first() is None


def test_a_county_decides_inside_its_region_only(app, as_user, engine):
    county = as_user("county")
    _, said = decide(county, "R1", "reject", note="县区驳回市直需求")
    assert "配置需求不存在" in text(said)
    _, said = decide(county, "R4", "approve", note="候选资产型号不符")
    assert "已记录：同意采购" in text(said)
    _, said = decide(county, "R4", "reject", note="再改", button="withdraw")
    assert "已撤回决定" in text(said)
    with engine.connect() as conn:
        actions = list(conn.execute(select(AuditEntry.action, AuditEntry.before).where(
            AuditEntry.action.like("request.%")).order_by(AuditEntry.id)))
    assert [a for a, _ in actions] == ["request.decide", "request.withdraw"]
    assert actions[1].before["decision"] == "approve"


def opinion_forms(client) -> tuple[list[dict], object]:
    """The 审核意见表 as a reader fills it in: one form per request, each label with the value beside it."""
    _, response = call(client, [("allocation-download", "data")], [("allocation-sheet", "n_clicks", 1)],
                       [("allocation-year", "value", 2027)])
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(response["allocation-download"]["data"]["content"])))
    forms: list[dict] = []
    for row in book.active.iter_rows(values_only=True):
        if row[0] == "需求编号":
            forms.append({})
        cells = [(i, v) for i, v in enumerate(row) if v is not None]
        for (_, label), (_, value) in zip(cells, cells[1:]):
            if forms and isinstance(label, str) and label in FORM_LABELS:
                forms[-1].setdefault(label, value)
    return forms, book.active


FORM_LABELS = {"需求编号", "申报单位", "主管部门", "资产名称", "数量", "单价（元）", "金额（元）", "审核提示", "审核决定",
               "调剂资产", "审核意见及理由"}


def test_the_opinion_sheet_is_a_form_for_each_request(app, as_user):
    client = as_user("supervisor")
    decide(client, "R1", "partial", ["A2"], approved=1, note="一张调剂，一张采购")
    forms, sheet = opinion_forms(client)
    assert [f["需求编号"] for f in forms] == ["R1", "R4"]
    first, second = forms
    assert first["审核决定"] == "部分调剂（同意采购 1 件）" and first["调剂资产"] == "A2 测试资产"
    assert first["金额（元）"] == 6000 and first["审核意见及理由"] == "一张调剂，一张采购"
    assert second["审核决定"] == "待审核"
    text = [v for row in sheet.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    assert any("2027年度" in t and "新增资产配置审核意见表" in t for t in text)
    assert "经办人（签字）：" in text and "审核人（签字）：" in text  # signature lines
    assert len(sheet.row_breaks.brk) == 1  # each request on a page of its own
    assert sheet.page_setup.orientation == "portrait" and sheet.page_setup.fitToWidth == 1
    dept_forms, _ = opinion_forms(as_user("dept"))
    assert [f["需求编号"] for f in dept_forms] == ["R1"]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice and poppler-utils are installed by .ci/run")
def test_the_opinion_sheet_opens_in_libreoffice(app, as_user, tmp_path):
    client = as_user("supervisor")
    decide(client, "R1", "transfer", ["A1", "A2"], note="本单位、本部门存量调剂")
    _, response = call(client, [("allocation-download", "data")], [("allocation-sheet", "n_clicks", 1)],
                       [("allocation-year", "value", 2027)])
    source = tmp_path / "opinion.xlsx"
    source.write_bytes(base64.b64decode(response["allocation-download"]["data"]["content"]))
    text = libreoffice_text(source, tmp_path, picture="opinion-sheet")
    assert "新增资产配置审核意见表" in text and "A1 测试资产；A2 测试资产" in text and "本单位、本部门存量调剂" in text


def test_the_api_lists_requests_and_candidates_in_scope(app, as_user):
    dept = as_user("dept")
    rows = dept.get("/api/v1/requests?date=2026-11-20").get_json()
    assert [r["request_id"] for r in rows] == ["R1"]
    assert rows[0] == {"request_id": "R1", "dept_code": "D1", "candidate_count": 6, "own_stock": 1, "covered": 1,
                       "budget_restricted": 1, "buy_while_idle": 0, "decision": ""}
    candidates = dept.get("/api/v1/requests/R1/candidates?date=2026-11-20").get_json()
    assert [(c["asset_code"], c["tier"], c["value"]) for c in candidates][:3] == [
        ("A1", 1, "1000.00"), ("A2", 2, "2000.00"), ("A4", 3, None)]
    assert dept.get("/api/v1/requests/R4/candidates").status_code == 404
    assert dept.get("/api/v1/requests?date=2026-02-30").status_code == 400
    supervisor = as_user("supervisor")
    assert [r["request_id"] for r in supervisor.get("/api/v1/requests?date=2026-11-20").get_json()] == ["R1", "R4"]
    paths = supervisor.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/api/v1/requests" in paths and "/api/v1/requests/{request_id}/candidates" in paths


def test_an_overdue_transfer_is_a_reason_on_the_lists(app, as_user, engine, config):
    long_ago = config.today() - dt.timedelta(days=config["allocation.transfer_days"] + 1)
    with engine.begin() as conn:
        allocation.decide(conn, Actor("sup", "supervisor"), "R1", true(), "transfer", ["A3"], None, "调剂",
                          allocation.Candidates(long_ago, {"A3": "U3"}, {}), config["allocation.transfer_days"])
    _, response = call(as_user("supervisor"), [("lists-table", "children")],
                       [("lists-tabs", "active_tab", "budget_restriction")], [("lists-month", "value", "2026-10")])
    assert "部门D1" in text(response) and "配置审核决定调剂的资产逾期未完成 1 项" in text(response)


def test_a_county_reads_the_values_of_its_own_regions_candidates_only(app, as_user):
    """R4 (部门D4, 区划990102) has candidates across the city: the county reads the values of U5 and
    U6's assets (its region) and names, never values, of the others."""
    client = as_user("county")
    _, response = detail(client, "R4")
    values = {r["asset_code"]: r["value_text"] for r in response["allocation-candidates"]["rowData"]}
    assert values["A5"] == "5,000.00元" and values["A6"] == "6,000.00元"
    assert {values[code] for code in ("A1", "A2", "A3", "A4") if code in values} == {"—"} and "A2" in values


RENDER = [("allocation-figures", "children"), ("allocation-requests", "rowData"), ("allocation-transfers", "children"),
          ("allocation-requests", "dashGridOptions"),
          ("allocation-requests", "style")]


def listed(client, show="all") -> dict[str, dict]:
    """The request list as the page shows it for 2027: request id -> its row."""
    status, response = call(client, RENDER, [("allocation-year", "value", 2027), ("allocation-show", "value", show),
                                             ("allocation-version", "data", 0)])
    assert status == 200
    return {r["request_id"]: r for r in response["allocation-requests"]["rowData"]}


def test_the_bureaus_figures_by_department_are_rows_of_a_grid_in_the_cards_words(app, as_user):
    """分部门统计: one row per department with requests, its amount written as the card writes the
    city's; rows of data, which the browser takes in at once, not a table of HTML elements (150
    departments' took it two seconds on every render)."""
    _, response = call(as_user("supervisor"), RENDER, [("allocation-year", "value", 2027), ("allocation-show", "value", "all"),
                                                       ("allocation-version", "data", 0)])
    figures = response["allocation-figures"]
    (grid,) = by_id(figures, "allocation-by-dept")
    rows = grid["props"]["rowData"]
    assert sum(r["request_count"] for r in rows) == len(listed(as_user("supervisor")))
    assert [r["request_amount"] for r in rows] == sorted((r["request_amount"] for r in rows), reverse=True)
    total = sum(r["request_amount"] for r in rows)
    assert f"金额 {fig.text('request_amount', total)}" in text(figures)  # the card: the departments' sum
    assert all(r["request_amount_text"] == fig.text("request_amount", r["request_amount"]) for r in rows)
    assert '"Td"' not in text(figures) and '"Tr"' not in text(figures)
    _, own = call(as_user("dept"), RENDER, [("allocation-year", "value", 2027), ("allocation-show", "value", "all"),
                                            ("allocation-version", "data", 0)])
    assert not by_id(own["allocation-figures"], "allocation-by-dept")  # a department has its cards only


def test_a_short_request_list_is_a_short_box(app, as_user):
    """The list is as tall as its rows (three at the least, for 暂无数据), up to ten rows and its pager:
    a department's one request leaves no empty box under it."""
    for show in ("open", "all"):
        status, response = call(as_user("supervisor"), RENDER, [("allocation-year", "value", 2027),
                                                                ("allocation-show", "value", show),
                                                                ("allocation-version", "data", 0)])
        rows = len(response["allocation-requests"]["rowData"])
        assert 0 < rows < 7
        assert response["allocation-requests"]["style"]["height"] == f"{100 + 34 * max(rows, 3)}px"


def test_the_list_shows_each_open_requests_flags_and_follows_decisions_and_new_requests(app, as_user, engine):
    from ledger.models import RequestReview
    supervisor = as_user("supervisor")
    rows = listed(supervisor, "open")
    assert set(rows) == {"R1", "R4"}
    assert rows["R1"]["candidate_count"] == 6 and "本单位有同类闲置" in rows["R1"]["flags"]
    assert rows["R1"]["decision_zh"] == "待审核"
    with engine.connect() as conn:  # stored for the next reader
        assert set(conn.execute(select(RequestReview.request_id)).scalars()) == {"R1", "R4"}
    decide(supervisor, "R1", "transfer", ["A1", "A3"])
    rows = listed(supervisor)
    assert rows["R1"]["decision_zh"] == "调剂" and rows["R1"]["progress"] == "0/2 件已完成"
    assert rows["R4"]["candidate_count"] == 4  # A1 and A3 are held for R1
    assert set(listed(supervisor, "open")) == {"R4"}
    fields = {"request_id": "R9", "unit_code": "U2", "budget_year": "2027", "asset_name": "测试资产",
              "category": "通用设备", "category_code": None, "quantity": "1", "unit_price": "800.00",
              "requested_on": "2026-11-20", "reason": None}
    _, said = call(supervisor, [("allocation-added", "children"), ("allocation-version", "data")],
                   [("allocation-add", "n_clicks", 1)],
                   [(f"allocation-f-{k}", "value", v) for k, v in fields.items()] + [("allocation-version", "data", 0)])
    assert "已保存配置需求 R9" in text(said)
    rows = listed(supervisor, "open")
    assert set(rows) == {"R4", "R9"} and rows["R9"]["candidate_count"] == 4  # A2, A4, A5, A6


def test_a_decided_requests_detail_shows_the_flags_its_decision_was_taken_on_as_the_list_does(app, as_user, engine):
    supervisor = as_user("supervisor")
    decide(supervisor, "R1", "transfer", ["A1", "A3"])
    _, response = detail(supervisor, "R1")
    facts = text(response["allocation-detail"])
    assert "审核时提示：" in facts and "本单位有同类闲置" in facts and "按今日台账" not in facts
    # 调剂进度 in the same words on the list and on the requesting department's page
    _, department = call(supervisor, [("department-body", "children"), ("department-title", "children")],
                         [("department-month", "value", "2026-10")], [("department-code", "data", "D1")])
    assert listed(supervisor)["R1"]["progress"] == "0/2 件已完成" and "0/2 件已完成" in text(department)
    # the ledger moved on since the decision: as if none of today's flags had been there then
    with engine.begin() as conn:
        conn.execute(update(Decision).where(Decision.request_id == "R1").values(flags={}))
    cache.clear()  # written behind the workflow's back: the versions the cache is keyed by did not move
    _, response = detail(supervisor, "R1")
    facts = text(response["allocation-detail"])
    assert "审核时提示：" in facts and "无提示" in facts and "按今日台账：本单位有同类闲置" in facts
    assert listed(supervisor)["R1"]["flags"] == "—"  # the list says the decision's flags too
    # an open request: today's flags, no word of a decision
    _, response = detail(supervisor, "R4")
    assert "审核时提示" not in text(response["allocation-detail"])
