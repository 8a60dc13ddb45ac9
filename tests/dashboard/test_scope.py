"""Scope, tested from outside: a department account replays every callback and route with other
departments', a region's and the city's codes, and with missing and malformed values."""
from __future__ import annotations

import json

import pytest

from tests.city import assert_no_foreign
from tests.dashboard.callbacks import callbacks, payload


@pytest.fixture
def app(shared_app):
    return shared_app


HOSTILE = ["D2", "D4", "990102", "990100", "U3", "A3", "R4", None, "", "2026-13", "'; DROP TABLE kpi_rows; --",
           ["D2"], {"code": "D2"}, 12345]


@pytest.mark.parametrize("value", HOSTILE, ids=[json.dumps(v, ensure_ascii=False) for v in HOSTILE])
@pytest.mark.parametrize("month", ["2026-10", pytest.param("2026-09", marks=pytest.mark.slow)])
def test_every_callback_as_a_department_user_returns_nothing_foreign(app, as_user, value, month):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer as production does: an error is a 500, not a traceback
    client = as_user("dept")
    keys = list(callbacks(app))
    assert len(keys) >= 6  # every page registers its callbacks
    for key, spec in keys:
        response = client.post("/_dash-update-component", json=payload(key, spec, value, month))
        assert response.status_code in (200, 204, 400), (key, response.status_code)
        assert_no_foreign(response.get_data(as_text=True))


@pytest.mark.parametrize("path", ["/", "/rankings", "/rankings?region=990102", "/warnings", "/lists", "/my-score",
                                  "/department?code=D2", "/department?code=D4", "/department?code=990100",
                                  "/department", "/department?code=D1%27--", "/unit?code=U3", "/unit?code=U5",
                                  "/asset?code=A3", "/overdue", "/allocation"])
def test_every_page_layout_as_a_department_user(as_user, path):
    client = as_user("dept")
    page = client.get(path)
    assert page.status_code == 200 or (path == "/" and page.headers["Location"] == "/my-score")
    layout = client.get("/_dash-layout")
    assert_no_foreign(layout.get_data(as_text=True))


@pytest.mark.parametrize("query", ["", "?level=unit", "?level=department", "?level=region", "?level=city",
                                   "?month=2026-09", "?month=2025-01", "?level=department&code=D2"])
def test_api_kpis_as_a_department_user(as_user, query):
    rows = as_user("dept").get(f"/api/v1/kpis{query}").get_json()
    assert all((r["level"] == "department" and r["code"] == "D1") or (r["level"] == "unit" and r["code"] in ("U1", "U2"))
               for r in rows)
    if query in ("", "?level=department"):
        assert {r["code"] for r in rows} >= {"D1"}
        d1 = next(r for r in rows if r["code"] == "D1")
        assert d1["rank"] is not None  # its own rank and the size of its peer group are its to see


@pytest.mark.parametrize("path", ["/api/v1/warnings", "/api/v1/lists", "/api/v1/warnings?month=2026-09"])
def test_api_warnings_and_lists_as_a_department_user(as_user, path):
    response = as_user("dept").get(path)
    assert response.status_code == 200
    rows = response.get_json()
    assert all(r.get("dept_code", "D1") == "D1" for r in rows)
    assert all(r["code"] == "D1" for r in rows if "list" in r)
    assert_no_foreign(response.get_data(as_text=True))
    if path.startswith("/api/v1/warnings"):
        assert rows and {r["asset_code"] for r in rows} <= {"A1", "A2", "B1", "B2"}


def test_county_sees_its_region_only(as_user):
    rows = as_user("county").get("/api/v1/kpis").get_json()
    assert {r["code"] for r in rows} == {"990102", "D4", "U5", "U6"}
    warnings = as_user("county").get("/api/v1/warnings").get_json()
    assert warnings and {r["region_code"] for r in warnings} == {"990102"}


