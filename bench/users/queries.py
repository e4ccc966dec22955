"""Reads for user management."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from bench.extensions import db
from bench.models import Authority, User


def users(authority_id: int | None) -> list[User]:
    query = select(User).options(joinedload(User.authority)).order_by(User.name, User.id)
    if authority_id is not None:
        query = query.where(User.authority_id == authority_id)
    return list(db.session.scalars(query))


def authority(authority_id: int) -> Authority | None:
    return db.session.get(Authority, authority_id)


def current_authorities() -> list[Authority]:
    return list(
        db.session.scalars(
            select(Authority).where(Authority.ended_on.is_(None)).order_by(Authority.name)
        )
    )
