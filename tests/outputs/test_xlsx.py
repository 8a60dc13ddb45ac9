"""Text going into a workbook: escaped against formulas, cleaned of what no spreadsheet holds, cut
where a cell ends, column by column exactly as cell by cell."""
from __future__ import annotations

import io

import openpyxl
import pandas as pd
from hypothesis import example, given
from hypothesis import strategies as st

from outputs.xlsx import CELL_CHARS, CUT, _escaped, safe_text, write_frame

# what a cell may hold in the field, starting often with what matters here
CHARACTERS = st.sampled_from(["=", "+", "-", "@", "\t", "\r", "\n", "\x00", "\x07", "\x1f", "a", "资", " ", "1"]) \
    | st.characters(exclude_categories=("Cs",))  # no lone surrogates: not text
TEXT = st.builds(str.__add__, st.sampled_from(["", "=", "+", "-", "@", "\t", "\r", "\x0b", "'", "a"]),
                 st.text(CHARACTERS, max_size=12))
CELLS = st.lists(st.one_of(TEXT, st.none()), min_size=1, max_size=30)


# each edge of what is changed and what is kept, whatever the search finds
@example(["", "a\x00", "a\x1f", "\x1f", "\x08", "\x09", "\x0a", "\x0b", "\x0c", "\x0d", "\x0e", "\x7f", "\tc", "\rd", "'=",
          " =", "-", "+1", "@", "a=b"], [1, "=x", None, 2.5, "\x1fy"])
@given(CELLS, st.lists(st.one_of(TEXT, st.integers(), st.floats(allow_nan=False), st.none()), min_size=1, max_size=30))
def test_columns_are_escaped_as_each_cell_would_be(texts, mixed):
    frame = pd.DataFrame({"text": pd.Series(texts, dtype="str"), "mixed": pd.Series(mixed, dtype=object)})
    frame.loc[0, "text"] = "=" + "长" * CELL_CHARS  # a formula longer than a cell
    escaped = _escaped(frame)
    for column in frame.columns:
        for got, value in zip(escaped[column], frame[column]):
            assert got == safe_text(value) or (pd.isna(value) and pd.isna(got))


def test_a_workbook_holds_no_formula_and_says_where_text_was_cut():
    frame = pd.DataFrame({"说明": ["=HYPERLINK(\"http://evil\",\"点我\")", "@SUM(A1)", "整改\x00中", "长" * (CELL_CHARS + 5),
                                 "-3", None],
                          "金额": [1.5, -2.0, 3.0, 4.0, 5.0, 6.0]})
    buffer = io.BytesIO()
    write_frame(frame, buffer, sheet="清单")
    rows = list(openpyxl.load_workbook(buffer).active.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows[:3]] == ["'=HYPERLINK(\"http://evil\",\"点我\")", "'@SUM(A1)", "整改中"]
    assert len(rows[3][0]) == CELL_CHARS and rows[3][0].endswith(CUT)
    assert rows[4][0] == "'-3" and rows[5][0] is None
    assert [r[1] for r in rows] == [1.5, -2.0, 3.0, 4.0, 5.0, 6.0]  # numbers stay numbers
