"""排名: each department's 13-month score path is sent as numbers for a line fitted to them."""
from sqlalchemy import func, select

from ledger.models import KpiRow, WarningRow
from tests.city import login
from tests.dashboard.callbacks import by_id, call, components, grids


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


def ranking_export(client, region):
    import base64
    import io

    import openpyxl
    status, response = call(client, [("rankings-download", "data")], [("rankings-export", "n_clicks", 1)],
                            [("rankings-month", "value", "2026-10"), ("rankings-region", "value", region)])
    assert status == 200
    content = response["rankings-download"]["data"]
    return content["filename"], openpyxl.load_workbook(io.BytesIO(base64.b64decode(content["content"])))


def sheet_rows(sheet) -> list[dict]:
    """A sheet under its title line: {heading: value} per row."""
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def test_the_rankings_export_is_the_ranking_shown(shared_app):
    """The region chosen (by name in the file and its name), its departments in their rank order
    with the page's figures; the counties beside them for the city's leaders."""
    client = shared_app.test_client()
    login(client, "leader")
    name, book = ranking_export(client, "990102")
    assert name == "排名_2026-10_区划990102.xlsx"
    assert book.sheetnames == ["部门排名（区划990102）", "县区排名"]
    assert "排名 · 2026年10月" in book.worksheets[0]["A1"].value and "筛选：区划990102" in book.worksheets[0]["A1"].value
    shown = sheet_rows(book.worksheets[0])
    assert [r["名称"] for r in shown] == ["部门D4"]
    with shared_app.extensions["panhuo.engine"].connect() as conn:
        d4 = conn.execute(select(KpiRow.rank, KpiRow.score).where(
            KpiRow.month == "2026-10", KpiRow.level == "department", KpiRow.code == "D4")).one()
    assert shown[0]["综合得分"] == round(d4.score, 1) and shown[0]["排名"] == d4.rank
    name, book = ranking_export(client, "no-such-region")  # what is not a region: the city's own departments
    assert name == "排名_2026-10_市直部门.xlsx"
    assert {r["名称"] for r in sheet_rows(book.worksheets[0])} == {"部门D1", "部门D2", "部门D3"}
    # a county asking for the city's ranking gets its own region's, and no county sheet
    county = shared_app.test_client()
    login(county, "county")
    name, book = ranking_export(county, "990100")
    assert book.sheetnames == ["部门排名（区划990102）"] and "D1" not in name
    assert [r["名称"] for r in sheet_rows(book.worksheets[0])] == ["部门D4"]


def test_a_units_page_leads_back_to_its_department_and_shows_no_other_departments_unit(shared_app):
    client = shared_app.test_client()
    login(client, "dept")  # 部门D1's account
    ask = lambda code: call(client, [("unit-body", "children"), ("unit-title", "children")],  # noqa: E731
                            [("unit-month", "value", "2026-10")], [("unit-code", "data", code)])[1]
    (back,) = by_id(ask("U1"), "unit-back")
    assert back["props"]["href"] == "/department?code=D1" and "返回主管部门" in back["props"]["children"]
    foreign = ask("U3")  # 部门D2's unit
    assert "未找到" in str(foreign) and not by_id(foreign, "unit-back")
