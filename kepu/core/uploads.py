"""Refusing hostile files before doing the work: zip bombs, oversized XML, absurd sheets, image bombs.

Office files (.xlsx, .docx) are zip packages: the members' declared sizes bound what reading them can
inflate to (Python's zipfile stops at the declared size), so the package is checked from its
directory before any parser opens it. A sheet's own <dimension> is not trusted: rows and columns are
counted while streaming (kepu.core.excel). Images go through Pillow's decompression-bomb guard with a
lower pixel limit. Every refusal is a Chinese message naming the limit.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from typing import IO, Any

from django.conf import settings

from kepu.core.errors import ValidationFailed


class FileRefused(ValidationFailed):
    """A file over a limit or not what it claims to be; nothing was read past the check."""

    def __init__(self, message: str, field: str | None = "file", *, unreadable: bool = False) -> None:
        super().__init__(message, field)
        self.unreadable = unreadable  # not a package at all (as opposed to one over a limit)


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB"


def _as_bytes_io(source: bytes | IO[bytes]) -> IO[bytes]:
    return io.BytesIO(source) if isinstance(source, bytes) else source


def check_package(source: bytes | IO[bytes], *, label: str, field: str = "file",
                  max_unpacked: int | None = None) -> zipfile.ZipFile:
    """Open an Office package after checking its members: count, declared total and ratio."""
    max_unpacked = max_unpacked or settings.KEPU_UPLOAD_MAX_UNPACKED_BYTES
    handle = _as_bytes_io(source)
    try:
        package = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError):
        raise FileRefused(f"无法打开这个{label}：文件可能已损坏或格式不对，请另存后重新上传", field,
                          unreadable=True) from None
    members = package.infolist()
    if len(members) > settings.KEPU_UPLOAD_MAX_MEMBERS:
        raise FileRefused(f"{label}内部文件过多（超过 {settings.KEPU_UPLOAD_MAX_MEMBERS} 个），已拒绝读取", field)
    unpacked = sum(m.file_size for m in members)
    if unpacked > max_unpacked:
        raise FileRefused(f"{label}解压后超过 {_mb(max_unpacked)}，已拒绝读取；"
                          "请拆分后分批上传", field)
    packed = max(sum(m.compress_size for m in members), 1)
    if unpacked > 1024 * 1024 and unpacked / packed > settings.KEPU_UPLOAD_MAX_RATIO:
        raise FileRefused(f"{label}的压缩比异常（{unpacked // packed} 倍），疑似压缩炸弹，已拒绝读取", field)
    return package


_PARAGRAPH = re.compile(rb"<w:p[ >/]")


def check_docx(data: bytes, *, field: str = "file") -> None:
    """A Word document within the package limits and with a sane number of paragraphs."""
    package = check_package(data, label="Word 文档", field=field)
    try:
        body = package.read("word/document.xml")
    except KeyError:
        raise FileRefused("这不是 Word（.docx）文档：缺少正文部分", field) from None
    paragraphs = len(_PARAGRAPH.findall(body))
    if paragraphs > settings.KEPU_DOCX_MAX_PARAGRAPHS:
        raise FileRefused(f"Word 文档段落过多（{paragraphs} 段，上限 {settings.KEPU_DOCX_MAX_PARAGRAPHS} 段），"
                          "已拒绝读取；请确认文件内容或拆分后导入", field)


def check_image(upload: Any, *, name: str, field: str) -> Any:
    """Open an image with Pillow's bomb guard at KEPU_IMAGE_MAX_PIXELS; returns the opened image."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = settings.KEPU_IMAGE_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload)  # reads the header only, not the pixels
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise FileRefused(f"“{name}”的像素过多（超过 {settings.KEPU_IMAGE_MAX_PIXELS // 1_000_000} 百万像素），"
                          "已拒绝；请缩小后上传", field) from None
    width, height = image.size
    if width * height > settings.KEPU_IMAGE_MAX_PIXELS:
        image.close()
        raise FileRefused(f"“{name}”的像素过多（超过 {settings.KEPU_IMAGE_MAX_PIXELS // 1_000_000} 百万像素），"
                          "已拒绝；请缩小后上传", field)
    return image
