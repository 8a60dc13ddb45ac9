"""A supervisor's warning list: names beside codes, filters and a search, every row paged from the server."""
from __future__ import annotations

import base64
import io
import json
import shutil

import openpyxl
import pytest
from sqlalchemy import select, update

from tests.dashboard.callbacks import call
from tests.helpers import libreoffice_text

FILTERS = ["month", "level", "rule", "state", "region", "dept", "search"]


def rows(client, start=0, end=100, **chosen):
    values = {"month": "2026-10", **chosen}
    status, response = call(client, [("warnings-grid", "getRowsResponse")],
                            [("warnings-grid", "getRowsRequest", {"startRow": start, "endRow": end})],
                            [(f"warnings-{name}", "value", values.get(name)) for name in FILTERS])
    assert status == 200
    answer = response["warnings-grid"]["getRowsResponse"]
    return answer["rowData"], answer["rowCount"]


@pytest.fixture
def supervisor(app, as_user, engine, config):
    from jobs.runner import compute_month
    compute_month(engine, config, "2026-10", "test")  # the cases
    return as_user("supervisor")


def test_each_row_names_its_object_unit_and_department_and_links_them(supervisor):
    found, total = rows(supervisor)
    assert total == len(found) > 6
    a1 = next(r for r in found if r["rule_zh"] == "超期闲置" and r["asset_code"] == "A1")
    assert (a1["object"], a1["unit_name"], a1["dept_name"]) == ("测试资产", "单位U1", "部门D1")
    assert (a1["unit_href"], a1["dept_href"], a1["asset_href"]) == ("/unit?code=U1", "/department?code=D1", "/asset?code=A1")
    plan = next(r for r in found if r["rule_zh"] == "台账逾期")
    assert plan["object"] == f"{plan['asset_code'].replace('A', 'T')}（测试资产）"
    assert {r["state_zh"] for r in found} <= {"待处理", "已确认", "已办结", "已自动关闭", "逾期未确认"}
    text = json.dumps(found, ensure_ascii=False)
    assert "None" not in text and "NaN" not in text and '"open"' not in text


def test_filters_and_the_search_narrow_the_list(supervisor):
    everything, total = rows(supervisor)
    d2, n = rows(supervisor, dept="D2")
    assert n == len(d2) > 0 and {r["dept_name"] for r in d2} == {"部门D2"}
    county, _ = rows(supervisor, region="990102")
    assert {r["dept_name"] for r in county} == {"部门D4"}
    for text, expected in (("U3", {"单位U3"}), ("单位U5", {"单位U5"}), ("部门D4", {"单位U5", "单位U6"}), ("A6", {"单位U6"})):
        found, _ = rows(supervisor, search=text)
        assert {r["unit_name"] for r in found} == expected, text
    found, n = rows(supervisor, search="100%_")  # LIKE's wildcards are text here
    assert (found, n) == ([], 0)
    red, _ = rows(supervisor, level="red")
    assert red and {r["level_zh"] for r in red} == {"红色"}
    overdue, _ = rows(supervisor, state="overdue")
    assert {r["state_zh"] for r in overdue} <= {"逾期未确认"}


def test_the_list_is_paged_on_the_server_in_its_one_order(supervisor):
    everything, total = rows(supervisor)
    middle, count = rows(supervisor, start=2, end=5)
    assert count == total and [r["case_id"] for r in middle] == [r["case_id"] for r in everything[2:5]]
    assert rows(supervisor, start=0, end=5000) == ([], 0)  # more than a block at once: refused


def press_export(client, **chosen) -> dict:
    """Press 导出 Excel with the filters `chosen`: the download and the note the page shows."""
    values = {"month": "2026-10", **chosen}
    status, response = call(client, [("warnings-download", "data"), ("warnings-export-note", "children")],
                            [("warnings-export", "n_clicks", 1)],
                            [(f"warnings-{name}", "value", values.get(name)) for name in FILTERS])
    assert status == 200
    return response


def workbook(client, **chosen) -> bytes:
    """The warnings export as the browser receives it."""
    return base64.b64decode(press_export(client, **chosen)["warnings-download"]["data"]["content"])


