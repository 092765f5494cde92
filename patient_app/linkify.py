"""Make web addresses in text people wrote clickable, and nothing else.

The text is split into plain parts and addresses on the raw string, and each
part is escaped on its own; no markup the writer typed can survive. Only
http and https addresses become links, so ``javascript:`` and ``data:`` stay
plain text.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from markupsafe import Markup, escape

# An address runs until whitespace, a quote or an angle bracket.
_ADDRESS = re.compile(r"""\bhttps?://[^\s<>"'`]+""", re.IGNORECASE)
# Punctuation that ends a sentence, not an address: "Se https://x.no."
_TRAILING = ".,;:!?»”’)]}"


def _trim(candidate: str) -> str:
    while candidate and candidate[-1] in _TRAILING:
        closing = candidate[-1]
        opening = {")": "(", "]": "[", "}": "{"}.get(closing)
        # Keep a closing bracket that belongs to the address, as in Wikipedia links.
        if opening and candidate.count(opening) >= candidate.count(closing):
            break
        candidate = candidate[:-1]
    return candidate


def _is_web_address(candidate: str) -> bool:
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return False
    return parts.scheme.lower() in {"http", "https"} and bool(parts.hostname)


def linkify(text: str | None) -> Markup:
    """Escaped text with http(s) addresses as links that open without sending a referrer."""
    if not text:
        return Markup("")
    pieces: list[str] = []
    position = 0
    for match in _ADDRESS.finditer(text):
        address = _trim(match.group(0))
        if not _is_web_address(address):
            continue
        start, end = match.start(), match.start() + len(address)
        pieces.append(escape(text[position:start]))
        pieces.append(
            Markup('<a href="{0}" rel="noopener noreferrer">{1}</a>').format(address, address)
        )
        position = end
    pieces.append(escape(text[position:]))
    return Markup("").join(pieces)


def has_space_or_control(address: str) -> bool:
    """A stored address is one unbroken string: a space, tab or line break (which urlsplit silently
    drops before it looks) makes it two lines in a calendar file, or a header of its own."""
    return any(character.isspace() or not character.isprintable() for character in address)
