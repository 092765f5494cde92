import re


def test_security_headers_are_exact(browser, sigrid_plan):
    browser.login_as("patient")
    response = browser.client.get(f"/plan/{sigrid_plan.public_id}/")
    headers = response.headers
    nonce = re.search(r"'nonce-([^']+)'", headers["Content-Security-Policy"]).group(1)
    assert headers["Content-Security-Policy"] == (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        "style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; "
        "manifest-src 'self'; worker-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    )
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cache-Control"] == "no-store"
    assert headers["Permissions-Policy"] == "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Strict-Transport-Security" not in headers, "HSTS belongs to HTTPS deployments, not local tests"


def test_https_deployments_send_hsts(tmp_path):
    """Wherever cookies are Secure (production refuses to start otherwise), browsers are told HTTPS only."""
    from patient_app import create_app
    from tests.conftest import TEST_CONFIG

    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/empty.sqlite",
                      "SESSION_COOKIE_SECURE": True})
    response = app.test_client().get("/login", base_url="https://min-plan.example")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_the_nonce_is_new_for_every_request(client):
    first = client.get("/login").headers["Content-Security-Policy"]
    second = client.get("/login").headers["Content-Security-Policy"]
    assert first != second


def test_every_script_tag_carries_the_nonce(browser):
    from bs4 import BeautifulSoup

    response = browser.client.get("/login")
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    scripts = page.select("script")
    assert scripts and all(s.get("nonce") == nonce for s in scripts)


def test_htmx_keeps_no_history_in_local_storage(browser):
    page = browser.get("/login")
    config = page.select_one("meta[name=htmx-config]")["content"]
    assert '"historyCacheSize": 0' in config


def test_csrf_token_reaches_htmx_through_body_headers(browser):
    page = browser.get("/login")
    assert "X-CSRFToken" in page.body["data-hx-headers"]


def test_no_cross_origin_access_is_granted(browser, sigrid_plan):
    """ASVS 14.5.3: no CORS headers, even when another origin asks, preflight or not."""
    browser.login_as("patient")
    other_origin = {"Origin": "https://evil.example"}
    page = browser.client.get(f"/plan/{sigrid_plan.public_id}/", headers=other_origin)
    preflight = browser.client.options(
        f"/plan/{sigrid_plan.public_id}/messages",
        headers={**other_origin, "Access-Control-Request-Method": "POST"},
    )
    for response in (page, preflight):
        assert not [name for name in response.headers.keys() if name.lower().startswith("access-control-")]


def test_no_repository_backup_or_source_files_are_served(client):
    """ASVS 4.3.2: what lies beside the app on disk is not reachable, whatever the path tries."""
    paths = [
        "/.git/config", "/.git/HEAD", "/.env", "/instance/dev-secrets.json", "/pyproject.toml",
        "/static/../config.py", "/static/../../instance/dev-secrets.json", "/static/%2e%2e/config.py",
        "/static/", "/static/js/", "/static/dist/", "/patient_app/config.py", "/config.py.bak", "/backup.sql",
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 404, f"{path} answered {response.status_code}"
        assert b"SECRET" not in response.data and b"[core]" not in response.data
