"""A motivated intruder with a staff account and public knowledge, on the demo network.

Public knowledge: who is in which group (published nearest-neighbour lists, types,
regions, computed neighbours, shown by name) and which councils published a figure. The
intruder reads every group's figures it may see and combines them (DESIGN.md, Anonymity 9:
atoms, not pairs). Each attack here broke the pairwise rule on the demo network.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict

import numpy as np
from sqlalchemy import select

from bench.compare import groups as group_kinds
from bench.compare import service
from bench.extensions import db
from bench.models import Authority, Indicator, PeerGroup, TokenScope, User
from tests import factories
from tests.conftest import DEMO_PASSWORD
from tests.pages import post_form, sign_in, text_of

K = 5
LANCASHIRE = "E10000017"
ANALYST = f"analyst@{LANCASHIRE.lower()}.demo.example"


class ApiClient:
    """Real HTTP requests with a bearer token and no cookies, as a script sends them."""

    def __init__(self, client, headers):
        self.client, self.headers = client, headers

    def get(self, path):
        return self.client.get(path, headers=self.headers)


def _client(demo, code: str, role: str = "analyst"):
    client = demo.test_client()
    response = sign_in(client, f"{role}@{code.lower()}.demo.example", DEMO_PASSWORD)
    assert response.status_code == 302, text_of(response)
    return client


def _authority(session, code: str) -> Authority:
    return session.scalars(select(Authority).where(Authority.gss_code == code)).one()


def _public_groups(results, authority_id: int) -> dict[str, frozenset[int]]:
    """What the intruder knows: each standard group's members (public lists)."""
    groups = results.groups
    return {kind.key: group_kinds.peers_of(groups, kind.key, authority_id) for kind in groups.kinds}


def _publishers(results, indicator, viewer) -> set[int]:
    """What the intruder knows too: which councils other than its own published a figure."""
    column = results.column[indicator.id]
    values = results.network.value[:, column]
    return {
        int(a)
        for a, v in zip(results.network.authority_ids, values, strict=True)
        if not np.isnan(v) and int(a) != viewer.id
    }


def _attribute(lists: dict[str, list[float]], members: dict[str, frozenset[int]], publishers):
    """Match identical values across the lists: each value seen once in each list it is in
    belongs to a council in exactly those lists. Returns the values pinned to fewer than
    k publishing councils, with the candidates."""
    found = []
    counts = {key: Counter(values) for key, values in lists.items()}
    for value in set().union(*map(set, lists.values())) if lists else ():
        if any(count[value] > 1 for count in counts.values()):
            continue  # tied within a list: the intruder cannot tell the councils apart
        inside = {key for key, count in counts.items() if count[value]}
        candidates = {
            peer for peer in publishers if {key for key in lists if peer in members[key]} == inside
        }
        if 0 < len(candidates) < K:
            found.append((value, inside, candidates))
    return found


def test_matching_values_across_every_list_pins_no_figure_to_fewer_than_k(demo):
    """The attack that gave away 2,525 figures: read one indicator's peer list in every
    group (the API, as a script would), match identical values across the lists, and use
    the public memberships to say whose they are."""
    session = db.session
    viewer = _authority(session, LANCASHIRE)
    analyst = session.scalars(select(User).where(User.email == ANALYST)).one()
    _, secret = factories.api_token(analyst, TokenScope.READ)
    client = ApiClient(demo.test_client(), {"Authorization": f"Bearer {secret}"})
    periods = service.released_periods(service.utcnow())
    indicators = session.scalars(select(Indicator).order_by(Indicator.code)).all()
    pinned = []
    for period in periods[-3:]:
        results = service.results_for(period)
        members = _public_groups(results, viewer.id)
        keys = [
            o["key"] for o in client.get(f"/api/v1/standing?period={period.code}").json["groups"]
        ]
        for indicator in indicators:
            lists = {}
            for key in keys:
                response = client.get(
                    f"/api/v1/comparisons/{indicator.code}?group={key}&period={period.code}"
                )
                assert response.status_code == 200
                values = [p["value"] for p in response.json["peers"] if p["value"] is not None]
                if values and key in members:
                    lists[key] = values
            publishers = _publishers(results, indicator, viewer)
            pinned += [
                (indicator.code, period.code, *hit)
                for hit in _attribute(lists, members, publishers)
            ]
    assert pinned == []


