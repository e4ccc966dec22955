"""Peer groups: network admins import published nearest neighbours (each import a new
version, older ones kept); an authority's users save custom groups, refused when overlap
control (DESIGN.md, Anonymity 9) would not admit them.

Expected messages are bench/messages.py's wording, written out here so that a changed
message is a visible decision. k = 5 (the default).
"""

import io
import json
import re

import pytest
from sqlalchemy import select

from bench.models import AuditEvent, AuthorityType, PeerGroup, PeerGroupKind, Role, UnitKind
from tests import factories
from tests.pages import check_page, csrf_token, post_form, text_of

IMPORT = "/admin/peer-groups/import"
PUBLISHED = PeerGroupKind.PUBLISHED_NEIGHBOURS


@pytest.fixture
def admin(sign_in_as):
    return sign_in_as(Role.NETWORK_ADMIN)


def _events(session, action):
    return session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ).all()


def _published(session, version=None):
    query = select(PeerGroup).where(PeerGroup.kind == PUBLISHED).order_by(PeerGroup.id)
    if version is not None:
        query = query.where(PeerGroup.version == version)
    return session.scalars(query).all()


def _members(group):
    return sorted(member.authority_id for member in group.members)


def upload(client, content, filename="neighbours.csv", source=""):
    data = content if isinstance(content, bytes) else content.encode()
    return client.post(
        IMPORT,
        data={
            "csrf_token": csrf_token(client, IMPORT),
            "file": (io.BytesIO(data), filename),
            "source": source,
        },
        content_type="multipart/form-data",
    )


def apply(client, preview):
    """Confirm a checked file, sending back what the preview's form holds."""
    body = preview.get_data(as_text=True)
    fields = dict(re.findall(r'name="(apply-[a-z]+)" type="hidden" value="([^"]*)"', body))
    fields = {
        name: value.replace("&#34;", '"').replace("&quot;", '"') for name, value in fields.items()
    }
    assert set(fields) == {"apply-lists", "apply-source", "apply-version"}, body
    return client.post(IMPORT, data={"csrf_token": csrf_token(client, IMPORT), **fields})


def _councils(count, **fields):
    return [factories.authority(**fields) for _ in range(count)]


# --- imports --------------------------------------------------------------------------------


def test_csv_import_makes_a_new_version_and_keeps_the_old(admin, session):
    a, b, c, d = _councils(4)
    old = factories.peer_group(a, [d], kind=PUBLISHED, version=1, source="Old list")
    csv_text = (
        "authority,neighbour\r\n"
        f"{a.gss_code},{b.gss_code}\r\n{a.gss_code},{c.gss_code}\r\n{a.gss_code},{d.gss_code}\r\n"
        f"{b.gss_code},{a.gss_code}\r\n{b.gss_code},{c.gss_code}\r\n"
    )
    preview = upload(admin, csv_text, source="CIPFA 2025")
    assert preview.status_code == 200
    check_page(preview)
    text = text_of(preview)
    assert "Check the lists before you import them" in text
    assert "New version 2" in text
    assert "Authorities with a list 2" in text
    assert "Neighbours in all 5" in text
    assert "Lists that differ from the newest version 2" in text
    assert _published(session, 2) == []  # nothing until confirmed

    done = apply(admin, preview)
    assert done.status_code == 302 and done.location.endswith("/admin/peer-groups/")
    new = {group.authority_id: group for group in _published(session, 2)}
    assert set(new) == {a.id, b.id}
    assert _members(new[a.id]) == sorted([b.id, c.id, d.id])
    assert _members(new[b.id]) == sorted([a.id, c.id])
    assert new[a.id].source == "CIPFA 2025" and new[a.id].created_by_id == admin.user.id
    assert _members(session.get(PeerGroup, old.id)) == [d.id]  # version 1 stays
    (event,) = _events(session, "peer_groups_imported")
    assert event.actor_id == admin.user.id and event.authority_id is None
    assert event.details == {
        "version": 2, "authorities": 2, "neighbours": 5, "changed": 2, "source": "CIPFA 2025",
    }  # fmt: skip

    page = admin.get("/admin/peer-groups/")
    check_page(page)
    text = text_of(page)
    assert "Imported version 2: 2 authorities, 5 neighbours" in text
    assert "2 versions" in text
    assert "2 Newest" in text and "CIPFA 2025 2" in text and "Old list 1" in text


