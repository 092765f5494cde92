"""The W3C's HTML checker (the Nu Html Checker, vnu.jar from the vnu-jar npm package), run
once over a folder of pages: starting Java costs seconds, checking a page milliseconds.

vnu is the checker validator.w3.org runs, so "valid" here means what it means there.
It needs Java: `make test` installs Debian's default-jre-headless (`make java`).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

REPO = Path(__file__).resolve().parents[2]
VNU_JAR = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def java() -> str | None:
    return shutil.which("java")


def file_name(label: str) -> str:
    """A file name for a page's label ("patient /plan/3"), readable in the report."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", label).strip("_") + ".html"


def validate(pages: dict[str, str], folder: Path) -> dict[str, list[str]]:
    """{label: html} -> {label: ["line 12: message (extract)", ...]} for the pages with errors.

    Warnings ("info" messages) are left out: the standard's conformance is its errors.
    """
    folder.mkdir(parents=True, exist_ok=True)
    by_file = {}
    for label, html in pages.items():
        path = folder / file_name(label)
        assert path.name not in by_file, f"two pages would share {path.name}"
        path.write_text(html, encoding="utf-8")
        by_file[path.name] = label
    result = subprocess.run(
        [java(), "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always",
         *(str(folder / name) for name in by_file)],
        capture_output=True, text=True, timeout=300, check=True,
    )
    errors: dict[str, list[str]] = {}
    # vnu writes its report to stdout with --format json (older versions: stderr).
    for message in json.loads(result.stdout.strip() or result.stderr)["messages"]:
        if message["type"] not in ("error", "non-document-error"):
            continue
        label = by_file.get(Path(unquote(urlsplit(message.get("url", "")).path)).name, "?")
        where = f"line {message['lastLine']}: " if "lastLine" in message else ""
        extract = message.get("extract", "").replace("\n", " ").strip()
        errors.setdefault(label, []).append(f"{where}{message['message']}  [{extract}]")
    return errors


def describe(errors: dict[str, list[str]]) -> str:
    count = sum(len(found) for found in errors.values())
    lines = [f"{count} HTML errors on {len(errors)} pages (W3C Nu Html Checker):"]
    for label, found in sorted(errors.items()):
        lines.append(f"{label}:")
        lines += [f"    {error}" for error in found]
    return "\n".join(lines)
