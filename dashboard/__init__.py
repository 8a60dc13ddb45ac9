"""The portal: create_app(config) -> Flask server with the login, the JSON API and the Dash pages."""
from __future__ import annotations

import secrets
from pathlib import Path

import dash
from flask import Flask, jsonify, request
from sqlalchemy.exc import OperationalError

from ledger.config import WEAK_SECRET_KEYS, Config, check_secret_key
from ledger.db import is_busy, make_engine
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
    server.before_request(_check_callback_request)
    server.register_error_handler(OperationalError, _busy)
    return server


def _busy(exc: OperationalError):
    """SQLite past its busy timeout (a long import or computation writing): say so, as a 503."""
    if not is_busy(exc):
        raise exc
    return jsonify({"error": "busy", "message": "系统正在计算，请稍后再试 / the database is busy, try again shortly"}), 503


def _check_callback_request():
    """A callback request that is not one (no JSON, no output named) is a 400, never a 500 from Dash."""
    if request.method != "POST" or request.path != "/_dash-update-component":
        return None
    body = request.get_json(silent=True)
    if not (isinstance(body, dict) and isinstance(body.get("output"), str)
            and isinstance(body.get("inputs", []), list) and isinstance(body.get("state", []), list)):
        return jsonify({"error": "bad_request", "message": "回调请求格式错误 / malformed callback request"}), 400
    return None


def _mount_dash(server: Flask) -> dash.Dash:
    from dashboard.shell import shell

    app = dash.Dash(
        __name__, server=server, use_pages=True, pages_folder=str(PAGES), assets_folder=str(ASSETS),
        title="国有资产盘活督导平台", update_title=None, suppress_callback_exceptions=True,
        serve_locally=True, external_stylesheets=[],
    )
    app.layout = shell
    server.extensions["panhuo.dash"] = app
    return app