def test_json_import_ignores_the_authority_itself(admin, session):
    councils = _councils(4)
    a = councils[0]
    lists = {a.gss_code: [c.gss_code for c in councils]}  # its own code first, as Oflog's
    preview = upload(admin, json.dumps(lists), "nearest_neighbours.json")
    assert "Neighbours in all 3" in text_of(preview)
    assert "Imported from nearest_neighbours.json" in text_of(preview)
    assert apply(admin, preview).status_code == 302
    (group,) = _published(session, 1)
    assert group.authority_id == a.id
    assert _members(group) == sorted(c.id for c in councils[1:])
    assert group.source == "Imported from nearest_neighbours.json"


def _problems(response):
    assert response.status_code == 200
    check_page(response)
    return text_of(response)


def test_import_refuses_files_that_are_not_csv_or_json(admin, session):
    text = _problems(upload(admin, "authority,neighbour\n", "lists.txt"))
    assert "The file must be a CSV file (.csv) or a JSON file (.json)" in text
    text = _problems(upload(admin, "", "lists.csv"))
    assert "The file is empty" in text
    text = _problems(upload(admin, "authority,neighbour\r\n", "lists.csv"))
    assert "The file has no neighbour lists" in text
    text = _problems(upload(admin, "{", "lists.json"))
    assert "The file is not a valid JSON file" in text
    text = _problems(upload(admin, "[1, 2]", "lists.json"))
    assert (
        "The file must be a JSON object from each authority's GSS code to a list of GSS codes"
        in text
    )
    text = _problems(upload(admin, "{}", "lists.json"))
    assert "The file has no neighbour lists" in text
    text = _problems(admin.post(IMPORT, data={"csrf_token": csrf_token(admin, IMPORT)}))
    assert "Select a CSV or JSON file to upload" in text
    assert _published(session) == [] and _events(session, "peer_groups_imported") == []


def test_import_names_every_problem_by_row_and_field(admin, session):
    a, b, c = _councils(3)
    csv_text = (
        "authority,neighbour\r\n"
        f"{a.gss_code},{b.gss_code}\r\n"  # row 2
        f"{a.gss_code},E99999999\r\n"  # row 3: unknown
        f"{a.gss_code},{b.gss_code}\r\n"  # row 4: repeated
        f",{c.gss_code}\r\n"  # row 5: no authority
        f"{c.gss_code},{c.gss_code}\r\n"  # row 6: only itself
        f"{b.gss_code},{a.gss_code},extra\r\n"  # row 7: three cells
    )
    text = _problems(upload(admin, csv_text))
    assert "The file has 5 problems: nothing was imported" in text
    assert "3 neighbour There is no authority with the GSS code 'E99999999'" in text
    assert f"4 neighbour {a.gss_code} lists {b.gss_code} more than once" in text
    assert "5 authority Enter a GSS code" in text
    assert "7 row The row has 3 cells: it must have 2 (authority, neighbour)" in text
    assert f"File {c.gss_code} {c.gss_code} has no neighbours other than itself" in text
    assert "Check the lists" not in text
    assert _published(session) == []


def test_import_refuses_unknown_codes_self_only_and_long_lists_in_json(admin, session):
    councils = _councils(32)
    a, b = councils[0], councils[1]
    lists = {
        a.gss_code: [c.gss_code for c in councils[1:]],  # 31 neighbours
        b.gss_code: [b.gss_code],
        "E99999999": [a.gss_code],
    }
    text = _problems(upload(admin, json.dumps(lists), "lists.json"))
    assert f"{a.gss_code} has 31 neighbours: a list may have at most 30" in text
    assert f"{b.gss_code} has no neighbours other than itself" in text
    assert "E99999999 There is no authority with the GSS code 'E99999999'" in text
    assert _published(session) == []


