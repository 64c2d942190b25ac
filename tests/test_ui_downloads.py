"""A download click receives the file its own build wrote, or nothing: never an earlier build's file."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from optrain.errors import ExportError
from optrain.ui.downloads import Handover


def written(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


class Click(threading.Thread):
    """The server's thread serving one click: it waits for the build started after `seen`."""

    def __init__(self, handover: Handover, seen: int):
        super().__init__(daemon=True)
        self.handover, self.seen = handover, seen
        self.waiting = threading.Event()
        self.result: bytes | Exception | None = None

    def run(self) -> None:
        self.waiting.set()
        try:
            self.result = self.handover.file_after(self.seen, timeout=30)
        except ExportError as exc:
            self.result = exc

    def outcome(self) -> bytes | Exception | None:
        self.join(timeout=30)
        assert not self.is_alive(), "the click is still waiting"
        return self.result


def test_a_click_that_arrives_before_its_build_gets_that_build(tmp_path: Path) -> None:
    handover = Handover()
    handover.run(lambda: written(tmp_path, "old.csv", "old"))
    click = Click(handover, seen=handover.started)
    click.start()
    click.waiting.wait(timeout=30)
    handover.run(lambda: written(tmp_path, "new.csv", "new"))
    assert click.outcome() == b"new"


def test_a_click_that_arrives_after_its_build_gets_that_build(tmp_path: Path) -> None:
    handover = Handover()
    seen = handover.started
    handover.run(lambda: written(tmp_path, "first.csv", "first"))
    assert handover.file_after(seen, timeout=0) == b"first"


@pytest.mark.parametrize("failure", ["returns None", "raises"])
def test_a_failed_build_hands_over_nothing_not_the_earlier_file(tmp_path: Path, failure: str) -> None:
    handover = Handover()
    handover.run(lambda: written(tmp_path, "earlier.zip", "earlier"))
    seen = handover.started
    click = Click(handover, seen)
    click.start()

    def failing() -> Path | None:
        if failure == "raises":
            raise RuntimeError("disk full")
        return None

    if failure == "raises":
        with pytest.raises(RuntimeError):
            handover.run(failing)
    else:
        assert handover.run(failing) is None
    result = click.outcome()
    assert isinstance(result, ExportError) and str(result) == "The build failed; the page says why."


def test_a_run_without_the_button_releases_a_waiting_click(tmp_path: Path) -> None:
    handover = Handover()
    handover.run(lambda: written(tmp_path, "earlier.csv", "earlier"))
    click = Click(handover, seen=handover.started)
    click.start()
    handover.release()
    assert isinstance(click.outcome(), ExportError)


def test_a_click_whose_build_never_comes_gives_up() -> None:
    with pytest.raises(ExportError, match="not built in time"):
        Handover().file_after(0, timeout=0)
