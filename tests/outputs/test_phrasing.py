"""How a figure is shown (metrics.md, "Showing a figure") and the documents' sentences built on it:
rises, falls, unchanged, undefined, every list reason."""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from outputs import figures as fig
from outputs import phrasing as say


def test_a_rate_that_rises_is_said_in_percentage_points():
    assert say.figure_with_change("idle_rate", 0.1380, 0.1250) == "闲置率13.80%，较上月上升1.30个百分点"


def test_a_score_that_falls_is_said_in_points_never_as_a_signed_number():
    sentence = say.figure_with_change("score", 25.34, 28.41)
    assert sentence == "综合得分25.3分，较上月下降3.1分" and "-" not in sentence


def test_a_change_is_the_unrounded_difference_rounded_once_not_the_difference_of_rounded_figures():
    # 65.44 and 64.65 are shown as 65.4 and 64.7 (a difference of 0.7); the change is 0.79 -> 0.8
    assert fig.text("score", 65.44) == "65.4" and fig.text("score", 64.65) == "64.7"
    assert fig.change("score", 65.44, 64.65).words == "上升0.8分"
    # 91.556% and 91.564% are both shown as 91.56%; the change rounds to 0.01 pp
    assert fig.change("remit_rate", 0.91564, 0.91556).sentence == "较上月上升0.01个百分点"
    assert fig.change("data_quality_rate", 0.7277, 0.72774).sentence == "与上月持平"


def test_a_change_is_flat_exactly_when_it_rounds_to_zero_and_shows_as_a_dash_on_pages():
    flat = fig.change("idle_rate", 0.123401, 0.123399)
    assert flat.flat and flat.sentence == "与上月持平" and flat.words == "持平" and flat.arrow == "—"
    assert fig.change("asset_count", 12, 12).sentence == "与上月持平"
    assert fig.change("idle_rate", 0.1380, 0.1250).arrow == "↑1.30个百分点"


def test_counts_and_money_grow_and_shrink():
    assert say.figure_with_change("asset_count", 2598, 2579, "资产总数") == "资产总数2,598项，较上月增加19项"
    assert say.figure_with_change("base_value", 836127638.69, 833913638.69) == \
        "资产原值83,612.8万元，较上月增加221.4万元"


def test_an_undefined_rate_is_none_with_its_reason_never_zero():
    assert say.figure_with_change("due_completion_rate", None, 0.5) == "到期盘活完成率无（本月无到期盘活台账）"
    assert fig.phrase("remit_rate", float("nan")) == "无（近12个月无盘活收入）"
    assert fig.text("remit_rate", None) == "—"
    assert fig.change("idle_rate", 0.5, None).sentence == "上月无可比数据"


def test_figures_round_half_up_as_excel_and_a_person_do():
    assert fig.text("score", 87.25) == "87.3" and fig.text("score", 87.35) == "87.4"
    assert fig.text("idle_rate", 0.12345) == "12.35%"
    assert fig.text("base_value", 12_345_678.9) == "1,234.6万元"
    assert fig.text("asset_count", 1234) == "1,234"


def test_xlsx_cells_keep_numbers_in_the_format_of_their_kind():
    assert (fig.cell("idle_rate", 0.0008), fig.number_format("idle_rate")) == (0.0008, "0.00%")
    assert (fig.cell("base_value", 1234.565), fig.number_format("base_value")) == (1234.57, "#,##0.00")
    assert (fig.cell("score", 65.43719086455918), fig.number_format("score")) == (65.43719086455918, "0.0")
    assert fig.cell("remit_rate", None) is None


def test_dates_months_and_moments_are_written_one_way():
    assert fig.date_text(dt.date(2026, 11, 5)) == "2026年11月5日"
    assert fig.month_text("2026-10") == "2026年10月"
    assert fig.month_label("2026-10", closed=True) == "2026年10月"
    assert fig.month_label("2026-11", closed=False) == "2026年11月（进行中）"
    assert fig.month_label("2026-12", closed=False, upto=dt.date(2026, 12, 4)) == "2026年12月（进行中，数据截至12月4日）"
    # stored in UTC, shown where the deployment is
    assert fig.moment(dt.datetime(2026, 12, 3, 14, 35, 2), "Asia/Shanghai") == "2026-12-03 22:35:02"
    assert fig.moment(dt.datetime(2026, 12, 3, 14, 35, 2), "Asia/Shanghai", seconds=False) == "2026-12-03 22:35"


