"""Text normalisation and the list of non-reporting lines we drop.

Normalisation repairs mojibake that ftfy can repair and keeps everything else verbatim (curly quotes
included: gold evidence and quotes are matched by exact text). The boilerplate list is data, tested in
tests/test_cleaning.py; add a pattern there rather than special-casing an article.
"""
from __future__ import annotations

import re
import unicodedata

import ftfy

# Whole lines/paragraphs that are page furniture, not reporting.
BOILERPLATE_PATTERNS = [
    r"(sign up|register) (now )?(for|to get) (free|unlimited)\b.*",
    r"(read more|read the full story|continue reading|click here.*)",
    r"leave a (comment|reply)",
    r"our standards:.*trust principles\.?",
    r".*\bthomson reuters trust principles\.?",
    r"(advertisement|story continues below( advertisement)?|sponsored content)",
    r"(share|share this( article| story)?|follow us on .*|subscribe( now| to .*)?)",
    r"(all rights reserved\.?|(copyright|©) .*)",
    r"(related|recommended)( stories| articles| coverage)?:?",
    r"(photo|image|video)( credit)?:.*",
    r"we use cookies.*",
]
_BOILERPLATE = re.compile(r"^\s*(?:" + "|".join(BOILERPLATE_PATTERNS) + r")\s*$", re.IGNORECASE)
# A trailing "read more" link label glued to a real paragraph ("… very expensive. read more").
_TRAILING_LINK = re.compile(r"\s*\b(read more|click here)\s*$", re.IGNORECASE)
# Credits that close an article; kept as the byline, not as body text.
_CREDITS = re.compile(
    r"^(?:(?:additional )?reporting by|information from|written by|writing by|edited by|editing by|compiled by)"
    r"|contributed to this report", re.IGNORECASE)
# Case matters here: "Nick Ciolino covers the White House." but not "Pretty Woman is a 1990 film".
_BYLINE = re.compile(r"^(?:By [A-Z][\w.'-]+(?: [A-Z][\w.'-]+)+$|[A-Z][a-z'-]+(?: [A-Z][a-z'-]+){1,2} "
                     r"(?:covers|reports on|writes about|is a (?:correspondent|reporter|writer|journalist)))")
_PERSON_NAME = re.compile(r"^[A-Z][a-z'-]+(?: [A-Z]\.?)?(?: [A-Z][a-z'-]+){1,2}$")
_PLAIN_ASCII = re.compile(r"[\x20-\x25\x27-\x7e\n\t\r]*")  # no "&": HTML entities go to ftfy
_FIXER = ftfy.TextFixerConfig(uncurl_quotes=False, fix_character_width=False, normalization="NFC")


def normalize(text: str) -> str:
    """Repair mojibake ftfy is sure of, NFC-normalise, and collapse runs of spaces and tabs."""
    if not _PLAIN_ASCII.fullmatch(text):  # printable ASCII has nothing to repair (ftfy is the slow part)
        text = ftfy.fix_text(text, _FIXER)
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"[ \t\u00a0]+", " ", text)
    return text.strip()


def is_boilerplate(line: str) -> bool:
    return bool(_BOILERPLATE.match(line.strip()))


def strip_trailing_link(text: str) -> str:
    return _TRAILING_LINK.sub("", text).rstrip()


def is_credit(line: str) -> bool:
    """True for bylines and credit lines ("Reporting by …", "Nick Ciolino covers the White House.")."""
    line = line.strip()
    return bool(_CREDITS.search(line) or _BYLINE.match(line) or _PERSON_NAME.match(line))


_WRITER = re.compile(r"^(?i:written by|writing by|by)\s+(?P<name>[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){1,3})")
_COVERS = re.compile(r"^(?P<name>[A-Z][a-z'-]+(?: [A-Z][a-z'-]+){1,2}) (?:covers|reports on|writes about|is a )")


def writer(credits: list[str]) -> str | None:
    """The article's writer from its credit lines: "Written by Paul Carrel" -> "Paul Carrel", else "By X", a
    bare name line or "Nick Ciolino covers …". Never "Information from …" or "Reporting by …": contributors."""
    parts = [part.strip() for line in credits for part in line.split(";")]
    for part in parts:
        if match := _WRITER.match(part):
            return match.group("name")
    for part in parts:
        if _PERSON_NAME.match(part):
            return part
        if match := _COVERS.match(part):
            return match.group("name")
    return None


def clean_blocks(blocks: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Split normalised blocks into (body, credits, dropped), dropping boilerplate wherever it stands.

    Credits are only taken from the end of the article, so a body sentence that happens to say
    "reporting by" is never lost.
    """
    body, dropped = [], []
    for block in blocks:
        block = normalize(block)
        if not block:
            continue
        if is_boilerplate(block):
            dropped.append(block)
            continue
        stripped = strip_trailing_link(block)
        if stripped != block:
            dropped.append(block[len(stripped):].strip())
        if stripped:
            body.append(stripped)
    credits = []
    while body and is_credit(body[-1]):
        credits.insert(0, body.pop())
    return body, credits, dropped
