"""One database connection per browser session; migrations once per process."""

from __future__ import annotations

import streamlit as st
from sqlite_utils import Database

from optrain.config import Settings
from optrain.errors import StorageError
from optrain.storage import open_db
from optrain.ui.text import plain

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
    held = st.session_state.get(_SESSION_KEY)
    if held is not None and held[0] == path:
        return held[1]  # migrated when it was opened: a page asks for it several times per run
    try:
        _migrated(path)
        db = open_db(path, migrate=False)
    except StorageError as exc:  # damaged, unreachable or read-only: say so on every page, never a traceback
        st.error(plain(str(exc)), icon=":material/database:")
        st.stop()
    st.session_state[_SESSION_KEY] = (path, db)
    return db