def cells(data: bytes) -> list[list]:
    """A workbook's cells, row by row (the title first, then the header)."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [[cell.value for cell in row] for row in book.active.iter_rows()]


def export(client, **chosen) -> list[list]:
    return cells(workbook(client, **chosen))


def test_the_export_holds_the_filtered_list_in_the_page_order_and_says_how_many(supervisor):
    shown, total = rows(supervisor, dept="D2")
    title, head, *body = export(supervisor, dept="D2")
    assert f"预警清单 · 共 {total:,} 条 ·" in title[0] and "筛选：部门D2 ·" in title[0] and "导出前" not in title[0]
    assert [dict(zip(head, r))["资产编号"] for r in body] == [r["asset_code"] for r in shown]
    assert {dict(zip(head, r))["主管部门"] for r in body} == {"部门D2"}


def test_an_export_cut_at_its_row_limit_says_so_in_its_title(supervisor, monkeypatch):
    from outputs import warning_list
    _, total = rows(supervisor)
    monkeypatch.setattr(warning_list, "EXPORT_ROWS", 3)
    title, _, *body = export(supervisor)
    assert len(body) == 3 and f"共 {total:,} 条（导出前 3 条，请按区县或部门筛选后分别导出）" in title[0]


def act(client, chosen, note, fix_by):
    """Press 确认并计划整改 with rows chosen."""
    return call(client, [("warnings-done", "children"), ("warnings-updated", "data"), ("warnings-note", "value"),
                         ("warnings-files", "contents"), ("warnings-files", "filename")],
                [(f"warnings-{b}", "n_clicks", 1 if b == "ack" else None)
                 for b in ("ack", "submit", "verify", "return", "resolve")],
                [("warnings-grid", "selectedRows", chosen), ("warnings-note", "value", note),
                 ("warnings-fix-by", "date", fix_by), ("warnings-files", "contents", None),
                 ("warnings-files", "filename", None)], changed="warnings-ack.n_clicks")


def test_acknowledging_says_what_was_done_keeps_the_rows_and_clears_the_note(supervisor):
    found, _ = rows(supervisor, dept="D1")
    ids, keys = [r["case_id"] for r in found[:2]], [r["key"] for r in found[:2]]
    status, response = act(supervisor, found[:2], "已安排调剂", "2026-12-31")
    assert status == 200 and "已确认 2 条" in json.dumps(response, ensure_ascii=False)
    assert ids and response["warnings-updated"]["data"] == {"keys": keys, "changed": {"state_zh": "已确认", "note": "已安排调剂",
                                                                              "fix_by": "2026-12-31"}}
    assert response["warnings-note"]["value"] == ""
    status, response = act(supervisor, [], "x", None)
    assert "请先在清单中勾选要处理的预警" in json.dumps(response, ensure_ascii=False)
    assert "warnings-updated" not in response  # nothing changed


def test_a_department_filtering_for_another_department_gets_nothing(app, as_user, engine, config):
    from jobs.runner import compute_month
    compute_month(engine, config, "2026-10", "test")
    dept = as_user("dept")
    assert rows(dept, dept="D2") == ([], 0)
    assert rows(dept, search="部门D2") == ([], 0)
    mine, _ = rows(dept)
    assert mine and {r["dept_name"] for r in mine} == {"部门D1"}


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice and poppler-utils are installed by .ci/run")
def test_the_export_opens_in_libreoffice(supervisor, tmp_path):
    source = tmp_path / "warnings.xlsx"
    source.write_bytes(workbook(supervisor, level="red"))
    text = libreoffice_text(source, tmp_path, picture="warnings")
    assert "预警清单 · 共" in text and "筛选：红色" in text and "台账逾期" in text and "部门D4" in text


def long_lists_go_to_a_job(client, monkeypatch):
    """Make every list 'long' for the page `client` uses (the limit where the registered callback reads it)."""
    import inspect
    registered = client.application.extensions["panhuo.dash"].callback_map
    key = next(k for k in registered if "warnings-download.data" in k)
    monkeypatch.setitem(inspect.unwrap(registered[key]["callback"]).__globals__, "EXPORT_NOW", 2)


def inbox_files(client, engine, username) -> list[tuple[str, bytes]]:
    """The export messages in an account's 消息: (title, the file as downloaded from there)."""
    from ledger.models import Message, User
    with engine.connect() as conn:
        found = conn.execute(select(Message.id, Message.title).join(User, User.id == Message.user_id)
                             .where(User.username == username, Message.kind == "export", Message.paper_id.is_not(None))
                             .order_by(Message.id)).all()
    out = []
    for message_id, title in found:
        response = client.get(f"/papers/{message_id}")
        assert response.status_code == 200
        out.append((title, response.data))
    return out


