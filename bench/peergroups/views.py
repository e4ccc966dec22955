"""Peer-group pages: network admins import published neighbours; authorities' users save
custom groups."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from bench import messages
from bench.access import Permission, allow
from bench.errors import Conflict, InvalidInput, ValidationFailed
from bench.peergroups import service
from bench.peergroups.forms import (
    ApplyImportForm,
    ConfirmForm,
    CustomGroupForm,
    GroupFilterForm,
    ImportForm,
)

admin_bp = Blueprint("peer_imports", __name__, url_prefix="/admin/peer-groups")
bp = Blueprint("peer_groups", __name__, url_prefix="/compare/groups")
SHOWN_ERRORS = 500


def _user():  # noqa: ANN202 - the proxied User
    return current_user._get_current_object()


# --- published nearest neighbours ------------------------------------------------------------


@admin_bp.route("/")
@allow(Permission.MANAGE_NETWORK)
def versions() -> ResponseReturnValue:
    return render_template(
        "peergroups/versions.html",
        versions=service.versions(),
        title="Published nearest neighbours",
    )


def _summary(failure: ValidationFailed) -> str:
    count = len(failure.errors)
    if count == 1 and failure.errors[0].row is None and failure.errors[0].field == "file":
        return failure.errors[0].message
    return f"The file has {count} problem{'s' if count != 1 else ''}: nothing was imported"


@admin_bp.route("/import", methods=["GET", "POST"])
@allow(Permission.MANAGE_NETWORK)
def import_lists() -> ResponseReturnValue:
    form = ImportForm()
    apply_form = ApplyImportForm(prefix="apply")
    plan = None
    problems: list = []
    if request.method == "POST" and "apply-lists" in request.form:
        if apply_form.validate_on_submit():
            try:
                done = service.apply_import(
                    _user(),
                    apply_form.lists.data or "",
                    apply_form.source.data or "",
                    apply_form.version.data or "",
                )
            except ValidationFailed as failure:
                form.file.errors = [messages.PEER_IMPORT_STALE]
                problems = failure.errors
            except Conflict as clash:
                form.file.errors = [clash.message]
            else:
                flash(
                    messages.PEER_GROUPS_IMPORTED.format(
                        version=done.version, authorities=done.authorities, pairs=done.pairs
                    ),
                    "success",
                )
                return redirect(url_for("peer_imports.versions"))
    elif form.validate_on_submit():
        file = form.file.data
        if file is None or not getattr(file, "filename", ""):
            form.file.errors = [messages.PEER_IMPORT_FILE_REQUIRED]
        else:
            try:
                plan = service.check_import(
                    _user(), file.filename, file.read(), form.source.data or ""
                )
            except ValidationFailed as failure:
                form.file.errors = [_summary(failure)]
                problems = failure.errors
            else:
                apply_form.lists.data = plan.payload
                apply_form.source.data = plan.source
                apply_form.version.data = str(plan.version)
    return render_template(
        "peergroups/import.html",
        form=form,
        apply_form=apply_form,
        plan=plan,
        problems=problems[:SHOWN_ERRORS],
        problem_count=len(problems),
        title="Check the lists before you import them" if plan else "Import nearest neighbours",
    )


# --- the viewer's groups, custom groups ------------------------------------------------------


@bp.route("")
@allow(Permission.SEE_OWN_DATA)
def index() -> ResponseReturnValue:
    return render_template(
        "peergroups/index.html",
        groups=service.viewer_groups(_user()),
        delete_form=ConfirmForm(),
        title="Your peer groups",
    )


BUILDER_ACTIONS = ("filter", "start")  # the builder's buttons that only change the view


@bp.route("/new", methods=["GET", "POST"])
@allow(Permission.SEE_OWN_DATA)
def new() -> ResponseReturnValue:
    """The builder. Its filter and "start from" buttons post the whole form (so ticks are
    never lost) and lead to the builder's link with the filters, the ticks and the name:
    it works without JavaScript, and the filtered view is a link."""
    if request.method == "POST" and request.form.get("action") in BUILDER_ACTIONS:
        if not ConfirmForm().validate_on_submit():  # the CSRF token
            return redirect(url_for("peer_groups.new"))
        return redirect(_builder_link(request.form), code=303)
    args = request.form if request.method == "POST" else request.args
    built = service.builder(_user(), args)
    if request.method == "POST":
        form = CustomGroupForm()
    else:
        form = CustomGroupForm(name=built.name, members=[str(i) for i in sorted(built.ticked)])
    form.members.choices = [
        SelectChoice(str(authority.id), authority.name) for authority in built.shown
    ]
    filters = GroupFilterForm(formdata=None)
    filters.offer(built)
    filters.show(built.errors)
    if request.method == "GET":  # a link's ticks that are not councils to choose from
        form.members.errors = [e.message for e in built.errors if e.field == "members"]
    if request.method == "POST" and form.validate_on_submit():
        try:
            group = service.save_custom_group(_user(), form.schema_data())
        except (InvalidInput, Conflict) as error:
            getattr(form, error.field or "name").errors = [error.message]
        else:
            flash(messages.CUSTOM_GROUP_SAVED.format(name=group.name), "success")
            return redirect(url_for("peer_groups.index"))
    return render_template(
        "peergroups/new.html",
        form=form,
        filters=filters,
        built=built,
        k=service.min_members(),
        title="Make a custom peer group",
    ), 400 if built.errors and request.method == "GET" else 200


def _builder_link(sent: Any) -> str:
    """The builder's link for the form *sent*: its filters, name and ticks (and the group
    to start from, when that button was pressed)."""
    keep = {key: (sent.get(key) or "").strip() for key in ("q", "type", "region", "name")}
    if sent.get("action") == "start":
        keep["start"] = (sent.get("start") or "").strip()
    arguments = {key: value for key, value in keep.items() if value}
    return url_for("peer_groups.new", members=sent.getlist("members"), **arguments)


@bp.route("/<int:group_id>/delete", methods=["POST"])
@allow(Permission.SEE_OWN_DATA)
def delete(group_id: int) -> ResponseReturnValue:
    form = ConfirmForm()
    if form.validate_on_submit():
        name = service.delete_custom_group(_user(), group_id)
        flash(messages.CUSTOM_GROUP_DELETED.format(name=name), "success")
    return redirect(url_for("peer_groups.index"))
