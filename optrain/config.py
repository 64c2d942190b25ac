"""Where things live: database, scenarios, accounts, exports; each overridable by env.

Relative defaults resolve against OPTRAIN_HOME, or the working directory when it
is not set, never against the package's own folder: an installed package keeps
its data where it is run, not inside site-packages.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from optrain.errors import OptrainError

HOME_ENV_VAR = "OPTRAIN_HOME"
# OPTRAIN_DEMO: unset means demo mode on; anything not listed here is refused at start.
DEMO_ON = ("1", "true", "yes", "on")
DEMO_OFF = ("0", "false", "no", "off")


class SettingsError(OptrainError):
    """An environment setting has a value the app does not accept."""


def demo_mode(value: str | None) -> bool:
    """OPTRAIN_DEMO, case and surrounding spaces ignored; a value that is neither on nor off is refused."""
    if value is None or not value.strip():
        return True
    word = value.strip().lower()
    if word in DEMO_ON:
        return True
    if word in DEMO_OFF:
        return False
    raise SettingsError(
        f"OPTRAIN_DEMO={value!r} is not understood: use one of {', '.join(DEMO_ON)} to run the "
        f"demo, or one of {', '.join(DEMO_OFF)} for real accounts"
    )


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
        return _from_values(tuple(os.environ.get(name) for name in ENV_NAMES), os.getcwd())


ENV_NAMES = (
    HOME_ENV_VAR,
    "OPTRAIN_DATA",
    "OPTRAIN_DB",
    "OPTRAIN_SCENARIOS",
    "OPTRAIN_AUTH",
    "OPTRAIN_EXPORTS",
    "OPTRAIN_UPLOADS",
    "OPTRAIN_DEMO",
)


@lru_cache(maxsize=32)
def _from_values(values: tuple[str | None, ...], cwd: str) -> Settings:
    env = dict(zip(ENV_NAMES, values, strict=False))

    def _path(name: str, default: Path) -> Path:
        value = env[name]
        return Path(value) if value else default

    home = _path(HOME_ENV_VAR, Path(cwd))
    data = _path("OPTRAIN_DATA", home / "data")
    return Settings(
        db_path=_path("OPTRAIN_DB", data / "optrain.db"),
        scenarios_dir=_path("OPTRAIN_SCENARIOS", home / "scenarios"),
        auth_path=_path("OPTRAIN_AUTH", home / "config" / "auth.yaml"),
        exports_dir=_path("OPTRAIN_EXPORTS", home / "exports"),
        uploads_dir=_path("OPTRAIN_UPLOADS", data / "uploads"),
        demo=demo_mode(env["OPTRAIN_DEMO"]),
    )


def sso_roles_path() -> Path | None:
    """OPTRAIN_SSO_ROLES: the role map for single sign-on (`st.login`); unset means built-in accounts."""
    value = os.environ.get("OPTRAIN_SSO_ROLES")
    return Path(value) if value and value.strip() else None
