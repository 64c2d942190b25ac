"""Where things live: database, scenarios, accounts, exports; each overridable by env."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _path(env: str, default: Path) -> Path:
    value = os.environ.get(env)
    return Path(value) if value else default


@dataclass(frozen=True)
class Settings:
    db_path: Path
    scenarios_dir: Path
    custom_scenarios_dir: Path
    auth_path: Path
    exports_dir: Path
    uploads_dir: Path
    demo: bool

    @classmethod
    def from_env(cls) -> Settings:
        data = _path("OPTRAIN_DATA", PROJECT_ROOT / "data")
        return cls(
            db_path=_path("OPTRAIN_DB", data / "optrain.db"),
            scenarios_dir=_path("OPTRAIN_SCENARIOS", PROJECT_ROOT / "scenarios"),
            custom_scenarios_dir=_path("OPTRAIN_CUSTOM_SCENARIOS", data / "custom_scenarios"),
            auth_path=_path("OPTRAIN_AUTH", PROJECT_ROOT / "config" / "auth.yaml"),
            exports_dir=_path("OPTRAIN_EXPORTS", PROJECT_ROOT / "exports"),
            uploads_dir=_path("OPTRAIN_UPLOADS", data / "uploads"),
            demo=os.environ.get("OPTRAIN_DEMO", "1").strip().lower() not in ("0", "false", "no", "off"),
        )
