"""Parse a sheet by columns, not cells.

Rows are taken in chunks and turned into one text column per sheet column; DuckDB then reads
every cell written in a spelling import.md accepts (2024-03-15, 2024/3/15, 2024.3.15, 20240315;
12345.67, 12,345.67, ￥12345.67; 是, Y, true, 1; 闲置; a code) in one vectorised pass, and
checks the rules that relate cells of one row. Whatever that pass does not take for certain (a
date that does not exist, an amount with three decimals, an empty required cell, a broken row
rule, a number in a code column of a workbook ...) goes to the cell parser of
ledger.importer.rows, row by row, so every message is exactly the one import.md asks for.
The fast pass only ever accepts what the cell parser would accept with the same value.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import gc
from itertools import islice, zip_longest
from typing import Callable

import duckdb
import pyarrow as pa

from ledger.fit import CODE_PATTERN
from ledger.importer import stage
from ledger.importer.cells import CONTROL_SQL, EXCEL_ERRORS, FALSE_WORDS, SCIENTIFIC, SPACES, TRUE_WORDS, money_text
from ledger.importer.rows import ParsedSheet
from ledger.importer.schema import Column, Table

CHUNK = 100_000
_FORCE = object()  # a cell the text pass cannot take: its row goes to the cell parser

# the rules of rows._row_rules as conditions: a row meeting one goes to the cell parser,
# which reports it (a superset is harmless, a subset would let a bad row through)
ROW_RULES = {
    "units": "region_code IS NOT NULL AND NOT regexp_full_match(region_code, '[0-9]{6}')",
    "assets": f"status_since < acquired_on OR NOT regexp_full_match(category_code, '{CODE_PATTERN}') "
              "OR net_value > original_value",
    "requests": f"budget_year NOT BETWEEN 2000 AND 2100 OR quantity < 1 OR unit_price <= 0 "
                f"OR NOT regexp_full_match(category_code, '{CODE_PATTERN}')",
    "plans": "due_on < listed_on OR done_on < listed_on",
    "leases": "end_on < start_on",
    "income": "amount = 0 OR remitted_on < received_on OR remitted_amount > amount "
              "OR (remitted_amount <> 0 AND remitted_on IS NULL)",
    "listings": "delisted_on < listed_on OR (delisted_on IS NOT NULL AND outcome IS NULL)",
}
_SQL_TYPES = stage.SQL_TYPES | {"date": "VARCHAR"}  # the fast pass hands dates on as ISO text
SEPARATED_DATE = "|".join(f"[0-9]{{4}}{sep}[0-9]{{1,2}}{sep}[0-9]{{1,2}}" for sep in ("-", "/", "[.]"))


def _text_of(kind: str) -> Callable[[object], object]:
    """A workbook cell as the text the fast pass reads, or _FORCE when only the cell parser may judge it."""
    def convert(value):
        if value is None or type(value) is str:
            return value
        if kind == "date" and isinstance(value, dt.date):
            return (value.date() if isinstance(value, dt.datetime) else value).isoformat()
        if kind == "bool" and type(value) is bool:
            return "true" if value else "false"
        if kind in ("date", "bool") and type(value) is int:
            return str(value)  # 20240315, 1, 0: read as their text, as the cell parser does
        if kind in ("money", "int", "text") and type(value) is float and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        if kind in ("money", "int", "text") and type(value) is int:
            return str(value)
        if kind == "money" and type(value) is float:
            return money_text(value)  # the fen it is, as the cell parser reads it
        return _FORCE
    return convert


def _parsed(column: Column) -> str:
    """The value SQL over the cleaned text `v_<key>` for one column kind; NULL where not taken."""
    v = f"v_{column.key}"
    if column.kind in ("code", "text"):
        return v
    if column.kind == "date":
        # every spelling cells.parse_date takes: 2024-03-15, 2024/3/15, 2024.3.15 (one separator
        # throughout; RE2 has no back-references, hence three patterns), 20240315; as ISO text
        iso = (f"CASE WHEN regexp_full_match({v}, '[0-9]{{8}}') "
               f"THEN substr({v}, 1, 4) || '-' || substr({v}, 5, 2) || '-' || substr({v}, 7, 2) "
               f"WHEN regexp_full_match({v}, '{SEPARATED_DATE}') "
               f"THEN printf('%s-%02d-%02d', regexp_extract({v}, '^([0-9]{{4}})', 1), "
               f"CAST(regexp_extract({v}, '^[0-9]{{4}}[-/.]([0-9]{{1,2}})', 1) AS INTEGER), "
               f"CAST(regexp_extract({v}, '([0-9]{{1,2}})$', 1) AS INTEGER)) END")
        value = f"CASE WHEN year(try_cast({iso} AS DATE)) BETWEEN 1 AND 9999 THEN {iso} END"
    elif column.kind == "money":
        # 12345.67, 12,345.67, ￥12345.67, ¥ 12,345 (cells.parse_money); more than two decimals, a
        # bare .5 or more than 12 digits of yuan are the cell parser's to read or refuse
        bare = f"trim(replace(replace({v}, '￥', ''), '¥', ''), $spaces)"
        digits = f"replace({bare}, ',', '')"
        value = (f"CASE WHEN regexp_full_match({bare}, '([0-9]{{1,3}}(,[0-9]{{3}})+|[0-9]+)([.][0-9]{{1,2}})?') "
                 f"AND regexp_full_match({digits}, '[0-9]{{1,12}}([.][0-9]{{1,2}})?') "
                 f"THEN CAST(CAST({digits} AS DECIMAL(18, 2)) * 100 AS BIGINT) END")
    elif column.kind == "int":
        value = f"CASE WHEN regexp_full_match({v}, '[0-9]{{1,9}}') THEN CAST({v} AS INTEGER) END"
    elif column.kind == "bool":
        true, false = (", ".join(f"'{x}'" for x in words) for words in (TRUE_WORDS, FALSE_WORDS))
        value = f"CASE WHEN lower({v}) IN ({true}) THEN true WHEN lower({v}) IN ({false}) THEN false END"
    elif column.kind == "enum":
        # the vocabulary (ledger.vocab, no quotes in it) as literals: an exact spelling, else in lower case
        def case(text: str) -> str:
            return f"CASE {text} " + " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in column.choices.items()) + " END"
        assert not any("'" in k + v for k, v in column.choices.items())
        value = f"COALESCE({case(v)}, {case(f'lower({v})')})"
    else:
        raise AssertionError(column.kind)
    return value


def _sql(table: Table, positions: list[tuple[int, Column]]) -> tuple[str, dict]:
    present = [column for _, column in positions]
    absent = [c for c in table.columns if c not in present]
    # trimming by a set of multi-byte characters is slow: only cells that start or end with one are,
    # and those that start with = (a value an export wrote as ="0012", so that Excel keeps its zeros,
    # is unwrapped as cells.cell_text does): the rest, nearly all, are taken as they are
    edge = "'^[=" + SPACES + "]|[" + SPACES + "]$'"

    def unwrapped(i: int) -> str:
        t = f"NULLIF(trim(c{i}, $spaces), '')"
        return (f"CASE WHEN starts_with({t}, '=\"') AND ends_with({t}, '\"') AND length({t}) >= 3 "
                f"THEN NULLIF(trim(substr({t}, 3, length({t}) - 3), $spaces), '') ELSE {t} END")
    cleaned = ", ".join(f"CASE WHEN NOT regexp_matches(c{i}, {edge}) THEN NULLIF(c{i}, '') "
                        f"ELSE {unwrapped(i)} END AS v_{c.key}" for i, c in enumerate(present))
    params: dict = {"spaces": SPACES, "controls": CONTROL_SQL, "scientific": SCIENTIFIC.pattern}

    def default(column: Column) -> str:
        """The column's default as a typed literal (its value a parameter)."""
        params[f"default_{column.key}"] = column.default
        return f"CAST($default_{column.key} AS {_SQL_TYPES[column.kind]})"
    # an empty cell of a column with a default takes it, as the cell parser gives it (照片数 0,
    # 是否共享共用 否, 上缴金额 0); a cell that does not parse stays NULL, the cell parser's to report
    parsed = [f"{_parsed(c)} AS {c.key}" if c.default is None
              else f"CASE WHEN v_{c.key} IS NULL THEN {default(c)} ELSE {_parsed(c)} END AS {c.key}" for c in present]
    # a cell is taken when it is empty (and may be) or read to a value
    taken = [f"{c.key} IS NOT NULL" if c.required else f"(v_{c.key} IS NULL OR {c.key} IS NOT NULL)"
             for c in present]
    # a text too long, or with a control character in it, is the cell parser's to report or clean
    taken += [f"(v_{c.key} IS NULL OR (length(v_{c.key}) <= {c.max_chars} "
              f"AND NOT regexp_matches(v_{c.key}, $controls)))" for c in present if c.max_chars]
    # a code in Excel's scientific notation is the cell parser's to refuse (the CASE asks the regular
    # expression only of a code with a +: half the time of asking it of every code)
    taken += [f"NOT CASE WHEN contains(v_{c.key}, '+') THEN regexp_full_match(v_{c.key}, $scientific) ELSE false END"
              for c in present if c.kind == "code"]
    # a text or code that is Excel's error value (#N/A, as a CSV saves it) is the cell parser's to
    # refuse; asked only of a cell starting with #
    errors = ", ".join(f"'{code}'" for code in EXCEL_ERRORS)
    taken += [f"NOT CASE WHEN starts_with(v_{c.key}, '#') THEN v_{c.key} IN ({errors}) ELSE false END"
              for c in present if c.kind in ("code", "text")]
    parsed += [f"{default(c)} AS {c.key}" for c in absent]
    blank = " AND ".join(["NOT forced", *(f"v_{c.key} IS NULL" for c in present)])
    rule = ROW_RULES.get(table.key, "false")
    keys = ", ".join(c.key for c in table.columns)
    # MATERIALIZED: each step once; inlined, every later mention would parse the cells again
    sql = f"""
        WITH cleaned AS MATERIALIZED (SELECT row_no, forced, {cleaned} FROM chunk),
        parsed AS MATERIALIZED (SELECT *, {", ".join(parsed)} FROM cleaned WHERE NOT ({blank}))
        SELECT row_no, NOT forced AND {" AND ".join(taken)} AND NOT COALESCE({rule}, false) AS fast, {keys}
          FROM parsed"""
    return sql, params


