"""One database connection per browser session; migrations once per process."""

from __future__ import annotations

import streamlit as st
from sqlite_utils import Database

from optrain.config import Settings
from optrain.storage import open_db

_SESSION_KEY = "_optrain_db"


@st.cache_resource(show_spinner=False)
def _migrated(path: str) -> bool:
    """Keyed by path so tests using different databases never share the result."""
    open_db(path).close()
    return True


def get_db(settings: Settings | None = None) -> Database:
    """A connection owned by this session: reruns of one session never run concurrently."""
    settings = settings or Settings.from_env()
    path = str(settings.db_path)
    _migrated(path)
    held = st.session_state.get(_SESSION_KEY)
    if held is None or held[0] != path:
        st.session_state[_SESSION_KEY] = (path, open_db(path, migrate=False))
    return st.session_state[_SESSION_KEY][1]
