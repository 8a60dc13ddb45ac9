"""数据导入 Import (supervisors, county accounts inside their region; roles.md): upload a workbook
or a zip of CSV files, see every problem as a table, and the import history."""
from __future__ import annotations

import datetime as dt
import io
import logging
import tempfile
from pathlib import Path

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard import components as c
from dashboard import context, queries
from dashboard.shell import guarded, permitted, register_page
from ledger.errors import UserError
from ledger.importer import SourceError, import_path, record_refused
from ledger.importer.limits import MB, Limits, check_upload, made_by_the_system, unpack
from ledger.importer.read import WORKBOOKS, save_as_hint
from ledger.importer.template import required_columns, template_workbook
from ledger.reporting import due_date, reported_month
from outputs import figures as fig
from outputs.phrasing import table_rows
from outputs.workbooks import PROBLEM_HEADINGS

PATH = register_page(__name__, "/import")
P = "import"
log = logging.getLogger("panhuo.import")
IMPORT_RESULTS = {"ok": "成功", "failed": "失败", "running": "进行中", "interrupted": "中断"}
REQUIRED = required_columns()
PROBLEM_COLUMNS = [
    {"field": "sheet", "headerName": PROBLEM_HEADINGS["sheet"], "width": 140},
    {"field": "row", "headerName": PROBLEM_HEADINGS["row"], "width": 80},
    {"field": "column", "headerName": PROBLEM_HEADINGS["column"], "width": 130},
    {"field": "value", "headerName": PROBLEM_HEADINGS["value"], "width": 160},
    {"field": "zh", "headerName": PROBLEM_HEADINGS["zh"], "flex": 1, "minWidth": 260, "tooltipField": "zh"},
]
# widths that fit a laptop's 1366 pixels with 问题清单 in view; the long texts show whole on hover
HISTORY_COLUMNS = [
    {"field": "id", "headerName": "编号", "width": 76}, {"field": "started_at", "headerName": "时间", "width": 175},
    {"field": "username", "headerName": "导入人", "width": 90},
    {"field": "file_name", "headerName": "文件", "width": 185, "tooltipField": "file_name"},
    {"field": "result", "headerName": "结果", "width": 72},
    {"field": "received_on", "headerName": "收到日期", "width": 108},
    {"field": "rows", "headerName": "各表行数", "flex": 1, "minWidth": 200, "tooltipField": "rows"},
    {"field": "message", "headerName": "说明", "flex": 1, "minWidth": 220, "tooltipField": "message"},
    c.link_column("problems", "问题清单", "problems_href", width=100, sortable=False),
]


# what the importer takes beyond the columns below, as the import page says it
FORMAT_NOTES = [
    "每张表一个工作表（或一个 CSV 文件），表头为下列中文列名（模板中橙色为必填列）；工作表名或文件名不同时按表头识别。",
    "模板第 2 行为格式示例，不会被导入，请替换为本单位数据或删除。",
    "系统导出的表头上方的标题、日期行，表格下方的合计、小计、汇总行和制表人、审核人等表尾，导入时跳过；"
    "表头可占两行（合并单元格、分组列名）；表中上下合并的单元格按其值逐行读取。",
    "列名可带必填标记 *，金额列可写作“原值（元）”（以万元为单位的金额列不会被导入）。",
    "编码列（资产编号、单位编码等）请设为文本格式：Excel 只保留数字的 15 位有效数字，更长的数字编码会被改写（如 3.71500E+17），"
    "这样的编码不会被导入。",
    "用公式（如 VLOOKUP）填写的列请先核对：显示 #N/A、#REF! 等错误值的单元格不会被导入，会逐个列出。",
    "隐藏的工作表同样会被读取：一张表只能有一个工作表，上月的副本请删除而不是隐藏。",
]


