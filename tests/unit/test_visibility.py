"""How a note's host is named to each reader, and its name taken out of text
(bench.visits.visibility; DESIGN.md, Anonymity 1 and 7). No database: the words only."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bench.models import Authority, Visit
from bench.visits.naming import naming_for
from bench.visits.visibility import (
    FORMER_HOST_WORDS,
    HOST_WORDS,
    NOT_ALLY_WORDS,
    OWN_HOST_WORDS,
    REDACTED,
    Reader,
    host_label,
    may_name_host,
    names_of,
    redact,
)

NOW = datetime(2026, 12, 1, tzinfo=UTC)
VISITOR, HOST, OTHER = 1, 2, 3


@pytest.fixture
def visit():
    host = Authority(id=HOST, name="Blackburn with Darwen Borough Council", gss_code="E06000008")
    return Visit(authority_id=VISITOR, host_authority_id=HOST, host_authority=host)


def reader(authority_id=None, *, inspector=False):
    return Reader(user_id=9, authority_id=authority_id, inspector=inspector, now=NOW)


@pytest.mark.parametrize(
    ("who", "allied", "consented", "label", "named"),
    [
        (reader(VISITOR), True, False, "Blackburn with Darwen Borough Council", True),
        (reader(VISITOR), False, False, FORMER_HOST_WORDS, False),
        (reader(HOST), True, False, OWN_HOST_WORDS, True),
        (reader(OTHER), True, False, HOST_WORDS, False),
        (reader(OTHER), True, True, HOST_WORDS, False),  # consent is for inspectors only
        (reader(inspector=True), True, False, HOST_WORDS, False),
        (reader(inspector=True), True, True, "Blackburn with Darwen Borough Council", True),
    ],
)
def test_each_reader_sees_the_host_as_the_rules_say(visit, who, allied, consented, label, named):
    assert host_label(who, visit, allied_now=allied, host_consented=consented) == label
    assert may_name_host(who, visit, allied_now=allied, host_consented=consented) is named
    naming = naming_for(who, visit, allied_now=allied, host_consented=consented)
    text = "Blackburn with Darwen's team (E06000008) met Blackburn With Darwen Borough Council."
    if named:
        assert naming.text(text) == text and naming.gss_code == "E06000008"
    else:
        assert naming.text(text) == f"{REDACTED}'s team ({REDACTED}) met {REDACTED}."
        assert naming.gss_code is None


def test_a_visit_without_a_host_names_none():
    visit = Visit(authority_id=VISITOR, host_authority_id=None, host_authority=None)
    for who in (reader(VISITOR), reader(OTHER), reader(inspector=True)):
        assert host_label(who, visit, allied_now=False) == NOT_ALLY_WORDS
        assert not may_name_host(who, visit, allied_now=True, host_consented=True)
        assert naming_for(who, visit, allied_now=False).text("Anything") == "Anything"


@pytest.mark.parametrize(
    ("name", "code", "names"),
    [
        (
            "Lancashire County Council",
            "E10000017",
            ["Lancashire County Council", "Lancashire", "E10000017"],
        ),
        (
            "Royal Borough of Kingston upon Thames",
            "E09000021",
            ["Royal Borough of Kingston upon Thames", "Kingston upon Thames", "E09000021"],
        ),
        (
            "London Borough of Hackney",
            "E09000012",
            ["London Borough of Hackney", "E09000012", "Hackney"],
        ),
        ("Leeds City Council", "E08000035", ["Leeds City Council", "E08000035", "Leeds"]),
        (
            "Bury Metropolitan Borough Council",
            "E08000002",
            ["Bury Metropolitan Borough Council", "E08000002", "Bury"],
        ),
    ],
)
def test_names_of_an_authority(name, code, names):
    assert names_of(Authority(name=name, gss_code=code)) == names


def test_redaction_takes_whole_words_only_in_any_case():
    names = ["Bury Metropolitan Borough Council", "E08000002", "Bury"]
    text = (
        "BURY's plan; bury (e08000002) and Buryford, Canterbury and "
        "Bury Metropolitan Borough Council."
    )
    assert redact(text, names) == (
        f"{REDACTED}'s plan; {REDACTED} ({REDACTED}) and Buryford, Canterbury and {REDACTED}."
    )
    # Names are regular expressions' plain text, never patterns.
    assert redact("a.b and axb", ["a.b"]) == f"{REDACTED} and axb"
