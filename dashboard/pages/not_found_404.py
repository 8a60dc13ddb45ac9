"""An address no page answers (a mistyped link, an old bookmark): said in the portal's words, with
the way back; Dash's own is an English heading. Dash shows the layout of the page module of this
name for every such address."""
from __future__ import annotations

from dash import html

from dashboard.shell import register_page

PATH = register_page(__name__, "/404")


def layout(**_query):
    return html.Div([html.H4("未找到"), html.P("这个地址没有对应的页面，可能是链接有误或页面已调整。"),
                     html.A("返回首页", href="/")], className="empty-state", id="not-found")
