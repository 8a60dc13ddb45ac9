"""Parse a sheet by columns, not cells.

Rows are taken in chunks and turned into one text column per sheet column; DuckDB then reads
every cell written the plain way (2024-03-15, 12345.67, 是, 闲置, a code) in one vectorised
pass, and checks the rules that relate cells of one row. Whatever that pass does not take
for certain (another date spelling, thousands separators, an empty required cell, a broken
row rule, a number in a code column of a workbook ...) goes to the cell parser of
ledger.importer.rows, row by row, so every message is exactly the one import.md asks for.
The fast pass only ever accepts what the cell parser would accept with the same value.
"""
from __future__ import annotations

import datetime as dt
from itertools import islice
from typing import Callable

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Connection

from ledger.bulk import write_arrow
from ledger.importer.cells import SPACES
from ledger.importer.rows import ParsedSheet
from ledger.importer.schema import Column, Table
from ledger.importer.stage import StageWriter, stage_name

CHUNK = 100_000
_FORCE = object()  # a cell the text pass cannot take: its row goes to the cell parser

# the rules of rows._row_rules as conditions: a row meeting one goes to the cell parser,
# which reports it (a superset is harmless, a subset would let a bad row through)
ROW_RULES = {
    "units": "region_code IS NOT NULL AND NOT regexp_full_match(region_code, '[0-9]{6}')",
    "assets": "status_since < acquired_on",
    "plans": "due_on < listed_on OR done_on < listed_on",
    "leases": "end_on < start_on",
    "income": "amount = 0 OR remitted_on < received_on OR remitted_amount > amount "
              "OR (remitted_amount <> 0 AND remitted_on IS NULL)",
    "listings": "delisted_on < listed_on OR (delisted_on IS NOT NULL AND outcome IS NULL)",
}
_TRUE = ("是", "y", "yes", "true", "1")
_FALSE = ("否", "n", "no", "false", "0")
_SQL_TYPES = {"code": "VARCHAR", "text": "VARCHAR", "enum": "VARCHAR", "date": "VARCHAR", "money": "BIGINT",
              "int": "INTEGER", "bool": "BOOLEAN"}


def _text_of(kind: str) -> Callable[[object], object]:
    """A workbook cell as the text the fast pass reads, or _FORCE when only the cell parser may judge it."""
    def convert(value):
        if value is None or type(value) is str:
            return value
        if kind == "date" and isinstance(value, dt.date):
            return (value.date() if isinstance(value, dt.datetime) else value).isoformat()
        if kind in ("money", "int", "text") and type(value) is float and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        if kind in ("money", "int", "text") and type(value) is int:
            return str(value)
        if kind == "money" and type(value) is float:
            return repr(value)  # the shortest text that round-trips, as the cell parser reads it
        return _FORCE
    return convert


def _parsed(column: Column) -> tuple[str, str]:
    """(value, taken) SQL over the cleaned text `v_<key>` for one column kind."""
    v = f"v_{column.key}"
    if column.kind in ("code", "text"):
        return v, "true"
    if column.kind == "date":
        value = (f"CASE WHEN regexp_full_match({v}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') "
                 f"AND year(try_cast({v} AS DATE)) BETWEEN 1 AND 9999 THEN {v} END")
    elif column.kind == "money":
        value = (f"CASE WHEN regexp_full_match({v}, '[0-9]{{1,12}}([.][0-9]{{1,2}})?') "
                 f"THEN CAST(CAST({v} AS DECIMAL(18, 2)) * 100 AS BIGINT) END")
    elif column.kind == "int":
        value = f"CASE WHEN regexp_full_match({v}, '[0-9]{{1,9}}') THEN CAST({v} AS INTEGER) END"
    elif column.kind == "bool":
        true, false = (", ".join(f"'{x}'" for x in words) for words in (_TRUE, _FALSE))
        value = f"CASE WHEN lower({v}) IN ({true}) THEN true WHEN lower({v}) IN ({false}) THEN false END"
    elif column.kind == "enum":
        lookup = "(SELECT key FROM choices c WHERE c.col = '{col}' AND c.spelling = {text})"
        value = (f"COALESCE({lookup.format(col=column.key, text=v)}, "
                 f"{lookup.format(col=column.key, text=f'lower({v})')})")
    else:
        raise AssertionError(column.kind)
    return value, f"({v} IS NULL OR ({value}) IS NOT NULL)"


