"""The portal: create_app(config) -> Flask server with the login, the JSON API and the Dash pages."""
from __future__ import annotations

import secrets
from pathlib import Path

import dash
from flask import Flask, abort, jsonify, request
from sqlalchemy.exc import OperationalError

from ledger.config import WEAK_SECRET_KEYS, Config, check_secret_key
from ledger.db import is_busy, make_engine
from ledger.texts import has_control
from ledger.vocab import SITE
from outputs import documents

ASSETS = Path(__file__).resolve().parents[1] / "assets_static"
PAGES = Path(__file__).resolve().parent / "pages"


def create_app(config: Config, demo: bool = False) -> Flask:
    """Wire the subsystems: settings, database, accounts, API, pages."""
    server = Flask(__name__, static_folder=None)
    key = config["auth.secret_key"]
    if demo and key in WEAK_SECRET_KEYS:
        key = secrets.token_hex(32)  # the demo's sessions end with the process
    check_secret_key(key)
    documents.check_templates(config)  # a broken template stops the start, not a download
    server.config.update(SECRET_KEY=key, SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", DEBUG=False,
                         REMEMBER_COOKIE_HTTPONLY=True, REMEMBER_COOKIE_SAMESITE="Lax",
                         # an uploaded workbook, base64 in a callback (4/3 of the file), with room for the JSON around it
                         MAX_CONTENT_LENGTH=config["import.max_upload_mb"] * 1024 * 1024 * 3 // 2 + 1024 * 1024,
                         SESSION_COOKIE_SECURE=config["auth.secure_cookies"],
                         REMEMBER_COOKIE_SECURE=config["auth.secure_cookies"])
    server.extensions["panhuo.config"] = config
    server.extensions["panhuo.engine"] = make_engine(config.database_url)

    from dashboard import api, auth, downloads
    auth.init_app(server)
    api.init_app(server)
    downloads.init_app(server)
    _mount_dash(server)
    # before every other check, the login's included: a text no column can store never reaches one
    server.before_request_funcs.setdefault(None, []).insert(0, _refuse_control_characters)
    server.before_request(_check_callback_request)
    _guard_component_files(server)
    server.register_error_handler(OperationalError, _busy)
    return server


def _busy(exc: OperationalError):
    """SQLite past its busy timeout (a long import or computation writing): say so, as a 503."""
    from dashboard.auth import BUSY  # what the login page and a page's notice say of it too

    if not is_busy(exc):
        raise exc
    return jsonify({"error": "busy", "message": f"{BUSY} / the database is busy, try again shortly"}), 503


CONTROL_REFUSED = "请求中含有无法处理的控制字符（如 NUL） / the request holds control characters (such as NUL)"


def _texts_in(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts_in(key)
            yield from _texts_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts_in(item)


def _refuse_control_characters():
    """NUL and the other control characters, in the address, a form or a JSON body, are refused here
    for every route (PostgreSQL cannot store NUL; no field of the portal holds the others): 400,
    JSON for the API and callbacks, a line of text for a page."""
    texts = [request.path, *request.args.keys(), *request.args.values()]
    if request.method == "POST":
        texts += [*request.form.keys(), *request.form.values()]
        if request.is_json:
            texts += list(_texts_in(request.get_json(silent=True)))
    if not any(has_control(t) for t in texts):
        return None
    if request.path.startswith(("/api/", "/_dash-")):
        return jsonify({"error": "bad_request", "message": CONTROL_REFUSED}), 400
    return CONTROL_REFUSED, 400, {"Content-Type": "text/plain; charset=utf-8"}


def _guard_component_files(server: Flask) -> None:
    """Dash's component files: a name it cannot serve (an unknown package, a path that climbs,
    bytes that are not a name) is not found, never a server error."""
    endpoint = next(rule.endpoint for rule in server.url_map.iter_rules() if "_dash-component-suites" in rule.rule)
    serve = server.view_functions[endpoint]

    def served(*args, **kwargs):
        try:
            return serve(*args, **kwargs)
        except Exception:  # noqa: BLE001 - a file lookup: whatever fails, the file is not there
            abort(404)
    server.view_functions[endpoint] = served


def _check_callback_request():
    """A callback request that is not one (no JSON, no output named) is a 400, never a 500 from Dash."""
    if request.method != "POST" or request.path != "/_dash-update-component":
        return None
    body = request.get_json(silent=True)
    if not (isinstance(body, dict) and isinstance(body.get("output"), str)
            and isinstance(body.get("inputs", []), list) and isinstance(body.get("state", []), list)):
        return jsonify({"error": "bad_request", "message": "回调请求格式错误 / malformed callback request"}), 400
    items = [i for group in (body.get("inputs", []), body.get("state", [])) for i in group]
    items = [x for i in items for x in (i if isinstance(i, list) else [i])]  # a pattern-matching ALL: a list each
    if not all(_well_formed(i) for i in items):
        return jsonify({"error": "bad_request", "message": "回调参数格式错误 / malformed callback values"}), 400
    return None


SCALAR = (str, int, float, bool)
# the controls whose value is a list (checklists); every other control's value is one value
LIST_VALUES = {"my-score-whatif-kinds"}


def _rows(value) -> bool:
    return isinstance(value, list) and all(isinstance(r, dict) for r in value)


def _texts(value) -> bool:
    return isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))


# what each property the pages listen to may hold, as the browser's components send it
SHAPES = {
    "value": lambda v, id_: isinstance(v, SCALAR) or (id_ in LIST_VALUES and isinstance(v, list)
                                                       and all(isinstance(x, SCALAR) for x in v)),
    "n_clicks": lambda v, _: isinstance(v, int) and not isinstance(v, bool) and v >= 0,
    "n_intervals": lambda v, _: isinstance(v, int) and not isinstance(v, bool) and v >= 0,
    "selectedRows": lambda v, _: _rows(v),
    "rowData": lambda v, _: _rows(v),
    "getRowsRequest": lambda v, _: isinstance(v, dict),
    "contents": lambda v, _: _texts(v),
    "filename": lambda v, _: _texts(v),
    # Dash's router takes only a path of this site
    "pathname": lambda v, _: isinstance(v, str) and v.startswith("/"),
    **{name: (lambda v, _: isinstance(v, str)) for name in ("search", "hash", "href", "date", "start_date",
                                                            "end_date", "active_tab")},
}


def _well_formed(item) -> bool:
    """One input or state of a callback request: an id (text or a pattern's dict), a property name,
    and a value of the shape its property has (SHAPES; None is always "nothing chosen"). Within
    that shape, a page's callback checks what a value means."""
    if not isinstance(item, dict) or not isinstance(item.get("property"), str):
        return False
    if not isinstance(item.get("id"), (str, dict)):
        return False
    value, shape = item.get("value"), SHAPES.get(item["property"])
    return value is None or shape is None or shape(value, item["id"])


def _mount_dash(server: Flask) -> dash.Dash:
    from dashboard.shell import callback_failed, shell

    app = dash.Dash(
        __name__, server=server, use_pages=True, pages_folder=str(PAGES), assets_folder=str(ASSETS),
        title=SITE, update_title=None, suppress_callback_exceptions=True,
        serve_locally=True, external_stylesheets=[], on_error=callback_failed,
    )
    # the pages are Chinese: said so, as the login page does (screen readers read them as Chinese,
    # a browser picks the simplified glyphs and offers no translation)
    app.index_string = app.index_string.replace("<html>", '<html lang="zh-CN">', 1)
    app.layout = shell
    server.extensions["panhuo.dash"] = app
    return app



