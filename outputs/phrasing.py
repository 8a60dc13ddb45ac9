"""Sentences: every figure as outputs.figures shows it, every change as 上升/下降/持平 with its
size, every list reason (warnings.md) in a table's few words or a document's full sentence, and
the words of the messages the portal sends by itself (约谈安排, 配置审核结果, 报送提醒, 催报, 销号).
Pure: no database, no files.
"""
from __future__ import annotations

import datetime as dt
from typing import Mapping

from ledger.importer.schema import TABLES
from ledger.vocab import DECISION_KINDS, LEVELS
from metrics.rules import NAMES as RULE_NAMES
from outputs import figures as fig
from outputs.figures import undefined

TABLE_NAMES = {table.key: table.zh for table in TABLES}


def figure_with_change(key: str, now, before, label: str | None = None) -> str:
    """闲置率4.12%，较上月下降0.30个百分点; undefined: 闲置率无（无在册资产）."""
    said = (label or fig.figure(key).label) + fig.phrase(key, now)
    if undefined(now):
        return said
    return f"{said}，{fig.change(key, now, before).sentence}"


def table_rows(counts: Mapping[str, int]) -> str:
    """Rows per table of the import format as people read them: 单位 6 行，资产卡片 12,000 行."""
    return "，".join(f"{TABLE_NAMES.get(key, key)} {count:,} 行" for key, count in counts.items() if count) or "—"


def ranking_phrase(entries: list[tuple[str, float]]) -> str:
    """Names with their scores in order: 甲局（92.3分）、乙局（88.0分）."""
    return "、".join(f"{name}（{fig.phrase('score', score)}）" for name, score in entries)


def top_and_bottom(entries: list[tuple[str, float]], what: str, size: int = 5) -> str:
    """The first five and the last five of a ranking; a ranking of ten or fewer is named whole."""
    n = len(entries)
    if n == 0:
        return f"本月无参与排名的{what}。"
    if n <= 2 * size:
        return f"参与排名的{what}共{n}个，综合得分由高到低依次为：{ranking_phrase(entries)}。"
    return (f"参与排名的{what}共{n}个。综合得分前五名依次为：{ranking_phrase(entries[:size])}；"
            f"后五名依次为：{ranking_phrase(entries[-size:])}。")


# ---- 报送情况 (reporting.md) ------------------------------------------------------------------

# departments named in the bulletin's 报送情况; a longer list goes to its annex (附件2), as the full
# ranking does (附件1): ninety names in a row ran over two pages of the 通报
NAMED_BEHIND = 10


def behind_phrase(name: str, missing: int, late: int) -> str:
    """甲局（未报送4个、逾期1个）."""
    return f"{name}（" + "、".join(x for x in (f"未报送{missing}个" if missing else "",
                                             f"逾期{late}个" if late else "") if x) + "）"


def reporting_paragraph(month: str, due: dt.date, today: dt.date, counts: Mapping[str, int],
                        behind: list[tuple[str, int, int]], named: int = NAMED_BEHIND) -> str:
    """The bulletin's 报送情况: the units' statuses (ledger.reporting.STATUSES: their counts) and the
    departments with units missing or late, worst first as (name, missing, late).

    Before the due day has passed no unit is late or missing yet and the share on time is not
    known: the paragraph says how many have sent and how many still may. More than `named`
    departments behind: the first `named` of them, the whole list in 附件2."""
    units = sum(counts.values())
    if not units:
        return "报送情况：本月无应报单位。"
    on_time, pending = counts.get("on_time", 0), counts.get("pending", 0)
    head = f"报送情况：{fig.month_text(month)}台账应于{fig.date_text(due)}前报送，"
    if pending:
        return (f"{head}截至{fig.date_text(today)}，应报单位{units:,}个，已按期报送{on_time:,}个，"
                f"其余{pending:,}个尚未到报送截止日。")
    text = (f"{head}应报单位{units:,}个，按期报送{on_time:,}个，按期报送率{fig.phrase('on_time_share', on_time / units)}；"
            f"逾期报送{counts.get('late', 0):,}个，未报送{counts.get('missing', 0):,}个。")
    if not behind:
        return text + "各部门均按期报送。"
    if len(behind) <= named:
        return text + "未按期报送的部门：" + "、".join(behind_phrase(*b) for b in behind) + "。"
    return (text + f"未按期报送的部门共{len(behind):,}个，名单见附件2；其中未报送、逾期单位较多的是："
            + "、".join(behind_phrase(*b) for b in behind[:named]) + "等。")


