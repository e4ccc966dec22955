"""Pages of the actions area: the authority's actions, one action, adding, updating and
carrying forward. Any user of the authority who records visits (staff, analysts and
authority admins); another authority's action or review is a 404."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from bench import markdown, messages
from bench.access import Permission, allow
from bench.actions import checks, lists, service
from bench.actions.forms import ActionForm, ConfirmForm, FilterForm, UpdateForm
from bench.actions.shown import RAG_TAGS, STATUS_TAGS
from bench.errors import Conflict, RowError, ValidationFailed

bp = Blueprint("actions", __name__, url_prefix="/actions")
TITLE_LENGTH = 80


def _user():  # noqa: ANN202 - the proxied User
    return current_user._get_current_object()


@bp.app_context_processor  # the review page lists its actions with the same tags
def _helpers() -> dict[str, Any]:
    return {
        "markdown": markdown.render,
        "status_tags": STATUS_TAGS,
        "rag_tags": RAG_TAGS,
        "short": short_title,
    }


def short_title(description: str) -> str:
    """An action's description as a one-line title: its first line without Markdown, cut
    short."""
    first_line = next((line for line in description.splitlines() if line.strip()), "")
    text = markdown.plain_text(first_line) or "Follow-up action"
    return text if len(text) <= TITLE_LENGTH else text[: TITLE_LENGTH - 1].rstrip() + "…"


def _field_errors(form: Any, errors: list[RowError]) -> None:
    for error in errors:
        field = form._fields.get(error.field) or form._fields.get("description") or form.note
        if error.message not in field.errors:
            field.errors = [*field.errors, error.message]


@bp.route("/")
@allow(Permission.RECORD_VISITS)
def index() -> ResponseReturnValue:
    finished = request.args.get("show") == "finished"
    page = lists.list_page(
        _user(),
        finished=finished,
        status=request.args.get("status"),
        review=request.args.get("review"),
        owner=request.args.get("owner"),
        rag=request.args.get("rag"),
    )
    filters = FilterForm(request.args)
    filters.offer(page, finished)
    for name, message in page.rejected.items():
        filters[name].errors = [message]
    title = "Finished actions" if finished else "Follow-up actions"
    return render_template(
        "actions/index.html",
        page=page,
        filters=filters,
        form=filters if page.rejected else None,
        carry_form=ConfirmForm(formdata=None),
        title=title,
    )


@bp.route("/new", methods=["GET", "POST"])
@allow(Permission.RECORD_VISITS)
def new() -> ResponseReturnValue:
    user = _user()
    # Opened from a visit, review or staff view: that is where it came from.
    form = ActionForm(formdata=None, data=_prefill()) if request.method == "GET" else ActionForm()
    staff_view_id = form.source_id.data if form.source.data == "staff_view" else None
    staff_view = service.staff_view_title(user, staff_view_id) if staff_view_id else None
    form.offer(service.choices(user), (staff_view_id, staff_view) if staff_view else None)
    if form.validate_on_submit():
        try:
            made = service.create(user, form.schema_data())
        except ValidationFailed as failure:
            _field_errors(form, failure.errors)
        else:
            flash(messages.ACTION_CREATED, "success")
            return redirect(url_for("actions.action", action_id=made.public_id))
    elif form.is_submitted() and not form.csrf_token.errors:
        # The form's own checks failed: show what only the database can tell beside them.
        _field_errors(form, checks.problems_with_new(user, form.schema_data()))
    return render_template("actions/new.html", form=form, title="Add a follow-up action")


def _prefill() -> dict[str, str]:
    chosen = {"status": "open", "rag": ""}
    for name in ("source", "source_id", "review"):
        value = request.args.get(name)
        if value:
            chosen[name] = value
    return chosen


def _action_page(
    public_id: str, form: UpdateForm | None = None, status: int = 200
) -> ResponseReturnValue:
    user = _user()
    shown = service.detail(user, public_id)
    if form is None:
        form = UpdateForm(formdata=None)
        form.show_current(shown.action)
    form.offer(service.owners_to_choose(user))
    page = render_template(
        "actions/action.html",
        detail=shown,
        form=form,
        title=short_title(shown.action.description),
    )
    return page, status


@bp.route("/<action_id>")
@allow(Permission.RECORD_VISITS)
def action(action_id: str) -> ResponseReturnValue:
    return _action_page(action_id)


@bp.route("/<action_id>/updates", methods=["POST"])
@allow(Permission.RECORD_VISITS)
def post_update(action_id: str) -> ResponseReturnValue:
    user = _user()
    form = UpdateForm()
    form.offer(service.owners_to_choose(user))
    if form.validate_on_submit():
        try:
            service.post_update(user, action_id, form.schema_data())
        except ValidationFailed as failure:
            _field_errors(form, failure.errors)
        except Conflict as error:
            # The user's answers stay in the form, now against the latest version: they
            # read what changed, then save again. Nothing is lost and nothing overwritten.
            latest = service.detail(user, action_id).action
            form.lock_version.data = str(latest.lock_version)
            form.lock_version.errors = [error.message]
            return _action_page(action_id, form, 409)
        else:
            flash(messages.ACTION_UPDATED, "success")
            return redirect(url_for("actions.action", action_id=action_id))
    return _action_page(action_id, form)


@bp.route("/carry/<review_id>", methods=["POST"])
@allow(Permission.RECORD_VISITS)
def carry(review_id: str) -> ResponseReturnValue:
    if ConfirmForm().validate_on_submit():
        try:
            carried = service.carry_forward(_user(), review_id)
        except Conflict as error:
            flash(error.message, "error")
        else:
            count = len(carried.actions)
            said = (
                messages.ACTIONS_CARRIED.format(
                    count=count, s="" if count == 1 else "s", review=carried.previous.title
                )
                if count
                else messages.ACTIONS_NOTHING_TO_CARRY.format(review=carried.previous.title)
            )
            flash(said, "success")
    return redirect(url_for("actions.index", review=review_id))
