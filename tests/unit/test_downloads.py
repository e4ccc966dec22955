"""Download file names: RFC 6266 ``Content-Disposition``, built from bench's own words."""

import pytest

from bench.csvout import content_disposition


def test_ascii_name():
    assert content_disposition("bench-current-values.csv") == (
        'attachment; filename="bench-current-values.csv"'
    )


def test_non_ascii_name_has_an_rfc_8187_form():
    # RFC 6266 section 4.3 and appendix D: an ASCII fallback in filename, then filename*
    # in UTF-8, percent-encoded (RFC 8187), which browsers prefer.
    assert content_disposition("bench-Ynys Môn £.csv") == (
        'attachment; filename="bench-Ynys Mon _.csv"; '
        "filename*=UTF-8''bench-Ynys%20M%C3%B4n%20%C2%A3.csv"
    )


@pytest.mark.parametrize("name", ['a";filename=evil.html', "a\r\nb.csv", "a\x00.csv", "a\\b", ""])
def test_refuses_what_would_break_the_header(name):
    with pytest.raises(ValueError, match="file name"):
        content_disposition(name)
