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
ITEM_OPENED_AT = "optrain_item_opened_at"
LAST_VERDICT = "optrain_last_verdict"
BRIEFING_FOR = "optrain_briefing_for"
FLASH = "optrain_flash"
QA_SAVED_FOR = "optrain_qa_saved_for"
LOGIN_LOGGED = "optrain_login_logged"
