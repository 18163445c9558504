"""The exit codes every ``hotpass`` command uses (documented in docs/reference/cli.md)."""

OK = 0
FAILED = 1  # a run or check failed (or an unexpected error)
BAD_INPUT = 2  # bad input, settings or usage; nothing was changed
BLOCKED = 3  # a gate said no: the quality gate blocked a publish, or a model promotion
