"""Base figures, scores and ranks of metrics.md for one snapshot date D, in DuckDB.

The status timeline of every asset (metrics.spans) is built first; one scan of it builds `facts` (every asset in scope on D with its place, status
and months idle); the unit figures are three GROUP BYs (facts, plans, income); every level
above a unit is a sum of unit rows (max for max_months_idle). Rates and scores come from
metrics.definitions; every threshold is a bound parameter.
"""
from __future__ import annotations

import datetime as dt

import duckdb

from ledger.config import Config
from ledger.models import HELPER_FIELDS, KPI_FIELDS, SCORE_NAMES
from ledger.vocab import POOL_STATUSES
from metrics.definitions import INDICATORS, composite_sql, overdue_months, score_params, sub_score_sql
from metrics.spans import make_spans
from metrics.timeline import year_before

# income received $late (D − remit_deadline_days) or earlier and not fully turned over by D:
# counted in late_income_count and warned as remit_late
LATE_INCOME = ("received_on <= $late AND (remitted_on IS NULL OR remitted_on > $d "
               "OR remitted_amount < amount)")
CITY_NAME = "全市"

ADDITIVE = [name for name, kind in KPI_FIELDS if kind in ("count", "money")] + ["sum_months_idle", "pool_ok_count"]
KPI_COLUMNS = ["level", "code", "name", "dept_code", "region_code",
               *[f"score_{n}" for n in SCORE_NAMES], "score", "rank", "rank_change", "peer_size",
               *[n for n, _ in KPI_FIELDS + HELPER_FIELDS]]

MACROS = """
CREATE OR REPLACE MACRO month_index(x) AS year(x) * 12 + month(x);
-- metrics.md: whole months from s to e; k = 1 when e.day < s.day and e is not its month's last day
CREATE OR REPLACE MACRO months_between(s, e) AS
    month_index(e) - month_index(s) - CASE WHEN day(e) < day(s) AND e <> last_day(e) THEN 1 ELSE 0 END;
"""

PLACE = """
CREATE OR REPLACE TABLE place AS
SELECT a.code AS asset_code, a.unit_code, u.dept_code, dp.region_code
  FROM assets a JOIN units u ON u.code = a.unit_code JOIN departments dp ON dp.code = u.dept_code
"""

FACTS = """
CREATE OR REPLACE TABLE facts AS
WITH listed AS (SELECT DISTINCT asset_code FROM listings
                 WHERE listed_on <= $d AND (delisted_on IS NULL OR delisted_on > $d))
SELECT p.asset_code, p.unit_code, p.dept_code, p.region_code, a.category, a.original_value AS value,
       a.photo_count, a.location, s.status,
       -- months_between(run start, D): D is a month's last day, so k is always 0
       CASE WHEN s.status = 'idle' THEN month_index($d) - month_index(s.run_start) END AS months_idle,
       l.asset_code IS NOT NULL AS listed,
       s.status IN (SELECT unnest($pool)) AS pool,
       a.photo_count >= 1 AND a.location IS NOT NULL AND a.location <> '' AS record_ok
  FROM spans s JOIN assets a ON a.code = s.asset_code JOIN place p ON p.asset_code = s.asset_code
  LEFT JOIN listed l ON l.asset_code = s.asset_code
 WHERE s.start_on <= $d AND (s.end_on IS NULL OR s.end_on > $d) AND s.status <> 'disposed'
   AND a.acquired_on <= $d;
"""