# ---- list reasons (metrics.lists: a rule and its figures) -------------------------------------

def _limit(reason: dict, key: str) -> str:
    """The threshold a reason was measured against, where the snapshot kept it: （≥ 10.00%）."""
    limit = reason.get("limit")
    if limit is None:
        return ""
    return f"（≥ {fig.text(key, limit) if key else int(limit)}）"


def reason_text(reason) -> str:
    """A list reason in a table's, the screen's or the meeting pack's few words."""
    if isinstance(reason, str):  # an interview topic stored as text by an earlier version
        return reason
    rule = reason.get("rule")
    if rule == "bottom":
        return f"综合得分排名第 {reason['rank']}/{reason['peer_size']}，位列末位 {reason['k']} 名"
    if rule == "notice_twice":
        return "连续两个月被通报"
    if rule == "red_warnings":
        return f"红色预警 {int(reason['count']):,} 条" + _limit(reason, "")
    if rule == "overdue_idle":
        return f"超期闲置率 {fig.text('overdue_idle_rate', reason['rate'])}" + _limit(reason, "overdue_idle_rate")
    if rule == "interview_three_months":
        return "连续三个月被列入约谈名单"
    if rule == "idle_rate":
        return (f"闲置率 {fig.text('idle_rate', reason['rate'])}" + _limit(reason, "idle_rate")
                + "，暂停或压减新增资产配置预算")
    return str(reason.get("text") or "")  # a reason this module does not know: its own text, never a key


def reasons_text(reasons: list) -> str:
    return "；".join(reason_text(r) for r in reasons)


def reason_sentence(reason, figures: dict | None = None) -> str:
    """One list reason as a document's sentence, with its figures.

    figures: the member's KPI row (score) and `peers`, to say what a bottom rank was scored at.
    """
    if isinstance(reason, str):
        return reason.rstrip("。") + "。"
    rule = reason.get("rule")
    if rule == "bottom":
        score = (figures or {}).get("score")
        scored = "" if undefined(score) else f"{fig.labelled('score', score)}，"
        peers = (figures or {}).get("peers", "参评对象")
        return (f"{scored}在{peers}中排名第{reason['rank']}位（共{reason['peer_size']}个），"
                f"位列末位{reason['k']}名，列入通报名单。")
    if rule == "notice_twice":
        return "连续两个月被通报。"
    if rule == "red_warnings":
        return f"本月红色预警{int(reason['count']):,}条，达到约谈标准。"
    if rule == "overdue_idle":
        return f"{fig.labelled('overdue_idle_rate', reason['rate'])}，达到约谈标准。"
    if rule == "interview_three_months":
        return "连续三个月被列入约谈名单，启动问责程序。"
    if rule == "idle_rate":
        return f"{fig.labelled('idle_rate', reason['rate'])}，达到预算约束标准，暂停或压减新增资产配置预算。"
    return reason_text(reason).rstrip("。") + "。"


def reasons_paragraph(reasons: list, figures: dict | None = None) -> str:
    return "".join(reason_sentence(r, figures) for r in reasons)


def accountability_paragraph(names: list[str]) -> str:
    if not names:
        return "本月无列入问责名单的单位。"
    return f"以下{len(names)}个单位连续三个月被列入约谈名单，依规启动问责程序：{'、'.join(names)}。"


def budget_paragraph(members: list[tuple[str, list[dict]]]) -> str:
    """预算约束: each member with its idle rate, the threshold said once."""
    if not members:
        return "本月无列入预算约束名单的单位。"
    named = []
    for name, reasons in members:
        rates = [r["rate"] for r in reasons if isinstance(r, dict) and r.get("rule") == "idle_rate"]
        named.append(f"{name}（{fig.labelled('idle_rate', rates[0])}）" if rates else name)
    return f"以下{len(members)}个单位闲置率达到预算约束标准，暂停或压减其新增资产配置预算：" + "、".join(named) + "。"


# ---- warnings --------------------------------------------------------------------------------

def level_count(levels: list[str]) -> str:
    """12条，其中红色3条 — or just 12条 when none is red."""
    reds = sum(1 for level in levels if level == "red")
    return f"{len(levels)}条" + (f"，其中红色{reds}条" if reds else "")


def level_name(key: str) -> str:
    return LEVELS[key]


