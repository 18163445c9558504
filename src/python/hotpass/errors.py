"""The one exception tree of Hotpass.

Every class also inherits the matching builtin, so callers that only know the builtin still
catch it. Third-party errors are translated at one boundary and chained with ``raise ... from``.
Messages carry ids, paths and counts, never names, emails or phone numbers (POPIA).
"""


class HotpassError(Exception):
    """Base of every error Hotpass raises on purpose."""


class SettingsError(ValueError, HotpassError):
    """Settings could not be loaded; ``problems`` lists every one, each with where it came from."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("invalid settings:\n" + "\n".join(f"  - {p}" for p in self.problems))
