"""Static files with content hashes, cached for a year, and compressed responses.

Each test builds into its own copy of patient_app/static (``built``), so the
result does not depend on whether `make bootstrap` has run here.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from patient_app import assets, security

STATIC = Path(assets.__file__).resolve().parent / "static"
IMMUTABLE = "public, max-age=31536000, immutable"
GZIP = {"Accept-Encoding": "gzip, deflate, br"}


@pytest.fixture
def static_copy(app, tmp_path, monkeypatch) -> Path:
    """The app's static files, without any earlier build, in a folder of this test's own."""
    copy = tmp_path / "static"
    shutil.copytree(STATIC, copy, ignore=shutil.ignore_patterns(assets.DIST))
    monkeypatch.setattr(app, "static_folder", str(copy))
    return copy


@pytest.fixture
def built(static_copy) -> dict:
    return assets.build(static_copy)["files"]


def body_of(response) -> bytes:
    response.direct_passthrough = False  # file responses: read the file into the body
    data = response.get_data()
    response.close()
    return data


def linked(page: BeautifulSoup) -> list[str]:
    return [tag.get("href") or tag.get("src") for tag in page.select("link[href^='/static/'], script[src^='/static/']")]


# --- The build -----------------------------------------------------------------------


def test_build_names_files_by_their_content_and_writes_a_manifest(static_copy, built):
    entry = built["css/app.css"]
    assert re.fullmatch(r"dist/css/app\.[0-9a-f]{10}\.css", entry["hashed"])
    assert (static_copy / entry["hashed"]).read_bytes() == (static_copy / "css/app.css").read_bytes()
    assert gzip.decompress((static_copy / (entry["hashed"] + ".gz")).read_bytes()) == (static_copy / "css/app.css").read_bytes()
    manifest = json.loads((static_copy / "dist" / "manifest.json").read_text())
    assert manifest["files"]["css/app.css"] == entry
    assert not entry["depends"]
    # PNGs are already compressed: no gzip copy.
    assert not built["icons/icon-192.png"]["gzip"]


def test_build_is_repeatable_and_removes_files_of_earlier_builds(static_copy, built):
    before = sorted(p.relative_to(static_copy).as_posix() for p in (static_copy / "dist").rglob("*"))
    assert assets.build(static_copy)["files"] == built
    (static_copy / "css/app.css").write_text("".join(f".c{n} {{ color: black }}\n" for n in range(200)))
    rebuilt = assets.build(static_copy)["files"]
    assert rebuilt["css/app.css"]["hashed"] != built["css/app.css"]["hashed"]
    assert not (static_copy / built["css/app.css"]["hashed"]).exists(), "the old hashed file is removed"
    after = sorted(p.relative_to(static_copy).as_posix() for p in (static_copy / "dist").rglob("*"))
    assert len(after) == len(before)


def test_modules_import_the_hashed_names_so_a_change_in_one_renames_its_importers(static_copy, built):
    app_js = (static_copy / built["js/app.js"]["hashed"]).read_text()
    sw_client = Path(built["js/sw-client.js"]["hashed"]).name
    assert f'from "./{sw_client}"' in app_js
    assert not re.search(r"""["']\./[a-z-]+\.js["']""", app_js), "every relative import is hashed"
    assert "js/sw-client.js" in built["js/app.js"]["depends"]
    # The plain file's gzip copy is of the plain file: linked when a module changed since the build.
    plain = gzip.decompress((static_copy / "dist/gz/js/app.js.gz").read_bytes())
    assert plain == (static_copy / "js/app.js").read_bytes()

    with open(static_copy / "js/sw-client.js", "a", encoding="utf-8") as handle:
        handle.write("\n// changed\n")
    rebuilt = assets.build(static_copy)["files"]
    assert rebuilt["js/app.js"]["hashed"] != built["js/app.js"]["hashed"]
    assert rebuilt["js/print.js"]["hashed"] == built["js/print.js"]["hashed"], "unrelated files keep their names"


def test_css_urls_are_rewritten_to_hashed_names(static_copy):
    (static_copy / "fonts").mkdir()
    (static_copy / "fonts/plain.woff2").write_bytes(b"not really a font")
    (static_copy / "css/fonts.css").write_text(
        '@font-face { src: url("../fonts/plain.woff2") format("woff2"); }\n'
        ".x { background: url(data:image/png;base64,AAAA) }\n"
    )
    files = assets.build(static_copy)["files"]
    css = (static_copy / files["css/fonts.css"]["hashed"]).read_text()
    assert f'url("../fonts/{Path(files["fonts/plain.woff2"]["hashed"]).name}")' in css
    assert "url(data:image/png;base64,AAAA)" in css


def test_the_build_command(app, static_copy):
    result = app.test_cli_runner().invoke(args=["build-assets"])
    assert result.exit_code == 0, result.output
    assert (static_copy / "dist" / "manifest.json").exists()


# --- asset() and the pages ---------------------------------------------------------------


def test_pages_link_hashed_files_when_built(browser, sigrid_plan, built):
    browser.login_as("patient")
    links = linked(browser.get(f"/plan/{sigrid_plan.public_id}/"))
    for name in ("css/app.css", "css/pwa.css", "vendor/htmx.min.js", "js/app.js"):
        assert "/static/" + built[name]["hashed"] in links, name
    assert not [link for link in links if "/dist/" not in link], "every static file is hashed"


def test_the_service_worker_precaches_the_hashed_modules_the_page_imports(browser, built, static_copy):
    """A repeat visit asks for no JavaScript: the shell holds exactly the names app.js imports."""
    source = browser.client.get("/service-worker.js").get_data(as_text=True)
    shell = json.loads(re.search(r"^const CONFIG = (\{.*\});$", source, re.M).group(1))["shell"]
    module_urls = {"/static/" + entry["hashed"] for name, entry in built.items() if name.startswith("js/")}
    assert module_urls <= set(shell)
    assert not [url for url in shell if url.startswith("/static/js/")], "no plain module names left"
    app_js = (static_copy / built["js/app.js"]["hashed"]).read_text()
    for imported in re.findall(r'(?:from|import)\s*"\./([^"]+)"', app_js):
        assert f"/static/dist/js/{imported}" in shell, imported


def test_without_a_build_pages_link_the_plain_files(browser, sigrid_plan, static_copy):
    assert "css/app.css" in assets.stale(str(static_copy))
    browser.login_as("patient")
    links = linked(browser.get(f"/plan/{sigrid_plan.public_id}/"))
    assert "/static/css/app.css" in links and "/static/vendor/htmx.min.js" in links
    assert not [link for link in links if "/dist/" in link]


def test_a_file_changed_since_the_build_is_linked_plain(app, static_copy, built):
    assert assets.stale(str(static_copy)) == []
    with app.test_request_context():
        assert assets.asset("js/app.js") == "/static/" + built["js/app.js"]["hashed"]
        with open(static_copy / "js/push.js", "a", encoding="utf-8") as handle:
            handle.write("\n// edited, not rebuilt\n")
        assert assets.asset("js/app.js") == "/static/js/app.js", "an imported module changed"
        assert assets.asset("js/push.js") == "/static/js/push.js"
        assert assets.asset("css/app.css") == "/static/" + built["css/app.css"]["hashed"]
        assert assets.asset("css/not-there.css") == "/static/css/not-there.css"
    assert assets.stale(str(static_copy)) == ["js/app.js", "js/push.js"], "app.js imports push.js"
    # ... and the plain file is served as it is now, not from the stale gzip copy.
    response = app.test_client().get("/static/js/push.js", headers=GZIP)
    assert "Content-Encoding" not in response.headers
    assert body_of(response).endswith(b"// edited, not rebuilt\n")


# --- Serving static files -------------------------------------------------------------------


def test_hashed_files_are_immutable_and_gzipped(app, static_copy, built):
    url = "/static/" + built["vendor/htmx.min.js"]["hashed"]
    client = app.test_client()
    response = client.get(url, headers=GZIP)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == IMMUTABLE
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.mimetype == "text/javascript"
    assert "Accept-Encoding" in response.vary
    compressed = body_of(response)
    original = (static_copy / "vendor/htmx.min.js").read_bytes()
    assert gzip.decompress(compressed) == original
    assert len(compressed) < len(original) / 2

    identity = client.get(url)
    assert "Content-Encoding" not in identity.headers
    assert identity.headers["Cache-Control"] == IMMUTABLE
    assert body_of(identity) == original

    image = client.get("/static/" + built["icons/icon-192.png"]["hashed"], headers=GZIP)
    assert image.headers["Cache-Control"] == IMMUTABLE and "Content-Encoding" not in image.headers
    image.close()


def test_plain_files_are_revalidated_and_gzipped(app, static_copy, built):
    response = app.test_client().get("/static/js/app.js", headers=GZIP)
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.vary
    assert gzip.decompress(body_of(response)) == (static_copy / "js/app.js").read_bytes()
    etag = response.headers["ETag"]
    again = app.test_client().get("/static/js/app.js", headers={**GZIP, "If-None-Match": etag})
    assert again.status_code == 304
    again.close()


def test_static_files_work_without_a_build(app, static_copy):
    response = app.test_client().get("/static/css/app.css", headers=GZIP)
    assert response.status_code == 200 and "Content-Encoding" not in response.headers
    assert body_of(response) == (static_copy / "css/app.css").read_bytes()


def test_static_files_set_no_cookie_and_do_not_vary_on_it(browser, built):
    for logged_in in (False, True):
        if logged_in:
            browser.login_as("patient")
        for url in ("/static/" + built["css/app.css"]["hashed"], "/static/js/app.js"):
            response = browser.client.get(url, headers=GZIP)
            assert "Set-Cookie" not in response.headers, url
            assert "Cookie" not in response.vary, f"{url}: Vary: Cookie keeps it out of shared caches"
            response.close()


def test_unknown_static_files_are_404(app, built):
    client = app.test_client()
    assert client.get("/static/dist/css/app.0000000000.css", headers=GZIP).status_code == 404
    assert client.get("/static/css/../../__init__.py", headers=GZIP).status_code == 404


# --- Compressed pages ---------------------------------------------------------------------


def test_pages_are_gzipped_when_the_browser_accepts_it(browser, sigrid_plan):
    browser.login_as("patient")
    url = f"/plan/{sigrid_plan.public_id}/"
    plain = browser.client.get(url)
    assert "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in plain.vary
    compressed = browser.client.get(url, headers={**GZIP, "Sec-Fetch-Site": "same-origin"})
    assert compressed.headers["Content-Encoding"] == "gzip"
    assert compressed.headers["Cache-Control"] == "no-store"
    assert {"Cookie", "Accept-Encoding"} <= set(compressed.vary)
    html = gzip.decompress(compressed.get_data())
    assert int(compressed.headers["Content-Length"]) == len(compressed.get_data()) < len(html) / 2
    assert BeautifulSoup(html, "html.parser").select_one("h1")


def test_a_logged_in_page_opened_from_another_site_is_not_compressed(browser, sigrid_plan):
    """BREACH: another site may make the browser ask for a page with input it chose."""
    browser.login_as("patient")
    url = f"/plan/{sigrid_plan.public_id}/?next=guess"
    for site in ("cross-site", "same-site"):
        response = browser.client.get(url, headers={**GZIP, "Sec-Fetch-Site": site})
        assert "Content-Encoding" not in response.headers, site
    typed = browser.client.get(url, headers={**GZIP, "Sec-Fetch-Site": "none"})
    assert typed.headers["Content-Encoding"] == "gzip"
    # Logged out, a page from a link on another site is compressed: it holds no health data.
    logged_out = browser.app.test_client().get("/about-individual-plan", headers={**GZIP, "Sec-Fetch-Site": "cross-site"})
    assert logged_out.headers["Content-Encoding"] == "gzip"


def test_the_service_worker_and_manifest_are_compressed(client):
    for url in ("/service-worker.js", "/manifest.webmanifest"):
        response = client.get(url, headers=GZIP)
        body = response.get_data()
        if len(body) >= security.MIN_COMPRESSED_BYTES:
            assert response.headers["Content-Encoding"] == "gzip", url
            gzip.decompress(body)


def test_small_empty_and_streamed_answers_are_left_alone(app):
    from flask import Response

    with app.test_request_context(headers=GZIP):
        small = security.compress_response(Response("<p>kort</p>", mimetype="text/html"))
        assert "Content-Encoding" not in small.headers and small.get_data() == b"<p>kort</p>"
        empty = security.compress_response(Response(status=204))
        assert "Content-Encoding" not in empty.headers
        streamed = security.compress_response(Response((part for part in ["<p>", "x" * 5000, "</p>"]), mimetype="text/html"))
        assert "Content-Encoding" not in streamed.headers
        image = security.compress_response(Response(b"\x89PNG" + b"0" * 5000, mimetype="image/png"))
        assert "Content-Encoding" not in image.headers
        already = Response(b"x" * 5000, mimetype="text/html", headers={"Content-Encoding": "br"})
        assert security.compress_response(already).headers["Content-Encoding"] == "br"
    with app.test_request_context(headers={"Accept-Encoding": "gzip;q=0, identity"}):
        refused = security.compress_response(Response("x" * 5000, mimetype="text/html"))
        assert "Content-Encoding" not in refused.headers
        assert "Accept-Encoding" in refused.vary
