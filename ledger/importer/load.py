"""`panhuo import`: read -> validate (every problem) -> load, in one transaction."""
from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
from sqlalchemy import Connection, Engine, Float, bindparam, cast, func, insert, select, update

from ledger import allocation, audit, clock, columnar, fit, reporting
from ledger.bulk import analyze, ingest_space, rebuilt_indexes, replace_rows, upsert_arrow, write_arrow
from ledger.config import Config
from ledger.errors import UserError
from ledger.importer import limits, stage, stock
from ledger.importer.columns import stage_sheet
from ledger.importer.read import WORKBOOKS, SourceError, open_sheets, sha256_of, workbook_kind
from ledger.importer.rows import ParsedSheet, Problem, Problems, parse_header, table_by_header
from ledger.importer.schema import ABOUT_SHEET, REQUIRED, TABLES, Table, table_for_name
from ledger.locks import named_lock
from ledger.models import Asset, ImportRecord, Income, PurchaseRequest
from ledger.scope import Scope
from ledger.texts import checked_date


@dataclass
class ImportResult:
    ok: bool
    file_name: str
    sha256: str
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    problem_total: int = 0
    problem_sheets: dict[str, int] = field(default_factory=dict)  # every problem's sheet, counted
    notes: list[str] = field(default_factory=list)
    import_id: int | None = None
    units: int = 0  # units whose month the import reports (reporting.md)

    def where_problems_are(self) -> str:
        """The problems counted by sheet when they lie in more than one: "单位 620，资产卡片 3,000"."""
        return "，".join(f"{sheet} {n:,}" for sheet, n in self.problem_sheets.items()) if len(self.problem_sheets) > 1 else ""


# target table: (stage column -> target column) for the columns that are loaded
_TARGET_COLUMNS: dict[str, dict[str, str]] = {
    "units": {"unit_code": "code", "unit_name": "name", "dept_code": "dept_code", "unit_type": "unit_type"},
    "assets": {"asset_code": "code", "unit_code": "unit_code", "asset_name": "name", "category": "category",
               "original_value": "original_value", "net_value": "net_value", "acquired_on": "acquired_on",
               "status": "status", "status_since": "status_since", "location": "location",
               "photo_count": "photo_count", "shared": "shared", "category_code": "category_code"},
}
# target columns computed from the staged ones
_DERIVED: dict[str, dict[str, str]] = {
    "assets": {"code_key": fit.code_key_sql("category_code"), "name_key": "name_keys.name_key",
               "stock_since": "CAST(stock_since.stock_since AS VARCHAR)"},
}
# what a derived column reads beside the stage: a card's stock_since, computed with its changes and
# listings (importer.stock); the match key of each distinct name, once (a city has few names, and
# the key's character mapping costs seconds at a million cards)
_JOINED: dict[str, str] = {
    "assets": " LEFT JOIN stock_since USING (asset_code)"
              f" LEFT JOIN (SELECT asset_name, {fit.name_key_sql('asset_name')} AS name_key"
              " FROM (SELECT DISTINCT asset_name FROM stage_assets)) name_keys USING (asset_name)",
}


# what the checks read of the ledger as it stands
CONTEXT: dict[str, dict[str, str]] = {
    "departments": {"code": "VARCHAR", "region_code": "VARCHAR"},
    "units": {"code": "VARCHAR", "dept_code": "VARCHAR"},
    "assets": {"code": "VARCHAR", "unit_code": "VARCHAR", "acquired_on": "DATE", "status": "VARCHAR",
               "status_since": "DATE"},
    "plans": {"plan_id": "VARCHAR", "asset_code": "VARCHAR"},
    "stored_requests": {"request_id": "VARCHAR", "unit_code": "VARCHAR", "decided": "BOOLEAN"},
}
_CONTEXT_SQL = {"stored_requests": "SELECT request_id, unit_code, EXISTS (SELECT 1 FROM request_decisions d "
                                   "WHERE d.request_id = r.request_id AND d.withdrawn_at IS NULL) AS decided "
                                   "FROM requests r"}


def _read_context(duck: duckdb.DuckDBPyConnection, engine: Engine) -> None:
    queries = [(name, _CONTEXT_SQL.get(name, f"SELECT {', '.join(columns)} FROM {name}"), ())
               for name, columns in CONTEXT.items()]
    queries += [(name, sql, ()) for name, (sql, _) in stock.CONTEXT.items()]
    columnar.load(duck, engine, queries, CONTEXT | {name: types for name, (_, types) in stock.CONTEXT.items()})


