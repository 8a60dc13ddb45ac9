"""The `panhuo` command: thin shells over ledger and metrics functions (cli.md)."""
from __future__ import annotations

import datetime as dt
import functools
import sys
import time
import unicodedata
from pathlib import Path

import click
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

from jobs.serve import hand_over
from ledger import accounts, audit, permissions, vocab
from ledger.config import Config, ConfigError, load_config
from ledger.db import is_busy, make_engine, session_scope
from ledger.errors import UserError
from ledger.importer import import_path
from ledger.locks import LockBusy
from ledger.migrate import upgrade
from ledger.scope import Scope
from metrics.timeline import months_range, parse_month

# Errors a user can cause (a file refused, an export, a document, an account …): one line, no traceback.
USER_ERRORS = (ConfigError, UserError, LockBusy, ValueError)
# The papers' and workbooks' modules (docxtpl, openpyxl) are imported by the commands that write
# them: every other command, `panhuo import` and `compute` among them, starts without them
# (`panhuo --help` 1.25 → 0.98 s, with the login's dummy hash made on first use).


class PanhuoGroup(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except USER_ERRORS as exc:
            raise click.ClickException(str(exc)) from None
        except (OperationalError, ProgrammingError) as exc:
            first = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            if is_busy(exc):
                raise click.ClickException(f"数据库正忙（正在计算或导入），请稍后再试，未写入任何数据 / the database is "
                                           f"busy (a computation or import is writing); nothing was written: {first}") \
                    from None
            raise click.ClickException(
                f"数据库错误（是否已运行 panhuo init-db？）/ database error (did you run panhuo init-db?): {first}"
            ) from None
        except DBAPIError as exc:  # a constraint the checks did not foresee: still one line, nothing written
            first = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise click.ClickException(f"数据库拒绝了这次写入，未写入任何数据 / the database refused the write; "
                                       f"nothing was written: {first}") from None


class Context:
    def __init__(self, config_path: str | None):
        self.config_path = config_path
        self._config: Config | None = None
        self._engine = None

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path)
        return self._config

    @property
    def engine(self):
        if self._engine is None:
            self._engine = make_engine(self.config.database_url)
        return self._engine


pass_ctx = click.make_pass_decorator(Context)


@click.group(cls=PanhuoGroup)
@click.option("--config", "config_path", envvar="PANHUO_CONFIG", type=click.Path(dir_okay=False),
              help="config.toml to read (default ./config.toml)")
@click.pass_context
def main(ctx: click.Context, config_path: str | None) -> None:
    """国有资产盘活督导平台 Panhuo."""
    ctx.obj = Context(config_path)


@main.command("init-db")
@pass_ctx
def init_db(ctx: Context) -> None:
    """Create or migrate the schema (idempotent)."""
    upgrade(ctx.engine)
    click.echo(f"数据库已就绪 / schema up to date: {ctx.engine.url.render_as_string(hide_password=True)}")


@main.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--as", "as_user", default=None, metavar="USERNAME",
              help="import as this account: its scope applies and it is recorded as the sender (reporting.md)")
@click.option("--received", default=None, metavar="YYYY-MM-DD",
              help="the day the file counts as received (default today, in [org] timezone)")
@pass_ctx
def import_cmd(ctx: Context, path: Path, as_user: str | None, received: str | None) -> None:
    """Import a workbook (.xlsx, or .xls) or a folder of CSV files; all or nothing."""
    from ledger.scope import scope_of_account
    from ledger.texts import checked_date
    from outputs.phrasing import table_rows

    started = time.perf_counter()
    on = checked_date(received, "--received 收到日期", latest=ctx.config.today()) if received else None
    scope, role = Scope("all"), None
    if as_user is not None:
        with session_scope(ctx.engine) as s:
            account = accounts.get_user(s, as_user)  # an unknown account: one line, nothing read
            scope, role = scope_of_account(account), account.role
        if not permissions.may(role, "import"):
            raise accounts.AccountError(f"账号 {as_user}（{vocab.ROLES.get(role, role)}）不能报送台账",
                                        f"account {as_user} ({role}) does not import ledgers")
    result = import_path(ctx.engine, path, ctx.config, username=as_user, scope=scope, role=role, received_on=on)
    for note in result.notes:
        click.echo(f"提示 / note: {note}", err=True)
    if not result.ok:
        for problem in result.problems:
            click.echo(str(problem), err=True)
        more = result.problem_total - len(result.problems)
        if more:
            click.echo(f"……另有 {more:,} 个问题未列出 / {more:,} more not listed", err=True)
        where = result.where_problems_are()
        raise click.ClickException(
            f"导入失败，共 {result.problem_total:,} 个问题{f'（{where}）' if where else ''}，未写入任何数据 / "
            f"import failed with {result.problem_total:,} problems; nothing was written")
    click.echo(f"导入成功 / imported #{result.import_id} {path.name}: {table_rows(result.counts)} "
               f"({time.perf_counter() - started:.1f}s)")
    if result.units:
        from ledger.reporting import reported_month
        month = reported_month(on or ctx.config.today())
        click.echo(f"已记为 {result.units:,} 个单位 {month} 的报送 / recorded as {month}'s report of {result.units:,} units")


