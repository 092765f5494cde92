"""Static files with content hashes in their names, compressed ahead of time.

``flask build-assets`` (run by ``make bootstrap``) copies every file in
static/ to static/dist/ under a name that carries a hash of its content
(``css/app.css`` -> ``dist/css/app.1a2b3c4d5e.css``), writes a gzip copy next
to each text file, and records it all in ``static/dist/manifest.json``.

Templates link files with ``asset('css/app.css')``: the hashed URL, or the
plain static URL when there is no manifest or the file (or a module it
imports) has changed since the build. Nothing breaks without a build; pages
are only slower.

How files are served (``serve_static`` replaces Flask's static view, same URL):

- hashed files: ``Cache-Control: public, max-age=31536000, immutable``. Their
  name changes with their content, so a browser never needs to ask again;
- plain files: Flask's ``no-cache`` (revalidated with ETag). Linked only
  without a build, or for a file changed since it;
- both: the gzip copy to clients that accept it, with ``Vary: Accept-Encoding``.

JavaScript modules import each other by relative path, and CSS may point at
fonts or images with ``url()``; the build rewrites those references in the
hashed copies to the hashed names (leaves first). A hashed module therefore
never loads an unhashed one, and changing a module changes the hash of every
module that imports it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import mimetypes
import os
import re
from pathlib import Path, PurePosixPath

import click
from flask import Flask, current_app, request, send_from_directory, url_for

DIST = "dist"
MANIFEST = "manifest.json"
PLAIN_GZIP = "gz"  # dist/gz/<name>.gz: gzip copies of the plain (unhashed) files
HASH_LENGTH = 10
IMMUTABLE = "public, max-age=31536000, immutable"
COMPRESSIBLE_SUFFIXES = {".css", ".js", ".mjs", ".json", ".webmanifest", ".svg", ".txt", ".html", ".map", ".xml"}
GZIP_LEVEL = 9  # done once at build time: the smallest file is worth the CPU

# References the build rewrites to hashed names: relative imports in JavaScript
# (import … from "./x.js", import "./x.js", import("./x.js"), export … from "./x.js"),
# and relative url(…) / @import in CSS.
_JS_REFERENCE = re.compile(r"""(?P<before>\b(?:from|import)\s*\(?\s*)(?P<quote>["'])(?P<ref>\.{1,2}/[^"'\n]+)(?P=quote)""")
_CSS_REFERENCE = re.compile(
    r"""(?P<before>url\(\s*|@import\s+)(?P<quote>["']?)(?P<ref>(?!data:|[a-z]+:|/|#)[^"')\s?#]+)(?P=quote)"""
)


# --- The build ---------------------------------------------------------------------


class BuildError(click.ClickException):
    pass


def source_files(static: Path) -> list[str]:
    """Every file in static/ that gets a hashed copy, as posix paths relative to static/."""
    names = []
    for path in sorted(static.rglob("*")):
        relative = path.relative_to(static).as_posix()
        if not path.is_file() or relative.split("/", 1)[0] == DIST or any(part.startswith(".") for part in relative.split("/")):
            continue
        names.append(relative)
    return names


def _references(name: str, text: str) -> tuple[re.Pattern, list[str]] | None:
    suffix = PurePosixPath(name).suffix
    pattern = _JS_REFERENCE if suffix in (".js", ".mjs") else _CSS_REFERENCE if suffix == ".css" else None
    if pattern is None:
        return None
    return pattern, [_resolve(name, match["ref"]) for match in pattern.finditer(text)]


def _resolve(name: str, reference: str) -> str:
    return os.path.normpath(str(PurePosixPath(name).parent / reference)).replace(os.sep, "/")


def _hashed_name(name: str, content: bytes) -> str:
    path = PurePosixPath(name)
    digest = hashlib.sha256(content).hexdigest()[:HASH_LENGTH]
    return str(path.with_name(f"{path.stem}.{digest}{path.suffix}"))


def build(static: Path) -> dict:
    """Write static/dist/ and its manifest; returns the manifest. Safe to run again."""
    static = Path(static)
    dist = static / DIST
    names = source_files(static)
    known = set(names)
    hashed: dict[str, str] = {}  # logical name -> hashed name (relative to dist/)
    contents: dict[str, bytes] = {}
    originals: dict[str, tuple[bytes, os.stat_result]] = {}
    depends: dict[str, set[str]] = {}

    def visit(name: str, trail: tuple[str, ...] = ()) -> None:
        if name in hashed:
            return
        if name in trail:
            raise BuildError("import cycle: " + " -> ".join(trail + (name,)))
        stat = (static / name).stat()  # before reading: a later change must look stale, never fresh
        raw = (static / name).read_bytes()
        originals[name] = (raw, stat)
        content = raw
        found = None
        if PurePosixPath(name).suffix in (".js", ".mjs", ".css"):
            text = raw.decode("utf-8")
            found = _references(name, text)
        direct = {ref for ref in (found[1] if found else []) if ref in known}
        for dependency in sorted(direct):
            visit(dependency, trail + (name,))
        if found and direct:
            pattern = found[0]

            def rewrite(match: re.Match) -> str:
                target = _resolve(name, match["ref"])
                if target not in hashed:
                    return match[0]
                new_ref = match["ref"].rsplit("/", 1)[0] + "/" + PurePosixPath(hashed[target]).name
                return f"{match['before']}{match['quote']}{new_ref}{match['quote']}"

            content = pattern.sub(rewrite, text).encode("utf-8")
        depends[name] = direct | {deep for d in direct for deep in depends[d]}
        hashed[name] = _hashed_name(name, content)
        contents[name] = content

    for name in names:
        visit(name)

    dist.mkdir(parents=True, exist_ok=True)
    files: dict[str, dict] = {}
    written: set[str] = {MANIFEST}
    for name in names:
        plain, stat = originals[name]
        entry = {
            "hashed": f"{DIST}/{hashed[name]}",
            "size": stat.st_size,
            "mtime_ns": stat.st_mtime_ns,
            "depends": sorted(depends[name]),
            "gzip": False,
        }
        _write(dist / hashed[name], contents[name])
        written.add(hashed[name])
        if PurePosixPath(name).suffix in COMPRESSIBLE_SUFFIXES:
            compressed = gzip.compress(contents[name], GZIP_LEVEL, mtime=0)
            if len(compressed) < len(contents[name]):
                _write(dist / (hashed[name] + ".gz"), compressed)
                written.add(hashed[name] + ".gz")
                entry["gzip"] = True
                plain_gz = compressed if plain == contents[name] else gzip.compress(plain, GZIP_LEVEL, mtime=0)
                _write(dist / PLAIN_GZIP / (name + ".gz"), plain_gz)
                written.add(f"{PLAIN_GZIP}/{name}.gz")
        files[name] = entry

    manifest = {"version": 1, "files": files}
    temporary = dist / (MANIFEST + ".tmp")
    temporary.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(temporary, dist / MANIFEST)
    # Files of earlier builds go (their pages are gone too).
    for path in sorted(dist.rglob("*"), reverse=True):
        relative = path.relative_to(dist).as_posix()
        if path.is_file() and relative not in written:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return manifest


def _write(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_bytes() == content:
        return
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(content)
    os.replace(temporary, path)


# --- Reading the manifest -------------------------------------------------------------

_cache: dict[str, tuple[tuple[int, int], dict, set[str]]] = {}


def manifest(static_folder: str | None = None) -> dict:
    """The manifest's files ({} without a build); re-read when the build writes a new one."""
    return _load(static_folder or current_app.static_folder)[0]


def _load(static_folder: str) -> tuple[dict, set[str]]:
    path = os.path.join(static_folder, DIST, MANIFEST)
    try:
        stat = os.stat(path)
    except OSError:
        return {}, set()
    key = (stat.st_mtime_ns, stat.st_size)
    cached = _cache.get(path)
    if cached is None or cached[0] != key:
        try:
            with open(path, encoding="utf-8") as handle:
                files = json.load(handle).get("files", {})
        except (OSError, ValueError):
            files = {}
        cached = (key, files, {entry["hashed"] for entry in files.values()})
        _cache[path] = cached
    return cached[1], cached[2]


def _fresh(static_folder: str, files: dict, name: str, *, with_imports: bool = True) -> bool:
    """The file (and, with_imports, everything it imports) is as it was at build time."""
    for each in (name, *files[name]["depends"]) if with_imports else (name,):
        entry = files.get(each)
        try:
            stat = os.stat(os.path.join(static_folder, each))
        except OSError:
            return False
        if entry is None or stat.st_size != entry["size"] or stat.st_mtime_ns != entry["mtime_ns"]:
            return False
    return True


def stale(static_folder: str) -> list[str]:
    """Files added or changed since the last build (all of them without a build)."""
    files, _hashed = _load(static_folder)
    names = source_files(Path(static_folder))
    return [name for name in names if name not in files or not _fresh(static_folder, files, name)]


def asset(name: str) -> str:
    """The URL of a static file: hashed when built and unchanged, else the plain static URL."""
    static_folder = current_app.static_folder
    files, _hashed = _load(static_folder)
    if name in files and _fresh(static_folder, files, name):
        return url_for("static", filename=files[name]["hashed"])
    return url_for("static", filename=name)


# --- Serving ---------------------------------------------------------------------------


def _accepts_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0


def serve_static(filename: str):
    """Flask's static view, plus immutable caching of hashed files and the gzip copies."""
    static_folder = current_app.static_folder
    files, hashed_names = _load(static_folder)
    name = filename.replace("\\", "/")
    compressible = PurePosixPath(name).suffix in COMPRESSIBLE_SUFFIXES
    immutable = name in hashed_names
    send = name
    if compressible and _accepts_gzip():
        if immutable:
            candidate = name + ".gz"
        elif name in files and files[name]["gzip"] and _fresh(static_folder, files, name, with_imports=False):
            candidate = f"{DIST}/{PLAIN_GZIP}/{name}.gz"
        else:
            candidate = None
        if candidate and os.path.isfile(os.path.join(static_folder, candidate)):
            send = candidate
    if send == name:
        response = current_app.send_static_file(name)
    else:
        mimetype = mimetypes.guess_type(PurePosixPath(name).name)[0] or "application/octet-stream"
        response = send_from_directory(
            static_folder, send, mimetype=mimetype, download_name=PurePosixPath(name).name,
            max_age=current_app.get_send_file_max_age(name),
        )
        response.headers["Content-Encoding"] = "gzip"
    if immutable:
        response.headers["Cache-Control"] = IMMUTABLE
    if compressible:
        response.vary.add("Accept-Encoding")
    return response


# --- Wiring -----------------------------------------------------------------------------


def init_app(app: Flask) -> None:
    if "static" in app.view_functions:
        app.view_functions["static"] = serve_static
    app.jinja_env.globals["asset"] = asset

    @app.cli.command("build-assets")
    def build_assets_command():
        """Copy static files to static/dist/ with content hashes in their names, gzip them, write the manifest."""
        result = build(Path(app.static_folder))
        files = result["files"]
        compressed = sum(1 for entry in files.values() if entry["gzip"])
        click.echo(f"{len(files)} static files hashed into {Path(app.static_folder) / DIST} ({compressed} gzipped).")
