"""Session-state keys, named once so pages never scatter string literals."""

from __future__ import annotations

# Set by streamlit-authenticator (tests set them to bypass the login form).
AUTH_STATUS = "authentication_status"
USERNAME = "username"
NAME = "name"
ROLES = "roles"
EMAIL = "email"
AUTH_LOGOUT = "logout"

# Ours.
CLEAR_COOKIE = "optrain_clear_cookie"
ATTEMPT_ID = "optrain_attempt_id"
SELECTED_ITEM = "optrain_selected_item"
LAST_VERDICT = "optrain_last_verdict"
FLASH = "optrain_flash"
