"""What went wrong, said to a person: in Chinese for the portal, with the English beside it for
the command line and the logs. Every error a user may read is one of these."""
from __future__ import annotations


def _halves(text: str) -> tuple[str, str]:
    """A "中文 / English" text's two halves: split at its first "/ " outside 「」, where a message
    quotes a value ("存放地点「3号楼/ 201」：内容过长 / …"); "…（应为 UTF-8）/ cannot…" has no space
    before the slash."""
    at = text.find("/ ")
    while at != -1 and text.count("「", 0, at) != text.count("」", 0, at):
        at = text.find("/ ", at + 1)
    return (text, "") if at == -1 else (text[:at].rstrip(), text[at + 2:])


class UserError(ValueError):
    """`zh` and `en` separately; given one "中文 / English" text, it is split at its first slash
    outside a quoted value."""

    def __init__(self, zh: str, en: str | None = None):
        if en is None:
            zh, en = _halves(zh)
        self.zh, self.en = zh, en or zh
        super().__init__(f"{self.zh} / {self.en}" if self.en != self.zh else self.zh)
