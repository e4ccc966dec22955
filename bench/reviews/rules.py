"""Who may see and change a review, in one place.

Any user of the authority (staff, analysts, authority admins: Permission.RECORD_VISITS)
sees all of its reviews and their updates, and may start a review. Changing one (its
fields, status, team and previous review), posting updates and pinning comparisons is
for the review's team members who have accounts, and the authority's admins. Another
authority's review is not found (404); one's own authority's review that the user may
not change is a refusal that says why (403). Inspectors and network admins have no
access here at all (the routes' rule).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError

from bench import messages, validation
from bench.access import Permission, has_permission, is_own_authority
from bench.errors import InvalidInput, NotAllowed, NotFound
from bench.models import Review, Role, User
from bench.reviews import queries


def own_authority(user: User) -> int:
    """The user's authority; anyone without reviews of their own finds nothing."""
    if not has_permission(user, Permission.RECORD_VISITS) or user.authority_id is None:
        raise NotFound("No authority")
    return user.authority_id


def may_edit(user: User, review: Review) -> bool:
    """The review's team members with accounts, and its authority's admins."""
    if not has_permission(user, Permission.RECORD_VISITS):
        return False
    if not is_own_authority(user, review.authority_id):
        return False
    if user.role is Role.AUTHORITY_ADMIN:
        return True
    return any(member.user_id == user.id for member in review.team)


def review_for(user: User, public_id: str, *, lock: bool = False) -> Review:
    """One of the user's authority's reviews; any other id is not found."""
    found = queries.review_of(own_authority(user), public_id, lock=lock)
    if found is None:
        raise NotFound("No such review")
    return found


def editable_review(user: User, public_id: str, *, lock: bool = False) -> Review:
    """A review the user may change: not found if it is another authority's, refused
    (saying why) if they are not on its team."""
    review = review_for(user, public_id, lock=lock)
    if not may_edit(user, review):
        raise NotAllowed(messages.REVIEW_NOT_ON_TEAM)
    return review


def _first_problem(problems: Mapping[Any, Any], path: tuple[str, ...] = ()) -> tuple[str, str]:
    """The dotted path (``team.2.role``) and message of the first error marshmallow found."""
    key, found = next(iter(problems.items()))
    where = (*path, str(key))
    if isinstance(found, Mapping):
        return _first_problem(found, where)
    return ".".join(where), found[0] if isinstance(found, list) else str(found)


def load(schema: Schema, data: Mapping[str, Any]) -> dict[str, Any]:
    """:func:`bench.validation.load`, naming the position in a list where the problem is
    (``team.2.role``, not just ``team``)."""
    try:
        return validation.load(schema, data)
    except InvalidInput as error:
        cause = error.__cause__
        if not isinstance(cause, ValidationError):
            raise
        field, message = _first_problem(cause.messages)
        raise InvalidInput(message, field=field) from cause