def test_applying_checks_the_lists_again(admin, session):
    a, b = _councils(2)
    tampered = json.dumps({a.gss_code: [b.gss_code, "E99999999"]})
    response = admin.post(
        IMPORT,
        data={
            "csrf_token": csrf_token(admin, IMPORT),
            "apply-lists": tampered,
            "apply-source": "x",
        },
    )
    text = _problems(response)
    assert "The checked lists were changed: upload the file again" in text
    assert _published(session) == [] and _events(session, "peer_groups_imported") == []


# --- a network to compare in ----------------------------------------------------------------


def _network():
    """A viewer and 13 peers of one type and region; one indicator, 2022-23 released.

    Peers' values are 10, 20, ... 130; the viewer's is 35.
    """
    indicator = factories.indicator(
        title="Cost per week", unit_kind=UnitKind.CURRENCY, multiplier=1, has_counts=False,
        decimals=1,
    )  # fmt: skip
    period = factories.period("2022-23")
    viewer = factories.authority(name="Viewer Council")
    peers = [factories.authority(name=f"Peer Council {n:02d}") for n in range(1, 14)]
    factories.value(viewer, indicator, period, value=35.0)
    for n, peer in enumerate(peers, start=1):
        factories.value(peer, indicator, period, value=10.0 * n)
    return viewer, peers


def _options(response):
    body = response.get_data(as_text=True)
    return re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', body)


def test_both_published_versions_are_in_the_chooser(admin, sign_in_as, session):
    viewer, peers = _network()
    factories.peer_group(viewer, peers[6:13], kind=PUBLISHED, version=1)
    lists = {viewer.gss_code: [p.gss_code for p in peers[:6]]}
    assert apply(admin, upload(admin, json.dumps(lists), "v2.json")).status_code == 302
    client = sign_in_as(Role.STAFF, viewer)
    response = client.get("/compare/")
    check_page(response)
    options = dict(_options(response))
    # Six and seven peers, none shared, together every peer: each atom (in one version
    # only) holds at least 5 councils, so both are admitted.
    assert options["neighbours"].strip() == "Nearest neighbours"
    assert options["neighbours-v1"].strip() == "Nearest neighbours (version 1)"
    text = text_of(client.get("/compare/?group=neighbours-v1"))
    assert "Against nearest neighbours (version 1): 7 peer councils" in text


def test_an_older_version_that_would_leave_one_council_alone_is_withheld(
    admin, sign_in_as, session
):
    # Versions of six peers each, none shared: each pair of groups is 6 or more apart, but
    # the one council in neither version (yet in same type) would be an atom of one.
    viewer, peers = _network()
    factories.peer_group(viewer, peers[6:12], kind=PUBLISHED, version=1)
    lists = {viewer.gss_code: [p.gss_code for p in peers[:6]]}
    assert apply(admin, upload(admin, json.dumps(lists), "v2.json")).status_code == 302
    client = sign_in_as(Role.STAFF, viewer)
    page = client.get("/compare/")
    # Not offered as a choice that would show no figures; said once, below the chooser,
    # with the reason.
    assert "neighbours-v1" not in dict(_options(page))
    assert (
        "These groups are not offered, because they show no peers' figures in 2022-23: "
        "Computed neighbours has fewer than 5 councils. Nearest neighbours (version 1) overlaps"
    ) in text_of(page)
    assert "Nearest neighbours (version 1) overlaps your other groups so closely" in text_of(page)
    text = text_of(client.get("/compare/?group=neighbours-v1"))
    assert "130" not in text  # the lone council's figure


# --- custom groups --------------------------------------------------------------------------


def _save(client, name, members):
    return post_form(
        client,
        "/compare/groups/new",
        {"name": name, "members": [str(member.id) for member in members]},
    )


def _custom(session, authority):
    return session.scalars(
        select(PeerGroup)
        .where(PeerGroup.kind == PeerGroupKind.CUSTOM, PeerGroup.authority_id == authority.id)
        .order_by(PeerGroup.id)
    ).all()


