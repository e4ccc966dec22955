"""Notifications and following: the user's alerts page and the follow buttons' targets."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from bench import messages
from bench.access import Permission, allow
from bench.alerts import service
from bench.alerts.forms import FollowForm, MarkReadForm
from bench.errors import InvalidInput

bp = Blueprint("alerts", __name__, url_prefix="/alerts")


def _user():  # noqa: ANN202 - the proxied User
    return current_user._get_current_object()


@bp.route("/")
@allow(Permission.SEE_OWN_DATA)
def index() -> ResponseReturnValue:
    page = service.notifications_page(_user(), request.args.get("page", 1, type=int) or 1)
    return render_template(
        "alerts/index.html",
        page=page,
        follow_form=FollowForm(formdata=None),
        read_form=MarkReadForm(formdata=None),
        title="Notifications",
    )


def _change(following: bool) -> ResponseReturnValue:
    form = FollowForm()
    if form.validate_on_submit():
        action = service.follow if following else service.unfollow
        try:
            title = action(_user(), form.indicator.data or "", form.issue_type.data or "")
        except InvalidInput as error:
            flash(error.message, "error")
        else:
            template = messages.FOLLOWED if following else messages.UNFOLLOWED
            flash(template.format(title=title), "success")
    return redirect(url_for(form.return_endpoint(), **form.return_arguments()))


@bp.route("/follow", methods=["POST"])
@allow(Permission.SEE_OWN_DATA)
def follow() -> ResponseReturnValue:
    return _change(True)


@bp.route("/unfollow", methods=["POST"])
@allow(Permission.SEE_OWN_DATA)
def unfollow() -> ResponseReturnValue:
    return _change(False)


@bp.route("/read", methods=["POST"])
@allow(Permission.SEE_OWN_DATA)
def read() -> ResponseReturnValue:
    if MarkReadForm().validate_on_submit():
        service.mark_all_read(_user())
        flash(messages.NOTIFICATIONS_READ, "success")
    return redirect(url_for("alerts.index"))
