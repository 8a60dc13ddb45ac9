"""我的得分 · 模拟测算: a department ticks items and sees its score and rank recomputed, nothing written.

The city (conftest): department D1 holds A1 (1,000 yuan) and A2 (2,000) idle since 2025-01 with
no photo, B1 and B2 (5,000 each) in use, and two overdue plans; score 20 (only remit is full).
"""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from ledger.models import KpiRow
from tests.city import login
from tests.dashboard.callbacks import call, grids, page

OUT = [("my-score-whatif-result", "children")]


def ask(client, kinds=(), rows=()):
    status, body = call(client, OUT, [("my-score-whatif-kinds", "value", list(kinds)),
                                      ("my-score-whatif-grid", "selectedRows", [{"key": k} for k in rows])],
                        [("my-score-whatif-month", "data", "2026-10")])
    assert status == 200
    return json.dumps(body, ensure_ascii=False)


@pytest.fixture(scope="module")
def dept(shared_app):
    page("my_score")
    client = shared_app.test_client()
    assert login(client, "dept").status_code == 302
    return client


def test_putting_every_idle_asset_to_use_shows_the_simulated_score_and_rank(dept):
    text = ask(dept, kinds=["idle"])
    # idle and overdue rates fall to 0: idle 25 + overdue 20 + remit 20 = 65 of 100
    assert "65.0" in text and "较本月 ↑45.0分" in text
    assert "第 1 名 / 共 3 个" in text


def test_ticking_one_plan_moves_only_the_completion_sub_score(dept):
    text = ask(dept, rows=["plan_overdue|T1"])
    # due 3,000, done 1,000: 33.3 % -> (0.333 - 0.30) / 0.60 · 100 = 5.6 points of completion, ×25 %
    assert "21.4" in text and "↑5.6分" in text and "计入测算的问题" in text


def test_nothing_ticked_asks_for_a_choice(dept):
    assert "勾选上方的整改事项" in ask(dept)


def test_another_departments_items_are_ignored(dept):
    text = ask(dept, rows=["idle_overdue|A3", "plan_overdue|T3", "data_gap|A4"])
    assert "勾选上方的整改事项" in text
    assert not any(x in text for x in ("A3", "T3", "A4", "部门D2"))


def test_the_simulation_writes_nothing(dept, shared_app):
    engine = shared_app.extensions["panhuo.engine"]
    with engine.connect() as conn:
        before = conn.execute(select(KpiRow.__table__).where(KpiRow.month == "2026-10")).all()
    ask(dept, kinds=["idle", "plan", "quality"])
    with engine.connect() as conn:
        assert conn.execute(select(KpiRow.__table__).where(KpiRow.month == "2026-10")).all() == before


def test_other_roles_get_nothing(shared_app):
    client = shared_app.test_client()
    assert login(client, "supervisor").status_code == 302
    status, _ = call(client, OUT, [("my-score-whatif-kinds", "value", ["idle"]),
                                   ("my-score-whatif-grid", "selectedRows", [])],
                     [("my-score-whatif-month", "data", "2026-10")])
    assert status == 204  # 我的得分 is a department's page: the simulation answers nobody else


def test_my_score_names_the_assets_behind_each_loss_and_says_why_not_all_can_be_won_back(shared_app):
    client = shared_app.test_client()
    assert login(client, "dept").status_code == 302
    status, body = call(client, [("my-score-body", "children")], [("my-score-month", "value", "2026-10")])
    text = json.dumps(body, ensure_ascii=False)
    assert status == 200 and "涉及资产 2 项：A1（测试资产）、A2（测试资产）" in text
    assert "全部整改约可挽回 80.0分" in text and "本月共失" not in text  # here every lost point can be won back
    # one money unit per column, in its header; the values numbers, to the fen
    (costliest,) = [g for g in grids(body) if g.get("id") == "my-score-costliest"]
    money = next(col for col in costliest["columnDefs"] if col["field"] == "value")
    assert money["headerName"] == "涉及金额（元）" and "',.2f'" in money["valueFormatter"]["function"]
    assert all(isinstance(row["value"], (int, float)) or row["value"] is None for row in costliest["rowData"])


def test_points_no_asset_fix_can_win_back_are_explained(shared_app):
    from dashboard.components.scores import costliest
    from ledger.models import SCORE_NAMES

    config = shared_app.extensions["panhuo.config"]
    row = {f"score_{name}": 100.0 for name in SCORE_NAMES} | {"score_idle": 60.0}  # idle rate off target, nothing warned
    text = json.dumps(costliest(row, [], "2026-10", config, "probe").to_plotly_json(), ensure_ascii=False,
                      default=lambda o: o.to_plotly_json())
    assert "本月没有可挽回的失分" in text and "其中" in text and "不是整改单项资产能挽回的" in text
