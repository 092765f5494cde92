"""LIX (läsbarhetsindex, Björnsson 1968) over what a person reads in a page's <main>.

LIX = words / sentences + 100 × long words / words, where a long word has more
than six letters. Under 30 is very easy, 30–40 easy (the plain-language goal),
40–50 ordinary prose, over 50 hard.

How the text is cut up, and why:
- A word is a run of letters (hyphens inside it allowed: "e-post"). Numbers are
  not words: "kl. 10.00" is one word. Leaving them out makes LIX slightly higher,
  never lower.
- A sentence ends at ".", "!", "?" or ":" followed by a space or the end of the
  text (the colon is in Björnsson's definition). A full stop after a number
  ("3. desember") or after a short abbreviation ("kl.", "f.eks.") ends nothing.
- A block of its own (heading, paragraph, list item, table cell, label, button,
  and so on) is one unit even without a full stop: a heading "Mål" or a list item
  "Ring 113" is read as a whole and closed off on the screen. Counting it as a
  sentence is the honest reading of a page; running headings and list items
  together into one long "sentence" would make every list look hard, and
  splitting inside a block where there is no stop would make text look easier
  than it is. Inline elements (a link, <strong>, <time>) are part of the
  sentence around them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import Comment

LONG_WORD = 7  # letters; "more than six"

# Elements whose text is a unit of its own on the screen.
BLOCKS = {
    "address", "article", "aside", "blockquote", "button", "caption", "dd", "details", "div", "dl",
    "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "label", "legend", "li", "main", "nav", "ol", "option", "p", "pre", "section",
    "select", "summary", "table", "td", "textarea", "th", "tr", "ul",
}
# Not prose: scripts, the text a person is typing into a field, and <code> (file and test
# names on the accessibility statement; identifiers, not Norwegian).
SKIPPED = {"script", "style", "template", "noscript", "textarea", "select", "code"}

WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# A candidate sentence end: the token before it, then the mark, then a space or the end.
SENTENCE_END = re.compile(r"(\S*?)([.!?:]+)(?=\s|$)")
ABBREVIATIONS = {"kl", "f.eks", "bl.a", "ca", "nr", "tlf", "evt", "osv", "dvs", "mv", "e.g", "i.e", "etc", "jf"}


@dataclass(frozen=True)
class Readability:
    words: int
    sentences: int
    long_words: int

    @property
    def lix(self) -> float:
        if not self.words:
            return 0.0
        return self.words / max(self.sentences, 1) + 100 * self.long_words / self.words


def words_in(text: str) -> list[str]:
    return WORD.findall(text)


def sentence_end_positions(text: str) -> list[int]:
    """Where sentences end: at ". ! ? :" before a space or the end, except a full stop after an
    abbreviation ("kl.") or after a number followed by more of the sentence ("3. desember")."""
    ends = []
    for match in SENTENCE_END.finditer(text):
        before, mark = match.group(1), match.group(2)
        following = text[match.end():].lstrip()[:1]
        if mark == ".":
            if before.lower().lstrip("(") in ABBREVIATIONS:
                continue
            if before[-1:].isdigit() and following and not following.isupper():
                continue
        ends.append(match.end())
    return ends


def measure_units(units: list[str]) -> Readability:
    """``units``: the text of each block. The stretch after a unit's last stop (or the whole
    unit, without one) counts as a sentence too when it has words."""
    words = sentences = long_words = 0
    for unit in units:
        unit_words = words_in(unit)
        if not unit_words:
            continue
        words += len(unit_words)
        long_words += sum(1 for word in unit_words if len(word.replace("-", "")) >= LONG_WORD)
        ends = sentence_end_positions(unit)
        tail = unit[ends[-1]:] if ends else unit
        sentences += len(ends) + (1 if words_in(tail) else 0)
    return Readability(words, sentences, long_words)


def lix(text: str) -> float:
    """LIX of plain text, one unit (no blocks)."""
    return measure_units([text]).lix


@dataclass(frozen=True)
class Unit:
    text: str
    terms: frozenset[str]  # glossary words explained in it (<dfn> inside an element with data-term)


def block_units(element: Tag) -> list[Unit]:
    """The text of ``element``, cut at block boundaries: one unit per block."""
    units: list[Unit] = []
    current: list[str] = []
    terms: set[str] = set()

    def close():
        text = " ".join("".join(current).split())
        if text:
            units.append(Unit(text, frozenset(terms)))
        current.clear()
        terms.clear()

    def walk(node):
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                current.append(str(child))
            elif isinstance(child, Tag) and child.name not in SKIPPED:
                if child.name == "br":
                    current.append(" ")
                    continue
                block = child.name in BLOCKS
                if block:
                    close()
                if child.name == "dfn" and (owner := child.find_parent(attrs={"data-term": True})):
                    terms.add(owner["data-term"])
                walk(child)
                if block:
                    close()

    walk(element)
    close()
    return units


def block_texts(element: Tag) -> list[str]:
    return [unit.text for unit in block_units(element)]


def main_blocks(html: str) -> list[Unit]:
    main = BeautifulSoup(html, "html.parser").find("main")
    return block_units(main) if main else []


def main_units(html: str) -> list[str]:
    return [unit.text for unit in main_blocks(html)]
