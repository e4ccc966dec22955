"""Every route has an access rule, and one table says what each role gets from it.

DESIGN.md "Who may do what" is the source of the expectations. A route missing from
ROUTES, or a view without an access decorator, fails the suite.
"""

import re

import pytest

from bench import audit
from bench.access import rule_for
from bench.extensions import db
from bench.models import AUTHORITY_ROLES, IssueTypeStatus, Role
from tests import factories
from tests.integration import access_rows
from tests.pages import check_page, csrf_token

ANONYMOUS = "anonymous"
ROLES = [ANONYMOUS, *Role]
SIGN_IN = 302  # signed-out visitors are sent to sign in

# Authority admins (own authority) and network admins (everyone) manage users.
USER_MANAGERS = {
    ANONYMOUS: SIGN_IN,
    **dict.fromkeys(Role, 403),
    Role.AUTHORITY_ADMIN: 200,
    Role.NETWORK_ADMIN: 200,
}
USER_MANAGERS_REDIRECT = {**USER_MANAGERS, Role.AUTHORITY_ADMIN: 302, Role.NETWORK_ADMIN: 302}
EVERYONE_SIGNED_IN = {ANONYMOUS: SIGN_IN, **dict.fromkeys(Role, 200)}
# The JSON API takes bearer tokens only: a session cookie, signed in or not, is a 401.
# tests/integration/test_api.py has the token-based table for these routes.
API_COOKIE_ONLY = {ANONYMOUS: 401, **dict.fromkeys(Role, 401)}
# An authority's own users see its data; analysts and authority admins also publish.
OWN_DATA = {
    ANONYMOUS: SIGN_IN,
    **dict.fromkeys(Role, 403),
    **dict.fromkeys(AUTHORITY_ROLES, 200),
}
PUBLISHERS = {**OWN_DATA, Role.STAFF: 403}
OWN_DATA_REDIRECT = {**OWN_DATA, **dict.fromkeys(AUTHORITY_ROLES, 302)}
# Network admins alone manage the catalogues and read the whole network's audit log.
NETWORK_ADMINS = {ANONYMOUS: SIGN_IN, **dict.fromkeys(Role, 403), Role.NETWORK_ADMIN: 200}
NETWORK_ADMINS_REDIRECT = {**NETWORK_ADMINS, Role.NETWORK_ADMIN: 302}

# Inspectors compare too, but only an authority they hold a current grant for: without
# naming one there is nothing to show them.
COMPARERS = {**OWN_DATA, Role.INSPECTOR: 404}
# The network's spread (every council, anonymised) is the inspectors' comparison: an
# authority's users compare through their own groups instead (DESIGN.md's role table).
INSPECTORS = {ANONYMOUS: SIGN_IN, **dict.fromkeys(Role, 403), Role.INSPECTOR: 200}
PUBLISHERS_REDIRECT = {**PUBLISHERS, Role.ANALYST: 302, Role.AUTHORITY_ADMIN: 302}
PUBLISHERS_MISSING = {**PUBLISHERS, Role.ANALYST: 404, Role.AUTHORITY_ADMIN: 404}
# Another authority's custom group: its own users' roles get a 404, as if it did not exist.
OWN_DATA_MISSING = {**OWN_DATA, **dict.fromkeys(AUTHORITY_ROLES, 404)}

# Authority admins read their own authority's audit log; network admins read /admin/audit/.
AUTHORITY_ADMINS = {ANONYMOUS: SIGN_IN, **dict.fromkeys(Role, 403), Role.AUTHORITY_ADMIN: 200}
# Authority admins manage their own authority's inspector grants (another's is a 404);
# inspectors see the grants they hold.
GRANT_MANAGERS_MISSING = {**AUTHORITY_ADMINS, Role.AUTHORITY_ADMIN: 404}
GRANT_HOLDERS = {ANONYMOUS: SIGN_IN, **dict.fromkeys(Role, 403), Role.INSPECTOR: 200}

