"""config.toml: every key declared once here, with its default and meaning.

A missing key takes its default; an unknown key or a value of the wrong type is an
error naming the key. `PANHUO_<SECTION>_<KEY>` environment variables override
single keys (`PANHUO_DATABASE_URL`, `PANHUO_SCORE_IDLE_GOOD`).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ledger import clock


class ConfigError(ValueError):
    pass


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # as crontab and [reporting] weekly_due name them


@dataclass(frozen=True)
class Setting:
    key: str
    default: Any
    help: str


SCORE_DEFAULTS = {
    # name: (good, bad, weight)
    "idle": (0.02, 0.15, 25),
    "overdue": (0.00, 0.08, 20),
    "completion": (0.90, 0.30, 25),
    "remit": (1.00, 0.80, 20),
    "quality": (1.00, 0.60, 10),
}

DEFAULT_REQUIREMENTS = [
    "（一）压实主体责任。各部门要对照本通报逐项梳理闲置、低效运转资产，制定盘活方案，明确责任人和完成时限。",
    "（二）加快存量盘活。超期闲置资产应优先通过公物仓调剂、共享共用、出租出借等方式盘活，确无使用价值的依规处置。",
    "（三）及时上缴收入。资产出租、处置收入应按规定及时足额上缴国库，不得截留、坐支。",
    "（四）提升数据质量。各单位要完善资产卡片信息，补全照片、存放地点等资料，确保账实相符。",
]

SETTINGS: list[Setting] = [
    Setting("database.url", "sqlite:///panhuo.db", "SQLAlchemy URL; postgresql+psycopg://user@host/db in production"),
    Setting("org.city_region_code", "371500", "the city's own region: its departments form the 市直部门 ranking"),
    Setting("org.city_name", "示范市", "the city's name, shown in titles"),
    Setting("org.timezone", "Asia/Shanghai", "the deployment's time zone: every time shown, 'today', the schedules"),
    *[
        Setting(f"score.{name}.{part}", value, f"{part} threshold/weight of the {name} sub-score")
        for name, triple in SCORE_DEFAULTS.items()
        for part, value in zip(("good", "bad", "weight"), triple)
    ],
    Setting("warnings.remit_deadline_days", 30, "days after receipt by which income must be turned over"),
    Setting("warnings.stale_listing_days", 180, "days in the warehouse after which a listing is stale"),
    Setting("warnings.idle_months", [6, 12, 24], "months idle for the yellow, orange and red idle_overdue levels"),
    Setting("warnings.plan_red_days", 90, "days past due after which an overdue plan is red"),
    Setting("warnings.remit_red_days", 90, "days since receipt after which unremitted income is red"),
    Setting("warnings.buy_while_idle_categories", ["车辆", "房屋", "土地", "专用设备"],
            "categories for which buying while holding idle stock is warned"),
    Setting("lists.notice_share", 0.10, "share of a peer group on the notice list (at least one)"),
    Setting("lists.red_warning_limit", 20, "red warnings that put a department on the interview list"),
    Setting("lists.overdue_idle_limit", 0.10, "overdue idle rate that puts a department on the interview list"),
    Setting("lists.budget_idle_limit", 0.15, "idle rate that puts a department on the budget-restriction list"),
    Setting("allocation.transfer_days", 60, "days after a transfer decision by which the ledger must show it done"),
    Setting("engine.memory_limit", "1GB", "DuckDB's memory bound for a computation (it spills to disk beyond it)"),
    Setting("engine.threads", 0, "threads DuckDB computes with; 0: one per core"),
    Setting("import.max_errors", 200, "problems reported by a failed import before it stops listing them"),
    Setting("import.batch_rows", 5000, "rows written to the database per batch during an import"),
    Setting("import.max_upload_mb", 100, "largest file the import page accepts"),
    Setting("import.max_unpacked_mb", 1024, "most a workbook or zip may hold once unpacked (checked while unpacking)"),
    Setting("import.max_members", 64, "most files a workbook or zip may hold"),
    Setting("import.max_ratio", 100, "most a file in a workbook or zip may be compressed (a zip bomb is thousands)"),
    Setting("import.max_rows", 2_000_000, "most rows a sheet may have"),
    Setting("auth.secret_key", "", "Flask secret key; required outside `panhuo demo`"),
    Setting("auth.secure_cookies", False, "send cookies over HTTPS only: turn on behind an HTTPS proxy"),
    Setting("scheduler.recompute_cron", "30 1 * * *", "crontab: recompute the current month and the unclosed previous one"),
    Setting("scheduler.close_day", 6, "day of the month on which the previous month is closed "
                                      "(never before the day after reporting.due_day)"),
    Setting("scheduler.close_cron", "0 3 * * *", "crontab: check whether the previous month is due to close"),
    Setting("scheduler.weekly_report_cron", "0 8 * * fri", "crontab: write the weekly dispatch report (周调度)"),
    Setting("scheduler.cleanup_cron", "0 4 * * *", "crontab: forget old job records"),
    Setting("scheduler.remind_cron", "0 9 * * *", "crontab: remind departments of the ledgers due soon "
                                                 "(reporting.remind_days)"),
    Setting("scheduler.keep_days", 180, "days job records are kept"),
    Setting("scheduler.outbox", "outbox", "folder the weekly dispatch reports are written to"),
    Setting("scheduler.poll_seconds", 10, "how often the scheduler picks up runs queued from the admin page"),
    Setting("scheduler.misfire_grace_seconds", 3600,
            "a run missed by up to this long (process busy or suspended) still runs; older ones are left to catch-up"),
    Setting("workflow.ack_days", 15, "days an orange or red warning may stay unacknowledged before it is overdue"),
    Setting("screen.rotate_seconds", 20, "seconds each meeting-screen panel stays up"),
    Setting("screen.refresh_seconds", 60, "how often the meeting screen looks for a new snapshot"),
    Setting("documents.template_dir", "", "folder of the office's own 通报/通知书 templates (bulletin.docx, interview.docx, "
            "rectify.docx); empty: the shipped ones"),
    Setting("documents.bureau_name", "", "the issuing bureau in the documents' 落款; empty: {city_name}财政局"),
    Setting("documents.recipients", "各县（市、区）财政局，市直各部门、各单位：", "the bulletin's 主送 line"),
    Setting("documents.requirements", "\n".join(DEFAULT_REQUIREMENTS),
            "the bulletin's 五、下一步工作要求, one paragraph per line"),
    Setting("documents.rectify_days", 30, "days a rectification notice gives a department"),
    Setting("server.host", "127.0.0.1", "address `panhuo serve` binds"),
    Setting("server.port", 8050, "port `panhuo serve` binds"),
    Setting("server.cache_dir", "", "the pages' cache, shared by the web server's worker processes; empty: cache/ "
            "beside the files folder"),
    Setting("server.cache_mb", 512, "how large the pages' cache on disk may grow"),
    Setting("server.public_url", "", "the portal's address as people reach it, for links in e-mail "
            "(empty: http://{host}:{port})"),
    Setting("reporting.due_day", 5, "month M is due from every unit by this day of M+1 (1-28)"),
    Setting("reporting.weekly_due", "thu", "weekly progress is due this weekday (mon…sun), 18:00 local time"),
    Setting("reporting.remind_days", 2, "days before the due day the scheduler tells departments which of their units "
            "have still to send the month's ledger, and on the morning 周进度 is due who has not sent it (0: neither; "
            "after the due day 催报 is the bureau's, on 报送)"),
    Setting("mail.host", "", "SMTP server for papers by e-mail; empty: inbox only"),
    Setting("mail.port", 587, "SMTP port"),
    Setting("mail.sender", "", "From: address of the portal's mail"),
    Setting("mail.username", "", "SMTP login (empty: none)"),
    Setting("mail.password", "", "SMTP password (or PANHUO_MAIL_PASSWORD)"),
    Setting("mail.starttls", True, "upgrade the SMTP connection with STARTTLS"),
    Setting("mail.timeout_seconds", 30, "how long one SMTP conversation may take"),
    Setting("delivery.after_close", True, "the scheduler delivers a month's papers after it closes"),
    Setting("delivery.read_within_days", 3, "a notice unread after this many days is listed as 逾期未读"),
    Setting("delivery.webhook_url", "", "one JSON POST of counts per delivery run (a work-chat robot); empty: none"),
    Setting("delivery.retry_minutes", [5, 30, 120, 720], "waits before each retry of a failed e-mail; then it stops"),
    Setting("files.dir", "", "where evidence and papers are kept by their SHA-256; empty: files/ beside the "
            "SQLite database"),
    Setting("files.max_mb", 20, "largest evidence file accepted"),
    Setting("files.export_keep_days", 14, "days a list made in the background (导出文件 in 消息) is kept"),
]
_BY_KEY = {s.key: s for s in SETTINGS}


def _flatten(table: dict, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in table.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict):
            out.update(_flatten(value, key + "."))
        else:
            out[key] = value
    return out


def _check_type(key: str, value: Any) -> Any:
    default = _BY_KEY[key].default
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, float):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(default, list):
        ok = isinstance(value, list) and all(isinstance(v, type(default[0])) for v in value)
    else:
        ok = isinstance(value, type(default))
    if not ok:
        raise ConfigError(
            f"配置项 {key} 类型错误：应为 {type(default).__name__}，实际为 {value!r} / "
            f"config key {key} must be {type(default).__name__}, got {value!r}"
        )
    if key == "reporting.due_day" and not 1 <= value <= 28:
        raise ConfigError(f"配置项 {key} 应在 1 到 28 之间，实际为 {value!r} / config key {key} must be 1-28, got {value!r}")
    if key == "reporting.remind_days" and not 0 <= value <= 27:
        raise ConfigError(f"配置项 {key} 应在 0 到 27 之间，实际为 {value!r} / config key {key} must be 0-27, got {value!r}")
    if key == "reporting.weekly_due" and value not in WEEKDAYS:
        raise ConfigError(f"配置项 {key} 应为 {'、'.join(WEEKDAYS)} 之一，实际为 {value!r} / "
                          f"config key {key} must be one of {', '.join(WEEKDAYS)}, got {value!r}")
    if key == "org.timezone":
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"配置项 {key} 不是有效的时区：{value!r}（例如 Asia/Shanghai）/ "
                              f"config key {key} is not a time zone: {value!r} (e.g. Asia/Shanghai)") from None
    return value


def _env_value(key: str, raw: str) -> Any:
    default = _BY_KEY[key].default
    if isinstance(default, str):
        return raw
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"环境变量 {env_name(key)} 的值无法解析：{raw!r} / cannot parse {env_name(key)}={raw!r}") from exc


def env_name(key: str) -> str:
    return "PANHUO_" + key.replace(".", "_").upper()


class Config:
    """Resolved settings: defaults < config.toml < environment < explicit overrides."""

    def __init__(self, values: dict[str, Any], path: Path | None = None):
        self._values = values
        self.path = path

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def replace(self, **overrides: Any) -> "Config":
        """A copy with some keys changed; keys use '__' for '.' (database__url=...)."""
        values = dict(self._values)
        for name, value in overrides.items():
            key = name.replace("__", ".")
            if key not in _BY_KEY:
                raise ConfigError(f"未知配置项 / unknown config key: {key}")
            values[key] = _check_type(key, value)
        return Config(values, self.path)

    @property
    def database_url(self) -> str:
        return self["database.url"]

    @property
    def zone(self) -> str:
        """The deployment's time zone (`[org] timezone`): what 'today' and every time shown mean."""
        return self["org.timezone"]

    def today(self) -> dt.date:
        """Today in the deployment's time zone, not the server's."""
        return clock.today(self.zone)

    @property
    def public_url(self) -> str:
        """The portal's address for links people follow from an e-mail."""
        return (self["server.public_url"] or f"http://{self['server.host']}:{self['server.port']}").rstrip("/")

    def score_rule(self, name: str) -> tuple[float, float, float]:
        return (self[f"score.{name}.good"], self[f"score.{name}.bad"], self[f"score.{name}.weight"])


