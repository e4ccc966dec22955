"""Where we stand: the viewer's standing against anonymous peers, with DESIGN.md's rules."""

import csv
from pathlib import Path

import pytest

from bench.compare.service import CACHE
from bench.models import Role, UnitKind
from seed.demo import load_demo
from tests import factories
from tests.pages import check_page, sign_in, text_of

OFLOG = Path(__file__).resolve().parents[2] / "seed" / "data" / "oflog-asc" / "values.csv"


@pytest.fixture(autouse=True)
def fresh_cache():
    CACHE.clear()
    yield
    CACHE.clear()


def _network(session, values, *, group_type="county"):
    indicator = factories.indicator(
        title="Cost per week", unit_kind=UnitKind.CURRENCY, multiplier=1, has_counts=False
    )
    period = factories.period("2022-23")
    authorities = [
        factories.authority(name=f"Council {n}", type=group_type) for n in range(len(values))
    ]
    for authority, value in zip(authorities, values, strict=True):
        factories.value(authority, indicator, period, value=float(value))
    return authorities, indicator


def test_where_we_stand_shows_group_figures_and_classification(sign_in_as, session):
    # Same type: six councils, median 35, MAD 15; the council at 200 is an exception.
    authorities, _ = _network(session, [10, 20, 30, 40, 50, 200])
    client = sign_in_as(Role.STAFF, authorities[5])
    response = client.get("/compare/?group=type")
    assert response.status_code == 200
    check_page(response)
    text = text_of(response)
    assert "An exception: better" in text  # higher is better for this indicator
    assert "35" in text  # the peers' median
    for other in authorities[:5]:
        assert other.name not in text


def test_no_figures_from_fewer_than_k_peers(sign_in_as, session):
    authorities, _ = _network(session, [10, 20, 30, 40, 200])
    text = text_of(sign_in_as(Role.ANALYST, authorities[4]).get("/compare/?group=type"))
    assert "Not enough peers" in text
    assert "Same type has fewer than 5 councils" in text


def test_rutland_same_type_is_withheld_by_overlap_control(app_context, session):
    # DESIGN.md: Rutland's published neighbours minus the unitary councils leave exactly
    # one council, so its same-type group would give that council's figures away.
    load_demo("bench-demo-password")
    client = app_context.test_client()
    sign_in(client, "analyst@e06000017.demo.example", "bench-demo-password")
    neighbours = client.get("/compare/?group=neighbours&period=2022-23")
    check_page(neighbours)
    assert "figures withheld" in text_of(neighbours)  # the same-type option says so
    same_type = client.get("/compare/?group=type&period=2022-23")
    text = text_of(same_type)
    assert "differs from Nearest neighbours by only 1 council" in text
    assert "Peers' median" in text and "Not shown" in text
    with OFLOG.open(newline="") as handle:
        names = {row["authority_name"] for row in csv.DictReader(handle)} - {"Rutland"}
    body = same_type.get_data(as_text=True) + neighbours.get_data(as_text=True)
    assert [name for name in names if f">{name}<" in body or f" {name} " in body] == []
