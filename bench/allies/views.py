"""The Allies pages: requests to answer, allies, and the council's own requests.

Authority admins only (DESIGN.md "Who may do what": ask for and accept allies).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from bench import messages
from bench.access import Permission, allow
from bench.allies import service
from bench.allies.forms import AcceptForm, ActionForm, AskForm
from bench.errors import Conflict, InvalidInput

bp = Blueprint("allies", __name__, url_prefix="/allies")


def _user():  # noqa: ANN202 - the proxied User
    return current_user._get_current_object()


def _field_error(form: AskForm | AcceptForm, error: InvalidInput | Conflict) -> None:
    field = form._fields.get(error.field or "") or form.contact_name
    field.errors = [*field.errors, error.message]


@bp.route("/")
@allow(Permission.MANAGE_ALLIES)
def index() -> ResponseReturnValue:
    return render_template(
        "allies/index.html",
        page=service.allies_page(_user()),
        action_form=ActionForm(formdata=None),
        title="Allies",
    )


@bp.route("/ask/<code>", methods=["GET", "POST"])
@allow(Permission.MANAGE_ALLIES)
def ask(code: str) -> ResponseReturnValue:
    user = _user()
    page = service.ask_page(user, code)
    initial = {"contact_name": user.name, "contact_email": user.email}
    form = AskForm(data=initial if request.method == "GET" else None)
    if page.open_until is None and form.validate_on_submit():
        try:
            service.ask(user, {**form.schema_data(), "issue_type": page.issue_type.code})
        except (InvalidInput, Conflict) as error:
            _field_error(form, error)
        else:
            flash(messages.ALLY_REQUEST_SENT, "success")
            return redirect(url_for("allies.index"))
    return render_template(
        "allies/ask.html", page=page, form=form, title=f"Ask about {page.issue_type.title}"
    )


@bp.route("/requests/<request_id>/accept", methods=["GET", "POST"])
@allow(Permission.MANAGE_ALLIES)
def accept(request_id: str) -> ResponseReturnValue:
    user = _user()
    try:
        incoming = service.request_to_answer(user, request_id)
    except Conflict as error:
        flash(error.message, "error")
        return redirect(url_for("allies.index"))
    initial = {"contact_name": user.name, "contact_email": user.email}
    form = AcceptForm(data=initial if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            made = service.accept(user, request_id, form.schema_data())
        except InvalidInput as error:
            _field_error(form, error)
        except Conflict as error:
            flash(error.message, "error")
            return redirect(url_for("allies.index"))
        else:
            name = made.ally.name if made.ally else ""
            flash(messages.ALLY_REQUEST_ACCEPTED.format(name=name), "success")
            return redirect(url_for("allies.alliance", alliance_id=made.public_id))
    return render_template(
        "allies/accept.html",
        incoming=incoming,
        form=form,
        title=f"Accept {incoming.asked_by.name}'s request",
    )


@bp.route("/requests/<request_id>/decline", methods=["POST"])
@allow(Permission.MANAGE_ALLIES)
def decline(request_id: str) -> ResponseReturnValue:
    if ActionForm().validate_on_submit():
        try:
            service.decline(_user(), request_id)
        except Conflict as error:
            flash(error.message, "error")
        else:
            flash(messages.ALLY_REQUEST_DECLINED, "success")
    return redirect(url_for("allies.index"))


@bp.route("/<alliance_id>")
@allow(Permission.MANAGE_ALLIES)
def alliance(alliance_id: str) -> ResponseReturnValue:
    view = service.alliance(_user(), alliance_id)
    title = f"Alliance with {view.ally.name}" if view.ally else "An ended alliance"
    return render_template(
        "allies/alliance.html", alliance=view, action_form=ActionForm(formdata=None), title=title
    )


@bp.route("/<alliance_id>/end", methods=["POST"])
@allow(Permission.MANAGE_ALLIES)
def end(alliance_id: str) -> ResponseReturnValue:
    if ActionForm().validate_on_submit():
        try:
            service.end(_user(), alliance_id)
        except Conflict as error:
            flash(error.message, "error")
        else:
            flash(messages.ALLIANCE_ENDED, "success")
    return redirect(url_for("allies.alliance", alliance_id=alliance_id))
