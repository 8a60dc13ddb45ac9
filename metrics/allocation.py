"""配置审核 (allocation.md): the idle stock that could serve purchase requests, ranked; the flags
of each request; the year's figures.

Only the cards that fit the requests asked about and were stock by the review day are read
(class-code and name keys and stock_since, stored with each card: partial-index ranges and
lookups), with their status changes, 自用 plans and 调剂 listings; their timelines are built and
ranked in DuckDB exactly as the snapshot engine builds them. One request or a year's open
requests go the same way.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import duckdb
import pandas as pd
from sqlalchemy import Engine, and_, delete, insert, select
from sqlalchemy.exc import IntegrityError

from ledger import clock, columnar, fit
from ledger.allocation import REVIEWS_LOCK, Candidates, holds_stamp, stock_stamp
from ledger.config import Config
from ledger.locks import transaction_lock
from ledger.models import Decision, Department, PurchaseRequest, Region, RequestReview, Transfer, Unit
from metrics.figures import CITY_NAME, build_timeline

FLAGS = ("own_stock", "covered", "budget_restricted", "buy_while_idle")
REQUEST_COLUMNS = ["request_id", "unit_code", "budget_year", "asset_name", "category", "category_code", "quantity",
                   "unit_price", "requested_on", "reason", "unit_name", "dept_code", "dept_name", "region_code"]
CANDIDATE_COLUMNS = ["request_id", "rank", "asset_code", "name", "unit_code", "dept_code", "region_code", "status",
                     "tier", "listed", "months_idle", "value"]

# what is read of the cards that could serve the requests on D: `{cards}` is the condition on
# `assets a` that selects them — they fit, and their stock_since (ledger.importer.stock) is on or
# before D: a superset of the candidates, found through the partial indexes of stock cards, which
# the timelines then decide; `{codes}` takes the codes of the cards read (one lookup, not four)
STOCK_TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "assets": ("SELECT a.code, a.unit_code, a.name, a.category, a.code_key, a.name_key, a.original_value, "
               "a.net_value, a.acquired_on, a.status, a.status_since FROM assets a WHERE {cards}",
               {"code": "VARCHAR", "unit_code": "VARCHAR", "name": "VARCHAR", "category": "VARCHAR",
                "code_key": "VARCHAR", "name_key": "VARCHAR", "original_value": "BIGINT", "net_value": "BIGINT",
                "acquired_on": "DATE", "status": "VARCHAR", "status_since": "DATE"}),
    "status_changes": ("SELECT c.asset_code, c.changed_on, c.status FROM status_changes c WHERE c.asset_code {codes}",
                       {"asset_code": "VARCHAR", "changed_on": "DATE", "status": "VARCHAR"}),
    "plans": ("SELECT p.asset_code, p.listed_on, p.done_on FROM plans p "
              "WHERE p.method = 'self_use' AND p.asset_code {codes}",
              {"asset_code": "VARCHAR", "listed_on": "DATE", "done_on": "DATE"}),
    "listings": ("SELECT l.asset_code, l.listed_on, l.delisted_on FROM listings l "
                 "WHERE l.mode = 'transfer' AND l.asset_code {codes}",
                 {"asset_code": "VARCHAR", "listed_on": "DATE", "delisted_on": "DATE"}),
}

# read whole: where every unit sits, and the assets other requests hold
PLACES: dict[str, tuple[str, dict[str, str]]] = {
    "units": ("units", {"code": "VARCHAR", "dept_code": "VARCHAR"}),
    "departments": ("departments", {"code": "VARCHAR", "region_code": "VARCHAR"}),
    "held": ("held_assets", {"asset_code": "VARCHAR", "request_id": "VARCHAR"}),
}

STOCK = """
CREATE OR REPLACE TABLE stock AS
WITH now AS (SELECT asset_code, status, run_start FROM spans
              WHERE start_on <= $d AND (end_on IS NULL OR end_on > $d)),
listed AS (SELECT DISTINCT asset_code FROM listings
            WHERE listed_on <= $d AND (delisted_on IS NULL OR delisted_on > $d)),
