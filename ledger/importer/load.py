"""`panhuo import`: read -> validate (every problem) -> load, in one transaction."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from sqlalchemy import Connection, Engine, insert

from ledger import audit
from ledger.config import Config
from ledger.importer import stage
from ledger.importer.read import SourceError, open_sheets, sha256_of
from ledger.importer.columns import stage_sheet
from ledger.importer.rows import Problem, Problems, parse_header
from ledger.importer.schema import REQUIRED, TABLES, Table, table_for_name
from ledger.models import ImportRecord
from ledger.spans import rebuild_spans


@dataclass
class ImportResult:
    ok: bool
    file_name: str
    sha256: str
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    problem_total: int = 0
    notes: list[str] = field(default_factory=list)
    import_id: int | None = None


# target table: (stage column -> target column) for the columns that are loaded
_TARGET_COLUMNS: dict[str, dict[str, str]] = {
    "units": {"unit_code": "code", "unit_name": "name", "dept_code": "dept_code", "unit_type": "unit_type"},
    "assets": {"asset_code": "code", "unit_code": "unit_code", "asset_name": "name", "category": "category",
               "original_value": "original_value", "net_value": "net_value", "acquired_on": "acquired_on",
               "status": "status", "status_since": "status_since", "location": "location",
               "photo_count": "photo_count", "shared": "shared"},
}


def _upsert(conn: Connection, target: str, columns: list[str], keys: list[str], select: str) -> None:
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in keys)
    conflict = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
    conn.exec_driver_sql(
        f"INSERT INTO {target} ({', '.join(columns)}) {select} ON CONFLICT ({', '.join(keys)}) {conflict}")


def _load(conn: Connection, staged: dict[str, tuple[Table, str]]) -> None:
    # "WHERE true": SQLite needs it to tell INSERT … SELECT … ON CONFLICT apart from a join.
    if "units" in staged:
        _upsert(conn, "regions", ["code", "name"], ["code"],
                "SELECT region_code, MAX(region_name) FROM stage_units WHERE true GROUP BY region_code")
        _upsert(conn, "departments", ["code", "name", "region_code"], ["code"],
                "SELECT dept_code, MAX(dept_name), MAX(region_code) FROM stage_units WHERE true GROUP BY dept_code")
    for table in TABLES:
        if table.key not in staged:
            continue
        if table.unique:
            # Rows named in the file replace their stored versions first: an upsert applies rows
            # one by one, so swapping two plans' assets would break "one asset, one plan" half-way.
            keys = ", ".join(table.keys)
            conn.exec_driver_sql(f"DELETE FROM {table.target} WHERE ({keys}) IN "
                                 f"(SELECT {keys} FROM {stage.stage_name(table)} WHERE true)")
        mapping = _TARGET_COLUMNS.get(table.key, {c.key: c.key for c in table.columns})
        source = ", ".join(mapping)
        keys = [mapping[k] for k in table.keys]
        _upsert(conn, table.target, list(mapping.values()), keys,
                f"SELECT {source} FROM {stage.stage_name(table)} WHERE true")
    touched = []
    if "assets" in staged:
        touched.append("SELECT asset_code FROM stage_assets")
    if "status_changes" in staged:
        touched.append("SELECT asset_code FROM stage_status_changes")
    if touched:
        conn.exec_driver_sql("CREATE TEMPORARY TABLE stage_touched (asset_code VARCHAR(64) PRIMARY KEY)")
        conn.exec_driver_sql(f"INSERT INTO stage_touched (asset_code) {' UNION '.join(touched)}")
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("ANALYZE stage_touched")
        rebuild_spans(conn, "SELECT asset_code FROM stage_touched")


def _validate_and_stage(conn: Connection, path: Path, config: Config,
                        problems: Problems, notes: list[str]) -> dict[str, tuple[Table, str]]:
    """Parse every sheet into its stage table; return {table key: (table, sheet name)}."""
    staged: dict[str, tuple[Table, str]] = {}
    duck = duckdb.connect(config={"threads": 2})
    for raw in open_sheets(path):
        table = table_for_name(raw.name)
        if table is None:
            notes.append(f"忽略未知工作表 / ignored unknown sheet: {raw.name}")
            continue
        if table.key in staged:
            problems.add(Problem(raw.name, None, None, None, f"与「{staged[table.key][1]}」是同一张表",
                                 f"same table as {staged[table.key][1]!r}"))
            continue
        parsed = parse_header(table, raw, problems, notes)
        if parsed is None:
            continue
        stage.create_stage(conn, table)
        staged[table.key] = (table, raw.name)
        stage_sheet(conn, duck, parsed, config["import.batch_rows"])
        stage.index_stage(conn, table)
    for table in REQUIRED:
        if table.key not in staged and not any(p.sheet == table.zh for p in problems.items):
            problems.add(Problem(table.zh, None, None, None, "缺少必需的工作表", "required sheet missing"))
    for table, sheet in staged.values():
        stage.check_duplicates(conn, table, sheet, problems)
    stage.check_references(conn, staged, problems)
    if "units" in staged:
        stage.check_departments(conn, staged["units"][1], problems)
    stage.check_dates_after_acquisition(conn, staged, problems)
    if "plans" in staged:
        stage.check_one_plan_per_asset(conn, staged["plans"][1], problems)
    return staged


def import_path(engine: Engine, path: str | Path, config: Config, username: str = "cli",
                region_code: str | None = None, address: str | None = None, file_name: str | None = None) -> ImportResult:
    """Import a workbook or CSV folder: every table or nothing. Records the attempt either way
    (in the import history and the audit log).

    `region_code`: a county account's import may only touch units and assets of its region.
    `file_name`: the name the user knows the file by (an upload is saved under another).
    """
    path = Path(path)
    started = dt.datetime.now()
    problems = Problems(cap=config["import.max_errors"])
    notes: list[str] = []
    try:
        digest = sha256_of(path) if path.exists() else ""
    except OSError as exc:
        raise SourceError(f"{path}: 无法读取 / cannot read: {exc}") from None
    result = ImportResult(ok=False, file_name=file_name or path.name, sha256=digest, notes=notes)
    who = (username, address)
    with engine.connect().execution_options(write=True) as conn:
        trans = conn.begin()
        try:
            try:
                staged = _validate_and_stage(conn, path, config, problems, notes)
                if region_code is not None:
                    stage.check_region(conn, staged, region_code, problems)
            except SourceError as exc:
                problems.add(Problem(path.name, None, None, None, *str(exc).split(" / ", 1)))
                staged = {}
            counts = {t.key: conn.exec_driver_sql(f"SELECT COUNT(*) FROM {stage.stage_name(t)}").scalar_one()
                      for t, _ in staged.values()}
            result.counts = counts
            if problems:
                trans.rollback()
            else:
                _load(conn, staged)
                stage.drop_stages(conn, [t for t, _ in staged.values()])
                result.import_id = _record(conn, result, who, started, None)
                trans.commit()
                result.ok = True
        except BaseException:
            trans.rollback()
            raise
    if not result.ok:
        result.problems = problems.items
        result.problem_total = problems.total
        # The failed attempt is recorded in a transaction of its own; the ledger is untouched.
        with engine.connect().execution_options(write=True) as conn, conn.begin():
            summary = f"{problems.total} 个问题 / problems; " + "; ".join(str(p) for p in problems.items[:5])
            result.import_id = _record(conn, result, who, started, summary)
    return result


def _record(conn: Connection, result: ImportResult, who: tuple[str, str | None], started: dt.datetime,
            message: str | None) -> int:
    username, address = who
    import_id = conn.execute(insert(ImportRecord).values(
        started_at=started, finished_at=dt.datetime.now(), username=username, file_name=result.file_name,
        sha256=result.sha256, row_counts=result.counts, result="ok" if message is None else "failed",
        message=message,
    ).returning(ImportRecord.id)).scalar_one()
    # one audit entry per import, with its row counts (a bulk import is not silence)
    audit.record(conn, username, "import" if message is None else "import.failed", f"#{import_id} {result.file_name}",
                 after={"rows": result.counts, "sha256": result.sha256}, detail=message, address=address)
    return import_id
