"""20 users browsing the portal as the roles do; each Dash callback is its own line in the stats.

    .venv/bin/locust -f benchmarks/locustfile.py --headless -u 20 -r 4 -t 180s \\
        --host http://127.0.0.1:8050 --csv benchmarks/results/web

Accounts: `python benchmarks/web.py` creates them (password bench-password-1) on the
benchmark database. Callback payloads are built from the server's own /_dash-dependencies,
so they are exactly what the browser sends.
"""
from __future__ import annotations

import random
import re

from locust import HttpUser, between, task

MONTH = "2026-10"
YEAR = 2027  # the budget year whose requests are open
SEARCHES = ["计算机", "办公", "3715", "局", "XQ2027", "空调"]
PASSWORD = "bench-password-1"
ROLES = [("bench-leader", 3), ("bench-supervisor", 4), ("bench-county", 2), ("bench-dept", 3)]


def value_for(dep: dict, context: dict):
    """What the browser would hold in an input or state the page just rendered."""
    name, prop = dep["id"], dep["property"]
    if name.endswith("-month"):
        return MONTH
    if name == "allocation-year":
        return YEAR
    if name == "allocation-show":
        return "open"
    if name.endswith("-version") or name.endswith("-asked"):
        return 0
    if name == "allocation-requests" and prop == "selectedRows":
        return [{"request_id": context["request_id"]}] if context.get("request_id") else None
    if name in ("app-search", "warnings-search"):
        return random.choice(SEARCHES) if name == "app-search" or random.random() < 0.3 else None
    if name == "warnings-level":
        return random.choice([None, None, "red", "yellow"])
    if name == "warnings-rule":
        return random.choice([None, None, "idle_overdue"])
    if prop == "n_clicks":
        return 1
    if prop == "active_tab":
        return "interview"
    if name.endswith("-code") and prop == "data":
        return context.get("code")
    if prop == "getRowsRequest":
        start = random.choice([0, 0, 100, 1000, 5000])
        sorts = [[], [{"colId": "months", "sort": "desc"}], [{"colId": "original_value", "sort": "desc"}]]
        return {"startRow": start, "endRow": start + 100, "filterModel": {},
                "sortModel": random.choice(sorts) if name == "overdue-grid" else []}
    return None


class Browser(HttpUser):
    wait_time = between(1, 3)  # a person reading the page before the next click

    def on_start(self):
        names = [n for n, _ in ROLES]
        self.username = random.choices(names, weights=[w for _, w in ROLES])[0]
        page = self.client.get("/login", name="GET /login").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        self.client.post("/login", data={"username": self.username, "password": PASSWORD, "csrf": csrf},
                         name="POST /login", allow_redirects=False)
        deps = self.client.get("/_dash-dependencies", name="GET /_dash-dependencies").json()
        self.callbacks = {}
        for dep in deps:
            outputs = dep["output"]
            first = outputs.strip(".").split("...")[0]
            self.callbacks.setdefault(first.split(".")[0], []).append(dep)
        self.departments = [r["code"] for r in self.client.get(
            f"/api/v1/kpis?level=department&month={MONTH}", name="GET /api/v1/kpis").json()] or [None]

    def fire(self, component: str, context: dict | None = None) -> dict:
        """Every callback whose first output is `component`, as the page fires it on load (or as a
        click on the button that is its first input); returns the last answer."""
        answer: dict = {}
        for dep in self.callbacks.get(component, []):
            if dep.get("clientside_function"):
                continue
            outputs = [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in dep["output"].strip(".").split("...")]
            body = {"output": dep["output"], "outputs": outputs if len(outputs) > 1 else outputs[0],
                    "inputs": [dict(d, value=value_for(d, context or {})) for d in dep["inputs"]],
                    "state": [dict(d, value=value_for(d, context or {})) for d in dep.get("state", [])],
                    "changedPropIds": [f"{d['id']}.{d['property']}" for d in dep["inputs"]]}
            with self.client.post("/_dash-update-component", json=body, name=f"cb {component}", catch_response=True) as r:
                if r.status_code not in (200, 204):
                    r.failure(f"HTTP {r.status_code}")
                elif r.status_code == 200:
                    answer = r.json().get("response", {})
        return answer

    def page(self, path: str, *components: str, context: dict | None = None):
        self.client.get(path, name=f"GET {path.split('?')[0]}")
        for component in components:
            self.fire(component, context)

    @task(3)
    def overview(self):
        if self.username != "bench-dept":
            self.page("/", "overview-body")

    @task(2)
    def rankings(self):
        if self.username != "bench-dept":
            self.page("/rankings", "rankings-body")

    @task(3)
    def department(self):
        code = random.choice(self.departments)
        self.page(f"/department?code={code}", "department-body", context={"code": code})

    @task(3)
    def overdue(self):
        self.page("/overdue", "overdue-body", "overdue-grid")

    @task(2)
    def warnings(self):
        self.page("/warnings", "warnings-body")

    @task(1)
    def lists(self):
        if self.username != "bench-dept":
            self.page("/lists", "lists-body", "lists-table")

    @task(2)
    def my_score(self):
        if self.username == "bench-dept":
            self.page("/my-score", "my-score-body")

    @task(2)
    def allocation(self):
        """配置审核: the year's open requests with their flags, then one request's candidates."""
        self.client.get("/allocation", name="GET /allocation")
        listed = self.fire("allocation-figures")
        rows = listed.get("allocation-requests", {}).get("rowData") or []
        if rows:
            self.fire("allocation-request", context={"request_id": random.choice(rows)["request_id"]})

    @task(2)
    def search(self):
        if self.username != "bench-dept":  # the top bar's search, as it is typed
            self.fire("app-search-results")

    @task(2)
    def warnings_filtered(self):
        self.page("/warnings", "warnings-body", "warnings-grid")

    @task(1)
    def inbox(self):
        self.page("/inbox", "inbox-detail")

    @task(1)
    def export(self):
        # a department's own warnings as a workbook (the city's 136,000 rows take seconds: timed
        # apart in benchmarks/README.md, not asked every minute by seven people)
        if self.username == "bench-dept":
            self.fire("warnings-download")