def _final(duck: duckdb.DuckDBPyConnection, table: Table) -> tuple[list[str], pa.Table]:
    """The staged rows of `table` as the ledger table's columns."""
    mapping = _TARGET_COLUMNS.get(table.key, {c.key: c.key for c in table.columns})
    dates = {c.key for c in table.columns if c.kind == "date"}
    # dates as ISO text (what both databases read fastest), rows in key order (B-tree inserts in order)
    select = [f"CAST({k} AS VARCHAR) AS {v}" if k in dates else f"{k} AS {v}" for k, v in mapping.items()]
    derived = _DERIVED.get(table.key, {})
    select += [f"{sql} AS {name}" for name, sql in derived.items()]
    rows = duck.sql(f"SELECT {', '.join(select)} FROM {stage.stage_name(table)}{_JOINED.get(table.key, '')} "
                    f"ORDER BY {', '.join(table.keys)}")
    return [*mapping.values(), *derived], rows.to_arrow_table()


def _load(conn: Connection, duck: duckdb.DuckDBPyConnection, staged: dict[str, tuple[Table, str]]) -> None:
    if "units" in staged:
        upsert_arrow(conn, "regions", ["code", "name"], ["code"], duck.sql(
            "SELECT region_code AS code, max(region_name) AS name FROM stage_units GROUP BY 1").to_arrow_table())
        upsert_arrow(conn, "departments", ["code", "name", "region_code"], ["code"], duck.sql(
            "SELECT dept_code AS code, max(dept_name) AS name, max(region_code) AS region_code "
            "FROM stage_units GROUP BY 1").to_arrow_table())
    stock.compute(duck, staged)
    for table in TABLES:
        if table.key not in staged:
            continue
        columns, rows = _final(duck, table)
        keys = [_TARGET_COLUMNS.get(table.key, {}).get(k, k) for k in table.keys]
        if rows.num_rows >= REBUILD_ROWS and _empty(conn, table.target):
            with rebuilt_indexes(conn, table.target, True):
                write_arrow(conn, table.target, columns, rows)  # a first load: nothing to replace
        else:
            # Rows named in the file replace their stored versions. Where a table is unique in
            # another column too, they are deleted first: an upsert applies rows one by one, so
            # swapping two plans' assets would break "one asset, one plan" half-way.
            replace_rows(conn, table.target, columns, keys, rows, REBUILD_ROWS, delete_first=bool(table.unique))
    # cards not in this file whose changes or listings are: their stock_since may have moved
    others = duck.execute("SELECT asset_code, stock_since FROM stock_since k WHERE NOT EXISTS "
                          "(SELECT 1 FROM stage_assets s WHERE s.asset_code = k.asset_code)").fetchall()
    if others:
        conn.execute(update(Asset).where(Asset.code == bindparam("card")).values(stock_since=bindparam("since")),
                     [{"card": code, "since": since} for code, since in others])


# A large write (a first import, a month where many rows changed) builds the table's secondary
# indexes once, sorted, after the rows are in (ledger.bulk.rebuilt_indexes): kept up row by row
# (the match keys of 配置审核 take rows in random order) they cost more than half the import
# again. On PostgreSQL its foreign keys are dropped too and added back, which checks every row in
# one join: checked row by row by trigger they cost three times the insert. The references were
# checked in DuckDB already; the database checks again.
REBUILD_ROWS = 100_000


def _empty(conn: Connection, table: str) -> bool:
    return conn.exec_driver_sql(f"SELECT NOT EXISTS (SELECT 1 FROM {table})").scalar()