WEAK_SECRET_KEYS = {"", "changeme", "secret", "dev"}


def check_secret_key(key: str) -> None:
    """Outside the demo the portal refuses to start without a real session key."""
    if key in WEAK_SECRET_KEYS or len(key) < 16:
        raise ConfigError("必须设置 [auth] secret_key（至少 16 个字符）/ [auth] secret_key must be set "
                          "(16+ characters), e.g. PANHUO_AUTH_SECRET_KEY=$(python -c 'import secrets;print(secrets.token_hex(32))')")


def load_config(path: str | os.PathLike | None = None, environ: dict[str, str] | None = None) -> Config:
    """Read config.toml (or `path`, or $PANHUO_CONFIG), apply environment overrides."""
    environ = os.environ if environ is None else environ
    values = {s.key: s.default for s in SETTINGS}
    chosen = path or environ.get("PANHUO_CONFIG")
    file_path = Path(chosen) if chosen else Path("config.toml")
    if chosen and not file_path.is_file():
        raise ConfigError(f"找不到配置文件 / config file not found: {file_path}")
    if file_path.is_file():
        try:
            table = tomllib.loads(file_path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"配置文件格式错误 / invalid TOML in {file_path}: {exc}") from exc
        for key, value in _flatten(table).items():
            if key not in _BY_KEY:
                raise ConfigError(f"未知配置项 / unknown config key: {key} ({file_path})")
            values[key] = _check_type(key, value)
    else:
        file_path = None
    for setting in SETTINGS:
        name = env_name(setting.key)
        if name in environ:
            values[setting.key] = _check_type(setting.key, _env_value(setting.key, environ[name]))
    return Config(values, file_path)