def rule_name(key: str) -> str:
    return RULE_NAMES[key]


def months_or_days(days, months) -> str:
    """How long a warning has run: 14个月, 35天, or empty."""
    if not undefined(months):
        return f"{int(months)}个月"
    if not undefined(days):
        return f"{int(days)}天"
    return ""


def interview_arranged(month: str, on: dt.date, place: str | None, attendees: str, topics: list,
                       moved_from: tuple[dt.date, str | None] | None = None) -> tuple[str, str]:
    """The 消息 (title, body) that tells a department when and where it is to be interviewed (the
    notice sent at the month's close leaves them blank), or, `moved_from` (day, place), that it moved."""
    what = "约谈改期" if moved_from else "约谈安排"
    title = f"{what}：{fig.date_text(on)}（{fig.month_text(month)}约谈名单）"
    before = (f"原定{fig.date_text(moved_from[0])}{f'在{moved_from[1]}' if moved_from[1] else ''}的约谈，改为"
              if moved_from else "定于")
    body = (f"{before}{fig.date_text(on)}约谈贵部门，地点：{place or '另行通知'}；参加人员：{attendees}。\n"
            "约谈议题：\n" + "".join(f"· {reason_text(r)}\n" for r in topics)
            + "请按约谈通知书的要求，就上述问题逐项准备书面整改报告，按时参加。约谈通知书可在平台“约谈整改”页面下载。")
    return title, body


def decision_told(facts: dict, withdrawn: bool = False) -> list[tuple[str, str, str]]:
    """(department, title, body) of each 消息 a decision on a purchase request sends (`facts`:
    ledger.allocation.decision_facts), or its withdrawal: the requesting department its outcome; each other
    department whose idle asset it transfers, what to hand over — never the receiving department's
    name (roles.md: a department meets others only in its own requests' candidates)."""
    decision, req, assets = facts["decision"], facts["request"], facts["assets"]
    kind = DECISION_KINDS[decision.kind]
    asked = f"{req.unit_name}申报的{req.asset_name} {req.quantity:,} 件（需求编号 {req.request_id}，{req.budget_year} 年度）"
    listed = "".join(f"· {a.asset_code} {a.name}（{a.unit_name}，{a.dept_name}）\n" for a in assets)
    due = f"{fig.date_text(assets[0].due_on)}前" if assets else ""
    if withdrawn:
        told = [(req.dept_code, f"配置审核决定撤回：{req.request_id} {req.asset_name}",
                 f"{asked}的审核决定（{kind}）已撤回，该需求将重新审核。\n撤回理由：{decision.withdraw_note}")]
    else:
        outcome = {"transfer": f"调剂 {len(assets):,} 件",
                   "partial": f"调剂 {len(assets):,} 件，另同意采购 {decision.approved_qty:,} 件",
                   "approve": f"同意采购 {decision.approved_qty:,} 件", "reject": "不予批复"}[decision.kind]
        body = f"{asked}，审核决定：{outcome}。\n"
        if assets:
            body += f"调剂资产：\n{listed}请于{due}会同调出单位办理调剂手续，调剂完成以台账显示为准。\n"
        told = [(req.dept_code, f"配置审核结果：{req.request_id} {req.asset_name}（{kind}）", body + f"审核意见：{decision.note}")]
    holders: dict[str, list] = {}
    for asset in assets:  # the requesting department's own are in its outcome already
        if asset.dept_code != req.dept_code:
            holders.setdefault(asset.dept_code, []).append(asset)
    for dept, own in holders.items():
        lines = "".join(f"· {a.asset_code} {a.name}（{a.unit_name}）\n" for a in own)
        if withdrawn:
            told.append((dept, f"资产调剂撤回：配置需求 {req.request_id}",
                         f"贵部门以下资产的调剂决定已撤回，不再调出：\n{lines}"))
        else:
            told.append((dept, f"资产调剂：{len(own):,} 件闲置资产调剂使用（配置需求 {req.request_id}）",
                         f"经配置审核，贵部门以下闲置资产决定调剂使用：\n{lines}"
                         f"请于{due}配合财政部门办理调剂手续（交接、台账变更），调剂完成以台账显示为准。"))
    return told


