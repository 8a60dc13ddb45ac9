"""The documents' words, sentence by sentence: rises, falls, unchanged, undefined, every list reason."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, strategies as st

from outputs import phrasing as say


def test_a_rate_that_rises_is_said_in_percentage_points():
    assert say.figure_with_change("闲置率", "rate", "idle_rate", 0.1380, 0.1250) == "闲置率13.80%，较上月上升1.30个百分点"


def test_a_score_that_falls_is_said_in_points_never_as_a_signed_number():
    sentence = say.figure_with_change("综合得分", "score", "score", 25.34, 28.41)
    assert sentence == "综合得分25.3分，较上月下降3.1分" and "-" not in sentence


def test_figures_equal_as_shown_are_unchanged():
    assert say.change("rate", 0.123401, 0.123399) == "与上月持平"  # both shown as 12.34%
    assert say.change("count", 12, 12) == "与上月持平"


def test_counts_and_money_grow_and_shrink():
    assert say.figure_with_change("资产总数", "count", "asset_count", 2598, 2579) == "资产总数2,598项，较上月增加19项"
    assert say.figure_with_change("资产原值", "money", "base_value", 836127638.69, 833913638.69) == \
        "资产原值83,612.8万元，较上月增加221.4万元"


def test_an_undefined_rate_is_none_with_its_reason_never_zero():
    assert say.figure_with_change("到期盘活完成率", "rate", "due_completion_rate", None, 0.5) == \
        "到期盘活完成率无（本月无到期盘活台账）"
    assert say.rate("remit_rate", float("nan")) == "无（近12个月无盘活收入）"
    assert say.change("rate", 0.5, None) == "上月无可比数据"


def test_dates_are_written_in_arabic_numerals():
    assert say.date_text(dt.date(2026, 11, 5)) == "2026年11月5日"
    assert say.month_text("2026-10") == "2026年10月"


def test_a_department_with_every_reason_reads_as_sentences():
    reasons = [{"rule": "bottom", "rank": 33, "peer_size": 34, "k": 4},
               {"rule": "notice_twice"}, {"rule": "red_warnings", "count": 25},
               {"rule": "overdue_idle", "rate": 0.7769}, {"rule": "interview_three_months"},
               {"rule": "idle_rate", "rate": 0.7769}]
    text = say.reasons_paragraph(reasons, {"score": 30.0, "peers": "市直部门"})
    assert text == ("综合得分30.0分，在市直部门中排名第33位（共34个），位列末位4名，列入通报名单。"
                    "连续两个月被通报。本月红色预警25条，达到约谈标准。超期闲置率77.69%，达到约谈标准。"
                    "连续三个月被列入约谈名单，启动问责程序。"
                    "闲置率77.69%，达到预算约束标准，暂停或压减新增资产配置预算。")


def test_a_ranking_names_the_first_and_last_five_or_all_of_a_short_one():
    many = [(f"局{i}", 100 - i) for i in range(12)]
    text = say.top_and_bottom(many, "市直部门")
    assert "前五名依次为：局0（100.0分）" in text and "后五名依次为：局7（93.0分）" in text and "局5" not in text
    assert say.top_and_bottom(many[:7], "县（市、区）").count("分）") == 7
    assert say.top_and_bottom([], "部门") == "本月无参与排名的部门。"


def test_lists_said_once_with_their_figures():
    assert say.accountability_paragraph([]) == "本月无列入问责名单的单位。"
    assert say.budget_paragraph([("甲局", [{"rule": "idle_rate", "rate": 0.2}])]).endswith("甲局（闲置率20.00%）。")
    assert say.level_count(["red", "orange", "red"]) == "3条，其中红色2条"
    assert say.level_count(["orange"]) == "1条"


@given(st.floats(0, 1), st.floats(0, 1))
def test_a_rate_change_agrees_with_the_figures_as_shown(now, before):
    sentence = say.change("rate", now, before)
    shown = Decimal(f"{now * 100:.2f}") - Decimal(f"{before * 100:.2f}")
    assert "-" not in sentence and "nan" not in sentence.lower()
    if shown == 0:
        assert sentence == "与上月持平"
    else:
        assert sentence == f"较上月{'上升' if shown > 0 else '下降'}{abs(shown):.2f}个百分点"


@given(st.floats(0, 100), st.floats(0, 100))
def test_a_score_change_agrees_with_the_scores_as_shown(now, before):
    sentence = say.change("score", now, before)
    shown = Decimal(f"{now:.1f}") - Decimal(f"{before:.1f}")
    assert sentence == ("与上月持平" if shown == 0 else f"较上月{'上升' if shown > 0 else '下降'}{abs(shown):.1f}分")
