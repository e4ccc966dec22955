"""Who may do what: DESIGN.md's table as predicates, and the one route guard.

Every view declares its rule with :func:`allow` (or :func:`public`); the application's
``before_request`` guard refuses any endpoint that declared none, so a forgotten
decorator fails closed. Templates use the same rules: ``may(endpoint)`` asks the route's
own rule before a page offers a link or form to it, and ``can(permission)`` asks a row of
the table.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, abort, current_app, flash, g, redirect, request, url_for
from flask.wrappers import Request
from flask_login import current_user, login_url

from bench import messages
from bench.api import is_api_request
from bench.models import AUTHORITY_ROLES, Authority, Role, TokenScope, User

F = TypeVar("F", bound=Callable[..., Any])
RULE_ATTRIBUTE = "_bench_access_rule"


class Permission(enum.StrEnum):
    """Rows of DESIGN.md's "Who may do what" table."""

    SEE_OWN_DATA = "see_own_data"
    COMPARE = "compare"
    # Inspectors' "the network's spread": every council, anonymised. Not for an
    # authority's users, whose comparisons leave their own authority out of every atom.
    SEE_NETWORK_SPREAD = "see_network_spread"
    PUBLISH = "publish"
    RECORD_VISITS = "record_visits"
    MANAGE_ALLIES = "manage_allies"
    MANAGE_AUTHORITY_USERS = "manage_authority_users"  # and its inspector grants
    HOLD_GRANTS = "hold_grants"  # inspectors: the grants they hold
    EXPORT = "export"
    MANAGE_NETWORK = "manage_network"
    ANY_SIGNED_IN = "any_signed_in"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.STAFF: frozenset(
        {Permission.SEE_OWN_DATA, Permission.COMPARE, Permission.RECORD_VISITS, Permission.EXPORT}
    ),
    Role.ANALYST: frozenset(
        {
            Permission.SEE_OWN_DATA,
            Permission.COMPARE,
            Permission.PUBLISH,
            Permission.RECORD_VISITS,
            Permission.EXPORT,
        }
    ),
    Role.AUTHORITY_ADMIN: frozenset(
        {
            Permission.SEE_OWN_DATA,
            Permission.COMPARE,
            Permission.PUBLISH,
            Permission.RECORD_VISITS,
            Permission.MANAGE_ALLIES,
            Permission.MANAGE_AUTHORITY_USERS,
            Permission.EXPORT,
        }
    ),
    # Inspectors see a named authority only under a grant (see can_see_authority).
    Role.INSPECTOR: frozenset(
        {
            Permission.COMPARE,
            Permission.SEE_NETWORK_SPREAD,
            Permission.EXPORT,
            Permission.HOLD_GRANTS,
        }
    ),
    Role.NETWORK_ADMIN: frozenset({Permission.MANAGE_NETWORK}),
}
for _role in ROLE_PERMISSIONS:
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {Permission.ANY_SIGNED_IN}


def has_permission(user: Any, permission: Permission) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return permission in ROLE_PERMISSIONS[user.role]


def is_own_authority(user: User, authority: Authority | int) -> bool:
    authority_id = authority if isinstance(authority, int) else authority.id
    return user.role in AUTHORITY_ROLES and user.authority_id == authority_id


def can_publish(user: User, authority: Authority | int) -> bool:
    return has_permission(user, Permission.PUBLISH) and is_own_authority(user, authority)


def can_manage_users(user: User, authority: Authority | int) -> bool:
    if has_permission(user, Permission.MANAGE_NETWORK):
        return True
    return has_permission(user, Permission.MANAGE_AUTHORITY_USERS) and is_own_authority(
        user, authority
    )


def can_manage_grants(user: User, authority: Authority | int) -> bool:
    """Only the authority's own admins let an inspector see its figures: network admins
    manage every user but see no authority's figures, so they grant no one access."""
    return has_permission(user, Permission.MANAGE_AUTHORITY_USERS) and is_own_authority(
        user, authority
    )


