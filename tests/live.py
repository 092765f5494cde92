"""Real HTTP servers on 127.0.0.1 for tests that cross process boundaries:
the stand-in ID-porten and the app, each in a thread of its own."""

from __future__ import annotations

import threading
from contextlib import contextmanager

from werkzeug.serving import make_server


class LateApp:
    """A WSGI app set after the server is bound, so each side can know the other's port."""

    def __init__(self):
        self.app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


@contextmanager
def serving(host: str = "127.0.0.1"):
    """Bind a port now; yield (url, set_app); serve until the block ends."""
    holder = LateApp()
    server = make_server(host, 0, holder, threaded=True)
    url = f"http://{host}:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)

    def set_app(app):
        holder.app = app
        thread.start()

    try:
        yield url, set_app
    finally:
        if thread.is_alive():
            server.shutdown()
        server.server_close()


def standin_config(
    issuer: str, login_url: str, app_url: str, client_secret: str, persons, faults=None, client_jwks=None,
    logout_channels=("front", "back"),
) -> dict:
    """The stand-in's settings, with Min plan registered by a secret, or by its public keys (client_jwks),
    and told of logouts at the provider through the logout_channels named."""
    credentials = {"jwks": client_jwks} if client_jwks else {"client_secret": client_secret}
    if "front" in logout_channels:
        credentials["frontchannel_logout_uri"] = app_url + "/logout/frontchannel"
    if "back" in logout_channels:
        credentials["backchannel_logout_uri"] = app_url + "/logout/backchannel"
    config = {
        "ISSUER": issuer,
        "LOGIN_URL": login_url,
        "SECRET_KEY": "standin-test-secret",
        "PAIRWISE_SALT": "standin-test-salt",
        "CLIENTS": [
            {
                "client_id": "min-plan",
                **credentials,
                "redirect_uris": [app_url + "/login/callback"],
                "post_logout_redirect_uris": [app_url + "/logged-out"],
            }
        ],
        "PERSONS": persons,
    }
    if faults:
        config["FAULTS"] = faults
    return config
