"""Min plan on the home screen: manifest, service worker, offline page, settings, and what they must not contain."""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from patient_app.views import pwa

STATIC = Path(pwa.__file__).resolve().parents[1] / "static"


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


# --- The manifest ------------------------------------------------------------------


def test_the_manifest_makes_min_plan_installable(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json(force=True)
    assert manifest["name"] == "Min plan" and manifest["short_name"] == "Min plan"
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == ("/", "/", "standalone")
    assert manifest["lang"] == "nb"
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["background_color"])
    purposes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("192x192", "maskable"), ("512x512", "maskable")} <= purposes


def test_every_icon_and_screenshot_exists_with_the_size_it_claims(client):
    manifest = client.get("/manifest.webmanifest").get_json(force=True)
    images = manifest["icons"] + manifest["screenshots"]
    assert {shot["form_factor"] for shot in manifest["screenshots"]} == {"narrow", "wide"}
    for image in images:
        path = STATIC / image["src"].removeprefix("/static/")
        width, height = png_size(path)
        assert image["sizes"] == f"{width}x{height}", f"{image['src']} is {width}x{height}"
        assert client.get(image["src"]).status_code == 200


def test_the_manifest_follows_the_language(browser):
    from tests.views.test_language import choose_language

    choose_language(browser, "en")
    assert browser.client.get("/manifest.webmanifest").get_json(force=True)["lang"] == "en"


def test_the_icon_generator_draws_png(tmp_path):
    from patient_app import pwa_icons

    path = tmp_path / "icon.png"
    path.write_bytes(pwa_icons.draw(48, maskable=True))
    assert png_size(path) == (48, 48)


# --- The service worker ------------------------------------------------------------


