"""Sub-scores, the composite score, ranks and the notice list's size, computed by the engine's SQL."""
import duckdb
import pyarrow as pa
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from metrics.figures import rank
from metrics.lists import compute_lists
from metrics.scores import score_rows

rates = st.floats(min_value=0, max_value=2, allow_nan=False)


def scored(config, **figures):
    return score_rows([figures], config)[0]


def with_thresholds(config, name, good, bad):
    return config.replace(**{f"score__{name}__good": good, f"score__{name}__bad": bad})


@pytest.mark.parametrize("x, expected", [(0.01, 100.0), (0.02, 100.0), (0.15, 0.0), (0.30, 0.0), (0.085, 50.0)])
def test_idle_rate_lower_is_better(config, x, expected):
    assert scored(config, idle_value=x * 1000, base_value=1000)["score_idle"] == pytest.approx(expected)


@pytest.mark.parametrize("x, expected", [(0.95, 100.0), (0.90, 100.0), (0.30, 0.0), (0.10, 0.0), (0.60, 50.0)])
def test_due_completion_higher_is_better(config, x, expected):
    assert scored(config, due_done_value=x * 1000, due_value=1000)["score_completion"] == pytest.approx(expected)


def test_undefined_indicators_score_100(config):
    row = scored(config, base_value=0, idle_value=0)
    assert row["idle_rate"] is None and row["score_idle"] == 100.0
    assert row["score"] == 100.0


@given(rates, rates, rates, st.booleans())
def test_sub_score_in_range_and_monotone(base_config, x, y, spread, lower):
    assume(spread > 1e-6)
    name, num, den = ("idle", "idle_value", "base_value") if lower else ("completion", "due_done_value", "due_value")
    good, bad = (0.1, 0.1 + spread) if lower else (0.1 + spread, 0.1)
    config = with_thresholds(base_config, name, good, bad)
    a, b = (score_rows([{num: v, den: 1.0}], config)[0][f"score_{name}"] for v in (min(x, y), max(x, y)))
    assert 0 <= a <= 100 and 0 <= b <= 100
    assert (a >= b) if lower else (a <= b)


@given(st.lists(st.floats(min_value=0, max_value=1), min_size=5, max_size=5),
       st.lists(st.integers(min_value=1, max_value=50), min_size=5, max_size=5))
def test_composite_is_the_weighted_mean_of_the_sub_scores(base_config, shares, weights):
    names = ["idle", "overdue", "completion", "remit", "quality"]
    config = base_config.replace(**{f"score__{n}__weight": w for n, w in zip(names, weights)})
    row = scored(config, idle_value=shares[0], base_value=1.0, overdue_idle_value=shares[1],
                 due_done_value=shares[2], due_value=1.0, income_remitted=shares[3], income_received=1.0,
                 pool_ok_count=shares[4], pool_count=1.0)
    subs = [row[f"score_{n}"] for n in names]
    assert row["score"] == pytest.approx(sum(w * s for w, s in zip(weights, subs)) / sum(weights), abs=1e-9)
    assert min(subs) - 1e-9 <= row["score"] <= max(subs) + 1e-9


def test_default_weights_example(config):
    # everything at target but no pool asset with a photo and a place: 90 (the sample's 清江市审计局第一中学, 2026-08)
    assert scored(config, base_value=100, idle_value=0, pool_count=3, pool_ok_count=0)["score"] == 90.0


def ranked(config, rows, previous=()):
    duck = duckdb.connect()
    columns = ["level", "code", "dept_code", "region_code", "score", "idle_rate", "asset_count"]
    duck.register("rows", pa.Table.from_pylist([dict(zip(columns, r)) for r in rows]))
    duck.execute("CREATE TABLE scored AS SELECT * FROM rows")
    duck.execute("CREATE TABLE kpi_rows_prev (level VARCHAR, code VARCHAR, rank INTEGER)")
    duck.executemany("INSERT INTO kpi_rows_prev VALUES (?, ?, ?)", list(previous) or [["-", "-", 0]])
    rank(duck, config)
    return duck, {code: (r, change, n) for code, r, change, n in
                  duck.execute("SELECT code, rank, rank_change, peer_size FROM kpis").fetchall()}


def test_rank_ties_break_on_idle_rate_then_code_and_empty_rows_are_unranked(config):
    d = lambda code, score, rate, count=3: ("department", code, code, "R1", score, rate, count)
    _, got = ranked(config, [d("B", 90.0, 0.05), d("A", 90.0, 0.05), d("C", 90.0, 0.01), d("D", 90.0, None),
                             d("E", 95.0, 0.50), d("F", 100.0, None, 0)],
                    previous=[("department", "A", 1), ("department", "E", 4)])
    assert {code: r for code, (r, _, _) in got.items()} == {"E": 1, "C": 2, "A": 3, "B": 4, "D": 5, "F": None}
    assert got["A"][1] == -2 and got["E"][1] == 3 and got["C"][1] is None  # before − now
    assert {n for _, _, n in got.values()} == {5}  # the empty row is not counted, but sees its group's size


def test_the_citys_own_region_is_not_ranked_and_units_rank_within_their_department(config):
    city = config["org.city_region_code"]
    _, got = ranked(config, [("region", city, None, city, 50.0, 0.1, 3), ("region", "R2", None, "R2", 60.0, 0.1, 3),
                             ("region", "R3", None, "R3", 70.0, 0.1, 3),
                             ("unit", "U1", "D1", "R2", 10.0, 0.1, 3), ("unit", "U2", "D2", "R2", 5.0, 0.1, 3),
                             ("city", city + "c", None, None, 0.0, 0.1, 3)])
    assert got[city] == (None, None, None)
    assert got["R3"][0] == 1 and got["R2"][0] == 2 and got["R2"][2] == 2
    assert got["U1"][0] == 1 and got["U2"][0] == 1  # each alone in its department
    assert got[city + "c"][0] is None


@pytest.mark.parametrize("n, k", [(1, 0), (2, 0), (3, 1), (10, 1), (11, 2), (20, 2), (30, 3), (31, 4)])
def test_the_notice_list_is_the_last_ten_percent_rounded_up_in_groups_of_three_or_more(config, n, k):
    duck, _ = ranked(config, [("department", f"D{i:02d}", f"D{i:02d}", "R1", 100.0 - i, 0.0, 1) for i in range(n)])
    duck.execute("ALTER TABLE kpis ADD COLUMN name VARCHAR; ALTER TABLE kpis ADD COLUMN overdue_idle_rate DOUBLE")
    duck.execute("CREATE TABLE warnings (level VARCHAR, dept_code VARCHAR, region_code VARCHAR)")
    duck.execute("CREATE TABLE list_entries_prev (list VARCHAR, level VARCHAR, code VARCHAR)")
    duck.execute("CREATE TABLE list_entries_prev2 AS SELECT * FROM list_entries_prev")
    notice = sorted(e["code"] for e in compute_lists(duck, config) if e["list"] == "notice")
    assert notice == [f"D{i:02d}" for i in range(n - k, n)] if k else notice == []
    if k:
        entry = next(e for e in compute_lists(duck, config) if e["code"] == f"D{n - 1:02d}")
        assert entry["reasons"] == [{"rule": "bottom", "rank": n, "peer_size": n, "k": k}]