def layout(**_query):
    if not permitted(PATH):
        return c.not_found()
    scope, config = context.scope(), context.config()
    bounds, today = Limits.of(config), config.today()
    label = queries.scope_label(context.engine(), scope)
    where = {"all": "全市所有单位（新单位也由本账号导入）", "region": f"{label}的已有单位",
             "department": f"{label}下属的已有单位"}.get(scope.kind, "无")
    month = reported_month(today)
    due = due_date(month, config["reporting.due_day"])
    return html.Div([
        html.Div([html.H2("数据导入 · 报送台账", className="page-title")], className="page-head"),
        c.section("上传台账", html.P([
            "上传预算管理一体化系统导出的台账工作簿（.xlsx，旧版系统导出的 .xls 亦可），或各表的 CSV 文件（一起选中上传，或打包为 .zip）；"
            "每次上传须含「单位」和「资产卡片」两张表，其余各表可选。",
            html.Br(), f"本账号可导入：{where}；文件中任何一行超出范围，整个文件都不导入，并逐行列出。",
            html.Br(), f"{_due_sentence(month, due, today)}导入要么全部写入，要么不写入任何数据。",
            html.Br(), f"文件不超过 {bounds.upload_bytes // MB} MB，每张表不超过 {bounds.rows:,} 行。",
        ], className="text-muted small"),
            # no size bound and no `accept` in the browser: a file too large, or of a kind the drop zone
            # would drop without a word (WPS's .et, .ods), is refused on the server, with a message
            dcc.Upload(id=f"{P}-upload", children=html.Div([html.Div("⇪", className="upload-icon"),
                                                            html.Div(["将台账文件拖到此处，或 ", html.A("选择文件")]),
                                                            html.Div(".xlsx（.xls）工作簿，或各表 CSV 文件（可一起选中，或打包为 .zip）",
                                                                     className="small text-muted")]),
                       className="upload-box", multiple=True, max_size=-1),
            dcc.Loading(html.Div(id=f"{P}-result", className="mt-3"), type="dot", delay_show=300,
                        custom_spinner=html.Div([dbc.Spinner(size="sm", color="primary"),
                                                 html.Span(" 正在校验并导入，请稍候…", className="ms-2")],
                                                className="import-progress"))),
        c.section("导入格式", html.Ul([html.Li(line) for line in FORMAT_NOTES], className="small text-muted mb-2"),
                  html.Button("下载导入模板（xlsx）", id=f"{P}-template", className="btn btn-sm btn-outline-primary mb-2"),
                  dcc.Download(id=f"{P}-template-file"), dbc.Table([
                      html.Thead(html.Tr([html.Th("工作表"), html.Th("必填列")])),
                      html.Tbody([html.Tr([html.Td(name), html.Td("、".join(columns))]) for name, columns in REQUIRED.items()]),
                  ], size="sm", className="mb-0")),
        html.Div(id=f"{P}-history"),
    ])


@callback(Output(f"{P}-template-file", "data"), Input(f"{P}-template", "n_clicks"), prevent_initial_call=True)
@guarded(PATH)
def template(n_clicks):
    if not n_clicks:
        return no_update
    return dcc.send_bytes(template_workbook(), "资产台账导入模板.xlsx")


def _named(files: list[tuple[str, bytes]]) -> str:
    """The name an upload is known by in the history: its file's, or a list of several."""
    names = [Path(name).name for name, _ in files]
    listed = "、".join(names)
    return listed if len(listed) <= 120 else f"{names[0]} 等 {len(names)} 个文件"


def _together(named: str, files: list[tuple[str, bytes]], folder: Path) -> Path:
    """Several files chosen or dropped at once (`named` as the history knows them): CSV files are
    one ledger, read as a folder of them within the bounds a zip of them has; anything else is
    refused, saying why."""
    names = [Path(name).name for name, _ in files]
    bounds = Limits.of(context.config())
    check_upload(named, sum(len(data) for _, data in files), bounds)
    if len(files) > bounds.members:
        raise SourceError(f"{named}: 一次选了 {len(files):,} 个文件，上限 {bounds.members} 个",
                          f"{len(files):,} files at once, at most {bounds.members}")
    if not all(name.lower().endswith(".csv") for name in names):
        raise SourceError(f"{named}: 一次只能上传一个工作簿或 .zip 包；多个文件只接受同一台账的各表 CSV 文件",
                          "one workbook or .zip at a time; several files only as one ledger's CSV files")
    if len({name.lower() for name in names}) < len(names):
        raise SourceError(f"{named}: 有同名的文件，请只选其中一个", "two files of the same name")
    out = folder / "csv"
    out.mkdir()
    for name, (_, data) in zip(names, files):  # by its own name only: a crafted "../x.csv" stays in the folder
        (out / name).write_bytes(data)
    return out


