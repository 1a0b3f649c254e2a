"""Reading a document into clean lines: encodings, width of punctuation, spaces, web-page junk.

The rest of the parser sees one canonical form: Chinese punctuation full-width (，：；（）！？),
digits, Latin letters and ``%`` half-width, no spaces next to Chinese characters, no empty lines,
no breadcrumb/"扫一扫"/"访问量" lines. Each ``Line`` keeps the 1-based number of the line in the
text the caller gave, so a task can point back to where it was read.
"""

from __future__ import annotations

import bisect
import codecs
import re
from dataclasses import dataclass, field
from pathlib import PurePath

from .schema import DocumentImportError

TEXT_SUFFIXES = {".txt", ".text", ".md", ""}


@dataclass
class Line:
    """A line of normalised text; ``breaks`` maps offsets of joined lines back to source lines."""

    text: str
    no: int
    breaks: list[tuple[int, int]] = field(default_factory=list)

    def line_at(self, offset: int) -> int:
        """The source line number of the character at ``offset``."""
        if not self.breaks:
            return self.no
        index = bisect.bisect_right([start for start, _ in self.breaks], offset) - 1
        return self.breaks[max(index, 0)][1]


# --- reading bytes ------------------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    """Decode a text file written in UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030/GBK."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text
    raise DocumentImportError("无法识别文件的文字编码，请另存为 UTF-8 或 GB18030（GBK）编码的文本文件后重新上传。")


def read_document(data: bytes, filename: str | None = None) -> str:
    """The text of an uploaded .txt or .docx file.

    Raises ``DocumentImportError`` with a Chinese message when the file is empty, of an
    unsupported kind (.doc, .pdf, .wps …) or unreadable.
    """
    if not data:
        raise DocumentImportError("文件是空的，请检查后重新上传。")
    suffix = PurePath(filename or "").suffix.lower()
    if data.startswith(b"%PDF"):
        raise DocumentImportError("暂不支持 PDF 文件，请另存为 .docx 或 .txt 后上传，或直接粘贴文字。")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise DocumentImportError("暂不支持旧版 Word（.doc）或 WPS 文件，请另存为 .docx 后重新上传。")
    if data.startswith(b"PK\x03\x04"):
        if suffix not in (".docx", ".docm", ".dotx", ""):
            raise DocumentImportError(f"文件“{filename}”不是文本文件，请上传 .docx 或 .txt 文件。")
        from .docx_reader import read_docx

        return read_docx(data)
    if suffix in (".docx", ".docm", ".dotx"):
        raise DocumentImportError(f"文件“{filename}”已损坏或不是有效的 .docx 文档，请在 Word 中另存后重新上传。")
    if suffix not in TEXT_SUFFIXES:
        raise DocumentImportError(f"不支持“{suffix}”格式，请上传 .docx 或 .txt 文件，或直接粘贴文字。")
    return decode_text(data)


# --- normalising characters ---------------------------------------------------------------------

_WIDTH: dict[int, int | str | None] = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)}  # ０-９
_WIDTH.update({code: code - 0xFEE0 for code in range(0xFF21, 0xFF3B)})  # Ａ-Ｚ
_WIDTH.update({code: code - 0xFEE0 for code in range(0xFF41, 0xFF5B)})  # ａ-ｚ
_WIDTH.update({ord(full): half for full, half in zip("％．＋－／＝＜＞＃＆＊＠", "%.+-/=<>#&*@", strict=True)})
_WIDTH.update({ord(half): full for half, full in zip("()!?;", "（）！？；", strict=True)})
_WIDTH.update({ord("〔"): "（", ord("〕"): "）", ord("﹙"): "（", ord("﹚"): "）", ord("︰"): "："})
_WIDTH.update({ord(space): " " for space in "\u00a0\u3000\u2002\u2003\u2009\u202f\u205f\t"})
_WIDTH.update({ord(zero): None for zero in "\u200b\u200c\u200d\u2060\ufeff"})

