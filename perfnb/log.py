"""perfnb's log: the run's progress lines and warnings go to the ``perfnb`` logger, so that a
library user can silence or redirect them as any logging; the ``perfnb`` command shows them on
stderr (``-q`` warnings only, ``-v`` everything)."""

from __future__ import annotations

import logging
import sys

__all__ = ["WARNING_PREFIX", "LineFormatter", "log_line", "logger", "show_on_stderr"]

logger = logging.getLogger("perfnb")
WARNING_PREFIX = "warning: "  # how the run words a warning, as the command shows it


def log_line(line: str) -> None:
    """Logs one of the run's lines: a warning (``warning: ...``) at WARNING, else INFO."""
    if line.startswith(WARNING_PREFIX):
        logger.warning(line.removeprefix(WARNING_PREFIX))
    else:
        logger.info(line)


class LineFormatter(logging.Formatter):
    """A record as the command prints it: the message, ``warning: `` or ``error: `` before a
    warning or error's."""

    def format(self, record: logging.LogRecord) -> str:
        """The record's line."""
        message = record.getMessage()
        if record.levelno >= logging.ERROR:
            return f"error: {message}"
        if record.levelno >= logging.WARNING:
            return f"{WARNING_PREFIX}{message}"
        return message


def show_on_stderr(verbosity: int) -> logging.Handler:
    """Shows ``perfnb``'s log on stderr for the command: -1 (``-q``) warnings and errors, 0
    progress too, 1 (``-v``) and more everything (debug); returns the handler it added."""
    level = {-1: logging.WARNING, 0: logging.INFO}.get(max(-1, min(verbosity, 1)), logging.DEBUG)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(LineFormatter())
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False  # shown once, not again by a root handler
    return handler
