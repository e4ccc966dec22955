"""An authority admin reads their own authority's audit log."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from bench.access import Permission, allow
from bench.auditlog import service

bp = Blueprint("auditlog", __name__, url_prefix="/audit")


@bp.route("/")
@allow(Permission.MANAGE_AUTHORITY_USERS)
def index() -> ResponseReturnValue:
    log = service.authority_log(
        current_user._get_current_object(),
        request.args.get("page", 1, type=int),
        request.args.get("action", ""),
    )
    return render_template(
        "auditlog/index.html",
        log=log,
        show_authority=False,
        title="Audit log" + (f" – page {log.number} of {log.pages}" if log.pages > 1 else ""),
    )
