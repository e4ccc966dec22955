"""The identifying-details check of a good-practice copy (no database, no Flask).

A good-practice copy goes to the whole network without attribution, so before it is
scheduled the author sees what in it may still identify a council, a person or a
service. Hard findings block publishing: a council's name, short name or GSS code, an
email address, a phone number. Warnings are for the author to judge (the checklist they
confirm covers them): a web address, a number equal to a published figure of the visiting
council or the host (as shown, to the indicator's decimals), and two capitalised words
in a row (likely a person or a named service).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bench import messages

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# UK numbers: 0 or +44, then 9 or 10 more digits, in groups.
PHONE = re.compile(r"(?<![\w+(])(?:\+44|\(?0)[\s()-]*[0-9](?:[\s()-]*[0-9]){8,9}(?![0-9])")
URL = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]]+", re.IGNORECASE)
NUMBER = re.compile(
    r"(?<![\w.,])[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|(?<![\w.,])[0-9]+(?:\.[0-9]+)?"
)
TWO_NAMES = re.compile(r"\b([A-Z][a-z]+(?:-[A-Z][a-z]+)?)\s+([A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b")
# First words that begin sentences and headings far more often than names do.
COMMON_FIRST_WORDS = frozenset({
    "A", "An", "And", "As", "At", "But", "By", "For", "From", "How", "If", "In", "It", "Its",
    "Of", "On", "Once", "Or", "Our", "So", "That", "The", "Their", "Then", "There", "These",
    "They", "This", "Those", "To", "We", "What", "When", "Where", "Which", "While", "Who",
    "Why", "With", "You", "Your",
})  # fmt: skip


@dataclass(frozen=True)
class Finding:
    text: str
    message: str
    hard: bool


@dataclass(frozen=True)
class Findings:
    items: list[Finding]

    @property
    def hard(self) -> list[Finding]:
        return [finding for finding in self.items if finding.hard]

    @property
    def warnings(self) -> list[Finding]:
        return [finding for finding in self.items if not finding.hard]

    def __bool__(self) -> bool:
        return bool(self.items)


def _name_pattern(name: str) -> str:
    """A council's name as a whole word. Codes and full names in any case; a short name
    ("Reading", "Bury") only with its capital, so the everyday word is not a finding."""
    if " " in name or any(character.isdigit() for character in name):
        return rf"(?i:{re.escape(name)})"
    return rf"{re.escape(name[0])}(?i:{re.escape(name[1:])})"


def _authority_matcher(names: Iterable[str]) -> re.Pattern[str] | None:
    unique = sorted(set(names), key=len, reverse=True)  # longest first: "Bury" in "Bury St"
    if not unique:
        return None
    alternatives = "|".join(_name_pattern(name) for name in unique)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def _matches_figure(text: str, figures: list[tuple[float, int]]) -> bool:
    number = float(text.replace(",", ""))
    written = len(text.partition(".")[2])
    for value, decimals in figures:
        if abs(number - round(value, decimals)) < 1e-9:
            return True  # as bench shows it
        if written > decimals and abs(number - round(value, written)) < 1e-9:
            return True  # more precisely than bench shows it
    return False


def check(
    texts: Iterable[str], authority_names: Iterable[str], figures: Iterable[tuple[float, int]]
) -> Findings:
    """What in *texts* (the copy's title and body) may identify a council, a person or a
    service, each found once, in the order found: hard findings first.

    *authority_names*: every way the network's councils may be named
    (:func:`bench.visits.visibility.names_of`); *figures*: the visiting and host councils'
    published values with the decimals each is shown to.
    """
    matcher = _authority_matcher(authority_names)
    shown = list(figures)
    found: dict[tuple[str, str], Finding] = {}

    def add(text: str, message: str, *, hard: bool) -> None:
        found.setdefault((message, text), Finding(text, message.format(text=text), hard))

    for text in texts:
        named: list[str] = []
        if matcher is not None:
            for match in matcher.finditer(text):
                named.append(match.group(0))
                add(match.group(0), messages.FINDING_AUTHORITY, hard=True)
        for match in EMAIL.finditer(text):
            add(match.group(0), messages.FINDING_EMAIL, hard=True)
        # Addresses and emails are taken out before numbers and names are looked for.
        rest = URL.sub(" ", EMAIL.sub(" ", text))
        for match in PHONE.finditer(rest):
            add(match.group(0).strip(), messages.FINDING_PHONE, hard=True)
        for match in URL.finditer(EMAIL.sub(" ", text)):
            add(match.group(0).rstrip(".,;:"), messages.FINDING_URL, hard=False)
        for match in NUMBER.finditer(PHONE.sub(" ", rest)):
            if _matches_figure(match.group(0), shown):
                add(match.group(0), messages.FINDING_FIGURE, hard=False)
        for match in TWO_NAMES.finditer(rest):
            words = match.group(0)
            if match.group(1) in COMMON_FIRST_WORDS or any(words in name for name in named):
                continue
            add(" ".join(words.split()), messages.FINDING_NAME, hard=False)
    items = list(found.values())
    return Findings([item for item in items if item.hard] + [i for i in items if not i.hard])