def _sql(table: Table, positions: list[tuple[int, Column]]) -> tuple[str, dict]:
    present = [column for _, column in positions]
    absent = [c for c in table.columns if c not in present]
    cleaned = ", ".join(f"NULLIF(trim(c{i}, $spaces), '') AS v_{c.key}" for i, c in enumerate(present))
    parsed, taken = [], []
    for column in present:
        value, ok = _parsed(column)
        parsed.append(f"{value} AS {column.key}")
        required = f" AND v_{column.key} IS NOT NULL" if column.required else ""
        taken.append(f"({ok}{required})")
    params: dict = {"spaces": SPACES}
    for column in absent:
        params[f"default_{column.key}"] = column.default
        parsed.append(f"CAST($default_{column.key} AS {_SQL_TYPES[column.kind]}) AS {column.key}")
    blank = " AND ".join(["NOT forced", *(f"v_{c.key} IS NULL" for c in present)])
    rule = ROW_RULES.get(table.key, "false")
    keys = ", ".join(c.key for c in table.columns)
    sql = f"""
        WITH cleaned AS (SELECT row_no, forced, {cleaned} FROM chunk),
        parsed AS (SELECT row_no, forced, {blank} AS blank, {" AND ".join(taken)} AS taken, {", ".join(parsed)}
                     FROM cleaned)
        SELECT row_no, NOT forced AND taken AND NOT COALESCE({rule}, false) AS fast, {keys}
          FROM parsed WHERE NOT blank ORDER BY row_no"""
    return sql, params


def _choices(duck: duckdb.DuckDBPyConnection, table: Table) -> None:
    rows = [(c.key, spelling, key) for c in table.columns if c.kind == "enum" for spelling, key in c.choices.items()]
    duck.execute("CREATE OR REPLACE TABLE choices (col VARCHAR, spelling VARCHAR, key VARCHAR)")
    if rows:
        duck.executemany("INSERT INTO choices VALUES (?, ?, ?)", rows)


def stage_sheet(conn: Connection, duck: duckdb.DuckDBPyConnection, sheet: ParsedSheet, batch_rows: int,
                fast: bool = True) -> None:
    """Parse every row of `sheet` into its stage table (rows with bad cells too, those cells empty).

    `fast=False` sends every row to the cell parser (the reference the fast pass is tested against).
    """
    table, parser = sheet.table, sheet.parser
    writer = StageWriter(conn, table, batch_rows)
    converters = [(pos, _text_of(column.kind)) for pos, column in sheet.positions]
    sql, params = _sql(table, sheet.positions)
    _choices(duck, table)
    keys = [c.key for c in table.columns]
    while chunk := list(islice(sheet.rows, CHUNK)):
        if not fast:
            for number, cells in chunk:
                _slow(parser, writer, number, cells)
            continue
        columns: dict[str, list] = {"row_no": [number for number, _ in chunk]}
        forced = [False] * len(chunk)
        for i, (pos, convert) in enumerate(converters):
            values = [cells[pos] if pos < len(cells) else None for _, cells in chunk]
            if not all(v is None or type(v) is str for v in values):
                values = [convert(v) for v in values]
                for j, v in enumerate(values):
                    if v is _FORCE:
                        forced[j], values[j] = True, None
            columns[f"c{i}"] = values
        columns["forced"] = forced
        duck.register("chunk", pa.table({k: pa.array(v, pa.string() if k.startswith("c") else None)
                                         for k, v in columns.items()}))
        result = duck.sql(sql, params=params).to_arrow_table()
        duck.unregister("chunk")
        good = result.filter(result["fast"])
        write_arrow(conn, stage_name(table), ["row_no", *keys], good.select(["row_no", *keys]))
        slow_rows = set(result.filter(pc.invert(result["fast"]))["row_no"].to_pylist())
        for number, cells in chunk:
            if number in slow_rows:
                _slow(parser, writer, number, cells)
    writer.flush()
    parser.finish()


def _slow(parser, writer: StageWriter, number: int, cells: tuple) -> None:
    parsed = parser.parse(number, cells)
    if parsed is not None:
        # rows with bad cells are staged too (bad cells empty), so that rows referring to them
        # are not reported a second time as referring to nothing
        writer.add(number, parsed[0])
