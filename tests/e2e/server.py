"""The real app as a subprocess: `streamlit run` on a free port with private data files.

Kept free of Playwright so that the conftest can import it even where the
browser tests are skipped.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def app_env(data: Path, scenarios: Path | None = None) -> dict[str, str]:
    """Every path the app writes to points into `data`, so a run never touches the checkout's files."""
    return {
        **os.environ,
        "OPTRAIN_DATA": str(data),
        "OPTRAIN_DB": str(data / "optrain.db"),
        "OPTRAIN_AUTH": str(data / "auth.yaml"),
        "OPTRAIN_UPLOADS": str(data / "uploads"),
        "OPTRAIN_EXPORTS": str(data / "exports"),
        "OPTRAIN_SCENARIOS": str(scenarios or ROOT / "scenarios"),
        "OPTRAIN_DEMO": "1",
    }


@dataclass
class AppServer:
    """One Streamlit process at a time over the same data folder; `restart` keeps the database."""

    data: Path
    scenarios: Path | None = None  # the curriculum folder; the checkout's scenarios/ when None
    port: int = 0
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def db_path(self) -> Path:
        return self.data / "optrain.db"

    @property
    def log_path(self) -> Path:
        return self.data / "streamlit.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def start(self) -> None:
        self.port = free_port()
        command = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "streamlit_app.py",
            "--server.headless=true",
            "--server.address=127.0.0.1",
            f"--server.port={self.port}",
            "--browser.gatherUsageStats=false",
            # Source edits made while the tests run must not rerun the app under the browser.
            "--server.fileWatcherType=none",
        ]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=app_env(self.data, self.scenarios), stdout=log, stderr=subprocess.STDOUT
            )
        self._wait_healthy()

    def _wait_healthy(self) -> None:
        assert self.process is not None
        health = self.url("/_stcore/health")
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(health, timeout=2) as response:
                    if response.read().decode().strip() == "ok":
                        return
            except OSError:
                pass
            try:  # the poll interval, and the way to notice a process that died on start
                code = self.process.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                continue
            raise RuntimeError(f"streamlit exited with code {code} before it was healthy:\n{self.log_tail()}")
        self.stop()
        raise RuntimeError(f"streamlit was not healthy on {health} after {START_TIMEOUT:g}s:\n{self.log_tail()}")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def restart(self) -> None:
        self.stop()
        self.start()

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
