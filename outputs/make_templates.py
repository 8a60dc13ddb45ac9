"""Builds the shipped Word templates (outputs/templates/*.docx) in the GB/T 9704-2012 layout.

Run by hand after changing the layout: `python -m outputs.make_templates`. The office restyles
its own copies in Word (`[documents] template_dir`); the tags ({{ … }}, {%p … %}, {%tr … %}) are
docxtpl's Jinja and must stay in their paragraphs.
"""
from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from ledger.vocab import SITE
from metrics.definitions import FIGURES
from outputs.facts import ATTACHMENT

TEMPLATES = Path(__file__).resolve().parent / "templates"

# GB/T 9704-2012: 版心 156 × 225 mm, 22 lines of 28 characters; 三号 = 16 pt, 二号 = 22 pt, 四号 = 14 pt
LINE = Pt(225 / 22 / 25.4 * 72)  # ≈ 28.95 pt: 22 lines fill the 225 mm type area
BODY, TITLE, PAGE_NO, TABLE_TEXT = Pt(16), Pt(22), Pt(14), Pt(10.5)
# the official fonts, and what Word and LibreOffice fall back to where they are not installed
FONTS = {
    "仿宋_GB2312": ("仿宋", "FangSong", "modern"), "方正小标宋简体": ("宋体", "SimSun", "roman"),
    "黑体": ("SimHei", "SimHei", "swiss"), "楷体_GB2312": ("楷体", "KaiTi", "modern"),
    "宋体": ("SimSun", "SimSun", "roman"),
}


def _fonts(style_or_run, east_asia: str, size) -> None:
    font = style_or_run.font
    font.size = size
    font.name = "Times New Roman"  # Arabic numerals and Latin text, as the standard has them
    r_fonts = style_or_run.element.get_or_add_rPr().get_or_add_rFonts()
    r_fonts.set(qn("w:eastAsia"), east_asia)
    r_fonts.set(qn("w:hint"), "eastAsia")


def _paragraph_style(doc, name: str, font: str, size, *, indent=True, align=None, bold=False, exact=True,
                     keep_next=False, based_on="Normal"):
    styles = doc.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if name != "Normal":
        style.base_style = styles[based_on]
    _fonts(style, font, size)
    style.font.bold = bold
    style.font.color.rgb = None
    fmt = style.paragraph_format
    fmt.first_line_indent = Pt(size.pt * 2) if indent else Pt(0)
    fmt.space_before = fmt.space_after = Pt(0)
    if exact:
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, LINE
    else:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    fmt.alignment = align if align is not None else WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.keep_with_next = keep_next
    fmt.widow_control = True
    return style