# Allies: authority admins ask for and accept allies (DESIGN.md "Who may do what"). The
# request and alliance ids in the table are a stranger's: nobody else may know they exist.
ALLY_ADMINS_MISSING = {**AUTHORITY_ADMINS, Role.AUTHORITY_ADMIN: 404}

# (method, rule) -> expected status per role. "target" routes act on another user of the
# signed-in user's own authority (or, for people without one, of some authority).

ROUTES: dict[tuple[str, str], dict[str, int]] = {
    ("GET", "/"): {ANONYMOUS: SIGN_IN, **dict.fromkeys(Role, 200)},
    # Load balancers' probes: open to all (tests/integration/test_health.py).
    ("GET", "/healthz"): {ANONYMOUS: 200, **dict.fromkeys(Role, 200)},
    ("GET", "/readyz"): {ANONYMOUS: 200, **dict.fromkeys(Role, 200)},
    ("GET", "/sign-in"): {ANONYMOUS: 200, **dict.fromkeys(Role, 302)},
    ("POST", "/sign-in"): {ANONYMOUS: 200, **dict.fromkeys(Role, 302)},
    ("POST", "/sign-out"): {ANONYMOUS: SIGN_IN, **dict.fromkeys(Role, 302)},
    ("GET", "/account"): {ANONYMOUS: SIGN_IN, **dict.fromkeys(Role, 200)},
    ("GET", "/account/password"): {ANONYMOUS: SIGN_IN, **dict.fromkeys(Role, 200)},
    ("POST", "/account/password"): {ANONYMOUS: SIGN_IN, **dict.fromkeys(Role, 200)},
    ("GET", "/account/confirm-password"): {ANONYMOUS: SIGN_IN, **dict.fromkeys(Role, 200)},
    ("POST", "/account/confirm-password"): {ANONYMOUS: SIGN_IN, **dict.fromkeys(Role, 200)},
    ("GET", "/invitations/<token>"): {ANONYMOUS: 404, **dict.fromkeys(Role, 302)},
    ("POST", "/invitations/<token>"): {ANONYMOUS: 404, **dict.fromkeys(Role, 302)},
    ("GET", "/users/"): USER_MANAGERS,
    ("GET", "/users/invite"): USER_MANAGERS,
    ("POST", "/users/invite"): USER_MANAGERS,
    ("POST", "/users/<int:user_id>/deactivate"): USER_MANAGERS_REDIRECT,
    ("POST", "/users/<int:user_id>/reactivate"): USER_MANAGERS_REDIRECT,
    ("GET", "/account/tokens"): EVERYONE_SIGNED_IN,
    ("GET", "/account/tokens/new"): EVERYONE_SIGNED_IN,
    ("POST", "/account/tokens/new"): EVERYONE_SIGNED_IN,  # the form again, with errors
    # The token is a colleague's: nobody else may know it exists.
    ("POST", "/account/tokens/<int:token_id>/revoke"): {
        ANONYMOUS: SIGN_IN,
        **dict.fromkeys(Role, 404),
    },
    ("GET", "/api/reference"): EVERYONE_SIGNED_IN,
    ("GET", "/api/v1/indicators"): API_COOKIE_ONLY,
    ("GET", "/api/v1/periods"): API_COOKIE_ONLY,
    ("GET", "/api/v1/issue-types"): API_COOKIE_ONLY,
    ("GET", "/api/v1/values"): API_COOKIE_ONLY,
    ("GET", "/api/v1/standing"): API_COOKIE_ONLY,
    ("GET", "/api/v1/norms"): API_COOKIE_ONLY,
    ("GET", "/api/v1/comparisons/<indicator_code>"): API_COOKIE_ONLY,
    ("GET", "/api/v1/peer-groups"): API_COOKIE_ONLY,
    ("GET", "/api/v1/network"): API_COOKIE_ONLY,
    ("GET", "/api/v1/network/<indicator_code>"): API_COOKIE_ONLY,
    ("POST", "/api/v1/values"): API_COOKIE_ONLY,
    ("POST", "/api/v1/flags"): API_COOKIE_ONLY,
    ("GET", "/api/v1/openapi.json"): {ANONYMOUS: 200, **dict.fromkeys(Role, 200)},
    ("GET", "/publish/"): PUBLISHERS,
    ("POST", "/publish/upload"): PUBLISHERS,
    ("GET", "/publish/uploads/<int:batch_id>"): PUBLISHERS_MISSING,
    ("POST", "/publish/uploads/<int:batch_id>/confirm"): PUBLISHERS_MISSING,
    ("POST", "/publish/uploads/<int:batch_id>/discard"): PUBLISHERS_MISSING,
    ("GET", "/publish/value"): PUBLISHERS,
    ("POST", "/publish/value"): PUBLISHERS,
    ("GET", "/publish/queries"): PUBLISHERS,
    # No such query: a 404 whatever the answer (the answer's rules come after).
    ("POST", "/publish/queries/<int:query_id>/confirm"): PUBLISHERS_MISSING,
    ("GET", "/publish/template.csv"): PUBLISHERS,
    ("GET", "/publish/current.csv"): OWN_DATA,
    ("GET", "/compare/"): COMPARERS,
    ("GET", "/compare/norms"): COMPARERS,
    ("GET", "/compare/indicators/<indicator_code>"): COMPARERS,
    ("GET", "/compare/network/"): INSPECTORS,
    ("GET", "/compare/network/indicators/<indicator_code>"): INSPECTORS,
    ("GET", "/compare/network/issues"): INSPECTORS,
    ("GET", "/compare/groups"): OWN_DATA,
    ("GET", "/compare/groups/new"): OWN_DATA,
    ("POST", "/compare/groups/new"): OWN_DATA,  # empty: the form again, with errors
    ("POST", "/compare/groups/<int:group_id>/delete"): OWN_DATA_MISSING,  # the stranger's
    ("GET", "/methods"): {ANONYMOUS: SIGN_IN, **dict.fromkeys(Role, 200)},
    ("GET", "/issues/"): OWN_DATA,
    # POSTs with empty data: the form comes back with its error messages (200).
    ("GET", "/issues/<code>/answer"): PUBLISHERS,
    ("POST", "/issues/<code>/answer"): PUBLISHERS,
    ("GET", "/issues/propose"): PUBLISHERS,
    ("POST", "/issues/propose"): PUBLISHERS,
    ("GET", "/admin/issue-types/"): NETWORK_ADMINS,
    ("GET", "/admin/issue-types/<code>/edit"): NETWORK_ADMINS,
    ("POST", "/admin/issue-types/<code>/edit"): NETWORK_ADMINS,
    ("GET", "/admin/issue-types/<code>/merge"): NETWORK_ADMINS,
    ("POST", "/admin/issue-types/<code>/merge"): NETWORK_ADMINS,
    # <code> is an approved type: approving or rejecting it is refused, back to the list.
    ("POST", "/admin/issue-types/<code>/approve"): NETWORK_ADMINS_REDIRECT,
    ("POST", "/admin/issue-types/<code>/reject"): NETWORK_ADMINS_REDIRECT,
    ("GET", "/admin/indicators/"): NETWORK_ADMINS,
    ("GET", "/admin/indicators/new"): NETWORK_ADMINS,
    ("POST", "/admin/indicators/new"): NETWORK_ADMINS,  # empty: the form again, with errors
    ("GET", "/admin/indicators/<int:indicator_id>"): NETWORK_ADMINS,
    ("GET", "/admin/indicators/<int:indicator_id>/edit"): NETWORK_ADMINS,
    ("POST", "/admin/indicators/<int:indicator_id>/edit"): NETWORK_ADMINS,
    ("POST", "/admin/indicators/<int:indicator_id>/breaks"): NETWORK_ADMINS,
    (
        "POST",
        "/admin/indicators/<int:indicator_id>/breaks/<int:break_id>/delete",
    ): NETWORK_ADMINS_REDIRECT,
    ("GET", "/admin/periods/"): NETWORK_ADMINS,
    ("GET", "/admin/periods/new"): NETWORK_ADMINS,
    ("POST", "/admin/periods/new"): NETWORK_ADMINS,
    ("GET", "/admin/periods/<int:period_id>/release"): NETWORK_ADMINS,
    ("POST", "/admin/periods/<int:period_id>/release"): NETWORK_ADMINS,
    ("POST", "/admin/periods/<int:period_id>/release/clear"): NETWORK_ADMINS_REDIRECT,
    ("GET", "/admin/audit/"): NETWORK_ADMINS,
    ("GET", "/admin/peer-groups/"): NETWORK_ADMINS,
    ("GET", "/admin/peer-groups/import"): NETWORK_ADMINS,
    ("POST", "/admin/peer-groups/import"): NETWORK_ADMINS,  # no file: the form again
    ("GET", "/audit/"): AUTHORITY_ADMINS,
    ("GET", "/alerts/"): OWN_DATA,
    # POSTs with empty data: the message is flashed, back to the notifications page.
    ("POST", "/alerts/follow"): OWN_DATA_REDIRECT,
    ("POST", "/alerts/unfollow"): OWN_DATA_REDIRECT,
    ("POST", "/alerts/read"): OWN_DATA_REDIRECT,
    ("GET", "/grants/"): AUTHORITY_ADMINS,
    ("GET", "/grants/new"): AUTHORITY_ADMINS,
    ("POST", "/grants/new"): AUTHORITY_ADMINS,  # empty: the form again, with errors
    ("POST", "/grants/<grant_id>/revoke"): GRANT_MANAGERS_MISSING,  # the stranger's grant
    ("GET", "/grants/yours"): GRANT_HOLDERS,
    ("GET", "/api/v1/grants"): API_COOKIE_ONLY,
    ("POST", "/api/v1/grants"): API_COOKIE_ONLY,
    ("POST", "/api/v1/grants/<grant_id>/revoke"): API_COOKIE_ONLY,
    ("GET", "/allies/"): AUTHORITY_ADMINS,
    ("GET", "/allies/ask/<code>"): AUTHORITY_ADMINS,
    ("POST", "/allies/ask/<code>"): AUTHORITY_ADMINS,  # empty: the form again, with errors
    ("GET", "/allies/requests/<request_id>/accept"): ALLY_ADMINS_MISSING,
    ("POST", "/allies/requests/<request_id>/accept"): ALLY_ADMINS_MISSING,
    ("POST", "/allies/requests/<request_id>/decline"): ALLY_ADMINS_MISSING,
    ("GET", "/allies/<alliance_id>"): ALLY_ADMINS_MISSING,
    ("POST", "/allies/<alliance_id>/end"): ALLY_ADMINS_MISSING,
    ("POST", "/api/v1/ally-requests"): API_COOKIE_ONLY,
    ("GET", "/api/v1/ally-requests"): API_COOKIE_ONLY,
    ("POST", "/api/v1/ally-requests/<request_id>/accept"): API_COOKIE_ONLY,
    ("POST", "/api/v1/ally-requests/<request_id>/decline"): API_COOKIE_ONLY,
    ("GET", "/api/v1/allies"): API_COOKIE_ONLY,
    ("DELETE", "/api/v1/allies/<alliance_id>"): API_COOKIE_ONLY,
}


