"""The manifest's screenshots, taken by Chromium from the running app with the fictional demo data.

    python -m patient_app.pwa_screenshots     # writes patient_app/static/icons/screenshot-*.png

Runs the app on a temporary SQLite database with the demo people, logs in as
the demo patient by setting the session the way a login does (no identity
provider needed), and photographs her overview at phone and desktop sizes.
Needs the dev packages (Playwright) and Debian's Chromium.
"""

from __future__ import annotations

import sys
import tempfile
import threading
from pathlib import Path

SHOTS = {
    "screenshot-narrow.png": {"width": 390, "height": 844},
    "screenshot-wide.png": {"width": 1280, "height": 800},
}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def main(folder: Path | None = None) -> None:
    from playwright.sync_api import sync_playwright
    from sqlalchemy import select
    from werkzeug.serving import make_server

    from patient_app import create_app, login_sessions
    from patient_app.database import Base
    from patient_app.demo.people import demo_person
    from patient_app.demo.seed import seed_demo
    from patient_app.extensions import db
    from patient_app.models import Person, Plan, hash_pid
    from patient_app.pwa_icons import ICONS

    folder = folder or ICONS
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({
            "ENV_NAME": "testing",
            "SECRET_KEY": "screenshots-only-secret-key-0123456789",
            "PID_HASH_KEY": "screenshots-only-pid-key-0123456789",
            "OIDC_CLIENT_SECRET": "unused",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/screens.sqlite",
        })
        with app.app_context():
            Base.metadata.create_all(db.engine)
            seed_demo()
            digest = hash_pid(demo_person("patient").pid, app.config["PID_HASH_KEY"])
            patient = db.session.scalar(select(Person).where(Person.pid_hash == digest))
            plan = db.session.scalar(select(Plan).where(Plan.owner_id == patient.id))
            signed_in = login_sessions.cookie_data_for(patient, "Chromium")
        client = app.test_client()
        with client.session_transaction() as session:
            session.update(signed_in)
        cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value

        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                for name, viewport in SHOTS.items():
                    context = browser.new_context(viewport=viewport, locale="nb-NO", color_scheme="light",
                                                  service_workers="block")
                    context.add_cookies([{"name": app.config["SESSION_COOKIE_NAME"], "value": cookie,
                                          "url": base}])
                    page = context.new_page()
                    page.goto(f"{base}/plan/{plan.public_id}/")
                    page.screenshot(path=str(folder / name))
                    context.close()
                    print(f"{folder / name}: {(folder / name).stat().st_size} bytes")
                browser.close()
        finally:
            server.shutdown()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
