"""/healthz and /readyz: public (a load balancer has no account), never rate limited,
never cached; /healthz touches neither the database nor the session."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from bench.access import public
from bench.health import service
from bench.limits import limiter

bp = Blueprint("health", __name__)


@bp.route("/healthz")
@public
@limiter.exempt
def healthz() -> ResponseReturnValue:
    return jsonify(service.liveness())


@bp.route("/readyz")
@public
@limiter.exempt
def readyz() -> ResponseReturnValue:
    found = service.readiness()
    return jsonify(found.as_json()), 200 if found.ready else 503
