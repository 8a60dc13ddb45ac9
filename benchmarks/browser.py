"""The browser's share of each page: what the tab spends taking in what the server sent.

    panhuo demo                                   # or any running portal with the demo's accounts
    python benchmarks/browser.py [--url http://127.0.0.1:8050] [--password panhuo-demo] [--runs 3]

For each demo account and each menu page its role may open (ledger.permissions), the page is
opened from 消息 inside the running Dash app (as a click on the top bar does) and Chromium's own
counters (`Performance.getMetrics`) are read from the click until 3 s after the network is idle:
the tab's script time, layout and style time, and all its tasks. The server's side is
`allocation.py`'s and locust's; a page whose answer is a few thousand HTML components costs the
tab seconds here while its callbacks answer in a fraction of one (配置审核 before the twenty-seventh
session). Median of `--runs`. Needs Chromium at /usr/bin/chromium (Debian's package).
"""
from __future__ import annotations

import argparse
import statistics

from playwright.sync_api import sync_playwright

from ledger.permissions import REGISTRY

ACCOUNTS = {"leader": "leader", "supervisor": "supervisor", "county": "county", "department": "dept", "admin": "admin"}
COUNTERS = ("ScriptDuration", "LayoutDuration", "RecalcStyleDuration", "TaskDuration")


def measure(page, cdp, path: str) -> dict[str, float]:
    """One opening of `path` inside the app (history.pushState, as dcc.Location follows a link)."""
    page.evaluate("() => { window.history.pushState({}, '', '/inbox'); window.dispatchEvent(new PopStateEvent('popstate')); }")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1500)
    before = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    page.evaluate(f"() => {{ window.history.pushState({{}}, '', {path!r}); "
                  "window.dispatchEvent(new PopStateEvent('popstate')); }")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(3000)
    after = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return {name: after[name] - before[name] for name in COUNTERS}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8050")
    parser.add_argument("--password", default="panhuo-demo")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print("| account | page | script s | layout s | style s | all tasks s |\n|---|---|---|---|---|---|")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--no-sandbox", "--disable-background-networking"])
        for role, username in ACCOUNTS.items():
            page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
            page.goto(f"{args.url}/login")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", args.password)
            page.keyboard.press("Enter")
            page.wait_for_load_state("networkidle")
            cdp = page.context.new_cdp_session(page)
            cdp.send("Performance.enable")
            for entry in REGISTRY:
                if not entry.menu or role not in entry.roles or entry.path == "/inbox":
                    continue
                runs = [measure(page, cdp, entry.path) for _ in range(args.runs)]
                median = {name: statistics.median(run[name] for run in runs) for name in COUNTERS}
                print(f"| {username} | {entry.label} | " + " | ".join(f"{median[name]:.2f}" for name in COUNTERS) + " |",
                      flush=True)
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
