"""Login limits: an address is locked out, an account only slows down, parallel attempts cannot
slip past a limit, and refusals are summed up in the audit log instead of one row each."""
from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from ledger import logins
from ledger.models import AuditEntry, LoginAttempt

NOW = dt.datetime(2026, 11, 30, 9, 0, 0)


def failed(engine, username, address, now=NOW):
    attempt = logins.begin(engine, username, address, now)
    if attempt.refused is None:
        logins.fail(engine, attempt)
    return attempt


def test_five_wrong_passwords_lock_out_the_address_not_the_account(engine):
    for _ in range(logins.PER_PAIR):
        assert failed(engine, "county", "10.0.0.1").refused is None
    assert failed(engine, "county", "10.0.0.1").refused == logins.LIMITED
    assert logins.begin(engine, "county", "10.0.0.2", NOW).refused is None  # the account from elsewhere
    # the window passes
    assert logins.begin(engine, "county", "10.0.0.1", NOW + logins.WINDOW + dt.timedelta(seconds=1)).refused is None


def test_one_address_trying_many_accounts_is_locked_out(engine):
    for i in range(logins.PER_ADDRESS):
        assert failed(engine, f"user{i}", "10.0.0.9").refused is None
    assert failed(engine, "someone-else", "10.0.0.9").refused == logins.LIMITED


def test_an_account_failing_from_everywhere_slows_down(engine):
    for i in range(logins.BACKOFF_AFTER):
        assert failed(engine, "leader", f"10.0.1.{i}").refused is None
    wait = logins.backoff(logins.BACKOFF_AFTER)
    assert "秒后再试" in logins.begin(engine, "leader", "10.0.2.1", NOW + dt.timedelta(seconds=wait - 1)).refused
    assert logins.begin(engine, "leader", "10.0.2.1", NOW + dt.timedelta(seconds=wait)).refused is None


@given(st.integers(min_value=0, max_value=200))
def test_the_back_off_grows_and_is_bounded(failures):
    assert 0 <= logins.backoff(failures) <= logins.BACKOFF_MAX
    assert logins.backoff(failures) <= logins.backoff(failures + 1)
    assert (logins.backoff(failures) == 0) == (failures < logins.BACKOFF_AFTER)


def test_a_success_forgets_the_pairs_failures(engine):
    for _ in range(logins.PER_PAIR - 1):
        failed(engine, "dept", "10.0.0.3")
    attempt = logins.begin(engine, "dept", "10.0.0.3", NOW)
    logins.succeed(engine, attempt, "dept", "10.0.0.3")
    for _ in range(logins.PER_PAIR):
        assert failed(engine, "dept", "10.0.0.3").refused is None


def test_parallel_attempts_get_no_more_tries_than_the_limit(engine):
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: logins.begin(engine, "supervisor", "10.0.0.5", NOW), range(25)))
    assert sum(r.refused is None for r in results) == logins.PER_PAIR


def test_refusals_are_summed_up_once_per_address(engine):
    for _ in range(30):  # 20 bad kiosk tokens, then 10 refused
        failed(engine, logins.SCREEN, "10.0.0.7")
    with engine.connect() as conn:
        rows = conn.execute(select(AuditEntry.action).where(AuditEntry.address == "10.0.0.7")).all()
    assert [r.action for r in rows] == ["login.limited"]  # the first refusal, not thirty rows
    later = NOW + 2 * logins.WINDOW + dt.timedelta(minutes=1)
    logins.begin(engine, "leader", "10.0.0.8", later)  # any attempt afterwards sums up what has passed
    with engine.connect() as conn:
        rows = conn.execute(select(AuditEntry.action, AuditEntry.after, AuditEntry.detail).where(AuditEntry.address == "10.0.0.7")
                            .order_by(AuditEntry.id)).all()
        left = conn.execute(select(LoginAttempt).where(LoginAttempt.address == "10.0.0.7")).all()
    assert [r.action for r in rows] == ["login.limited", "login.limited"]
    assert rows[1].after == {"refused": 30} and "共 30 次" in rows[1].detail
    assert left == []