def _styles(doc) -> None:
    _paragraph_style(doc, "Normal", "仿宋_GB2312", BODY)
    _paragraph_style(doc, "公文标题", "方正小标宋简体", TITLE, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    doc.styles["公文标题"].paragraph_format.line_spacing = Pt(36)
    _paragraph_style(doc, "主送", "仿宋_GB2312", BODY, indent=False)
    _paragraph_style(doc, "一级标题", "黑体", BODY, keep_next=True)
    _paragraph_style(doc, "二级标题", "楷体_GB2312", BODY, keep_next=True)
    _paragraph_style(doc, "落款", "仿宋_GB2312", BODY, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    doc.styles["落款"].paragraph_format.right_indent = Pt(BODY.pt * 4)
    _paragraph_style(doc, "表格文字", "仿宋_GB2312", TABLE_TEXT, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER,
                     exact=False)
    _paragraph_style(doc, "页码", "宋体", PAGE_NO, indent=False, exact=False)
    for name in ("表格文字", "页码"):  # off the 22-line grid: table rows and the footer take their own height
        snap = OxmlElement("w:snapToGrid")
        snap.set(qn("w:val"), "0")
        doc.styles[name].element.get_or_add_pPr().append(snap)


def _font_table(doc) -> None:
    """Declare each official font with an alternative name, so a machine without it still lays out."""
    for rel in doc.part.rels.values():
        if rel.reltype.endswith("/fontTable"):
            part = rel.target_part
            break
    else:
        return
    from lxml import etree

    root = etree.fromstring(part.blob)
    for name, (alt, latin_alt, family) in FONTS.items():
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        etree.SubElement(font, qn("w:altName")).set(qn("w:val"), f"{alt},{latin_alt}")
        etree.SubElement(font, qn("w:charset")).set(qn("w:val"), "86")  # GB2312
        etree.SubElement(font, qn("w:family")).set(qn("w:val"), family)
        etree.SubElement(font, qn("w:pitch")).set(qn("w:val"), "variable")
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_number(footer, align) -> None:
    """— 1 — in 宋体 四号, one character in from the outer edge."""
    paragraph = footer.paragraphs[0]
    paragraph.style = "页码"
    paragraph.alignment = align
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        paragraph.paragraph_format.right_indent = PAGE_NO
    else:
        paragraph.paragraph_format.left_indent = PAGE_NO
    paragraph.add_run("— ")
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText" if text.strip() == "PAGE" else "w:t")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    paragraph.add_run(" —")


def _page(doc) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(28 - 7)  # the number sits 7 mm below the type area
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)  # odd pages: right
    _page_number(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(round(LINE.pt * 20)))


def new_document(addressee: str):
    """A document in the official layout, opened with its title, a blank line and the 主送 line."""
    doc = Document()
    _styles(doc)
    _font_table(doc)
    _page(doc)
    doc.core_properties.author = SITE
    doc.core_properties.title = ""
    para(doc, "{{ title }}", "公文标题")
    para(doc)
    para(doc, addressee, "主送")
    return doc


def para(doc, text: str = "", style: str = "Normal"):
    paragraph = doc.add_paragraph(style=style)
    if text:
        paragraph.add_run(text)
    return paragraph


def tag(doc, text: str) -> None:
    """A docxtpl block tag in a paragraph of its own (the paragraph disappears when rendered)."""
    para(doc, text)


def table(doc, headings: list[str], loop: str, widths_mm: list[float]):
    """A table whose header row repeats on every page, and one templated row repeated by `loop`
    (`for r in …`: cell i shows r[i])."""
    cells = [f"{{{{ r[{i}] }}}}" for i in range(len(headings))]
    t = doc.add_table(rows=4, cols=len(headings))
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for row_number, texts in enumerate((headings, [f"{{%tr {loop} %}}"] + [""] * (len(headings) - 1), cells,
                                        ["{%tr endfor %}"] + [""] * (len(headings) - 1))):
        row = t.rows[row_number]
        for cell, text, width in zip(row.cells, texts, widths_mm):
            cell.width = Mm(width)
            paragraph = cell.paragraphs[0]
            paragraph.style = "表格文字"
            run = paragraph.add_run(text)
            if row_number == 0:
                run.bold = True
    # LibreOffice lays a table out by its grid: widths there, a fixed layout, narrow cell margins
    t.autofit = False
    for column, width in zip(t._tbl.tblGrid.gridCol_lst, widths_mm):
        column.w = Mm(width)
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(round(Mm(1).pt * 20)))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    t._tbl.tblPr.append(margins)
    header = t.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header.append(repeat)
    return t


def members(doc, key: str, why: str, none: str) -> None:
    """A list's members, numbered, each with its reasons; a sentence of its own when it is empty."""
    tag(doc, f"{{%p if {key} %}}")
    para(doc, f"以下{{{{ {key}|length }}}}个单位{why}：")
    tag(doc, "{%p endif %}")
    tag(doc, f"{{%p for m in {key} %}}")
    para(doc, "{{ loop.index }}．{{ m.name }}。{{ m.reasons }}")
    tag(doc, "{%p endfor %}")
    tag(doc, f"{{%p if not {key} %}}")
    para(doc, none)
    tag(doc, "{%p endif %}")


def signature(doc) -> None:
    """落款: the bureau and the date, kept on the page of the text above them (GB/T 9704 7.3.5:
    never a page holding only the signature; the text's last paragraph is `together` too)."""
    for paragraph in (para(doc), para(doc), para(doc, "{{ bureau }}", "落款")):
        together(paragraph)
    para(doc, "{{ date }}", "落款")


def together(paragraph):
    """The paragraph goes onto the page of the one after it."""
    paragraph.paragraph_format.keep_with_next = True
    return paragraph


