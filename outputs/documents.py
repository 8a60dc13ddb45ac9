"""Word documents drafted from a snapshot (documents.md): 月度通报, 约谈通知书, 整改通知书.

Templates are docxtpl .docx files: the shipped ones in outputs/templates, or the office's own in
`[documents] template_dir`. They are checked once at start-up (`check_templates`): a template
that does not parse, or that names a value the portal does not provide, is refused with its
name and the problem, never at the moment of a download.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

from docxtpl import DocxTemplate
from jinja2 import Environment, StrictUndefined, TemplateSyntaxError
from sqlalchemy import Connection

from ledger.config import Config, ConfigError
from ledger.scope import Scope
from ledger.vocab import DOCUMENT_KINDS
from outputs import facts

SHIPPED = Path(__file__).resolve().parent / "templates"
# what each template may use: the keys of outputs.facts' context, and Jinja's own loop variables
PROVIDED = {
    "bulletin": {"title", "recipients", "month_text", "scope_name", "overview", "reporting", "reporting_behind",
                 "rankings", "notices", "interviews",
                 "accountability", "budget", "requirements", "attachment", "attachment_head", "bureau", "date", "city"},
    "interview": {"title", "addressee", "month_text", "reasons", "when", "where", "attendees", "scheduled", "bureau", "date",
                  "city"},
    "rectify": {"title", "addressee", "month_text", "standing", "indicators", "indicator_head", "warning_count",
                "warnings_intro", "warning_head", "groups", "deadline", "bureau", "date", "city"},
}
# characters XML 1.0 cannot carry (a ledger name may hold them); they are dropped from the text
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def template_path(config: Config, kind: str) -> Path:
    folder = config["documents.template_dir"]
    return (Path(folder) if folder else SHIPPED) / f"{kind}.docx"


def _environment() -> Environment:
    # undefined values are an error, not an empty string: a figure is never silently missing
    return Environment(undefined=StrictUndefined, autoescape=True)


def check_templates(config: Config) -> None:
    """Refuse a missing, unreadable or mistaken template, naming it and the problem."""
    for kind in DOCUMENT_KINDS:
        path = template_path(config, kind)
        if not path.is_file():
            raise ConfigError(f"文书模板不存在：{path} / document template not found: {path}")
        try:
            used = DocxTemplate(str(path)).get_undeclared_template_variables(_environment())
        except TemplateSyntaxError as exc:
            raise ConfigError(f"文书模板 {path.name} 第{exc.lineno}处语法错误：{exc.message} / "
                              f"template {path} has a syntax error: {exc.message}") from None
        except Exception as exc:  # not a .docx, a broken zip, XML that does not parse
            raise ConfigError(f"文书模板 {path.name} 无法读取：{exc} / template {path} cannot be read: {exc}") from None
        unknown = sorted(set(used) - PROVIDED[kind] - {"loop"})
        if unknown:
            raise ConfigError(f"文书模板 {path.name} 使用了未提供的变量：{'、'.join(unknown)} / "
                              f"template {path} uses values the portal does not provide: {', '.join(unknown)}")


def _clean(value):
    if isinstance(value, str):
        return _ILLEGAL.sub("", value)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def render(config: Config, kind: str, context: dict) -> bytes:
    """The .docx bytes of one document."""
    document = DocxTemplate(str(template_path(config, kind)))
    document.render(_clean(context), _environment(), autoescape=True)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def file_name(kind: str, month: str, name: str | None = None, code: str | None = None) -> str:
    """整改通知书_2026-10_D001_清江市教育局.docx: a department's code keeps two names that differ only
    in what a file name cannot hold (spaces, slashes) apart."""
    parts = [re.sub(r'[\\/:*?"<>|\s\x00-\x1f]+', "", part or "")[:60] for part in (code, name)]
    return "_".join([DOCUMENT_KINDS[kind], month, *[p for p in parts if p]]) + ".docx"


def bulletin(conn: Connection, scope: Scope, month: str, config: Config, today: dt.date) -> tuple[str, bytes]:
    context = facts.bulletin(conn, scope, month, config, today)
    return file_name("bulletin", month, context["scope_name"]), render(config, "bulletin", context)


def _notice(kind: str, conn: Connection, scope: Scope, month: str, dept: str, config: Config,
            today: dt.date) -> tuple[str, bytes] | None:
    context = getattr(facts, kind)(conn, scope, month, dept, config, today)
    if context is None:
        return None
    return file_name(kind, month, context["addressee"], dept), render(config, kind, context)


def interview(conn: Connection, scope: Scope, month: str, dept: str, config: Config,
              today: dt.date) -> tuple[str, bytes] | None:
    return _notice("interview", conn, scope, month, dept, config, today)


def rectify(conn: Connection, scope: Scope, month: str, dept: str, config: Config,
            today: dt.date) -> tuple[str, bytes] | None:
    return _notice("rectify", conn, scope, month, dept, config, today)


def each(conn: Connection, scope: Scope, kind: str, month: str, config: Config,
         today: dt.date) -> list[tuple[str, bytes]]:
    """Every department's notice of a kind for the month, within the scope: the interview list's
    departments, or the departments with open orange and red warnings."""
    if kind == "interview":
        codes = [code for code, _ in facts.interview_departments(conn, scope, month)]
        make = interview
    elif kind == "rectify":
        codes = facts.rectify_departments(conn, scope, month)
        make = rectify
    else:
        raise ValueError(kind)
    return [doc for code in codes if (doc := make(conn, scope, month, code, config, today)) is not None]


def distinct(documents: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The documents with names that differ: a name seen before gets （2）, （3）… before .docx, so
    a folder or a zip holds as many files as were made."""
    seen: dict[str, int] = {}
    out = []
    for name, data in documents:
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            stem, dot, ext = name.rpartition(".")
            name = f"{stem}（{seen[name]}）{dot}{ext}" if dot else f"{name}（{seen[name]}）"
        out.append((name, data))
    return out


def zipped(documents: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in distinct(documents):
            archive.writestr(name, data)
    return buffer.getvalue()
