"""Where things live: database, scenarios, accounts, exports; each overridable by env."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    db_path: Path
    scenarios_dir: Path
    auth_path: Path
    exports_dir: Path
    uploads_dir: Path
    demo: bool

    @classmethod
    def from_env(cls) -> Settings:
        """Read on every page run, so the result is kept per set of values (tests change them freely)."""
        return _from_values(tuple(os.environ.get(name) for name in ENV_NAMES))


ENV_NAMES = ("OPTRAIN_DATA", "OPTRAIN_DB", "OPTRAIN_SCENARIOS", "OPTRAIN_AUTH",
             "OPTRAIN_EXPORTS", "OPTRAIN_UPLOADS", "OPTRAIN_DEMO")


@lru_cache(maxsize=32)
def _from_values(values: tuple[str | None, ...]) -> Settings:
    env = dict(zip(ENV_NAMES, values))

    def _path(name: str, default: Path) -> Path:
        value = env[name]
        return Path(value) if value else default

    data = _path("OPTRAIN_DATA", PROJECT_ROOT / "data")
    return Settings(
        db_path=_path("OPTRAIN_DB", data / "optrain.db"),
        scenarios_dir=_path("OPTRAIN_SCENARIOS", PROJECT_ROOT / "scenarios"),
        auth_path=_path("OPTRAIN_AUTH", PROJECT_ROOT / "config" / "auth.yaml"),
        exports_dir=_path("OPTRAIN_EXPORTS", PROJECT_ROOT / "exports"),
        uploads_dir=_path("OPTRAIN_UPLOADS", data / "uploads"),
        demo=(env["OPTRAIN_DEMO"] or "1").strip().lower() not in ("0", "false", "no", "off"),
    )