@main.command()
@click.option("--month", help="YYYY-MM")
@click.option("--from", "first", help="YYYY-MM, with --to")
@click.option("--to", "last", help="YYYY-MM, with --from")
@click.option("--reopen", is_flag=True, help="recompute a closed month (recorded in the audit log)")
@pass_ctx
def compute(ctx: Context, month: str | None, first: str | None, last: str | None, reopen: bool) -> None:
    """Compute and store a month's snapshot (or a range, in order)."""
    from jobs.runner import compute_months

    if month and (first or last):
        raise click.UsageError("--month 与 --from/--to 只能二选一 / give --month or --from/--to, not both")
    if month:
        months = [parse_month(month)]
    elif first and last:
        months = months_range(first, last)
        if not months or parse_month(first) > parse_month(last):
            raise click.UsageError(f"--from {first} 晚于 --to {last} / --from is after --to")
    else:
        raise click.UsageError("请给出 --month 或 --from/--to / give --month or --from and --to")
    def done(m: str, counts: dict, seconds: float) -> None:
        click.echo(f"{m}: {counts['kpis']:,} 行指标 KPI rows, {counts['warnings']:,} 条预警 warnings, "
                   f"{counts['lists']:,} 条名单 list entries ({seconds:.1f}s)")
    started = time.perf_counter()
    compute_months(ctx.engine, ctx.config, months, audit.cli_actor(), on_done=done, reopen=reopen)
    if len(months) > 1:
        click.echo(f"共 {len(months)} 个月 / {len(months)} months in {time.perf_counter() - started:.1f}s")


@main.command()
@click.argument("kind", type=click.Choice(["kpis", "warnings", "lists", "submissions", "candidates", "requests"]))
@click.option("--month", help="YYYY-MM (kpis, warnings, lists, submissions)")
@click.option("--date", "day", help="YYYY-MM-DD, the review date (candidates, requests)")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="FILE.csv or FILE.xlsx")
@pass_ctx
def export(ctx: Context, kind: str, month: str | None, day: str | None, out: Path) -> None:
    """Write a snapshot's KPIs, warnings or lists, the month's 报送 status, or the purchase review of a
    day, as .csv or .xlsx."""
    from outputs.exports import FORMATS, snapshot_frame
    from outputs.xlsx import ExportError, write_frame

    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise ExportError(f"只支持 .csv 或 .xlsx / output must be .csv or .xlsx: {out.name}")
    if kind in ("candidates", "requests"):
        from metrics.allocation import export_frames

        if not day:
            raise click.UsageError(f"{kind} 需要 --date YYYY-MM-DD / {kind} needs --date YYYY-MM-DD")
        try:
            on = dt.date.fromisoformat(day)
        except ValueError:
            raise click.UsageError(f"--date {day}：日期应为 YYYY-MM-DD / --date must be YYYY-MM-DD") from None
        frame = export_frames(ctx.engine, ctx.config, on)[0 if kind == "candidates" else 1]
        label = f"{kind} {day}"
    else:
        if not month:
            raise click.UsageError(f"{kind} 需要 --month YYYY-MM / {kind} needs --month YYYY-MM")
        parse_month(month)
        with ctx.engine.connect() as conn:  # the CLI speaks for the finance bureau
            if kind == "submissions":
                from ledger.reporting import EXPORT, statuses
                frame = statuses(conn, month, Scope("all").units(), ctx.config.today(),
                                 ctx.config["reporting.due_day"])[EXPORT]
            else:
                frame = snapshot_frame(conn, kind, month, Scope("all"))
        label = f"{kind} {month}"
    formats = FORMATS | {"value": "#,##0.00"}  # a candidate's value is in yuan (allocation.md)
    write_frame(frame, out, sheet=label, formats=formats, pages_wide=None)  # the contract's every column: several pages
    with session_scope(ctx.engine, write=True) as s:
        audit.record(s, audit.cli_actor(), "export", label, detail=f"{len(frame)} 行 → {out}")
    click.echo(f"已导出 / wrote {len(frame):,} rows to {out}")