def _unpack(name: str, data: bytes, folder: Path) -> Path:
    """The upload as a path import_path reads: the workbook, or the zip's CSV files in a folder (or
    the one workbook it holds), unpacked within the [import] bounds (a zip bomb stops at the first
    bound, not on disk)."""
    bounds = Limits.of(context.config())
    check_upload(name, len(data), bounds)
    # a workbook, or one table on its own: under the sender's name, which its problems then name
    if Path(name).suffix.lower() in (*WORKBOOKS, ".csv"):
        target = folder / Path(name).name
        target.write_bytes(data)
        return target
    if name.lower().endswith(".zip"):
        out = folder / "zip"
        out.mkdir()
        unpack(io.BytesIO(data), name, bounds, into=out,
               keep=lambda m: Path(m.filename).suffix.lower() in (".csv", *WORKBOOKS) and not made_by_the_system(m))
        books = sorted(p for p in out.iterdir() if p.suffix.lower() in WORKBOOKS)
        if not books:
            return out
        named = "、".join(p.name for p in books)
        if any(p.suffix.lower() == ".csv" for p in out.iterdir()):  # which is the ledger? not guessed
            raise SourceError(f"{name}: 既有 CSV 文件又有工作簿（{named}），请只打包其中一种",
                              "holds both CSV files and a workbook: zip one kind only")
        if len(books) > 1:
            raise SourceError(f"{name}: 包含 {len(books)} 个工作簿（{named}），请逐个上传",
                              f"holds {len(books)} workbooks: upload them one at a time")
        return books[0]  # a workbook zipped to go by mail
    raise SourceError(f"{name}: 只接受 .xlsx（或 .xls）工作簿、.csv 文件或 CSV 文件的 .zip 包{save_as_hint(name)}",
                      "only .xlsx (or .xls), .csv or a .zip of CSV files are accepted")


def _received(contents, filename) -> list[tuple[str, bytes]] | None:
    """The files the drop zone sent, as (name, bytes); None when it sent nothing readable."""
    if isinstance(contents, str) and isinstance(filename, str):
        contents, filename = [contents], [filename]
    if not (isinstance(contents, list) and isinstance(filename, list) and len(contents) == len(filename) > 0
            and all(isinstance(x, str) for x in (*contents, *filename))):
        return None
    files = [(name, c.upload_bytes(content)) for content, name in zip(contents, filename)]
    return None if any(data is None for _, data in files) else files


@callback(Output(f"{P}-result", "children"), Input(f"{P}-upload", "contents"), State(f"{P}-upload", "filename"),
          prevent_initial_call=True)
