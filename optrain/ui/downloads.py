"""One click that builds a file and downloads it.

`st.download_button` accepts a callable for `data`: on a click the browser
asks the server for the file, and the server calls it on a thread of its own
while the click's rerun runs the page. That thread cannot draw, so a build
done there would show neither its progress nor why it failed. Here the
click's rerun builds the file in the page (with its progress bar and its
messages), and the callable only waits for that build and hands over its
bytes: a failed or empty build hands over nothing, never an earlier file.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from optrain.errors import ExportError

log = logging.getLogger(__name__)
WAIT_SECONDS = 5 * 60  # the longest build a click waits for (the evidence pack of the largest database)


class Handover:
    """Builds of one download button, numbered, between the page that runs them and the thread that serves them."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._started = 0
        self._finished = 0
        self._path: Path | None = None

    @property
    def started(self) -> int:
        with self._changed:
            return self._started

    def run(self, build: Callable[[], Path | None]) -> Path | None:
        """Run `build` (None: it failed and said why on the page); whatever happens, release the waiting click."""
        with self._changed:
            self._started += 1
            number, self._path = self._started, None
        path = None
        try:
            path = build()
        finally:
            with self._changed:
                self._finished, self._path = number, path
                self._changed.notify_all()
        return path

    def release(self) -> None:
        """Nothing to build any more: a click made just before gets no file (it would wait for nothing)."""
        with self._changed:
            self._started += 1
            self._finished, self._path = self._started, None
            self._changed.notify_all()

    def file_after(self, seen: int, timeout: float = WAIT_SECONDS) -> bytes:
        """The bytes of the first build started after build number `seen`, once it is finished."""
        with self._changed:
            if not self._changed.wait_for(lambda: self._finished > seen, timeout):
                log.warning("no build finished within %s s of a download click", timeout)
                raise ExportError("The file was not built in time; try again.")
            path = self._path
        if path is None:
            raise ExportError("The build failed; the page says why.")
        return path.read_bytes()


def build_and_download(
    label: str,
    build: Callable[[], Path | None],
    *,
    key: str,
    file_name: str,
    mime: str,
    icon: str = ":material/download:",
    disabled: bool = False,
) -> Path | None:
    """A primary download button whose click runs `build` in this page run and downloads the file it wrote.

    Returns the file built by this run's click, None when there was no click or the build failed. A
    disabled button (nothing to build) fails a click made on the page before, which would wait for nothing.
    """
    handover: Handover = st.session_state.setdefault(f"{key}_handover", Handover())
    if disabled:
        handover.release()
    # Builds done before the page this run draws is shown: a click on it waits for a later one. This run's
    # own build, if clicked, comes before that, so the count is read again once it is done.
    shown = [handover.started]
    clicked = st.download_button(
        label,
        data=lambda: handover.file_after(shown[0]),
        file_name=file_name,
        mime=mime,
        key=key,
        type="primary",
        icon=icon,
        disabled=disabled,
    )
    if not clicked:
        return None
    try:
        path = handover.run(build)
    finally:
        shown[0] = handover.started
    if path is not None:
        # The click's own download fails when the browser asks for it late: every full run starts by
        # unlinking the session's files, and a run that ends meanwhile (one cut short by another click,
        # on a busy server) drops the button's earlier file. The file just built stays one click away, read
        # only if that click comes (it reruns nothing, so nothing drops its file meanwhile).
        st.download_button(
            "Download it again",
            data=path.read_bytes,
            file_name=file_name,
            mime=mime,
            key=f"{key}_again",
            on_click="ignore",
            icon=":material/download:",
            help="If your browser did not start the download, this gets the same file.",
        )
    return path