@main.command()
@click.argument("kind", type=click.Choice(list(vocab.DOCUMENT_KINDS)))
@click.option("--month", required=True, help="YYYY-MM")
@click.option("--code", help="bulletin: a region code (its county version); interview/rectify: one department")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="FILE.docx, or a folder (every department's notice), or FILE.zip")
@pass_ctx
def document(ctx: Context, kind: str, month: str, code: str | None, out: Path) -> None:
    """Draft the month's 月度通报, 约谈通知书 or 整改通知书 as Word documents (documents.md)."""
    from outputs import documents
    from outputs.facts import DocumentError
    from outputs.files import write_atomically

    parse_month(month)
    documents.check_templates(ctx.config)
    scope = Scope("region", code) if kind == "bulletin" and code else Scope("all")
    with ctx.engine.connect() as conn:
        if kind == "bulletin":
            made = [documents.bulletin(conn, scope, month, ctx.config, ctx.config.today())]
        elif code:
            one = getattr(documents, kind)(conn, scope, month, code, ctx.config, ctx.config.today())
            if one is None:
                raise DocumentError(f"{month} 无部门 {code} 的{vocab.DOCUMENT_KINDS[kind]} / no {kind} notice for {code} in {month}"
                                    + ("（不在约谈名单上 / not on the interview list）" if kind == "interview" else ""))
            made = [one]
        else:
            made = documents.each(conn, scope, kind, month, ctx.config, ctx.config.today())
    if out.suffix.lower() == ".docx":
        if len(made) != 1:
            raise DocumentError(f"共 {len(made)} 份文书，请给出文件夹或 .zip / {len(made)} documents: give a folder or a .zip")
        written = [out]
        write_atomically(out, made[0][1])
    elif out.suffix.lower() == ".zip":
        written = [out]
        write_atomically(out, documents.zipped(made))
    else:
        made = documents.distinct(made)
        written = [out / name for name, _ in made]
        for path, (_, data) in zip(written, made):
            write_atomically(path, data)
    with session_scope(ctx.engine, write=True) as s:
        audit.record(s, audit.cli_actor(), "export", f"{vocab.DOCUMENT_KINDS[kind]} {month}" + (f" {code}" if code else ""),
                     detail=f"{len(made)} 份 → {out}")
    click.echo(f"已生成 / wrote {len(made)} 份{vocab.DOCUMENT_KINDS[kind]} → {out}")


@main.command()
@click.option("--month", required=True, help="YYYY-MM")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(list(vocab.PAPER_KINDS)),
              help="only these papers (repeatable); default all")
@click.option("--dry-run", is_flag=True, help="send nothing: print what would be sent")
@click.option("--resend", is_flag=True, help="e-mail the papers again to every recipient (recorded)")
@pass_ctx
def deliver(ctx: Context, month: str, kinds: tuple[str, ...], dry_run: bool, resend: bool) -> None:
    """Send the month's papers to their recipients' inboxes and e-mail, each pair once (delivery.md)."""
    from jobs.deliver import KINDS
    from jobs.deliver import deliver as run
    from outputs import documents

    parse_month(month)
    documents.check_templates(ctx.config)
    outcome = run(ctx.engine, ctx.config, month, kinds or KINDS, dry_run=dry_run, resend=resend,
                  actor=audit.cli_actor())
    for line in outcome.lines:
        click.echo(line)
    if dry_run:
        click.echo(f"演练，未发送 / dry run, nothing sent: {outcome.inbox:,} 份待送达 / pairs to deliver")
        return
    click.echo(f"合计 / total: 新文书 {outcome.papers:,} 份，站内送达 {outcome.inbox:,} 份，邮件发送 {outcome.sent:,} 封，"
               f"失败 {outcome.failed:,} 封（将重试）" + (f"，状态不明 {outcome.unknown:,} 封" if outcome.unknown else "")
               + f" / papers {outcome.papers}, inbox {outcome.inbox}, e-mails sent {outcome.sent}, failed {outcome.failed}")


@main.command()
@click.option("--assets", default=50_000, show_default=True, type=click.IntRange(1_000, 2_000_000),
              help="number of asset cards")
@click.option("--seed", default=2026, show_default=True, help="random seed (same seed, same city)")
@click.option("--no-serve", is_flag=True, help="build the demo, do not serve")
@click.option("--write-sample", type=click.Path(file_okay=False, path_type=Path),
              help="also leave the demo workbook in this folder")
