"""The top bar's search finds departments, units and assets by code or name, within the caller's scope."""
from __future__ import annotations

import json
import re

from tests.dashboard.callbacks import call


def search(client, text):
    status, response = call(client, [("app-search-results", "children")], [("app-search", "value", text)])
    return status, json.dumps(response, ensure_ascii=False)


def links(text: str) -> set[str]:
    return set(re.findall(r'"href": "([^"]+)"', text))


def test_a_supervisor_finds_a_department_a_unit_and_an_asset(app, as_user):
    client = as_user("supervisor")
    assert links(search(client, "部门D2")[1]) == {"/department?code=D2"}
    assert links(search(client, "U3")[1]) == {"/unit?code=U3"}
    _, text = search(client, "A4")
    assert links(text) == {"/asset?code=A4"} and "单位U4" in text  # the asset says where it is
    assert "没有找到「不存在的东西」" in search(client, "不存在的东西")[1]
    assert links(search(client, "%")[1]) == set()  # LIKE's wildcard is a character here


def test_a_department_and_a_county_find_only_their_own(app, as_user):
    dept = as_user("dept")
    assert links(search(dept, "测试资产")[1]) == {"/asset?code=A1", "/asset?code=A2", "/asset?code=B1", "/asset?code=B2"}
    assert "没有找到" in search(dept, "U3")[1] and "没有找到" in search(dept, "部门D4")[1]
    county = as_user("county")
    assert links(search(county, "部门")[1]) == {"/department?code=D4"}


def test_the_screen_account_has_no_search(app, as_user):
    status, _ = search(as_user("screen"), "A1")
    assert status == 204


def test_a_short_text_that_would_read_every_card_says_so_and_still_finds_departments(app, as_user, monkeypatch):
    import contextlib

    from dashboard.queries import snapshots
    from ledger.db import TimedOut

    limited = []

    @contextlib.contextmanager
    def over_time(conn, ms):  # the cards' scan takes longer than it may
        limited.append(ms)
        raise TimedOut()
        yield

    monkeypatch.setattr(snapshots, "time_limit", over_time)
    client = as_user("supervisor")
    _, text = search(client, "D2")
    assert links(text) == {"/department?code=D2"} and "资产未全部搜索：请输入 3 个以上的字" in text
    assert limited == [snapshots.SHORT_SEARCH_MS]
    _, text = search(client, "A4")  # what is on no department: the note, not 没有找到
    assert links(text) == set() and "资产未全部搜索" in text and "没有找到" not in text
    _, text = search(client, "测试资产")  # three characters and more: every card, through the trigram index
    assert "/asset?code=A1" in text and "资产未全部搜索" not in text and len(limited) == 2
