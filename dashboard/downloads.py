"""Files handed out by address (delivery.md): a paper from the caller's own inbox (its reading is
recorded), an evidence file to accounts whose scope covers its department. Always an attachment with
its real type, never rendered inline, never as HTML; everything audited."""
from __future__ import annotations

import io
from urllib.parse import quote

from flask import Blueprint, Flask, Response, jsonify
from flask_login import current_user

from dashboard import context, queries
from ledger import filestore, inbox
from ledger.vocab import EVIDENCE_KINDS
from outputs import workbooks

bp = Blueprint("downloads", __name__)
NOT_FOUND = {"error": "not_found", "message": "未找到 / not found"}


def _attachment(name: str, data: bytes, mime: str) -> Response:
    response = Response(data, mimetype=mime)
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "")
    response.headers["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    # nothing the portal hands out runs in the browser, even if a viewer were tricked into opening it
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _user_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


@bp.get("/evidence/<int:evidence_id>")
def evidence(evidence_id: int):
    scope = context.scope()
    found = queries.evidence_file(context.engine(), scope, evidence_id) if scope.sees_assets else None
    if found is None:
        return jsonify(NOT_FOUND), 404
    data = filestore.read(context.config(), found.sha256)
    context.audit("evidence.download", f"佐证材料 #{evidence_id} {found.file_name}"[:200],
                  detail=f"{found.subject} #{found.subject_id}")
    return _attachment(filestore.served_name(found.file_name, found.kind), data, EVIDENCE_KINDS[found.kind])


@bp.get("/papers/<int:message_id>")
def paper(message_id: int):
    """A paper of the caller's own inbox; the first download counts as its reading."""
    found = queries.paper_file(context.engine(), _user_id(), message_id)
    if found is None:
        context.scope().refused("文书", message_id)
        return jsonify(NOT_FOUND), 404
    data = filestore.read(context.config(), found.sha256)
    with context.engine().execution_options(write=True).begin() as conn:
        inbox.read(conn, _user_id(), message_id, "下载", context.address())
        context.audit("paper.download", f"消息 #{message_id} {found.file_name}"[:200], db=conn)
    kind = found.file_name.rsplit(".", 1)[-1]
    return _attachment(found.file_name, data, EVIDENCE_KINDS.get(kind, "application/octet-stream"))


@bp.get("/imports/<int:import_id>/problems.xlsx")
def import_problems(import_id: int):
    """A failed import's problems as a workbook, to the accounts that see its record."""
    scope = context.scope()
    found = queries.import_problems(context.engine(), scope, import_id)
    if found is None:
        scope.refused("导入问题清单", import_id)
        return jsonify(NOT_FOUND), 404
    data = io.BytesIO()
    workbooks.import_problems(data, found, context.config().zone)
    context.audit("import.problems", f"#{import_id} {found.file_name}"[:200])
    stem = found.file_name.rsplit(".", 1)[0]
    return _attachment(f"导入问题清单_{stem}_{import_id}.xlsx", data.getvalue(), EVIDENCE_KINDS["xlsx"])


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