def _validate_and_stage(duck: duckdb.DuckDBPyConnection, path: Path, config: Config, today: dt.date,
                        problems: Problems, notes: list[str], scoped: bool = False) -> dict[str, tuple[Table, str]]:
    """Parse every sheet into its stage table; return {table key: (table, sheet name)}.
    `today`: the import's day, no date of something that happened after it.
    `scoped`: a county's import (its messages never name another region's stored codes)."""
    staged: dict[str, tuple[Table, str]] = {}
    sheets: dict[str, Table] = {}  # the table each sheet was read as
    hidden: set[str] = set()  # the sheets hidden from view that were read as a table
    bounds = limits.Limits.of(config)
    if path.is_file() and path.suffix.lower() in WORKBOOKS and workbook_kind(path) == ".xlsx":
        limits.unpack(path, path.name, bounds)  # before calamine unpacks it whole
    for raw in open_sheets(path):
        raw.rows = limits.bounded_rows(raw.name, raw.rows, bounds)
        if raw.columns is not None:  # read whole: its last row is row 1 + its count
            limits.check_row_number(raw.name, min(raw.columns.num_rows, bounds.rows + 1) + 1, bounds)
        table = table_for_name(raw.name)
        if table is None and raw.name != ABOUT_SHEET and (table := table_by_header(raw)) is not None:
            notes.append(f"{raw.name}：按表头识别为「{table.zh}」 / taken for {table.key} by its header")
        if table is None:
            if raw.name != ABOUT_SHEET:  # the template's own notes are not worth a word
                notes.append(f"忽略未知工作表：{raw.name} / ignored unknown sheet: {raw.name}")
            continue
        sheets[raw.name] = table
        if raw.hidden:
            hidden.add(raw.name)
        if table.key in staged:
            first = staged[table.key][1]
            # a hidden copy is one the sender cannot see: said, with where Excel shows it again
            unseen = "、".join(f"「{name}」" for name in (first, raw.name) if name in hidden)
            where = f"（{unseen}是隐藏的工作表：右键单击工作表标签，选「取消隐藏」）" if unseen else ""
            problems.add(Problem(raw.name, None, None, None, f"与「{first}」是同一张表，请删除其一{where}",
                                 f"same table as {first!r}: remove one{' (a hidden sheet)' if unseen else ''}"))
            continue
        if raw.hidden:
            notes.append(f"{raw.name}：隐藏的工作表，已作为「{table.zh}」导入 / a hidden sheet, read as {table.key}")
        parsed = parse_header(table, raw, problems, notes)
        if parsed is None:
            continue
        staged[table.key] = (table, raw.name)
        stage_sheet(duck, parsed, config["import.batch_rows"])
        if note := _merged_note(parsed):
            notes.append(note)
    for table in REQUIRED:
        # a sheet there with its problems (a required column missing) is not also said to be missing
        if table.key not in staged and not any(sheets.get(p.sheet) is table for p in problems.items):
            problems.add(Problem(table.zh, None, None, None, "缺少必需的工作表", "required sheet missing"))
    stage.check_template_example(duck, staged, problems)
    for table, sheet in staged.values():
        stage.check_duplicates(duck, table, sheet, problems)
    stage.check_references(duck, staged, problems)
    if "units" in staged:
        stage.check_in_city(duck, staged["units"][1], config["org.city_region_code"], config["org.city_name"],
                            problems)
        stage.check_departments(duck, staged["units"][1], problems, scoped)
    stage.check_dates_after_acquisition(duck, staged, problems)
    stage.check_dates_in_range(duck, staged, today, problems)
    if "plans" in staged:
        stage.check_one_plan_per_asset(duck, staged["plans"][1], problems)
    if "requests" in staged:
        stage.check_decided_requests(duck, *staged["requests"], problems)
    return staged


def _merged_note(sheet: ParsedSheet, shown: int = 3) -> str | None:
    """The cells merged down over rows below the header that the sheet's columns were read from."""
    read = {pos: column.zh for pos, column in sheet.positions}
    ranges = [(top, bottom, read[pos]) for top, bottom, left, right in sheet.raw.merged if top > sheet.header_row
              for pos in range(left, right + 1) if pos in read]
    if not ranges:
        return None
    said = "、".join(f"第 {top}–{bottom} 行的{column}" for top, bottom, column in ranges[:shown])
    more = f"等 {len(ranges)} 处" if len(ranges) > shown else ""
    return (f"{sheet.raw.name}：{said}{more}为合并单元格，已按其值逐行读取 / "
            f"{len(ranges)} merged cell(s) read as their value on each row they cover")


# the sums the monthly figures add up (metrics.figures), in fen: each must fit the 64-bit integers
# the snapshots store. A city's assets together are worth far less than this (about 92 000 万亿
# 元); a file that would pass it is refused here, before any figure is computed.
TOTALS = (("assets", "original_value", Asset.original_value), ("assets", "net_value", Asset.net_value),
          ("income", "amount", Income.amount), ("income", "remitted_amount", Income.remitted_amount),
          ("requests", "quantity * unit_price", PurchaseRequest.quantity * PurchaseRequest.unit_price))
TOTAL_LIMIT = 2 ** 63 - 1


