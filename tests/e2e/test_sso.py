"""Single sign-on through a real OpenID Connect provider, started by the test on this machine.

`oidc-provider-mock` is a working provider (discovery, authorization form,
signed ID tokens); the app runs under `streamlit run` with an `[auth]`
secrets file pointing at it and a role map, and the browser signs in through
the provider's own page, as a person would.
"""

from __future__ import annotations

import secrets
import sys
from collections.abc import Iterator
from pathlib import Path

import oidc_provider_mock
import pytest
import yaml
from playwright.sync_api import expect

from .driver import AppDriver
from .server import ROOT, AppServer, app_env, free_port

pytestmark = pytest.mark.e2e

PEOPLE = [
    oidc_provider_mock.User(
        sub="riley",
        claims={
            "email": "Riley.Chen@shop.example",
            "email_verified": True,
            "name": "Riley Chen",
            "groups": ["ots-trainers"],
        },
    ),
    oidc_provider_mock.User(
        sub="casey", claims={"email": "casey@shop.example", "email_verified": True, "name": "Casey Morgan"}
    ),
    oidc_provider_mock.User(
        sub="stranger",
        claims={
            "email": "stranger@elsewhere.example",
            "email_verified": True,
            "name": "Sam Stranger",
            "groups": ["marketing"],
        },
    ),
]
ROLE_MAP = {"emails": {"casey@shop.example": ["trainee"]}, "groups": {"ots-trainers": ["trainee", "trainer"]}}


class SsoAppServer(AppServer):
    """The app with an `[auth]` secrets file for the provider and a role map (OPTRAIN_SSO_ROLES)."""

    provider_url: str = ""

    def start(self) -> None:
        import subprocess

        self.port = free_port()
        secrets_file = self.data / "secrets.toml"
        secrets_file.write_text(
            "[auth]\n"
            f'redirect_uri = "{self.base_url}/oauth2callback"\n'
            f'cookie_secret = "{secrets.token_hex(32)}"\n'
            'client_id = "optrain-e2e"\n'
            f'client_secret = "{secrets.token_hex(16)}"\n'
            f'server_metadata_url = "{self.provider_url}/.well-known/openid-configuration"\n',
            encoding="utf-8",
        )
        roles = self.data / "sso_roles.yaml"
        roles.write_text(yaml.safe_dump(ROLE_MAP), encoding="utf-8")
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
            "--server.fileWatcherType=none",
            f"--secrets.files={secrets_file}",
        ]
        env = {**app_env(self.data), "OPTRAIN_SSO_ROLES": str(roles)}
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        self._wait_healthy()


@pytest.fixture
def sso_server(tmp_path: Path) -> Iterator[SsoAppServer]:
    with oidc_provider_mock.run_server_in_thread(user_claims=PEOPLE) as provider:
        server = SsoAppServer(tmp_path)
        server.provider_url = f"http://localhost:{provider.server_port}"
        server.start()
        yield server
        server.stop()


def sign_in_through_provider(app: AppDriver, who: str) -> None:
    app.goto("/")
    app.page.get_by_role("button", name="Sign in with single sign-on").click()
    app.page.get_by_role("button", name=who, exact=True).click()  # the provider's page: a predefined user
    expect(app.page.get_by_test_id("stApp")).to_be_visible()
    app.settle()


def test_roles_come_from_the_role_map_by_group_or_e_mail(open_app, sso_server: SsoAppServer) -> None:
    riley = open_app(sso_server)
    sign_in_through_provider(riley, "riley")
    expect(riley.page.get_by_role("heading", name="Welcome, Riley")).to_be_visible()
    expect(riley.page.get_by_text("Roles: trainee, trainer")).to_be_visible()
    expect(riley.page.get_by_test_id("stSidebarNav").get_by_role("link", name="Review", exact=True)).to_be_visible()
    riley.shot("riley_trainer_by_group")

    casey = open_app(sso_server, prefix="casey_")
    sign_in_through_provider(casey, "casey")
    expect(casey.page.get_by_text("Roles: trainee")).to_be_visible()
    expect(casey.page.get_by_test_id("stSidebarNav").get_by_role("link", name="Review", exact=True)).to_have_count(0)
    casey.goto("/review")
    expect(casey.page.get_by_text("This page is not available for your role")).to_be_visible()
    casey.shot("trainee_by_e_mail")


def test_an_unmapped_identity_gets_a_clear_no_access_page(open_app, sso_server: SsoAppServer) -> None:
    app = open_app(sso_server)
    sign_in_through_provider(app, "stranger")
    expect(app.page.get_by_role("heading", name="No access")).to_be_visible()
    expect(app.page.get_by_text("signed in as stranger@elsewhere.example")).to_be_visible()
    expect(app.page.get_by_test_id("stSidebarNav")).to_have_count(0)
    app.shot("no_access")
    app.page.get_by_role("button", name="Sign out").click()
    app.page.get_by_role("button", name="End session").click()  # the provider's own logout page
    expect(app.page.get_by_role("button", name="Sign in with single sign-on")).to_be_visible()
    app.shot("signed_out")
