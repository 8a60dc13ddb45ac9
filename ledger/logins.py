"""Login attempts: limits per (account, address) and per address, a back-off per account, and
refusals counted rather than logged one by one.

A wrong password from one address locks out that address, never the account: anyone can type a
known user name. The account itself only slows down (each further try waits longer) after many
failures from anywhere, and not for a browser it has logged in from before: attackers spread
over many addresses slow themselves, not the account's owner. An attempt is counted before its password is checked, in one serialised
transaction, so parallel attempts cannot slip past a limit; it is forgotten again on success.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, delete, func, select, update

from ledger import audit, clock
from ledger.db import session_scope
from ledger.locks import transaction_lock
from ledger.models import LoginAttempt

WINDOW = dt.timedelta(minutes=15)
PER_PAIR = 5  # wrong passwords for one account from one address
PER_ADDRESS = 20  # failures from one address, any account
BACKOFF_AFTER = 10  # failures of one account from anywhere before each further try must wait
BACKOFF_MAX = 300  # seconds
SCREEN = "screen-token"  # the account name kiosk token attempts are counted under
LIMITED = "登录失败次数过多，请 15 分钟后再试"


@dataclass
class Attempt:
    id: int | None  # the pending row; None when refused
    refused: str | None = None  # why, in Chinese, for the login page


def backoff(failures: int) -> int:
    """Seconds an account must wait after its last failure before the next try."""
    return 0 if failures < BACKOFF_AFTER else min(2 ** (failures - BACKOFF_AFTER + 1), BACKOFF_MAX)


def begin(engine: Engine, username: str, address: str, now: dt.datetime | None = None,
          trusted: bool = False) -> Attempt:
    """Count the attempt (as a failure until `succeed`) unless a limit refuses it.

    `trusted`: the browser has logged into this account before (a signed known-device cookie,
    dashboard.auth): the account's back-off, which attackers elsewhere can keep running, does not
    hold it up; the limits per address and per (account, address) still do."""
    now = now or clock.now()
    since = now - WINDOW
    with session_scope(engine, write=True) as s:
        transaction_lock(s, "logins")  # count and record as one step: parallel tries queue here
        _summarise_old(s, now)
        failed = select(func.count()).where(LoginAttempt.at > since, LoginAttempt.outcome != "refused")
        pair = s.scalar(failed.where(LoginAttempt.username == username, LoginAttempt.address == address))
        by_address = s.scalar(failed.where(LoginAttempt.address == address))
        by_account, last = s.execute(select(func.count(), func.max(LoginAttempt.at)).where(
            LoginAttempt.at > since, LoginAttempt.outcome != "refused", LoginAttempt.username == username)).one()
        allowed_at = last + dt.timedelta(seconds=backoff(by_account)) if last is not None else now
        refused = None
        if pair >= PER_PAIR or by_address >= PER_ADDRESS:
            refused = LIMITED
        elif now < allowed_at and not trusted:
            refused = f"该账号近期登录失败较多，请 {int((allowed_at - now).total_seconds()) + 1} 秒后再试"
        if refused:
            first = s.scalar(select(func.count()).where(LoginAttempt.at > since, LoginAttempt.address == address,
                                                        LoginAttempt.outcome == "refused")) == 0
            s.add(LoginAttempt(username=username[:100], address=address[:64], at=now, outcome="refused"))
            if first:  # the rest of the window is counted, and summed up once it has passed
                audit.record(s, username or "?", "login.limited", address, address=address,
                             detail=f"{refused}；此后 15 分钟内该地址被拒的请求只计数 / further refusals counted")
            return Attempt(None, refused)
        row = LoginAttempt(username=username[:100], address=address[:64], at=now, outcome="pending")
        s.add(row)
        s.flush()
        return Attempt(row.id)


def succeed(engine: Engine, attempt: Attempt, username: str, address: str) -> None:
    """The password was right: forget this attempt and the pair's earlier failures."""
    with session_scope(engine, write=True) as s:
        s.execute(delete(LoginAttempt).where(LoginAttempt.outcome != "refused", (LoginAttempt.id == attempt.id) | (
            (LoginAttempt.username == username) & (LoginAttempt.address == address))))


def fail(engine: Engine, attempt: Attempt) -> None:
    with session_scope(engine, write=True) as s:
        s.execute(update(LoginAttempt).where(LoginAttempt.id == attempt.id).values(outcome="failed"))


def _summarise_old(s, now: dt.datetime) -> None:
    """Attempts older than two windows are dropped; refusals and bad kiosk tokens among them are
    written to the audit log first, one row per address with their count."""
    old = now - 2 * WINDOW
    counted = (LoginAttempt.outcome == "refused") | ((LoginAttempt.username == SCREEN) & (LoginAttempt.outcome == "failed"))
    for address, count in s.execute(select(LoginAttempt.address, func.count())
            .where(LoginAttempt.at < old, counted).group_by(LoginAttempt.address)).all():
        audit.record(s, "system", "login.limited", address, address=address, after={"refused": count},
                     detail=f"此前该地址共 {count} 次登录请求被拒或令牌无效 / "
                            f"{count} refused logins or bad tokens from this address before")
    s.execute(delete(LoginAttempt).where(LoginAttempt.at < old))
