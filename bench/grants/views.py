"""Grant pages: an authority's admins grant and revoke; inspectors see what they hold."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from bench import messages
from bench.access import Permission, allow, recent_password
from bench.dates import london_text
from bench.errors import Conflict, ValidationFailed
from bench.grants import service
from bench.grants.forms import FIELDS, ConfirmForm, GrantForm

bp = Blueprint("grants", __name__, url_prefix="/grants")


def _user():  # noqa: ANN202 - the proxied User
    return current_user._get_current_object()


@bp.route("/")
@allow(Permission.MANAGE_AUTHORITY_USERS)
def index() -> ResponseReturnValue:
    return render_template(
        "grants/index.html",
        grants=service.authority_grants(_user()),
        form=ConfirmForm(),
        title="Inspector grants",
    )


@bp.route("/new", methods=["GET", "POST"])
@allow(Permission.MANAGE_AUTHORITY_USERS)
@recent_password()
def new() -> ResponseReturnValue:
    form = GrantForm()
    if form.validate_on_submit():
        try:
            given = service.grant(_user(), form.grant_data())
        except ValidationFailed as failure:
            for error in failure.errors:
                field = form[FIELDS.get(error.field, error.field)]
                field.errors = [*field.errors, error.message]
        else:
            flash(
                messages.GRANT_GIVEN.format(
                    name=given.inspector.name,
                    starts=london_text(given.starts_at),
                    ends=london_text(given.expires_at),
                ),
                "success",
            )
            return redirect(url_for("grants.index"))
    return render_template("grants/new.html", form=form, title="Grant an inspector access")


@bp.route("/<grant_id>/revoke", methods=["POST"])
@allow(Permission.MANAGE_AUTHORITY_USERS)
@recent_password(back="grants.index")
def revoke(grant_id: str) -> ResponseReturnValue:
    if ConfirmForm().validate_on_submit():
        try:
            revoked = service.revoke(_user(), grant_id)
        except Conflict as error:
            flash(error.message, "error")
        else:
            flash(messages.GRANT_REVOKED.format(name=revoked.inspector.name), "success")
    return redirect(url_for("grants.index"))


@bp.route("/yours")
@allow(Permission.HOLD_GRANTS)
def held() -> ResponseReturnValue:
    return render_template(
        "grants/held.html", grants=service.held_grants(_user()), title="Your grants"
    )
