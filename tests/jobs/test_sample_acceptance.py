"""The qingjiang-3k sample: import + compute 2026-08..10 + export reproduce expected/ exactly."""
from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from jobs.cli import main
from tests.expected import differences, read_rows
from tests.helpers import SAMPLE, as_xls

# On a developer's machine without ../shared the test is skipped; in CI it must run.
pytestmark = pytest.mark.skipif(not SAMPLE.exists() and not os.environ.get("CI"),
                                reason="../shared/samples not present")


def run_cli(config, *args):
    result = CliRunner().invoke(main, list(args), env={"PANHUO_DATABASE_URL": config.database_url,
                                                        "PANHUO_ORG_CITY_REGION_CODE": "990100"})
    assert result.exit_code == 0, result.output
    return result


def export_all(config, out):
    actual = {"kpis": [], "warnings": [], "lists": []}
    for kind in actual:
        for month in ("2026-08", "2026-09", "2026-10"):
            path = out / f"{kind}-{month}.csv"
            run_cli(config, "export", kind, "--month", month, "--out", str(path))
            actual[kind] += read_rows(path)
    return actual


# older asset systems export Excel 97–2003 workbooks: the sample saved so by LibreOffice
@pytest.mark.parametrize("source", ["export", "ledger.xlsx", pytest.param("ledger.xls", marks=pytest.mark.slow)])
def test_sample_reproduces_expected_figures(engine, config, tmp_path, source):
    path = as_xls(SAMPLE / "ledger.xlsx", tmp_path) if source == "ledger.xls" else SAMPLE / source
    run_cli(config, "import", str(path))
    run_cli(config, "compute", "--from", "2026-08", "--to", "2026-10")
    actual = export_all(config, tmp_path)
    for kind, rows in actual.items():
        expected = read_rows(SAMPLE / "expected" / f"{kind}.csv")
        assert len(rows) == len(expected), kind
        assert differences(kind, expected, rows) == [], kind


@pytest.mark.slow  # seconds of its own: the full lane's
def test_xlsx_and_csv_give_identical_snapshots(engine, config, tmp_path):
    run_cli(config, "import", str(SAMPLE / "export"))
    run_cli(config, "compute", "--month", "2026-10")
    from_csv = export_all_month(config, tmp_path / "csv")
    run_cli(config, "import", str(SAMPLE / "ledger.xlsx"))  # same keys: an upsert that changes nothing
    run_cli(config, "compute", "--month", "2026-10")
    from_xlsx = export_all_month(config, tmp_path / "xlsx")
    assert from_csv == from_xlsx


def export_all_month(config, out):
    out.mkdir()
    rows = {}
    for kind in ("kpis", "warnings", "lists"):
        path = out / f"{kind}.csv"
        run_cli(config, "export", kind, "--month", "2026-10", "--out", str(path))
        rows[kind] = read_rows(path)
    return rows

