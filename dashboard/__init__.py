"""The portal. Until the Dash pages land (issue 3) this serves one placeholder page that
shows which snapshots exist and no figures, so nothing is exposed without a login."""
from __future__ import annotations

from flask import Flask
from markupsafe import escape
from sqlalchemy import select

from ledger.config import Config
from ledger.db import make_engine
from ledger.models import Snapshot


def create_app(config: Config) -> Flask:
    app = Flask(__name__, static_folder=None)
    engine = make_engine(config.database_url)

    @app.get("/")
    def placeholder():
        with engine.connect() as conn:
            months = conn.execute(select(Snapshot.month).order_by(Snapshot.month.desc())).scalars().all()
        listed = "、".join(escape(m) for m in months) or "（尚无）"
        return (f"<!doctype html><html lang='zh-CN'><meta charset='utf-8'><title>国有资产盘活督导平台</title>"
                f"<body style='font-family:sans-serif;margin:3em'><h1>{escape(config['org.city_name'])} · "
                f"国有资产盘活督导平台</h1><p>门户页面建设中。已计算快照月份：{listed}</p>"
                f"<p>数据可通过命令行导出：<code>panhuo export kpis --month YYYY-MM --out kpis.xlsx</code></p>"
                f"</body></html>")

    return app
