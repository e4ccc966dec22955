"""Publishing checks are no oracle (DESIGN.md, Anonymity 13).

The "far outside other councils' figures" warning is shown to a publisher on every
preview, so its edge can be found by binary search with discarded uploads. It may use
only what the publisher already sees as a peer: released figures past their release
round, as the "all councils" group's rounded quartiles on the Where we stand page. These
tests attack it as a motivated intruder would.
"""

from __future__ import annotations

import html
import io
import re
import statistics
from datetime import UTC, datetime, timedelta

import pytest

from bench import disclosure
from bench.models import Authority, Indicator, Period, Role, UnitKind, Value
from bench.publishing import service
from tests import factories
from tests.pages import csrf_token, post_form, text_of

HEADER = "indicator,period,numerator,denominator,value,status,note\r\n"
# Eight peers' released 2022-23 figures: more decimals than the indicator shows, so a
# check built on full-precision figures and one built on the shown statistics differ.
RELEASED = (800.04, 840.55, 870.26, 905.13, 930.77, 965.31, 990.08, 1035.92)
DECIMALS = 1


@pytest.fixture
def network(session):
    """Ids only: a request ends the session, and objects held across it go stale."""
    cost = factories.indicator(
        code="COST", unit_kind=UnitKind.CURRENCY, multiplier=1, has_counts=False,
        decimals=DECIMALS,
    )  # fmt: skip
    released = factories.period("2022-23")
    unreleased = factories.period("2023-24", released=False)
    peers = [factories.authority() for _ in RELEASED]
    figures = [
        factories.value(peer, cost, released, value=figure, visible_from=None).id
        for peer, figure in zip(peers, RELEASED, strict=True)
    ]
    return {
        "cost": cost.id,
        "2022-23": released.id,
        "2023-24": unreleased.id,
        "peers": [peer.id for peer in peers],
        "released": figures,
    }


def publish(session, network, peer_id: int, figure: float) -> int:
    """A peer's 2023-24 figure (not released yet)."""
    return factories.value(
        session.get(Authority, peer_id), session.get(Indicator, network["cost"]),
        session.get(Period, network["2023-24"]), value=figure,
    ).id  # fmt: skip


@pytest.fixture
def analyst(sign_in_as, network):
    return sign_in_as(Role.ANALYST)


def republish(session, old_id: int, figure: float, visible_from: datetime | None) -> int:
    """A new revision of a peer's figure (a correction), the old one retired."""
    old = session.get(Value, old_id)
    old.is_latest = False
    session.commit()
    new = factories.value(
        session.get(Authority, old.authority_id), session.get(Indicator, old.indicator_id),
        session.get(Period, old.period_id), value=figure, revision=old.revision + 1,
        visible_from=visible_from,
    )  # fmt: skip
    return new.id


