"""The one clock: moments are stored in UTC (naive, to the second unless asked otherwise); a
person's day and every time shown are in the deployment's zone (`[org] timezone`).

Stored moments never depend on the server's own time zone, so a portal run with TZ=UTC and one
run with TZ=Asia/Shanghai write and show the same times.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

UTC = dt.timezone.utc


def now(precise: bool = False) -> dt.datetime:
    """The moment to store: UTC, naive (the database columns carry no zone), to the second
    (`precise`: with microseconds, for versions that must differ between two runs in a second)."""
    moment = dt.datetime.now(UTC).replace(tzinfo=None)
    return moment if precise else moment.replace(microsecond=0)


def local(moment: dt.datetime, zone: str) -> dt.datetime:
    """A stored moment (naive UTC, or aware) in the zone."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(zone))


def local_now(zone: str) -> dt.datetime:
    """Now where the deployment is, naive (to compare with a local due time)."""
    return dt.datetime.now(ZoneInfo(zone)).replace(tzinfo=None, microsecond=0)


def today(zone: str) -> dt.date:
    """Today where the deployment is."""
    return dt.datetime.now(ZoneInfo(zone)).date()


def local_date(moment: dt.datetime, zone: str) -> dt.date:
    """The day a stored moment fell on where the deployment is."""
    return local(moment, zone).date()


def start_of(day: dt.date, zone: str) -> dt.datetime:
    """The stored (naive UTC) moment a local day begins: for filtering stored moments by day."""
    return dt.datetime.combine(day, dt.time(), ZoneInfo(zone)).astimezone(UTC).replace(tzinfo=None)


def iso(moment: dt.datetime | None, zone: str) -> str | None:
    """ISO 8601 with the zone's offset, as data exports carry a moment."""
    return None if moment is None else local(moment, zone).isoformat(timespec="seconds")