self_use AS (SELECT DISTINCT asset_code FROM plans WHERE listed_on <= $d AND (done_on IS NULL OR done_on > $d))
SELECT a.code AS asset_code, a.name, a.category, a.code_key, a.name_key, p.unit_code, p.dept_code, p.region_code,
       n.status, l.asset_code IS NOT NULL AS listed,
       CASE WHEN n.status = 'idle' THEN months_between(n.run_start, $d) ELSE 0 END AS months_idle,
       COALESCE(a.net_value, a.original_value) AS value, s.asset_code IS NOT NULL AS self_use
  FROM assets a JOIN now n ON n.asset_code = a.code JOIN place p ON p.asset_code = a.code
  LEFT JOIN listed l ON l.asset_code = a.code LEFT JOIN self_use s ON s.asset_code = a.code
 WHERE a.acquired_on <= $d AND n.status <> 'disposed'
   AND (n.status IN ('idle', 'underused') OR l.asset_code IS NOT NULL)
"""

# allocation.md "Candidates": fit (class-code prefix, else category and name), not held for
# another request, not planned for its own department's use; ranked tier, listed, months, value, code
CANDIDATES = """
CREATE OR REPLACE TABLE candidates AS
WITH fits AS (
    SELECT r.request_id, s.* FROM reqs r JOIN stock s
        ON r.code_key IS NOT NULL AND starts_with(s.code_key, r.code_key)
    UNION ALL
    SELECT r.request_id, s.* FROM reqs r JOIN stock s
        ON r.code_key IS NULL AND s.category = r.category AND s.name_key = r.name_key),
kept AS (
    SELECT f.*, CASE WHEN f.unit_code = r.unit_code THEN 1 WHEN f.dept_code = r.dept_code THEN 2
                     WHEN f.region_code = r.region_code THEN 3 ELSE 4 END AS tier
      FROM fits f JOIN reqs r ON r.request_id = f.request_id
     WHERE NOT (f.self_use AND f.dept_code = r.dept_code)
       AND NOT EXISTS (SELECT 1 FROM held h WHERE h.asset_code = f.asset_code AND h.request_id <> f.request_id))
SELECT *, ROW_NUMBER() OVER (PARTITION BY request_id
                             ORDER BY tier, listed DESC, months_idle DESC, value DESC, asset_code) AS rank
  FROM kept
"""

FLAGGED = """
SELECT r.request_id, r.dept_code, r.quantity, COUNT(c.asset_code) AS candidate_count,
       COALESCE(bool_or(c.tier = 1), false) AS own_stock,
       COUNT(c.asset_code) >= r.quantity AS covered,
       list_contains($restricted, r.dept_code) AS budget_restricted,
       list_contains($bought, r.dept_code) AS buy_while_idle
  FROM reqs r LEFT JOIN candidates c ON c.request_id = r.request_id
 GROUP BY r.request_id, r.dept_code, r.quantity ORDER BY r.request_id
