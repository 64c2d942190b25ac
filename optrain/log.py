"""Logging, configured once per process: the app's and the CLI's records go to stderr.

Modules log through `logging.getLogger(__name__)`; this module only decides
where the "optrain" records go and from which level. `OPTRAIN_LOG_LEVEL`
(DEBUG, INFO, WARNING, ERROR) overrides the default: INFO for the app, where
stderr is the server's log, and WARNING for the CLI, whose stderr a person reads.
"""

from __future__ import annotations

import logging
import os

LOGGER_NAME = "optrain"
LEVEL_ENV_VAR = "OPTRAIN_LOG_LEVEL"
HANDLER_NAME = "optrain-stderr"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(default_level: str = "INFO") -> logging.Logger:
    """Attach one stderr handler to the "optrain" logger; calling it again changes nothing but the level."""
    logger = logging.getLogger(LOGGER_NAME)
    wanted = (os.environ.get(LEVEL_ENV_VAR) or default_level).strip().upper()
    level = logging.getLevelName(wanted)
    if not isinstance(level, int):
        level = logging.getLevelName(default_level)
    if logger.level != level:  # setting a level clears every logger's cache, on each page run otherwise
        logger.setLevel(level)
    if not any(h.get_name() == HANDLER_NAME for h in logger.handlers):  # a rerun adds no second handler
        handler = logging.StreamHandler()
        handler.set_name(HANDLER_NAME)
        handler.setFormatter(logging.Formatter(FORMAT))
        logger.addHandler(handler)
        logger.propagate = False  # Streamlit configures the root logger too: one line per record, not two
    if not isinstance(logging.getLevelName(wanted), int):
        logger.warning(
            "%s=%r is not a log level (DEBUG, INFO, WARNING, ERROR); using %s", LEVEL_ENV_VAR, wanted, default_level
        )
    return logger
