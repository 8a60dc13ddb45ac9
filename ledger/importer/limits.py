"""Bounds on what an import reads (config [import]), checked while streaming: a workbook or zip
is refused by the first file that would pass a bound, before anything larger is unpacked."""
from __future__ import annotations

import contextlib
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ledger.config import Config
from ledger.importer.read import SourceError

MB = 1024 * 1024
CHUNK = 1 << 20


@dataclass(frozen=True)
class Limits:
    upload_bytes: int
    unpacked_bytes: int
    members: int
    ratio: int
    rows: int

    @classmethod
    def of(cls, config: Config) -> "Limits":
        return cls(config["import.max_upload_mb"] * MB, config["import.max_unpacked_mb"] * MB,
                   config["import.max_members"], config["import.max_ratio"], config["import.max_rows"])


def check_upload(name: str, size: int, limits: Limits) -> None:
    if size > limits.upload_bytes:
        raise SourceError(f"{name}: 文件过大（{size / MB:,.1f} MB，上限 {limits.upload_bytes // MB} MB）",
                          f"file too large ({size / MB:,.1f} MB, at most {limits.upload_bytes // MB} MB)")


def member_name(member: zipfile.ZipInfo) -> str:
    """A member's file name as its maker wrote it. Without the flag that says UTF-8 zipfile reads a
    name as the old DOS code page: a zip made on a Chinese Windows (its Explorer, WinRAR, 7-Zip by
    default) holds GBK, one made by Info-ZIP's zip on Linux holds UTF-8 unflagged; 单位.csv would
    arrive as ╡Ñ╬╗.csv or σìòΣ╜ì.csv, a sheet nobody knows. UTF-8 is taken when the bytes are UTF-8
    of Chinese text (GBK's bytes seldom are: of random two-character names about one in three hundred)."""
    if member.flag_bits & 0x800 or member.filename.isascii():
        return member.filename
    raw = member.filename.encode("cp437")
    with contextlib.suppress(UnicodeError):
        name = raw.decode("utf-8")
        if all(ch.isascii() or _chinese(ch) for ch in name):
            return name
    try:
        return raw.decode("gb18030")
    except UnicodeError:
        return member.filename


def made_by_the_system(member: zipfile.ZipInfo) -> bool:
    """A file the zipping machine added, not the sender: a Mac's resource forks (__MACOSX/._单位.csv)."""
    path = Path(member_name(member))
    return "__MACOSX" in path.parts or path.name.startswith("._")


def _chinese(ch: str) -> bool:
    """Chinese text and its punctuation: CJK symbols, ideographs (and extension A), full-width forms."""
    return "\u3000" <= ch <= "\u303f" or "\u3400" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef"


def unpack(source: str | Path | BinaryIO, name: str, limits: Limits, keep=lambda member: False,
           into: Path | None = None) -> None:
    """Read every file of a zip (a workbook is one) through, counting what it unpacks to; write
    the members `keep` picks into `into`, flattened. Raises SourceError at the first bound passed."""
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SourceError(f"{name}: 不是有效的 zip 文件或工作簿", f"not a valid zip file or workbook: {exc}") from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) > limits.members:
            raise SourceError(f"{name}: 包含 {len(members):,} 个文件，上限 {limits.members} 个",
                              f"holds {len(members):,} files, at most {limits.members}")
        total = 0
        for member in members:
            if member.flag_bits & 0x1:  # encrypted (a password set in 7-Zip, WinRAR…): unreadable without it
                raise SourceError(f"{name}: 压缩包设有密码（其中 {member_name(member)} 已加密），请不设密码重新打包后再上传",
                                  f"the zip is password-protected ({member_name(member)} is encrypted): "
                                  "zip the files again without a password")
            # the ratio is judged on what is actually unpacked, never on the sizes the zip declares
            bound = max(limits.ratio * max(member.compress_size, 1), CHUNK)
            target = into / Path(member_name(member)).name if into is not None and keep(member) else None
            written = 0
            try:
                with archive.open(member) as fh, (target.open("wb") if target else _Discard()) as out:
                    while chunk := fh.read(CHUNK):
                        written += len(chunk)
                        total += len(chunk)
                        if written > bound:
                            raise SourceError(f"{name}: 其中 {member_name(member)} 的压缩比异常（超过 {limits.ratio} 倍）",
                                              f"{member_name(member)} is compressed more than {limits.ratio} times")
                        if total > limits.unpacked_bytes:
                            raise SourceError(f"{name}: 解压后超过 {limits.unpacked_bytes // MB:,} MB",
                                              f"unpacks to more than {limits.unpacked_bytes // MB:,} MB")
                        out.write(chunk)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError) as exc:
                raise SourceError(f"{name}: 其中 {member_name(member)} 无法解压", f"cannot unpack {member_name(member)}: {exc}") \
                    from None


class _Discard:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def write(self, _chunk: bytes) -> None:
        pass


def bounded_rows(sheet: str, rows, limits: Limits):
    """The rows of a sheet, refused past the row bound."""
    for number, cells in rows:
        check_row_number(sheet, number, limits)
        yield number, cells


def check_row_number(sheet: str, number: int, limits: Limits) -> None:
    if number > limits.rows + 1:  # row 1 is the header
        raise SourceError(f"工作表「{sheet}」第 {number:,} 行：超过每张表 {limits.rows:,} 行的上限",
                          f"sheet {sheet!r} row {number:,}: more than {limits.rows:,} rows")
