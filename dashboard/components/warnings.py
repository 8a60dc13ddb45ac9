"""Warning rows as the grids show them: level and rule in Chinese, the asset linked, the span."""
from __future__ import annotations

from dashboard import components as c
from ledger import vocab
from outputs.warning_list import warning_words

LEVEL_CLASSES = {"lvl-red": "params.value == '红色'", "lvl-orange": "params.value == '橙色'",
                 "lvl-yellow": "params.value == '黄色'"}


def warning_display(frame):
    """Warning rows as the grids show them: rule and level in Chinese, an asset link, the span."""
    return warning_words(frame).assign(asset_href=[c.href("/asset", code) for code in frame["asset_code"]])


def warnings_grid(id_: str, frame, unit_names: dict[str, str], height: str = "420px"):
    """A department's or a unit's warnings, the most severe first, its units by name (`unit_names`: code -> name)."""
    if frame.empty:
        return c.empty("本月无预警")
    # the most severe first; a large department's full list is on the 预警 page, filtered
    frame = frame.sort_values(["level", "rule", "ref"],
                              key=lambda s: s.map(vocab.SEVERE_FIRST.index) if s.name == "level" else s).head(500)
    shown = warning_display(frame).assign(unit_name=[unit_names.get(code, code) for code in frame["unit_code"]],
                                          unit_href=[c.href("/unit", code) for code in frame["unit_code"]])
    return c.grid(id_, shown[["level_zh", "rule_zh", "ref", "asset_code", "asset_href", "unit_name", "unit_href", "span",
                              "first_seen", "message"]], [
        {"field": "level_zh", "headerName": "等级", "width": 90, "cellClassRules": LEVEL_CLASSES},
        {"field": "rule_zh", "headerName": "规则", "width": 140}, {"field": "ref", "headerName": "对象", "width": 140},
        c.link_column("asset_code", "资产编号", "asset_href", width=140),
        c.link_column("unit_name", "单位", "unit_href", width=180, tooltipField="unit_name"),
        {"field": "span", "headerName": "时长", "width": 100}, {"field": "first_seen", "headerName": "首次出现", "width": 120},
        {"field": "message", "headerName": "说明", "flex": 1, "minWidth": 240},
    ], height=height, options={"pagination": True, "paginationPageSize": 50})