UNIT_FIGURES = """
CREATE OR REPLACE TABLE unit_figures AS
WITH asset_part AS (
    SELECT unit_code,
           COUNT(*) AS asset_count,
           SUM(value) AS base_value,
           COUNT(*) FILTER (status = 'idle') AS idle_count,
           COALESCE(SUM(value) FILTER (status = 'idle'), 0) AS idle_value,
           COALESCE(SUM(value) FILTER (status = 'underused'), 0) AS underused_value,
           COALESCE(SUM(value) FILTER (status = 'pending_disposal'), 0) AS pending_disposal_value,
           COALESCE(SUM(value) FILTER (status IN ('leased', 'lent')), 0) AS leased_value,
           COUNT(*) FILTER (months_idle >= $overdue) AS overdue_idle_count,
           COALESCE(SUM(value) FILTER (months_idle >= $overdue), 0) AS overdue_idle_value,
           COALESCE(SUM(months_idle), 0) AS sum_months_idle,
           MAX(months_idle) AS max_months_idle,
           COUNT(*) FILTER (pool) AS pool_count,
           COUNT(*) FILTER (pool AND record_ok) AS pool_ok_count,
           COALESCE(SUM(value) FILTER (status = 'idle' AND listed), 0) AS listed_idle_value
      FROM facts GROUP BY unit_code),
plan_part AS (
    SELECT a.unit_code,
           COUNT(*) FILTER (p.listed_on <= $d) AS plan_count,
           COALESCE(SUM(a.original_value) FILTER (p.listed_on <= $d), 0) AS plan_value,
           COALESCE(SUM(a.original_value) FILTER (p.listed_on <= $d AND p.done_on <= $d), 0) AS done_value,
           COALESCE(SUM(a.original_value) FILTER (p.due_on <= $d), 0) AS due_value,
           COALESCE(SUM(a.original_value) FILTER (p.due_on <= $d AND p.done_on <= $d), 0) AS due_done_value,
           COUNT(*) FILTER (p.due_on < $d AND (p.done_on IS NULL OR p.done_on > $d)) AS overdue_plan_count
      FROM plans p JOIN assets a ON a.code = p.asset_code GROUP BY a.unit_code),
income_part AS (
    SELECT a.unit_code,
           COALESCE(SUM(i.amount) FILTER (i.received_on > $y AND i.received_on <= $d), 0) AS income_received,
           COALESCE(SUM(i.remitted_amount) FILTER (i.received_on > $y AND i.received_on <= $d
                                                   AND i.remitted_on <= $d), 0) AS income_remitted,
           COALESCE(SUM(i.amount) FILTER (i.kind = 'lease' AND i.received_on > $y AND i.received_on <= $d), 0)
               AS lease_income_received,
           COALESCE(SUM(i.remitted_amount) FILTER (i.kind = 'lease' AND i.received_on > $y
                                                   AND i.received_on <= $d AND i.remitted_on <= $d), 0)
               AS lease_income_remitted,
           COUNT(*) FILTER ({late_income}) AS late_income_count
      FROM income i JOIN assets a ON a.code = i.asset_code GROUP BY a.unit_code)
SELECT u.code AS unit_code, u.name AS unit_name, u.dept_code, dp.name AS dept_name, dp.region_code,
       r.name AS region_name, {additive}, x.max_months_idle
  FROM units u JOIN departments dp ON dp.code = u.dept_code JOIN regions r ON r.code = dp.region_code
  LEFT JOIN asset_part x ON x.unit_code = u.code
  LEFT JOIN plan_part p ON p.unit_code = u.code
  LEFT JOIN income_part i ON i.unit_code = u.code;
"""

LEVELS = """
CREATE OR REPLACE TABLE figures AS
SELECT 'unit' AS level, unit_code AS code, unit_name AS name, dept_code, region_code, {columns}
  FROM unit_figures
UNION ALL
SELECT 'department', dept_code, any_value(dept_name), dept_code, any_value(region_code), {sums}
  FROM unit_figures GROUP BY dept_code
UNION ALL
SELECT 'region', region_code, any_value(region_name), NULL, region_code, {sums}
  FROM unit_figures GROUP BY region_code
UNION ALL
SELECT 'city', $city_code, $city_name, NULL, NULL, {sums} FROM unit_figures;
"""

SCORED = """
WITH rated AS (SELECT *, {rates} FROM {source}),
     subs AS (SELECT *, {subs} FROM rated)
SELECT *, {composite} AS score FROM subs
"""

