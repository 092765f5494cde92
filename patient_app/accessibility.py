"""What the accessibility statement promises, in one place the tests read too."""

from __future__ import annotations

# Plain language: LIX at most this on every page's main text in bokmål,
# judged on pages with at least LIX_MIN_WORDS words (tests/views/test_plain_language.py).
LIX_LIMIT = 40
LIX_MIN_WORDS = 50
