"""One voice (metrics.md, "Showing a figure"): the same month read on the overview, the meeting screen,
the department page, the bulletin, the notices, the meeting pack, the weekly workbook and the API
says every shared figure and its change character for character alike, as metrics.md writes it.

The expected text is worked out here from the stored figures (tests/expected.py), not by the code
under test; one month rounds a change differently from the difference of the rounded figures."""
from __future__ import annotations

import base64
import io
import json

import openpyxl
import pytest
from docx import Document

from dashboard import cache
from ledger.scope import Scope
from metrics.snapshot import compute_snapshot
from outputs import workbooks
from tests.city import add_accounts, login
from tests.dashboard.callbacks import call, components, layout_as, page
from tests.expected import arrow, change_words, pct, points, wan
from tests.factories import LedgerBuilder
from tests.helpers import empty_all, kpi

MONTH, BEFORE = "2026-10", "2026-09"
RATES = ["idle_rate", "overdue_idle_rate", "due_completion_rate", "remit_rate", "data_quality_rate"]


@pytest.fixture(scope="module")
def voice_app(migrated_engine, base_config, portal, tmp_path_factory):
    """A city whose idle rate moves from 64.655% (shown 64.66%) to 65.444% (65.44%): the change is
    0.789 points, said 上升0.79个百分点, where the difference of the shown figures would be 0.78."""
    engine = empty_all(migrated_engine)
    b = LedgerBuilder()
    # three departments alike (two of the city's own region, one of a county): the city reads as each of them
    for dept, region in (("D1", "990100"), ("D2", "990100"), ("D4", "990102")):
        b.unit(f"U{dept}", dept=dept, region=region)
        b.asset(f"I{dept}", unit=f"U{dept}", original_value="6465.50", status="闲置", status_since="2025-01-01",
                photo_count="0")
        b.asset(f"J{dept}", unit=f"U{dept}", original_value="78.90").change(f"J{dept}", "2026-10-05", "闲置")
        b.asset(f"K{dept}", unit=f"U{dept}", original_value="3455.60")
    b.plan("P1", "ID1", "2025-02-01", "2026-09-30")
    b.income("R1", "KD1", "2026-06-01", "1000.00", "2026-07-01", "700.00")
    b.income("R2", "KD1", "2026-10-02", "111.11")
    b.load(engine, base_config, tmp_path_factory.mktemp("voice"))
    for m in (BEFORE, MONTH):
        compute_snapshot(engine, m, base_config)
    add_accounts(engine)
    cache.clear()
    return portal


@pytest.fixture(scope="module")
def month(voice_app):
    engine = voice_app.extensions["panhuo.engine"]
    return {level: (kpi(engine, MONTH, level, code), kpi(engine, BEFORE, level, code))
            for level, code in (("city", "990100"), ("department", "D1"))}


@pytest.fixture
def as_user(voice_app):
    def make(username):
        client = voice_app.test_client()
        assert login(client, username).status_code == 302
        return client
    return make


def test_the_city_is_one_where_rounding_twice_would_say_something_else(month):
    now, before = month["city"]
    assert (pct(before["idle_rate"]), pct(now["idle_rate"])) == ("64.66%", "65.44%")
    assert change_words(now["idle_rate"], before["idle_rate"], "rate") == "较上月上升0.79个百分点"


def shown(now: dict, key: str) -> str:
    """A figure as metrics.md says a person reads it (money from fen)."""
    value = now[key]
    if value is None:
        return "—"
    if key.endswith("_rate"):
        return pct(value)
    if key == "score":
        return points(value)
    if key.endswith("_value") or key.startswith("income"):
        return wan(value / 100)
    return f"{value:,}"


def kind(key: str) -> str:
    return "score" if key == "score" else "rate"


def texts(node) -> str:
    return json.dumps(node, ensure_ascii=False)


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    return "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])


def download(client, outputs, inputs, state):
    _, response = call(client, outputs, inputs, state)
    return base64.b64decode(response[outputs[0][0]]["data"]["content"])


def tile(payload, id_: str) -> str:
    found = components(payload, lambda node: node.get("props", {}).get("id") == id_)
    assert found, id_
    return texts(found[0])


