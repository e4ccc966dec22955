"""Reads and writes for inspector grants."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from bench.extensions import db
from bench.models import InspectorGrant, Role, User

_WITH_PEOPLE = (
    joinedload(InspectorGrant.inspector),
    joinedload(InspectorGrant.authority),
    joinedload(InspectorGrant.granted_by),
    joinedload(InspectorGrant.revoked_by),
)


def active_inspector(email: str) -> User | None:
    """The active inspector account with this email, or None (for any other account too)."""
    return db.session.scalar(
        select(User)
        .where(User.email == email, User.role == Role.INSPECTOR, User.active.is_(True))
        .order_by(User.id)
        .limit(1)
    )


def of_authority(authority_id: int) -> list[InspectorGrant]:
    return list(
        db.session.scalars(
            select(InspectorGrant)
            .options(*_WITH_PEOPLE)
            .where(InspectorGrant.authority_id == authority_id)
            .order_by(InspectorGrant.starts_at.desc(), InspectorGrant.public_id)
        )
    )


def of_inspector(inspector_id: int) -> list[InspectorGrant]:
    return list(
        db.session.scalars(
            select(InspectorGrant)
            .options(*_WITH_PEOPLE)
            .where(InspectorGrant.inspector_id == inspector_id)
            .order_by(InspectorGrant.starts_at.desc(), InspectorGrant.public_id)
        )
    )


def of_authority_by_public_id(authority_id: int, public_id: str) -> InspectorGrant | None:
    """One of the authority's grants; another authority's is None, as if it did not exist."""
    return db.session.scalar(
        select(InspectorGrant)
        .options(*_WITH_PEOPLE)
        .where(InspectorGrant.authority_id == authority_id, InspectorGrant.public_id == public_id)
        .order_by(InspectorGrant.id)
        .limit(1)
    )


def add(grant: InspectorGrant) -> None:
    db.session.add(grant)
    db.session.flush()