# --- route declarations -------------------------------------------------------------


def allow(*permissions: Permission) -> Callable[[F], F]:
    """Declare that a view needs one of *permissions*; the guard checks before it runs.

    Object-level rules (which authority) stay in the services, through the predicates
    above, and answer 404 for what the user may not know exists.
    """
    if not permissions:
        raise ValueError("allow() needs at least one permission")

    def decorator(view: F) -> F:
        setattr(view, RULE_ATTRIBUTE, frozenset(permissions))
        return view

    return decorator


UNTRACED_ATTRIBUTE = "_bench_untraced"


def untraced(view: F) -> F:
    """Declare that a request to this view must leave no trace of who sent it beyond what
    the view itself writes: an API token's "last used" time is not written (giving an
    anonymous staff view must change no row that names its author)."""
    setattr(view, UNTRACED_ATTRIBUTE, True)
    return view


REAUTH_ATTRIBUTE = "_bench_reauth"
THIS_PAGE = ""


def recent_password(back: str = THIS_PAGE) -> Callable[[F], F]:
    """Declare that a view needs the password entered recently (BENCH_REAUTH_MINUTES;
    signing in counts): creating API tokens, inspector grants, managing users.

    Without it the guard performs nothing and sends the user to confirm their password,
    then back to the page they were on: this one for a form (``THIS_PAGE``), or the
    endpoint *back* for a POST-only action (a button on a list).
    """

    def decorator(view: F) -> F:
        setattr(view, REAUTH_ATTRIBUTE, back)
        return view

    return decorator


def public(view: F) -> F:
    """Declare a view open to everyone, signed in or not (sign-in, error pages)."""
    setattr(view, RULE_ATTRIBUTE, "public")
    return view


def signed_out_only(view: F) -> F:
    """Open to everyone; signed-in users are sent home (sign-in, accept invitation)."""
    setattr(view, RULE_ATTRIBUTE, "public")

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from flask import redirect, url_for

        if current_user.is_authenticated:
            return redirect(url_for("home.index"))
        return view(*args, **kwargs)

    setattr(wrapper, RULE_ATTRIBUTE, "public")
    return wrapper  # type: ignore[return-value]


Rule = frozenset[Permission] | str


def rule_for(endpoint: str | None, app: Flask | None = None) -> Rule | None:
    app = app or current_app
    if endpoint is None:
        return None
    if endpoint == "static" or endpoint.endswith(".static"):
        return "public"
    view = app.view_functions.get(endpoint)
    return getattr(view, RULE_ATTRIBUTE, None)


def admits(user: Any, rule: Rule | None) -> bool:
    """Whether a route's declared *rule* lets *user* in, by role (the guard's test).

    No rule declared: nobody (the guard fails closed).
    """
    if rule is None:
        return False
    if rule == "public":
        return True
    return any(has_permission(user, permission) for permission in rule)


def may_use(user: Any, endpoint: str) -> bool:
    """Whether *user* may use the route *endpoint*: what pages offer (``may`` in
    templates) comes from the same rule that guards the route, so a page never offers
    an action the guard would refuse."""
    return admits(user, rule_for(endpoint))


# --- who is asking: a session cookie for pages, a bearer token for the API ---------

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def user_from_session_cookie(session_token: str) -> User | None:
    """Flask-Login's user loader. API calls never count a cookie: a page open in a browser
    must not lend its session to a script on another site."""
    if is_api_request():
        return None
    from bench.auth.service import load_user_for_session

    view = current_app.view_functions.get(request.endpoint or "")
    user = load_user_for_session(session_token, touch=not getattr(view, UNTRACED_ATTRIBUTE, False))
    if user is None:
        g.session_ended = True  # idle, past its limit, or ended elsewhere: say so
    return user


