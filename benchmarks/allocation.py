"""配置审核 latency on an imported city: the page as a supervisor opens it (its callbacks over HTTP,
stored reviews), one request's live candidates, and a budget year's open requests.

    PANHUO_DATABASE_URL=... python benchmarks/web.py          # the bench-supervisor account
    PANHUO_DATABASE_URL=... python benchmarks/allocation.py --date 2026-11-20 [--year 2027] [--runs 40]

"The page" times, on the server, what a supervisor's browser asks for: the page, its list
callback (figures, requests with flags, transfers) with the stored reviews current (what the
scheduler keeps so) and right after the stock changed (all computed again), a request's detail,
and a decision saved and withdrawn (each on a different request, so holds stay as they were).

"One request" times what the review page's detail callback asks of the engine on the server for
a request: the request row, its candidates and flags (read the fitting cards, build their
timelines, rank), the names of the units shown and its held assets. The requests timed are the
year's first `runs` by id (class-code and name requests alike), after one warm-up review. "The year" times every open
request of the budget year in one review (the page's list and the `export candidates` path).
"""
from __future__ import annotations

import argparse
import datetime as dt
import re
import statistics
import time

from sqlalchemy import and_, select

from dashboard import create_app
from ledger.config import load_config
from ledger.db import make_engine
from ledger.models import PurchaseRequest
from ledger.scope import Scope
from metrics.allocation import UNDECIDED, export_frames, refresh_stale, requests_frame, review


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--date", required=True, type=dt.date.fromisoformat)
    parser.add_argument("--year", type=int, default=2027)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    config = load_config()
    engine = make_engine(config.database_url)
    scope = Scope("all")
    undecided = UNDECIDED
    with engine.connect() as conn:
        ids = list(conn.execute(select(PurchaseRequest.request_id).where(
            PurchaseRequest.budget_year == args.year, undecided).order_by(PurchaseRequest.request_id)).scalars())
    page(config, ids, args.date)
    # a web process keeps its SQLite driver process and its connections: warm them first
    review(engine, config, args.date, requests_frame(engine, PurchaseRequest.request_id == ids[-1]))
    times, found_counts = [], []
    for request_id in ids[:args.runs]:
        started = time.perf_counter()
        one = requests_frame(engine, and_(scope.units(), PurchaseRequest.request_id == request_id))
        found = review(engine, config, args.date, one)
        times.append(time.perf_counter() - started)
        found_counts.append(len(found.of(request_id)))
    times.sort()
    print(f"one request ({len(times)} requests, {min(found_counts)}–{max(found_counts)} candidates each): "
          f"p50 {statistics.median(times) * 1000:.0f} ms, p95 {times[int(0.95 * (len(times) - 1))] * 1000:.0f} ms, "
          f"max {times[-1] * 1000:.0f} ms")
    started = time.perf_counter()
    year = requests_frame(engine, and_(PurchaseRequest.budget_year == args.year, undecided))
    found = review(engine, config, args.date, year)
    seconds = time.perf_counter() - started
    print(f"the year's {len(year)} open requests in one review: {seconds:.2f} s, {len(found.candidates):,} candidates")
    started = time.perf_counter()
    candidates, requests = export_frames(engine, config, args.date)
    print(f"export candidates + requests ({len(requests)} requests, {len(candidates):,} rows): "
          f"{time.perf_counter() - started:.2f} s")


def _call(client, outputs, inputs, state=(), changed=None, answer: list | None = None) -> float:
    """One callback as the browser posts it; returns its seconds (and fails loudly on an error),
    its answer appended to `answer`."""
    key = ".." + "...".join(f"{i}.{p}" for i, p in outputs) + ".."
    registered = client.application.extensions["panhuo.dash"].callback_map
    key = next(k for k in registered if re.sub(r"@[0-9a-f]+", "", k) == key)
    out = [{"id": o.split(".")[0], "property": o.split(".", 1)[1]} for o in key.strip(".").split("...")]
    started = time.perf_counter()
    response = client.post("/_dash-update-component", json={
        "output": key, "outputs": out, "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
        "changedPropIds": [changed or f"{inputs[0][0]}.{inputs[0][1]}"]})
    seconds = time.perf_counter() - started
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    if answer is not None:
        answer.append(response.get_json()["response"])
    return seconds


