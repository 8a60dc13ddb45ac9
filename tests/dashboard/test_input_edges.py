"""Odd values from a browser or a script: an answer with a message or an empty result, never a 500."""
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


@pytest.mark.parametrize("body", [b"", b"null", b"[]", b'{"output": 1}', b'{"inputs": []}', b"{not json"])
def test_a_malformed_callback_request_is_a_400(supervisor, body):
    response = supervisor.post("/_dash-update-component", data=body, content_type="application/json")
    assert response.status_code == 400


def overdue_rows(client, block, min_value=None):
    return call(client, [("overdue-grid", "getRowsResponse")], [("overdue-grid", "getRowsRequest", block)],
                [("overdue-month", "value", "2026-10"), ("overdue-region", "value", None),
                 ("overdue-category", "value", None), ("overdue-band", "value", None),
                 ("overdue-min-value", "value", min_value)])


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
    status, _ = overdue_rows(supervisor, {"startRow": 0, "endRow": 100})
    assert status == 503
