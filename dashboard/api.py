"""The read-only JSON API (api.md), scoped like the pages, described by OpenAPI 3."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, Flask, jsonify, request

from dashboard import context, queries
from ledger.vocab import SITE
from metrics.allocation import CANDIDATE_EXPORT, REQUEST_EXPORT, contract
from metrics.timeline import parse_month
from outputs import figures
from outputs.exports import KPI_EXPORT, WARNING_EXPORT

bp = Blueprint("api", __name__, url_prefix="/api/v1")
LEVELS = ("unit", "department", "region", "city")


class BadRequest(ValueError):
    pass


@bp.errorhandler(BadRequest)
def _bad_request(exc):
    return jsonify({"error": "bad_request", "message": str(exc)}), 400


def _month() -> str | None:
    """The month asked for (default: the newest the caller can see); None when there is none."""
    available = queries.months(context.engine(), context.scope())
    raw = request.args.get("month")
    if raw is None:
        return available[0] if available else None
    try:
        parse_month(raw)
    except ValueError as exc:
        raise BadRequest(str(exc)) from None
    return raw if raw in available else None


@bp.get("/months")
def months():
    return jsonify(queries.months(context.engine(), context.scope()))


@bp.get("/kpis")
def kpis():
    level = request.args.get("level")
    if level is not None and level not in LEVELS:
        raise BadRequest(f"层级应为 {'、'.join(LEVELS)} 之一：{level!r} / level must be one of {', '.join(LEVELS)}")
    month = _month()
    if month is None:
        return jsonify([])
    frame = queries.kpis(context.engine(), context.scope(), month, level=level)
    rows = queries.to_records(frame, KPI_EXPORT)
    if request.args.get("shown") in ("1", "true"):
        # each figure also as every page, file and the screen show it (metrics.md, one voice)
        for row in rows:
            row["shown"] = {key: figures.text(key, row[key]) for key in KPI_EXPORT if key in figures.FIGURES}
    return jsonify(rows)


@bp.get("/warnings")
def warnings():
    month = _month()
    scope = context.scope()
    if month is None or not scope.sees_assets:
        return jsonify([])
    frame = queries.warnings(context.engine(), scope, month)
    states = queries.case_states(context.engine(), scope)
    rows = queries.to_records(frame, WARNING_EXPORT)
    for row in rows:
        # the case's state now (open, acknowledged, resolved, closed); "open" before any sync
        row["state"] = states.get((row["rule"], row["ref"]), "open")
    return jsonify(rows)


@bp.get("/lists")
def lists():
    month = _month()
    if month is None:
        return jsonify([])
    frame = queries.lists(context.engine(), context.scope(), month)
    return jsonify(queries.to_records(frame, ["month", "list", "level", "code", "name", "reasons"]))


def _review_date() -> dt.date:
    raw = request.args.get("date")
    if raw is None:
        return context.config().today()
    try:
        if len(raw) != 10:
            raise ValueError(raw)
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise BadRequest(f"日期格式应为 YYYY-MM-DD：{raw!r} / date must be YYYY-MM-DD, got {raw!r}") from None


@bp.get("/requests")
def purchase_requests():
    """allocation.md: one row per request filed on or before `date` (default today), with its flags."""
    _, rows = queries.allocation_exports(context.engine(), context.config(), context.scope(), _review_date())
    return jsonify(queries.to_records(rows))


@bp.get("/requests/<request_id>/candidates")
def request_candidates(request_id: str):
    """Every candidate of one request on `date`, ranked (an undecided request's; values in yuan as
    text with two decimals, none for another department's asset when a department asks)."""
    day = _review_date()
    scope = context.scope()
    found = queries.request_review(context.engine(), context.config(), scope, day, request_id=request_id,
                                   live=True)
    if found is None:
        return jsonify({"error": "not_found", "message": "no such request"}), 404
    return jsonify([{**r, "value": None if r["value"] is None else str(r["value"])}
                    for r in queries.to_records(contract(found.of(request_id)))])


def _schema_of(columns: list[str]) -> dict:
    text = {"month", "level", "code", "name", "rule", "ref", "asset_code", "unit_code", "dept_code", "region_code",
            "first_seen", "message", "list", "state", "request_id", "decision", "value"}
    props = {c: {"type": "string" if c in text else "number", "nullable": True} for c in columns}
    return {"type": "object", "properties": props}


@bp.get("/openapi.json")
def openapi():
    month = {"name": "month", "in": "query", "required": False,
             "schema": {"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$"}}
    day = {"name": "date", "in": "query", "required": False, "description": "review date, default today",
           "schema": {"type": "string", "format": "date"}}
    level = {"name": "level", "in": "query", "required": False, "schema": {"type": "string", "enum": list(LEVELS)}}
    shown = {"name": "shown", "in": "query", "required": False, "schema": {"type": "string", "enum": ["0", "1"]}}
    errors = {"400": {"description": "malformed parameter", "content": {"application/json": {"schema": {
        "type": "object", "properties": {"error": {"type": "string"}, "message": {"type": "string"}}}}}},
              "401": {"description": "no session cookie and no bearer token"}}

    def op(summary, schema, params=()):
        return {"get": {"summary": summary, "parameters": list(params), "responses": {
            "200": {"description": "rows the caller may see",
                    "content": {"application/json": {"schema": {"type": "array", "items": schema}}}}, **errors}}}

    list_item = {"type": "object", "properties": {
        "month": {"type": "string"}, "list": {"type": "string"}, "level": {"type": "string"}, "code": {"type": "string"},
        "name": {"type": "string"}, "reasons": {"type": "array", "items": {"type": "object"}}}}
    candidates = op("a request's candidates, ranked; value in yuan as text with two decimals",
                    _schema_of(CANDIDATE_EXPORT), [day, {"name": "request_id", "in": "path", "required": True,
                                                         # no control characters (400 before any query)
                                                         "schema": {"type": "string", "pattern": r"^[^\x00-\x1f\x7f]+$"}}])
    candidates["get"]["responses"]["404"] = {"description": "no such request, or not the caller's to see"}
    return jsonify({
        "openapi": "3.0.3",
        "info": {"title": f"Panhuo {SITE} API", "version": "1"},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"},
                                           "cookie": {"type": "apiKey", "in": "cookie", "name": "session"}}},
        "security": [{"bearer": []}, {"cookie": []}],
        "paths": {
            "/api/v1/months": op("months with a snapshot, newest first", {"type": "string"}),
            "/api/v1/kpis": op("KPI rows (metrics.md export contract); shown=1 adds each figure as the portal shows it",
                               _schema_of(KPI_EXPORT), [month, level, shown]),
            "/api/v1/warnings": op("warning rows with state", _schema_of(WARNING_EXPORT + ["state"]), [month]),
            "/api/v1/lists": op("accountability list rows with reasons", list_item, [month]),
            "/api/v1/requests": op("purchase requests with their flags on the review date (allocation.md)",
                                   _schema_of(REQUEST_EXPORT), [day]),
            "/api/v1/requests/{request_id}/candidates": candidates,
        },
    })


@bp.route("/", defaults={"_unknown": ""}, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
@bp.route("/<path:_unknown>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown(_unknown):
    """An address under /api/v1/ that names nothing: 404 in JSON, never the portal's page."""
    return jsonify({"error": "not_found", "message": "没有这个接口 / no such endpoint"}), 404


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
