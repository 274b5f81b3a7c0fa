"""Domain errors of the reference data; the API maps them to problem+json, the CLI to exit codes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem found in an imported file: where (line, column) and why."""

    line: int | None
    message: str
    column: str | None = None

    def render(self) -> str:
        where = f"line {self.line}" if self.line is not None else "file"
        if self.column:
            where += f", column '{self.column}'"
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {"line": self.line, "column": self.column, "message": self.message}


class RefdataError(Exception):
    """Base class; ``status`` is the HTTP status the API answers with."""

    status = 400
    title = "Bad request"


class ImportRejectedError(RefdataError):
    """The file was refused; nothing was written. Lists every problem found."""

    status = 422
    title = "File rejected"

    def __init__(self, problems: list[Problem], *, encoding: str | None = None) -> None:
        self.problems = problems
        self.encoding = encoding
        count = len(problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} found; nothing was imported")


class NotFoundError(RefdataError):
    status = 404
    title = "Not found"


class ConflictError(RefdataError):
    status = 409
    title = "Conflict"


class InvalidParameterError(RefdataError):
    """A well-formed request whose parameters do not make sense together."""

    status = 422
    title = "Invalid parameter"

    def __init__(self, parameter: str, message: str) -> None:
        self.parameter = parameter
        super().__init__(message)


class PublicationDateError(InvalidParameterError):
    """A release date the reference data cannot accept (too far in the future)."""

    def __init__(self, message: str) -> None:
        super().__init__("published_on", message)


class GoneError(RefdataError):
    """A release that was withdrawn: its content is no longer served (the message says why)."""

    status = 410
    title = "Gone"