def test_a_long_list_is_made_by_the_scheduler_and_arrives_in_the_inbox(supervisor, engine, config, monkeypatch):
    from jobs.schedule import run_queued
    from ledger.models import JobRun
    shown, total = rows(supervisor, dept="D2")
    long_lists_go_to_a_job(supervisor, monkeypatch)
    response = press_export(supervisor, dept="D2")
    assert "warnings-download" not in response  # nothing handed over while the browser waits
    note = json.dumps(response["warnings-export-note"], ensure_ascii=False)
    assert f"预警清单共 {total:,} 条，正在后台生成" in note and "/inbox" in note
    assert inbox_files(supervisor, engine, "supervisor") == []
    press_export(supervisor, dept="D2")  # pressed again while it is being made
    assert run_queued(engine, config) == 1
    with engine.connect() as conn:
        run = conn.execute(select(JobRun).where(JobRun.job == "export-warnings")).one()
    assert (run.status, run.rows, run.requested_by, run.month) == ("succeeded", total, "supervisor", "2026-10")
    [(title, data)] = inbox_files(supervisor, engine, "supervisor")
    assert title.startswith("预警清单 2026年10月") and title.endswith(f" · 共 {total:,} 条")
    heading, head, *body = cells(data)
    # the same workbook the page hands over for a short list: title, columns, rows in the page's order
    assert f"预警清单 · 共 {total:,} 条 ·" in heading[0] and "筛选：部门D2 ·" in heading[0]
    assert [dict(zip(head, r))["资产编号"] for r in body] == [r["asset_code"] for r in shown]
    assert run_queued(engine, config) == 0  # made once
    monkeypatch.undo()
    _, at_once_head, *at_once = export(supervisor, dept="D2")
    assert (head, body) == (at_once_head, at_once)


def test_a_queued_list_holds_only_what_the_asking_account_may_see(app, as_user, engine, config, monkeypatch):
    from jobs.runner import compute_month
    from jobs.schedule import run_queued
    from ledger import runs
    compute_month(engine, config, "2026-10", "test")
    dept, county = as_user("dept"), as_user("county")
    long_lists_go_to_a_job(dept, monkeypatch)
    press_export(dept)
    press_export(county)
    # a crafted run: the department account asking for another department's list
    runs.queue(engine, "export-warnings", "2026-10", "dept", params={"filters": {"dept": "D2"}})
    assert run_queued(engine, config) == 3
    (_, mine), (_, crafted) = inbox_files(dept, engine, "dept")
    assert {dict(zip(cells(mine)[1], r))["主管部门"] for r in cells(mine)[2:]} == {"部门D1"}
    assert cells(crafted)[2:] == [] and "共 0 条" in cells(crafted)[0][0]
    [(_, theirs)] = inbox_files(county, engine, "county")
    assert {dict(zip(cells(theirs)[1], r))["主管部门"] for r in cells(theirs)[2:]} == {"部门D4"}
    # the file is the asking account's alone, and no paper of 送达情况
    with engine.connect() as conn:
        from ledger.models import Message, User
        county_file = conn.execute(select(Message.id).join(User, User.id == Message.user_id)
                                   .where(Message.kind == "export", User.username == "county")).scalar_one()
    assert dept.get(f"/papers/{county_file}").status_code == 404
    assert as_user("supervisor").get(f"/papers/{county_file}").status_code == 404
    _, sent = call(as_user("supervisor"), [("inbox-sent", "children")], [("inbox-counts", "id", "inbox-counts")])
    assert "预警清单" not in json.dumps(sent, ensure_ascii=False)


def test_a_list_asked_for_by_an_account_disabled_since_is_not_made(app, as_user, engine, config, monkeypatch):
    from jobs.runner import compute_month
    from jobs.schedule import run_queued
    from ledger.models import JobRun, Message, User
    compute_month(engine, config, "2026-10", "test")
    supervisor = as_user("supervisor")
    long_lists_go_to_a_job(supervisor, monkeypatch)
    press_export(supervisor)
    with engine.begin() as conn:
        conn.execute(update(User).where(User.username == "supervisor").values(disabled=True))
    run_queued(engine, config)
    with engine.connect() as conn:
        run = conn.execute(select(JobRun).where(JobRun.job == "export-warnings")).one()
        assert run.status == "failed" and "已停用" in run.error
        assert conn.execute(select(Message.id).where(Message.kind == "export")).all() == []


