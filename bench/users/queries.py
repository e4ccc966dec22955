"""Reads for user management."""

from __future__ import annotations

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload

from bench.api.queries import paged
from bench.extensions import db
from bench.models import Authority, User


def users(authority_id: int | None) -> list[User]:
    query = select(User).options(joinedload(User.authority)).order_by(User.name, User.id)
    if authority_id is not None:
        query = query.where(User.authority_id == authority_id)
    return list(db.session.scalars(query))


def _like(word: str) -> str:
    """*word* anywhere in a text, its LIKE wildcards taken literally."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def matching(authority_id: int | None, words: list[str]) -> Select[tuple[User]]:
    """Users (of one authority, or all) whose name, email address or authority's name has
    each of *words*, any case; by name."""
    query = (
        select(User)
        .outerjoin(Authority, User.authority_id == Authority.id)
        .options(joinedload(User.authority))
        .order_by(User.name, User.id)
    )
    if authority_id is not None:
        query = query.where(User.authority_id == authority_id)
    for word in words:
        pattern = _like(word)
        query = query.where(
            or_(
                User.name.ilike(pattern, escape="\\"),
                User.email.ilike(pattern, escape="\\"),
                Authority.name.ilike(pattern, escape="\\"),
            )
        )
    return query


def users_page(
    authority_id: int | None, words: list[str], page: int, per_page: int
) -> tuple[list[User], int]:
    """One page of the users matching *words*, and how many match on all pages."""
    return paged(matching(authority_id, words), page, per_page)


def authority(authority_id: int) -> Authority | None:
    return db.session.get(Authority, authority_id)


def current_authorities() -> list[Authority]:
    return list(
        db.session.scalars(
            select(Authority).where(Authority.ended_on.is_(None)).order_by(Authority.name)
        )
    )
