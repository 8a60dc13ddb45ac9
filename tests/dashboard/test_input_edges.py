"""Odd values from a browser or a script: an answer with a message or an empty result, never a 500."""
import json

import pytest

from tests.city import login
from tests.dashboard.callbacks import call


@pytest.fixture(scope="module")
def supervisor(shared_app):
    client = shared_app.test_client()
    login(client, "supervisor")
    return client


@pytest.mark.parametrize("month", ["２０２６-10", "2026-1０", "2026-10\n", "2026-13", "10-2026"])
def test_a_month_that_is_not_yyyy_mm_is_a_400(supervisor, month):
    response = supervisor.get("/api/v1/kpis", query_string={"month": month})
    assert response.status_code == 400
    assert "YYYY-MM" in response.get_json()["message"]


@pytest.mark.parametrize("query, said", [
    ("/api/v1/kpis?level=county", "层级应为 unit、department、region、city 之一：'county'"),
    ("/api/v1/requests?date=2026-02-30", "日期格式应为 YYYY-MM-DD：'2026-02-30'"),
])
def test_a_bad_parameter_is_told_in_chinese_and_english(supervisor, query, said):
    message = supervisor.get(query).get_json()["message"]
    assert said in message and " / " in message


@pytest.mark.parametrize("body", [b"", b"null", b"[]", b'{"output": 1}', b'{"inputs": []}', b"{not json"])
def test_a_malformed_callback_request_is_a_400(supervisor, body):
    response = supervisor.post("/_dash-update-component", data=body, content_type="application/json")
    assert response.status_code == 400


def overdue_rows(client, block, min_value=None, **options):
    return call(client, [("overdue-grid", "getRowsResponse")], [("overdue-grid", "getRowsRequest", block)],
                [("overdue-month", "value", "2026-10"), ("overdue-region", "value", None),
                 ("overdue-category", "value", None), ("overdue-band", "value", None),
                 ("overdue-min-value", "value", min_value)], **options)


@pytest.mark.parametrize("block", [{"startRow": 1e30, "endRow": 1e30 + 100}, {"startRow": -5, "endRow": 10},
                                   {"startRow": 0, "endRow": 10 ** 7}, {"startRow": "0", "endRow": "x"},
                                   {"startRow": True, "endRow": 5}])
def test_an_impossible_block_of_grid_rows_is_an_empty_answer(supervisor, block):
    status, response = overdue_rows(supervisor, block)
    assert status == 200
    assert response["overdue-grid"]["getRowsResponse"] == {"rowData": [], "rowCount": 0}


def test_a_minimum_value_beyond_any_asset_finds_nothing(supervisor):
    status, response = overdue_rows(supervisor, {"startRow": 0, "endRow": 100})
    assert status == 200 and response["overdue-grid"]["getRowsResponse"]["rowCount"] > 0  # the city has some
    for huge in (9.3e16, float("inf"), 1e308):
        status, response = overdue_rows(supervisor, {"startRow": 0, "endRow": 100}, huge)
        assert status == 200
        assert response["overdue-grid"]["getRowsResponse"]["rowCount"] == 0