def page(config, ids: list[str], d: dt.date) -> None:
    """The 配置审核 page as a supervisor opens it, reviews a request and decides it."""
    app = create_app(config.replace(auth__secret_key="bench-secret-key-0123456789"))
    engine = app.extensions["panhuo.engine"]
    client = app.test_client()
    form = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"username": "bench-supervisor", "password": "bench-password-1",
                                "csrf": re.search(r'name="csrf" value="([^"]+)"', form).group(1)})
    year = int(engine.connect().execute(select(PurchaseRequest.budget_year).where(
        PurchaseRequest.request_id == ids[0])).scalar())
    render = [("allocation-figures", "children"), ("allocation-requests", "rowData"),
              ("allocation-transfers", "children"), ("allocation-requests", "dashGridOptions"),
              ("allocation-requests", "style")]
    listed = lambda: _call(client, render, [("allocation-year", "value", year), ("allocation-show", "value", "open"),  # noqa: E731
                                            ("allocation-version", "data", 0)])
    started = time.perf_counter()
    assert client.get("/allocation").status_code == 200
    layout = time.perf_counter() - started
    stale = refresh_stale(engine, config, config.today())  # what the scheduler does once the stock changes
    started = time.perf_counter()
    refresh_stale(engine, config, config.today() + dt.timedelta(days=1))
    everything = time.perf_counter() - started
    refresh_stale(engine, config, config.today())
    lists = sorted(listed() for _ in range(5))
    answers: list[dict] = []
    details = sorted(_call(client, [("allocation-request", "data"), ("allocation-detail", "children"),
                                    ("allocation-candidates", "rowData"), ("allocation-candidates", "selectedRows")],
                           [("allocation-requests", "selectedRows", [{"request_id": r}]), ("allocation-version", "data", 0)],
                           [("allocation-request", "data", None)], "allocation-requests.selectedRows", answers)
                     for r in ids[:20] + ids[-5:])
    first = {a["allocation-request"]["data"]: a["allocation-candidates"]["rowData"][:1] for a in answers}
    decided = [("allocation-decided", "children"), ("allocation-version", "data"), ("allocation-note", "value")]
    saves, after = [], []
    for request_id in ids[-5:]:
        # a transfer of its first candidate where it has one: the hold makes other requests' reviews stale
        picked = first.get(request_id) or []
        state = [("allocation-request", "data", request_id), ("allocation-kind", "value", "transfer" if picked else "reject"),
                 ("allocation-approved", "value", None), ("allocation-note", "value", "基准测试"),
                 ("allocation-candidates", "selectedRows", picked), ("allocation-version", "data", 0)]
        buttons = [("allocation-decide", "n_clicks", 1), ("allocation-withdraw", "n_clicks", 1)]
        saves.append(_call(client, decided, buttons, state, "allocation-decide.n_clicks"))
        after.append(listed())  # the list again, as the page reloads it after a decision
        _call(client, decided, buttons, state, "allocation-withdraw.n_clicks")
    print(f"page: layout {layout * 1000:.0f} ms; list (figures, {len(ids)} open requests, transfers) from stored "
          f"reviews p50 {statistics.median(lists) * 1000:.0f} ms, max {lists[-1] * 1000:.0f} ms; "
          f"storing every open request's review again ({stale} stale at start) {everything:.2f} s")
    print(f"page: a request's detail p50 {statistics.median(details) * 1000:.0f} ms, max {details[-1] * 1000:.0f} ms "
          f"({len(details)} requests); a decision saved ({sum(bool(first.get(r)) for r in ids[-5:])} of 5 transfers) p50 {statistics.median(saves) * 1000:.0f} ms, max {max(saves) * 1000:.0f} ms; "
          f"the list right after it p50 {statistics.median(after) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
