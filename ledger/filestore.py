"""Files kept once by their SHA-256 under `[files] dir` (delivery.md): the papers sent and the evidence
departments upload. A file's kind is read from its content, never from its name; only what the
portal accepts is kept, and it is never executed or shown inline."""
from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import zipfile
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
        known = _known_otherwise(data)
        space = " " if known and known[0][0].isascii() else ""  # 是 OFD 版式文件, as Chinese type spaces Latin
        said, said_en = (f"是{space}{known[0]}，{known[1]}；", f" is {known[2]}") if known else ("不是可接受的文件：", "")
        # a kind named needs no word on how it was judged
        raise FileRefused(f"「{name}」{said}只接受 {KIND_WORDS}{'' if known else '（按文件内容判断，不看扩展名）'}",
                          f"{name}{said_en}: only PDF, JPG, PNG, DOCX or XLSX files are accepted (judged by content)")
    return name, kind


# what an office sends that the portal does not keep, by content: what it is, and the way to a kind
# it keeps (an iPhone's photos are HEIC, e-documents and e-invoices OFD, old Office files OLE)
_PICTURE = ("请转为 JPG 或 PNG 后上传", "a picture")
_SLIDES = ("演示文稿", "请另存为 PDF 后上传", "a presentation")
_ARCHIVE = ("压缩包", "请解压后逐个上传其中的文件", "an archive")
_VIDEO = ("视频", "请截图为 JPG 或 PNG 后上传", "a video")
OTHER_KINDS = {
    "heic": ("苹果手机照片（HEIC）", "请转为 JPG 后上传（iPhone 在 设置 → 相机 → 格式 中选「兼容性最佳」，拍的即是 JPG）",
             "an iPhone photo"),
    "avif": ("AVIF 图片", *_PICTURE), "webp": ("WEBP 图片", *_PICTURE), "gif": ("GIF 图片", *_PICTURE),
    "bmp": ("BMP 图片", *_PICTURE), "tif": ("TIFF 图片", *_PICTURE),
    "doc": ("旧版 Word 文档（.doc）", "请在 Word 或 WPS 中另存为 .docx 或 PDF 后上传", "an old Word document"),
    "xls": ("旧版 Excel 工作簿（.xls）", "请另存为 .xlsx 后上传", "an old Excel workbook"),
    "ppt": _SLIDES, "pptx": _SLIDES,
    "odt": ("ODF 文档", "请另存为 .docx 或 PDF 后上传", "an ODF document"),
    "ods": ("ODF 表格", "请另存为 .xlsx 后上传", "an ODF spreadsheet"),
    "ofd": ("OFD 版式文件（电子公文、电子发票）", "请在 OFD 阅读器中导出或打印为 PDF 后上传", "an OFD document"),
    "zip": _ARCHIVE, "rar": _ARCHIVE, "7z": _ARCHIVE,
    "mp4": _VIDEO, "mov": _VIDEO,
    "ole": ("旧版 Office 或 WPS 文件", "请另存为 .docx、.xlsx 或 PDF 后上传", "an old Office or WPS file"),
}
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _known_otherwise(data: bytes) -> tuple[str, str, str] | None:
    """(what it is, what to do, in English) for a file of a kind OTHER_KINDS knows; None else."""
    guessed = filetype.guess(data[:8192])
    kind = guessed.extension if guessed else ("ole" if data.startswith(OLE) else None)
    if kind == "zip":  # an OFD is a zip holding OFD.xml (GB/T 33190)
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                kind = "ofd" if "OFD.xml" in archive.namelist() else kind
        except (zipfile.BadZipFile, OSError):
            pass
    return OTHER_KINDS.get(kind)


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