_CJK = r"\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef“”‘’—…·•\u2460-\u24ff\u3251-\u32bf"
# "市教育局 市科协": a space between two unit names separates them (tables, PDF copies)
_SPACE_BETWEEN_UNITS = re.compile(r"(?<=[局委办部会协联团院馆站厅室社]) +(?=[市县区省各团中])")
_SPACE_BY_CJK = re.compile(rf"(?<=[{_CJK}]) +| +(?=[{_CJK}])")
_SPACES = re.compile(r" {2,}")
_COMMA = re.compile(r"(?<!\d),|,(?!\d)")
_COLON = re.compile(r"(?<!\d):(?!//)|:(?!\d|//)")
# a half-width full stop ending a Chinese sentence ("任务.(区科协牵头)"), not "1." nor "一." nor "2.5"
_PERIOD = re.compile(r"(?<=[\u4e00-\u9fff”）])(?<![一二三四五六七八九十])\.(?=[\u4e00-\u9fff“（]|$)")


def _curl_quotes(text: str) -> str:
    if '"' not in text:
        return text
    parts = text.split('"')
    out = [parts[0]]
    for index, part in enumerate(parts[1:]):
        out.append("“" if index % 2 == 0 else "”")
        out.append(part)
    return "".join(out)


def normalize_line(text: str) -> str:
    """One line in canonical form (see the module docstring)."""
    text = text.translate(_WIDTH)
    text = _COMMA.sub("，", text)
    text = _COLON.sub("：", text)
    text = _PERIOD.sub("。", text)
    text = _curl_quotes(text)
    text = _SPACE_BETWEEN_UNITS.sub("、", text)
    text = _SPACE_BY_CJK.sub("", text)
    return _SPACES.sub(" ", text).strip()


# --- junk lines ---------------------------------------------------------------------------------

_JUNK_SHORT = re.compile(
    r"^首页 ?[/>＞›»]|(当前位置|您的位置|所在位置)："
    r"|扫一扫|【 ?字体|字号：?[大中小]|访问量|浏览次数|阅读次数|点击数|点击量"
    r"|打印本页|关闭窗口|打印文章|【打印】|【关闭】|分享到"
    r"|^相关(附件|信息|链接|文章|阅读)：?$|^上一篇|^下一篇|^附件下载|^下载附件"
    r"|^(责任编辑|编辑|来源|信息来源)：|^(发布时间|发布日期|发文日期|时间)：\s*\d{4}[-/.年]"
    r"|版权所有|网站地图|联系我们|ICP备|公网安备|技术支持："
    r"|^\d{4}-\d{1,2}-\d{1,2}( \d{1,2}：\d{2}(：\d{2})?)?$"
    r"|^[A-Za-z0-9]+/\d{4}-\d+$"
    r"|^（(代章|盖章|此件公开发布|此件主动公开|此件依申请公开|此件不予公开)）$"
    r"|^(抄送|抄报)："
    r"|^[-—－]+ ?\d{1,3} ?[-—－]+$|^第 ?\d+ ?页(，?共 ?\d+ ?页)?$|^\d{1,3} ?/ ?\d{1,3}$"
)
_JUNK_ANY = re.compile(r"由会员分享，?可在线阅读|请在.{0,40}上搜索|文档分享平台|原创力文档|豆丁网|道客巴巴")
_SHORT = 90


def is_junk_line(text: str) -> bool:
    """Web-page furniture and document trappings that carry no plan content."""
    if _JUNK_ANY.search(text):
        return True
    return len(text) <= _SHORT and bool(_JUNK_SHORT.search(text))


_SIGNATURE = re.compile(
    r"^(\d{4}年\d{1,2}月\d{1,2}日(印发)?|[^：、，。；]{2,30}(办公室|委员会|领导小组|人民政府|政府|局|科协|协会))$"
)


def _trim_signature(lines: list[Line]) -> list[Line]:
    """Drop the issuing body and date at the very end of a document."""
    end = len(lines)
    while end > 0 and _SIGNATURE.match(lines[end - 1].text) and "。" not in lines[end - 1].text:
        end -= 1
    return lines[:end] if len(lines) - end <= 3 else lines


