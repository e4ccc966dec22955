"""The identifying-details check of a good-practice copy, on its own (no database).

Names and codes are real councils' (ONS register of local authority codes); phone numbers
are Ofcom's numbers reserved for drama (01632 960xxx, 020 7946 0xxx), never in use.
"""

from __future__ import annotations

import pytest

from bench.sharing.checks import check

NAMES = [
    "Lancashire County Council",
    "Lancashire",
    "E10000017",
    "Reading Borough Council",
    "Reading",
    "E06000038",
    "Bury Council",
    "Bury",
]
FIGURES = [(72.46, 1), (1234.0, 0), (12.0, 1)]


def _found(text):
    findings = check([text], NAMES, FIGURES)
    return [(finding.text, finding.hard) for finding in findings.items]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lancashire County Council triages.", [("Lancashire County Council", True)]),
        ("As in LANCASHIRE.", [("LANCASHIRE", True)]),
        ("Code e10000017 again.", [("e10000017", True)]),
        # A short name that is an everyday word counts only with its capital.
        ("A reading list, and we bury nothing.", []),
        ("They visited Reading.", [("Reading", True)]),
        ("Mail jo.bloggs@lancs.gov.uk now.", [("jo.bloggs@lancs.gov.uk", True)]),
        ("Ring 01632 960123.", [("01632 960123", True)]),
        ("Ring (020) 7946 0000.", [("(020) 7946 0000", True)]),
        ("Ring +44 20 7946 0000.", [("+44 20 7946 0000", True)]),
        ("See https://example.org/page.", [("https://example.org/page", False)]),
        ("See www.example.org.", [("www.example.org", False)]),
        # Figures as shown (to the indicator's decimals), or more precisely.
        ("It reached 72.5 per cent.", [("72.5", False)]),
        ("It reached 72.46 per cent.", [("72.46", False)]),
        ("It reached 72 per cent.", []),
        ("It reached 1,234 people.", [("1,234", False)]),
        ("It reached 12 people.", [("12", False)]),
        (
            "Jane Smith runs the Rapid Response team.",
            [("Jane Smith", False), ("Rapid Response", False)],
        ),
        ("The Team meets. We Meet daily.", []),
        ("Nothing to see here: triage on the day.", []),
    ],
)
def test_what_the_check_finds(text, expected):
    assert _found(text) == expected


def test_hard_findings_come_first_and_each_once():
    findings = check(
        ["Jane Smith at Bury Council", "Bury Council again; 01632 960123; Jane Smith"],
        NAMES,
        FIGURES,
    )
    assert [finding.text for finding in findings.hard] == ["Bury Council", "01632 960123"]
    assert [finding.text for finding in findings.warnings] == ["Jane Smith"]
    assert "names a council" in findings.hard[0].message


def test_an_email_is_not_also_a_web_address_or_a_name():
    assert _found("Write to Duty.Team@Example.org") == [("Duty.Team@Example.org", True)]