def test_screen_sees_aggregates_but_no_assets(as_user):
    client = as_user("screen")
    levels = {r["level"] for r in client.get("/api/v1/kpis").get_json()}
    assert levels == {"city", "region", "department"}
    assert client.get("/api/v1/warnings").get_json() == []


def test_leader_sees_everything(as_user):
    rows = as_user("leader").get("/api/v1/kpis?month=2026-10").get_json()
    assert {r["level"] for r in rows} == {"city", "region", "department", "unit"}


@pytest.mark.parametrize("query", ["?month=2026-13", "?month=abc", "?level=planet"])
def test_malformed_parameters_get_a_json_400(as_user, query):
    response = as_user("leader").get(f"/api/v1/kpis{query}")
    assert response.status_code == 400 and response.get_json()["error"] == "bad_request"


def test_out_of_scope_asks_are_logged(as_user, caplog):
    client = as_user("dept")
    client.get("/department?code=D2")
    client.post("/_dash-update-component", json={
        "output": "..department-body.children...department-title.children..",
        "outputs": [{"id": "department-body", "property": "children"}, {"id": "department-title", "property": "children"}],
        "inputs": [{"id": "department-month", "property": "value", "value": "2026-10"}],
        "state": [{"id": "department-code", "property": "data", "value": "D2"}],
        "changedPropIds": ["department-month.value"]})
    assert any("out-of-scope" in r.getMessage() and "D2" in r.getMessage() for r in caplog.records)


def test_overdue_export_as_a_department_user_holds_only_its_assets(app, as_user):
    import base64
    import io

    import openpyxl
    from sqlalchemy import func, select

    from ledger.models import AuditEntry

    def exports():
        with app.extensions["panhuo.engine"].connect() as conn:
            return conn.execute(select(func.count()).select_from(AuditEntry).where(
                AuditEntry.action == "export", AuditEntry.actor == "dept",
                AuditEntry.target == "超期闲置资产 2026-10")).scalar_one()

    before = exports()
    client = as_user("dept")
    for region in (None, "990102", "990100"):
        response = client.post("/_dash-update-component", json={
            "output": "overdue-download.data", "outputs": {"id": "overdue-download", "property": "data"},
            "inputs": [{"id": "overdue-export", "property": "n_clicks", "value": 1}],
            "state": [{"id": "overdue-month", "property": "value", "value": "2026-10"},
                      {"id": "overdue-region", "property": "value", "value": region},
                      {"id": "overdue-category", "property": "value", "value": None},
                      {"id": "overdue-band", "property": "value", "value": None},
                      {"id": "overdue-min-value", "property": "value", "value": None}],
            "changedPropIds": ["overdue-export.n_clicks"]})
        assert response.status_code == 200
        data = response.get_json()["response"]["overdue-download"]["data"]
        sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(data["content"]))).active
        rows = list(sheet.iter_rows(values_only=True))
        assert "2026年10月" in rows[0][0] and "D1" in rows[0][0]  # says the month and the scope
        codes = {r[0] for r in rows[2:]}
        assert codes <= {"A1", "A2"} and (region == "990102" or codes == {"A1", "A2"})
    assert exports() == before + 3  # every download is in the audit log


@pytest.mark.slow  # 4 × 1,000 requests: the department's run above stays in the fast lane
@pytest.mark.parametrize("role", ["supervisor", "admin", "county", "leader"])
def test_no_callback_answers_a_value_of_the_wrong_shape_with_a_server_error(app, as_user, role):
    """Lists where one value goes, objects where rows go, numbers where text goes: a 400 with a
    reason from the one check (dashboard._check_callback_request), or nothing; never a 500."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = as_user(role)
    refused = 0
    for key, spec in callbacks(app):
        for value in HOSTILE:
            response = client.post("/_dash-update-component", json=payload(key, spec, value, "2026-10"))
            assert response.status_code in (200, 204, 400), (key, value, response.status_code)
            if response.status_code == 400:
                refused += 1
                assert "回调" in response.get_json()["message"]
    assert refused  # the check did refuse some
