"""排名: each department's 13-month score path is sent as numbers for a line fitted to them."""
from sqlalchemy import func, select

from ledger.models import KpiRow, WarningRow
from tests.dashboard.callbacks import call, components, grids
from tests.city import login


def test_the_trend_column_is_the_departments_scores_month_by_month(shared_app):
    client = shared_app.test_client()
    login(client, "leader")
    status, response = call(client, [("rankings-body", "children")],
                            [("rankings-month", "value", "2026-10"), ("rankings-region", "value", None)])
    assert status == 200
    departments, counties = grids(response)
    (trend,) = [c for c in departments["columnDefs"] if c["field"] == "trend"]
    assert trend["cellRenderer"] == "Sparkline"
    with shared_app.extensions["panhuo.engine"].connect() as conn:
        scores = conn.execute(select(KpiRow.month, KpiRow.score).where(
            KpiRow.level == "department", KpiRow.code == "D1").order_by(KpiRow.month)).all()
    d1 = next(r for r in departments["rowData"] if r["code"] == "D1")
    assert d1["trend"] == [round(s, 1) for _, s in scores] and len(d1["trend"]) == 2
    assert {r["code"]: r["href"] for r in counties["rowData"]}["990102"] == "/rankings?region=990102"
    (name,) = [c for c in counties["columnDefs"] if c["field"] == "name"]
    assert name["cellRenderer"] == "DataLink"  # a county leads to its departments' ranking


def test_the_department_page_draws_its_rank_month_by_month_first_place_on_top(shared_app):
    client = shared_app.test_client()
    login(client, "leader")
    status, response = call(client, [("department-body", "children"), ("department-title", "children")],
                            [("department-month", "value", "2026-10")], [("department-code", "data", "D1")])
    assert status == 200
    figures = [node["figure"] for node in components(response, lambda node: isinstance(node.get("figure"), dict))]
    (path,) = [f for f in figures if f["data"] and f["data"][0].get("name") == "排名"]
    with shared_app.extensions["panhuo.engine"].connect() as conn:
        ranks = conn.execute(select(KpiRow.rank).where(KpiRow.level == "department", KpiRow.code == "D1")
                             .order_by(KpiRow.month)).scalars().all()
    assert path["data"][0]["y"] == ranks
    low, high = path["layout"]["yaxis"]["range"]
    assert low > high  # reversed: first place at the top
    # this month's warnings by rule, stacked by level: the bars add up to the department's warnings
    bars = [t for f in figures for t in f["data"] if t.get("type") == "bar" and t.get("orientation") == "h"]
    with shared_app.extensions["panhuo.engine"].connect() as conn:
        warnings = conn.execute(select(func.count()).select_from(WarningRow).where(
            WarningRow.month == "2026-10", WarningRow.dept_code == "D1")).scalar_one()
    assert warnings > 0 and sum(sum(t["x"]) for t in bars) == warnings
    assert {t["name"] for t in bars} <= {"红色", "橙色", "黄色"}
    # the warnings below name each unit (linked) rather than its code
    (grid,) = [g for g in grids(response) if any("unit_name" == c.get("field") for c in g["columnDefs"])]
    assert {row["unit_name"] for row in grid["rowData"]} == {"单位U1", "单位U2"}
    assert {row["unit_href"] for row in grid["rowData"]} == {"/unit?code=U1", "/unit?code=U2"}
