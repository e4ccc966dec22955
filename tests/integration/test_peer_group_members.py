"""Who is in each peer group: an authority's users see every group they can choose by name
(DESIGN.md: membership is public, as published nearest-neighbour lists are; bench shows
each authority its computed neighbours by name too), and never a figure.

The expected members come from the comparison engine's own groups (bench.compare.groups),
the ones every comparison page and overlap control use.
"""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from bench.compare import groups as group_kinds
from bench.compare.service import released_periods, results_for
from bench.extensions import db
from bench.models import Authority, ContextFigure, PeerGroupKind, Role, User, utcnow
from seed.demo import INSPECTOR_EMAIL
from tests import factories
from tests.pages import check_page, sign_in, squash, text_of

PASSWORD = "bench-demo-password"
LANCASHIRE = "E10000017"
RUTLAND = "E06000017"


def _authority(session, code):
    return session.scalars(select(Authority).where(Authority.gss_code == code)).one()


def _signed_in(app, email):
    client = app.test_client()
    assert sign_in(client, email, PASSWORD).status_code == 302
    return client


def _listed(response, key):
    """The names in one group's list on the page, in the page's order."""
    body = response.get_data(as_text=True)
    found = re.search(rf'<ul [^>]*id="members-{re.escape(key)}"[^>]*>(.*?)</ul>', body, re.S)
    assert found, f"no list of {key}"
    return [html.unescape(item.strip()) for item in re.findall(r"<li>(.*?)</li>", found[1], re.S)]


def _names(session, ids):
    rows = session.execute(select(Authority.id, Authority.name).where(Authority.id.in_(ids)))
    return sorted(name for _, name in rows)


def _network(app):
    return group_kinds.build(utcnow().date(), app.config["COMPUTED_NEIGHBOURS_K"])


def test_lancashire_sees_every_group_it_can_choose_by_name(demo):
    session = db.session
    lancashire = _authority(session, LANCASHIRE)
    client = _signed_in(demo, f"analyst@{LANCASHIRE.lower()}.demo.example")
    response = client.get("/compare/groups")
    assert response.status_code == 200
    check_page(response)

    network = _network(demo)
    computed = group_kinds.peers_of(network, group_kinds.COMPUTED, lancashire.id)
    assert len(computed) == demo.config["COMPUTED_NEIGHBOURS_K"] == 15
    # The very councils the engine compares with in the latest released period.
    latest = released_periods(utcnow())[-1]
    engine_groups = results_for(latest).groups
    assert group_kinds.peers_of(engine_groups, group_kinds.COMPUTED, lancashire.id) == computed
    assert _listed(response, "computed") == _names(session, computed)  # by name, A to Z
    assert lancashire.name not in _listed(response, "computed")

    for key in (group_kinds.PUBLISHED, group_kinds.SAME_TYPE, group_kinds.SAME_REGION):
        expected = _names(session, group_kinds.peers_of(network, key, lancashire.id))
        assert expected, key
        assert _listed(response, key) == expected, key

    text = text_of(response)
    assert "Computed neighbours" in text and "Same type" in text and "Same region" in text
    # One plain sentence of how the computed neighbours are found.
    assert "the 15 current councils closest to yours" in text
    assert "standardised" in text
    for words in ("adults aged 18 and over", "share aged 65 and over", "deprivation", "rural"):
        assert words in text
    # The long lists fold away.
    body = response.get_data(as_text=True)
    for key in (group_kinds.SAME_TYPE, group_kinds.SAME_REGION):
        assert re.search(
            rf'<details class="govuk-details"[^>]*>(?:(?!</details>).)*id="members-{key}"',
            body,
            re.S,
        ), key


def test_the_page_shows_membership_never_a_figure(demo):
    session = db.session
    lancashire = _authority(session, LANCASHIRE)
    peers = factories.peer_group(
        lancashire,
        [_authority(session, code) for code in ("E10000003", "E10000006", "E10000007",
                                                "E10000008", "E10000011", "E10000012")],
        name="Shire counties",
    )  # fmt: skip
    client = _signed_in(demo, f"staff@{LANCASHIRE.lower()}.demo.example")
    response = client.get("/compare/groups")
    check_page(response)
    assert _listed(response, f"custom-{peers.id}") == _names(
        session, [member.authority_id for member in peers.members]
    )
    main = re.search(r"<main.*?</main>", response.get_data(as_text=True), re.S)[0]
    text = squash(html.unescape(re.sub(r"<[^>]+>", " ", main)))
    # Numbers on the page: how many councils each group holds, k (15, and 5 for custom
    # groups), version numbers, dates and the ages in context figures' names ("adults aged
    # 18 and over"). No context figure and no indicator value.
    text = re.sub(r"\d{1,2} [A-Z][a-z]+ \d{4}( at \d{1,2}:\d{2}(am|pm)?)?( UTC)?", "", text)
    numbers = set(re.findall(r"\d[\d,.]*", text))
    sizes = {str(len(_listed(response, key))) for key in re.findall(r'id="members-([\w-]+)"', main)}
    assert numbers <= sizes | {"15", "5", "1", "18", "65"}, numbers - sizes
    figures = session.scalars(
        select(ContextFigure.value).where(ContextFigure.authority_id == lancashire.id)
    ).all()
    for figure in figures:
        assert f"{figure:,.0f}" not in text and f"{figure:.1f}" not in text