"""


@dataclass
class Review:
    """The candidates (all, ranked) and the flags of some requests on date `d`."""
    d: dt.date
    month: str | None  # the snapshot month the list flags come from
    flags: pd.DataFrame  # request_id, dept_code, quantity, candidate_count, and FLAGS
    candidates: pd.DataFrame  # CANDIDATE_COLUMNS

    def of(self, request_id: str) -> pd.DataFrame:
        return self.candidates[self.candidates.request_id == request_id]

    def basis(self, request_id: str, exclude: set[str] = frozenset()) -> Candidates:
        """What a decision on the request is taken on: its candidates (less `exclude`) and flags."""
        found = self.of(request_id)
        flags = self.flags_of(request_id)
        return Candidates(self.d, {a: u for a, u in zip(found.asset_code, found.unit_code) if a not in exclude},
                          {k: flags.get(k, False) for k in FLAGS})

    def flags_of(self, request_id: str) -> dict:
        row = self.flags[self.flags.request_id == request_id]
        if row.empty:
            return {}
        first = row.iloc[0]
        return {"candidate_count": int(first.candidate_count), **{f: bool(first[f]) for f in FLAGS}}


def shown_count(quantity: int) -> int:
    """How many candidates the review shows: max(10, 3 × quantity)."""
    return max(10, 3 * quantity)


def requests_frame(engine: Engine, where=None) -> pd.DataFrame:
    """Requests with their department and region (`where`: a filter on PurchaseRequest/Unit/Department)."""
    query = (select(*PurchaseRequest.__table__.columns, Unit.name.label("unit_name"), Unit.dept_code,
                    Department.name.label("dept_name"), Department.region_code)
             .join(Unit, Unit.code == PurchaseRequest.unit_code).join(Department, Department.code == Unit.dept_code)
             .order_by(PurchaseRequest.request_id))
    if where is not None:
        query = query.where(where)
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return pd.DataFrame(rows, columns=REQUEST_COLUMNS)


def review(engine: Engine, config: Config, d: dt.date, requests: pd.DataFrame) -> Review:
    """Candidates and flags on `d` of `requests` (a frame from `requests_frame`)."""
    with columnar.scratch(config) as duck:
        _install_requests(duck, requests)
        _load_stock(duck, engine, requests, d)
        build_timeline(duck)  # the snapshot engine's timelines and places, of the fitting cards only
        month, restricted, bought = _list_flags(duck)
        duck.execute(STOCK, {"d": d})
        duck.execute(CANDIDATES)
        flags = duck.execute(FLAGGED, {"restricted": restricted, "bought": bought}).df()
        candidates = duck.execute(f"SELECT {', '.join(CANDIDATE_COLUMNS)} FROM candidates "
                                  "ORDER BY request_id, rank").df()
    return Review(d, month, flags, candidates)


def stored_review(engine: Engine, config: Config, d: dt.date, requests: pd.DataFrame,
                  candidates: bool = True) -> Review:
    """As `review`, read from the stored reviews where they are current (same day, same stock
    stamp); the others computed now and stored. Its candidates are the ones the page shows
    (the first max(10, 3 × quantity) of each request; none unless `candidates`); a decision
    takes `review`'s, all of them."""
    columns = [c for c in RequestReview.__table__.columns if candidates or c.name != "shown"]
    with engine.connect() as conn:
        # read before the stock: what changes meanwhile makes the rows stale, or keeps them unstored
        stamp, holds = stock_stamp(conn), holds_stamp(conn)
        rows = conn.execute(select(*columns).where(
            RequestReview.request_id.in_(requests.request_id.tolist()), RequestReview.review_date == d,
            RequestReview.stamp == stamp)).all()
    stored = [_stored_as_row(r) for r in rows]
    stale = requests[~requests.request_id.isin({r.request_id for r in rows})]
    if not stale.empty:
        stored += refresh_reviews(engine, config, d, stale, stamp, holds)
    asked = requests.set_index("request_id")
    for r in stored:
        r["dept_code"], r["quantity"] = asked.dept_code[r["request_id"]], int(asked.quantity[r["request_id"]])
    stored.sort(key=lambda r: r["request_id"])
    flags = pd.DataFrame([{k: r[k] for k in ("request_id", "dept_code", "quantity", "candidate_count", *FLAGS)}
                          for r in stored], columns=["request_id", "dept_code", "quantity", "candidate_count", *FLAGS])
    shown = pd.DataFrame([c for r in stored for c in r.get("shown", [])] if candidates else [], columns=CANDIDATE_COLUMNS)
    months = [r["month"] for r in stored if r["month"]]
    return Review(d, max(months) if months else None, flags, shown)


# a request without a standing decision: its review follows the stock
UNDECIDED = ~select(Decision.id).where(Decision.request_id == PurchaseRequest.request_id,
                                       Decision.withdrawn_at.is_(None)).exists()


def refresh_stale(engine: Engine, config: Config, d: dt.date) -> int:
    """Store the review on `d` of every undecided request whose stored one is stale (a new day,
    import or computation; a decision on an asset it fits; newly filed). Returns how many."""
    with engine.connect() as conn:
        stamp, holds = stock_stamp(conn), holds_stamp(conn)
        fresh = select(RequestReview.request_id).where(RequestReview.review_date == d, RequestReview.stamp == stamp)
        ids = list(conn.execute(select(PurchaseRequest.request_id).where(
            UNDECIDED, PurchaseRequest.request_id.not_in(fresh))).scalars())
    if ids:
        refresh_reviews(engine, config, d, requests_frame(engine, PurchaseRequest.request_id.in_(ids)), stamp, holds)
    return len(ids)


