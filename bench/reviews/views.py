"""Pages of the reviews area: the authority's reviews, one review, its edit and team
forms, and the updates every user of the authority reads.

Any user of an authority (Permission.RECORD_VISITS) reads every review of it and may
start one; changing one is for its team and the authority's admins (bench.reviews.rules).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm

from bench import messages
from bench.access import Permission, allow
from bench.errors import Conflict, InvalidInput, NotAllowed
from bench.reviews import pins, service
from bench.reviews.forms import PinForm, ReviewEditForm, ReviewForm, TeamForm, UpdateForm

bp = Blueprint("reviews", __name__, url_prefix="/reviews")


def _user():  # noqa: ANN202 - the proxied User
    return current_user._get_current_object()


@bp.errorhandler(NotAllowed)
def _not_on_team(error: NotAllowed) -> ResponseReturnValue:
    """A review of the user's own authority that they may not change: say why."""
    return render_template(
        "reviews/not_on_team.html", message=error.message, title="You are not on this review's team"
    ), 403


def _field_error(form: FlaskForm, error: InvalidInput | Conflict) -> None:
    field = form._fields.get((error.field or "").split(".")[0])
    if field is None:
        field = next(iter(f for name, f in form._fields.items() if name != "csrf_token"))
    field.errors = [*field.errors, error.message]


@bp.route("/")
@allow(Permission.RECORD_VISITS)
def index() -> ResponseReturnValue:
    return render_template("reviews/index.html", reviews=service.reviews(_user()), title="Reviews")


@bp.route("/new", methods=["GET", "POST"])
@allow(Permission.RECORD_VISITS)
def new() -> ResponseReturnValue:
    user = _user()
    form = ReviewForm()
    form.offer(service.choices(user))
    if form.validate_on_submit():
        try:
            started = service.start_review(user, form.schema_data())
        except InvalidInput as error:
            _field_error(form, error)
        else:
            flash(messages.REVIEW_STARTED, "success")
            return redirect(url_for("reviews.review", review_id=started.public_id))
    return render_template("reviews/new.html", form=form, title="Start a review")


@bp.route("/updates")
@allow(Permission.RECORD_VISITS)
def updates() -> ResponseReturnValue:
    page = service.updates_page(
        _user(), request.args.get("page", 1, type=int), request.args.get("review") or None
    )
    title = f"Updates on {page.review.title}" if page.review else "Updates"
    if page.pages > 1:
        title += f" – page {page.number} of {page.pages}"
    return render_template("reviews/updates.html", page=page, title=title)


def _review_page(
    page: service.ReviewPage,
    update_form: UpdateForm | None = None,
    pin_form: PinForm | None = None,
) -> ResponseReturnValue:
    """The review page; with a form that failed, its errors in the summary at the top."""
    failed = update_form or pin_form
    update_form = update_form or UpdateForm(formdata=None)
    pin_form = pin_form or PinForm(formdata=None)
    if page.pin_options is not None:
        pin_form.offer(page.pin_options)
    return render_template(
        "reviews/review.html",
        page=page,
        update_form=update_form,
        pin_form=pin_form,
        form=failed,
        title=page.review.title,
    )


@bp.route("/<review_id>")
@allow(Permission.RECORD_VISITS)
def review(review_id: str) -> ResponseReturnValue:
    return _review_page(service.review_page(_user(), review_id))


@bp.route("/<review_id>/updates", methods=["POST"])
@allow(Permission.RECORD_VISITS)
def post_update(review_id: str) -> ResponseReturnValue:
    user = _user()
    page = service.review_page(user, review_id, changing=True)
    form = UpdateForm()
    if form.validate_on_submit():
        try:
            service.post_update(user, review_id, form.schema_data())
        except InvalidInput as error:
            _field_error(form, error)
        else:
            flash(messages.UPDATE_POSTED, "success")
            return redirect(url_for("reviews.review", review_id=review_id, _anchor="updates"))
    return _review_page(page, update_form=form)


@bp.route("/<review_id>/evidence", methods=["POST"])
@allow(Permission.RECORD_VISITS)
def pin(review_id: str) -> ResponseReturnValue:
    user = _user()
    page = service.review_page(user, review_id, changing=True)
    form = PinForm()
    if page.pin_options is not None:
        form.offer(page.pin_options)
    if form.validate_on_submit():
        try:
            pins.pin(user, review_id, form.schema_data())
        except InvalidInput as error:
            _field_error(form, error)
        else:
            flash(messages.PINNED, "success")
            return redirect(url_for("reviews.review", review_id=review_id, _anchor="evidence"))
    return _review_page(page, pin_form=form)


@bp.route("/<review_id>/edit", methods=["GET", "POST"])
@allow(Permission.RECORD_VISITS)
def edit(review_id: str) -> ResponseReturnValue:
    user = _user()
    editing = service.edit_page(user, review_id)
    form = ReviewEditForm(data=ReviewEditForm.initial(editing) if request.method == "GET" else None)
    form.offer(editing.choices)
    current = None  # the review as someone else saved it, when this save came too late
    if form.validate_on_submit():
        try:
            service.change_review(user, review_id, form.schema_data())
        except Conflict as error:
            current = service.edit_page(user, review_id)
            _field_error(form, error)
            # The next save is from the version now shown: saving again replaces theirs.
            form.lock_version.data = str(current.review.lock_version)
            form.lock_version.raw_data = [form.lock_version.data]
        except InvalidInput as error:
            _field_error(form, error)
        else:
            flash(messages.REVIEW_SAVED, "success")
            return redirect(url_for("reviews.review", review_id=review_id))
    return render_template(
        "reviews/edit.html",
        form=form,
        editing=editing,
        current=current,
        title=f"Change {editing.review.title}",
    )


@bp.route("/<review_id>/team", methods=["GET", "POST"])
@allow(Permission.RECORD_VISITS)
def team(review_id: str) -> ResponseReturnValue:
    user = _user()
    editing = service.edit_page(user, review_id)
    form = TeamForm(data=TeamForm.initial(editing) if request.method == "GET" else None)
    form.offer(editing.choices)
    current = None
    if form.validate_on_submit():
        try:
            service.change_team(user, review_id, form.schema_data())
        except Conflict as error:
            current = service.edit_page(user, review_id)
            form.show_error(error.field or "lock_version", error.message)
            form.lock_version.data = str(current.review.lock_version)
            form.lock_version.raw_data = [form.lock_version.data]
        except InvalidInput as error:
            form.show_error(error.field or "team", error.message)
        else:
            flash(messages.REVIEW_TEAM_SAVED, "success")
            return redirect(url_for("reviews.review", review_id=review_id, _anchor="team"))
    return render_template(
        "reviews/team.html",
        form=form,
        editing=editing,
        current=current,
        title=f"Team for {editing.review.title}",
    )