def test_another_authority_sees_its_own_groups(demo):
    session = db.session
    rutland, lancashire = _authority(session, RUTLAND), _authority(session, LANCASHIRE)
    response = _signed_in(demo, f"staff@{RUTLAND.lower()}.demo.example").get("/compare/groups")
    check_page(response)
    network = _network(demo)
    computed = _names(session, group_kinds.peers_of(network, group_kinds.COMPUTED, rutland.id))
    assert _listed(response, "computed") == computed
    assert computed != _names(
        session, group_kinds.peers_of(network, group_kinds.COMPUTED, lancashire.id)
    )
    assert rutland.name not in computed


def test_an_inspector_sees_no_lists_and_is_offered_no_link_to_them(demo):
    # An inspector has no authority: no groups of its own, and the page is not theirs.
    inspector = factories.user(Role.INSPECTOR)
    client = demo.test_client()
    sign_in(client, inspector.email, factories.PASSWORD)
    assert client.get("/compare/groups").status_code == 403
    assert "/compare/groups" not in client.get("/").get_data(as_text=True)
    # The demo inspector holds a grant: the granted authority's comparison pages still
    # offer no link to a page the inspector cannot open.
    granted = _signed_in(demo, INSPECTOR_EMAIL)
    home = granted.get("/")
    code = re.search(r"/compare/\?authority=(\w+)", home.get_data(as_text=True))[1]
    for path in (f"/compare/?authority={code}", f"/compare/norms?authority={code}"):
        page = granted.get(path)
        assert page.status_code == 200, path
        check_page(page)
        assert "/compare/groups" not in page.get_data(as_text=True), path
    assert granted.get("/compare/groups").status_code == 403


def test_the_api_lists_the_same_members(demo):
    session = db.session
    lancashire = _authority(session, LANCASHIRE)
    user = session.scalars(
        select(User).where(User.email == f"analyst@{LANCASHIRE.lower()}.demo.example")
    ).one()
    _, secret = factories.api_token(user)
    api = demo.test_client()
    response = api.get("/api/v1/peer-groups", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["authority"] == {"name": lancashire.name, "gss_code": lancashire.gss_code}
    groups = {group["key"]: group for group in body["groups"]}
    assert list(groups)[:4] == ["neighbours", "computed", "type", "region"]
    network = _network(demo)
    for key in ("neighbours", "computed", "type", "region"):
        ids = group_kinds.peers_of(network, key, lancashire.id)
        rows = session.execute(
            select(Authority.name, Authority.gss_code).where(Authority.id.in_(ids))
        ).all()
        assert groups[key]["members"] == [
            {"name": name, "gss_code": code} for name, code in sorted(rows)
        ], key
    assert len(groups["computed"]["members"]) == 15
    assert "standardised" in groups["computed"]["description"]
    page = _signed_in(demo, f"analyst@{LANCASHIRE.lower()}.demo.example").get("/compare/groups")
    assert [m["name"] for m in groups["computed"]["members"]] == _listed(page, "computed")
    # No figure in the body: names, codes and words only.
    assert not re.search(r'"(value|numerator|denominator|median)"', response.get_data(as_text=True))


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.NETWORK_ADMIN], ids=str)
def test_people_without_an_authority_get_no_lists_from_the_api(app_context, session, role):
    _, secret = factories.api_token(factories.user(role))
    response = app_context.test_client().get(
        "/api/v1/peer-groups", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 403


def test_every_published_version_is_listed_newest_first(sign_in_as, session):
    viewer = factories.authority(name="Viewershire")
    councils = [factories.authority(name=f"Peer {letter}") for letter in "FEDCBA"]
    published = PeerGroupKind.PUBLISHED_NEIGHBOURS
    factories.peer_group(viewer, councils[:5], published, version=1, source="List of 2019")
    factories.peer_group(viewer, councils[1:], published, version=2, source="List of 2024")
    factories.peer_group(councils[0], councils[1:], published, version=3, source="Partial list")
    client = sign_in_as(Role.STAFF, viewer)
    response = client.get("/compare/groups")
    check_page(response)
    text = text_of(response)
    # Version 3 has no list for the viewer: it is still a choice, and says so.
    newest = text.index("The newest published list of your nearest neighbours (version 3)")
    older = [text.index(f"Version {v} of your published nearest neighbours") for v in (2, 1)]
    computed = text.index("Computed neighbours")
    assert newest < older[0] < older[1] < computed
    assert "Your council has no list in this version." in text
    assert _listed(response, "neighbours-v2") == ["Peer A", "Peer B", "Peer C", "Peer D", "Peer E"]
    assert _listed(response, "neighbours-v1") == ["Peer B", "Peer C", "Peer D", "Peer E", "Peer F"]
    assert "since replaced: List of 2019." in text
    # Same type: every council here, listed A to Z, the viewer left out.
    assert _listed(response, "type") == [f"Peer {letter}" for letter in "ABCDEF"]