@contextlib.contextmanager
def _no_cycle_collection():
    """Millions of short-lived cell strings and row tuples, none in a cycle: the cycle collector
    would walk them over and over (a third of the parse time at a million rows)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# a part of a sheet this short goes to the cell parser whole: the fast pass costs DuckDB ~25 ms a
# part to plan and run whatever its size, the cell parser ~25 µs a row (a department's file of a few
# hundred cards imports in two thirds of the time; both give the same rows, tests/ledger/test_columns.py)
SMALL = 1_000


def stage_sheet(duck: duckdb.DuckDBPyConnection, sheet: ParsedSheet, batch_rows: int,
                fast: bool | None = None) -> None:
    """Parse every row of `sheet` into its stage table in `duck` (rows with bad cells too, those
    cells empty).

    `fast=None` takes the fast pass for parts longer than SMALL rows; `fast=True` for every part,
    `fast=False` for none: every row to the cell parser (the reference the fast pass is tested against).
    """
    table, parser = sheet.table, sheet.parser
    stage.create_stage(duck, table)
    writer = stage.StageWriter(duck, table, batch_rows)
    converters = [(pos, _text_of(column.kind)) for pos, column in sheet.positions]
    sql, params = _sql(table, sheet.positions)
    with _no_cycle_collection():
        _stage_chunks(duck, sheet, writer, converters, sql, params, fast)
    writer.flush()
    parser.finish()


def _stage_chunks(duck, sheet: ParsedSheet, writer: stage.StageWriter, converters, sql: str, params: dict,
                  fast: bool | None) -> None:
    raw = sheet.raw
    if raw.columns is not None and (fast or fast is None and raw.columns.num_rows > SMALL):
        return _stage_arrow(duck, sheet, writer, sql, params)
    numbered = raw.rows if raw.columns is None else _arrow_rows(raw.columns, raw.first_row)
    table, parser = sheet.table, sheet.parser
    while chunk := list(islice(numbered, CHUNK)):
        if fast is False or fast is None and len(chunk) <= SMALL:
            for number, cells in chunk:
                _slow(parser, writer, number, cells)
            continue
        numbers, rows = zip(*chunk)
        # one column per sheet column, short rows padded with empty cells
        cells_by_position = list(zip_longest(*rows, fillvalue=None))
        width = len(cells_by_position)
        forced = [False] * len(chunk)
        columns = {"row_no": pa.array(numbers, pa.int64())}
        for i, (pos, convert) in enumerate(converters):
            values = list(cells_by_position[pos]) if pos < width else [None] * len(chunk)
            if not raw.text_only and not all(v is None or type(v) is str for v in values):
                values = [convert(v) for v in values]
                for j, v in enumerate(values):
                    if v is _FORCE:
                        forced[j], values[j] = True, None
            columns[f"c{i}"] = pa.array(values, pa.string())
        columns["forced"] = pa.array(forced, pa.bool_())
        slow_rows = set(_pass(duck, table, pa.table(columns), sql, params))
        for number, cells in chunk:
            if number in slow_rows:
                _slow(parser, writer, number, cells)


def _pass(duck, table: Table, chunk: pa.Table, sql: str, params: dict) -> list[int]:
    """Stage the rows of `chunk` the vectorised pass takes; the numbers of those it leaves to the cell parser."""
    keys = ", ".join(c.key for c in table.columns)
    duck.register("chunk", chunk)
    try:
        duck.execute(f"CREATE OR REPLACE TEMP TABLE parsed_chunk AS {sql}", params)
    finally:
        duck.unregister("chunk")
    duck.execute(f"INSERT INTO {stage.stage_name(table)} (row_no, {keys}) "
                 f"SELECT row_no, {keys} FROM parsed_chunk WHERE fast")
    return [r[0] for r in duck.execute("SELECT row_no FROM parsed_chunk WHERE NOT fast ORDER BY row_no").fetchall()]


# the rows after the header of a sheet read whole by Arrow (read.RawSheet.columns) go through the pass in parts
# this large: DuckDB spreads a part over its threads, and the whole file is in memory already
ARROW_CHUNK = 500_000


def _stage_arrow(duck, sheet: ParsedSheet, writer: stage.StageWriter, sql: str, params: dict) -> None:
    """The fast pass over a sheet held as Arrow text columns; the rows it leaves, one by one."""
    data = sheet.raw.columns
    for offset in range(0, data.num_rows, ARROW_CHUNK):
        part = data.slice(offset, ARROW_CHUNK)
        first = offset + sheet.raw.first_row
        columns = {"row_no": pa.array(range(first, first + part.num_rows), pa.int64())}
        for i, (pos, _) in enumerate(sheet.positions):
            columns[f"c{i}"] = part.column(pos)
        columns["forced"] = pa.repeat(False, part.num_rows)  # a CSV cell is text: none forced
        slow = _pass(duck, sheet.table, pa.table(columns), sql, params)
        if slow:
            cells = part.take([n - first for n in slow]).to_pylist()
            for number, row in zip(slow, cells):
                _slow(sheet.parser, writer, number, tuple(row.values()))


def _arrow_rows(data: pa.Table, first: int):
    """(row number, cells) of a sheet held as Arrow columns (the first row numbered `first`), for
    the cell parser."""
    number = first - 1
    for batch in data.to_batches(max_chunksize=CHUNK):
        for row in zip(*(column.to_pylist() for column in batch.columns)):
            number += 1
            yield number, row


def _slow(parser, writer: stage.StageWriter, number: int, cells: tuple) -> None:
    parsed = parser.parse(number, cells)
    if parsed is not None:
        # rows with bad cells are staged too (bad cells empty), so that rows referring to them
        # are not reported a second time as referring to nothing
        writer.add(number, parsed[0])