def test_the_matching_attack_through_the_csv_exports_pins_nothing(demo):
    """The same attack on the exports (issue 12): every group's one-indicator CSV in the
    latest period, identical values matched across files. The files are laid out from the
    pages' objects, so they must give away no more than the pages."""
    session = db.session
    viewer = _authority(session, LANCASHIRE)
    client = _client(demo, LANCASHIRE)
    period = service.released_periods(service.utcnow())[-1]
    results = service.results_for(period)
    members = _public_groups(results, viewer.id)
    standing = client.get(f"/compare/export/where-we-stand.csv?period={period.code}")
    assert standing.status_code == 200
    pinned = []
    for indicator in session.scalars(select(Indicator).order_by(Indicator.code)).all():
        lists = {}
        for key in members:
            response = client.get(
                f"/compare/export/indicators/{indicator.code}.csv?group={key}&period={period.code}"
            )
            assert response.status_code == 200
            rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
            values = [
                float(row["value"])
                for row in rows
                if row["is_subject_authority"] == "false" and row["value"]
            ]
            if values and rows[0]["peer_group"]:
                lists[key] = values
        publishers = _publishers(results, indicator, viewer)
        pinned += [(indicator.code, *hit) for hit in _attribute(lists, members, publishers)]
    assert pinned == []


def test_no_export_names_another_council_in_its_file_name_headers_or_cells(demo):
    """Every export a council's analyst can take, for every group it may choose: no other
    council's name or GSS code anywhere in the response."""
    session = db.session
    authorities = session.scalars(select(Authority)).all()
    others = [a for a in authorities if a.gss_code != LANCASHIRE]
    client = _client(demo, LANCASHIRE)
    keys = [kind.key for kind in service.results_for(
        service.released_periods(service.utcnow())[-1]
    ).groups.kinds]  # fmt: skip
    code = session.scalars(select(Indicator.code).order_by(Indicator.code)).first()
    paths = [
        f"/compare/export/{name}?group={key}"
        for key in keys
        for name in ("where-we-stand.csv", "trends.csv", "norm-or-exception.csv",
                     f"indicators/{code}.csv")
    ]  # fmt: skip
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        everything = response.get_data(as_text=True) + repr(sorted(response.headers.items()))
        leaked = [
            a.name
            for a in others
            if re.search(rf"\b{re.escape(a.name)}\b", everything) or a.gss_code in everything
        ]
        assert leaked == [], (path, leaked[:5])


def _atoms_hold(memberships: dict[str, frozenset[int]], shown: list[str], publishers: set[int]):
    atoms: dict[tuple[bool, ...], int] = defaultdict(int)
    for peer in publishers:
        key = tuple(peer in memberships[group] for group in shown)
        if any(key):
            atoms[key] += 1
    return [count for count in atoms.values() if count < K]


def test_every_council_every_period_no_atom_of_1_to_k_minus_1(demo):
    """For every demo council, every period and indicator, the groups that show peers'
    figures split the contributing peers into atoms of 0 or at least k. Memberships and
    contributors are read independently of the admission code (public lists, the figures)."""
    session = db.session
    current = session.scalars(
        select(Authority).where(Authority.ended_on.is_(None)).order_by(Authority.id)
    ).all()
    indicators = session.scalars(select(Indicator).order_by(Indicator.code)).all()
    broken = []
    checked = 0
    for period in service.released_periods(service.utcnow()):
        results = service.results_for(period)
        for authority in current:
            viewer = service.admission_for(results, authority.id)
            memberships = {g.key: g.peers for g in viewer.groups}
            memberships.update(_public_groups(results, authority.id))
            for indicator in indicators:
                column = results.column[indicator.id]
                present = ~np.isnan(results.network.value[:, column])
                publishers = {
                    int(a)
                    for a, here in zip(results.network.authority_ids, present, strict=True)
                    if here and int(a) != authority.id
                }
                shown = [
                    g.key
                    for g in viewer.groups
                    if viewer.admitted(g.key, indicator.id)
                    and len(memberships[g.key] & publishers) >= K
                ]
                checked += 1
                small = _atoms_hold(memberships, shown, publishers)
                if small:
                    broken.append((authority.name, period.code, indicator.code, shown, small))
    assert checked > 10_000
    assert broken == []


