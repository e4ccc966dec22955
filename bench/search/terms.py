"""What a user typed, as words each backend's full-text query language reads as text only.

Nothing typed is ever syntax. The text is split at white space into words; double quotes
(the only character special inside a quoted FTS5 string, and the end of a phrase for
PostgreSQL's ``websearch_to_tsquery``) and control characters are dropped; a word with no
letter or number is dropped; every remaining word is written back inside double quotes.
So ``NEAR(a b)``, ``title:secret``, ``a OR b``, ``-word``, ``*`` and ``'; DROP TABLE``
are searched for as the words they contain, and a query needs every word (AND).

The query itself always travels as a bound parameter, never inside the SQL text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bench import messages

MAX_LENGTH = 200
MAX_WORDS = 12
# Where each backend marks a matched word in a snippet: private-use characters, taken out
# of every indexed text (bench.search.documents) so that no text can forge a mark.
MARK_START = "\ue000"
MARK_END = "\ue001"
_HAS_LETTER_OR_DIGIT = re.compile(r"\w", re.UNICODE)


class QueryRefused(ValueError):
    """The text cannot be searched for; the message says why, for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def without_marks(text: str) -> str:
    return text.replace(MARK_START, "").replace(MARK_END, "")


def _word(chunk: str) -> str:
    kept = (
        " " if unicodedata.category(character) == "Cc" else character
        for character in without_marks(chunk)
        if character != '"'
    )
    return "".join(kept).strip()


@dataclass(frozen=True)
class Terms:
    """The words to find, every one of them."""

    words: tuple[str, ...]

    def _quoted(self, joiner: str) -> str:
        return joiner.join(f'"{word}"' for word in self.words)

    def fts5(self, *columns: str) -> str:
        """An FTS5 query for every word, in these columns only."""
        return f"{{{' '.join(columns)}}} : ({self._quoted(' ')})"

    def websearch(self) -> str:
        """A ``websearch_to_tsquery`` text for every word."""
        return self._quoted(" ")

    def websearch_any(self) -> str:
        """A ``websearch_to_tsquery`` text for any one of the words (to tell whether a
        title holds one)."""
        return self._quoted(" or ")


def parse_terms(text: str | None) -> Terms:
    """The words to search for in *text*, or :class:`QueryRefused`."""
    if text is None or not text.strip():
        raise QueryRefused(messages.SEARCH_WORDS_REQUIRED)
    if len(text) > MAX_LENGTH:
        raise QueryRefused(messages.SEARCH_TOO_LONG.format(max=MAX_LENGTH))
    words = [_word(chunk) for chunk in text.split()]
    words = [word for word in words if _HAS_LETTER_OR_DIGIT.search(word)]
    if not words:
        raise QueryRefused(messages.SEARCH_NO_WORDS)
    if len(words) > MAX_WORDS:
        raise QueryRefused(messages.SEARCH_TOO_MANY_WORDS.format(max=MAX_WORDS))
    return Terms(tuple(words))
