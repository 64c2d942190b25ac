"""Sign-in page: what a signed-out visitor sees at any address of the app."""

from optrain.ui import session

session.sign_in_page()
