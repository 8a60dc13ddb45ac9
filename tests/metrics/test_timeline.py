import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metrics.timeline import is_last_day, months_between, months_range, parse_month, shift_month, snapshot_date, year_before

dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31))


@pytest.mark.parametrize("start, end, months", [
    (dt.date(2026, 1, 31), dt.date(2026, 2, 28), 1),   # D is a month end: k = 0
    (dt.date(2026, 1, 15), dt.date(2026, 2, 14), 0),
    (dt.date(2026, 4, 30), dt.date(2026, 10, 31), 6),
    (dt.date(2024, 1, 31), dt.date(2024, 2, 29), 1),   # leap February
    (dt.date(2024, 1, 30), dt.date(2024, 2, 28), 0),   # Feb 28 is not a month end in 2024
    (dt.date(2026, 3, 31), dt.date(2026, 4, 30), 1),
    (dt.date(2026, 5, 1), dt.date(2026, 5, 31), 0),
    (dt.date(2025, 10, 31), dt.date(2026, 10, 31), 12),
])
def test_months_between_examples(start, end, months):
    assert months_between(start, end) == months


@given(dates)
def test_months_between_same_day_is_zero(d):
    assert months_between(d, d) == 0


@given(dates, dates)
def test_months_between_never_decreases_as_the_end_moves_on(start, end):
    later = end + dt.timedelta(days=1)
    assert months_between(start, later) >= months_between(start, end)


@given(dates, dates)
def test_months_between_never_increases_as_the_start_moves_on(start, end):
    later = start + dt.timedelta(days=1)
    assert months_between(later, end) <= months_between(start, end)


@given(dates, st.integers(min_value=0, max_value=200))
def test_months_between_counts_calendar_months_to_a_month_end(start, n):
    end_index = start.year * 12 + start.month - 1 + n
    end = snapshot_date(f"{end_index // 12:04d}-{end_index % 12 + 1:02d}")
    assert months_between(start, end) == n


def test_snapshot_date_is_the_last_day():
    assert snapshot_date("2026-02") == dt.date(2026, 2, 28)
    assert snapshot_date("2024-02") == dt.date(2024, 2, 29)
    assert snapshot_date("2026-12") == dt.date(2026, 12, 31)
    assert is_last_day(snapshot_date("2026-11"))


def test_year_before_maps_feb_29_to_feb_28():
    assert year_before(dt.date(2024, 2, 29)) == dt.date(2023, 2, 28)
    assert year_before(dt.date(2026, 10, 31)) == dt.date(2025, 10, 31)


def test_months_range_and_shift():
    assert months_range("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert shift_month("2026-01", -1) == "2025-12"
    assert shift_month("2026-01", -2) == "2025-11"


@pytest.mark.parametrize("bad", ["2026-13", "2026-1", "26-01", "", "2026/01"])
def test_parse_month_rejects(bad):
    with pytest.raises(ValueError, match="YYYY-MM"):
        parse_month(bad)
