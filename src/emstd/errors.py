"""Domain errors. Raised inside the library; the CLI and HTTP edges turn them into exit codes and status codes."""


class EmstdError(Exception):
    """A problem the user can fix. The message names what is wrong and how to fix it."""


class InputFileError(EmstdError):
    """A user file (table, value list, dataset) cannot be used as given."""


class OutputError(EmstdError):
    """An output path cannot be written as asked (it is someone else's directory, a file, read-only...)."""


class ConfigError(EmstdError):
    """A config has one or more problems; `problems` lists every one of them."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        if len(problems) == 1:  # one problem, one line
            super().__init__(f"{source}: {problems[0]}")
            return
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{source}: {len(problems)} problem(s):\n{lines}")


class CatalogError(EmstdError):
    """The shipped catalog is inconsistent (a developer error, caught by tests)."""