def refresh_reviews(engine: Engine, config: Config, d: dt.date, requests: pd.DataFrame, stamp: str,
                    holds: str) -> list[dict]:
    """Review `requests` on `d` and store the result under `stamp`, unless a decision or
    withdrawal came since `holds` was read (then it is shown, not stored); returns the rows."""
    found = review(engine, config, d, requests)
    quantities = dict(zip(requests.request_id, requests.quantity.astype(int)))
    shown = {request_id: group.head(shown_count(quantities[request_id]))
             for request_id, group in found.candidates.groupby("request_id", sort=False)}
    out = []
    for f in found.flags.itertuples():
        rows = shown.get(f.request_id)
        out.append({"request_id": f.request_id, "dept_code": f.dept_code, "quantity": int(f.quantity),
                    "candidate_count": int(f.candidate_count), "month": found.month,
                    **{k: bool(getattr(f, k)) for k in FLAGS},
                    "shown": [] if rows is None else [_plain(c) for c in rows.to_dict("records")]})
    now = clock.now()
    try:
        with engine.execution_options(write=True).begin() as conn:
            transaction_lock(conn, REVIEWS_LOCK)
            if holds_stamp(conn) != holds:
                return out
            conn.execute(delete(RequestReview).where(RequestReview.request_id.in_([r["request_id"] for r in out])))
            conn.execute(insert(RequestReview), [{
                "request_id": r["request_id"], "review_date": d, "stamp": stamp, "month": r["month"],
                "candidate_count": r["candidate_count"], "flags": {k: r[k] for k in FLAGS},
                "shown": r["shown"], "computed_at": now} for r in out])
    except IntegrityError:
        pass  # another process stored the same requests a moment ago; what was computed is still shown
    return out


def _plain(candidate: dict) -> dict:
    """A candidate row as JSON keeps it: numbers as int, no NaN."""
    out = {}
    for key in CANDIDATE_COLUMNS:
        value = candidate[key]
        if value is None or (isinstance(value, float) and pd.isna(value)):
            out[key] = None
        elif key in ("rank", "tier", "months_idle", "value"):
            out[key] = int(value)
        elif key == "listed":
            out[key] = bool(value)
        else:
            out[key] = str(value)
    return out


def _stored_as_row(r) -> dict:
    return {"request_id": r.request_id, "candidate_count": r.candidate_count,
            "month": r.month, **{k: bool(r.flags.get(k)) for k in FLAGS},
            **({"shown": r.shown} if "shown" in r._fields else {})}


def _install_requests(duck: duckdb.DuckDBPyConnection, requests: pd.DataFrame) -> None:
    frame = pd.DataFrame({
        "request_id": requests.request_id.astype(str), "unit_code": requests.unit_code.astype(str),
        "dept_code": requests.dept_code.astype(str), "region_code": requests.region_code.astype(str),
        "category": requests.category.astype(str),
        "code_key": [fit.code_key(c) if isinstance(c, str) else None for c in requests.category_code],
        "name_key": [fit.name_key(n) for n in requests.asset_name],
        "quantity": requests.quantity.astype("int64")})
    duck.register("reqs_in", frame)
    duck.execute("CREATE OR REPLACE TABLE reqs AS SELECT request_id, unit_code, dept_code, region_code, category, "
                 "CAST(code_key AS VARCHAR) AS code_key, CAST(name_key AS VARCHAR) AS name_key, quantity FROM reqs_in")
    duck.unregister("reqs_in")


def _cards(engine: Engine, requests: pd.DataFrame, d: dt.date) -> tuple[str, tuple]:
    """The condition on `assets a` of the cards that could serve `requests` on `d`, with its parameters."""
    prefixes = sorted({fit.code_key(c) for c in requests.category_code if isinstance(c, str)})
    names = sorted({(cat, fit.name_key(name)) for cat, name, code in
                    zip(requests.category, requests.asset_name, requests.category_code) if not isinstance(code, str)})
    params: list[str] = []

    def mark(value: str) -> str:
        params.append(value)
        return f"${len(params)}" if engine.dialect.name == "postgresql" else "?"

    # in each term, the equality and range the partial indexes lead with, then stock_since
    since = lambda: f"a.stock_since <= {_as_date(engine, mark(d.isoformat()))}"  # noqa: E731
    terms = [f"(a.code_key >= {mark(low)} AND a.code_key < {mark(high)} AND {since()})"
             for low, high in map(fit.code_range, prefixes)]
    terms += [f"(a.category = {mark(category)} AND a.name_key = {mark(key)} AND {since()})" for category, key in names]
    return f"({' OR '.join(terms) or 'false'})", tuple(params)


def _as_date(engine: Engine, placeholder: str) -> str:
    """A date parameter, given as ISO text, compared with a DATE column (SQLite keeps dates as
    ISO text, which compares as dates do)."""
    return f"CAST({placeholder} AS DATE)" if engine.dialect.name == "postgresql" else placeholder


