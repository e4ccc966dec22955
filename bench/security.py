"""Passwords (argon2id) and random tokens (stored only as SHA-256 hashes)."""

from __future__ import annotations

import hashlib
import secrets
from contextlib import suppress

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app

EXTENSION_KEY = "bench.password_hasher"


def init_app(app: Flask) -> None:
    hasher = PasswordHasher(
        time_cost=app.config["ARGON2_TIME_COST"],
        memory_cost=app.config["ARGON2_MEMORY_COST"],
        parallelism=app.config["ARGON2_PARALLELISM"],
    )
    app.extensions[EXTENSION_KEY] = hasher
    # A real hash of a random password: checking an unknown account's attempt against it
    # costs the same time as checking a real one, so timing does not tell them apart.
    app.extensions[EXTENSION_KEY + ".dummy"] = hasher.hash(secrets.token_urlsafe(16))


def _hasher() -> PasswordHasher:
    return current_app.extensions[EXTENSION_KEY]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check *password*; with no hash (unknown account) spend the same time and fail."""
    if password_hash is None:
        with suppress(VerificationError, InvalidHashError):
            _hasher().verify(current_app.extensions[EXTENSION_KEY + ".dummy"], password)
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