def test_a_custom_group_is_saved_listed_and_shown_in_where_we_stand(sign_in_as, session):
    viewer, peers = _network()
    client = sign_in_as(Role.STAFF, viewer)
    form = client.get("/compare/groups/new")
    check_page(form)
    assert "Peer Council 01" in text_of(form)
    boxes = re.findall(r'name="members" type="checkbox" value="(\d+)"', form.get_data(as_text=True))
    assert sorted(map(int, boxes)) == sorted(p.id for p in peers)  # not the viewer's own

    response = _save(client, "Our group", peers[:5])
    assert response.status_code == 302 and response.location.endswith("/compare/groups")
    (group,) = _custom(session, viewer)
    assert group.name == "Our group" and _members(group) == sorted(p.id for p in peers[:5])
    (event,) = _events(session, "custom_group_saved")
    assert event.authority_id == viewer.id and event.actor_id == client.user.id
    assert event.details == {"name": "Our group", "members": 5}

    listing = client.get("/compare/groups")
    check_page(listing)
    assert "Saved the group Our group" in text_of(listing)
    assert "Our group 5" in text_of(listing)

    page = client.get(f"/compare/?group=custom-{group.id}")
    check_page(page)
    text = text_of(page)
    assert (f"custom-{group.id}", "Our group") in _options(page)
    assert "Against our group: 5 peer councils" in text
    # The group with the viewer: 10, 20, 30, 35, 40, 50; median 32.5.
    assert "32.5" in text
    for peer in peers:
        assert peer.name not in text


def test_a_custom_group_is_withheld_when_a_newer_group_conflicts(admin, sign_in_as, session):
    viewer, peers = _network()
    group = factories.peer_group(viewer, peers[:5], name="Our group")
    # A newer published list of seven, five of them the custom group's: the two differ by
    # two councils, and published neighbours are admitted first.
    lists = {viewer.gss_code: [p.gss_code for p in peers[:7]]}
    assert apply(admin, upload(admin, json.dumps(lists), "v1.json")).status_code == 302
    client = sign_in_as(Role.STAFF, viewer)
    page = client.get(f"/compare/?group=custom-{group.id}")
    check_page(page)
    text = text_of(page)
    assert "Our group (figures withheld)" in text
    assert (
        "Our group overlaps your other groups so closely that, compared with them, its "
        "figures would single out fewer than 5 councils, so peers' figures for this group "
        "are not shown"
    ) in text
    assert "32.5" not in text
    assert "35" in text  # the viewer's own figure is still shown


def test_a_custom_group_is_refused_with_the_reason(sign_in_as, session):
    viewer, peers = _network()
    client = sign_in_as(Role.ANALYST, viewer)
    # Ten of the thirteen: "Same type" (all thirteen, admitted first of the standard
    # groups here) has three councils this group lacks.
    response = _save(client, "Nearly everyone", peers[:10])
    assert response.status_code == 200
    check_page(response)
    assert (
        "This group overlaps your other groups (published and computed neighbours, same type, "
        "same region, all councils and your saved groups) so closely that, compared with "
        "them, it would single out fewer than 5 councils whose figures could then be worked "
        "out (in 2022-23)"
    ) in text_of(response)
    assert _custom(session, viewer) == [] and _events(session, "custom_group_saved") == []


@pytest.mark.parametrize(
    ("name", "count", "message"),
    [
        ("", 5, "Enter a name for the group"),
        ("x" * 121, 5, "Name must be 120 characters or fewer"),
        ("Small", 4, "Select at least 5 councils: fewer would show no figures"),
        ("None", 0, "Select at least 5 councils: fewer would show no figures"),
    ],
)
def test_custom_group_form_messages(sign_in_as, session, name, count, message):
    viewer, peers = _network()
    client = sign_in_as(Role.STAFF, viewer)
    response = _save(client, name, peers[:count])
    assert response.status_code == 200
    check_page(response)
    assert message in text_of(response)
    assert _custom(session, viewer) == []


