"""Accountability lists of warnings.md (通报 notice, 约谈 interview, 问责 accountability, 预算约束
budget), in DuckDB over the month's ranked departments and regions, their red warnings and the
lists of the two months before."""
from __future__ import annotations

from collections import defaultdict

import duckdb

from ledger.config import Config

# one row per (list, level, code, reason); reasons of a member keep the order of `ord`
REASONS = """
CREATE OR REPLACE TABLE list_reasons AS
WITH reds AS (
    SELECT level, code, COUNT(*) AS n FROM (
        SELECT 'department' AS level, dept_code AS code FROM warnings WHERE level = 'red'
        UNION ALL SELECT 'region', region_code FROM warnings WHERE level = 'red') GROUP BY level, code),
ranked AS (
    SELECT k.level, k.code, k.name, k.region_code, k.rank, k.peer_size, k.idle_rate, k.overdue_idle_rate,
           -- k = max(1, ceil(share·n)), rounded first so 0.1·30 is 3, not 3.0000000000000004 -> 4
           CAST(greatest(1, ceil(round($share * k.peer_size, 9))) AS INTEGER) AS k,
           COALESCE(reds.n, 0) AS reds
      FROM kpis k LEFT JOIN reds USING (level, code)
     WHERE k.level IN ('department', 'region') AND k.rank IS NOT NULL),
flagged AS (
    SELECT *, peer_size >= 3 AND rank > peer_size - k AS on_notice,
           EXISTS (SELECT 1 FROM list_entries_prev p WHERE p.list = 'notice' AND p.level = ranked.level
                   AND p.code = ranked.code) AS notice_before,
           EXISTS (SELECT 1 FROM list_entries_prev p WHERE p.list = 'interview' AND p.level = ranked.level
                   AND p.code = ranked.code)
           AND EXISTS (SELECT 1 FROM list_entries_prev2 p WHERE p.list = 'interview' AND p.level = ranked.level
                       AND p.code = ranked.code) AS interviewed_twice
      FROM ranked),
members AS (
    SELECT *, (on_notice AND notice_before) OR reds >= $red_limit
              OR COALESCE(overdue_idle_rate >= $overdue_limit, false) AS interview
      FROM flagged)
SELECT 'notice' AS list, level, code, name, region_code, 1 AS ord, 'bottom' AS rule, rank, peer_size, k,
       NULL::INTEGER AS count, NULL::DOUBLE AS rate, NULL::DOUBLE AS "limit"
  FROM members WHERE on_notice
UNION ALL
SELECT 'interview', level, code, name, region_code, 1, 'notice_twice', NULL, NULL, NULL, NULL, NULL, NULL
  FROM members WHERE on_notice AND notice_before
UNION ALL
SELECT 'interview', level, code, name, region_code, 2, 'red_warnings', NULL, NULL, NULL, reds, NULL, $red_limit
  FROM members WHERE reds >= $red_limit
UNION ALL
SELECT 'interview', level, code, name, region_code, 3, 'overdue_idle', NULL, NULL, NULL, NULL, overdue_idle_rate,
       $overdue_limit
  FROM members WHERE overdue_idle_rate >= $overdue_limit
UNION ALL
SELECT 'accountability', level, code, name, region_code, 1, 'interview_three_months', NULL, NULL, NULL, NULL, NULL,
       NULL
  FROM members WHERE interview AND interviewed_twice
UNION ALL
SELECT 'budget_restriction', level, code, name, region_code, 1, 'idle_rate', NULL, NULL, NULL, NULL, idle_rate,
       $budget_limit
  FROM members WHERE idle_rate >= $budget_limit
"""
# what a reason keeps beside its rule: the figures it was decided on and the threshold (`limit`);
# how it reads is outputs.phrasing's
REASON_FIELDS = ("rank", "peer_size", "k", "count", "rate", "limit")


def compute_lists(duck: duckdb.DuckDBPyConnection, config: Config) -> list[dict]:
    """The month's list entries: {list, level, code, name, region_code, reasons: [{rule, figures, limit}]}."""
    duck.execute(REASONS, {"share": config["lists.notice_share"], "red_limit": config["lists.red_warning_limit"],
                           "overdue_limit": config["lists.overdue_idle_limit"],
                           "budget_limit": config["lists.budget_idle_limit"]})
    rows = duck.execute("SELECT * FROM list_reasons ORDER BY list, level, code, ord").fetchall()
    columns = [c[0] for c in duck.description]
    entries: dict[tuple, dict] = defaultdict(lambda: {"reasons": []})
    for values in rows:
        row = dict(zip(columns, values))
        entry = entries[(row["list"], row["level"], row["code"])]
        entry.update({k: row[k] for k in ("list", "level", "code", "name", "region_code")})
        entry["reasons"].append({"rule": row["rule"], **{k: row[k] for k in REASON_FIELDS if row[k] is not None}})
    return list(entries.values())