def _load_stock(duck: duckdb.DuckDBPyConnection, engine: Engine, requests: pd.DataFrame, d: dt.date) -> None:
    cards, params = _cards(engine, requests, d)
    read_codes = (columnar.earlier("assets", "code"),)
    queries = [(name, sql.format(cards=cards, codes=columnar.among(engine, 1)),
                params if name == "assets" else read_codes) for name, (sql, _) in STOCK_TABLES.items()]
    queries += [(name, f"SELECT {', '.join(columns)} FROM {table}", ()) for name, (table, columns) in PLACES.items()]
    day = _as_date(engine, columnar.placeholder(engine))
    queries.append(("list_flags", LIST_FLAGS.format(day=day, depts=columnar.among(engine, 2)),
                    (d.isoformat(), columnar.values(engine, sorted(set(requests.dept_code))))))
    types = {name: columns for name, (_, columns) in STOCK_TABLES.items()}
    types |= {name: columns for name, (_, columns) in PLACES.items()} | {"list_flags": LIST_FLAG_TYPES}
    columnar.load(duck, engine, queries, types)  # one read transaction: cards, places, holds and lists agree


# the newest snapshot month dated on or before D: which of the requesting departments are on its
# 预算约束 list and which have a buy_while_idle warning (one row with no code when none)
LIST_FLAGS = """
WITH m AS (SELECT month FROM snapshots WHERE snapshot_date <= {day} ORDER BY month DESC LIMIT 1),
asked AS (SELECT code FROM departments WHERE code {depts})
SELECT m.month, 'restricted' AS kind, l.code FROM m LEFT JOIN list_entries l
    ON l.month = m.month AND l.list = 'budget_restriction' AND l.level = 'department'
   AND l.code IN (SELECT code FROM asked)
UNION ALL
SELECT DISTINCT m.month, 'bought' AS kind, w.dept_code AS code FROM m JOIN warning_rows w
    ON w.month = m.month AND w.dept_code IN (SELECT code FROM asked) AND w.rule = 'buy_while_idle'
"""
LIST_FLAG_TYPES = {"month": "VARCHAR", "kind": "VARCHAR", "code": "VARCHAR"}


def _list_flags(duck: duckdb.DuckDBPyConnection) -> tuple[str | None, list[str], list[str]]:
    rows = duck.execute("SELECT month, kind, code FROM list_flags WHERE code IS NOT NULL OR kind = 'restricted' "
                        "ORDER BY code").fetchall()
    month = rows[0][0] if rows else None
    return month, [c for _, k, c in rows if k == "restricted" and c], [c for _, k, c in rows if k == "bought"]


# ---- the year's figures (allocation.md "Figures") -----------------------------------------

FIGURE_KEYS = ["request_count", "request_amount", "reviewed_count", "covered_count", "transfer_qty",
               "transfer_saving", "transfer_done_qty", "approved_despite_stock", "transfer_rate"]


