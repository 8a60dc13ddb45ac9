"""Files asked for on a page that take too long to make while the browser waits: the scheduler makes
them and leaves them in the asking account's 消息 (a city's warning list, 136,000 rows, takes about
twenty seconds; a web worker is not held that long)."""
from __future__ import annotations

import datetime as dt
import io
import logging

from sqlalchemy import Engine, delete, select

from jobs.deliver import Draft, store_paper
from ledger import clock, filestore, inbox
from ledger import warning_list as listing
from ledger.config import Config
from ledger.errors import UserError
from ledger.models import Evidence, Message, Paper, StoredFile, User
from ledger.scope import NOTHING, scope_of_account
from outputs import figures
from outputs import warning_list as words

log = logging.getLogger("panhuo.jobs")


def warnings_workbook(engine: Engine, config: Config, run) -> int:
    """The warning list a queued run asked for (its month, filters and title in `run.params`), as the
    asking account's scope holds it *now*, into that account's 消息; the rows written. A run that
    fails leaves word of it there instead."""
    with engine.connect() as conn:
        user = conn.execute(select(User).where(User.username == run.requested_by)).first()
    scope = scope_of_account(user) if user is not None else NOTHING
    if not scope.sees_assets:
        raise UserError(f"账号 {run.requested_by} 已停用或无权查看预警，未生成 / the account may not see warnings")
    try:
        return _write_warnings(engine, config, run, user, scope)
    except Exception as exc:
        _tell_failed(engine, config, run, user, exc)
        raise


def _write_warnings(engine: Engine, config: Config, run, user, scope) -> int:
    params = run.params or {}
    asked = params.get("filters") or {}
    filters = {key: asked.get(key) for key in listing.FILTERS}
    today, ack_days = config.today(), config["workflow.ack_days"]
    with engine.connect() as conn:
        synced = listing.synced_month(conn) == run.month
        total = listing.counts(conn, scope, run.month, synced, today, ack_days, **filters)["total"]
        frame = listing.rows(conn, scope, run.month, synced, today, ack_days, start=0, end=words.EXPORT_ROWS,
                             **filters)
    buffer = io.BytesIO()
    written = words.write_export(frame, total, buffer, config, params.get("month_label", run.month),
                                 params.get("scope_label", ""), params.get("filters_text", ""))
    asked_at = figures.moment(run.queued_at, config.zone, seconds=False)
    title = f"预警清单 {params.get('month_label', run.month)} · 共 {total:,} 条"
    body = (f"您于 {asked_at} 导出的预警清单已生成：共 {total:,} 条"
            + (f"，筛选：{params['filters_text']}" if params.get("filters_text") else "")
            + (f"；文件含前 {written:,} 条" if written < total else "")
            + f"。请在本消息中下载（保留 {config['files.export_keep_days']} 天）。")
    with engine.execution_options(write=True).begin() as conn:
        paper = store_paper(conn, config, Draft(kind="export", month=run.month, subject=f"run-{run.id}",
                                                title=title[:200], file_name=f"预警清单_{run.month}.xlsx",
                                                data=buffer.getvalue()))
        inbox.place(conn, paper, [user], body, email=False)
    return written


def _tell_failed(engine: Engine, config: Config, run, user, exc: Exception) -> None:
    """The asker hears that the list was not made, instead of waiting for it (the admin reads why on 任务)."""
    label = (run.params or {}).get("month_label", run.month)
    asked_at = figures.moment(run.queued_at, config.zone, seconds=False)
    reason = str(exc).split(" / ")[0] if isinstance(exc, UserError) else "系统出错，原因已记入任务记录"
    body = (f"您于 {asked_at} 导出的预警清单未能生成（{reason}）。请在「预警」页重新导出；"
            f"如仍未生成，请联系管理员。")
    try:
        with engine.execution_options(write=True).begin() as conn:
            inbox.remind(conn, user, "export", f"预警清单 {label} · 未能生成", body, run.month, None, email=False)
    except Exception:  # the run's own failure is what must be recorded; this message is a courtesy
        log.exception("export run %s: the failure could not be told to %s", run.id, run.requested_by)


def forget_old(engine: Engine, config: Config) -> int:
    """Drop the lists made more than `[files] export_keep_days` ago from the inboxes, and their files
    where nothing else refers to them (a city's list is 8 MB), and the word of a list not made; how
    many were dropped."""
    cutoff = clock.now() - dt.timedelta(days=config["files.export_keep_days"])
    with engine.execution_options(write=True).begin() as conn:
        # and the word that a list could not be made, as old
        failed = conn.execute(delete(Message).where(Message.kind == "export", Message.paper_id.is_(None),
                                                    Message.created_at < cutoff)).rowcount
        old = conn.execute(select(Paper.id, Paper.sha256).where(Paper.kind == "export", Paper.created_at < cutoff)).all()
        if not old:
            return failed
        ids, hashes = [p.id for p in old], {p.sha256 for p in old}
        conn.execute(delete(Message).where(Message.paper_id.in_(ids)))
        conn.execute(delete(Paper).where(Paper.id.in_(ids)))
        used = set(conn.execute(select(Paper.sha256).where(Paper.sha256.in_(hashes)).union(
            select(Evidence.sha256).where(Evidence.sha256.in_(hashes)))).scalars())
        unused = sorted(hashes - used)
        conn.execute(delete(StoredFile).where(StoredFile.sha256.in_(unused)))
    for sha256 in unused:  # after the commit: a rollback never leaves a row without its file
        filestore.path_of(config, sha256).unlink(missing_ok=True)
    return failed + len(ids)