def test_custom_group_names_are_unique_per_authority_and_own_council_refused(sign_in_as, session):
    viewer, peers = _network()
    client = sign_in_as(Role.STAFF, viewer)
    assert _save(client, "Our group", peers[:5]).status_code == 302
    response = _save(client, "our group", peers[5:10])
    assert "Your authority already has a group with this name" in text_of(response)
    response = _save(client, "Mine", [viewer, *peers[5:10]])
    assert "Your own council is always compared: do not select it" in text_of(response)
    response = post_form(client, "/compare/groups/new", {"name": "Odd", "members": ["x1"]})
    assert "Select councils from the list" in text_of(response)
    assert len(_custom(session, viewer)) == 1
    # Another authority may use the same name.
    other = sign_in_as(Role.STAFF, peers[0])
    assert _save(other, "Our group", [viewer, *peers[1:5]]).status_code == 302


def test_a_custom_group_is_deleted_and_anothers_is_not_found(sign_in_as, session):
    viewer, peers = _network()
    mine = factories.peer_group(viewer, peers[:5], name="Ours")
    theirs = factories.peer_group(peers[0], peers[1:6], name="Theirs")
    client = sign_in_as(Role.AUTHORITY_ADMIN, viewer)
    listing = text_of(client.get("/compare/groups"))
    assert "Ours" in listing and "Theirs" not in listing

    token = csrf_token(client, "/compare/groups")
    response = client.post(f"/compare/groups/{theirs.id}/delete", data={"csrf_token": token})
    assert response.status_code == 404
    assert session.get(PeerGroup, theirs.id) is not None
    # Naming another's group in Where we stand shows the first group instead.
    page = client.get(f"/compare/?group=custom-{theirs.id}")
    assert "Theirs" not in text_of(page)

    response = client.post(f"/compare/groups/{mine.id}/delete", data={"csrf_token": token})
    assert response.status_code == 302
    # Kept as deleted (what was seen stays known to the admission rule), never offered.
    assert session.get(PeerGroup, mine.id).deleted_at is not None
    (event,) = _events(session, "custom_group_deleted")
    assert event.authority_id == viewer.id and event.details == {"name": "Ours", "members": 5}
    assert "Deleted the group Ours" in text_of(client.get("/compare/groups"))
    assert "Ours" not in [label for _, label in _options(client.get("/compare/"))]


def test_a_custom_group_works_on_every_comparison_page(app_context, sign_in_as, session):
    viewer, peers = _network()
    group = factories.peer_group(viewer, peers[:5], name="Our group")
    client = sign_in_as(Role.STAFF, viewer)
    indicator_code = _indicator_code(session)
    page = client.get(f"/compare/indicators/{indicator_code}?group=custom-{group.id}")
    check_page(page)
    text = text_of(page)
    assert "Our group" in text and "32.5" in text  # the group's median, as Where we stand
    norms = client.get(f"/compare/norms?group=custom-{group.id}")
    check_page(norms)
    assert "Our group" in text_of(norms)
    _, secret = factories.api_token(client.user)
    standing = app_context.test_client().get(
        f"/api/v1/standing?group=custom-{group.id}", headers={"Authorization": f"Bearer {secret}"}
    )
    assert standing.get_json()["group"]["key"] == f"custom-{group.id}"
    assert standing.get_json()["items"][0]["median"] == 32.5
    for peer in peers:
        assert peer.name not in text and peer.name not in standing.get_data(as_text=True)


def _indicator_code(session):
    from bench.models import Indicator

    return session.scalars(select(Indicator.code).order_by(Indicator.id.desc())).first()


# --- the builder: filters, start from a standard group --------------------------------------

NEW = "/compare/groups/new"


def _boxes(response):
    """(value, checked) of each council's checkbox, and the hidden ticks."""
    body = response.get_data(as_text=True)
    boxes = re.findall(r'name="members" type="checkbox" value="(\d+)"( checked)?', body)
    hidden = re.findall(r'<input type="hidden" name="members" value="(\d+)">', body)
    return {int(value): bool(checked) for value, checked in boxes}, sorted(map(int, hidden))


@pytest.fixture
def builder_network(sign_in_as, session):
    viewer, peers = _network()  # 13 county councils in the North West
    blackpool = factories.authority(name="Blackpool", type=AuthorityType.UNITARY)
    leeds = factories.authority(
        name="Leeds", type=AuthorityType.METROPOLITAN_DISTRICT, region="Yorkshire and The Humber"
    )
    return sign_in_as(Role.STAFF, viewer), viewer, peers, blackpool, leeds


