"""metrics.whatif: the simulated score and rank follow the snapshot's own scoring and ranking."""
import datetime as dt

from metrics.scores import score_rows
from metrics.whatif import simulate

D = dt.date(2026, 10, 31)


def dept(code, idle, config, base=1000.0):
    figures = {"level": "department", "code": code, "dept_code": code, "region_code": "R1", "asset_count": 3,
               "base_value": base, "idle_value": idle, "overdue_idle_value": idle}
    return score_rows([figures], config)[0]


def test_fixing_idle_assets_lifts_the_department_past_its_peers(config):
    me, a, b = dept("D1", 200.0, config), dept("D2", 50.0, config), dept("D3", 100.0, config)
    me |= {"rank": 3, "peer_size": 3}
    items = [{"rule": "idle_overdue", "ref": "X", "asset_code": "X", "asset_name": "车", "value": 180.0},
             {"rule": "idle_no_plan", "ref": "X", "asset_code": "X", "asset_name": "车", "value": 180.0}]
    result = simulate(me, [me, a, b], items, D, config)
    assert result.fixed == 1  # two warnings of one idle asset are one fix
    assert result.after["idle_rate"] == 0.02 and result.after["score_idle"] == 100.0
    assert result.after["score"] == score_rows([dict(me, idle_value=20.0, overdue_idle_value=20.0)], config)[0]["score"]
    assert (result.before["rank"], result.after["rank"], result.after["peer_size"]) == (3, 1, 3)


def test_items_fixing_cannot_move_change_nothing(config):
    me = dept("D1", 200.0, config) | {"rank": 1, "peer_size": 1}
    old_income = {"rule": "remit_late", "ref": "I1", "asset_code": "X", "asset_name": "房", "value": 0.0,
                  "amount": 10.0, "remitted_amount": 0.0, "remitted_on": None, "received_on": dt.date(2025, 1, 1)}
    result = simulate(me, [me], [old_income], D, config)
    assert result.fixed == 0 and result.after["score"] == result.before["score"]