def test_the_overview_and_the_screen_show_the_same_figures_and_changes(voice_app, month, as_user):
    now, before = month["city"]
    _, overview = call(as_user("supervisor"), [("overview-body", "children")], [("overview-month", "value", MONTH)])
    screen = json.loads(layout_as(voice_app, "supervisor", page("screen").layout, month=MONTH))
    for key in ["score", *RATES[:1], *RATES[2:]]:
        expected = [shown(now, key), arrow(now[key], before[key], kind(key))]
        for name, card in (("overview", tile(overview, f"kpi-{key}")), ("screen", tile(screen, f"screen-tile-{key}"))):
            assert all(e in card for e in expected), (name, key, expected, card)
    assert shown(now, "base_value") in tile(overview, "kpi-data_quality_rate")  # 原值 in 万元, one decimal


def test_the_documents_say_the_figures_the_pages_show(month, as_user):
    now, before = month["city"]
    supervisor = as_user("supervisor")
    bulletin = docx_text(download(supervisor, [("lists-bulletin-download", "data")], [("lists-bulletin", "n_clicks", 1)],
                                  [("lists-month", "value", MONTH)]))
    for key, label in zip(RATES, ("闲置率", "超期闲置率", "到期盘活完成率", "收入上缴率", "数据质量率")):
        if now[key] is not None:
            assert f"{label}{shown(now, key)}，{change_words(now[key], before[key], 'rate')}" in bulletin, key
    assert f"综合得分{shown(now, 'score')}分，{change_words(now['score'], before['score'], 'score')}" in bulletin
    dept, _ = month["department"]
    rectify = docx_text(download(supervisor, [("department-download", "data"), ("department-rectify-said", "children")],
                                          [("department-rectify", "n_clicks", 1)],
                                 [("department-month", "value", MONTH), ("department-code", "data", "D1")]))
    assert f"综合得分{shown(dept, 'score')}分" in rectify and shown(dept, "idle_rate") in rectify
    _, page_body = call(supervisor, [("department-body", "children"), ("department-title", "children")],
                        [("department-month", "value", MONTH)], [("department-code", "data", "D1")])
    card = tile(page_body, "department-score")
    assert shown(dept, "score") in card and arrow(dept["score"], month["department"][1]["score"], "score") in card


def test_the_workbooks_keep_the_numbers_and_show_them_as_the_pages_do(voice_app, month, as_user, tmp_path):
    now, before = month["city"]
    pack = openpyxl.load_workbook(io.BytesIO(download(as_user("leader"), [("lists-download", "data")],
                                                      [("lists-pack", "n_clicks", 1)], [("lists-month", "value", MONTH)])))
    summary = {row[0].value: row for row in pack["汇总"].iter_rows(min_row=3)}
    for key, label in (("idle_rate", "闲置率"), ("score", "综合得分"), ("base_value", "资产原值（元）")):
        cells = summary[label]
        value = now[key] / 100 if key == "base_value" else now[key]
        assert cells[1].value == pytest.approx(value, abs=0.005 if key == "base_value" else 1e-12), key
        assert cells[1].number_format == {"idle_rate": "0.00%", "score": "0.0", "base_value": "#,##0.00"}[key]
        if key != "base_value":
            said = change_words(now[key], before[key], kind(key))
            assert cells[3].value == ("持平" if said == "与上月持平" else said.removeprefix("较上月"))
    engine, config = voice_app.extensions["panhuo.engine"], voice_app.extensions["panhuo.config"]
    with engine.connect() as conn:
        workbooks.weekly_dispatch(conn, MONTH, tmp_path / "weekly.xlsx", config, Scope("all"), "全市")
    ranking = openpyxl.load_workbook(tmp_path / "weekly.xlsx")["部门排名"]
    header = [c.value for c in ranking[2]]
    d1 = next(row for row in ranking.iter_rows(min_row=3) if row[header.index("编码")].value == "D1")
    dept, _ = month["department"]
    assert d1[header.index("综合得分")].value == pytest.approx(dept["score"]) and \
        d1[header.index("综合得分")].number_format == "0.0"


def test_the_api_gives_the_same_text_beside_the_raw_numbers(month, as_user):
    now, _ = month["city"]
    (row,) = as_user("leader").get(f"/api/v1/kpis?month={MONTH}&level=city&shown=1").get_json()
    assert row["idle_rate"] == now["idle_rate"]  # data stays unrounded
    assert row["shown"]["idle_rate"] == shown(now, "idle_rate") and row["shown"]["score"] == shown(now, "score")
    assert row["shown"]["base_value"] == shown(now, "base_value")
