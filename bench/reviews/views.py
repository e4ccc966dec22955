"""Pages of the reviews area: the authority's reviews, one review, its edit and team
forms, and the updates every user of the authority reads.

Any user of an authority (Permission.RECORD_VISITS) reads every review of it and may
start one; changing one is for its team and the authority's admins (bench.reviews.rules).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

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
            form.show_error(error.field or "", error.message)
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
    page: service.ReviewPage, failed: UpdateForm | PinForm | None = None
) -> ResponseReturnValue:
    """The review page; with a form that failed, its errors in the summary at the top."""
    update_form = failed if isinstance(failed, UpdateForm) else UpdateForm(formdata=None)
    pin_form = failed if isinstance(failed, PinForm) else PinForm(formdata=None)
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


def _posted_on_review_page(
    review_id: str,
    form: UpdateForm | PinForm,
    act: Callable[[Any, str, dict[str, Any]], object],
    done: str,
    section: str,
) -> ResponseReturnValue:
    """A form of the review page: done, back to its section; else the page with its errors.
    Another authority's review is not found, and off the team the answer is a refusal,
    before anything is read from the form."""
    user = _user()
    page = service.review_page(user, review_id, changing=True)
    if isinstance(form, PinForm) and page.pin_options is not None:
        form.offer(page.pin_options)
    if form.validate_on_submit():
        try:
            act(user, review_id, form.schema_data())
        except InvalidInput as error:
            form.show_error(error.field or "", error.message)
        else:
            flash(done, "success")
            return redirect(url_for("reviews.review", review_id=review_id, _anchor=section))
    return _review_page(page, form)


@bp.route("/<review_id>/updates", methods=["POST"])
@allow(Permission.RECORD_VISITS)
def post_update(review_id: str) -> ResponseReturnValue:
    return _posted_on_review_page(
        review_id, UpdateForm(), service.post_update, messages.UPDATE_POSTED, "updates"
    )


@bp.route("/<review_id>/evidence", methods=["POST"])
@allow(Permission.RECORD_VISITS)
def pin(review_id: str) -> ResponseReturnValue:
    return _posted_on_review_page(review_id, PinForm(), pins.pin, messages.PINNED, "evidence")


def _saved_since(form: ReviewEditForm | TeamForm, review_id: str) -> service.EditPage:
    """After a stale save: the review as someone else saved it, to show beside the form,
    whose next save is then from that version (saving again replaces theirs, knowingly)."""
    current = service.edit_page(_user(), review_id)
    form.lock_version.data = str(current.review.lock_version)
    form.lock_version.raw_data = [form.lock_version.data]
    return current


def _changing(
    review_id: str,
    form_class: type[ReviewEditForm] | type[TeamForm],
    change: Callable[[Any, str, dict[str, Any]], object],
    done: str,
    page: tuple[str, str, str | None],
) -> ResponseReturnValue:
    """A form that changes a review from the version it read (its fields, or its team).
    *page*: the template, the title (with the review's title in it) and the section of
    the review page to go back to."""
    template, title, section = page
    user = _user()
    editing = service.edit_page(user, review_id)
    form = form_class(data=form_class.initial(editing) if request.method == "GET" else None)
    form.offer(editing.choices)
    current = None  # the review as someone else saved it, when this save came too late
    if form.validate_on_submit():
        try:
            change(user, review_id, form.schema_data())
        except Conflict as error:
            current = _saved_since(form, review_id)
            form.show_error(error.field or "lock_version", error.message)
        except InvalidInput as error:
            form.show_error(error.field or "", error.message)
        else:
            flash(done, "success")
            return redirect(url_for("reviews.review", review_id=review_id, _anchor=section))
    return render_template(
        template,
        form=form,
        editing=editing,
        current=current,
        title=title.format(review=editing.review.title),
    )


@bp.route("/<review_id>/edit", methods=["GET", "POST"])
@allow(Permission.RECORD_VISITS)
def edit(review_id: str) -> ResponseReturnValue:
    page = ("reviews/edit.html", "Change {review}", None)
    return _changing(review_id, ReviewEditForm, service.change_review, messages.REVIEW_SAVED, page)


@bp.route("/<review_id>/team", methods=["GET", "POST"])
@allow(Permission.RECORD_VISITS)
def team(review_id: str) -> ResponseReturnValue:
    page = ("reviews/team.html", "Team for {review}", "team")
    return _changing(review_id, TeamForm, service.change_team, messages.REVIEW_TEAM_SAVED, page)