@pass_ctx
def demo(ctx: Context, assets: int, seed: int, no_serve: bool, write_sample: Path | None) -> None:
    """Build the demo city in the configured database, compute 13 months, serve."""
    from jobs.demo import DEPT_WORKBOOK, WORKBOOK, build_demo, deliver_newest_month, tell_warnings_checked
    from ledger.demo import demo_accounts

    upgrade(ctx.engine)
    config = build_demo(ctx.engine, ctx.config, assets, seed, write_sample, say=click.echo)
    click.echo(f"数据库 / database: {ctx.engine.url.render_as_string(hide_password=True)}")
    if write_sample:
        click.echo(f"示例工作簿 / sample workbook: {write_sample / WORKBOOK}; "
                   f"一个部门的报送 / one department's own: {write_sample / DEPT_WORKBOOK}")
    accounts = demo_accounts(ctx.engine)
    deliver_newest_month(ctx.engine, config, say=click.echo)  # to the accounts just made
    told = tell_warnings_checked(ctx.engine, config)
    click.echo(f"已通知各部门预警核验结果 / told the departments of their warnings checked: 站内消息 {told} 条")
    click.echo("演示账号 / demo accounts (用户名 / 密码):")
    for username, role, scope_code, password in accounts:
        scope_text = f" [{scope_code}]" if scope_code else ""
        click.echo(f"  {username:<12} {password:<16} {vocab.ROLES[role]}（{role}）{scope_text}")
    if not no_serve:
        hand_over(config, ctx.config["server.host"], ctx.config["server.port"], demo=True, with_scheduler=True,
                  say=click.echo)


@main.command()
@click.option("--host", help="address to bind (default from config)")
@click.option("--port", type=int, help="port (default from config)")
@pass_ctx
def serve(ctx: Context, host: str | None, port: int | None) -> None:
    """Serve the portal (development server; production: gunicorn, see README)."""
    hand_over(ctx.config, host or ctx.config["server.host"], port or ctx.config["server.port"], say=click.echo)


@main.command()
@click.option("--once", is_flag=True, help="catch up (missed month-ends, closing, today's recompute, queued runs) and exit")
@pass_ctx
def scheduler(ctx: Context, once: bool) -> None:
    """Run the scheduled jobs (one process per deployment)."""
    import logging

    from jobs.scheduler import run_scheduler

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # APScheduler says "Running job …" and "executed successfully" for every poll (every few
    # seconds): its chatter goes to debug; each run of ours logs one line (jobs.runner)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    run_scheduler(ctx.engine, ctx.config, once=once)


@main.group("audit")
def audit_group() -> None:
    """The audit log: verify its hash chain."""


@audit_group.command("verify")
@pass_ctx
def audit_verify(ctx: Context) -> None:
    """Check every row of the audit log against the hash chain; name the first that breaks it."""
    with ctx.engine.connect() as conn:
        check = audit.verify(conn)
    if not check.intact:
        raise click.ClickException(f"审计链在第 {check.broken_at} 条记录处断开 / the audit chain breaks at row "
                                   f"{check.broken_at}: {check.reason_zh} / {check.reason_en}")
    click.echo(f"审计链完整 / the audit chain is intact: {check.rows:,} 条记录 / rows; "
               f"链头 / head {check.head or '—'}")


@main.group()
def users() -> None:
    """Accounts: add, list, disable, passwd, token."""


def password_option(command):
    """--password P | --password-stdin, handed to the command as `secret`."""
    @click.option("--password-stdin", "from_stdin", is_flag=True, help="read the password from standard input")
    @click.option("--password", help="the password (visible in the shell history: prefer --password-stdin)")
    @functools.wraps(command)
    def wrapper(*args, password: str | None, from_stdin: bool, **kwargs):
        if from_stdin:
            password = sys.stdin.readline().rstrip("\n")
        elif password is None:
            raise click.UsageError("请给出 --password 或 --password-stdin / give --password or --password-stdin")
        return command(*args, secret=password, **kwargs)
    return wrapper


@users.command("add")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(list(vocab.ROLES)))
@click.option("--scope", "scope_code", help="department code (department) or region code (county)")
@click.option("--email", help="where papers are e-mailed (delivery.md)")
@password_option
@pass_ctx
def users_add(ctx: Context, username, role, scope_code, email, secret) -> None:
    with session_scope(ctx.engine, write=True) as s:
        accounts.administer(s, accounts.Administrator(audit.cli_actor()), "add", username, role=role,
                            scope_code=scope_code, email=email, password=secret)
    click.echo(f"已创建 / created {username} ({role}{' ' + scope_code if scope_code else ''})")


