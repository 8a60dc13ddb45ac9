"""Time import and compute at N assets on SQLite and PostgreSQL, with peak RSS per command.

    .venv/bin/python benchmarks/run.py --assets 100000 --db sqlite --db postgres

Data: the demo generator's CSV folder, cached in benchmarks/data/<N>/. Each step runs the real
`panhuo` command in its own process; the figures go to stdout as a Markdown table row. Beside
`compute --from 2026-08 --to 2026-10` stands the same three months computed by DuckDB alone from
Parquet files of the same ledger (pure_duckdb.py), measured in the same run. `--repeat N` times
the pair N times, each compute on a fresh copy of the imported database, and gives the median ratio
(a 2-core machine's runs of the same command differed by a quarter).
"""
from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text

HERE = Path(__file__).resolve().parent
PANHUO = Path(sys.executable).with_name("panhuo")
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
PG_ADMIN = f"{PG_SERVER}/postgres"


def run(args: list[str], env: dict, command: list[str] | None = None) -> tuple[float, float, str]:
    """Run a command (panhuo by default); return (seconds, peak RSS in MiB of that process and its
    children, output). The command before's writes are on disk first: a compute timed while the
    kernel still writes back an import's few hundred MB varied by seconds from run to run."""
    os.sync()
    started = time.perf_counter()
    proc = subprocess.Popen([*(command or [str(PANHUO)]), *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    output = proc.stdout.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        sys.exit(f"{' '.join(args)} failed:\n{output}")
    return elapsed, usage.ru_maxrss / 1024, output


def fresh_database(kind: str) -> str:
    """The benchmark database `bench`, empty; its URL."""
    drop_database(kind, "bench")
    if kind == "sqlite":
        return f"sqlite:///{_sqlite('bench')}"
    _pg_admin(f"CREATE DATABASE {_pg('bench')}")
    return f"{PG_SERVER}/{_pg('bench')}"


def copy_database(kind: str, source: str, target: str) -> None:
    """The benchmark database `source` copied over `target` (names: bench, bench-imported), for
    `--repeat`: each compute on the database as the import left it."""
    drop_database(kind, target)
    if kind == "sqlite":
        for suffix in ("", "-wal"):  # no process has it open: the file and its log are the database
            if _sqlite(source, suffix).exists():
                shutil.copyfile(_sqlite(source, suffix), _sqlite(target, suffix))
        return
    _pg_admin(f"CREATE DATABASE {_pg(target)} TEMPLATE {_pg(source)}")


def drop_database(kind: str, name: str) -> None:
    if kind == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            _sqlite(name, suffix).unlink(missing_ok=True)
    else:
        _pg_admin(f"DROP DATABASE IF EXISTS {_pg(name)} WITH (FORCE)")


def _sqlite(name: str, suffix: str = "") -> Path:
    """A benchmark database's file on SQLite (`suffix`: its -wal or -shm beside it)."""
    return HERE / "data" / f"{name}.db{suffix}"


def _pg(name: str) -> str:
    """A benchmark database's name on PostgreSQL: bench-imported → panhuo_bench_imported."""
    return f"panhuo_{name.replace('-', '_')}"


def _pg_admin(*statements: str) -> None:
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for statement in statements:
            conn.execute(text(statement))
    admin.dispose()


def ensure_data(assets: int) -> tuple[Path, dict]:
    from ledger.demo import write_demo_ledger

    folder = HERE / "data" / str(assets)
    counts_file = folder / "counts.txt"
    if not counts_file.exists():
        started = time.perf_counter()
        counts = write_demo_ledger(folder, assets=assets)
        counts_file.write_text(repr(counts))
        print(f"generated {assets} assets in {time.perf_counter() - started:.0f}s: {counts}", file=sys.stderr)
    return folder, eval(counts_file.read_text())  # our own file, written above


# a column's default as the clean files spell it: an export leaves such a cell empty on many rows
DEFAULT_SPELLINGS = {"0", "0.00", "否", "本地区", "事业单位"}


def _messy_cell(column, value: str, n: int) -> str:
    """`value` in another spelling import.md accepts, chosen by the row number (most rows messy)."""
    kind = column.kind
    if not value or n % 5 == 0:  # one row in five stays plain
        return value
    if column.default is not None and value in DEFAULT_SPELLINGS and n % 5 in (1, 2):
        return ""  # empty means the default (import.md)
    if kind == "date":
        y, m, d = value.split("-")
        return (f"{y}/{int(m)}/{int(d)}", f"{y}{m}{d}", f"{y}.{int(m)}.{int(d)}", f" {value} ")[n % 4]
    if kind == "money":
        yuan, _, fen = value.partition(".")
        grouped = f"{int(yuan):,}" + (f".{fen}" if fen else "")
        return (grouped, f"￥{value}", f"¥ {grouped}", f" {value} ")[n % 4]
    if kind == "bool":
        return {"是": ("Y", "yes", "是")[n % 3], "否": ("N", "no", "否")[n % 3]}.get(value, value)
    return value


MESSY_KIND = "messy, titled, totalled, defaults left empty"  # a folder of an earlier kind is written again


def ensure_messy(assets: int) -> Path:
    """The clean folder as a field export writes it: a title line above the header, its required
    columns marked (*资产编号) and its sums in yuan (原值（元）), a 合计 row below the rows; other
    date and money spellings on most rows, Y/N for 是/否, stray spaces, a default (照片数 0, 否,
    上缴金额 0) left empty on two rows in five; GB18030 for half the files, UTF-8 with BOM for the rest."""
    import csv

    from ledger.importer.schema import TABLES

    clean, _ = ensure_data(assets)
    folder = HERE / "data" / f"{assets}-messy"
    if (folder / "done.txt").exists() and (folder / "done.txt").read_text() == MESSY_KIND:
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for i, table in enumerate(TABLES):
        source = clean / f"{table.zh}.csv"
        if not source.exists():
            continue
        columns = {c.zh: c for c in table.columns}
        encoding = "gb18030" if i % 2 else "utf-8-sig"
        with source.open(encoding="utf-8-sig", newline="") as src, \
                (folder / source.name).open("w", encoding=encoding, newline="") as out:
            reader, writer = csv.reader(src), csv.writer(out)
            header = next(reader)
            writer.writerow([f"{table.zh}信息导出（2026年11月）"] + [""] * (len(header) - 1))
            writer.writerow([("*" if columns[h].required else "") + h + ("（元）" if columns[h].kind == "money" else "")
                             for h in header])
            in_order = [columns[h] for h in header]
            for n, row in enumerate(reader):
                writer.writerow([_messy_cell(c, v, n) for c, v in zip(in_order, row)])
            writer.writerow(["合计"] + [""] * (len(header) - 1))  # the total an export ends with
    (folder / "done.txt").write_text(MESSY_KIND)
    print(f"wrote the messy copy of {assets} assets in {time.perf_counter() - started:.0f}s", file=sys.stderr)
    return folder


def panhuo_env(url: str, assets: int) -> dict[str, str]:
    """The environment the `panhuo` commands of one run see. `[import] max_rows` is raised to the
    city's size where the configured limit is smaller: the 5M city has four million status changes
    in one file, beyond the two million a bureau's export is allowed."""
    from ledger.config import env_name, load_config
    limit = max(load_config()["import.max_rows"], assets)
    return dict(os.environ, PANHUO_DATABASE_URL=url, PANHUO_ORG_CITY_REGION_CODE="371500",
                PYTHONPATH=str(HERE.parent), **{env_name("import.max_rows"): str(limit)})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--assets", type=int, action="append", required=True)
    parser.add_argument("--db", choices=["sqlite", "postgres"], action="append", required=True)
    parser.add_argument("--year", action="store_true", help="also compute 13 months (2025-10 … 2026-10)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="time compute and pure DuckDB N times (each compute on a fresh copy of the import)")
    parser.add_argument("--messy", action="store_true",
                        help="only import: the clean folder and its messy copy (every spelling import.md accepts, a title "
                             "line above each header, headings such as *资产编号 and 原值（元）), "
                             "then the next month's export over the messy one's city")
    args = parser.parse_args()
    if args.messy:
        return import_clean_and_messy(args.assets, args.db)
    print(f"# {platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()}")
    print("| assets | db | import s | import MiB | compute 3 months s (process) | compute MiB | "
          "pure DuckDB 3 months s | DuckDB MiB | ratio | 13 months s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    python = [sys.executable, str(HERE / "pure_duckdb.py")]
    for assets in args.assets:
        folder, _ = ensure_data(assets)
        for kind in args.db:
            url = fresh_database(kind)
            env = panhuo_env(url, assets)
            run(["init-db"], env)
            import_s, import_mb, _ = run(["import", str(folder)], env)
            parquet = HERE / "data" / f"parquet-{assets}"
            run(["export", url, str(parquet)], env, python)
            if args.repeat > 1:
                copy_database(kind, "bench", "bench-imported")
            computes, pures, three_mb, pure_mb = [], [], 0.0, 0.0
            for n in range(args.repeat):
                if n:
                    copy_database(kind, "bench-imported", "bench")
                wall_s, mb, out = run(["compute", "--from", "2026-08", "--to", "2026-10"], env)
                # the computation, without Python's start
                computes.append((float(re.search(r"in ([0-9.]+)s", out).group(1)), wall_s))
                three_mb = max(three_mb, mb)
                _, mb, out = run(["run", str(parquet), "2026-08", "2026-10"], env, python)
                pures.append(float(out.split()[-1]))
                pure_mb = max(pure_mb, mb)
            if args.repeat > 1:
                drop_database(kind, "bench-imported")
            ratios = sorted(c / p for (c, _), p in zip(computes, pures))
            ratio = f"{statistics.median(ratios):.2f}" + (f" ({ratios[0]:.2f}–{ratios[-1]:.2f})" if len(ratios) > 1 else "")
            if args.year:
                _, all_mb, out = run(["compute", "--from", "2025-10", "--to", "2026-10"], env)
                year = f"{float(re.search(r'in ([0-9.]+)s', out).group(1)):.1f}"
            else:
                all_mb, year = 0, "—"
            print(f"| {assets:,} | {kind} | {import_s:.1f} | {import_mb:.0f} | "
                  f"{'; '.join(f'{c:.1f} ({w:.1f})' for c, w in computes)} | {max(three_mb, all_mb):.0f} | "
                  f"{'; '.join(f'{p:.1f}' for p in pures)} | {pure_mb:.0f} | {ratio} | {year} |", flush=True)


def ensure_next_month(assets: int) -> Path:
    """The clean folder as the next month's export: one card in twenty moved to another place, the
    other files as they were (new rows and changed statuses come the same way: as rows that differ)."""
    import csv

    clean, _ = ensure_data(assets)
    folder = HERE / "data" / f"{assets}-next"
    if (folder / "done.txt").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    for source in clean.glob("*.csv"):
        if source.name != "资产卡片.csv":
            (folder / source.name).unlink(missing_ok=True)
            (folder / source.name).symlink_to(source)
    with (clean / "资产卡片.csv").open(encoding="utf-8-sig", newline="") as src, \
            (folder / "资产卡片.csv").open("w", encoding="utf-8-sig", newline="") as out:
        reader, writer = csv.reader(src), csv.writer(out)
        header = next(reader)
        writer.writerow(header)
        place = header.index("存放地点")
        for n, row in enumerate(reader):
            if n % 20 == 0:
                row[place] = f"{row[place]}（调整）"
            writer.writerow(row)
    (folder / "done.txt").write_text("next")
    return folder


def import_clean_and_messy(sizes: list[int], kinds: list[str]) -> None:
    """Each folder imported into a fresh database; then the next month's export (one card in twenty
    changed) over the messy import's city, as it arrives each month."""
    print(f"# {platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()}")
    print("| assets | db | clean import s | MiB | messy import s | MiB | again s | MiB |")
    print("|---|---|---|---|---|---|---|---|")
    for assets in sizes:
        clean, messy = ensure_data(assets)[0], ensure_messy(assets)
        for kind in kinds:
            figures = []
            for folder in (clean, messy):
                env = panhuo_env(fresh_database(kind), assets)
                run(["init-db"], env)
                figures.append(run(["import", str(folder)], env)[:2])
            figures.append(run(["import", str(ensure_next_month(assets))], env)[:2])
            cells = " | ".join(f"{s:.1f} | {mb:.0f}" for s, mb in figures)
            print(f"| {assets:,} | {kind} | {cells} |", flush=True)


if __name__ == "__main__":
    main()
