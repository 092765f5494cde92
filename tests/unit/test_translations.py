"""The nynorsk and English catalogues are complete, safe to format and up to date with the code.

Bokmål is the source language (the msgids), so it has no catalogue.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "patient_app" / "translations"
LANGUAGES = ("nn", "en")

# %(name)s, and the rarer %(count)d and friends.
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


def read_catalogue(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def catalogue(language: str):
    return read_catalogue(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po")


def texts(value) -> tuple[str, ...]:
    """A msgid or msgstr as a tuple: plural messages already are one."""
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def key(message) -> tuple[str, str | None]:
    return texts(message.id)[0], message.context


def messages(cat):
    return [message for message in cat if message.id]


def listing(items) -> str:
    return "\n".join(f"  {item!r}" for item in items)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """What ``make translations-update`` would extract from the code right now."""
    pot = tmp_path_factory.mktemp("extract") / "messages.pot"
    result = subprocess.run(
        [
            sys.executable, "-m", "babel.messages.frontend", "--quiet", "extract",
            "-F", "babel.cfg", "-k", "_l", "-o", str(pot), "--no-location", "--sort-output", ".",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"pybabel extract failed:\n{result.stdout}\n{result.stderr}"
    return read_catalogue(pot)


def jinja_extensions_from_babel_cfg() -> list[str]:
    """The Jinja extensions babel.cfg gives the extractor (``extensions = ...`` under ``[jinja2: ...]``)."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle, "babel.cfg")
    extensions = {"jinja2.ext.i18n"}
    for pattern, method in method_map:
        if method == "jinja2" or method.endswith("babel_extract"):
            for name in options_map.get(pattern, {}).get("extensions", "").split(","):
                if name.strip():
                    extensions.add(name.strip())
    return sorted(extensions)


def test_every_template_can_be_read_by_the_extractor():
    """Babel's Jinja extractor skips a template it cannot parse without a word, so its texts
    would silently be missing from the catalogues."""
    extensions = jinja_extensions_from_babel_cfg()
    environment = jinja2.Environment(extensions=extensions)  # as the extractor builds it
    broken = []
    for template in sorted((ROOT / "patient_app" / "templates").rglob("*.html")):
        try:
            environment.parse(template.read_text(encoding="utf-8"))
        except jinja2.TemplateSyntaxError as error:
            broken.append(f"{template.relative_to(ROOT)}:{error.lineno}: {error.message}")
    assert not broken, (
        f"The text extractor (Jinja with {', '.join(extensions)}) cannot parse these templates, so their "
        "texts never reach the catalogues. Fix the template, or, if it uses a Jinja extension the app "
        "enables (app.jinja_env.add_extension), add it to babel.cfg under [jinja2: ...] as "
        "`extensions = jinja2.ext.do` (comma-separated):\n" + listing(broken)
    )


def test_extraction_finds_the_texts(extracted):
    """Guards the up-to-date test against an extraction that silently finds nothing."""
    ids = {key(message)[0] for message in messages(extracted)}
    assert {"Logg ut", "Kriseplan", "Oversikt"} <= ids, "babel.cfg no longer finds the templates or _l() texts"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_checked(language):
    cat = catalogue(language)
    assert not cat.fuzzy, f"the {language} catalogue header is marked fuzzy: pybabel compile would skip it"
    untranslated = [message.id for message in messages(cat) if not all(texts(message.string))]
    fuzzy = [message.id for message in messages(cat) if message.fuzzy]
    problems = []
    if untranslated:
        problems.append(f"{len(untranslated)} message(s) without a {language} translation:\n{listing(untranslated)}")
    if fuzzy:
        problems.append(f"{len(fuzzy)} message(s) marked fuzzy in {language} (check them, then remove the flag):\n{listing(fuzzy)}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_match(language):
    wrong = []
    for message in messages(catalogue(language)):
        wanted = {name for text in texts(message.id) for name in PLACEHOLDER.findall(text)}
        for translation in texts(message.string):
            if not translation:
                continue  # reported by the test above
            found = set(PLACEHOLDER.findall(translation))
            if found != wanted:
                wrong.append(f"{message.id!r} -> {translation!r}: expected {sorted(wanted)}, found {sorted(found)}")
    assert not wrong, f"placeholders differ between msgid and {language} msgstr:\n" + "\n".join(
        f"  {line}" for line in wrong
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_up_to_date_with_the_code(language, extracted):
    known = {key(message) for message in messages(catalogue(language))}
    missing = sorted(
        {key(message) for message in messages(extracted)} - known,
        key=lambda item: (item[0], item[1] or ""),
    )
    assert not missing, (
        f"{len(missing)} text(s) in the code are missing from the {language} catalogue. "
        "Run `make translations-update`, then translate the new entries in "
        f"patient_app/translations/{language}/LC_MESSAGES/messages.po:\n"
        + listing(msgid if context is None else f"{context}|{msgid}" for msgid, context in missing)
    )