def test_a_list_that_could_not_be_made_is_told_to_the_asker_and_can_be_asked_again(supervisor, engine, config,
                                                                                     monkeypatch):
    import datetime as dt

    from jobs import exports
    from jobs.schedule import cleanup, run_queued
    from ledger.models import JobRun, Message
    long_lists_go_to_a_job(supervisor, monkeypatch)
    press_export(supervisor)

    def broken(*args, **kwargs):
        raise OSError("No space left on device: '/srv/panhuo/files'")
    monkeypatch.setattr(exports.words, "write_export", broken)
    run_queued(engine, config)
    with engine.connect() as conn:
        run = conn.execute(select(JobRun).where(JobRun.job == "export-warnings")).one()
        told = conn.execute(select(Message).where(Message.kind == "export")).one()
    assert run.status == "failed" and "No space left" in run.error  # the admin reads why on 任务
    assert told.paper_id is None and told.title.startswith("预警清单 2026年10月") and told.title.endswith(" · 未能生成")
    assert "未能生成（系统出错" in told.body and "重新导出" in told.body and "/srv" not in told.body
    opened = [("inbox-detail", "children"), ("inbox-grid", "rowData"), ("inbox-counts", "children"),
              ("app-unread", "children"), ("app-unread", "className")]
    listed = json.dumps(call(supervisor, opened,
                             [("inbox-grid", "selectedRows", [{"id": told.id}]), ("inbox-asked", "data", None)],
                             [("inbox-grid", "rowData", [{"id": told.id, "state": "未读"}])])[1], ensure_ascii=False)
    assert "未能生成（系统出错" in listed and "/papers/" not in listed  # nothing to download
    monkeypatch.undo()
    long_lists_go_to_a_job(supervisor, monkeypatch)
    note = json.dumps(press_export(supervisor)["warnings-export-note"], ensure_ascii=False)
    assert "正在后台生成" in note  # asked again: queued anew, and made this time
    assert run_queued(engine, config) == 1 and len(inbox_files(supervisor, engine, "supervisor")) == 1
    with engine.begin() as conn:  # the word of the failure goes with the old lists
        conn.execute(update(Message).where(Message.id == told.id).values(
            created_at=told.created_at - dt.timedelta(days=15)))
    cleanup(engine, config, config.today())
    with engine.connect() as conn:
        assert conn.execute(select(Message.id).where(Message.id == told.id)).first() is None


def test_a_list_made_in_the_background_is_kept_for_its_days_then_dropped_with_its_file(supervisor, engine, config,
                                                                                         monkeypatch):
    import datetime as dt

    from jobs.schedule import cleanup, run_queued
    from ledger import filestore
    from ledger.models import Message, Paper, StoredFile
    long_lists_go_to_a_job(supervisor, monkeypatch)
    press_export(supervisor)
    run_queued(engine, config)
    [(_, data)] = inbox_files(supervisor, engine, "supervisor")
    with engine.connect() as conn:
        paper = conn.execute(select(Paper).where(Paper.kind == "export")).one()
        assert "保留 14 天" in conn.execute(select(Message.body).where(Message.paper_id == paper.id)).scalar_one()
    stored = filestore.path_of(config, paper.sha256)
    assert stored.read_bytes() == data
    cleanup(engine, config, config.today())
    assert len(inbox_files(supervisor, engine, "supervisor")) == 1  # thirteen days left
    with engine.begin() as conn:  # made fifteen days ago
        conn.execute(update(Paper).where(Paper.id == paper.id).values(created_at=paper.created_at - dt.timedelta(days=15)))
    assert cleanup(engine, config, config.today()) >= 1
    assert inbox_files(supervisor, engine, "supervisor") == [] and not stored.exists()
    with engine.connect() as conn:
        assert conn.execute(select(StoredFile).where(StoredFile.sha256 == paper.sha256)).first() is None


@pytest.mark.parametrize("page, filters", [("warnings", FILTERS), ("overdue", ["month", "region", "category", "band",
                                                                             "min-value"])])
def test_a_departments_list_leaves_out_the_column_that_would_name_itself_on_every_row(supervisor, as_user, page, filters):
    """The department column of 预警 and 超期闲置 is for whoever sees several; the rest are the same for everyone."""
    from tests.dashboard.callbacks import by_id

    def headers(client):
        _, response = call(client, [(f"{page}-body", "children")],
                           [(f"{page}-{name}", "value", "2026-10" if name == "month" else None) for name in filters])
        (grid,) = by_id(response, f"{page}-grid")
        return [col["headerName"] for col in grid["props"]["columnDefs"]]

    everyone = headers(supervisor)
    assert "主管部门" in everyone and headers(as_user("dept")) == [h for h in everyone if h != "主管部门"]