def test_the_service_worker_is_served_at_the_root_with_its_configuration(client):
    response = client.get("/service-worker.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert "no-cache" in response.headers["Cache-Control"] or response.headers["Cache-Control"] == "no-store"
    assert "Service-Worker-Allowed" not in response.headers, "scope / needs no extra permission at the root"
    source = response.get_data(as_text=True)
    assert "export " not in source, "a classic worker script: the shared message names lose their export"
    assert re.search(r'^  HELLO: "hello",$', source, re.M), "the worker knows the messages the pages send"
    config = json.loads(re.search(r"^const CONFIG = (\{.*\});$", source, re.M).group(1))
    assert re.fullmatch(r"[0-9a-f]{12}", config["version"])
    assert config["offline"] == "/offline" and "/offline" in config["shell"]
    # The page's module script and every module it imports, by the names pages ask for.
    script = BeautifulSoup(client.get("/login").get_data(as_text=True), "html.parser").select_one("script[type=module]")
    assert script["src"] in config["shell"]
    modules = {path.name for path in (STATIC / "js").glob("*.js")}
    assert len([url for url in config["shell"] if "/js/" in url]) == len(modules)
    assert [url for url in config["shell"] if url.startswith("/static/") and "app." in url and url.endswith(".css")]


def test_only_message_forms_may_wait_on_the_phone(client, sigrid_plan):
    source = client.get("/service-worker.js").get_data(as_text=True)
    patterns = json.loads(re.search(r"^const CONFIG = (\{.*\});$", source, re.M).group(1))["queueable"]
    waits = lambda path: any(re.search(pattern, path) for pattern in patterns)  # noqa: E731
    plan = f"/plan/{sigrid_plan.public_id}"
    assert waits(f"{plan}/messages/new")
    assert waits(f"{plan}/messages/00000000-0000-4000-8000-000000000000")
    for other in ("/logout", "/language", f"{plan}/messages", "/settings/notifications", f"{plan}/crisis-plan"):
        assert not waits(other), other


def test_the_app_shell_holds_no_page_with_personal_data(browser, sigrid_plan):
    browser.login_as("patient")
    source = browser.client.get("/service-worker.js").get_data(as_text=True)
    config = json.loads(re.search(r"^const CONFIG = (\{.*\});$", source, re.M).group(1))
    for url in config["shell"]:
        assert url == "/offline" or url.startswith("/static/"), f"{url} must not be precached"
        assert browser.client.get(url).status_code == 200, f"{url} is precached but does not answer"
    assert str(sigrid_plan.public_id) not in source


def test_a_changed_shell_file_changes_the_version(app, tmp_path, monkeypatch):
    with app.test_request_context():
        before = pwa.shell_config()["version"]
        assert pwa.shell_config()["version"] == before, "the version is stable while nothing changes"
        source = pwa.worker_source()
        monkeypatch.setattr(pwa, "worker_source", lambda: source + "\n// changed\n")
        assert pwa.shell_config()["version"] != before


def test_the_shell_is_what_the_pages_link(browser, sigrid_plan, app):
    """Offline, a kept page asks for the stylesheets and scripts it links: those must be precached."""
    browser.login_as("patient")
    page = browser.get(f"/plan/{sigrid_plan.public_id}/crisis-plan")
    linked = {tag.get("href") or tag.get("src") for tag in page.select("link[rel=stylesheet], script[src]")}
    with app.test_request_context():
        shell = set(pwa.shell_config()["shell"])
    assert linked <= shell, f"linked but not precached: {linked - shell}"
    offline = BeautifulSoup(browser.client.get("/offline").get_data(as_text=True), "html.parser")
    assert {t.get("href") or t.get("src") for t in offline.select("link[rel=stylesheet], script[src]")} <= shell


def test_the_precache_stays_small(app):
    size = pwa.precache_size_bytes(app)
    assert size["total"] < 150_000, f"the app shell grew to {size['total']} bytes: {size['files']}"


# --- The offline page --------------------------------------------------------------


def test_the_offline_page_has_the_emergency_numbers_and_no_session(browser):
    browser.login_as("patient")
    response = browser.client.get("/offline")
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert page.h1.get_text(strip=True) == "Du er uten nett"
    numbers = {a["href"] for a in page.select("a[href^='tel:']")}
    assert {"tel:113", "tel:116117", "tel:112", "tel:116123"} <= numbers
    assert not page.select("form"), "a kept copy must not carry a form or CSRF token"
    html = response.get_data(as_text=True)
    assert "Sigrid" not in html and "csrf" not in html.lower()
    scripts = page.select("script")
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    assert scripts and all(s.get("nonce") == nonce for s in scripts)


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_the_service_worker_asks_for_the_offline_page_in_a_language_without_cookies(client, lang):
    page = BeautifulSoup(client.get(f"/offline?lang={lang}").get_data(as_text=True), "html.parser")
    assert page.html["lang"] == lang


@pytest.mark.parametrize("url", ["/manifest.webmanifest", "/service-worker.js", "/offline"])
def test_public_pwa_files_say_nothing_about_who_is_logged_in(browser, sigrid_plan, url):
    anonymous = browser.client.get(url).get_data(as_text=True)
    browser.login_as("patient")
    logged_in = browser.client.get(url).get_data(as_text=True)
    for private in ("Sigrid", "Holm", str(sigrid_plan.public_id)):
        assert private not in logged_in
    if url != "/offline":  # the offline page's nonce differs per request
        assert anonymous == logged_in


# --- Every page: the manifest, the script, the device owner ----------------------------


def test_every_page_links_the_manifest_and_loads_the_service_worker_script(browser):
    page = browser.get("/login")
    assert page.select_one("link[rel=manifest]")["href"] == "/manifest.webmanifest"
    assert page.select_one("meta[name=theme-color]")["content"] == pwa.THEME_COLOUR
    assert page.select_one("link[rel=apple-touch-icon]")
    script = page.select_one("script[type=module]")
    # Content-hashed when `make bootstrap` has built the assets (patient_app/assets.py).
    assert re.fullmatch(r"/static/(dist/js/app\.[0-9a-f]{10}|js/app)\.js", script["src"])
    assert page.select_one("[data-update-banner]").has_attr("hidden")


def test_the_device_owner_is_opaque_and_differs_per_person(browser, app):
    assert browser.get("/login").select_one("meta[name=min-plan-device-owner]")["content"] == ""
    sigrid = browser.login_as("patient")
    first = browser.get("/settings").select_one("meta[name=min-plan-device-owner]")["content"]
    browser.login_as("relative")
    second = browser.get("/settings").select_one("meta[name=min-plan-device-owner]")["content"]
    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second
    assert str(sigrid.public_id).replace("-", "") not in first


# --- Keeping the crisis plan on the phone ------------------------------------------------


def keep_switches(page) -> list[dict]:
    return [
        {"plan": s["data-plan"], "items": json.loads(s["data-items"])}
        for s in page.select("[data-keep-offline]")
    ]


def test_the_patient_can_keep_her_crisis_plan_and_contacts(browser, sigrid_plan):
    browser.login_as("patient")
    page = browser.get(f"/plan/{sigrid_plan.public_id}/crisis-plan")
    [switch] = keep_switches(page)
    assert [item["url"] for item in switch["items"]] == [
        f"/plan/{sigrid_plan.public_id}/crisis-plan",
        f"/plan/{sigrid_plan.public_id}/contacts",
    ]
    section = page.select_one("[data-keep-offline]")
    assert section.has_attr("hidden"), "shown by JavaScript only when there is a service worker"
    label = section.select_one("label").get_text(strip=True)
    assert label == "Ha kriseplanen tilgjengelig uten nett på denne telefonen"
    assert section.select_one("input[type=checkbox][role=switch]")["id"] == section.select_one("label")["for"]


def test_a_guardian_can_keep_the_childs_crisis_plan(browser, emil_plan):
    browser.login_as("guardian1")
    [switch] = keep_switches(browser.get(f"/plan/{emil_plan.public_id}/crisis-plan"))
    assert switch["items"][0]["label"] == "Kriseplanen til Emil"


def test_the_coordinator_cannot_keep_other_peoples_crisis_plans(browser, sigrid_plan):
    browser.login_as("coordinator")
    assert keep_switches(browser.get(f"/plan/{sigrid_plan.public_id}/crisis-plan")) == []
    assert keep_switches(browser.get("/settings")) == []


def test_a_relative_cannot_keep_a_copy(browser):
    browser.login_as("relative")
    assert keep_switches(browser.get("/settings")) == []


def test_the_settings_page_offers_install_keep_and_notifications(browser, sigrid_plan):
    browser.login_as("patient")
    page = browser.get("/settings")
    assert page.h1.get_text(strip=True) == "Innstillinger"
    assert page.select_one("[data-install-button]")
    ios = page.select_one("[data-install-ios]")
    assert "Legg til på Hjem-skjerm" in ios.get_text() and ios.select("svg[aria-hidden=true]")
    assert [s["plan"] for s in keep_switches(page)] == [str(sigrid_plan.public_id)]
    assert page.select_one("a[href='/settings/notifications']")


def test_the_footer_links_to_settings_only_when_logged_in(browser):
    assert not browser.get("/login").select_one("footer a[href='/settings']")
    browser.login_as("patient")
    assert browser.get("/settings").select_one("footer a[href='/settings']")


def test_the_crisis_plan_shortcut_goes_to_ones_own_crisis_plan(browser, sigrid_plan, emil_plan):
    browser.login_as("patient")
    response = browser.client.get("/crisis-plan")
    assert response.headers["Location"] == f"/plan/{sigrid_plan.public_id}/crisis-plan"
    browser.login_as("guardian1")
    assert browser.client.get("/crisis-plan").headers["Location"] == f"/plan/{emil_plan.public_id}/crisis-plan"
    browser.login_as("relative")
    assert browser.client.get("/crisis-plan").headers["Location"] == "/plans"
