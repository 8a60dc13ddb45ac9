"""Evidence (delivery.md) as pages take and show it: an upload box for several files, the files
read and checked (kind from the content, size, name), and the links to the files already sent."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import components as c
from ledger import filestore
from outputs import figures as fig


def upload(id_: str) -> html.Div:
    """A drop zone for one or more evidence files; the names chosen show beneath it (`<id>-names`)."""
    return html.Div([
        # no `accept`: the drop zone drops a file it does not accept without a word (an iPhone's HEIC
        # photo, an OFD); the server reads every file's kind and says what it is and what to send
        dcc.Upload(id=id_, multiple=True, max_size=-1, className="upload-box upload-small",
                   children=html.Div(["将佐证材料拖到此处，或 ", html.A("选择文件"),
                                      html.Span("（PDF、JPG/PNG 图片、Word、Excel，可多选）", className="text-muted")])),
        html.Div(id=f"{id_}-names", className="small text-muted mt-1"),
    ])


def chosen(names) -> str:
    """What the box holds, in words."""
    names = [n for n in names if isinstance(n, str)] if isinstance(names, list) else []
    return ("已选择：" + "、".join(names)) if names else ""


def read(contents, names, config) -> list[tuple[str, bytes, str]]:
    """The uploaded files as (name, bytes, kind), each checked (ledger.filestore.check_upload): the
    first one refused raises FileRefused with its name and why; nothing is kept yet."""
    contents = contents if isinstance(contents, list) else []
    names = names if isinstance(names, list) else []
    files = []
    for content, name in zip(contents, names):
        if (data := c.upload_bytes(content)) is None:
            raise filestore.FileRefused(f"「{str(name)[:60]}」的内容无法读取", "the file could not be read")
        files.append((*filestore.check_upload(name, data, config), data))
    return [(name, data, kind) for name, kind, data in files]


def links(rows, zone: str) -> html.Div:
    """Evidence files as links (downloaded as attachments, never shown inline) with who sent them when."""
    if not rows:
        return c.empty("尚无佐证材料")
    return html.Ul([html.Li([html.A(r.file_name, href=f"/evidence/{r.id}", className="evidence-link"),
                             html.Span(f"　{r.uploaded_by} · {fig.moment(r.uploaded_at, zone, seconds=False)}",
                                       className="text-muted small")]) for r in rows], className="evidence-list mb-1")


def said(exc) -> dbc.Alert:
    return dbc.Alert(exc.zh, color="danger", className="py-1 mb-0")
