"""Min plan on the home screen: the manifest, the service worker, the offline page, and
the settings page for installing the app and keeping the crisis plan on the phone.

The manifest, the service worker and the offline page are public and carry no
personal data. What the service worker keeps on a device is decided here and
in service_worker/service-worker.js: the app shell (CSS, JS, icons, the
offline page), and, only when the person turns it on, their crisis plan and
contacts (docs/domain.md, Data on the phone).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from importlib.resources import files
from pathlib import Path

from service_worker import PARTS as WORKER_PARTS

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale, gettext as _
from flask_login import current_user

from patient_app.access import Part, PlanAccess, accessible_plans, public, signed_in

bp = Blueprint("pwa", __name__)

SERVICE_WORKER_HEADER = """/* Min plan's service worker, served at /service-worker.js (scope /) by patient_app/views/pwa.py
 * from the files in service_worker/, after CONFIG: the app-shell URLs, the offline page, and a
 * version that changes whenever any of them does (so browsers install the new worker and the
 * page offers "Ny versjon – oppdater"), and MESSAGE (static/js/sw-messages.js).
 *
 * Privacy first (docs/domain.md, Data on the phone): pages with personal data go to the network
 * and are never cached here, with one exception the person turns on themselves: their crisis
 * plan and contacts ("kept"), which open offline. Those are removed when the person turns it
 * off, when another person logs in on this device, and by Clear-Site-Data at logout.
 */
