"""Errors that carry a message fit to show a Chinese user as is."""

from __future__ import annotations

from dataclasses import dataclass


class KepuError(Exception):
    """A refusal the user can act on; `message` is Simplified Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationFailed(KepuError):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class WorkflowError(KepuError):
    """A transition the record's current state does not allow."""


@dataclass(frozen=True, order=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"第 {self.row} 行" if self.row else "表头"
        return f"{where}「{self.column}」：{self.message}" if self.column else f"{where}：{self.message}"


class ImportRejected(KepuError):
    """An import with at least one bad row: nothing was written; every error names row and column."""

    def __init__(self, errors: list[RowError], limit: int = 200) -> None:
        self.errors = sorted(errors)
        shown = "；".join(str(e) for e in self.errors[:5])
        more = f" 等共 {len(self.errors)} 处错误" if len(self.errors) > 5 else ""
        super().__init__(f"导入未执行，数据未作任何改动。{shown}{more}")
        self.limit = limit


def short_text(text: str, *, label: str, field: str, max_length: int) -> str:
    """`text` stripped, or a refusal naming the field when it is longer than its column: a note is kept
    whole or not at all, never cut silently."""
    text = text.strip()
    if len(text) > max_length:
        raise ValidationFailed(f"{label}不能超过 {max_length} 个字（现有 {len(text)} 个）", field)
    return text