def figures(engine: Engine, config: Config, year: int, d: dt.date, where=None,
            open_flags: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per department, region and city (rows `level, code, name` + FIGURE_KEYS) for the requests of
    budget year `year` in `where`. A decided request counts with the flags of its decision; an
    open one with its flags on `d` (`open_flags`: the stored review's, where the caller has read
    them already)."""
    requests = requests_frame(engine, and_(PurchaseRequest.budget_year == year, *([where] if where is not None else [])))
    if requests.empty:
        return pd.DataFrame(columns=["level", "code", "name", *FIGURE_KEYS])
    with engine.connect() as conn:
        decisions = pd.DataFrame(conn.execute(select(
            Decision.id, Decision.request_id, Decision.kind, Decision.candidate_count, Decision.flags)
            .where(Decision.withdrawn_at.is_(None), Decision.request_id.in_(requests.request_id.tolist()))).all(),
            columns=["decision_id", "request_id", "kind", "candidate_count", "flags"])
        transfers = pd.DataFrame(conn.execute(select(Transfer.request_id, Transfer.state).where(
            Transfer.state != "withdrawn", Transfer.request_id.in_(requests.request_id.tolist()))).all(),
            columns=["request_id", "state"])
        regions = dict(conn.execute(select(Region.code, Region.name)).all())
    undecided = requests[~requests.request_id.isin(decisions.request_id)]
    if open_flags is None and not undecided.empty:
        open_flags = stored_review(engine, config, d, undecided, candidates=False).flags
    covered = set() if open_flags is None or open_flags.empty else (
        set(open_flags[open_flags.covered.astype(bool)].request_id) & set(undecided.request_id))
    covered |= {r for r, f in zip(decisions.request_id, decisions["flags"]) if (f or {}).get("covered")}
    rows = requests.assign(
        amount=requests.quantity * requests.unit_price,
        reviewed=requests.request_id.isin(decisions.request_id),
        covered=requests.request_id.isin(covered),
        despite=requests.request_id.isin(decisions[(decisions.kind == "approve") & (decisions.candidate_count > 0)]
                                         .request_id),
        transferred=requests.request_id.map(transfers.groupby("request_id").size()).fillna(0).astype(int),
        done=requests.request_id.map(transfers[transfers.state == "done"].groupby("request_id").size())
        .fillna(0).astype(int))
    rows["saving"] = rows.transferred * rows.unit_price
    rows["covered_qty"] = rows.quantity.where(rows.covered, 0)
    city = rows["city"] = config["org.city_region_code"]
    # one grouped sum per level (a department at a time took 0.1 s of the page for 150 of them)
    summed = {"amount": "request_amount", "reviewed": "reviewed_count", "covered": "covered_count",
              "transferred": "transfer_qty", "saving": "transfer_saving", "done": "transfer_done_qty",
              "despite": "approved_despite_stock"}
    out = []
    for level, key, names in (("department", "dept_code", None), ("region", "region_code", regions),
                              ("city", "city", {city: CITY_NAME})):
        grouped = rows.groupby(key)
        sums = grouped[[*summed, "covered_qty"]].sum().assign(request_count=grouped.size(),
                                                               dept_name=grouped.dept_name.first())
        for code, g in zip(sums.index, sums.itertuples(index=False)):
            out.append({"level": level, "code": code, "name": g.dept_name if names is None else names.get(code, code),
                        "request_count": int(g.request_count),
                        **{name: int(getattr(g, column)) for column, name in summed.items()},
                        "transfer_rate": g.transferred / g.covered_qty if g.covered_qty else None})
    return pd.DataFrame(out)


# ---- export contract (allocation.md "Export contract") -------------------------------------

CANDIDATE_EXPORT = ["request_id", "rank", "asset_code", "unit_code", "tier", "listed", "months_idle", "value"]
REQUEST_EXPORT = ["request_id", "dept_code", "candidate_count", *FLAGS, "decision"]


def standing_decisions(engine: Engine, request_ids: list[str]) -> dict[str, str]:
    """request id -> the kind of its decision that is not withdrawn."""
    with engine.connect() as conn:
        return dict(conn.execute(select(Decision.request_id, Decision.kind).where(
            Decision.withdrawn_at.is_(None), Decision.request_id.in_(request_ids))).all())


def yuan(fen) -> Decimal | None:
    """Fen as yuan with exactly two decimals (written so to CSV, as a number to xlsx)."""
    return None if fen is None or pd.isna(fen) else Decimal(int(fen)).scaleb(-2)


def contract(candidates: pd.DataFrame) -> pd.DataFrame:
    """Candidates in the export contract's columns: listed 1/0, value in yuan with two decimals."""
    return candidates.assign(listed=candidates.listed.astype(bool).astype(int),
                             value=candidates.value.map(yuan))[CANDIDATE_EXPORT].reset_index(drop=True)


def export_frames(engine: Engine, config: Config, d: dt.date, where=None,
                  shown=lambda candidates: candidates) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(candidates, requests) on `d` in the export contract's columns: the requests filed on or
    before `d` (in `where`); candidates of those without a decision, all of them, ranked, as
    `shown` lets the caller see them."""
    clause = PurchaseRequest.requested_on <= d
    requests = requests_frame(engine, clause if where is None else and_(clause, where))
    decided = standing_decisions(engine, requests.request_id.tolist())
    result = review(engine, config, d, requests) if not requests.empty else None
    flags = result.flags if result is not None else pd.DataFrame(columns=["request_id", "dept_code", "candidate_count", *FLAGS])
    listed = flags.assign(**{f: flags[f].astype(bool).astype(int) for f in FLAGS},
                          decision=flags.request_id.map(lambda r: decided.get(r, "")))
    found = result.candidates if result is not None else pd.DataFrame(columns=CANDIDATE_COLUMNS)
    return (contract(shown(found[~found.request_id.isin(decided)])),
            listed[REQUEST_EXPORT].sort_values("request_id").reset_index(drop=True))
