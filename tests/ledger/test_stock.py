"""Each card's stock_since: the first day it could serve a purchase request, kept exact by every
import that touches the card, its status changes or its listings."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from ledger.models import Asset
from tests.factories import LedgerBuilder


def since(engine) -> dict[str, dt.date | None]:
    with engine.connect() as conn:
        return dict(conn.execute(select(Asset.code, Asset.stock_since)).all())


def test_the_first_idle_underused_or_listed_day_of_each_card(engine, config, tmp_path):
    b = LedgerBuilder().unit("U1")
    b.asset("IDLE", status="闲置", status_since="2026-05-01")
    b.asset("UNDER", status="低效运转", status_since="2025-03-01")
    b.asset("ONCE", status="在用", status_since="2025-06-01")
    b.change("ONCE", "2024-01-01", "闲置").change("ONCE", "2023-01-01", "低效运转")
    b.asset("LISTED").listing("L1", "LISTED", "2026-02-01")
    b.asset("SHARED").listing("L2", "SHARED", "2026-02-01", mode="共享")  # sharing serves no purchase
    b.asset("NEVER", status="出租", status_since="2022-01-01")
    b.load(engine, config, tmp_path / "a")
    assert since(engine) == {"IDLE": dt.date(2026, 5, 1), "UNDER": dt.date(2025, 3, 1), "ONCE": dt.date(2023, 1, 1),
                             "LISTED": dt.date(2026, 2, 1), "SHARED": None, "NEVER": None}


def test_a_later_import_of_changes_or_listings_alone_moves_it(engine, config, tmp_path):
    b = LedgerBuilder().unit("U1").asset("A1").asset("A2")
    b.change("A1", "2024-01-01", "闲置").change("A1", "2025-01-01", "在用")
    b.load(engine, config, tmp_path / "a")
    assert since(engine) == {"A1": dt.date(2024, 1, 1), "A2": None}
    # the 2024 change corrected to 在用 (same key, replaced); A2 listed for 调剂; neither card in the file
    later = LedgerBuilder().unit("U1").asset("A9").change("A1", "2024-01-01", "在用").listing("L2", "A2", "2026-03-01")
    later.load(engine, config, tmp_path / "b")
    assert since(engine) == {"A1": None, "A2": dt.date(2026, 3, 1), "A9": None}
    # the card itself re-imported idle
    LedgerBuilder().unit("U1").asset("A1", status="闲置", status_since="2026-06-01").load(engine, config, tmp_path / "c")
    assert since(engine)["A1"] == dt.date(2026, 6, 1)
