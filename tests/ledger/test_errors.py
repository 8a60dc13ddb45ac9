"""An error a person reads carries its Chinese and its English apart, however it was raised."""
from hypothesis import given
from hypothesis import strategies as st

from ledger.errors import UserError
from ledger.importer import SourceError
from ledger.workflow import WorkflowError

words = st.text(st.characters(blacklist_characters="/「」", blacklist_categories=("Cs",)), min_size=1).map(str.strip) \
    .filter(bool)


@given(zh=words, en=words)
def test_a_joined_message_splits_into_its_two_languages(zh, en):
    for kind in (UserError, SourceError, WorkflowError):
        error = kind(f"{zh} / {en}")
        assert (error.zh, error.en) == (zh, en)
        assert str(error) == (zh if zh == en else f"{zh} / {en}")


def test_a_message_given_apart_stays_apart_and_one_language_alone_is_both():
    assert (UserError("台账为空", "empty ledger").zh, UserError("台账为空", "empty ledger").en) == ("台账为空", "empty ledger")
    alone = UserError("无权执行此操作")
    assert alone.zh == alone.en == str(alone) == "无权执行此操作"


values = st.text(st.characters(blacklist_characters="「」", blacklist_categories=("Cs",)), max_size=12)


@given(zh=words, en=words, before=values, after=values)
def test_a_value_quoted_in_the_chinese_half_may_hold_a_slash(zh, en, before, after):
    """A problem quotes the cell's value in 「」 in both halves: a value holding "/ " (3号楼/ 201)
    does not cut the Chinese half short where an import's record is read back."""
    value = f"{before}/ {after}"
    chinese, english = f"存放地点「{value}」：{zh}", f"location 「{value}」: {en}"
    error = UserError(f"{chinese} / {english}")
    assert (error.zh, error.en) == (chinese, english)
