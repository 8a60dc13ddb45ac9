"""Serving the portal: the process launcher behind `panhuo serve` and `panhuo demo`."""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Callable

from ledger.config import WEAK_SECRET_KEYS, Config, check_secret_key, env_name


def hand_over(config: Config, host: str, port: int, demo: bool = False, with_scheduler: bool = False,
              say: Callable[[str], None] = print) -> None:
    """Hand over to gunicorn serving dashboard.wsgi (jobs never imports the dashboard).

    `with_scheduler`: the demo also starts `panhuo scheduler` beside it (same process group,
    so Ctrl+C stops both); a deployment runs the scheduler as a service of its own.
    """
    env = dict(os.environ)
    for key in ("database.url", "org.city_region_code", "org.city_name"):
        env[env_name(key)] = str(config[key])
    if demo and config["auth.secret_key"] in WEAK_SECRET_KEYS:
        env[env_name("auth.secret_key")] = secrets.token_hex(32)  # the demo's sessions end with it
    else:
        check_secret_key(config["auth.secret_key"])
    if config.path is not None:
        env["PANHUO_CONFIG"] = str(config.path.resolve())
    if with_scheduler:
        subprocess.Popen([sys.executable, "-m", "jobs.cli", "scheduler"], env=env)
        say("调度进程已启动 / scheduler started (任务 page: /jobs)")
    say(f"门户 / portal: http://{host}:{port}/  (Ctrl+C 退出 / to stop)")
    sys.stdout.flush()
    # sync workers: Dash's first-request set-up races under threaded workers (plotly/dash#3971)
    os.execve(sys.executable, [sys.executable, "-m", "gunicorn", "--workers", "3", "--timeout", "120",
                               "--bind", f"{host}:{port}", "--access-logfile", "-",
                               # the path without its query: a kiosk's token URL is never logged
                               "--access-logformat", '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms',
                               "dashboard.wsgi:app"], env)
