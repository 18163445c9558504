"""The one exception tree of Hotpass.

Every class also inherits the matching builtin, so callers that only know the builtin still
catch it. Third-party errors are translated at one boundary and chained with ``raise ... from``.
Messages carry ids, paths and counts, never names, emails or phone numbers (POPIA).
"""

from __future__ import annotations

import functools
from typing import Any


class HotpassError(Exception):
    """Base of every error Hotpass raises on purpose."""


class SettingsError(ValueError, HotpassError):
    """Settings could not be loaded; ``problems`` lists every one, each with where it came from."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("invalid settings:\n" + "\n".join(f"  - {p}" for p in self.problems))


class ProfileError(ValueError, HotpassError):
    """A source profile is invalid or unknown; ``problems`` lists every one with its location."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("invalid profile:\n" + "\n".join(f"  - {p}" for p in self.problems))


class InputError(ValueError, HotpassError):
    """An input file cannot be refined: missing, corrupt, encrypted, or lacking a required
    sheet or column. The message names the file and, where known, the sheet, column and row."""

    def __init__(
        self,
        message: str,
        *,
        file: str,
        sheet: str | None = None,
        column: str | None = None,
        row: int | None = None,
    ) -> None:
        self.message = message
        self.file, self.sheet, self.column, self.row = file, sheet, column, row
        where = [file]
        if sheet is not None:
            where.append(f"sheet {sheet!r}")
        if column is not None:
            where.append(f"column {column!r}")
        if row is not None:
            where.append(f"row {row}")
        super().__init__(f"{', '.join(where)}: {message}")

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt whole when it crosses a process boundary (ingest reads files in workers):
        # the default would call the class with the formatted text alone.
        rebuild = functools.partial(
            type(self),
            self.message,
            file=self.file,
            sheet=self.sheet,
            column=self.column,
            row=self.row,
        )
        return (rebuild, ())
