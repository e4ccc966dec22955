"""The home page: what a signed-in user sees first, and where it leads."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from bench.access import Permission, allow, has_permission
from bench.grants import service as grants
from bench.home import service
from bench.kept import KeptItems, rendered

bp = Blueprint("home", __name__)

# Home's figures tables, rendered: kept under the overview's key (the authority and all
# they are built from), as the overview itself is.
FIGURES = KeptItems(size=256)


@bp.route("/")
@allow(Permission.ANY_SIGNED_IN)
def index() -> ResponseReturnValue:
    user = current_user._get_current_object()
    if has_permission(user, Permission.SEE_OWN_DATA) and user.authority is not None:
        home = service.authority_home(user)
        figures = rendered(FIGURES, home.sections_key, "home/_figures.html", sections=home.sections)
        return render_template(
            "home/authority.html", home=home, figures=figures, title=user.authority.name
        )
    if has_permission(user, Permission.MANAGE_NETWORK):
        return render_template(
            "home/network.html",
            counts=service.network_counts(),
            proposals=service.proposals_waiting(user),
            title="The network",
        )
    return render_template(
        "home/inspector.html", grants=grants.held_grants(user), title="Inspection"
    )