def test_a_busy_database_is_a_503_that_says_so(supervisor, monkeypatch):
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from dashboard import queries

    def locked(*_args, **_kwargs):
        raise OperationalError("SELECT", {}, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr(queries, "months", locked)
    supervisor.application.config["PROPAGATE_EXCEPTIONS"] = False
    response = supervisor.get("/api/v1/months")
    assert response.status_code == 503 and "正在计算" in response.get_json()["message"]
    # a page's callback says so in a notice, and changes nothing
    status, body = overdue_rows(supervisor, {"startRow": 0, "endRow": 100}, expect_fault=True)
    assert status == 200 and "overdue-grid" not in body.get("response", {})
    assert "系统正在计算，请稍后再试" in json.dumps(body["sideUpdate"], ensure_ascii=False)  # as the login and API say


@pytest.mark.parametrize("path", ["/api/v1/requests/XQ%00/candidates", "/api/v1/kpis?month=2026-10%00",
                                  "/api/v1/warnings?q=%01"])
def test_a_control_character_in_an_api_address_is_a_400_in_json(supervisor, path):
    """PostgreSQL cannot store NUL; no field holds the other control characters: refused before any
    query, in one place, on both databases."""
    response = supervisor.get(path)
    assert response.status_code == 400 and "控制字符" in response.get_json()["message"]


@pytest.mark.parametrize("path", ["/department?code=D1%00", "/asset?code=A1%00", "/papers/1%00", "/evidence/1%1f"])
def test_a_control_character_in_a_page_address_is_a_400_that_says_why(supervisor, path):
    response = supervisor.get(path)
    assert response.status_code == 400 and "控制字符" in response.get_data(as_text=True)


def test_a_control_character_typed_into_a_search_or_a_note_is_a_400(supervisor):
    for inputs in ([("app-search", "value", "A1\x00")], [("warnings-search", "value", "单位\x00")]):
        status, _ = call(supervisor, [("app-search-results", "children")], inputs)
        assert status == 400


def test_a_login_with_nul_in_the_name_is_refused_not_a_server_error(shared_app):
    from tests.city import csrf
    client = shared_app.test_client()
    response = client.post("/login", data={"username": "supervisor\x00", "password": "x" * 10, "csrf": csrf(client)})
    assert response.status_code == 400 and "控制字符" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/kpis/extra", "/api/v1/"])
def test_an_unknown_api_address_is_a_404_in_json(supervisor, path):
    response = supervisor.get(path)
    assert response.status_code == 404 and response.is_json and response.get_json()["error"] == "not_found"


@pytest.mark.parametrize("path", ["/_dash-component-suites/dash/%2e%2e/%2e%2e/etc/passwd",
                                  "/_dash-component-suites/dash/..%2f..%2fx.js", "/_dash-component-suites/nope/x.js",
                                  "/_dash-component-suites/dash/deps/%ff.js"])
def test_a_component_file_that_is_not_there_is_a_404(supervisor, path):
    assert supervisor.get(path).status_code == 404


def test_a_callbacks_own_fault_is_a_notice_and_a_log_line_not_a_silent_500(shared_app, supervisor, monkeypatch,
                                                                          caplog):
    """Whatever a callback raises, the person is told in a notice and the traceback goes to the
    log; the outputs stay as they were."""
    from dashboard import queries

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")
    monkeypatch.setattr(queries, "find", broken)
    status, body = call(supervisor, [("app-search-results", "children")], [("app-search", "value", "办公")],
                        expect_fault=True)
    notice = json.dumps(body["sideUpdate"]["app-error"], ensure_ascii=False)
    assert status == 200 and "操作未完成：平台内部出错，已记入系统日志" in notice and "went away" not in notice
    assert "the database went away" in caplog.text and "Traceback" in caplog.text
    assert "app-search-results" not in body.get("response", {})  # nothing changed on the page
    with pytest.raises(AssertionError, match="failed"):  # and a test that meets one fails
        call(supervisor, [("app-search-results", "children")], [("app-search", "value", "办公")])
    assert toast(body)["duration"] is None  # a fault stays until it is closed


def toast(body) -> dict:
    return body["sideUpdate"]["app-error"]["children"]["props"]


def test_a_busy_database_is_a_passing_notice_and_no_error_in_the_log(shared_app, supervisor, monkeypatch, caplog):
    """SQLite past its busy timeout while an import writes: the person is asked to wait, in the words
    the login page and the API use, and the notice goes by itself; the log holds no error."""
    from sqlalchemy.exc import OperationalError

    from dashboard import queries
    from dashboard.auth import BUSY

    def locked(*args, **kwargs):
        raise OperationalError("SELECT", {}, Exception("database is locked"))
    monkeypatch.setattr(queries, "find", locked)
    status, body = call(supervisor, [("app-search-results", "children")], [("app-search", "value", "办公")],
                        expect_fault=True)
    said = toast(body)
    assert status == 200 and said["header"] == "请稍候" and said["children"] == BUSY and said["icon"] == "warning"
    assert said["duration"] == 10_000 and "Traceback" not in caplog.text