def _big_atom(session, viewer: Authority) -> list[int]:
    """Current councils that existed in every period and share one pattern of Lancashire's
    standard groups (in none but "all"): public knowledge picks them."""
    period = service.released_periods(service.utcnow())[-1]
    results = service.results_for(period)
    members = _public_groups(results, viewer.id)
    outside = set(members[group_kinds.ALL])
    for key, peers in members.items():
        if key != group_kinds.ALL:
            outside -= peers
    rows = session.scalars(
        select(Authority)
        .where(
            Authority.id.in_(outside), Authority.started_on.is_(None), Authority.ended_on.is_(None)
        )
        .order_by(Authority.name)
    ).all()
    return [row.id for row in rows]


def _save(client, name: str, members: list[int]):
    return post_form(
        client, "/compare/groups/new", {"name": name, "members": [str(m) for m in members]}
    )


def test_the_four_group_attack_is_refused(demo):
    """P + Q - U - D = {x}: four custom groups each five or more apart, whose sums give one
    council's figure. The fourth would leave x alone in its atom, so it is refused."""
    session = db.session
    viewer = _authority(session, LANCASHIRE)
    pool = _big_atom(session, viewer)
    assert len(pool) >= 31
    x, a, b, c, d = pool[0], pool[1:6], pool[6:11], pool[11:16], pool[16:21]
    client = _client(demo, LANCASHIRE)
    for name, members in (("P", [x, *a, *b]), ("Q", [*c, *d]), ("U", [*a, *c])):
        response = _save(client, name, members)
        assert response.status_code == 302, text_of(response)
    refused = _save(client, "D", [*b, *d])
    assert refused.status_code == 200
    assert "would single out fewer than 5 councils" in text_of(refused)


def test_the_successor_attack_is_refused(demo):
    """Two groups five apart, four of the five councils created in 2019 or later: before
    them, the difference is one council. Refused when saved, naming the period."""
    session = db.session
    viewer = _authority(session, LANCASHIRE)
    pool = _big_atom(session, viewer)
    successors = session.scalars(
        select(Authority)
        .where(Authority.started_on.is_not(None), Authority.ended_on.is_(None))
        .order_by(Authority.started_on, Authority.name)
    ).all()
    period = service.released_periods(service.utcnow())[-1]
    results = service.results_for(period)
    members = _public_groups(results, viewer.id)
    standard = [peers for key, peers in members.items() if key != group_kinds.ALL]
    newer = [row.id for row in successors if not any(row.id in peers for peers in standard)][:4]
    assert len(newer) == 4
    client = _client(demo, LANCASHIRE)
    base = pool[:10]
    assert _save(client, "Base", base).status_code == 302
    refused = _save(client, "Base and five", [*base, pool[10], *newer])
    assert refused.status_code == 200
    text = text_of(refused)
    assert "would single out fewer than 5 councils" in text
    assert "in 2015-16" in text


def test_deleting_a_group_does_not_let_a_near_copy_through(demo):
    """Save A and read its figures, delete it, then save A plus one council: the
    difference would be that council's figures. What was seen stays known, so the near
    copy is refused."""
    session = db.session
    viewer = _authority(session, LANCASHIRE)
    pool = _big_atom(session, viewer)
    client = _client(demo, LANCASHIRE)
    assert _save(client, "A", pool[:10]).status_code == 302
    group = session.scalars(
        select(PeerGroup).where(PeerGroup.authority_id == viewer.id, PeerGroup.name == "A")
    ).one()
    deleted = post_form(
        client, f"/compare/groups/{group.id}/delete", {}, form_page="/compare/groups"
    )
    assert deleted.status_code == 302
    assert "A" not in [o.label for o in _options(client)]
    refused = _save(client, "A and one", pool[:11])
    assert refused.status_code == 200
    assert "would single out fewer than 5 councils" in text_of(refused)
    assert _save(client, "A again", pool[:10]).status_code == 302  # the same set is fine


def _options(client):
    import re

    body = client.get("/compare/").get_data(as_text=True)

    class Option:
        def __init__(self, label):
            self.label = label.strip()

    return [
        Option(label)
        for label in re.findall(r"<option value=\"[^\"]+\"[^>]*>([^<]+)</option>", body)
    ]