# metrics.md "Rank": score desc, idle_rate asc (undefined last), code asc, within each peer group;
# a row without assets is not ranked and not counted (its group's size is shown beside it all the same)
RANKED = """
CREATE OR REPLACE TABLE kpis AS
WITH grouped AS (
    SELECT *, CASE level WHEN 'unit' THEN 'unit:' || dept_code
                         WHEN 'department' THEN 'department:' || region_code
                         WHEN 'region' THEN CASE WHEN code <> $city_code THEN 'region' END END AS peer
      FROM scored),
ranks AS (
    SELECT level, code, ROW_NUMBER() OVER (PARTITION BY peer ORDER BY score DESC, idle_rate ASC NULLS LAST,
                                                                     code ASC) AS rank
      FROM grouped WHERE peer IS NOT NULL AND asset_count > 0),
sizes AS (SELECT peer, COUNT(*) FILTER (asset_count > 0) AS peer_size FROM grouped
           WHERE peer IS NOT NULL GROUP BY peer)
SELECT g.* EXCLUDE (peer), r.rank, before.rank - r.rank AS rank_change, s.peer_size
  FROM grouped g LEFT JOIN ranks r USING (level, code) LEFT JOIN sizes s USING (peer)
  LEFT JOIN kpi_rows_prev before ON before.level = g.level AND before.code = g.code;
"""


def build_timeline(duck: duckdb.DuckDBPyConnection) -> None:
    """Macros, every asset's status timeline (`spans`) and its place (`place`: unit, department,
    region): what every snapshot date reads."""
    duck.execute(MACROS)
    duck.execute("CREATE OR REPLACE VIEW timeline_assets AS SELECT code, acquired_on, status, status_since FROM assets")
    duck.execute("CREATE OR REPLACE VIEW timeline_changes AS SELECT asset_code, changed_on, status FROM status_changes")
    make_spans(duck)
    duck.execute(PLACE)


def prepare(duck: duckdb.DuckDBPyConnection, d: dt.date) -> None:
    """The per-asset `facts` of D."""
    duck.execute(FACTS, {"d": d, "pool": list(POOL_STATUSES)})


def compute_kpis(duck: duckdb.DuckDBPyConnection, d: dt.date, config: Config) -> None:
    """Table `kpis`: one row per (level, code) with every figure, sub-score, score and rank."""
    additive = ", ".join(f"CAST(COALESCE({n}, 0) AS BIGINT) AS {n}" for n in ADDITIVE)  # SUM gives HUGEINT
    duck.execute(UNIT_FIGURES.format(additive=additive, late_income=LATE_INCOME), {
        "d": d, "y": year_before(d), "overdue": overdue_months(config),
        "late": d - dt.timedelta(days=config["warnings.remit_deadline_days"])})
    sums = ", ".join([*(f"SUM({n})::BIGINT AS {n}" for n in ADDITIVE), "MAX(max_months_idle) AS max_months_idle"])
    duck.execute(LEVELS.format(columns=", ".join([*ADDITIVE, "max_months_idle"]), sums=sums),
                 {"city_code": config["org.city_region_code"], "city_name": CITY_NAME})
    duck.execute(f"CREATE OR REPLACE TABLE scored AS {scoring_sql('figures')}", score_params(config))
    rank(duck, config)


def rank(duck: duckdb.DuckDBPyConnection, config: Config) -> None:
    """Table `kpis`: `scored` with rank, rank_change (against `kpi_rows_prev`) and peer_size."""
    duck.execute(RANKED, {"city_code": config["org.city_region_code"]})


def scoring_sql(source: str) -> str:
    """SELECT the rows of figures of `source` with every rate, sub-score and the score added."""
    rates = ", ".join(f"{i.sql} AS {i.key}" for i in INDICATORS)
    subs = ", ".join(f"{sub_score_sql(n)} AS score_{n}" for n in SCORE_NAMES)
    return SCORED.format(source=source, rates=rates, subs=subs, composite=composite_sql())
