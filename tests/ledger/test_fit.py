"""A request fits an asset by keys spelled twice, in Python (one request) and in DuckDB SQL (every
card at import): both spellings must agree on any text."""
from __future__ import annotations

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger import fit
from tests.helpers import examples

NAMES = st.text(alphabet=st.sampled_from(list("办公桌椅 　\t\nAaBbZz09ＡａＺｚ０９～！（）()'-_.ßİ\u00a0\u2003")), max_size=20) | st.text(max_size=20)


@given(names=st.lists(NAMES, min_size=1, max_size=20))
@settings(max_examples=examples(60), deadline=None)
def test_name_keys_agree_in_python_and_sql(names):
    with duckdb.connect() as duck:
        got = duck.execute(f"SELECT {fit.name_key_sql('n')} FROM (SELECT unnest(?::VARCHAR[]) AS n, "
                           "generate_subscripts(?::VARCHAR[], 1) AS i) ORDER BY i", [names, names]).fetchall()
    assert [g[0] for g in got] == [fit.name_key(n) for n in names]


def test_what_normalisation_folds():
    assert fit.name_key(" 办公　桌 ") == fit.name_key("办公桌") == "办公桌"
    assert fit.name_key("ＨＰ　LaserJet ２") == fit.name_key("hp laserjet 2") == "hplaserjet2"
    assert fit.code_key("a0201") == "A0201" and fit.code_range("A0201") == ("A0201", "A0201~")
