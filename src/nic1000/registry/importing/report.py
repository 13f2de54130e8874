"""The import report: counts, and every problem by row, column and value, in English and Korean."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils import translation

from nic1000.registry.messages import in_language

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from nic1000.core.excel import FileRefused

MAX_PROBLEMS = 1000  # a report lists at most this many; `more_problems` counts the rest


@dataclass
class RowProblem:
    row: int  # spreadsheet row (header = 1), or record number from 1; 0 = the file as a whole
    column: str
    value: str
    message_en: str
    message_ko: str

    @property
    def message(self) -> str:
        """The message in the active language (Korean unless English is active)."""
        lang = translation.get_language() or "ko"
        return self.message_en if lang.startswith("en") or not self.message_ko else self.message_ko

    @property
    def both(self) -> str:
        """English and Korean (one of them while the Korean catalogue lacks the message)."""
        if self.message_ko == self.message_en:
            return self.message_en
        return f"{self.message_en} / {self.message_ko}"

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row else "file"
        col = f", {self.column}" if self.column else ""
        val = f" {self.value!r}" if self.value else ""
        return f"{where}{col}:{val} {self.both}"


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    dry_run: bool = False
    filename: str = ""
    sha256: str = ""
    more_problems: int = 0  # problems beyond MAX_PROBLEMS, not listed

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def problem_count(self) -> int:
        return len(self.problems) + self.more_problems

    @property
    def written(self) -> int:
        """Rows the import created, changed or found unchanged (all of them when it succeeded)."""
        return self.created + self.updated + self.unchanged

    def add(self, row: int, column: str, value: Any, message: StrOrPromise) -> None:
        if len(self.problems) >= MAX_PROBLEMS:
            self.more_problems += 1
            return
        en, ko = in_language(message, "en"), in_language(message, "ko")
        self.problems.append(RowProblem(row, column, _show(value), en, ko))

    def add_refused(self, refused: FileRefused, value: str) -> None:
        """A file that cannot be read as a table (core.excel says why, in both languages)."""
        self.problems.append(RowProblem(0, "", _show(value), refused.message_en, refused.message_ko))


def _show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."