"use strict";
"""
# The page side's list of messages, shared with the worker (see the file's comment).
MESSAGES_MODULE = "js/sw-messages.js"

THEME_COLOUR = "#0b5394"
BACKGROUND_COLOUR = "#f6f6f4"

# The app shell: what every page needs to look right offline. Never a page with personal data.
SHELL_STATIC = ("css/app.css", "css/pwa.css", "vendor/htmx.min.js", "icons/icon-192.png", "icons/badge-96.png")
SHELL_STATIC_FOLDERS = ("js",)


# --- Public: manifest, service worker, offline page ------------------------------------


@bp.get("/manifest.webmanifest")
@public
def manifest():
    body = {
        "id": "/",
        "name": "Min plan",
        "short_name": "Min plan",
        "description": _("Den individuelle planen din på telefonen: mål, tiltak, møter, kriseplan og kontakter."),
        "lang": str(get_locale()),
        "dir": "ltr",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "categories": ["health", "medical"],
        "icons": [
            _image("icon-192.png", "192x192", purpose="any"),
            _image("icon-512.png", "512x512", purpose="any"),
            _image("maskable-192.png", "192x192", purpose="maskable"),
            _image("maskable-512.png", "512x512", purpose="maskable"),
        ],
        # Made by `python -m patient_app.pwa_screenshots` from the fictional demo plan.
        "screenshots": [
            _image("screenshot-narrow.png", "390x844", form_factor="narrow",
                   label=_("Oversikten over planen på en telefon")),
            _image("screenshot-wide.png", "1280x800", form_factor="wide",
                   label=_("Oversikten over planen på en stor skjerm")),
        ],
        "shortcuts": [
            {
                "name": _("Kriseplan"),
                "short_name": _("Kriseplan"),
                "description": _("Hva du gjør og hvem du ringer når det er vanskelig"),
                "url": url_for("pwa.crisis_plan_shortcut"),
                "icons": [{"src": url_for("static", filename="icons/icon-192.png"), "sizes": "192x192"}],
            }
        ],
    }
    return Response(json.dumps(body, ensure_ascii=False, indent=1), mimetype="application/manifest+json")


def _image(name: str, sizes: str, **extra) -> dict:
    return {"src": url_for("static", filename=f"icons/{name}"), "sizes": sizes, "type": "image/png", **extra}


@bp.get("/service-worker.js")
@public
def service_worker():
    source = SERVICE_WORKER_HEADER + "const CONFIG = " + json.dumps(shell_config()) + ";\n" + worker_source()
    response = Response(source, mimetype="text/javascript")
    # Browsers check for a new service worker on navigation; never let a cache hide one.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/offline")
@public
def offline():
    """What a page that cannot load shows instead; the service worker keeps a copy.

    The worker fetches it without cookies and names the language (``?lang=nn``).
    """
    lang = request.args.get("lang")
    if lang in current_app.config["LANGUAGES"]:
        with force_locale(lang):
            return render_template("views/pwa/offline.html")
    return render_template("views/pwa/offline.html")


# --- The app shell --------------------------------------------------------------


def shell_files() -> list[tuple[str, Path]]:
    """(URL, file) for every static file in the app shell."""
    static = Path(current_app.static_folder)
    names = list(SHELL_STATIC)
    for folder in SHELL_STATIC_FOLDERS:
        names += sorted(p.relative_to(static).as_posix() for p in (static / folder).glob("*.js"))
    files = []
    for name in names:
        path = static / name
        if path.exists():  # vendor/ is installed by `make bootstrap`; without it the shell is smaller
            files.append((shell_url(name), path))
    return files


def shell_url(name: str) -> str:
    """The URL pages use for a shell file, so that what is precached is what they ask for offline.

    Every shell file is linked through ``asset()``: content-hashed when built
    (patient_app/assets.py), cached for a year, so a repeat visit asks for none
    of them. The build rewrites app.js's relative imports to the hashed names of
    its modules, and the precache list below holds those same hashed names.
    """
    asset = current_app.jinja_env.globals.get("asset")
    if asset is None:
        return url_for("static", filename=name)
    return asset(name)


def worker_source() -> str:
    """The message names (an ES module's text without "export", for a classic worker script),
    then each part of the worker in order."""
    messages = Path(current_app.static_folder, MESSAGES_MODULE).read_text(encoding="utf-8")
    parts = [files("service_worker").joinpath(name).read_text(encoding="utf-8") for name in WORKER_PARTS]
    return "\n".join([messages.replace("export const MESSAGE", "const MESSAGE", 1), *parts])


def shell_config() -> dict:
    """The service worker's configuration: the shell's URLs and a version that changes with any of them.

    The version is in the worker's own bytes, so changing a CSS or JS file
    makes browsers install a new worker, which announces itself ("Ny versjon").
    """
    files = shell_files()
    digest = hashlib.sha256(worker_source().encode())
    for url, path in files:
        digest.update(url.encode() + b"\0" + path.read_bytes())
    for template in ("views/pwa/offline.html", "views/pwa/_standalone.html"):
        digest.update(Path(current_app.root_path, "templates", template).read_bytes())
    for catalogue in sorted(Path(current_app.root_path, "translations").glob("*/LC_MESSAGES/messages.mo")):
        digest.update(catalogue.read_bytes())
    return {
        "version": digest.hexdigest()[:12],
        "shell": [url for url, _path in files] + [url_for("pwa.offline")],
        "offline": url_for("pwa.offline"),
        "crisisShortcut": url_for("pwa.crisis_plan_shortcut"),
        "queueable": queueable_paths(),
        "icon": shell_url("icons/icon-192.png"),
        "badge": shell_url("icons/badge-96.png"),
    }


# Forms whose posts may wait on the phone until the network is back: they carry an
# idempotency key, so a post sent twice stores one message (patient_app/forms/messages.py).
QUEUEABLE_ENDPOINTS = ("messages.new_thread", "messages.thread")


def queueable_paths() -> list[str]:
    """The URL rules of those forms, as regular expressions for the service worker."""
    patterns = []
    for rule in current_app.url_map.iter_rules():
        if rule.endpoint in QUEUEABLE_ENDPOINTS and "POST" in (rule.methods or ()):
            parts = re.split(r"<[^>]+>", rule.rule)
            patterns.append("^" + "[^/]+".join(re.escape(part) for part in parts) + "$")
    return sorted(patterns)


# --- Signed in: the crisis-plan shortcut --------------------------------


@bp.get("/crisis-plan")
@signed_in
def crisis_plan_shortcut():
    """The home-screen shortcut: straight to the crisis plan (the service worker answers it offline)."""
    for access in accessible_plans(current_user):
        if access.may_use_crisis_shortcut:
            return redirect(url_for("crisis.show", plan_id=access.plan.public_id))
    return redirect(url_for("overview.choose_plan"))


def offline_keeping(access: PlanAccess | None) -> dict | None:
    """What this person may keep on their phone for this plan, or None.

    Who may is the policy's answer (PlanAccess.may_keep_offline).
    """
    if access is None or not access.may_keep_offline:
        return None
    own = access.is_owner
    name = access.plan.owner.first_name
    items = [
        {
            "url": url_for("crisis.show", plan_id=access.plan.public_id),
            "label": _("Kriseplanen din") if own else _("Kriseplanen til %(name)s", name=name),
        }
    ]
    if access.may_view(Part.CONTACTS):
        items.append(
            {
                "url": url_for("contacts.index", plan_id=access.plan.public_id),
                "label": _("Kontaktene dine") if own else _("Kontaktene til %(name)s", name=name),
            }
        )
    return {
        "plan": str(access.plan.public_id),
        "title": _("Kriseplanen din") if own else _("Kriseplanen til %(name)s", name=name),
        "items": items,
    }


def device_owner_token() -> str:
    """An opaque name for who is logged in, for the service worker on this device.

    When it changes, the worker removes what the last person kept here. It is
    an HMAC, so it says nothing about the person to anyone reading the page.
    """
    if not getattr(current_user, "is_authenticated", False):
        return ""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"device-owner:" + str(current_user.public_id).encode(), hashlib.sha256).hexdigest()[:32]


@bp.app_context_processor
def _pwa_template_helpers() -> dict:
    from patient_app.notify import push_is_configured

    return {
        "device_owner_token": device_owner_token,
        "shell_url": shell_url,
        "offline_keeping": offline_keeping,
        "push_is_configured": lambda: push_is_configured(current_app.config),
        "theme_colour": THEME_COLOUR,
    }


def precache_size_bytes(app) -> dict:
    """For the report and the tests: the bytes a browser stores for the app shell."""
    with app.test_request_context():
        files = {url: path.stat().st_size for url, path in shell_files()}
    client = app.test_client()
    files["/offline"] = len(client.get("/offline").get_data())
    return {"files": files, "total": sum(files.values())}
