"""The portal in Debian's Chromium: every role logs in, visits its pages and drills down.

Fails on any console error or server error; a department account's pages never show another
department. Screenshots go to tests/browser/screenshots/ (1920×1080 and 1366×768).
"""
from __future__ import annotations

import io
import os
import re
import shutil
import threading
import zipfile
from pathlib import Path

import openpyxl
import pytest
from werkzeug.serving import make_server

from tests.city import PASSWORD, foreign_names
from tests.factories import LedgerBuilder

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(__file__).with_name("screenshots")
try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - CI installs it
    sync_playwright = None
pytestmark = pytest.mark.skipif((sync_playwright is None or not Path(CHROMIUM).exists()) and not os.environ.get("CI"),
                                reason="playwright or Debian chromium not installed")

PAGES = {
    "leader": ["/", "/rankings", "/overdue", "/warnings", "/lists", "/report?month=2026-10", "/reporting", "/inbox"],
    "supervisor": ["/", "/overdue", "/warnings", "/asset?code=A1", "/department?code=D1", "/lists", "/interviews",
                   "/import", "/allocation", "/reporting", "/reporting?tab=weekly", "/inbox"],
    "county": ["/", "/rankings", "/overdue", "/warnings", "/lists", "/import", "/interviews", "/history?code=D4",
               "/reporting", "/inbox"],
    "department": ["/my-score", "/overdue", "/warnings", "/department?code=D1", "/unit?code=U1", "/asset?code=A1",
                   "/interviews", "/history?code=D1", "/allocation", "/import", "/reporting", "/reporting?tab=weekly",
                   "/inbox", "/password"],
    "screen": ["/screen"],
    "admin": ["/", "/jobs", "/audit", "/accounts", "/inbox", "/password"],
}
USERNAMES = {"department": "dept"}