# Each product area's rows (reviews, visits, actions, staff views, search).
ROUTES.update(access_rows.ROUTES)


def _app_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, rule.rule, rule.endpoint


def test_every_route_is_in_the_table(app):
    routes = {(method, path) for method, path, _ in _app_routes(app)}
    assert routes - set(ROUTES) == set(), "add these routes to ROUTES"
    assert set(ROUTES) - routes == set(), "ROUTES lists routes that no longer exist"


def test_every_view_declares_an_access_rule(app):
    missing = [endpoint for _, _, endpoint in _app_routes(app) if rule_for(endpoint, app) is None]
    assert missing == []


def _url(path, ids, issue_code, indicator_code="no-such-indicator"):
    """The path with real ids: ``<int:user_id>`` becomes ``ids["user_id"]``, and so on
    (``<indicator_code>`` a real indicator's code).

    Ids missing from *ids* name nothing that exists (another's upload is a 404 too).
    """
    path = path.replace("<token>", "no-such-token").replace("<code>", issue_code)
    path = path.replace("<indicator_code>", indicator_code)
    path = re.sub(r"<(\w+_id)>", lambda part: str(ids.get(part[1], "no-such-id")), path)
    return re.sub(r"<int:(\w+)>", lambda part: str(ids.get(part[1], 999999)), path)


