"""Logging to stderr, configured once for the CLI and the servers."""

import logging
import sys


def configure_logging(level: str = "WARNING") -> None:
    """Send corta's log records to stderr at `level`, leaving stdout to results."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S"))
    root = logging.getLogger("corta")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False