def test_the_builder_filters_by_name_type_and_region_with_links(builder_network):
    client, _viewer, peers, blackpool, leeds = builder_network
    response = client.get(f"{NEW}?q=council+0")
    check_page(response)
    assert set(_boxes(response)[0]) == {p.id for p in peers[:9]}
    assert "Showing 9 of 15 councils" in text_of(response)
    assert set(_boxes(client.get(f"{NEW}?q=BLACK"))[0]) == {blackpool.id}
    assert set(_boxes(client.get(f"{NEW}?type=unitary"))[0]) == {blackpool.id}
    by_region = client.get(f"{NEW}?region=Yorkshire+and+The+Humber")
    assert set(_boxes(by_region)[0]) == {leeds.id}
    both = client.get(f"{NEW}?type=county&region=North+West&q=council+13")
    assert set(_boxes(both)[0]) == {peers[12].id}
    assert "No council matches the filters" in text_of(client.get(f"{NEW}?q=nowhere"))
    # Every filter offers only what exists.
    options = dict(_options(client.get(NEW)))
    assert options["unitary"] == "Unitary authority" and "london_borough" not in options
    assert options["Yorkshire and The Humber"] == "Yorkshire and The Humber"


def test_filtering_keeps_the_ticks_and_the_name_and_saves_them_all(builder_network, session):
    client, viewer, peers, _blackpool, _leeds = builder_network
    ticked = peers[:5]
    response = post_form(
        client,
        NEW,
        {"name": "Mixed", "members": [str(c.id) for c in ticked], "q": "council 01",
         "action": "filter"},
    )  # fmt: skip
    assert response.status_code == 303
    page = client.get(response.location)
    check_page(page)
    shown, hidden = _boxes(page)
    assert shown == {peers[0].id: True}  # shown and still ticked
    assert hidden == sorted(c.id for c in ticked[1:])  # ticked, filtered out, kept
    assert "5 ticked, 4 of them not shown by the filters" in text_of(page)
    assert 'value="Mixed"' in page.get_data(as_text=True)
    # Saved from the filtered view: the hidden ticks are in the group too.
    members = [str(i) for i, on in shown.items() if on] + [str(i) for i in hidden]
    assert post_form(client, NEW, {"name": "Mixed", "members": members}).status_code == 302
    (group,) = _custom(session, viewer)
    assert _members(group) == sorted(c.id for c in ticked)


def test_start_from_a_standard_group_ticks_its_councils(builder_network):
    client, _viewer, peers, blackpool, leeds = builder_network
    response = post_form(
        client, NEW, {"name": "", "members": [str(leeds.id)], "start": "type", "action": "start"}
    )
    assert response.status_code == 303 and "start=type" in response.location
    shown, _hidden = _boxes(client.get(response.location))
    # Same type (county councils): all 13 peers, added to what was ticked.
    assert {i for i, on in shown.items() if on} == {p.id for p in peers} | {leeds.id}
    assert shown[blackpool.id] is False
    options = dict(_options(client.get(NEW)))
    assert options["type"] == "Same type" and options["region"] == "Same region"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("type=castle", "Choose a type of council from the list"),
        ("region=Atlantis", "Choose a region from the list"),
        ("start=everyone", "Choose one of your groups from the list"),
        ("members=abc", "Select councils from the list"),
        ("members=999999", "Select councils from the list"),
        ("q=" + "x" * 101, "The name to find must be 100 characters or fewer"),
        ("q=a%01b", "control characters"),
    ],
)
def test_bad_filters_are_refused_by_name(builder_network, query, message):
    client = builder_network[0]
    response = client.get(f"{NEW}?{query}")
    assert response.status_code == 400
    page = check_page(response)
    assert page.title.startswith("Error:")
    text = text_of(response)
    assert "There is a problem" in text and message in text
    assert len(_boxes(response)[0]) == 15  # a bad filter filters nothing