@pytest.mark.parametrize("role", ROLES, ids=str)
def test_role_route_table(app_context, sign_in_as, role):
    colleague_authority = factories.authority()
    if role == ANONYMOUS:
        client = app_context.test_client()
    else:
        own = colleague_authority if Role(role).belongs_to_authority else None
        client = sign_in_as(Role(role), own)
    target = factories.user(Role.STAFF, colleague_authority)
    target_token, _ = factories.api_token(target)
    stranger = factories.authority(name="Strangershire Council")
    stranger_user = factories.user(Role.ANALYST, stranger)
    issue_type = factories.issue_type()
    # The stranger's flag and proposal name it: only network admins may see the proposal.
    factories.flag(stranger, issue_type, tried=f"{stranger.name} tried this", share_tried=True)
    factories.issue_type(
        title=f"Proposed by {stranger.name}",
        status=IssueTypeStatus.PROPOSED,
        proposed_by_authority_id=stranger.id,
    )
    # An event in the stranger's log, which only network admins may read.
    audit.record(
        "signed_in", actor=stranger_user, authority_id=stranger.id, details={"who": stranger.name}
    )
    db.session.commit()
    # The stranger's custom group: nobody else may know it exists.
    stranger_group = factories.peer_group(stranger, [colleague_authority], name=stranger.name)
    series_break = factories.series_break(factories.indicator(), factories.period("2021-22"))
    # The stranger's grant to another inspector: nobody else may know it exists.
    stranger_grant = factories.grant(factories.user(Role.INSPECTOR), stranger)
    # A request to the stranger and an alliance of the stranger's, from a third council.
    third = factories.authority(name="Thirdshire Council")
    stranger_request = factories.ally_request(third, stranger, issue_type)
    stranger_alliance = factories.alliance(stranger, third)
    ids = {
        "user_id": target.id,
        "token_id": target_token.id,
        "indicator_id": series_break.indicator_id,
        "break_id": series_break.id,
        "period_id": series_break.period_id,
        "group_id": stranger_group.id,
        "grant_id": stranger_grant.public_id,
        "request_id": stranger_request.public_id,
        "alliance_id": stranger_alliance.public_id,
        **access_rows.stranger_ids(stranger, third, stranger_user),
    }
    failures = []
    # Signing out last, so every other route is tried signed in.
    for (method, path), expected in sorted(ROUTES.items(), key=lambda r: r[0][1] == "/sign-out"):
        url = _url(path, ids, issue_type.code, series_break.indicator.code)
        if method == "GET":
            response = client.get(url)
        elif method == "DELETE":
            response = client.delete(url)
        else:
            token_page = "/sign-in" if role == ANONYMOUS else "/account"
            token = csrf_token(client, token_page)
            response = client.open(url, method=method, data={"csrf_token": token})
        if response.status_code != expected[role]:
            failures.append(f"{method} {path}: {response.status_code}, expected {expected[role]}")
        if response.mimetype == "text/html" and response.status_code != 302:
            check_page(response)
            # Network admins manage every authority's users and see who proposed an issue
            # type; nobody else sees a stranger.
            if role != Role.NETWORK_ADMIN:
                body = response.get_data(as_text=True)
                assert stranger.gss_code not in body, path
                # Choosing a custom group's councils lists them all by name, and so does
                # the list of who is in each group (membership is public: the stranger is
                # of the same type and region); no page of results does.
                if path not in ("/compare/groups/new", "/compare/groups"):
                    assert stranger.name not in body, path
    assert failures == []
