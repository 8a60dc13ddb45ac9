"""The browser's side of the portal is the same on either database: on PostgreSQL (the second lane)
only the visit of every page by every role runs, which is where a query of the production database
could fail a page; the rest of the browser tests run once, in the SQLite lane. Every callback and
route they drive is also called on PostgreSQL directly (tests/dashboard/). This keeps `.ci/run`
within its 20 minutes on a slow 2-core machine (the browser tests took 4 minutes in each lane)."""
from __future__ import annotations

import os

import pytest

ON_BOTH = {"test_each_role_visits_its_pages"}


def pytest_collection_modifyitems(config, items):
    if not os.environ.get("PANHUO_DATABASE_URL"):
        return
    once = pytest.mark.skip(reason="the browser's side runs once, in the SQLite lane (tests/browser/conftest.py)")
    for item in items:
        if item.path.parent.name == "browser" and item.originalname not in ON_BOTH:
            item.add_marker(once)
