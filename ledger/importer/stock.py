"""Each card's `stock_since` (配置审核): the first day it could serve a purchase request — the
earliest timeline entry (card or status change) that makes it 闲置 or 低效运转, or the earliest
调剂 listing; none when neither. A review reads only the fitting cards with `stock_since` on or
before its day (a superset of the candidates, which the timelines then decide exactly), so the
key is kept exact at every import, for every card the import touches."""
from __future__ import annotations

import duckdb

from ledger.importer import stage
from ledger.importer.schema import ASSETS, LISTINGS, STATUS_CHANGES, Table

STOCK_STATUSES = ("idle", "underused")

# what the computation reads of the ledger as it stands (beside import CONTEXT's assets)
CONTEXT: dict[str, tuple[str, dict[str, str]]] = {
    "stored_stock_changes": ("SELECT asset_code, changed_on FROM status_changes WHERE status IN ('idle', 'underused')",
                             {"asset_code": "VARCHAR", "changed_on": "DATE"}),
    "stored_stock_listings": ("SELECT listing_id, asset_code, listed_on FROM listings WHERE mode = 'transfer'",
                              {"listing_id": "VARCHAR", "asset_code": "VARCHAR", "listed_on": "DATE"}),
}

# rows of this file replace stored rows of the same key: the stored ones count only where not replaced
STOCK_SINCE = """
CREATE OR REPLACE TABLE stock_since AS
WITH touched AS (
    SELECT asset_code FROM stage_assets UNION SELECT asset_code FROM stage_status_changes
    UNION SELECT asset_code FROM stage_listings),
cards AS (
    SELECT asset_code, status, status_since FROM stage_assets
    UNION ALL
    SELECT a.code, a.status, a.status_since FROM assets a JOIN touched t ON t.asset_code = a.code
     WHERE NOT EXISTS (SELECT 1 FROM stage_assets s WHERE s.asset_code = a.code)),
entries AS (
    SELECT asset_code, status_since AS on_day FROM cards WHERE status IN ('idle', 'underused')
    UNION ALL
    SELECT asset_code, changed_on FROM stage_status_changes WHERE status IN ('idle', 'underused')
    UNION ALL
    SELECT c.asset_code, c.changed_on FROM stored_stock_changes c JOIN touched t ON t.asset_code = c.asset_code
     WHERE NOT EXISTS (SELECT 1 FROM stage_status_changes s
                        WHERE s.asset_code = c.asset_code AND s.changed_on = c.changed_on)
    UNION ALL
    SELECT asset_code, listed_on FROM stage_listings WHERE mode = 'transfer'
    UNION ALL
    SELECT l.asset_code, l.listed_on FROM stored_stock_listings l JOIN touched t ON t.asset_code = l.asset_code
     WHERE NOT EXISTS (SELECT 1 FROM stage_listings s WHERE s.listing_id = l.listing_id))
SELECT t.asset_code, MIN(e.on_day) AS stock_since
  FROM touched t LEFT JOIN entries e ON e.asset_code = t.asset_code GROUP BY t.asset_code
"""


def compute(duck: duckdb.DuckDBPyConnection, staged: dict[str, tuple[Table, str]]) -> None:
    """Table `stock_since` (asset_code, stock_since) of every card this import touches."""
    for table in (ASSETS, STATUS_CHANGES, LISTINGS):
        if table.key not in staged:
            stage.create_stage(duck, table)  # empty: the SQL reads all three
    duck.execute(STOCK_SINCE)
