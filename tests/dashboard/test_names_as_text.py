"""Names from the ledger are shown as text everywhere: a name written as markdown or HTML never
becomes a link or markup; links are only those the portal builds, to its own pages."""
import json
import re
from pathlib import Path

from ledger import accounts
from ledger.db import session_scope
from metrics.snapshot import compute_snapshot
from tests.city import PASSWORD, login, make_app
from tests.dashboard.callbacks import call, grids
from tests.factories import LedgerBuilder

PHISH = "整改通知](https://evil.example/phish)[."
UNIT = "<img src=x onerror=alert(1)>单位"
PAGES = Path(__file__).resolve().parents[2] / "dashboard"


def test_no_grid_renders_data_as_markdown():
    # the markdown renderer would turn a name such as PHISH into a link to another site
    sources = [p for p in PAGES.rglob("*.py") if '"markdown"' in p.read_text(encoding="utf-8")]
    assert sources == []


def _links(payload: dict) -> list[tuple[str, str]]:
    """(shown text, address) of every linking grid cell in a callback's answer."""
    return [(row[col["field"]], row[col["cellRendererParams"]["href"]])
            for grid in grids(payload) for col in grid["columnDefs"] if col.get("cellRenderer") == "DataLink"
            for row in grid["rowData"]]


def test_a_department_named_like_a_link_is_shown_as_its_name(engine, config, tmp_path, portal):
    # `portal`: the session's app serves first in this process (conftest.portal says why)
    b = LedgerBuilder()
    b.unit("U1", dept="D1", dept_name=PHISH, unit_name=UNIT).unit("U2", dept="D2")
    b.asset("A1", unit="U1", status="闲置", status_since="2025-01-01").asset("A2", unit="U2")
    b.load(engine, config, tmp_path)
    compute_snapshot(engine, "2026-10", config)
    with session_scope(engine, write=True) as s:
        accounts.add_user(s, "leader", "leader", PASSWORD)
    client = make_app(config).test_client()
    login(client, "leader")

    status, ranking = call(client, [("rankings-body", "children")],
                           [("rankings-month", "value", "2026-10"), ("rankings-region", "value", None)])
    assert status == 200
    links = _links(ranking)
    assert (PHISH, "/department?code=D1") in links
    status, department = call(client, [("department-body", "children"), ("department-title", "children")],
                              [("department-month", "value", "2026-10")], [("department-code", "data", "D1")])
    assert status == 200
    assert (UNIT, "/unit?code=U1") in _links(department)
    every = _links(ranking) + _links(department)
    assert all(re.fullmatch(r"/[a-z-]+\?code=[A-Za-z0-9%]+", href) for _, href in every), every
    assert "https://evil.example" not in json.dumps([h for _, h in every])