def check_totals(conn: Connection, duck: duckdb.DuckDBPyConnection, staged: dict, problems: Problems) -> None:
    """Refuse a file after which a city-wide total could not be stored. The rows it replaces are
    counted twice: the bound errs on the safe side, and only near it."""
    for table_key, expression, stored in TOTALS:
        if table_key not in staged:
            continue
        table, sheet = staged[table_key]
        adding = duck.execute(f"SELECT COALESCE(SUM(CAST({expression} AS HUGEINT)), 0) "
                              f"FROM {stage.stage_name(table)}").fetchall()[0][0]
        held = conn.execute(select(func.coalesce(func.sum(cast(stored, Float)), 0.0))).scalar()
        if adding + held > TOTAL_LIMIT:
            column = table.column(expression.split(" * ")[-1]).zh
            problems.add(Problem(sheet, None, column, None,
                                 f"全表{column}合计过大（约 {(adding + held) / 1e14:,.0f} 万亿元），超出平台可计算的范围，"
                                 "请核对金额单位（应为元）",
                                 f"the total of {column} would pass what the portal can add up: check the unit (yuan)"))


def import_path(engine: Engine, path: str | Path, config: Config, username: str | None = None,
                scope: Scope | None = None, address: str | None = None, file_name: str | None = None,
                role: str | None = None, received_on: dt.date | None = None) -> ImportResult:
    """Import a workbook or CSV folder: every table or nothing. Records the attempt either way
    (in the import history and the audit log), and what it reports for which units (reporting.md).

    `scope`: the account's; a county's or a department's import may only touch its own units
    (reporting.md), the finance bureau's (Scope("all")) or none any.
    `file_name`: the name the user knows the file by (an upload is saved under another).
    `username`, `role`: who imports and counts as the sender (default: the shell's account).
    `received_on`: the day the file counts as received (default today where the deployment is).
    """
    path = Path(path)
    today = config.today()
    received_on = checked_date(received_on or today, "收到日期", latest=today)
    problems = Problems(cap=config["import.max_errors"])
    notes: list[str] = []
    try:
        digest = sha256_of(path) if path.exists() else ""
    except OSError as exc:
        raise SourceError(f"{path}: 无法读取 / cannot read: {exc}") from None
    result = ImportResult(ok=False, file_name=file_name or path.name, sha256=digest, notes=notes)
    who = (username or audit.cli_actor(), address, role)
    scoped = scope is not None and scope.kind in ("region", "department")
    # One import at a time, and its write transaction begins before the ledger is read (outside
    # it, as Arrow): the keys the checks see cannot change before the rows are written.
    with named_lock(engine, "import"), engine.connect().execution_options(write=True) as conn, \
            columnar.connect(config) as duck, ingest_space(conn):
        result.import_id = _begin_record(engine, result, who, received_on)
        trans = conn.begin()
        try:
            conn.exec_driver_sql("SELECT 1 FROM imports WHERE false")  # opens the transaction now
            if conn.dialect.name == "sqlite":
                # a million-row upsert walks its indexes in page cache; the default 2 MB thrashes
                conn.exec_driver_sql("PRAGMA cache_size = -262144")
            _read_context(duck, engine)
            # what lies outside the account's scope is listed first: a department that sends a file
            # holding other departments' units has that one cause, and the problems it makes in
            # other sheets (their plans "already have a plan") follow from it, past the list's end
            checked = Problems(cap=problems.cap)
            try:
                staged = _validate_and_stage(duck, path, config, today, checked, notes, scoped=scoped)
                if scoped:
                    stage.check_scope(duck, staged, scope.kind, scope.code, problems)
                check_totals(conn, duck, staged, checked)
            except SourceError as exc:
                checked.add(Problem.file_unreadable(path.name, exc))
                staged = {}
            problems.absorb(checked)
            # in import.md's order of tables, whatever the order of the sheets or files
            result.counts = {t.key: duck.execute(f"SELECT COUNT(*) FROM {stage.stage_name(t)}").fetchall()[0][0]
                             for t in TABLES if t.key in staged}
            if problems:
                trans.rollback()
            else:
                _load(conn, duck, staged)
                # transfers the new rows show done (an asset under the receiving department, a
                # listing closed 已调剂), in the same transaction: the import and its effects together
                allocation.settle_transfers(conn, today)
                result.units = reporting.record_import(conn, result.import_id, stage.touched_units(duck, staged),
                                                       received_on, who[0])
                _finish_record(conn, result, who)
                trans.commit()
                result.ok = True
        except BaseException as exc:
            trans.rollback()
            if isinstance(exc, Exception) and result.import_id is not None:
                with contextlib.suppress(Exception):  # the database may be what failed: the error goes on
                    _record_crash(engine, result, who, exc)
            raise
    if result.ok:
        # without statistics PostgreSQL plans a request's stock lookup as a scan (seconds, not ms)
        analyze(engine, sorted({"assets", *(t.target for t, _ in staged.values())}))
    if not result.ok:
        result.problems = problems.items
        result.problem_total = problems.total
        result.problem_sheets = problems.by_sheet
        # The failed attempt is recorded in a transaction of its own; the ledger is untouched.
        with engine.connect().execution_options(write=True) as conn, conn.begin():
            _finish_record(conn, result, who, problems)
    return result