def reporting_reminder(month: str, due: dt.date, today: dt.date, units: list[str], late: bool) -> tuple[str, str]:
    """A department told which of its units have not sent `month`'s ledger: before the due day a
    reminder (提醒, the scheduler's), after it a 催报 (the bureau's, from 报送)."""
    names = "、".join(units[:30]) + ("等" if len(units) > 30 else "")
    month_name, due_name = fig.month_text(month), fig.date_text(due)
    if late:
        return (f"催报：{month_name}台账尚有 {len(units):,} 个单位未报送",
                f"截至{fig.date_text(today)}，以下单位尚未报送{month_name}资产台账（应于{due_name}前报送）：{names}。\n"
                "请尽快在平台“数据导入”页面导入，或对无变化的单位确认“本月无变化”。")
    return (f"报送提醒：{month_name}台账应于{due_name}前报送，尚有 {len(units):,} 个单位未报送",
            f"以下单位尚未报送{month_name}资产台账，应于{due_name}前报送：{names}。\n"
            "请在截止日前在平台“数据导入”页面导入，或对无变化的单位确认“本月无变化”。")


def weekly_reminder(week: str, due: dt.datetime) -> tuple[str, str]:
    """A department told on the morning its 周进度 is due that it has not sent this week's yet."""
    year, number = week.split("-W")
    return (f"周进度提醒：本周进度应于{fig.due_moment(due)}前报送",
            f"本周（{year}年第{int(number)}周）工作进度尚未报送，应于{fig.due_moment(due)}前报送本周进展、存在问题和下周计划。\n"
            "请在平台“报送”页面的“周进度”中填写。")


def unreached(names: list[str], shown: int = 5) -> str:
    """Departments a message could not reach in the portal (no account yet), for whoever sent it to
    tell some other way."""
    return (f"{len(names):,} 个部门尚无账号，请另行通知：{'、'.join(names[:shown])}"
            + ("等" if len(names) > shown else ""))


def acknowledged_for(count: int, note: str, day: dt.date, by: str = "监管人员") -> tuple[str, str]:
    """A department told that a supervisor (or its county: `by`, the role's name) acknowledged
    warnings of its own for it, with the date they are to be fixed by."""
    return (f"预警已由{by}确认（{count:,} 条），计划{fig.date_text(day)}前整改",
            f"贵部门的 {count:,} 条预警已由{by}确认，计划整改日期为{fig.date_text(day)}。\n说明：{note.strip()}\n"
            "请按期整改，完成后在平台“预警”页面按状态“已确认”找到这些预警，上传佐证材料报送整改。")


def closed_off(count: int, note: str) -> tuple[str, str]:
    """A department told that warnings it reported fixed were checked and closed off (销号)."""
    return (f"预警已核验销号（{count:,} 条）",
            f"贵部门报送整改的 {count:,} 条预警经核验已销号。\n核验说明：{note.strip()}\n"
            "可在平台“预警”页面按状态“已销号”查看。")


def resolved_off(count: int, note: str) -> tuple[str, str]:
    """A department told that a supervisor closed off warnings of its own without its evidence
    (直接销号: found settled on the spot, say)."""
    return (f"预警已销号（{count:,} 条）",
            f"贵部门的 {count:,} 条预警经监管核实已直接销号，无需再报送整改材料。\n销号说明：{note.strip()}\n"
            "可在平台“预警”页面按状态“已销号”查看。")


def sent_back(count: int, reason: str) -> tuple[str, str]:
    """A department told that evidence it sent for warnings was returned (退回)."""
    return (f"预警整改材料被退回（{count:,} 条）",
            f"退回理由：{reason.strip()}\n请在平台“预警”页面按状态“已退回”查看，补充材料后重新报送。")


def commitment_sent_back(commitment_id: int, reason: str) -> tuple[str, str]:
    """A department told that the evidence it sent for a commitment was returned (退回)."""
    return (f"整改承诺 #{commitment_id} 的材料被退回",
            f"退回理由：{reason.strip()}\n请在平台“约谈整改”页面补充材料后重新报送。")


def commitment_closed_off(commitment_id: int, text: str) -> tuple[str, str]:
    """A department told that a commitment it reported kept was checked and closed off (销号)."""
    return (f"整改承诺 #{commitment_id} 已核验销号",
            f"整改承诺 #{commitment_id}（{text}）经核验已销号。\n可在平台“约谈整改”页面查看。")


# what 消息 says of a paper delivered to it, under its title (its e-mail: jobs.deliver.mailed_body)
PAPER_DELIVERED = "文件见下方，可下载保存、打印；打开本消息或下载文件即记为已读。"