@pytest.fixture(scope="module")
def server(shared_app):
    httpd = make_server("127.0.0.1", 0, shared_app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM,
                                     args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"])
        yield chromium
        chromium.close()


def open_session(browser, server, username, size):
    page = browser.new_page(viewport=size)
    problems: list[str] = []
    # an error, and AG Grid's word on an option it ignores or will drop (a grid option given to a column, say)
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type == "error" or m.type == "warning" and m.text.startswith("AG Grid") else None)
    page.on("response", lambda r: problems.append(f"HTTP {r.status} {r.url}") if r.status >= 500 else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    # a callback that failed is answered with a notice (dashboard.shell.callback_failed), not a 500:
    # the notice is said on the console, where the problems are gathered
    page.add_init_script("""new MutationObserver(() => {
        const notice = document.getElementById("app-error");
        if (notice && notice.textContent && !notice.dataset.said) {
            notice.dataset.said = "1"; console.error("app-error: " + notice.textContent);
        }
    }).observe(document, {subtree: true, childList: true});""")
    page.goto(f"{server}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page, problems


WIDE, LAPTOP = {"width": 1920, "height": 1080}, {"width": 1366, "height": 768}
# what a person must never read on a page: Python's and pandas' words for nothing, a repr, a stored
# English key instead of its Chinese (states, statuses, levels, rules, kinds; the role keys are left
# out: this city's account names are leader, supervisor, admin … and are shown as names)
RAW = re.compile(r"\b(None|NaN|nan|NaT|True|False|null|undefined|Timestamp|datetime\.date|"
                 r"open|acknowledged|resolved|closed|answered|scheduled|held|withdrawn|queued|running|succeeded|failed|"
                 r"in_use|idle|underused|leased|pending_disposal|disposed|general_equipment|special_equipment|"
                 r"department|red|orange|yellow|"
                 r"idle_overdue|idle_no_plan|plan_overdue|remit_late|lease_no_contract|lease_irregular|"
                 r"below_appraisal|stale_listing|buy_while_idle|data_gap|notice|interview|accountability|"
                 r"budget_restriction|transfer|partial|approve|reject)\b|\{'|\['|\]\}")
def raw_values(text: str) -> list[str]:
    return sorted({m.group(0) for m in RAW.finditer(text)})


def visit(page, server, path):
    page.goto(server + path)
    page.wait_for_load_state("networkidle")
    page.wait_for_selector(".page-title, .empty-state, .screen-root, .report", timeout=15_000)


def at_both_sizes(page, name: str) -> None:
    """Screenshot the page as it is at 1920×1080 and at laptop size (1366×768); it never scrolls sideways."""
    for size in (WIDE, LAPTOP):
        page.set_viewport_size(size)
        page.wait_for_timeout(150)  # charts redraw on resize
        page.screenshot(path=str(SHOTS / f"{name}-{size['width']}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), \
            f"{name} scrolls sideways at {size['width']}"
    page.set_viewport_size(WIDE)


def english_names(page) -> list[str]:
    """The names a screen reader or a hover gives the page's controls that are in English only (a
    Latin word and no Chinese): the grids' pager and ticks, Dash's steppers and dropdowns said
    "Page Size", "Press Space to toggle row selection", "Decrease value", "Search"."""
    names = page.evaluate("""() => [...document.querySelectorAll('[aria-label], [title], [placeholder]')]
        .filter(e => e.getClientRects().length)  // laid out: what a reader can reach
        .flatMap(e => ['aria-label', 'title', 'placeholder'].map(a => e.getAttribute(a)))""")
    return sorted({n for n in names if n and re.search(r"[A-Za-z]{3,}", n) and not re.search(r"[\u4e00-\u9fff]", n)})


@pytest.mark.parametrize("role", list(PAGES))
def test_each_role_visits_its_pages(shared_app, server, browser, role):
    SHOTS.mkdir(exist_ok=True)
    page, problems = open_session(browser, server, USERNAMES.get(role, role), WIDE)
    for path in PAGES[role]:
        visit(page, server, path)
        text = page.inner_text("body")
        assert "未找到" not in text, f"{role} cannot open {path}"
        assert raw_values(text) == [], f"{role} reads raw values on {path}"
        assert english_names(page) == [], f"{role} meets controls named in English on {path}"
        at_both_sizes(page, f"{role}-{re.sub(r'[^0-9A-Za-z]+', '_', path.strip('/')) or 'overview'}")
        if role == "department":
            leaked = foreign_names(page.content())
            assert not leaked, f"{path} shows {leaked}"
    assert problems == []
    page.close()


def test_leader_drills_from_ranking_to_department(server, browser):
    page, problems = open_session(browser, server, "leader", {"width": 1920, "height": 1080})
    visit(page, server, "/rankings")
    page.get_by_role("link", name="部门D1").first.click()
    page.wait_for_url(re.compile(r".*/department\?code=D1"))
    page.wait_for_selector("text=单位排名")
    assert "部门D1" in page.inner_text(".page-title")
    page.screenshot(path=str(SHOTS / "leader-department-1920.png"), full_page=True)
    assert problems == []


def test_the_month_chosen_travels_to_the_next_page_and_its_downloads(server, browser):
    page, problems = open_session(browser, server, "leader", WIDE)
    visit(page, server, "/")
    assert "2026年10月" in page.inner_text("#overview-month")  # the newest month that has ended
    pick(page, "overview-month", "2026年9月")
    page.wait_for_url(re.compile(r".*/\?month=2026-09$"))
    page.get_by_role("link", name="排名", exact=True).click()
    page.wait_for_url(re.compile(r".*/rankings\?month=2026-09$"))
    page.wait_for_selector("#rankings-month")
    assert "2026年9月" in page.inner_text("#rankings-month")
    page.get_by_role("link", name="部门D1").first.click()
    page.wait_for_url(re.compile(r".*/department\?code=D1&month=2026-09$"))
    page.wait_for_selector("text=单位排名")
    assert "2026年9月" in page.inner_text("#department-month")
    page.get_by_role("link", name="约谈问责", exact=True).click()
    page.wait_for_url(re.compile(r".*/lists\?month=2026-09$"))
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile("会议材料")).click()
    assert "2026-09" in download.value.suggested_filename
    page.reload()
    page.wait_for_selector("#lists-month")
    assert "2026年9月" in page.inner_text("#lists-month")  # a reload keeps it too
    assert problems == []


def test_a_supervisor_filters_searches_and_acknowledges_warnings(server, browser, shared_app):
    from jobs.runner import compute_month
    compute_month(shared_app.extensions["panhuo.engine"], shared_app.extensions["panhuo.config"], "2026-10", "test")
    page, problems = open_session(browser, server, "supervisor", WIDE)
    visit(page, server, "/warnings")
    page.wait_for_selector("#warnings-grid .ag-row")
    assert page.locator("#warnings-grid .ag-row").filter(has_text="部门D2").count() > 0
    pick(page, "warnings-dept", "部门D1")
    page.wait_for_function("() => [...document.querySelectorAll('#warnings-grid .ag-row')].length > 0 && "
                           "[...document.querySelectorAll('#warnings-grid .ag-row')].every(r => r.innerText.includes('部门D1'))")
    page.fill("#warnings-search", "单位U2")
    page.keyboard.press("Enter")
    page.wait_for_function("() => [...document.querySelectorAll('#warnings-grid .ag-row')].length > 0 && "
                           "[...document.querySelectorAll('#warnings-grid .ag-row')].every(r => r.innerText.includes('单位U2'))")
    row = page.locator("#warnings-grid .ag-row").filter(has_text="超期闲置").first
    key = row.get_attribute("row-id")
    row.locator("input[type=checkbox]").check()
    page.fill("#warnings-note", "已联系单位，安排调剂")
    page.fill("#warnings-fix-by", "2026-12-31")
    page.keyboard.press("Tab")  # the picker takes a typed date when it loses focus
    page.click("#warnings-ack")
    page.get_by_text("已确认 1 条；已在消息中通知 1 个部门").wait_for()  # D1's account told of it (确认通知)
    shown = page.evaluate("key => dash_ag_grid.getApi('warnings-grid').getRowNode(key).data", key)
    assert (shown["state_zh"], shown["note"], shown["fix_by"]) == ("已确认", "已联系单位，安排调剂", "2026-12-31")
    assert page.input_value("#warnings-note") == ""
    at_both_sizes(page, "supervisor-warnings-acknowledged")
    page.click("#warnings-ack")  # nothing selected now
    page.get_by_text("请先在清单中勾选要处理的预警").wait_for()
    assert problems == []


def test_a_long_warning_list_is_made_in_the_background_and_downloaded_from_the_inbox(server, browser, shared_app,
                                                                                    monkeypatch):
    import inspect

    from jobs.schedule import run_queued
    registered = shared_app.extensions["panhuo.dash"].callback_map
    key = next(k for k in registered if "warnings-download.data" in k)
    monkeypatch.setitem(inspect.unwrap(registered[key]["callback"]).__globals__, "EXPORT_NOW", 2)  # every list is long
    page, problems = open_session(browser, server, "supervisor", WIDE)
    visit(page, server, "/warnings")
    page.wait_for_selector("#warnings-grid .ag-row")
    page.click("#warnings-export")
    page.get_by_text("正在后台生成").wait_for()
    at_both_sizes(page, "supervisor-warnings-export-queued")
    run_queued(shared_app.extensions["panhuo.engine"], shared_app.extensions["panhuo.config"])  # the scheduler's poll
    page.get_by_role("link", name="「消息」").click()
    page.wait_for_url(re.compile(r".*/inbox$"))
    page.locator("#inbox-grid .ag-row").filter(has_text="导出文件").first.click()
    link = page.get_by_role("link", name=re.compile("下载文件：预警清单_2026-10.xlsx"))
    at_both_sizes(page, "supervisor-inbox-export")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "预警清单_2026-10.xlsx"
    assert raw_values(page.inner_text("body")) == []

    def broken(*args, **kwargs):
        raise OSError("No space left on device")
    monkeypatch.setattr("outputs.warning_list.write_export", broken)  # the next one cannot be written
    visit(page, server, "/warnings")
    page.wait_for_selector("#warnings-grid .ag-row")
    page.click("#warnings-export")
    page.get_by_text("正在后台生成").wait_for()
    run_queued(shared_app.extensions["panhuo.engine"], shared_app.extensions["panhuo.config"])
    visit(page, server, "/inbox")
    page.locator("#inbox-grid .ag-row").filter(has_text="未能生成").first.click()
    page.get_by_text("请在「预警」页重新导出").wait_for()
    assert page.locator("#inbox-download").count() == 0  # nothing to download, and said why
    at_both_sizes(page, "supervisor-inbox-export-failed")
    assert raw_values(page.inner_text("body")) == [] and problems == []


def test_the_top_bar_search_leads_to_what_was_found(server, browser):
    page, problems = open_session(browser, server, "supervisor", WIDE)
    visit(page, server, "/")
    page.fill("#app-search", "单位U4")
    page.locator(".search-item").first.wait_for()
    page.screenshot(path=str(SHOTS / "supervisor-search-1920.png"))
    page.locator(".search-item").filter(has_text="单位U4").first.click()
    page.wait_for_url(re.compile(r".*/unit\?code=U4"))
    page.wait_for_selector(".page-title:has-text('单位U4')")  # the unit's page, titled with its name
    assert problems == []


def test_a_fault_of_the_portals_own_is_said_in_a_notice(server, browser, monkeypatch):
    """A callback that fails tells the person (a notice they can close), rather than a spinner that
    stops with nothing changed."""
    from dashboard import queries

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")
    monkeypatch.setattr(queries, "find", broken)
    page, problems = open_session(browser, server, "supervisor", LAPTOP)
    visit(page, server, "/")
    page.fill("#app-search", "单位U4")
    notice = page.locator("#app-error .toast")
    notice.wait_for()
    assert "操作未完成：平台内部出错" in notice.inner_text() and "went away" not in notice.inner_text()
    at_both_sizes(page, "supervisor-fault-notice")
    notice.locator(".btn-close").click()
    notice.wait_for(state="hidden")
    assert problems and all(p.startswith("console error: app-error:") for p in problems)


def test_supervisor_drills_from_overdue_assets_to_an_asset(server, browser):
    page, problems = open_session(browser, server, "supervisor", {"width": 1920, "height": 1080})
    visit(page, server, "/overdue")
    page.wait_for_selector(".ag-row a")
    page.locator(".ag-row a").first.click()
    page.wait_for_url(re.compile(r".*/asset\?code=A\d"))
    page.wait_for_selector("text=资产卡片")
    page.screenshot(path=str(SHOTS / "supervisor-asset-drill-1920.png"), full_page=True)
    assert problems == []


def test_documents_download_as_word_files_from_their_pages(server, browser):
    """整改通知书 from the department page (the department itself), 月度通报 from 约谈问责 (a county)."""
    import io

    from docx import Document

    for username, path, button, expected in (("dept", "/department?code=D1", "下载整改通知书（Word）", "部门D1："),
                                             ("county", "/lists", "下载月度通报（Word）", "国有资产盘活工作情况的通报")):
        page, problems = open_session(browser, server, username, {"width": 1366, "height": 768})
        visit(page, server, path)
        with page.expect_download() as download:
            page.get_by_role("button", name=button).click()
        assert download.value.suggested_filename.endswith(".docx")
        text = "\n".join(p.text for p in Document(io.BytesIO(Path(download.value.path()).read_bytes())).paragraphs)
        assert expected in text, username
        assert problems == []


def test_department_user_asking_for_another_department_sees_not_found(server, browser):
    page, problems = open_session(browser, server, "dept", {"width": 1366, "height": 768})
    for path in ("/department?code=D2", "/unit?code=U3", "/asset?code=A3"):
        visit(page, server, path)
        assert "未找到" in page.inner_text("body") and "部门D2" not in page.content() and "A3" not in page.inner_text("body")
    visit(page, server, "/no-such-page")  # an address no page answers: in Chinese, with the way back
    assert "未找到" in page.inner_text("body") and "Page not found" not in page.inner_text("body")
    page.click("text=返回首页")
    page.wait_for_url(f"{server}/my-score")  # a department's own first page
    assert problems == []


@pytest.mark.parametrize("size", [{"width": 1920, "height": 1080}, {"width": 3840, "height": 2160}],
                         ids=["1920x1080", "3840x2160"])
def test_the_meeting_screen_fits_the_wall_on_every_panel(server, browser, size):
    page, problems = open_session(browser, server, "screen", size)
    assert page.url.endswith("/screen")  # the screen account lands on the screen
    page.wait_for_selector(".screen-panel.active .panel-title")
    page.wait_for_timeout(500)
    titles = page.locator(".panel-title").all_inner_texts()
    assert titles == ["核心指标", "县区排名", "部门排名", "预警分布", "约谈问责", "趋势"]
    assert "2026年10月" in page.inner_text(".screen-month") and "计算于" in page.inner_text(".screen-stamp")
    for index in range(len(titles)):
        page.evaluate("i => document.querySelectorAll('.screen-panel').forEach((p, j) => p.classList.toggle('active', j === i))",
                      index)
        page.wait_for_timeout(300)
        fits = page.evaluate("""() => {
            const panel = document.querySelector('.screen-panel.active'), doc = document.documentElement;
            const box = document.querySelector('.screen-root').getBoundingClientRect();
            return {panel: panel.scrollHeight <= panel.clientHeight + 1, page: doc.scrollWidth <= innerWidth && doc.scrollHeight <= innerHeight,
                    wall: Math.abs(box.width - innerWidth) < 2 && Math.abs(box.height - innerHeight) < 2}; }""")
        assert fits == {"panel": True, "page": True, "wall": True}, (titles[index], fits)
        page.screenshot(path=str(SHOTS / f"screen-{index}-{size['width']}.png"))
    assert page.locator(".app-bar").is_hidden()  # no navigation chrome
    assert problems == []


def pick(page, dropdown_id: str, option: str):
    page.click(f"#{dropdown_id}")
    page.get_by_role("option", name=option).first.click()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def evidence_file(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def test_interview_flow_end_to_end(server, browser, shared_app):
    """A supervisor schedules an interview from the list and records a commitment in the form; the
    department reports it kept with a file; the supervisor sends it back with a reason, the
    department sends more, and the supervisor closes it off (销号)."""
    size = {"width": 1366, "height": 768}
    page, problems = open_session(browser, server, "supervisor", size)
    visit(page, server, "/interviews")
    pick(page, "interviews-dept", "部门D1")
    page.wait_for_selector("text=约谈议题")
    page.fill("#interviews-date", "2026-11-25")
    page.keyboard.press("Tab")  # the picker takes a typed date when it loses focus
    assert page.input_value("#interviews-date") == "2026-11-25"
    page.fill("#interviews-attendees", "财政局 李四；部门D1 王五")
    page.click("#interviews-schedule")
    page.wait_for_selector("#interviews-scheduled .alert")
    assert "已安排约谈" in page.inner_text("#interviews-scheduled"), page.inner_text("#interviews-scheduled")
    # the leaders move it two days on: 改期, the department told
    pick(page, "interviews-moved", "部门D1")
    page.fill("#interviews-moved-date", "2026-11-27")
    page.keyboard.press("Tab")
    page.click("#interviews-move")
    page.wait_for_selector("#interviews-moved-said .alert")
    assert "已改期" in page.inner_text("#interviews-moved-said"), page.inner_text("#interviews-moved-said")
    page.wait_for_selector(".interview-card >> text=2026-11-27")  # its card shows its new day
    pick(page, "interviews-interview", "部门D1")
    page.fill("#interviews-outcome", "部门承认闲置问题，承诺年底前盘活")
    row = page.locator(".commitment-row").first
    fields = row.locator("input")
    fields.nth(0).fill("A1 调剂使用")
    fields.nth(1).fill("王五")
    fields.nth(2).fill("2026-12-31")
    page.keyboard.press("Tab")
    fields.nth(3).fill("A1")
    page.click("#interviews-more")  # another empty row; empty rows are not commitments
    page.locator(".commitment-row").nth(3).wait_for()
    assert fields.nth(0).input_value() == "A1 调剂使用"  # the row typed into stays as it was
    page.click("#interviews-record")
    page.get_by_text("已保存，整改承诺 1 项").wait_for()
    page.wait_for_function("() => document.querySelectorAll('.commitment-row').length === 3")
    assert page.locator(".commitment-row input").first.input_value() == ""  # an empty form again
    page.screenshot(path=str(SHOTS / "supervisor-interviews-1366.png"), full_page=True)
    assert problems == []
    page.close()

    def department_reports(note: str, file_name: str):
        page, problems = open_session(browser, server, "dept", size)
        visit(page, server, "/interviews")
        pick(page, "interviews-commitment", "A1 调剂使用")
        page.fill("#interviews-evidence", note)
        page.locator("#interviews-files input[type=file]").set_input_files([evidence_file(file_name)])
        page.get_by_text(f"已选择：{file_name}").wait_for()
        page.click("#interviews-submit")
        page.get_by_text("已报送，待监管人员核验").wait_for()
        page.wait_for_selector(".ag-cell:has-text('待核验')")
        assert "部门D2" not in page.content()
        return page, problems

    page, problems = department_reports("已调剂给市档案馆使用", "调拨单.pdf")
    page.screenshot(path=str(SHOTS / "department-interviews-1366.png"), full_page=True)
    assert problems == []
    page.close()

    def supervisor_checks(button: str, note: str | None, said: str):
        page, problems = open_session(browser, server, "supervisor", size)
        visit(page, server, "/interviews")
        pick(page, "interviews-commitment", "A1 调剂使用")
        page.get_by_role("link", name="调拨单.pdf").wait_for()  # the evidence, as a link to the file
        if note:
            page.fill("#interviews-evidence", note)
        page.click(button)
        page.get_by_text(said).wait_for()
        assert problems == []
        return page

    supervisor_checks("#interviews-return", "缺少接收单位签收单", "已退回，并通知该部门").close()
    page, problems = open_session(browser, server, "dept", size)
    visit(page, server, "/interviews")
    page.wait_for_selector(".ag-cell:has-text('退回')")
    assert "缺少接收单位签收单" in page.inner_text("#interviews-grid")
    page.close()
    department_reports("补充签收单", "签收单.pdf")[0].close()
    page = supervisor_checks("#interviews-verify", None, "已核验销号")
    page.wait_for_selector(".ag-cell:has-text('已销号')")
    page.close()


def test_a_notice_is_read_and_a_warning_answered_returned_and_closed_off(server, browser, shared_app):
    """The month's papers reach the department's 消息 (未读 → 已读 when opened, the paper downloads);
    the department reports a warning fixed with a file, the supervisor sends it back, the
    department sends more, the supervisor closes it off."""
    from jobs.deliver import deliver
    from jobs.runner import compute_month
    engine, config = shared_app.extensions["panhuo.engine"], shared_app.extensions["panhuo.config"]
    compute_month(engine, config, "2026-10", "test")
    deliver(engine, config, "2026-10")
    page, problems = open_session(browser, server, "dept", LAPTOP)
    badge = page.locator("#app-unread")
    badge.wait_for()
    before = int(badge.inner_text())
    assert before >= 1
    visit(page, server, "/inbox")
    assert f"未读 {before} 条" in page.inner_text("#inbox-counts")
    listed = page.locator("#inbox-grid .ag-row").count()
    # a paper just delivered (a 催报 another test sent has no file to download)
    unread = page.locator("#inbox-grid .ag-row").filter(has_text="未读").filter(has_text=re.compile("通知书|通报")).first
    unread.click()
    page.wait_for_selector("#inbox-detail .section")
    page.get_by_text(f"未读 {before - 1} 条").wait_for()
    # the list keeps every message, the one opened now read; the badge in the top bar counts down
    page.wait_for_function("n => document.querySelectorAll('#inbox-grid .ag-row').length === n", arg=listed)
    assert page.locator("#inbox-grid .ag-row").filter(has_text="已读").count() == 1
    assert page.inner_text("#app-unread") == (str(before - 1) if before > 1 else "")
    assert "部门D2" not in page.content()
    page.fill("#inbox-search", "未读")  # the unread alone, then every message again
    page.wait_for_function("n => document.querySelectorAll('#inbox-grid .ag-row').length === n", arg=before - 1)
    page.fill("#inbox-search", "")
    page.wait_for_function("n => document.querySelectorAll('#inbox-grid .ag-row').length === n", arg=listed)
    with page.expect_download() as download:
        page.click("#inbox-download")
    assert download.value.suggested_filename.endswith(".docx")
    at_both_sizes(page, "department-inbox")
    assert problems == []

    visit(page, server, "/warnings")
    page.wait_for_selector("#warnings-grid .ag-row")
    row = page.locator("#warnings-grid .ag-row").filter(has_text="待处理").first
    key = row.get_attribute("row-id")

    def report(page, note, file_name):
        page.locator(f'#warnings-grid .ag-row[row-id="{key}"] input[type=checkbox]').check()
        page.fill("#warnings-note", note)
        page.locator("#warnings-files input[type=file]").set_input_files([evidence_file(file_name)])
        page.get_by_text(f"已选择：{file_name}").wait_for()
        page.click("#warnings-submit")
        page.get_by_text("已报送待核验 1 条").wait_for()

    report(page, "资产已出租，附租赁合同", "租赁合同.pdf")
    at_both_sizes(page, "department-warnings-submitted")
    page.close()

    def supervisor(step: str, note: str, said: str):
        page, problems = open_session(browser, server, "supervisor", WIDE)
        visit(page, server, "/warnings?state=submitted")
        page.wait_for_selector(f'#warnings-grid .ag-row[row-id="{key}"]')
        page.locator(f'#warnings-grid .ag-row[row-id="{key}"] input[type=checkbox]').check()
        page.locator("#warnings-evidence").get_by_role("link", name="租赁合同.pdf").wait_for()
        page.fill("#warnings-note", note)
        page.click(f"#warnings-{step}")
        page.get_by_text(said).wait_for()
        shown = page.evaluate("key => dash_ag_grid.getApi('warnings-grid').getRowNode(key).data.state_zh", key)
        assert problems == []
        page.close()
        return shown

    assert supervisor("return", "合同未盖章", "已退回 1 条") == "已退回"
    page, problems = open_session(browser, server, "dept", LAPTOP)
    page.wait_for_function("n => Number(document.querySelector('#app-unread')?.innerText) === n", arg=before)
    visit(page, server, "/warnings?state=returned")
    page.wait_for_selector(f'#warnings-grid .ag-row[row-id="{key}"]')
    report(page, "补盖章合同", "盖章合同.pdf")
    page.close()
    assert supervisor("verify", "材料齐全，准予销号", "已核验销号 1 条") == "已销号"


def send_ledger(page, server, ledger: LedgerBuilder, folder: Path, outcome: str = "导入成功") -> None:
    """Send a ledger as its CSV files zipped, on the import page, and wait for `outcome`."""
    written = ledger.write(folder)
    archive_path = folder.with_suffix(".zip")
    with zipfile.ZipFile(archive_path, "w") as archive:
        for csv_file in written.iterdir():
            archive.write(csv_file, csv_file.name)
    visit(page, server, "/import")
    page.locator("#import-upload input[type=file]").set_input_files(str(archive_path))
    page.get_by_text(outcome).first.wait_for(timeout=30_000)


def test_a_failed_imports_problems_are_handed_out_as_a_workbook(server, browser, tmp_path):
    """A department's file with a bad amount: the problems listed on the page, and as a workbook
    from the alert and from 导入记录, for whoever corrects the ledger; nothing imported."""
    page, problems = open_session(browser, server, "dept", WIDE)
    bad = LedgerBuilder().unit("U1", dept="D1").asset("A1", unit="U1", original_value="一千元")
    send_ledger(page, server, bad, tmp_path / "bad", outcome="导入失败")
    page.wait_for_selector("#import-grid .ag-row")
    at_both_sizes(page, "department-import-failed")
    with page.expect_download() as alert:
        page.click("#import-problems-file")
    with page.expect_download() as history:
        page.locator("#import-grid .ag-row").first.get_by_text("下载").click()
    for download in (alert.value, history.value):
        sheet = openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
        assert download.suggested_filename.startswith("导入问题清单_") and sheet["A1"].value.startswith("导入问题清单 · ")
        assert [c.value for c in sheet[3]][:4] == ["资产卡片.csv", 2, "原值", "一千元"]
    assert problems == []
    page.close()


def test_departments_and_counties_report_their_own_units(server, browser, shared_app, tmp_path):
    """A department sends its unit's ledger on the import page and reads its month as reported;
    it fills in the week's progress; a county reads only its own departments."""
    page, problems = open_session(browser, server, "dept", WIDE)
    # unit U1 as tests.city has it (the module's later tests read it): the month's ledger, unchanged
    same = (LedgerBuilder().unit("U1", dept="D1")
            .asset("A1", unit="U1", status="闲置", status_since="2025-01-01", photo_count="0", original_value="1000.00")
            .asset("B1", unit="U1", original_value="5000.00").plan("T1", "A1", "2025-02-01", "2025-08-01")
            .request("R1", unit="U1", asset_name="测试资产", quantity="2", unit_price="3000.00"))
    send_ledger(page, server, same, tmp_path / "d1")
    visit(page, server, "/reporting")
    page.wait_for_selector("#reporting-body .ag-row")
    body = page.inner_text("#reporting-body")
    assert "单位U1" in body and "按期" in body and "部门D2" not in page.content()
    at_both_sizes(page, "department-reporting")
    visit(page, server, "/reporting?tab=weekly")
    page.fill("#reporting-progress", "完成 A1 调剂手续")
    page.fill("#reporting-problems", "无")
    page.fill("#reporting-next", "办理产权登记")
    page.fill("#reporting-signer", "王五")
    page.click("#reporting-save")
    page.get_by_text("已保存第 1 版").wait_for()
    at_both_sizes(page, "department-reporting-weekly")
    assert problems == []
    page.close()
    page, problems = open_session(browser, server, "county", WIDE)
    visit(page, server, "/reporting")
    page.wait_for_selector("#reporting-body")
    text = page.inner_text("body")
    assert "部门D4" in text and "部门D1" not in text
    assert "区划990102" in page.inner_text(".account-name")  # its region by name in the top bar
    at_both_sizes(page, "county-reporting")
    assert problems == []
    page.close()


def test_a_department_simulates_fixing_its_idle_assets(server, browser):
    page, problems = open_session(browser, server, "dept", WIDE)
    visit(page, server, "/my-score")
    page.get_by_text("这是模拟测算").wait_for()
    page.get_by_label(re.compile("盘活闲置资产（全部 2 项）")).check()
    result = page.locator("#my-score-whatif-result")
    result.get_by_text("模拟综合得分").wait_for()
    # idle and overdue rates to 0: 65.0 of 100 (tests/dashboard/test_whatif.py has the arithmetic)
    assert "65.0" in result.inner_text() and "较本月 ↑45.0分" in result.inner_text()
    page.get_by_label(re.compile("盘活闲置资产")).uncheck()
    page.locator("#my-score-whatif-grid .ag-row").filter(has_text="T1").locator("input[type=checkbox]").check()
    result.get_by_text("21.4").wait_for()
    page.locator("#my-score-whatif-grid").scroll_into_view_if_needed()
    at_both_sizes(page, "department-whatif")
    assert problems == []
    page.close()


def test_a_grid_pager_reads_in_chinese(server, browser):
    """AG Grid's pager puts its words in English order ("1 to 1 of 2", "Page 1 of 2"); it reads
    第 1 至 1 条 / 共 2 条 and 第 1 页 / 共 2 页, and names its page size picker in Chinese."""
    page, problems = open_session(browser, server, "supervisor", WIDE)
    visit(page, server, "/allocation")
    page.wait_for_selector("#allocation-requests .ag-row")
    total = page.evaluate("""() => { const api = dash_ag_grid.getApi('allocation-requests');
        api.updateGridOptions({paginationPageSizeSelector: [1, 50], paginationPageSize: 1}); return api.getDisplayedRowCount(); }""")
    assert total >= 2
    # what the eye reads: each word's text with the words the style sheet puts around it
    seen = """panel => [...document.querySelectorAll(`#allocation-requests ${panel} span`)].filter(s => !s.children.length)
        .map(s => { const around = where => { const c = getComputedStyle(s, where).content;
                                               return c.startsWith('"') ? JSON.parse(c) : ''; };
                    return around('::before') + s.textContent + around('::after'); }).join(' ')"""
    assert page.evaluate(seen, ".ag-paging-row-summary-panel") == f"第 1 至 1 条 / 共 {total} 条"
    assert page.evaluate(seen, ".ag-paging-description") == f"第 1 页 / 共 {total} 页"
    page.get_by_role("button", name="下一页").click()  # the one pager shown
    assert page.evaluate(seen, ".ag-paging-row-summary-panel") == f"第 2 至 2 条 / 共 {total} 条"
    assert page.get_by_role("combobox", name="每页条数").count() == 1
    assert problems == []
    page.close()


def test_a_purchase_request_reviewed_against_the_stock(server, browser, tmp_path):
    """Last in this module: it moves A4 to unit U1.

    The supervisor picks two candidates of R1 (A1 of its own unit, A4 of another department) and
    decides a transfer; the next ledger upload shows A4 under U1 and the transfer is done. The
    department then reads its request, the decision and the candidates, with no form to change
    anything."""
    page, problems = open_session(browser, server, "supervisor", WIDE)
    visit(page, server, "/allocation")
    page.locator("#allocation-requests .ag-row").filter(has_text="R1").first.click()
    page.get_by_text("存量候选资产共 6 项").wait_for()
    for code in ("A1", "A4"):
        page.locator("#allocation-candidates .ag-row").filter(has_text=code).locator("input[type=checkbox]").check()
    page.get_by_label("调剂", exact=True).check()
    page.fill("#allocation-note", "本单位存量一件，市交通局闲置一件，调剂使用")
    page.click("#allocation-decide")
    page.get_by_text("已记录：调剂，调剂资产 2 件").wait_for()
    page.locator("#allocation-transfers .ag-row").first.wait_for()
    assert page.locator("#allocation-transfers .ag-row").count() == 2
    at_both_sizes(page, "supervisor-allocation-decided")
    # the next ledger: A4 now a card of unit U1 (部门D1, the requesting department)
    moved = LedgerBuilder().unit("U1", dept="D1").asset("A4", unit="U1", original_value="4000.00")
    send_ledger(page, server, moved, tmp_path / "update")
    visit(page, server, "/allocation")
    page.locator("#allocation-transfers .ag-row").filter(has_text="A4").get_by_text("已完成").wait_for()
    assert "台账已划入接收部门" in page.inner_text("#allocation-transfers")
    at_both_sizes(page, "supervisor-allocation-review")
    assert problems == []
    page.close()
    page, problems = open_session(browser, server, "dept", WIDE)
    visit(page, server, "/allocation")
    page.locator("#allocation-requests .ag-row").filter(has_text="R1").first.click()
    page.get_by_text("审核决定：调剂").wait_for()
    assert not page.locator("#allocation-decide").is_visible()
    assert "R4" not in page.inner_text("#allocation-requests")
    at_both_sizes(page, "department-allocation")
    # the decision reached it by itself: its outcome in 消息 (A1 of its own unit in it, not told apart)
    visit(page, server, "/inbox")
    page.get_by_text("配置审核结果：R1").first.click()
    page.get_by_text("审核决定：调剂 2 件").wait_for()
    assert "资产调剂" not in page.inner_text("#inbox-grid")
    at_both_sizes(page, "department-inbox-allocation")
    # and leads to the page it is about, at the request's year
    page.get_by_text("前往配置审核").click()
    page.wait_for_url("**/allocation?year=2027")
    page.locator("#allocation-requests .ag-row").filter(has_text="R1").first.wait_for()
    assert "2027 年度" in page.inner_text("#allocation-year")
    assert problems == []
    page.close()


def test_a_cell_cut_short_shows_its_whole_text_on_hover(server, browser):
    page, problems = open_session(browser, server, "supervisor", LAPTOP)
    visit(page, server, "/overdue")
    page.wait_for_selector("#overdue-grid .ag-row")
    page.evaluate("dash_ag_grid.getApi('overdue-grid').setColumnWidths([{key: 'dept_name', newWidth: 48}])")
    cell = page.locator("#overdue-grid .ag-row .ag-cell[col-id=dept_name]").first
    whole = cell.inner_text()
    cell.hover()
    tooltip = page.locator(".ag-tooltip")
    tooltip.wait_for()
    assert tooltip.inner_text() == whole and whole.startswith("部门D")
    # a cell shown whole has nothing more to say on hover
    page.mouse.move(0, 0)
    tooltip.wait_for(state="detached")
    page.locator("#overdue-grid .ag-row .ag-cell[col-id=category]").first.hover()
    page.wait_for_timeout(800)  # past the tooltip's 300 ms delay
    assert page.locator(".ag-tooltip").count() == 0
    assert problems == []
    page.close()


def test_the_overview_tiles_hold_a_large_citys_counts_at_laptop_width(server, browser):
    """Three five-digit warning counts side by side, and the reporting tiles beside them, stay
    inside their cards at 1366 pixels (a quarter of the width cut the third tile in half)."""
    page, problems = open_session(browser, server, "supervisor", LAPTOP)
    visit(page, server, "/")
    page.wait_for_selector(".alert-tile")
    cut = page.evaluate("""() => {
        document.querySelectorAll('.alert-count').forEach(e => { e.textContent = '88,888'; });
        return [...document.querySelectorAll('.alert-tile')].filter(t => {
            const tile = t.getBoundingClientRect(), card = t.closest('.card').getBoundingClientRect();
            return tile.right > card.right || t.scrollWidth > t.clientWidth;
        }).map(t => t.innerText.replace(/\\s+/g, ' '));
    }""")
    assert page.locator(".alert-tile").count() == 5 and cut == []
    assert problems == []
    page.close()


def test_a_search_box_is_as_wide_as_it_looks(server, browser):
    """Dash 4 wraps an input in a box of its own, which Bootstrap's form-control made a block: the
    input kept its 20 characters' width inside the wider box and cut its placeholder short."""
    page, problems = open_session(browser, server, "supervisor", LAPTOP)
    for path, box in (("/warnings", "#warnings-search"), ("/lists", "#lists-search")):
        visit(page, server, path)
        inner, outer = page.evaluate(
            f"() => {{ const e = document.querySelector('{box}'); return [e.offsetWidth, e.parentElement.clientWidth]; }}")
        assert inner >= outer - 10, f"{path}: the search is {inner} px wide in a {outer} px box"
    assert problems == []
    page.close()


def test_dash_controls_wear_the_portal_colours(server, browser):
    """A dropdown and a date picker are framed like Bootstrap's inputs beside them and, open, in the
    buttons' blue: not in dcc's own darker frame and plum."""
    page, problems = open_session(browser, server, "supervisor", LAPTOP)
    visit(page, server, "/interviews")
    colour = "(s, p) => getComputedStyle(document.querySelector(s))[p]"
    frames = [page.evaluate(f"({colour})('{s}', 'borderTopColor')")
              for s in (".section .form-control", ".section .dash-dropdown", ".dash-datepicker-input-wrapper")]
    assert frames[1] == frames[2] == frames[0], frames
    page.locator("#interviews-date").click()
    opened = page.evaluate(f"({colour})('.dash-datepicker-input-wrapper', 'outlineColor')")
    assert opened == page.evaluate(f"({colour})('.btn-primary', 'backgroundColor')") == "rgb(13, 110, 253)"
    assert problems == []
    page.close()


def test_the_admin_adds_an_account_that_then_logs_in(server, browser):
    page, problems = open_session(browser, server, "admin", LAPTOP)
    visit(page, server, "/accounts")
    page.wait_for_selector("#accounts-grid .ag-row")
    page.fill("#accounts-new-name", "d3user")
    pick(page, "accounts-new-role", "主管部门")
    pick(page, "accounts-new-scope", "部门D3（D3）")
    page.fill("#accounts-new-email", "d3@example.cn")
    page.click("#accounts-add")
    said = page.locator("#accounts-added .alert")
    said.wait_for()
    password = said.inner_text().rsplit("：", 1)[1].strip()
    page.locator("#accounts-grid .ag-row").filter(has_text="d3user").get_by_text("部门D3（D3）").wait_for()
    at_both_sizes(page, "admin-accounts-added")
    assert problems == []
    page.close()
    page = browser.new_page(viewport=LAPTOP)
    page.goto(f"{server}/login")
    page.fill("#username", "d3user")
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/my-score$"))
    assert "部门D3" in page.inner_text(".account-name")
    page.close()


def test_a_file_of_another_kind_is_answered_not_dropped(server, browser, shared_app):
    """The drop zones take any file and the server says what it is: a WPS 表格 file on the import page,
    an iPhone's photo as evidence (a drop zone with `accept` dropped both without a word)."""
    from jobs.runner import compute_month
    compute_month(shared_app.extensions["panhuo.engine"], shared_app.extensions["panhuo.config"], "2026-10", "test")
    page, problems = open_session(browser, server, "dept", WIDE)
    visit(page, server, "/import")
    page.locator("#import-upload input[type=file]").set_input_files(
        {"name": "台账.et", "mimeType": "application/octet-stream", "buffer": b"\xd0\xcf\x11\xe0" + b"\x00" * 600})
    page.get_by_text("WPS 表格文件请另存为 .xlsx 后再导入").first.wait_for(timeout=30_000)
    visit(page, server, "/warnings")
    page.wait_for_selector("#warnings-grid .ag-row")
    page.locator("#warnings-grid .ag-row").first.locator("input[type=checkbox]").check()
    page.fill("#warnings-note", "已调剂使用")
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
    page.locator("#warnings-files input[type=file]").set_input_files(
        [{"name": "IMG_0001.HEIC", "mimeType": "image/heic", "buffer": heic}])
    page.get_by_text("已选择：IMG_0001.HEIC").wait_for()
    page.click("#warnings-submit")
    page.get_by_text("「IMG_0001.HEIC」是苹果手机照片（HEIC），请转为 JPG 后上传").wait_for()
    assert problems == []
    page.close()


def test_a_ledgers_csv_files_dropped_together_import_as_one(server, browser, tmp_path):
    """The import page takes several files at once: a ledger's CSV files, unzipped, are one ledger."""
    page, problems = open_session(browser, server, "supervisor", WIDE)
    folder = LedgerBuilder().unit("U8", dept="D1").asset("Z8", unit="U8").write(tmp_path / "csv")
    visit(page, server, "/import")
    page.locator("#import-upload input[type=file]").set_input_files(sorted(map(str, folder.iterdir())))
    page.get_by_text("导入成功").first.wait_for(timeout=30_000)
    assert "单位 1 行，资产卡片 1 行" in page.inner_text("#import-done")
    assert problems == []
    page.close()
