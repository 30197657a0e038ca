"""One exception hierarchy: the CLI turns any `SitegenError` into a compiler-style message."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sitegen.model import Problem


class SitegenError(Exception):
    """Base of every error sitegen reports to the user without a traceback."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None,
                 hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.hint = hint

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}error: {self.message}{hint}"


class ConfigError(SitegenError):
    """Raised when `sitegen.toml` is unreadable, malformed or has unknown or invalid keys."""


class RuleError(ConfigError):
    """Raised when a `[tags]` or `[select]` rule is invalid; `pattern` is the rule as
    written, so the config loader can point at its line."""

    def __init__(self, message: str, pattern: str | None = None, hint: str | None = None
                 ) -> None:
        super().__init__(message, hint=hint)
        self.pattern = pattern


class ContentError(SitegenError):
    """Raised when a paper file or an imported page cannot be read as valid content."""


class SourceError(SitegenError):
    """Raised when a remote source (Hugging Face, arXiv) fails or answers with garbage."""


class OutputError(SitegenError):
    """Raised when the site cannot be rendered or written (bad path, template, disk)."""


class ProblemsFound(SitegenError):
    """Raised when content problems (collected, each with its file and line) stop a command."""

    def __init__(self, problems: tuple[Problem, ...], what: str) -> None:
        errors = sum(p.severity == "error" for p in problems)
        warnings = len(problems) - errors
        super().__init__(f"{what}: {errors} error(s), {warnings} warning(s)")
        self.problems = problems
