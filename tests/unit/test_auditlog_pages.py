"""Which page links the audit log shows (GOV.UK pagination with ellipses)."""

import pytest

from bench.auditlog.service import LogPage


@pytest.mark.parametrize(
    ("number", "pages", "shown"),
    [
        (1, 1, [1]),
        (1, 3, [1, 2, 3]),
        (1, 9, [1, 2, None, 9]),
        (5, 9, [1, None, 4, 5, 6, None, 9]),
        (9, 9, [1, None, 8, 9]),
        (3, 9, [1, 2, 3, 4, None, 9]),
    ],
)
def test_audit_log_page_links(number, pages, shown):
    # GOV.UK pagination: first, last, the current page's neighbours; gaps as ellipses.
    assert LogPage([], number, pages, 0, "", []).page_numbers() == shown
