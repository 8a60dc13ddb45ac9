"""Create the accounts benchmarks/locustfile.py logs in with, on the benchmark database.

    PANHUO_DATABASE_URL=sqlite:///benchmarks/data/bench.db .venv/bin/python benchmarks/web.py
"""
from __future__ import annotations

import os

from sqlalchemy import select

from ledger import accounts
from ledger.db import make_engine, session_scope
from ledger.demo import COUNTIES, DEPT_ACCOUNTS
from ledger.models import User

PASSWORD = "bench-password-1"
WANTED = [("bench-leader", "leader", None), ("bench-supervisor", "supervisor", None),
          ("bench-county", "county", COUNTIES[0][0]), ("bench-dept", "department", DEPT_ACCOUNTS["dept"])]


def main() -> None:
    engine = make_engine(os.environ["PANHUO_DATABASE_URL"])
    with session_scope(engine, write=True) as s:
        for username, role, scope in WANTED:
            if s.scalar(select(User).where(User.username == username)) is None:
                accounts.add_user(s, username, role, PASSWORD, scope)
    print("accounts ready:", ", ".join(u for u, _, _ in WANTED))


if __name__ == "__main__":
    main()
