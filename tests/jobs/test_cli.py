"""Bad arguments and bad files: one clear line, non-zero exit, no traceback; exports finance reads."""
import shutil

import openpyxl
import pytest
from click.testing import CliRunner

from jobs.cli import main
from tests.factories import LedgerBuilder
from tests.helpers import libreoffice_text


@pytest.fixture
def run(config, tmp_path):
    def invoke(*args, env=None):
        environment = {"PANHUO_DATABASE_URL": config.database_url, "PANHUO_ORG_CITY_REGION_CODE": "990100"}
        environment.update(env or {})
        return CliRunner().invoke(main, list(args), env=environment)
    return invoke


@pytest.mark.parametrize("args, message", [
    (["compute", "--month", "2026-13"], "month must be YYYY-MM"),
    (["compute"], "give --month or --from and --to"),
    (["compute", "--from", "2026-10", "--to", "2026-08"], "--from is after --to"),
    (["export", "kpis", "--month", "2026-10", "--out", "x.csv"], "no snapshot for 2026-10"),
    (["export", "kpis", "--month", "2026-10", "--out", "x.pdf"], "output must be .csv or .xlsx"),
    (["import", "/nonexistent/ledger.xlsx"], "import failed"),
    (["import", "config.toml"], "import failed"),
    (["export", "candidates", "--out", "x.csv"], "candidates needs --date YYYY-MM-DD"),
    (["export", "requests", "--date", "2026-11-31", "--out", "x.csv"], "--date must be YYYY-MM-DD"),
])
def test_bad_input_gives_one_line_and_a_nonzero_exit(engine, run, args, message):
    result = run(*args)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_unknown_config_key_is_named(engine, run, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[lists]\nnotice_shar = 0.2\n', encoding="utf-8")
    result = run("--config", str(bad), "compute", "--month", "2026-10")
    assert result.exit_code != 0 and "lists.notice_shar" in result.output


def test_wrong_config_type_is_named(engine, run, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[warnings]\nremit_deadline_days = "thirty"\n', encoding="utf-8")
    result = run("--config", str(bad), "compute", "--month", "2026-10")
    assert result.exit_code != 0 and "warnings.remit_deadline_days" in result.output


def test_failed_import_lists_every_problem(engine, run, tmp_path):
    b = LedgerBuilder().unit().asset("A1", acquired_on="x").asset("A2", original_value="-1")
    result = run("import", str(b.write(tmp_path)))
    assert result.exit_code == 1
    assert "资产卡片.csv 第2行 取得日期「x」" in result.output
    assert "资产卡片.csv 第3行 原值「-1」" in result.output
    assert "nothing was written" in result.output


def test_a_failed_import_past_the_list_counts_what_it_left_out_sheet_by_sheet(engine, run, tmp_path):
    b = LedgerBuilder().unit(region="9901").asset("A1", acquired_on="x").asset("A2", original_value="-1")
    result = run("import", str(b.write(tmp_path)), env={"PANHUO_IMPORT_MAX_ERRORS": "1"})
    assert result.exit_code == 1 and result.output.count("第") == 1
    assert "……另有 2 个问题未列出 / 2 more not listed" in result.output
    assert "导入失败，共 3 个问题（单位.csv 1，资产卡片.csv 2），未写入任何数据" in result.output


def test_import_compute_export_xlsx(engine, run, tmp_path):
    b = LedgerBuilder().unit().asset("A1", status="闲置",
                                      status_since="2025-01-01", photo_count="0")
    imported = run("import", str(b.write(tmp_path / "in")))
    assert imported.exit_code == 0 and ": 单位 1 行，资产卡片 1 行 (" in imported.output  # as the page says it
    assert run("compute", "--month", "2026-10").exit_code == 0
    out = tmp_path / "w.xlsx"
    result = run("export", "warnings", "--month", "2026-10", "--out", str(out))
    assert result.exit_code == 0, result.output
    import openpyxl
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("month", "rule", "level", "ref")
    assert {r[1] for r in rows[1:]} == {"idle_overdue", "idle_no_plan", "data_gap"}


def test_compute_of_a_closed_month_needs_reopen_and_a_bad_schedule_is_named(engine, config, run, tmp_path):
    LedgerBuilder().unit("U1").asset("A1").load(engine, config, tmp_path / "l")
    assert run("compute", "--month", "2026-10").exit_code == 0
    with engine.begin() as conn:
        from ledger.runs import close_month
        close_month(conn, "2026-10", "test")
    refused = run("compute", "--month", "2026-10")
    assert refused.exit_code == 1 and "2026-10 is closed: recomputing it needs --reopen" in refused.output
    assert run("compute", "--month", "2026-10", "--reopen").exit_code == 0
    bad = run("scheduler", "--once", env={"PANHUO_SCHEDULER_RECOMPUTE_CRON": "every day"})
    assert bad.exit_code == 1 and "scheduler.recompute_cron is not a valid crontab line: 'every day'" in bad.output


def test_the_purchase_review_exports_follow_the_contract(engine, config, run, tmp_path):
    import csv

    b = LedgerBuilder().unit("U1", dept="D1").unit("U2", dept="D2")
    b.asset("A1", unit="U2", asset_name="办公桌", category="家具用具", status="闲置", status_since="2026-01-15",
            original_value="1234.50")
    b.asset("A2", unit="U1", asset_name="办公桌", category="家具用具", status="闲置", status_since="2026-05-01",
            original_value="800.00", net_value="100.10")
    b.listing("L2", "A2", "2026-06-01")
    b.request("R1", unit="U1", asset_name="办公桌", category="家具用具", quantity="3")
    b.load(engine, config, tmp_path / "city")
    assert run("export", "candidates", "--date", "2026-11-20", "--out", str(tmp_path / "c.csv")).exit_code == 0
    assert run("export", "requests", "--date", "2026-11-20", "--out", str(tmp_path / "r.csv")).exit_code == 0
    with (tmp_path / "c.csv").open(encoding="utf-8-sig") as fh:
        assert list(csv.reader(fh)) == [
            ["request_id", "rank", "asset_code", "unit_code", "tier", "listed", "months_idle", "value"],
            ["R1", "1", "A2", "U1", "1", "1", "6", "100.10"],
            ["R1", "2", "A1", "U2", "3", "0", "10", "1234.50"]]  # another department, same region
    with (tmp_path / "r.csv").open(encoding="utf-8-sig") as fh:
        assert list(csv.reader(fh)) == [
            ["request_id", "dept_code", "candidate_count", "own_stock", "covered", "budget_restricted",
             "buy_while_idle", "decision"],
            ["R1", "D1", "2", "1", "0", "0", "0", ""]]


def test_a_busy_database_is_named_as_busy_not_as_a_missing_schema(engine, run, tmp_path, monkeypatch):
    import sqlite3

    from sqlalchemy.exc import OperationalError

    import jobs.cli

    def locked(*_args, **_kwargs):
        raise OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr(jobs.cli, "import_path", locked)
    result = run("import", str(LedgerBuilder().unit("U1").write(tmp_path / "l")))
    assert result.exit_code != 0 and "数据库正忙" in result.output and "init-db" not in result.output
    assert "Traceback" not in result.output


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice and poppler-utils are installed by .ci/run")
def test_the_exported_kpis_show_money_rates_and_scores_as_finance_reads_them_and_open_in_libreoffice(
        engine, run, tmp_path):
    b = LedgerBuilder().unit().asset("A1", status="闲置", status_since="2025-01-01", photo_count="0",
                                      original_value="1234567.89").asset("A2")
    assert run("import", str(b.write(tmp_path / "in"))).exit_code == 0
    assert run("compute", "--month", "2026-10").exit_code == 0
    out = tmp_path / "kpis.xlsx"
    assert run("export", "kpis", "--month", "2026-10", "--out", str(out)).exit_code == 0
    sheet = openpyxl.load_workbook(out).active
    header = [c.value for c in sheet[1]]
    first = {name: sheet.cell(row=2, column=header.index(name) + 1) for name in ("base_value", "idle_rate", "score")}
    assert {n: c.number_format for n, c in first.items()} == {"base_value": "#,##0.00", "idle_rate": "0.00%",
                                                              "score": "0.0"}
    assert isinstance(first["base_value"].value, float)  # numbers stay numbers
    text = libreoffice_text(out, tmp_path, picture="cli-kpis")
    assert "base_value" in text and "1,235,567.89" in text  # A1 and A2, to the fen, with thousands separators
