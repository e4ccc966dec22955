"""User management for authority admins (own authority) and network admins (everyone)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from bench import mail, messages
from bench.access import Permission, allow, has_permission, recent_password
from bench.errors import BenchError, InvalidInput
from bench.users import service
from bench.users.forms import ActivationForm, InviteForm, UserSearchForm

bp = Blueprint("users", __name__, url_prefix="/users")


def _admin():  # noqa: ANN202 - the proxied User
    return current_user._get_current_object()


MANAGERS = (Permission.MANAGE_AUTHORITY_USERS, Permission.MANAGE_NETWORK)


@bp.route("/")
@allow(*MANAGERS)
def index() -> ResponseReturnValue:
    listed = service.list_users(_admin(), request.args)
    search = UserSearchForm(formdata=request.args)
    search.show(listed.errors)
    title = "Users" + (f" – page {listed.number} of {listed.pages}" if listed.pages > 1 else "")
    return render_template(
        "users/index.html",
        listed=listed,
        search=search,
        form=search,  # base.html draws the error summary of the page's ``form``
        activation_form=ActivationForm(),
        title=title,
    ), 400 if listed.errors else 200


@bp.route("/invite", methods=["GET", "POST"])
@allow(*MANAGERS)
@recent_password()
def invite() -> ResponseReturnValue:
    admin = _admin()
    network_admin = has_permission(admin, Permission.MANAGE_NETWORK)
    form = InviteForm()
    if network_admin:
        form.authority.choices = [SelectChoice("0", "Select an authority")] + [
            SelectChoice(str(authority.id), authority.name)
            for authority in service.current_authorities()
        ]
    else:
        del form.authority
    if form.validate_on_submit():
        try:
            authority = service.authority_for(admin, form.authority.data if network_admin else None)
            issued = service.invite(
                admin,
                authority=authority,
                email=form.email.data or "",
                name=form.name.data or "",
                role=service.Role(form.role.data),
            )
        except BenchError as error:
            getattr(form, error.field or "email").errors = [error.message]
        else:
            link = url_for("auth.accept_invitation", token=issued.token, _external=True)
            mail.send(service.invitation_message(issued, link))
            expires = issued.invitation.expires_at.strftime("%-d %B %Y")
            flash(
                messages.INVITATION_SENT.format(email=issued.invitation.email, expires=expires),
                "success",
            )
            return redirect(url_for("users.index"))
    return render_template(
        "users/invite.html", form=form, network_admin=network_admin, title="Invite a user"
    )


def _set_active(user_id: int, active: bool) -> ResponseReturnValue:
    admin = _admin()
    form = ActivationForm()
    if form.validate_on_submit():
        try:
            user = service.set_active(admin, user_id, active)
        except InvalidInput as error:
            flash(error.message, "error")
        else:
            template = messages.USER_REACTIVATED if active else messages.USER_DEACTIVATED
            flash(template.format(name=user.name), "success")
    return redirect(url_for("users.index"))


@bp.route("/<int:user_id>/deactivate", methods=["POST"])
@allow(*MANAGERS)
@recent_password(back="users.index")
def deactivate(user_id: int) -> ResponseReturnValue:
    return _set_active(user_id, False)


@bp.route("/<int:user_id>/reactivate", methods=["POST"])
@allow(*MANAGERS)
@recent_password(back="users.index")
def reactivate(user_id: int) -> ResponseReturnValue:
    return _set_active(user_id, True)
