"""Files kept once by their SHA-256 under `[files] dir` (delivery.md): the papers sent and the evidence
departments upload. A file's kind is read from its content, never from its name; only what the
portal accepts is kept, and it is never executed or shown inline."""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

import filetype
from sqlalchemy import Connection, insert, select

from ledger import clock
from ledger.config import Config
from ledger.errors import UserError
from ledger.models import StoredFile
from ledger.vocab import EVIDENCE_KINDS

NAME_CHARS = 200
KIND_WORDS = "PDF、JPG、PNG、Word（.docx）或 Excel（.xlsx）"


class FileRefused(UserError):
    pass


def folder(config: Config) -> Path:
    """`[files] dir`, or a files/ folder beside the SQLite database (beside the working directory
    for PostgreSQL)."""
    if config["files.dir"]:
        return Path(config["files.dir"])
    url = config.database_url
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        return Path(url.removeprefix("sqlite:///")).resolve().parent / "files"
    return Path("files").resolve()


def path_of(config: Config, sha256: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{64}", sha256 or ""):
        raise FileRefused("文件标识无效", "not a file's hash")
    return folder(config) / sha256[:2] / sha256


def kind_of(data: bytes) -> str | None:
    """pdf, jpg, png, docx or xlsx as the content says; None for anything else (an .exe renamed
    .pdf, an HTML page, text)."""
    guessed = filetype.guess(data[:8192]) if data else None
    if guessed is None:
        return None
    kind = "jpg" if guessed.extension in ("jpg", "jpeg") else guessed.extension
    return kind if kind in EVIDENCE_KINDS else None


def check_name(name) -> str:
    """A file's name as the uploader gave it: a name, not a path; no control characters."""
    if not isinstance(name, str) or not name.strip():
        raise FileRefused("文件没有名称", "the file has no name")
    name = name.strip()
    if "/" in name or "\\" in name or name.startswith(".") or ".." in name:
        raise FileRefused(f"文件名「{name[:60]}」不能包含路径或以点开头，请改名后重新上传",
                          "a file name must not hold a path or start with a dot")
    if any(ord(ch) < 32 or ch == "\x7f" for ch in name):
        raise FileRefused("文件名含有控制字符，请改名后重新上传", "the file name holds control characters")
    if len(name) > NAME_CHARS:
        raise FileRefused(f"文件名过长（{len(name)} 个字符，上限 {NAME_CHARS}）", f"file name over {NAME_CHARS} characters")
    return name


def check_upload(name, data: bytes, config: Config) -> tuple[str, str]:
    """(the name, the kind) of an upload the portal may keep; anything else is refused with a
    message that names the file and why."""
    name = check_name(name)
    limit = config["files.max_mb"] * 1024 * 1024
    if not data:
        raise FileRefused(f"「{name}」是空文件", f"{name} is empty")
    if len(data) > limit:
        raise FileRefused(f"「{name}」过大（{len(data) / 1024 / 1024:,.1f} MB，上限 {config['files.max_mb']} MB）",
                          f"{name} is larger than {config['files.max_mb']} MB")
    kind = kind_of(data)
    if kind is None:
        raise FileRefused(f"「{name}」不是可接受的文件：只接受 {KIND_WORDS}（按文件内容判断，不看扩展名）",
                          f"{name}: only PDF, JPG, PNG, DOCX or XLSX files are accepted (judged by content)")
    return name, kind


def keep(conn: Connection, config: Config, data: bytes, kind: str) -> str:
    """Store `data` once under its SHA-256 (written whole, then renamed into place); its hash."""
    sha256 = hashlib.sha256(data).hexdigest()
    target = path_of(config, sha256)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".part-", dir=target.parent)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, target)
    if conn.execute(select(StoredFile.sha256).where(StoredFile.sha256 == sha256)).first() is None:
        conn.execute(insert(StoredFile).values(sha256=sha256, kind=kind, size=len(data), stored_at=clock.now()))
    return sha256


def read(config: Config, sha256: str) -> bytes:
    path = path_of(config, sha256)
    if not path.is_file():
        raise FileRefused("文件已不在文件存储中，请联系系统管理员", "the file is missing from the file store")
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise FileRefused("文件内容与其登记的摘要不符，已拒绝提供，请联系系统管理员", "the stored file was changed")
    return data


def served_name(name: str, kind: str) -> str:
    """The name a download is given: the uploader's, with the extension of what it really is."""
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem}.{kind}"
