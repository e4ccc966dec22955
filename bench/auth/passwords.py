"""What a new password must not be: too short or long, common, one thing repeated or a run
of keys, or the user's own name or email address (NIST SP 800-63B 5.1.1.2; OWASP ASVS
5.0 V6.2). Applies wherever a password is set: accepting an invitation, changing a
password, ``flask users create``.

Every comparison is made on the *normalised* password: Unicode compatibility forms folded
(NFKC), every space removed, case folded. So ``" PassWord 1 "`` is ``password1``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

from bench import messages
from bench.errors import InvalidInput

PASSWORD_MIN = 12
PASSWORD_MAX = 200

# Shipped with the code (bench/data/common-passwords.NOTICE.md says where it came from).
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"

# Runs of keys or characters anyone tries: a password that is a stretch of one of these
# (either way round, wrapping round as 7890123 does) is refused however long it is.
RUNS = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiop", "asdfghjkl", "zxcvbnm")
# Look-alikes swapped back, so p@ssw0rd is read as password.
LOOK_ALIKES = str.maketrans("@4301!$57", "aaeoiisst")
# The shortest part of a name or email address that a password may not contain: shorter
# ones ("jo", "li") would refuse too many good passwords by chance.
PERSONAL_MIN = 4


def normalise(password: str) -> str:
    """The password as every rule reads it: NFKC, no spaces, case folded."""
    return "".join(unicodedata.normalize("NFKC", password).split()).casefold()


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list, normalised: read once per process, then a set lookup."""
    with COMMON_PASSWORDS_FILE.open(encoding="utf-8") as lines:
        return frozenset(filter(None, (normalise(line) for line in lines)))


def _core(text: str) -> str:
    """*text* without the digits and punctuation around it (``!!password2024`` is
    ``password``)."""
    return re.sub(r"^[\W\d_]+|[\W\d_]+$", "", text)


def is_common(password: str) -> bool:
    """On the list as it is, once the digits and punctuation around it are taken off,
    or with look-alike characters read back as letters."""
    listed = common_passwords()
    text = normalise(password)
    core = _core(text)
    candidates = {text, core, core.translate(LOOK_ALIKES), _core(text.translate(LOOK_ALIKES))}
    return any(candidate and candidate in listed for candidate in candidates)


def _within_runs(text: str) -> bool:
    for run in RUNS:
        for direction in (run, run[::-1]):
            cycle = direction * (len(text) // len(direction) + 2)
            if text in cycle:
                return True
    return False


def is_repetitive(password: str) -> bool:
    """One character or sequence over and over (aaaa…, abcabc…, passwordpassword), or a
    stretch of one run (123456789012, abcdefghijkl, qwertyuiop)."""
    text = normalise(password)
    if not text:
        return True
    return re.fullmatch(r"(.+?)\1+", text, flags=re.DOTALL) is not None or _within_runs(text)


def _personal_words(email: str, name: str) -> set[str]:
    local = normalise(email.rpartition("@")[0] if "@" in email else email)
    words = {local, normalise(name)}
    words |= {normalise(word) for word in re.split(r"[\W_]+", f"{local} {name}")}
    return {word for word in words if len(word) >= PERSONAL_MIN}


def is_personal(password: str, *, email: str, name: str) -> bool:
    """Contains the user's email address before the @, their name, or a word of either
    (four letters or more)."""
    text = normalise(password)
    return any(word in text for word in _personal_words(email, name))


def check(
    password: str, confirmation: str, *, email: str, name: str, field: str = "password"
) -> None:
    """Raise InvalidInput, naming *field*, for the first rule the new password breaks."""
    if len(password) < PASSWORD_MIN:
        raise InvalidInput(messages.PASSWORD_TOO_SHORT.format(min=PASSWORD_MIN), field=field)
    if len(password) > PASSWORD_MAX:
        raise InvalidInput(messages.PASSWORD_TOO_LONG.format(max=PASSWORD_MAX), field=field)
    if is_repetitive(password):
        raise InvalidInput(messages.PASSWORD_REPETITIVE, field=field)
    if is_common(password):
        raise InvalidInput(messages.PASSWORD_COMMON, field=field)
    if is_personal(password, email=email, name=name):
        raise InvalidInput(messages.PASSWORD_PERSONAL, field=field)
    if password != confirmation:
        raise InvalidInput(messages.PASSWORDS_DIFFER, field="confirm_password")