def source_lines(text: str) -> list[str]:
    """The lines of ``text`` as the line numbers count them (any line break, form feed)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n").replace("\f", "\n")
    return text.split("\n")


def clean_lines(text: str | list[str]) -> list[Line]:
    """Split ``text`` into normalised, non-empty, junk-free lines with their source line numbers."""
    lines: list[Line] = []
    for number, raw in enumerate(source_lines(text) if isinstance(text, str) else text, start=1):
        line = normalize_line(raw)
        if line and not is_junk_line(line):
            lines.append(Line(line, number))
    return _trim_signature(lines)


# --- joining lines ------------------------------------------------------------------------------


def join_lines(lines: list[Line]) -> Line:
    """Several lines as one, remembering where each came from."""
    parts: list[str] = []
    breaks: list[tuple[int, int]] = []
    offset = 0
    for line in lines:
        for start, number in line.breaks or [(0, line.no)]:
            breaks.append((offset + start, number))
        parts.append(line.text)
        offset += len(line.text)
    return Line("".join(parts), lines[0].no, breaks)


_PAGE_MARK = re.compile(r"^(\d{1,3})[、.](?!\d)")
_INLINE_HEADING = re.compile(r"[一二三四五六七八九十]{1,3}、|（[一二三四五六七八九十]{1,3}）|第[一二三四五六七八九十]{1,3}[章节]")
_LINE_HEADING = re.compile(r"^([一二三四五六七八九十]{1,3}、|（[一二三四五六七八九十]{1,3}）|第[一二三四五六七八九十]{1,3}[章节])")


def strip_page_markers(lines: list[Line]) -> tuple[list[Line], bool]:
    """Remove the "1、" "2、" … page numbers a document-sharing site glues to the start of each page.

    They are recognised as one run 1, 2, 3 … k (k ≥ 3) over the whole document, on long lines that
    hold the real headings inline (一、 （一）) while no line starts with such a heading. The pages
    are then joined into one running text, since page breaks fall mid-sentence.
    """
    marked = [(index, int(m.group(1))) for index, line in enumerate(lines) if (m := _PAGE_MARK.match(line.text))]
    if len(marked) < 3 or [value for _, value in marked] != list(range(1, len(marked) + 1)):
        return lines, False
    first = marked[0][0]
    pages = lines[first:]
    if any(_LINE_HEADING.match(line.text) for line in lines):
        return lines, False
    if sum(len(line.text) for line in pages) / len(pages) < 150:
        return lines, False
    if sum(1 for line in pages if _INLINE_HEADING.search(line.text)) < 2:
        return lines, False
    stripped = []
    for line in pages:
        match = _PAGE_MARK.match(line.text)
        text = line.text[match.end() :] if match else line.text
        stripped.append(Line(text, line.no))
    return [*lines[:first], join_lines(stripped)], True


_ENDS_SENTENCE = re.compile(r"[。！？；：…”）」》]$")


def reflow_hard_wraps(lines: list[Line], starts_heading: re.Pattern[str]) -> tuple[list[Line], bool]:
    """Join lines that a PDF copy or a fixed-width text broke in the middle of sentences.

    Applied only when most long lines share one width and do not end a sentence; a line is then
    joined to the next when it is near that width, does not end a sentence, and the next line
    does not start with a heading number.
    """
    lengths = sorted(len(line.text) for line in lines if len(line.text) >= 15)
    if len(lengths) < 8:
        return lines, False
    width = lengths[int(len(lengths) * 0.9)]
    if width > 80:
        return lines, False
    full = [line for line in lines if len(line.text) >= width * 0.85]
    open_ended = [line for line in full if not _ENDS_SENTENCE.search(line.text)]
    if len(full) < len(lines) * 0.4 or len(open_ended) < len(full) * 0.6:
        return lines, False
    out: list[Line] = []
    pending: list[Line] = []
    for line in lines:
        if pending and starts_heading.match(line.text):
            out.append(join_lines(pending))
            pending = []
        pending.append(line)
        if len(line.text) < width * 0.85 or _ENDS_SENTENCE.search(line.text):
            out.append(join_lines(pending))
            pending = []
    if pending:
        out.append(join_lines(pending))
    return out, True