def bulletin() -> Document:
    doc = new_document("{{ recipients }}")
    para(doc, "现将{{ month_text }}{{ scope_name }}国有资产盘活工作情况通报如下：")
    para(doc, "一、总体情况", "一级标题")
    para(doc, "{{ overview }}")
    para(doc, "{{ reporting }}")
    para(doc, "二、排名情况", "一级标题")
    tag(doc, "{%p for s in rankings %}")
    para(doc, "{{ s.heading }}", "二级标题")
    para(doc, "{{ s.text }}")
    tag(doc, "{%p endfor %}")
    para(doc, "全部部门排名见附件{{ '1' if reporting_behind else '' }}。")
    para(doc, "三、通报事项", "一级标题")
    members(doc, "notices", "综合得分位列末位，予以通报", "本月无通报对象。")
    para(doc, "四、约谈和问责", "一级标题")
    para(doc, "（一）约谈", "二级标题")
    members(doc, "interviews", "列入约谈名单，由财政部门约谈其主要负责同志", "本月无列入约谈名单的单位。")
    para(doc, "（二）问责", "二级标题")
    para(doc, "{{ accountability }}")
    para(doc, "（三）预算约束", "二级标题")
    para(doc, "{{ budget }}")
    para(doc, "五、下一步工作要求", "一级标题")
    tag(doc, "{%p for line in requirements %}")
    together(para(doc, "{{ line }}"))  # the last line of the text comes with the 落款
    tag(doc, "{%p endfor %}")
    together(para(doc))
    # the 附件 line (GB/T 9704 7.3.2): one annex unnumbered, two numbered; the second, the departments
    # behind with their ledgers, only when 报送情况 names just the first of them
    tag(doc, "{%p if reporting_behind %}")
    together(para(doc, "附件：1．{{ month_text }}部门综合得分排名"))
    together(para(doc, "\u3000\u3000\u30002．{{ month_text }}未按期报送部门名单"))
    tag(doc, "{%p else %}")
    together(para(doc, "附件：{{ month_text }}部门综合得分排名"))
    tag(doc, "{%p endif %}")
    signature(doc)
    annex_page(doc, "附件{{ '1' if reporting_behind else '' }}", "{{ month_text }}部门综合得分排名")
    table(doc, ["区划", "排名", "部门", *[FIGURES[key].label for key in ATTACHMENT]],
          "for r in attachment", [16, 10, 36, 14, 16, 16, 16, 16, 16])
    tag(doc, "{%p if reporting_behind %}")
    annex_page(doc, "附件2", "{{ month_text }}未按期报送部门名单")
    table(doc, ["区划", "部门", "应报单位", "未报送", "逾期报送"], "for r in reporting_behind", [26, 70, 20, 20, 20])
    tag(doc, "{%p endif %}")
    return doc


def annex_page(doc, label: str, title: str) -> None:
    """An annex's first lines on a page of its own: 附件N in 黑体, its title, a blank line."""
    page_break = para(doc, "", "主送")
    page_break.add_run().add_break(WD_BREAK.PAGE)
    annex = para(doc, label, "主送")
    annex.runs[0].font.name = "黑体"
    annex.runs[0].element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "黑体")
    para(doc, title, "公文标题")
    para(doc, "", "主送")


def interview() -> Document:
    doc = new_document("{{ addressee }}：")
    para(doc, "根据{{ month_text }}国有资产盘活工作督导情况，你单位列入本月约谈名单。主要问题如下：")
    tag(doc, "{%p for r in reasons %}")
    para(doc, "{{ loop.index }}．{{ r }}")
    tag(doc, "{%p endfor %}")
    para(doc, "一、约谈时间和地点", "一级标题")
    para(doc, "时间：{{ when }}")
    para(doc, "地点：{{ where }}")
    para(doc, "二、参加人员", "一级标题")
    tag(doc, "{%p if attendees %}")
    para(doc, "{{ attendees }}")
    tag(doc, "{%p else %}")
    para(doc, "你单位主要负责同志、分管负责同志及资产管理处（科）负责同志。")
    tag(doc, "{%p endif %}")
    para(doc, "三、有关要求", "一级标题")
    together(para(doc, "请你单位对照上述问题逐项查找原因，形成书面整改报告（包括问题原因、整改措施、责任人和完成时限），"
                       "约谈时一并提交。无特殊情况不得缺席或委托他人参加。"))
    signature(doc)
    return doc


def rectify() -> Document:
    doc = new_document("{{ addressee }}：")
    para(doc, "{{ standing }}")
    table(doc, ["指标", "本月", "目标", "单项得分", "权重", "失分"], "for r in indicators", [40, 36, 22, 22, 16, 20])
    para(doc)
    para(doc, "一、未整改预警", "一级标题")
    para(doc, "{{ warnings_intro }}")
    tag(doc, "{%p for g in groups %}")
    para(doc, "{{ g.heading }}", "二级标题")
    table(doc, ["资产编号", "资产名称", "单位", "等级", "持续时间", "首次出现", "可挽回分数"], "for r in g.rows",
          [25, 28, 30, 12, 17, 22, 22])
    tag(doc, "{%p if g.more %}")
    para(doc, "{{ g.more }}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")
    para(doc, "二、整改要求", "一级标题")
    together(para(doc, "请你单位于{{ deadline }}前完成上述问题整改，整改情况（含整改措施、完成情况和相关佐证材料）书面报送"
                       "{{ bureau }}，并在国有资产盘活督导平台同步更新相关资产信息。逾期未完成整改的，将按规定予以通报、约谈。"))
    signature(doc)
    return doc


def main() -> None:
    TEMPLATES.mkdir(exist_ok=True)
    for name, build in (("bulletin", bulletin), ("interview", interview), ("rectify", rectify)):
        build().save(TEMPLATES / f"{name}.docx")
        print(TEMPLATES / f"{name}.docx")


if __name__ == "__main__":
    main()
