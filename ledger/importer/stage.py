"""Staging: parsed rows go to DuckDB tables first, beside the ledger's keys, so the checks
across rows and tables run there in SQL and nothing reaches the ledger before every check has
passed."""
from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow as pa

from ledger.importer.cells import code_hint
from ledger.importer.rows import Problem, Problems, shown
from ledger.importer.schema import ASSET_TABLES, ASSETS, PLANS, STATUS_CHANGES, UNITS, Table

SQL_TYPES = {"code": "VARCHAR", "text": "VARCHAR", "enum": "VARCHAR", "date": "DATE",
              "money": "BIGINT", "int": "INTEGER", "bool": "BOOLEAN"}


def stage_name(table: Table) -> str:
    return f"stage_{table.key}"


def create_stage(duck: duckdb.DuckDBPyConnection, table: Table) -> None:
    columns = ", ".join(f"{c.key} {SQL_TYPES[c.kind]}" for c in table.columns)
    duck.execute(f"CREATE OR REPLACE TABLE {stage_name(table)} (row_no INTEGER NOT NULL, {columns})")


def append(duck: duckdb.DuckDBPyConnection, table: Table, rows: pa.Table) -> None:
    """Add Arrow rows (row_no and every column, dates as ISO text) to the table's stage."""
    duck.register("stage_in", rows)
    try:
        duck.execute(f"INSERT INTO {stage_name(table)} BY NAME SELECT * FROM stage_in")
    finally:
        duck.unregister("stage_in")


class StageWriter:
    """Batches rows (dicts by column key) into a stage table."""

    def __init__(self, duck: duckdb.DuckDBPyConnection, table: Table, batch_rows: int):
        self.duck = duck
        self.table = table
        self.keys = [c.key for c in table.columns]
        self.batch: list[dict] = []
        self.batch_rows = batch_rows

    def add(self, row_no: int, row: dict) -> None:
        self.batch.append({"row_no": row_no, **{k: row.get(k) for k in self.keys}})
        if len(self.batch) >= self.batch_rows:
            self.flush()

    def flush(self) -> None:
        if not self.batch:
            return
        types = {"row_no": pa.int64(), **{c.key: _ARROW[c.kind] for c in self.table.columns}}
        append(self.duck, self.table, pa.Table.from_pylist(self.batch, schema=pa.schema(types)))
        self.batch = []


_ARROW = {"code": pa.string(), "text": pa.string(), "enum": pa.string(), "date": pa.string(), "money": pa.int64(),
          "int": pa.int64(), "bool": pa.bool_()}


# ---- checks across rows and tables, in SQL ------------------------------------------------

