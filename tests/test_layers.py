"""Dependencies point one way: dashboard, jobs -> outputs -> metrics -> ledger; nothing imports
dashboard or jobs."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAY_NOT = {  # package -> packages it must never import
    "ledger": {"metrics", "outputs", "jobs", "dashboard"},
    "metrics": {"outputs", "jobs", "dashboard"},
    "outputs": {"jobs", "dashboard"},
    "jobs": {"dashboard"},
    "dashboard": {"jobs"},
}


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("package", sorted(MAY_NOT))
def test_a_package_never_imports_the_layers_above_it(package):
    wrong = [f"{path.relative_to(ROOT)} imports {name}" for path in sorted((ROOT / package).rglob("*.py"))
             for name in imported(path) if name.split(".")[0] in MAY_NOT[package]]
    assert wrong == []



def test_pages_never_import_pages():
    """What two pages share is a component (dashboard/components/), not one page reaching into another."""
    pages = ROOT / "dashboard" / "pages"
    wrong = [f"{path.name} imports {name}" for path in sorted(pages.glob("*.py"))
             for name in imported(path) if name.startswith("dashboard.pages")]
    assert wrong == []


def test_pages_and_components_read_nothing_but_through_queries():
    """No page or component builds SQL: reads go through dashboard.queries, which takes the caller's Scope."""
    folders = [ROOT / "dashboard" / "pages", ROOT / "dashboard" / "components"]
    wrong = [f"{path.name} imports {name}" for folder in folders for path in sorted(folder.glob("*.py"))
             for name in imported(path) if name.split(".")[0] == "sqlalchemy"]
    assert wrong == []