def user_from_bearer_token(incoming: Request) -> User | None:
    """Flask-Login's request loader: ``Authorization: Bearer <token>``, API calls only.

    The token's scope is kept on ``g`` for :func:`guard_request` (per request, never on
    the user object, which outlives the request in the session's identity map).
    """
    if not is_api_request():
        return None
    scheme, _, secret = incoming.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    from bench.auth.service import authenticate_token

    view = current_app.view_functions.get(incoming.endpoint or "")
    token = authenticate_token(secret.strip(), touch=not getattr(view, UNTRACED_ATTRIBUTE, False))
    if token is None:
        return None
    g.api_token_scope = token.scope
    return token.user


# Writes a token may make, each with the scope it needs and the permission its user must
# still hold on the day (a role can change after the token was made).
TOKEN_WRITES: dict[Permission, TokenScope] = {
    Permission.PUBLISH: TokenScope.PUBLISH,
    Permission.MANAGE_ALLIES: TokenScope.MANAGE,
    Permission.MANAGE_AUTHORITY_USERS: TokenScope.MANAGE,  # inspector grants
    # Reviews, visits, notes, actions and staff views.
    Permission.RECORD_VISITS: TokenScope.RECORD,
}


def token_scope_needed(rule: frozenset[Permission], method: str) -> TokenScope | None:
    """The scope a token needs for a route: read for reading, publish for publishing,
    manage for an authority admin's writes (allies; inspector grants).

    None: no token may make this request (any other write), so a token never does more
    than its name says, even where its user could.
    """
    if method in READ_METHODS and Permission.PUBLISH not in rule:
        return TokenScope.READ
    for permission, scope in TOKEN_WRITES.items():
        if permission in rule:
            return scope
    return None


def token_allows(user: User, scope: TokenScope, rule: frozenset[Permission], method: str) -> bool:
    """Whether a token of *scope* may make this request: the scope and, for a write, the
    user's own right to make it today (a role can change after the token was made)."""
    needed = token_scope_needed(rule, method)
    if needed is TokenScope.READ:
        return True
    return any(
        needed is write_scope and scope is write_scope and has_permission(user, permission)
        for permission, write_scope in TOKEN_WRITES.items()
    )


def guard_request() -> None:
    """The one access check, run before every view (registered by create_app).

    Pages: signed-out visitors are sent to sign in; API calls: 401 without a live token,
    403 when the role or the token's scope falls short.
    """
    if request.endpoint is None:  # 404s and 405s are handled by Flask itself
        return
    rule = rule_for(request.endpoint)
    if rule is None:
        current_app.logger.error("No access rule declared for %s", request.endpoint)
        abort(403)
    if rule == "public":
        return
    api = is_api_request()
    if not current_user.is_authenticated:
        if api:
            abort(401)
        from bench.extensions import login_manager

        if g.get("session_ended"):
            # The browser still had a session the server has ended: tell them why.
            flash(messages.SESSION_ENDED, "info")
            abort(redirect(login_url("auth.sign_in", next_url=request.url)))
        # Flask-Login redirects to sign-in, keeping the page asked for.
        abort(login_manager.unauthorized())
    if not admits(current_user, rule):
        abort(403)
    if api:
        scope = g.get("api_token_scope")
        if scope is None:  # no cookie counts for the API (user_from_session_cookie)
            abort(401)
        if not token_allows(current_user, scope, rule, request.method):
            abort(403)
        return
    _check_recent_password()


def _check_recent_password() -> None:
    """A page whose view declared :func:`recent_password`, asked for without the password
    entered recently: nothing runs; the user confirms their password, then comes back.
    (API calls come with a token, whose making needed the password: see README.)"""
    view = current_app.view_functions.get(request.endpoint or "")
    back = getattr(view, REAUTH_ATTRIBUTE, None)
    if back is None:
        return
    from bench.auth.service import recently_authenticated

    if recently_authenticated(current_user):
        return
    if request.method in READ_METHODS:
        target = request.full_path if request.query_string else request.path
    else:
        target = url_for(back) if back else request.path
        flash(messages.REAUTH_NOTHING_DONE, "info")
    abort(redirect(url_for("auth.confirm_password", next=target)))
