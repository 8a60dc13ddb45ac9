"""The stored timeline against a direct reading of import.md's rules, on random timelines."""
import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from metrics.spans import spans_of_asset

STATUSES = ["in_use", "idle", "underused", "leased", "disposed"]
day = st.integers(min_value=0, max_value=400).map(lambda n: dt.date(2024, 1, 1) + dt.timedelta(days=n))


def status_on(acquired, card, changes, d):
    """import.md: the latest entry dated ≤ d (the card wins a shared day); 在用 before the first entry."""
    entries = sorted([(on, 1, s) for on, s in changes] + [(card[0], 2, card[1])])
    current = "in_use" if d >= acquired else None
    for on, _, status in entries:
        if on <= d:
            current = status
    return current


def idle_run_start(acquired, card, changes, d):
    """The date of the earliest entry of the unbroken run of 闲置 entries ending with the status on d."""
    by_day = {on: s for on, s in changes}
    by_day[card[0]] = card[1]
    run = None
    for on in sorted(k for k in by_day if k <= d):
        run = (run or on) if by_day[on] == "idle" else None
    return run


@given(day, st.lists(st.tuples(day, st.sampled_from(STATUSES)), max_size=6, unique_by=lambda c: c[0]),
       st.tuples(day, st.sampled_from(STATUSES)), day)
def test_spans_give_the_status_and_idle_run_of_every_day(acquired, changes, card, d):
    changes = sorted((max(on, acquired), s) for on, s in changes)
    changes = list({on: (on, s) for on, s in changes}.values())
    card = (max(card[0], acquired), card[1])
    spans = spans_of(acquired, card[1], card[0], changes)
    assert [s[0] for s in spans] == sorted({acquired, card[0], *(on for on, _ in changes)})  # one span per day
    holding = [s for s in spans if s[0] <= d and (s[1] is None or s[1] > d)]
    expected = status_on(acquired, card, changes, d)
    if expected is None:
        assert holding == []
        return
    assert len(holding) == 1
    start, end, status, run_start = holding[0]
    assert status == expected
    assert run_start == (idle_run_start(acquired, card, changes, d) if status == "idle" else None)



def spans_of(acquired, card_status, status_since, changes):
    return [tuple(s.values()) for s in spans_of_asset(acquired, card_status, status_since, changes)]