def _rows(duck: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> list[dict]:
    result = duck.execute(sql, params or {})
    names = [d[0] for d in result.description]
    return [dict(zip(names, values)) for values in result.fetchall()]


def _report(problems: Problems, sheet: str, table: Table, column_key: str, rows: list[dict], zh: str,
            en: str) -> None:
    column = table.column(column_key).zh
    for row in rows:
        problems.add(Problem(sheet, row["row_no"], column, shown(row["value"]), zh.format(**row), en.format(**row)))


def check_template_example(duck: duckdb.DuckDBPyConnection, staged: dict[str, tuple[Table, str]],
                           problems: Problems) -> None:
    """The import template's example rows (ledger.importer.template.EXAMPLE) never import: a row
    whose key and the unit or asset it names are the example's is refused where it stands."""
    from ledger.importer.template import EXAMPLE

    for table, sheet in staged.values():
        example = EXAMPLE[table.key]
        names = {c.key for c in table.columns}
        columns = [k for k in (table.keys[0], "unit_code", "asset_code") if k in example and k in names]
        where = " AND ".join(f"s.{k} = ${k}" for k in dict.fromkeys(columns))
        rows = _rows(duck, f"SELECT s.row_no, s.{table.keys[0]} AS value FROM {stage_name(table)} s WHERE {where} "
                           "ORDER BY s.row_no", {k: example[k] for k in columns})
        _report(problems, sheet, table, table.keys[0], rows, "这是导入模板的示例行，请替换为本单位数据或删除后再导入",
                "the import template's example row: replace it with real data or delete it")


def check_duplicates(duck: duckdb.DuckDBPyConnection, table: Table, sheet: str, problems: Problems) -> None:
    s = stage_name(table)
    for keys in (table.keys, *table.unique):
        cols = ", ".join(keys)
        join = " AND ".join(f"f.{k} = s.{k}" for k in keys)
        not_null = " AND ".join(f"{k} IS NOT NULL" for k in keys)
        rows = _rows(duck, (
            f"SELECT s.row_no, s.{keys[-1]} AS value, f.first_row FROM {s} s "
            f"JOIN (SELECT {cols}, MIN(row_no) AS first_row FROM {s} WHERE {not_null} "
            f"GROUP BY {cols} HAVING COUNT(*) > 1) f ON {join} "
            f"WHERE s.row_no > f.first_row ORDER BY s.row_no"))
        if keys == STATUS_CHANGES.keys:
            zh, en = "同一资产同一天只能有一条变动，与第 {first_row} 行重复", "one change per asset per day: repeats row {first_row}"
        else:
            zh, en = "与第 {first_row} 行重复", "duplicates row {first_row}"
        _report(problems, sheet, table, keys[-1], rows, zh, en)


def _hinted(rows: list[dict]) -> list[dict]:
    """`rows` of unknown codes, each with the code it looks like (cells.code_hint)."""
    for row in rows:
        row["hint"], row["hint_en"] = code_hint(row["value"])
    return rows


def check_references(duck: duckdb.DuckDBPyConnection, staged: dict[str, tuple[Table, str]], problems: Problems) -> None:
    """Units and assets referred to must be in this file or already loaded."""
    # NOT EXISTS, not NOT IN: both databases plan it as an anti-join, at a million rows too
    for table_key in ("assets", "requests"):
        if table_key not in staged:
            continue
        table, sheet = staged[table_key]
        in_file = ("AND NOT EXISTS (SELECT 1 FROM stage_units x WHERE x.unit_code = s.unit_code)"
                   if "units" in staged else "")
        rows = _rows(duck, (
            f"SELECT s.row_no, s.unit_code AS value FROM {stage_name(table)} s WHERE s.unit_code IS NOT NULL "
            f"AND NOT EXISTS (SELECT 1 FROM units u WHERE u.code = s.unit_code) {in_file} ORDER BY s.row_no"))
        _report(problems, sheet, table, "unit_code", _hinted(rows), "单位编码不存在（本文件和已导入数据中都没有）{hint}",
                "unknown unit (neither in this file nor loaded before){hint_en}")
    for table in ASSET_TABLES:
        if table.key not in staged:
            continue
        in_file = ("AND NOT EXISTS (SELECT 1 FROM stage_assets x WHERE x.asset_code = s.asset_code)"
                   if "assets" in staged else "")
        rows = _rows(duck, (
            f"SELECT s.row_no, s.asset_code AS value FROM {stage_name(table)} s WHERE s.asset_code IS NOT NULL "
            f"AND NOT EXISTS (SELECT 1 FROM assets a WHERE a.code = s.asset_code) {in_file} ORDER BY s.row_no"))
        _report(problems, staged[table.key][1], table, "asset_code", _hinted(rows),
                "资产编号不存在（本文件和已导入数据中都没有）{hint}", "unknown asset (neither in this file nor loaded before){hint_en}")


def city_prefix(city_code: str) -> str:
    """What the codes of a city's own region and its counties begin with (GB/T 2260): a
    prefecture's four digits (371500: 3715, 371502 its district), a municipality's two (110000: 11)."""
    prefix = city_code
    while prefix.endswith("00") and len(prefix) > 2:
        prefix = prefix[:-2]
    return prefix


def check_in_city(duck: duckdb.DuckDBPyConnection, sheet: str, city_code: str, city_name: str,
                  problems: Problems) -> None:
    """Every unit belongs to the city or one of its counties: another city's units would be ranked
    as one more county of this one. (The template's example unit, of 示例市, is refused as the
    example it is: not told twice.)"""
    from ledger.importer.template import EXAMPLE

    rows = _rows(duck, ("SELECT row_no, region_code AS value FROM stage_units WHERE region_code IS NOT NULL "
                        "AND regexp_full_match(region_code, '[0-9]{6}') AND NOT starts_with(region_code, $prefix) "
                        "AND unit_code IS DISTINCT FROM $example ORDER BY row_no"),
                 {"prefix": city_prefix(city_code), "example": EXAMPLE["units"]["unit_code"]})
    _report(problems, sheet, UNITS, "region_code", rows, f"不属于{city_name}（{city_code}）或其所辖县区",
            f"not the city's ({city_code}) nor one of its counties'")


def check_departments(duck: duckdb.DuckDBPyConnection, sheet: str, problems: Problems, scoped: bool = False) -> None:
    """A department belongs to exactly one region, within the file and against the ledger.
    `scoped`: a county's import, which is never told where another region's department sits."""
    rows = _rows(duck, (
        "SELECT s.row_no, s.region_code AS value, s.dept_code, f.region_code AS expected, f.row_no AS first_row "
        "FROM stage_units s JOIN stage_units f ON f.dept_code = s.dept_code "
        "AND f.row_no = (SELECT MIN(g.row_no) FROM stage_units g WHERE g.dept_code = s.dept_code "
        "AND g.region_code IS NOT NULL) "
        "WHERE s.region_code <> f.region_code ORDER BY s.row_no"))
    _report(problems, sheet, UNITS, "region_code", rows,
            "主管部门 {dept_code} 的单位须属同一区划：第 {first_row} 行为 {expected}",
            "all units of department {dept_code} must share one region: row {first_row} has {expected}")
    rows = _rows(duck, (
        "SELECT s.row_no, s.region_code AS value, s.dept_code, d.region_code AS expected FROM stage_units s "
        "JOIN departments d ON d.code = s.dept_code WHERE s.region_code <> d.region_code ORDER BY s.row_no"))
    if scoped:
        _report(problems, sheet, UNITS, "region_code", rows,
                "主管部门 {dept_code} 已属于其他区划", "department {dept_code} already belongs to another region")
    else:
        _report(problems, sheet, UNITS, "region_code", rows,
                "主管部门 {dept_code} 已属于区划 {expected}", "department {dept_code} already belongs to region {expected}")


EARLIEST = dt.date(1900, 1, 1)  # no card of a public body dates from before: 0202 for 2020 is a slip


def check_dates_in_range(duck: duckdb.DuckDBPyConnection, staged: dict[str, tuple[Table, str]], today: dt.date,
                         problems: Problems) -> None:
    """No date before 1900, and a date of something that has happened (an acquisition, a change, a
    receipt: `Column.past`) not after the day of the import: 2062 for 2026 is a slip of the
    keyboard, and the months would count the card as not yet acquired, the income as not received."""
    for table, sheet in staged.values():
        for column in (c for c in table.columns if c.kind == "date"):
            early = _rows(duck, f"SELECT row_no, {column.key} AS value FROM {stage_name(table)} "
                                f"WHERE {column.key} < $earliest ORDER BY row_no", {"earliest": EARLIEST})
            _report(problems, sheet, table, column.key, early, "早于 1900 年：请核对年份", "before 1900: check the year")
            if not column.past:
                continue
            late = _rows(duck, f"SELECT row_no, {column.key} AS value FROM {stage_name(table)} "
                               f"WHERE {column.key} > $today ORDER BY row_no", {"today": today})
            _report(problems, sheet, table, column.key, late, f"晚于今天（{today.isoformat()}）：尚未发生的日期",
                    f"after today ({today.isoformat()}): a date that has not come yet")


def check_dates_after_acquisition(duck: duckdb.DuckDBPyConnection, staged: dict, problems: Problems) -> None:
    if "status_changes" not in staged:
        return
    acquired = "COALESCE(sa.acquired_on, a.acquired_on)" if "assets" in staged else "a.acquired_on"
    join_stage = "LEFT JOIN stage_assets sa ON sa.asset_code = c.asset_code" if "assets" in staged else ""
    rows = _rows(duck, (
        f"SELECT DISTINCT c.row_no, c.changed_on AS value, {acquired} AS acquired FROM stage_status_changes c "
        f"{join_stage} LEFT JOIN assets a ON a.code = c.asset_code "
        f"WHERE c.changed_on < {acquired} ORDER BY c.row_no"))
    _report(problems, staged["status_changes"][1], STATUS_CHANGES, "changed_on", rows,
            "早于资产取得日期 {acquired}", "before the asset's acquisition date {acquired}")


def check_one_plan_per_asset(duck: duckdb.DuckDBPyConnection, sheet: str, problems: Problems) -> None:
    rows = _rows(duck, (
        "SELECT p.row_no, p.asset_code AS value, x.plan_id AS existing FROM stage_plans p "
        "JOIN plans x ON x.asset_code = p.asset_code AND x.plan_id <> p.plan_id "
        "WHERE NOT EXISTS (SELECT 1 FROM stage_plans y WHERE y.plan_id = x.plan_id) ORDER BY p.row_no"))
    _report(problems, sheet, PLANS, "asset_code", rows,
            "一资产一台账：该资产已有台账 {existing}", "one asset, one plan: the asset already has plan {existing}")


def check_scope(duck: duckdb.DuckDBPyConnection, staged: dict[str, tuple[Table, str]], kind: str, code: str,
                problems: Problems) -> None:
    """A county (kind "region") or a department (kind "department") imports inside its scope only
    (reporting.md): every unit in the file, and every unit or asset a row refers to, must be one of
    its own, and only units the ledger already has. Outside and unknown read the same."""
    zh, en = "不在本账号范围内", "outside this account's scope"
    # where a stored unit belongs: its department's region, or its department
    owner = "d.region_code" if kind == "region" else "u.dept_code"
    stored = f"SELECT {owner} FROM units u JOIN departments d ON d.code = u.dept_code WHERE u.code = {{unit}}"
    if "units" in staged:
        column = "region_code" if kind == "region" else "dept_code"
        rows = _rows(duck, (f"SELECT row_no, {column} AS value FROM stage_units "
                            f"WHERE {column} IS NOT NULL AND {column} <> $c ORDER BY row_no"), {"c": code})
        _report(problems, staged["units"][1], UNITS, column, rows, zh, en)
        rows = _rows(duck, ("SELECT s.row_no, s.unit_code AS value FROM stage_units s JOIN units u ON u.code = s.unit_code "
                            f"JOIN departments d ON d.code = u.dept_code WHERE {owner} <> $c ORDER BY s.row_no"), {"c": code})
        _report(problems, staged["units"][1], UNITS, "unit_code", rows, zh, en)
        # a unit the ledger does not have yet is added by the finance bureau (监管人员) only
        rows = _rows(duck, ("SELECT s.row_no, s.unit_code AS value FROM stage_units s WHERE s.unit_code IS NOT NULL "
                            "AND NOT EXISTS (SELECT 1 FROM units u WHERE u.code = s.unit_code) ORDER BY s.row_no"))
        _report(problems, staged["units"][1], UNITS, "unit_code", rows, "新单位须由监管人员导入，本账号只能报送已有单位",
                "a new unit is added by a supervisor only")
    for table_key in ("assets", "requests"):
        if table_key not in staged:
            continue
        table, sheet = staged[table_key]
        rows = _rows(duck, (
            f"SELECT s.row_no, s.unit_code AS value FROM {stage_name(table)} s "
            f"WHERE ({stored.format(unit='s.unit_code')}) <> $c "
            + ("AND NOT EXISTS (SELECT 1 FROM stage_units x WHERE x.unit_code = s.unit_code) " if "units" in staged else "")
            + "ORDER BY s.row_no"), {"c": code})
        _report(problems, sheet, table, "unit_code", rows, zh, en)
    if "assets" in staged:
        # an asset already stored under another scope cannot be taken over by re-importing it
        rows = _rows(duck, (
            "SELECT s.row_no, s.asset_code AS value FROM stage_assets s JOIN assets a ON a.code = s.asset_code "
            f"WHERE ({stored.format(unit='a.unit_code')}) <> $c ORDER BY s.row_no"), {"c": code})
        _report(problems, staged["assets"][1], ASSETS, "asset_code", rows, zh, en)
    if "requests" in staged:
        rows = _rows(duck, (
            "SELECT s.row_no, s.request_id AS value FROM stage_requests s "
            "JOIN stored_requests q ON q.request_id = s.request_id "
            f"WHERE ({stored.format(unit='q.unit_code')}) <> $c ORDER BY s.row_no"), {"c": code})
        _report(problems, staged["requests"][1], staged["requests"][0], "request_id", rows, zh, en)
    for table in ASSET_TABLES:
        if table.key not in staged:
            continue
        unit_of = "a.unit_code" if "assets" not in staged else "COALESCE(sa.unit_code, a.unit_code)"
        join_stage = "LEFT JOIN stage_assets sa ON sa.asset_code = s.asset_code " if "assets" in staged else ""
        in_file_units = (f"AND NOT EXISTS (SELECT 1 FROM stage_units x WHERE x.unit_code = {unit_of}) "
                         if "units" in staged else "")
        rows = _rows(duck, (
            f"SELECT s.row_no, s.asset_code AS value FROM {stage_name(table)} s {join_stage}"
            "LEFT JOIN assets a ON a.code = s.asset_code "
            f"WHERE {unit_of} IS NOT NULL AND ({stored.format(unit=unit_of)}) <> $c {in_file_units}"
            "ORDER BY s.row_no"), {"c": code})
        _report(problems, staged[table.key][1], table, "asset_code", rows, zh, en)


def touched_units(duck: duckdb.DuckDBPyConnection, staged: dict[str, tuple[Table, str]]) -> list[str]:
    """The units an import reports for (reporting.md): those of its 单位 rows and those of every row
    keyed to one of their assets or requests."""
    parts = [f"SELECT unit_code FROM stage_{key}" for key in ("units", "assets", "requests") if key in staged]
    for table in ASSET_TABLES:
        if table.key in staged:
            of_stage = ("LEFT JOIN stage_assets sa ON sa.asset_code = s.asset_code " if "assets" in staged else "")
            unit = "COALESCE(sa.unit_code, a.unit_code)" if "assets" in staged else "a.unit_code"
            parts.append(f"SELECT {unit} AS unit_code FROM {stage_name(table)} s {of_stage}"
                         "LEFT JOIN assets a ON a.code = s.asset_code")
    if not parts:
        return []
    return [row[0] for row in duck.execute(f"SELECT DISTINCT unit_code FROM ({' UNION ALL '.join(parts)}) "
                                           "WHERE unit_code IS NOT NULL ORDER BY 1").fetchall()]


def check_decided_requests(duck: duckdb.DuckDBPyConnection, table: Table, sheet: str, problems: Problems) -> None:
    """A request with a standing decision is what the reviewer decided on: re-importing it would
    change it under the decision."""
    rows = _rows(duck, ("SELECT s.row_no, s.request_id AS value FROM stage_requests s "
                        "JOIN stored_requests q ON q.request_id = s.request_id WHERE q.decided ORDER BY s.row_no"))
    _report(problems, sheet, table, "request_id", rows, "该需求已有审核决定，不能再导入修改（请先撤回决定）",
            "the request has a standing decision and cannot be re-imported (withdraw the decision first)")
