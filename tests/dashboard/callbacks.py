"""Call a Dash callback over HTTP as the browser would, with chosen input and state values."""
from __future__ import annotations

import json
import re


def call(client, outputs: list[tuple[str, str]], inputs: list[tuple[str, str, object]],
         state: list[tuple[str, str, object]] = (), changed: str | None = None, expect_fault: bool = False):
    """POST /_dash-update-component; returns (status, {component id: {property: value}}).

    `changed`: the one input that fired ("id.property"); default: all of them. A callback that
    fails raises here, unless `expect_fault` (then the whole answer is returned)."""
    key = ".." + "...".join(f"{i}.{p}" for i, p in outputs) + ".." if len(outputs) > 1 else f"{outputs[0][0]}.{outputs[0][1]}"
    # an output shared by several callbacks (allow_duplicate) carries a "@hash" in the registered key
    registered = client.application.extensions["panhuo.dash"].callback_map
    key = next((k for k in registered if re.sub(r"@[0-9a-f]+", "", k) == key), key)
    out = [{"id": o.split(".")[0], "property": o.split(".", 1)[1]} for o in key.strip(".").split("...")]
    def item(i, p, v):
        # a pattern-matching ALL: {"type": …, "index": "ALL"} with a list of values, one component each
        if isinstance(i, dict) and i.get("index") == "ALL":
            return [{"id": {**i, "index": n}, "property": p, "value": value} for n, value in enumerate(v)]
        return {"id": i, "property": p, "value": v}
    response = client.post("/_dash-update-component", json={
        "output": key, "outputs": out if len(out) > 1 else out[0],
        "inputs": [item(i, p, v) for i, p, v in inputs],
        "state": [item(i, p, v) for i, p, v in state],
        "changedPropIds": [changed] if changed else [f"{i}.{p}" for i, p, _ in inputs]})
    body = response.get_json(silent=True) or {}
    # a callback's fault is answered 200 with a notice (dashboard.shell.callback_failed): loud here
    if "app-error" in body.get("sideUpdate", {}) and not expect_fault:
        raise AssertionError(f"the callback behind {key} failed: see the log")
    return response.status_code, body.get("response", {}) if not expect_fault else body


def components(payload, match) -> list[dict]:
    """Every component (a dict) in a callback's answer for which `match(component)` holds, in order."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if match(node):
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(payload)
    return found


def by_id(payload, id_: str) -> list[dict]:
    """The components with id `id_` in a callback's answer."""
    return components(payload, lambda node: isinstance(node.get("props"), dict) and node["props"].get("id") == id_)


def grids(payload) -> list[dict]:
    """The AG grids in a callback's answer (their columnDefs and rowData)."""
    return components(payload, lambda node: "columnDefs" in node and "rowData" in node)


def layout_as(app, username: str, layout, **query) -> str:
    """A page's layout as `username` would get it, as JSON text."""
    import plotly.utils
    from flask_login import login_user
    from sqlalchemy import select

    from dashboard.auth import Account
    from ledger.db import session_scope
    from ledger.models import User

    engine = app.extensions["panhuo.engine"]
    with session_scope(engine) as s:
        account = Account(s.scalar(select(User).where(User.username == username)))
    with app.test_request_context("/"):
        login_user(account)
        encoded = json.dumps(layout(**query), cls=plotly.utils.PlotlyJSONEncoder)
        return json.dumps(json.loads(encoded), ensure_ascii=False)  # readable: Chinese as itself


def page(name: str):
    """A page module (imported once the app exists: Dash registers pages on import)."""
    import importlib

    return importlib.import_module(f"dashboard.pages.{name}")


def callbacks(app):
    """Every server-side callback as (output key, spec); clientside ones have no server function to ask."""
    dash_app = app.extensions["panhuo.dash"]
    app.test_client().get("/login")  # Dash moves the pages' callbacks and its router into the map on a first request
    for key, spec in dash_app.callback_map.items():
        if "callback" in spec:
            yield key, spec


def payload(key, spec, value, month):
    """A /_dash-update-component request with every input and state set to `value` (month inputs to `month`)."""
    def item(dep, v):
        chosen = month if dep["id"].endswith("-month") and v is not None and v != "2026-13" else v
        return {"id": dep["id"], "property": dep["property"], "value": chosen}
    inputs = [item(d, value) for d in spec["inputs"]]
    outputs = [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in key.strip(".").split("...")]
    return {"output": key, "outputs": outputs if len(outputs) > 1 else outputs[0], "inputs": inputs,
            "state": [item(d, value) for d in spec["state"]],
            "changedPropIds": [f"{d['id']}.{d['property']}" for d in spec["inputs"]]}
