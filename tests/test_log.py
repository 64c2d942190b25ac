"""Logging: configured once, records from every optrain module reach stderr with a level and a reason."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from optrain import storage
from optrain.errors import ExportError
from optrain.exports.files import published_file
from optrain.log import HANDLER_NAME, LEVEL_ENV_VAR, configure_logging


@pytest.fixture()
def optrain_logger():  # type: ignore[no-untyped-def]
    logger = logging.getLogger("optrain")
    saved = (logger.level, list(logger.handlers), logger.propagate)
    logger.handlers.clear()
    yield logger
    logger.setLevel(saved[0])
    logger.handlers[:] = saved[1]
    logger.propagate = saved[2]


def test_configuring_twice_keeps_one_handler(optrain_logger, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv(LEVEL_ENV_VAR, raising=False)
    configure_logging()
    configure_logging(default_level="WARNING")
    # pytest attaches its own capture handlers to loggers that do not propagate: count ours only.
    ours = [h for h in optrain_logger.handlers if h.get_name() == HANDLER_NAME]
    assert len(ours) == 1 and optrain_logger.level == logging.WARNING


def test_the_level_comes_from_the_environment(
    optrain_logger,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(LEVEL_ENV_VAR, "debug")
    assert configure_logging().level == logging.DEBUG
    monkeypatch.setenv(LEVEL_ENV_VAR, "loud")
    assert configure_logging().level == logging.INFO
    assert "OPTRAIN_LOG_LEVEL='LOUD' is not a log level" in capsys.readouterr().err


def test_migrations_and_exports_are_logged(optrain_logger, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO, logger="optrain")
    optrain_logger.propagate = True  # so caplog (on the root logger) sees the records
    storage.open_db(tmp_path / "t.db").close()
    with published_file(tmp_path / "out", "a.txt") as (_, handle):
        handle.write(b"abc")
    with pytest.raises(ExportError), published_file(tmp_path / "out", "b.txt"):
        raise ExportError("Nothing matches these filters")
    messages = [(r.levelname, r.getMessage()) for r in caplog.records]
    assert messages[0][0] == "INFO" and messages[0][1].startswith("Upgrading the training database: m001_")
    assert ("INFO", f"Export written: {tmp_path / 'out' / 'a.txt'} (3 bytes)") in messages
    assert ("INFO", "Export b.txt not written: Nothing matches these filters") in messages
