"""A county's import touches its own region only, a department's its own units only (reporting.md);
a unit the ledger does not have is added by the finance bureau; every import is in the audit log."""
from __future__ import annotations

from sqlalchemy import func, select

from ledger import audit
from ledger.importer import import_path
from ledger.models import Asset, AuditEntry, Plan, Unit
from ledger.scope import Scope
from tests.factories import LedgerBuilder

HOME, OTHER = "990102", "990103"


def loaded(engine, config, folder):
    b = (LedgerBuilder().unit("H1", dept="DH", region=HOME).unit("O1", dept="DO", region=OTHER)
         .asset("HA", unit="H1").asset("OA", unit="O1"))
    assert b.load(engine, config, folder / "first").ok
    return engine


def counts(engine):
    with engine.connect() as conn:
        return [conn.execute(select(func.count()).select_from(m)).scalar_one() for m in (Unit, Asset, Plan)]


def test_county_import_inside_its_region_loads(engine, config, tmp_path):
    loaded(engine, config, tmp_path)
    b = LedgerBuilder().unit("H1", dept="DH", region=HOME).asset("HB", unit="H1").asset("HC", unit="H1")
    b.plan("P1", "HA", "2025-01-01", "2025-06-30")
    result = import_path(engine, b.write(tmp_path / "mine"), config, username="county", scope=Scope("region", HOME))
    assert result.ok, result.problems
    assert counts(engine) == [2, 4, 1]


def test_a_new_unit_is_added_by_the_finance_bureau_only(engine, config, tmp_path):
    loaded(engine, config, tmp_path)
    b = LedgerBuilder().unit("H2", dept="DH", region=HOME).asset("HB", unit="H2")
    for scope in (Scope("region", HOME), Scope("department", "DH")):
        result = import_path(engine, b.write(tmp_path / scope.kind), config, username="x", scope=scope)
        assert [str(p) for p in result.problems] == [
            "单位.csv 第2行 单位编码「H2」：新单位须由监管人员导入，本账号只能报送已有单位 / a new unit is added by a supervisor only"]
    assert import_path(engine, b.write(tmp_path / "city"), config, username="supervisor", scope=Scope("all")).ok


def test_a_department_imports_its_own_units_and_one_foreign_row_refuses_the_file(engine, config, tmp_path):
    loaded(engine, config, tmp_path)
    before = counts(engine)
    b = LedgerBuilder().unit("H1", dept="DH", region=HOME).asset("HB", unit="H1").asset("OB", unit="O1")
    b.plan("P1", "OA", "2025-01-01", "2025-06-30")
    result = import_path(engine, b.write(tmp_path / "dept"), config, username="dh", scope=Scope("department", "DH"))
    assert [str(p) for p in result.problems] == [
        "资产卡片.csv 第3行 单位编码「O1」：不在本账号范围内 / outside this account's scope",
        "盘活台账.csv 第2行 资产编号「OA」：不在本账号范围内 / outside this account's scope"]
    assert counts(engine) == before
    mine = LedgerBuilder().unit("H1", dept="DH", region=HOME).asset("HB", unit="H1")
    assert import_path(engine, mine.write(tmp_path / "mine"), config, username="dh", scope=Scope("department", "DH")).ok


def test_county_import_touching_another_region_is_refused_and_changes_nothing(engine, config, tmp_path):
    loaded(engine, config, tmp_path)
    before = counts(engine)
    b = (LedgerBuilder().unit("H2", dept="DH", region=HOME).unit("X1", dept="DX", region=OTHER)
         .unit("O1", dept="DH", region=HOME)            # takes over another region's unit
         .asset("HB", unit="H2").asset("OB", unit="O1")
         .asset("OA", unit="H2"))                       # takes over another region's asset
    b.plan("P1", "OA", "2025-01-01", "2025-06-30")
    result = import_path(engine, b.write(tmp_path / "theirs"), config, username="county", scope=Scope("region", HOME))
    assert not result.ok
    text = [str(p) for p in result.problems]
    assert "单位.csv 第3行 区划编码「990103」：不在本账号范围内 / outside this account's scope" in text
    assert any(t.startswith("单位.csv 第4行 单位编码「O1」：不在本账号范围内") for t in text)
    assert any(t.startswith("资产卡片.csv 第4行 资产编号「OA」：不在本账号范围内") for t in text)
    assert counts(engine) == before


def test_plan_for_a_stored_asset_of_another_region_is_refused(engine, config, tmp_path):
    loaded(engine, config, tmp_path)
    b = LedgerBuilder().unit("H1", dept="DH", region=HOME)
    b.tables["assets"].append(dict(LedgerBuilder().asset("HA", unit="H1").tables["assets"][0]))
    b.plan("P9", "OA", "2025-01-01", "2025-06-30")
    result = import_path(engine, b.write(tmp_path / "plan"), config, username="county", scope=Scope("region", HOME))
    assert [p.value for p in result.problems] == ["OA"]


def test_each_import_writes_one_audit_entry_with_row_counts(engine, config, tmp_path):
    loaded(engine, config, tmp_path)
    bad = LedgerBuilder().unit("H2", dept="DH", region=HOME).asset("HB", unit="NOPE")
    import_path(engine, bad.write(tmp_path / "bad"), config, username="alice", address="10.0.0.7", role="county")
    with engine.connect() as conn:
        entries = conn.execute(select(AuditEntry).order_by(AuditEntry.id)).all()
    # the shell's import names its account as every CLI entry does; an upload names its role
    assert [(e.action, e.actor, e.role) for e in entries] == [("import", audit.cli_actor(), None),
                                                              ("import.failed", "alice", "county")]
    assert entries[0].after["rows"] == {"units": 2, "assets": 2}
    assert entries[1].address == "10.0.0.7" and "单位编码不存在" in entries[1].detail


def test_a_county_is_not_told_where_another_regions_department_sits(engine, config, tmp_path):
    loaded(engine, config, tmp_path)
    # the county files a unit under department DO, which the ledger holds in the other region
    b = LedgerBuilder().unit("H3", dept="DO", region=HOME)
    result = import_path(engine, b.write(tmp_path / "county"), config, username="county", scope=Scope("region", HOME))
    assert not result.ok
    said = " ".join(str(p) for p in result.problems)
    assert "DO" in said and OTHER not in said
    # a supervisor (no region) is told, to fix the file
    result = import_path(engine, b.write(tmp_path / "city"), config, username="supervisor")
    assert OTHER in " ".join(str(p) for p in result.problems)


def test_what_lies_outside_the_scope_is_listed_first_and_every_sheet_counted(engine, config, tmp_path):
    """A department sending another department's file: the other unit heads the list, before the
    problems that follow from it in other sheets, even when those alone would fill the list."""
    loaded(engine, config, tmp_path)
    b = LedgerBuilder().unit("O1", dept="DO", region=OTHER)
    for code in ("OB", "OC", "OD"):
        b.asset(code, unit="O1", original_value="一千元")
    result = import_path(engine, b.write(tmp_path / "other"), config.replace(import__max_errors=2), username="dh",
                         scope=Scope("department", "DH"))
    assert [str(p) for p in result.problems] == [
        "单位.csv 第2行 主管部门编码「DO」：不在本账号范围内 / outside this account's scope",
        "单位.csv 第2行 单位编码「O1」：不在本账号范围内 / outside this account's scope"]
    assert result.problem_total == 5 and result.where_problems_are() == "单位.csv 2，资产卡片.csv 3"
    assert counts(engine) == [2, 2, 0]