@guarded(PATH)
def upload(contents, filename):
    if contents is None:
        return no_update
    files = _received(contents, filename)
    if files is None:
        return dbc.Alert("文件内容无法读取", color="danger")
    scope = context.scope()
    name = _named(files)
    with tempfile.TemporaryDirectory() as tmp:
        try:
            path = _together(name, files, Path(tmp)) if len(files) > 1 else _unpack(name, files[0][1], Path(tmp))
        except SourceError as exc:
            record_refused(context.engine(), name, exc, context.current_username(), context.address(), context.role())
            return dbc.Alert(f"导入失败，未写入任何数据：{exc.zh}", color="danger")
        try:
            result = import_path(context.engine(), path, context.config(), username=context.current_username(),
                                 scope=scope, address=context.address(), file_name=name, role=context.role())
        except Exception:  # the portal's own fault: the history holds it as failed; the details go to the log
            log.exception("import of %s by %s failed", name, context.current_username())
            return dbc.Alert("导入失败，未写入任何数据：平台内部出错，已记入导入记录和系统日志，请联系系统管理员",
                             color="danger", id=f"{P}-failed")
    notes = [html.Li(UserError(n).zh) for n in result.notes]
    if result.ok:
        counts = table_rows(result.counts)
        month = fig.month_text(reported_month(context.config().today()))
        reported = f"已记为 {result.units:,} 个单位{month}的报送。" if result.units else ""
        return html.Div([dbc.Alert(f"导入成功（#{result.import_id}）：{counts}。{reported}新数据将在下次计算快照后显示。",
                                   color="success", id=f"{P}-done"),
                         html.Ul(notes, className="small text-muted") if notes else None])
    if result.problem_total == 1 and result.problems[0].row is None:  # the file or a sheet as a whole: said whole
        return html.Div([dbc.Alert(f"导入失败，未写入任何数据：{result.problems[0].said[0]}", color="danger",
                                   id=f"{P}-failed"),
                         html.Ul(notes, className="small text-muted mt-2") if notes else None])
    problems = pd.DataFrame([{"sheet": p.sheet, "row": p.row, "column": p.column, "value": p.value, "zh": p.zh}
                             for p in result.problems], columns=[col["field"] for col in PROBLEM_COLUMNS])
    where = result.where_problems_are()
    listing = html.A("下载问题清单（xlsx）", href=_problems_href(result.import_id), className="alert-link ms-2",
                     id=f"{P}-problems-file")
    listed = f"下表列出前 {len(problems):,} 个。" if result.problem_total > len(problems) else ""
    return html.Div([
        dbc.Alert([f"导入失败：发现 {result.problem_total:,} 个问题{f'（{where}）' if where else ''}，未写入任何数据。{listed}",
                   listing], color="danger", id=f"{P}-failed"),
        c.grid(f"{P}-problems", problems, PROBLEM_COLUMNS, height=c.grid_height(len(problems), 420, fewest=3)),
        html.Ul(notes, className="small text-muted mt-2") if notes else None,
    ])


def _due_sentence(month: str, due: dt.date, today: dt.date) -> str:
    """What an import today counts as (reporting.md): before the due day 按期, after it 逾期 for a
    unit that has not reported (one that has keeps the day it first did)."""
    counted = f"本月导入的台账记为{fig.month_text(month)}的报送"
    if today <= due:
        return f"{counted}，应于{fig.date_text(due)}前（含当日）完成，之后导入记为逾期。"
    return f"{counted}；报送期限{fig.date_text(due)}已过，尚未报送的单位本次导入记为逾期（已报送的单位按首次报送日计）。"


def _problems_href(import_id: int) -> str:
    """The address of a failed import's 问题清单 (dashboard.downloads)."""
    return f"/imports/{import_id}/problems.xlsx"


def _rows(record) -> str:
    """An import's rows by table; of one that failed, the rows it read, none of them written."""
    read = table_rows(record.row_counts or {})
    if record.result not in ("failed", "interrupted"):
        return read
    return "未写入" if read == "—" else f"未写入（读到 {read}）"


@callback(Output(f"{P}-history", "children"), Input(f"{P}-result", "children"))
@guarded(PATH)
def history(_result):
    records = queries.imports(context.engine(), context.scope())
    zone = context.config().zone
    rows = [{"id": r.id, "started_at": fig.moment(r.started_at, zone), "username": r.username, "file_name": r.file_name,
             "result": IMPORT_RESULTS.get(r.result, r.result),
             "received_on": r.received_on.isoformat() if r.received_on else "—",
             "rows": _rows(r), "message": UserError(r.message).zh if r.message else "",
             "problems": "下载" if r.has_problems else "", "problems_href": _problems_href(r.id) if r.has_problems else None}
            for r in records]
    frame = pd.DataFrame(rows, columns=[*(col["field"] for col in HISTORY_COLUMNS), "problems_href"])
    return c.section("导入记录", c.grid(f"{P}-grid", frame, HISTORY_COLUMNS, height=c.grid_height(len(rows), 360, fewest=3)))
