"""One clock: moments are stored in UTC and every time a person reads is in [org] timezone, whatever the
server's own time zone. The portal is run here in processes of their own with TZ=UTC and with another
zone, and shows the same times, Shanghai's."""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from ledger import clock
from ledger.models import AuditEntry
from tests.helpers import ROOT

# in a process of its own: log in as the admin (one audit entry) and read the audit page's newest rows
# and the moment the login was stored at, as the page shows it
SCRIPT = """
import json, sys
from ledger.config import load_config
from tests.city import make_app, login
from tests.dashboard.callbacks import call

config = load_config(environ={}).replace(database__url=sys.argv[1], org__city_region_code="990100")
app = make_app(config)
client = app.test_client()
assert login(client, "admin").status_code == 302
_, response = call(client, [("audit-grid", "getRowsResponse")], [("audit-grid", "getRowsRequest", {"startRow": 0, "endRow": 5})],
                   [("audit-action", "value", "login"), ("audit-actor", "value", "admin"), ("audit-dates", "start_date", None),
                    ("audit-dates", "end_date", None)])
print(json.dumps({"rows": response["audit-grid"]["getRowsResponse"]["rowData"], "today": str(config.today())}))
"""


def portal_in(zone: str, database_url: str) -> dict:
    env = {**os.environ, "TZ": zone, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", SCRIPT, database_url], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow  # a server process per zone: the full run and CI
def test_a_portal_run_with_tz_utc_shows_shanghai_time(city, config):
    shanghai = ZoneInfo("Asia/Shanghai")
    seen = {}
    for zone in ("UTC", "America/Los_Angeles"):
        before = dt.datetime.now(shanghai).replace(tzinfo=None, microsecond=0)
        answer = portal_in(zone, config.database_url)
        after = dt.datetime.now(shanghai).replace(tzinfo=None)
        newest = dt.datetime.fromisoformat(answer["rows"][0]["at"])
        assert before <= newest <= after, (zone, newest)  # the login just made, in Shanghai's time
        assert answer["today"] == str(dt.datetime.now(shanghai).date()) or after.date() != before.date()
        seen[zone] = [row["at"] for row in answer["rows"]]
    assert seen["America/Los_Angeles"][1] == seen["UTC"][0]  # the first process's login reads alike in the second
    with city.connect() as conn:
        stored = conn.execute(select(AuditEntry.at).where(AuditEntry.action == "login")
                              .order_by(AuditEntry.id.desc())).scalar()
    # stored in UTC: eight hours behind what the page showed
    assert stored + dt.timedelta(hours=8) == dt.datetime.fromisoformat(seen["America/Los_Angeles"][0])


def test_the_clock_stores_utc_and_shows_the_zone():
    moment = dt.datetime(2026, 12, 3, 14, 35, 2)
    assert clock.local(moment, "Asia/Shanghai").strftime("%H:%M") == "22:35"
    assert clock.local_date(dt.datetime(2026, 12, 3, 16, 1), "Asia/Shanghai") == dt.date(2026, 12, 4)
    assert clock.start_of(dt.date(2026, 12, 4), "Asia/Shanghai") == dt.datetime(2026, 12, 3, 16, 0)
    assert clock.iso(moment, "Asia/Shanghai") == "2026-12-03T22:35:02+08:00"
    assert abs(clock.now() - dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)) < dt.timedelta(seconds=2)
