"""Every page opens on the month asked for in its address, else on the newest closed month (before
any is closed, the newest that has ended); a month not yet closed is marked 进行中 wherever it is
named, and no file names a day still to come."""
from __future__ import annotations

import base64
import datetime as dt
import io
import json

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from metrics.snapshot import compute_snapshot
from metrics.timeline import shift_month
from tests.dashboard.callbacks import call, components, layout_as, page

PAGES = ["overview", "rankings", "overdue", "warnings", "lists", "department", "unit", "asset"]
QUERY = {"department": {"code": "D1"}, "unit": {"code": "U1"}, "asset": {"code": "A1"}}


def month_selector(app, name, username="supervisor", **query):
    layout = json.loads(layout_as(app, username, page(name).layout, **QUERY.get(name, {}), **query))
    return components(layout, lambda node: isinstance(node, dict) and str(node.get("id", "")).endswith("-month")
                      and "options" in node)[0]


@pytest.mark.parametrize("name", PAGES)
def test_a_page_opens_on_the_month_in_its_address_else_the_newest_ended_one(app, name):
    assert month_selector(app, name)["value"] == "2026-10"
    assert month_selector(app, name, month="2026-09")["value"] == "2026-09"
    assert month_selector(app, name, month="2031-01")["value"] == "2026-10"  # no such snapshot: the default


def test_once_a_month_is_closed_pages_open_on_the_newest_closed_month(app, engine):
    from ledger import runs
    with engine.begin() as conn:
        runs.close_month(conn, "2026-09", "scheduler")
    selector = month_selector(app, "overview")
    assert selector["value"] == "2026-09"
    labels = {o["value"]: o["label"] for o in selector["options"]}
    assert labels == {"2026-09": "2026年9月", "2026-10": "2026年10月（进行中）"}


@pytest.fixture
def running_month(app, engine, config):
    """A snapshot of a month that has not ended (computed today, before its last day)."""
    month = shift_month(config.today().strftime("%Y-%m"), 1)
    compute_snapshot(engine, month, config)
    return month


def test_the_month_in_progress_is_marked_and_never_the_default(app, config, running_month):
    selector = month_selector(app, "overview")
    assert selector["value"] == "2026-10"
    label = next(o["label"] for o in selector["options"] if o["value"] == running_month)
    today = config.today()  # where the deployment is, not the server
    assert label.endswith(f"（进行中，数据截至{today.month}月{today.day}日）")
    assert all(o["label"].endswith("（进行中）") for o in selector["options"] if o["value"] != running_month)


def test_the_meeting_pack_of_a_month_in_progress_names_today_not_its_last_day(app, as_user, config, running_month):
    status, response = call(as_user("leader"), [("lists-download", "data")], [("lists-pack", "n_clicks", 1)],
                            [("lists-month", "value", running_month)])
    assert status == 200
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(response["lists-download"]["data"]["content"])))
    about = {row[0]: row[1] for row in book["汇总"].iter_rows(min_row=3, max_row=6, values_only=True)}
    today = config.today()
    assert about["数据截至"] == f"{today.year}年{today.month}月{today.day}日"
    assert about["月份"] == f"{int(running_month[:4])}年{int(running_month[5:])}月（进行中，数据截至{today.month}月{today.day}日）"
    assert "进行中" in book["汇总"]["A1"].value


@given(start=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 12, 1)), count=st.integers(1, 40))
def test_month_ticks_name_the_year_where_the_axis_starts_and_where_it_turns(start, count):
    from dashboard.components import month_ticks

    months = [shift_month(start.strftime("%Y-%m"), i) for i in range(count)]
    ticks = month_ticks(months)
    assert len(ticks) == count and ticks[0] == f"{int(months[0][5:])}月<br>{months[0][:4]}年"
    for month, tick in zip(months[1:], ticks[1:]):
        assert tick == (f"1月<br>{month[:4]}年" if month.endswith("-01") else f"{int(month[5:])}月")
