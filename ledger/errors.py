"""What went wrong, said to a person: in Chinese for the portal, with the English beside it for
the command line and the logs. Every error a user may read is one of these."""
from __future__ import annotations


class UserError(ValueError):
    """`zh` and `en` separately; given one "中文 / English" text, it is split at its first slash."""

    def __init__(self, zh: str, en: str | None = None):
        if en is None:
            zh, _, en = zh.partition("/ ")  # "…（应为 UTF-8）/ cannot…" has no space before the slash
            zh = zh.rstrip()
        self.zh, self.en = zh, en or zh
        super().__init__(f"{self.zh} / {self.en}" if self.en != self.zh else self.zh)
