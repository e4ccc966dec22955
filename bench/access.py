"""Who may do what: DESIGN.md's table as predicates, and the one route guard.

Every view declares its rule with :func:`allow` (or :func:`public`); the application's
``before_request`` guard refuses any endpoint that declared none, so a forgotten
decorator fails closed. Templates use the same predicates through ``can``.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, abort, current_app, request
from flask_login import current_user

from bench.models import AUTHORITY_ROLES, Authority, Role, User

F = TypeVar("F", bound=Callable[..., Any])
RULE_ATTRIBUTE = "_bench_access_rule"


class Permission(enum.StrEnum):
    """Rows of DESIGN.md's "Who may do what" table."""

    SEE_OWN_DATA = "see_own_data"
    COMPARE = "compare"
    PUBLISH = "publish"
    RECORD_VISITS = "record_visits"
    MANAGE_ALLIES = "manage_allies"
    MANAGE_AUTHORITY_USERS = "manage_authority_users"
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
    Role.INSPECTOR: frozenset({Permission.COMPARE, Permission.EXPORT}),
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


def guard_request() -> None:
    """The one access check, run before every view (registered by create_app)."""
    if request.endpoint is None:  # 404s and 405s are handled by Flask itself
        return
    rule = rule_for(request.endpoint)
    if rule is None:
        current_app.logger.error("No access rule declared for %s", request.endpoint)
        abort(403)
    if rule == "public":
        return
    if not current_user.is_authenticated:
        from bench.extensions import login_manager

        # Flask-Login redirects to sign-in, keeping the page asked for.
        abort(login_manager.unauthorized())
    if not any(has_permission(current_user, permission) for permission in rule):
        abort(403)
