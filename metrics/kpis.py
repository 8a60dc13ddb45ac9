"""Base figures of metrics.md for one snapshot date, at unit, department, region and city level.

The heavy work runs in the database: three GROUP BY queries (assets in scope, plans,
income) return one row per unit. Everything above unit level is a sum of unit rows
(max for max_months_idle), so the rest is small and done with pandas.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, Date, bindparam, text

from ledger.models import KPI_FIELDS
from ledger.vocab import POOL_STATUSES
from metrics.timeline import year_before

OVERDUE_MONTHS = 6  # "idle for 6 months or more" is the policy's definition of overdue idle

ADDITIVE = [name for name, kind in KPI_FIELDS if kind in ("count", "money")] + ["sum_months_idle", "pool_ok_count"]


def month_index_sql(conn: Connection, column: str) -> str:
    """SQL for year·12 + month of a date column, on SQLite and PostgreSQL."""
    if conn.dialect.name == "sqlite":
        return f"(CAST(strftime('%Y', {column}) AS INTEGER) * 12 + CAST(strftime('%m', {column}) AS INTEGER))"
    return f"(CAST(EXTRACT(YEAR FROM {column}) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM {column}) AS INTEGER))"


def query(conn: Connection, sql: str, **params):
    """Run SQL with date parameters typed as dates on every database."""
    statement = text(sql).bindparams(
        *[bindparam(k, type_=Date()) for k, v in params.items() if isinstance(v, dt.date)])
    return conn.execute(statement, params)


def in_scope_sql(alias_span: str = "s", alias_asset: str = "a") -> str:
    """Condition: the span holds on :d and the asset is in scope (exists, not disposed)."""
    return (f"{alias_span}.start_on <= :d AND ({alias_span}.end_on IS NULL OR {alias_span}.end_on > :d) "
            f"AND {alias_span}.status <> 'disposed' AND {alias_asset}.acquired_on <= :d")


def months_idle_sql(conn: Connection) -> str:
    """months_between(run_start, D) for D the last day of its month: k is always 0."""
    return f"(:dm - {month_index_sql(conn, 's.run_start')})"


def _asset_figures(conn: Connection, d: dt.date) -> pd.DataFrame:
    idle = "s.status = 'idle'"
    months = months_idle_sql(conn)
    overdue = f"{idle} AND {months} >= {OVERDUE_MONTHS}"
    pool = "s.status IN (" + ", ".join(f"'{p}'" for p in POOL_STATUSES) + ")"
    listed = ("EXISTS (SELECT 1 FROM listings l WHERE l.asset_code = a.code AND l.listed_on <= :d "
              "AND (l.delisted_on IS NULL OR l.delisted_on > :d))")
    sql = f"""
        SELECT a.unit_code AS unit_code,
               COUNT(*) AS asset_count,
               SUM(a.original_value) AS base_value,
               SUM(CASE WHEN {idle} THEN 1 ELSE 0 END) AS idle_count,
               SUM(CASE WHEN {idle} THEN a.original_value ELSE 0 END) AS idle_value,
               SUM(CASE WHEN s.status = 'underused' THEN a.original_value ELSE 0 END) AS underused_value,
               SUM(CASE WHEN s.status = 'pending_disposal' THEN a.original_value ELSE 0 END) AS pending_disposal_value,
               SUM(CASE WHEN s.status IN ('leased', 'lent') THEN a.original_value ELSE 0 END) AS leased_value,
               SUM(CASE WHEN {overdue} THEN 1 ELSE 0 END) AS overdue_idle_count,
               SUM(CASE WHEN {overdue} THEN a.original_value ELSE 0 END) AS overdue_idle_value,
               SUM(CASE WHEN {idle} THEN {months} ELSE 0 END) AS sum_months_idle,
               MAX(CASE WHEN {idle} THEN {months} END) AS max_months_idle,
               SUM(CASE WHEN {pool} THEN 1 ELSE 0 END) AS pool_count,
               SUM(CASE WHEN {pool} AND a.photo_count >= 1 AND a.location IS NOT NULL AND a.location <> ''
                        THEN 1 ELSE 0 END) AS pool_ok_count,
               SUM(CASE WHEN {idle} AND {listed} THEN a.original_value ELSE 0 END) AS listed_idle_value
          FROM status_spans s JOIN assets a ON a.code = s.asset_code
         WHERE {in_scope_sql()}
         GROUP BY a.unit_code"""
    rows = query(conn, sql, d=d, dm=d.year * 12 + d.month)
    return pd.DataFrame(rows.fetchall(), columns=list(rows.keys()))


def _plan_figures(conn: Connection, d: dt.date) -> pd.DataFrame:
    done = "p.done_on IS NOT NULL AND p.done_on <= :d"
    sql = f"""
        SELECT a.unit_code AS unit_code,
               SUM(CASE WHEN p.listed_on <= :d THEN 1 ELSE 0 END) AS plan_count,
               SUM(CASE WHEN p.listed_on <= :d THEN a.original_value ELSE 0 END) AS plan_value,
               SUM(CASE WHEN p.listed_on <= :d AND {done} THEN a.original_value ELSE 0 END) AS done_value,
               SUM(CASE WHEN p.due_on <= :d THEN a.original_value ELSE 0 END) AS due_value,
               SUM(CASE WHEN p.due_on <= :d AND {done} THEN a.original_value ELSE 0 END) AS due_done_value,
               SUM(CASE WHEN p.due_on < :d AND NOT ({done}) THEN 1 ELSE 0 END) AS overdue_plan_count
          FROM plans p JOIN assets a ON a.code = p.asset_code
         GROUP BY a.unit_code"""
    rows = query(conn, sql, d=d)
    return pd.DataFrame(rows.fetchall(), columns=list(rows.keys()))


def late_income_sql() -> str:
    """Condition for an income row counted in late_income_count (and warned as remit_late)."""
    return ("i.received_on <= :late AND (i.remitted_on IS NULL OR i.remitted_on > :d "
            "OR i.remitted_amount < i.amount)")


def _income_figures(conn: Connection, d: dt.date, remit_deadline_days: int) -> pd.DataFrame:
    window = "i.received_on > :y AND i.received_on <= :d"
    remitted = "i.remitted_on IS NOT NULL AND i.remitted_on <= :d"
    lease = "i.kind = 'lease'"
    sql = f"""
        SELECT a.unit_code AS unit_code,
               SUM(CASE WHEN {window} THEN i.amount ELSE 0 END) AS income_received,
               SUM(CASE WHEN {window} AND {remitted} THEN i.remitted_amount ELSE 0 END) AS income_remitted,
               SUM(CASE WHEN {window} AND {lease} THEN i.amount ELSE 0 END) AS lease_income_received,
               SUM(CASE WHEN {window} AND {lease} AND {remitted} THEN i.remitted_amount ELSE 0 END)
                   AS lease_income_remitted,
               SUM(CASE WHEN {late_income_sql()} THEN 1 ELSE 0 END) AS late_income_count
          FROM income i JOIN assets a ON a.code = i.asset_code
         GROUP BY a.unit_code"""
    rows = query(conn, sql, d=d, y=year_before(d), late=d - dt.timedelta(days=remit_deadline_days))
    return pd.DataFrame(rows.fetchall(), columns=list(rows.keys()))


def organisation(conn: Connection) -> pd.DataFrame:
    """Every unit with its department and region, names included."""
    rows = conn.execute(text(
        "SELECT u.code AS unit_code, u.name AS unit_name, d.code AS dept_code, d.name AS dept_name, "
        "r.code AS region_code, r.name AS region_name FROM units u "
        "JOIN departments d ON d.code = u.dept_code JOIN regions r ON r.code = d.region_code"))
    return pd.DataFrame(rows.fetchall(), columns=list(rows.keys()))


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    """num / den, undefined (NaN) where den = 0. Money is in fen: the ratio is the same in yuan."""
    out = num.astype("float64") / den.astype("float64")
    return out.where(den != 0)


def add_rates(frame: pd.DataFrame) -> pd.DataFrame:
    frame["idle_rate"] = _ratio(frame["idle_value"], frame["base_value"])
    frame["overdue_idle_rate"] = _ratio(frame["overdue_idle_value"], frame["base_value"])
    frame["avg_months_idle"] = _ratio(frame["sum_months_idle"], frame["idle_count"])
    frame["due_completion_rate"] = _ratio(frame["due_done_value"], frame["due_value"])
    frame["completion_rate"] = _ratio(frame["done_value"], frame["plan_value"])
    frame["remit_rate"] = _ratio(frame["income_remitted"], frame["income_received"])
    frame["lease_remit_rate"] = _ratio(frame["lease_income_remitted"], frame["lease_income_received"])
    frame["data_quality_rate"] = _ratio(frame["pool_ok_count"], frame["pool_count"])
    frame["listing_rate"] = _ratio(frame["listed_idle_value"], frame["idle_value"])
    return frame


def compute_figures(conn: Connection, d: dt.date, remit_deadline_days: int, city_region_code: str,
                    city_name: str = "全市") -> pd.DataFrame:
    """One row per (level, code) with every base figure; columns level, code, name, dept_code, region_code."""
    org = organisation(conn)
    units = org.copy()
    for part in (_asset_figures(conn, d), _plan_figures(conn, d), _income_figures(conn, d, remit_deadline_days)):
        units = units.merge(part, on="unit_code", how="left")
    for name in ADDITIVE:
        if name not in units:
            units[name] = 0
        units[name] = units[name].fillna(0).astype("int64")
    if "max_months_idle" not in units:
        units["max_months_idle"] = pd.NA
    units["max_months_idle"] = units["max_months_idle"].astype("Int64")

    agg = {name: "sum" for name in ADDITIVE} | {"max_months_idle": "max"}
    levels = [
        units.assign(level="unit", code=units.unit_code, name=units.unit_name),
        units.groupby(["dept_code", "dept_name", "region_code"], as_index=False).agg(agg)
             .assign(level="department", code=lambda f: f.dept_code, name=lambda f: f.dept_name),
        units.groupby(["region_code", "region_name"], as_index=False).agg(agg)
             .assign(level="region", code=lambda f: f.region_code, name=lambda f: f.region_name, dept_code=None),
        units.assign(all=1).groupby("all", as_index=False).agg(agg)
             .assign(level="city", code=city_region_code, name=city_name, dept_code=None, region_code=None),
    ]
    frame = pd.concat([f[["level", "code", "name", "dept_code", "region_code", *agg]] for f in levels],
                      ignore_index=True)
    return add_rates(frame)