def _summary(problems: Problems, listed: int = 5) -> str:
    """A failed import's record: its count of problems and the first few, in Chinese / in English."""
    first = problems.items[:listed]
    said = [p.said for p in first]
    more = "等" if problems.total > len(first) else ""
    return (f"{problems.total:,} 个问题：" + "；".join(zh for zh, _ in said) + more
            + f" / {problems.total:,} problem(s): " + "; ".join(en for _, en in said))


def record_refused(engine: Engine, file_name: str, error: SourceError, username: str, address: str | None,
                   role: str | None) -> int:
    """An upload refused before it could be read (too large, a broken or bombed zip): in the import
    history and the audit log like any failed import."""
    result = ImportResult(ok=False, file_name=file_name, sha256="")
    with named_lock(engine, "import"):
        result.import_id = _begin_record(engine, result, (username, address, role), None)
    problems = Problems(cap=1)
    problems.add(Problem.file_unreadable(file_name, error))
    with engine.execution_options(write=True).begin() as conn:
        _finish_record(conn, result, (username, address, role), problems, str(error))
    return result.import_id


def _begin_record(engine: Engine, result: ImportResult, who: tuple[str, str | None, str | None],
                  received_on: dt.date | None) -> int:
    """The attempt in the import history before anything is read (committed: an import killed
    mid-run leaves it behind); an attempt left running by a process that died is marked 中断 now
    (the import lock is held: no other import runs)."""
    with engine.execution_options(write=True).begin() as conn:
        for stale in conn.execute(select(ImportRecord.id, ImportRecord.file_name, ImportRecord.username)
                                  .where(ImportRecord.result == "running")).all():
            conn.execute(update(ImportRecord).where(ImportRecord.id == stale.id).values(
                result="interrupted", finished_at=clock.now(precise=True),
                message="导入进程中断（被终止或崩溃），未写入任何数据 / the import was interrupted; nothing was written"))
            audit.record(conn, "system", "import.interrupted", f"#{stale.id} {stale.file_name}",
                         detail=f"导入人 {stale.username}")
        return conn.execute(insert(ImportRecord).values(
            started_at=clock.now(), username=who[0], file_name=result.file_name, sha256=result.sha256, row_counts={},
            result="running", sender=who[0], received_on=received_on).returning(ImportRecord.id)).scalar_one()


def _finish_record(conn: Connection, result: ImportResult, who: tuple[str, str | None, str | None],
                   problems: Problems | None = None, message: str | None = None) -> None:
    """The attempt's outcome in the import history and the audit log: failed when it has `problems`
    (kept, and said by `message`, their summary unless given); else what it passed over, its notes."""
    username, address, role = who
    failed = problems is not None
    listed = {"total": problems.total, "listed": [asdict(p) for p in problems.items]} if failed else None
    message = message or (_summary(problems) if failed else _notes_said(result.notes))
    conn.execute(update(ImportRecord).where(ImportRecord.id == result.import_id).values(
        finished_at=clock.now(precise=True), row_counts=result.counts, result="failed" if failed else "ok",
        message=message, problems=listed))
    # one audit entry per import, with its row counts (a bulk import is not silence)
    audit.record(conn, username, "import.failed" if failed else "import", f"#{result.import_id} {result.file_name}",
                 after={"rows": result.counts, "sha256": result.sha256, **({} if failed else {"units": result.units})},
                 detail=message, address=address, role=role)


def _record_crash(engine: Engine, result: ImportResult, who: tuple[str, str | None, str | None],
                  exc: Exception) -> None:
    """An import stopped by an error of the portal's own (not of the file): in the history at once
    as failed, nothing written, rather than 进行中 until the next import calls it 中断."""
    problems = Problems(cap=1)
    problems.add(Problem(result.file_name, None, None, None,
                         f"导入时平台内部出错（{type(exc).__name__}），未写入任何数据；请联系系统管理员",
                         f"internal error ({type(exc).__name__}): nothing was written"))
    with engine.connect().execution_options(write=True) as conn, conn.begin():
        _finish_record(conn, result, who, problems)


def _notes_said(notes: list[str]) -> str | None:
    """An import's notes (rows and sheets passed over, a header found lower) in Chinese / in English."""
    if not notes:
        return None
    said = [UserError(note) for note in notes]
    return "；".join(n.zh for n in said) + " / " + "; ".join(n.en for n in said)
