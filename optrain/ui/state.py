"""Session-state keys, named once so pages never scatter string literals."""

from __future__ import annotations

# Who is signed in. Only the username and when and with which token version the session began are
# kept: the name and roles are read from the accounts file on every run, never trusted from here.
AUTH_STATUS = "authentication_status"
USERNAME = "username"
TOKEN_VERSION = "optrain_token_version"
SIGNED_IN_AT = "optrain_signed_in_at"

# Sign-in form and cookie.
LOGIN_USERNAME = "login_username"
LOGIN_PASSWORD = "login_password"
SET_COOKIE = "optrain_set_cookie"
CLEAR_COOKIE = "optrain_clear_cookie"
COOKIE_REFUSED = "optrain_cookie_refused"

# Ours.
ATTEMPT_ID = "optrain_attempt_id"
SELECTED_ITEM = "optrain_selected_item"
LAST_VERDICT = "optrain_last_verdict"
FLASH = "optrain_flash"
SHIFT_ON_SCREEN = "optrain_shift_on_screen"  # the attempt whose keys the session holds (see work_view)
