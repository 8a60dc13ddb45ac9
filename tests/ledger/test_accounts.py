"""How a password is kept."""
from __future__ import annotations

from werkzeug.security import check_password_hash

from ledger import accounts
from ledger.db import session_scope
from tests.conftest import PORTAL_HASH_METHOD


def test_the_portal_keeps_passwords_as_scrypt_at_the_cost_werkzeug_recommends(engine, monkeypatch):
    monkeypatch.setattr(accounts, "HASH_METHOD", PORTAL_HASH_METHOD)
    with session_scope(engine, write=True) as s:
        user = accounts.add_user(s, "zhao", "leader", "long-enough-1", None)
        stored = user.password_hash
        method, salt, _ = stored.split("$")
        # n=2**15, r=8, p=1 (Werkzeug's default); a salt of 16 characters, never the password
        assert method == "scrypt:32768:8:1" and len(salt) == 16 and "long-enough-1" not in stored
        assert check_password_hash(stored, "long-enough-1") and not check_password_hash(stored, "long-enough-2")
        assert accounts.verify_login(s, "zhao", "long-enough-1").username == "zhao"
        assert accounts.verify_login(s, "zhao", "long-enough-2") is None
