"""The documents' downloads on their pages: each role gets its own scope's, every download audited."""
from __future__ import annotations

import base64
import io
import json

from docx import Document
from sqlalchemy import select

from ledger.models import AuditEntry
from tests.dashboard.callbacks import call


def downloaded(response, output: str) -> tuple[str, bytes] | None:
    data = response.get(output, {}).get("data")
    if not data:
        return None
    return data["filename"], base64.b64decode(data["content"])


def text_of(data: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


def rectify(client, code):
    return call(client, [("department-download", "data"), ("department-rectify-said", "children")],
                [("department-rectify", "n_clicks", 1)],
                [("department-month", "value", "2026-10"), ("department-code", "data", code)])


def test_a_department_downloads_its_own_rectification_notice_and_nothing_of_another(app, as_user, engine):
    dept = as_user("dept")
    status, response = rectify(dept, "D1")
    name, data = downloaded(response, "department-download")
    assert status == 200 and name == "整改通知书_2026-10_D1_部门D1.docx" and "部门D1：" in text_of(data)
    for foreign in ("D2", "D4", "990102"):
        status, response = rectify(dept, foreign)
        assert downloaded(response, "department-download") is None
        # an answer beside the button, and nothing of the other department in it
        assert response["department-rectify-said"]["children"] == "该部门不在本账号范围内，无法生成整改通知书"
        assert "部门D" + foreign[-1] not in json.dumps(response, ensure_ascii=False)
    with engine.connect() as conn:
        actions = [tuple(a) for a in conn.execute(select(AuditEntry.actor, AuditEntry.action, AuditEntry.target))]
    assert ("dept", "export", "整改通知书 2026-10 D1") in actions
    assert ("dept", "scope.refused", "整改通知书 D2") in actions


def test_a_county_gets_its_regions_bulletin_and_a_department_none(app, as_user):
    bulletin = lambda client: call(client, [("lists-bulletin-download", "data")], [("lists-bulletin", "n_clicks", 1)],  # noqa: E731
                                   [("lists-month", "value", "2026-10")])
    _, response = bulletin(as_user("county"))
    name, data = downloaded(response, "lists-bulletin-download")
    text = text_of(data)
    assert name.startswith("月度通报_2026-10_") and "部门D4" in text and "部门D1" not in text
    _, response = bulletin(as_user("supervisor"))
    assert "部门D1" in text_of(downloaded(response, "lists-bulletin-download")[1])
    _, response = bulletin(as_user("dept"))
    assert downloaded(response, "lists-bulletin-download") is None


def test_interview_notices_one_or_all_in_a_zip_within_the_scope(app, as_user):
    supervisor, dept = as_user("supervisor"), as_user("dept")
    choice = [("interviews-notice-dept", "options"), ("interviews-notice-dept", "value")]
    _, options = call(supervisor, choice, [("interviews-notice-month", "value", "2026-10")])
    listed = [o["value"] for o in options["interviews-notice-dept"]["options"]]
    assert "D1" in listed and len(listed) >= 2 and options["interviews-notice-dept"]["value"] is None
    _, own = call(dept, choice, [("interviews-notice-month", "value", "2026-10")])  # its own, chosen already
    assert [o["value"] for o in own["interviews-notice-dept"]["options"]] == ["D1"]
    assert own["interviews-notice-dept"]["value"] == "D1"

    def notice(client, button, code):
        return call(client, [("interviews-notice-download", "data"), ("interviews-notice-said", "children")],
                    [("interviews-notice", "n_clicks", 1), ("interviews-notices", "n_clicks", 1)],
                    [("interviews-notice-month", "value", "2026-10"), ("interviews-notice-dept", "value", code)],
                    changed=f"{button}.n_clicks")[1]
    other = next(code for code in listed if code != "D1")
    assert downloaded(notice(dept, "interviews-notice", other), "interviews-notice-download") is None
    name, data = downloaded(notice(dept, "interviews-notice", "D1"), "interviews-notice-download")
    assert name == "约谈通知书_2026-10_D1_部门D1.docx" and text_of(data).splitlines()[2] == "部门D1："
    import zipfile
    name, data = downloaded(notice(dept, "interviews-notices", None), "interviews-notice-download")
    assert name == "约谈通知书_2026-10.zip" and zipfile.ZipFile(io.BytesIO(data)).namelist() == [
        "约谈通知书_2026-10_D1_部门D1.docx"]
    _, data = downloaded(notice(supervisor, "interviews-notices", None), "interviews-notice-download")
    assert len(zipfile.ZipFile(io.BytesIO(data)).namelist()) == len(listed)
