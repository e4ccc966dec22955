"""Pages of staff views: give a view and read "you said, we did"; the team's rounds, its
responses and moderation.

Giving an anonymous view redirects to the same page as a named one, with a message that
names no view: neither the URL nor the message carries anything of it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from bench import messages
from bench.access import Permission, allow, untraced
from bench.errors import Conflict, InvalidInput
from bench.markdown import plain_text, render
from bench.staffviews import service
from bench.staffviews.forms import ConfirmForm, GiveViewForm, HideForm, RespondForm

bp = Blueprint("staffviews", __name__, url_prefix="/staff-views")

ACTION_LABEL_MAX = 90


def _user():  # noqa: ANN202 - the proxied User
    return current_user._get_current_object()


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"markdown": render}


def _field_error(form: Any, error: InvalidInput, fallback: str) -> None:
    field = form._fields.get(error.field or "") or form._fields[fallback]
    field.errors = [*field.errors, error.message]


@bp.route("/", methods=["GET", "POST"])
@allow(Permission.RECORD_VISITS)
# Who gives a view is in no trace: not the server log (bench/logs.py), not the session's
# last activity (bench.access.untraced).
@untraced
def index() -> ResponseReturnValue:
    user = _user()
    page = service.give_page(user)
    form = GiveViewForm()
    form.review.choices = [("", f"No: this month’s round ({page.month})")] + [
        (review.public_id, review.title) for review in page.reviews
    ]
    if form.validate_on_submit():
        try:
            given = service.give(user, form.schema_data())
        except InvalidInput as error:
            _field_error(form, error, "body")
        except Conflict as error:  # the daily limit: the text stays in the form
            form.body.errors = [*form.body.errors, error.message]
        else:
            done = messages.STAFF_VIEW_GIVEN_ANONYMOUSLY
            if not given.anonymous:
                done = messages.STAFF_VIEW_GIVEN_NAMED
            flash(done, "success")
            return redirect(url_for("staffviews.index"))
    return render_template(
        "staffviews/index.html",
        page=page,
        form=form,
        on_team=bool(service.team_of(user)),
        title="Staff views: you said, we did",
    )


@bp.route("/team")
@allow(Permission.RECORD_VISITS)
def team() -> ResponseReturnValue:
    return render_template(
        "staffviews/team.html",
        rounds=service.team_page(_user()),
        confirm_form=ConfirmForm(formdata=None),
        title="Staff views for the team",
    )


def _team_form(form: Any, act: Callable[[dict[str, Any]], object], done: str, first: str):  # noqa: ANN202
    """Submit one of the team's forms about a view: back to the team's page with a message,
    or None to show the form again with its field's error."""
    if not form.validate_on_submit():
        return None
    try:
        act(form.schema_data())
    except InvalidInput as error:
        _field_error(form, error, first)
        return None
    except Conflict as error:
        flash(error.message, "error")
    else:
        flash(done, "success")
    return redirect(url_for("staffviews.team"))


@bp.route("/<view_id>/respond", methods=["GET", "POST"])
@allow(Permission.RECORD_VISITS)
def respond(view_id: str) -> ResponseReturnValue:
    user = _user()
    view = service.view_for_team(user, view_id)
    form = RespondForm()
    form.action.choices = [("", "No action")] + [
        (action.public_id, _action_label(action.description))
        for action in service.action_choices(user)
    ]
    done = _team_form(
        form,
        lambda data: service.respond(user, view_id, data),
        messages.STAFF_VIEW_RESPONDED,
        "body",
    )
    return done or render_template(
        "staffviews/respond.html", view=view, form=form, title="Respond to a staff view"
    )


def _action_label(description: str) -> str:
    text = plain_text(description)
    return text if len(text) <= ACTION_LABEL_MAX else text[: ACTION_LABEL_MAX - 1] + "…"


@bp.route("/<view_id>/hide", methods=["GET", "POST"])
@allow(Permission.RECORD_VISITS)
def hide(view_id: str) -> ResponseReturnValue:
    user = _user()
    view = service.view_for_team(user, view_id)
    form = HideForm()
    done = _team_form(
        form, lambda data: service.hide(user, view_id, data), messages.STAFF_VIEW_HIDDEN, "reason"
    )
    return done or render_template(
        "staffviews/hide.html", view=view, form=form, title="Hide a staff view"
    )


@bp.route("/<view_id>/unhide", methods=["POST"])
@allow(Permission.RECORD_VISITS)
def unhide(view_id: str) -> ResponseReturnValue:
    user = _user()
    service.view_for_team(user, view_id)  # another's, or one not shown: 404 before the form
    if ConfirmForm().validate_on_submit():
        try:
            service.unhide(user, view_id)
        except Conflict as error:
            flash(error.message, "error")
        else:
            flash(messages.STAFF_VIEW_UNHIDDEN, "success")
    return redirect(url_for("staffviews.team"))
