"""`panhuo users add|list|passwd|disable|token` (cli.md)."""
import unicodedata

from click.testing import CliRunner
from sqlalchemy import select

from jobs.cli import main
from ledger import accounts
from ledger.db import session_scope
from ledger.models import AuditEntry, User
from tests.factories import LedgerBuilder


def run(config, *args, stdin=None):
    return CliRunner().invoke(main, list(args), input=stdin, env={"PANHUO_DATABASE_URL": config.database_url})


def _shown(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def test_accounts_through_the_command_line(engine, config, tmp_path):
    LedgerBuilder().unit("U1", dept="D1").asset("A1").load(engine, config, tmp_path)
    assert run(config, "users", "add", "zhang", "--role", "department", "--scope", "D1",
               "--password-stdin", stdin="long-enough-1\n").exit_code == 0
    bad_scope = run(config, "users", "add", "li", "--role", "department", "--scope", "NOPE", "--password", "x" * 10)
    assert bad_scope.exit_code != 0 and "known department code" in bad_scope.output
    short = run(config, "users", "add", "wang", "--role", "leader", "--password", "short")
    assert short.exit_code != 0 and "at least 8" in short.output
    listing = run(config, "users", "list").output
    header, line = listing.splitlines()
    assert header.split() == ["用户名", "角色", "范围", "邮箱", "状态"]
    assert line.split() == ["zhang", "主管部门（department）", "D1", "-", "启用", "active"]
    # the columns line up as a terminal shows them, a Chinese character two columns wide
    assert [_shown(row[:row.index(word)]) for row, word in ((header, "范围"), (line, "D1"))] == [46, 46]
    token = run(config, "users", "token", "zhang").output.strip()
    with session_scope(engine) as s:
        assert accounts.user_for_token(s, token).username == "zhang"
        version = s.scalar(select(User.session_version).where(User.username == "zhang"))
    assert run(config, "users", "passwd", "zhang", "--password", "another-one-2").exit_code == 0
    assert run(config, "users", "disable", "zhang").exit_code == 0
    with session_scope(engine) as s:
        user = s.scalar(select(User).where(User.username == "zhang"))
        assert user.disabled and user.session_version == version + 2
        assert accounts.user_for_token(s, token) is None
        assert accounts.verify_login(s, "zhang", "another-one-2") is None
    assert "no such user" in run(config, "users", "disable", "ghost").output
    with engine.connect() as conn:
        entries = conn.execute(select(AuditEntry.action, AuditEntry.target, AuditEntry.after)
                               .order_by(AuditEntry.id)).all()
    assert [(e.action, e.target) for e in entries if e.action.startswith("user.")] == [
        ("user.add", "zhang"), ("user.token", "zhang"), ("user.password", "zhang"), ("user.disable", "zhang")]
    assert entries[-1].after == {"disabled": True}
    assert token not in str(entries)  # the token itself is never written down


def test_a_screen_token_comes_with_the_kiosk_url_of_the_configured_server(engine, config):
    assert run(config, "users", "add", "wall", "--role", "screen", "--password", "x" * 10).exit_code == 0
    result = CliRunner().invoke(main, ["users", "token", "wall"], env={
        "PANHUO_DATABASE_URL": config.database_url, "PANHUO_SERVER_HOST": "portal.czj.local",
        "PANHUO_SERVER_PORT": "8443"})
    token = result.stdout.strip()
    assert f"http://portal.czj.local:8443/screen/login?token={token}" in result.stderr