@users.command("list")
@pass_ctx
def users_list(ctx: Context) -> None:
    widths = (20, 24, 12, 28)
    click.echo(_columns(("用户名", "角色", "范围", "邮箱", "状态"), widths))
    with session_scope(ctx.engine) as s:
        for user in accounts.list_users(s):
            role = f"{vocab.ROLES.get(user.role, user.role)}（{user.role}）"  # the --role word beside its name
            state = "停用 disabled" if user.disabled else "启用 active"
            click.echo(_columns((user.username, role, user.scope_code or "-", user.email or "-", state), widths))


def _columns(cells: tuple[str, ...], widths: tuple[int, ...]) -> str:
    """A table line: each cell but the last padded to its width as a terminal shows it (a Chinese
    character takes two columns)."""
    def shown(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return " ".join(cell + " " * max(width - shown(cell), 0) for cell, width in zip(cells, widths)) + " " + cells[-1]


@users.command("email")
@click.argument("username")
@click.argument("email")
@pass_ctx
def users_email(ctx: Context, username, email) -> None:
    """Set the account's e-mail address ('' removes it)."""
    with session_scope(ctx.engine, write=True) as s:
        after = accounts.administer(s, accounts.Administrator(audit.cli_actor()), "email", username, email=email).email
    click.echo(f"已设置 / set {username}: {after or '无邮箱 / none'}")


@users.command("scope")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(list(vocab.ROLES)))
@click.option("--scope", "scope_code", help="department code (department) or region code (county)")
@pass_ctx
def users_scope(ctx: Context, username, role, scope_code) -> None:
    """Another role or scope; the account's sessions end."""
    with session_scope(ctx.engine, write=True) as s:
        accounts.administer(s, accounts.Administrator(audit.cli_actor()), "scope", username, role=role,
                            scope_code=scope_code)
    click.echo(f"已变更 / changed {username}: {role}{' ' + scope_code if scope_code else ''}")


@users.command("enable")
@click.argument("username")
@pass_ctx
def users_enable(ctx: Context, username) -> None:
    with session_scope(ctx.engine, write=True) as s:
        accounts.administer(s, accounts.Administrator(audit.cli_actor()), "enable", username)
    click.echo(f"已启用 / enabled {username}")


@users.command("disable")
@click.argument("username")
@pass_ctx
def users_disable(ctx: Context, username) -> None:
    with session_scope(ctx.engine, write=True) as s:
        accounts.administer(s, accounts.Administrator(audit.cli_actor()), "disable", username)
    click.echo(f"已停用 / disabled {username}: 会话与令牌已失效 / sessions and tokens revoked")


@users.command("passwd")
@click.argument("username")
@password_option
@pass_ctx
def users_passwd(ctx: Context, username, secret) -> None:
    with session_scope(ctx.engine, write=True) as s:
        accounts.administer(s, accounts.Administrator(audit.cli_actor()), "password", username, password=secret)
    click.echo(f"已修改密码 / password changed for {username}; 其他会话已失效 / other sessions ended")


@users.command("token")
@click.argument("username")
@click.option("--revoke", is_flag=True, help="revoke all the account's tokens (and end sessions opened with them)")
@pass_ctx
def users_token(ctx: Context, username, revoke) -> None:
    """Issue an API token (printed once); for a screen account also its kiosk login URL."""
    with session_scope(ctx.engine, write=True) as s:
        if revoke:
            count = accounts.revoke_tokens(s, username)
            audit.record(s, audit.cli_actor(), "user.token.revoke", username, after={"revoked": count})
        else:
            token = accounts.issue_token(s, username)
            audit.record(s, audit.cli_actor(), "user.token", username)  # never the token itself
            role = accounts.get_user(s, username).role
    if revoke:
        click.echo(f"已撤销 / revoked {count} token(s) of {username}; 其会话已结束 / its sessions ended")
        return
    click.echo(token)
    if role == "screen":
        host, port = ctx.config["server.host"], ctx.config["server.port"]
        scheme = "https" if ctx.config["auth.secure_cookies"] else "http"  # secure cookies: served over HTTPS
        click.echo(f"大屏登录地址 / kiosk URL: {scheme}://{host}:{port}/screen/login?token={token}", err=True)


def run() -> None:  # pragma: no cover - console entry for `python -m jobs.cli`
    main(prog_name="panhuo")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run())