def test_a_department_with_every_reason_reads_as_sentences():
    reasons = [{"rule": "bottom", "rank": 33, "peer_size": 34, "k": 4},
               {"rule": "notice_twice"}, {"rule": "red_warnings", "count": 25, "limit": 20},
               {"rule": "overdue_idle", "rate": 0.7769, "limit": 0.1}, {"rule": "interview_three_months"},
               {"rule": "idle_rate", "rate": 0.7769, "limit": 0.15}]
    text = say.reasons_paragraph(reasons, {"score": 30.0, "peers": "市直部门"})
    assert text == ("综合得分30.0分，在市直部门中排名第33位（共34个），位列末位4名，列入通报名单。"
                    "连续两个月被通报。本月红色预警25条，达到约谈标准。超期闲置率77.69%，达到约谈标准。"
                    "连续三个月被列入约谈名单，启动问责程序。"
                    "闲置率77.69%，达到预算约束标准，暂停或压减新增资产配置预算。")
    assert say.reasons_text(reasons) == (
        "综合得分排名第 33/34，位列末位 4 名；连续两个月被通报；红色预警 25 条（≥ 20）；超期闲置率 77.69%（≥ 10.00%）；"
        "连续三个月被列入约谈名单；闲置率 77.69%（≥ 15.00%），暂停或压减新增资产配置预算")


def test_a_topic_stored_as_text_by_an_earlier_version_reads_as_it_was():
    assert say.reason_text("综合得分排名第 4/4，位列末位 1 名") == "综合得分排名第 4/4，位列末位 1 名"


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


def _once(difference: Decimal, digits: int) -> Decimal:
    return difference.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


@given(st.floats(0, 1), st.floats(0, 1))
def test_a_rate_change_is_the_unrounded_difference_rounded_once(now, before):
    change = fig.change("idle_rate", now, before)
    once = _once((Decimal(repr(now)) - Decimal(repr(before))) * 100, 2)
    assert "-" not in change.sentence and "nan" not in change.sentence.lower()
    if once == 0:
        assert change.sentence == "与上月持平" and change.arrow == "—"
    else:
        assert change.sentence == f"较上月{'上升' if once > 0 else '下降'}{abs(once):.2f}个百分点"
        assert change.arrow == f"{'↑' if once > 0 else '↓'}{abs(once):.2f}个百分点"


@given(st.floats(0, 100), st.floats(0, 100))
def test_a_score_change_is_the_unrounded_difference_rounded_once(now, before):
    once = _once(Decimal(repr(now)) - Decimal(repr(before)), 1)
    assert fig.change("score", now, before).sentence == (
        "与上月持平" if once == 0 else f"较上月{'上升' if once > 0 else '下降'}{abs(once):.1f}分")


@given(st.floats(0, 1, allow_nan=False))
def test_a_rate_shown_anywhere_is_its_percent_rounded_half_up_to_two_decimals(rate):
    assert fig.text("idle_rate", rate) == f"{_once(Decimal(repr(rate)) * 100, 2):.2f}%"


DUE = dt.date(2026, 11, 5)


def test_before_the_due_day_the_reporting_paragraph_counts_who_sent_and_states_no_share():
    said = say.reporting_paragraph("2026-10", DUE, dt.date(2026, 11, 3), {"on_time": 12, "pending": 608}, [])
    assert said == ("报送情况：2026年10月台账应于2026年11月5日前报送，截至2026年11月3日，应报单位620个，"
                    "已按期报送12个，其余608个尚未到报送截止日。")


def test_after_the_due_day_the_reporting_paragraph_gives_the_share_and_names_each_department_behind():
    counts = {"on_time": 435, "late": 15, "missing": 139}
    assert say.reporting_paragraph("2026-11", dt.date(2026, 12, 5), dt.date(2026, 12, 7), counts,
                                   [("甲局", 4, 0), ("乙局", 0, 1)]) == (
        "报送情况：2026年11月台账应于2026年12月5日前报送，应报单位589个，按期报送435个，按期报送率73.85%；"
        "逾期报送15个，未报送139个。未按期报送的部门：甲局（未报送4个）、乙局（逾期1个）。")
    assert say.reporting_paragraph("2026-10", DUE, DUE, {"on_time": 3}, []).endswith(
        "应报单位3个，按期报送3个，按期报送率100.00%；逾期报送0个，未报送0个。各部门均按期报送。")
    assert say.reporting_paragraph("2026-10", DUE, DUE, {}, []) == "报送情况：本月无应报单位。"


@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)).filter(lambda t: any(t)), min_size=1, max_size=30),
       st.integers(1, 12))
def test_the_reporting_paragraph_names_at_most_its_share_of_departments_and_counts_the_rest(behind, named):
    """Each department named with its own counts, in the order given; a longer list is counted whole
    and sent to 附件2."""
    rows = [(f"部门{i:02d}", missing, late) for i, (missing, late) in enumerate(behind)]
    counts = {"on_time": 100, "missing": sum(r[1] for r in rows), "late": sum(r[2] for r in rows)}
    said = say.reporting_paragraph("2026-10", DUE, dt.date(2026, 11, 20), counts, rows, named)
    shown = rows[:named]
    assert [name for name, _, _ in rows if name in said] == [name for name, _, _ in shown]
    for name, missing, late in shown:
        assert say.behind_phrase(name, missing, late) in said
    assert ("名单见附件2" in said) == (len(rows) > named)
    assert (f"未按期报送的部门共{len(rows)}个" in said) == (len(rows) > named)
    assert "各部门均按期报送" not in said and "尚未到报送截止日" not in said