def upload_preview_warnings(client, period: str, figure: float, code: str = "COST") -> str:
    """Upload one figure, read the preview's warnings, discard it."""
    content = HEADER + f"{code},{period},,,{figure},,\r\n"
    token = csrf_token(client, "/publish/")
    response = client.post(
        "/publish/upload",
        data={"csrf_token": token, "file": (io.BytesIO(content.encode()), "figures.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, text_of(response)
    preview_url = response.headers["Location"]
    page = client.get(preview_url).get_data(as_text=True)
    table = re.search(r'<table class="[^"]*" id="warnings">(.*?)</table>', page, re.S)
    discarded = post_form(client, f"{preview_url}/discard", {}, form_page=preview_url)
    assert discarded.status_code == 302
    if table is None:
        return ""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", table.group(1)))).strip()


def form_warnings(client, period: str, figure: float) -> str:
    """The single-value form's warnings for a figure, not confirmed: nothing is written."""
    response = post_form(
        client, "/publish/value", {"indicator": "COST", "period": period, "value": str(figure)}
    )
    page = response.get_data(as_text=True)
    warning = re.search(r'<strong class="govuk-warning-text__text">(.*?)</strong>', page, re.S)
    if warning is None:  # no warnings: the figure is written, take it back out
        assert response.status_code == 302
        return ""
    assert response.status_code == 200
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", warning.group(1)))).strip()


def shown_fences(figures: tuple[float, ...]) -> tuple[float, float]:
    """Tukey's far-out fences over the statistics the Where we stand page shows for the
    "all councils" group: type-7 quartiles and median (as Excel and numpy), to the
    indicator's decimal places; q1 - 3 IQR and q3 + 3 IQR, the IQR at least 5% of the
    median (a flat group has no spread)."""
    q1, median, q3 = (
        round(q, DECIMALS) for q in statistics.quantiles(figures, n=4, method="inclusive")
    )
    spread = max(q3 - q1, 0.05 * abs(median))
    return q1 - 3 * spread, q3 + 3 * spread


def test_others_unreleased_figures_do_not_change_the_check(analyst, session, network):
    # The publisher previews 2023-24 figures (not released) at several levels. Other
    # councils hold 2023-24 figures of their own, first near 900, then near 3,000: a
    # check built on them would answer differently; one built on released figures cannot.
    candidates = (905.0, 1200.0, 1500.0, 3000.0, 5000.0)
    unreleased = [
        publish(session, network, peer, figure + 10)
        for peer, figure in zip(network["peers"], RELEASED, strict=True)
    ]
    near_900 = [upload_preview_warnings(analyst, "2023-24", figure) for figure in candidates]
    for value, figure in zip(unreleased, RELEASED, strict=True):
        republish(session, value, figure * 3.3, None)
    near_3000 = [upload_preview_warnings(analyst, "2023-24", figure) for figure in candidates]
    assert near_900 == near_3000
    # Compared with the latest released period instead, and it says so.
    assert "far outside the range of other councils' figures for 2022-23" in near_900[-1]


def test_a_pending_correction_does_not_change_the_check(analyst, session, network):
    # Four peers correct their released 2022-23 figures; the corrections wait for the next
    # release round (visible_from in the future). The publisher's late 2022-23 figure is
    # checked against the revisions peers see now, whatever the pending ones say.
    candidates = (915.0, 1500.0, 2500.0)
    before = [form_warnings(analyst, "2022-23", figure) for figure in candidates]
    assert before[1] and before[2] and not before[0], before  # the check works at all
    next_round = service.next_release_round(datetime.now(UTC))
    pending = [
        republish(session, old, 2000.0 + index, next_round)
        for index, old in enumerate(network["released"][4:])
    ]
    high = [form_warnings(analyst, "2022-23", figure) for figure in candidates]
    for index, old in enumerate(pending):
        republish(session, old, 100.0 + index, next_round + timedelta(days=1))
    low = [form_warnings(analyst, "2022-23", figure) for figure in candidates]
    assert before == high == low


def search_upper_edge(user, period: str, low: float, high: float) -> float:
    """Binary search with discarded uploads for the smallest figure that warns "far
    outside": what a publisher could learn by previewing and never confirming."""

    def warns(figure: float) -> bool:
        data = (HEADER + f"COST,{period},,,{figure!r},,\r\n").encode()
        batch = service.upload(user, user.authority_id, "probe.csv", data)
        _batch, plan = service.preview(user, batch.id)
        service.discard(user, batch.id)
        return any("far outside" in w for change in plan.warnings for w in change.warnings)

    assert not warns(low) and warns(high)
    while high - low > 1e-7:
        middle = (low + high) / 2
        low, high = (low, middle) if warns(middle) else (middle, high)
    return high


def test_binary_search_finds_only_the_shown_statistics(analyst, session, network):
    user = analyst.user
    # One peer's unreleased 2023-24 figure is the intruder's target; the others' too.
    secrets = [1234.5678] + [figure + 7.77 for figure in RELEASED[1:]]
    for peer, figure in zip(network["peers"], secrets, strict=True):
        publish(session, network, peer, figure)
    # And a released figure corrected, waiting for its release round.
    corrected = 1876.54321
    republish(
        session, network["released"][3], corrected, service.next_release_round(datetime.now(UTC))
    )
    _low, fence = shown_fences(RELEASED)

    unreleased_edge = search_upper_edge(user, "2023-24", 900.0, 20_000.0)
    late_edge = search_upper_edge(user, "2022-23", 900.0, 20_000.0)
    # Both edges are the far-out fence over rounded, shown quartiles of the figures peers
    # see now: nothing about the unreleased figures or the pending correction.
    assert unreleased_edge == pytest.approx(fence, abs=1e-6)
    assert late_edge == pytest.approx(fence, abs=1e-6)
    for secret in [*secrets, corrected]:
        assert abs(unreleased_edge - secret) > 1e-3 and abs(late_edge - secret) > 1e-3


def test_no_check_without_k_peers_or_a_released_period(analyst, session, network):
    # Rule 3: the page shows the "all councils" statistics only with k peers, the
    # publisher not counted; with fewer, the check has nothing it may use.
    k = disclosure.min_peers()
    few = factories.indicator(
        code="FEW", unit_kind=UnitKind.CURRENCY, multiplier=1, has_counts=False
    )
    released = session.get(Period, network["2022-23"])
    for peer_id, figure in zip(network["peers"][: k - 1], RELEASED, strict=False):
        factories.value(session.get(Authority, peer_id), few, released, value=figure)
    assert upload_preview_warnings(analyst, "2022-23", 50_000.0, "FEW") == ""
    assert "far outside" in upload_preview_warnings(analyst, "2022-23", 50_000.0)
    # A period with no released period of its kind before it has nothing to compare with.
    factories.period("2021-22", released=False)
    assert upload_preview_warnings(analyst, "2021-22", 50_000.0) == ""
