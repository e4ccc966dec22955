"""Pages for sharing notes: the note's sharing page, the host's responses, what other
councils shared with yours, what inspectors may read, and the network's good practice.

Who may read a note is :mod:`bench.visits.visibility`'s rule, applied by the services;
another council's note, or one the user may not read, is not found.
"""

from __future__ import annotations

import click
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from bench import markdown, messages
from bench.access import Permission, allow
from bench.errors import Conflict, InvalidInput
from bench.sharing import goodpractice, lists, responses, service
from bench.sharing.forms import AcceptForm, ActionForm, CopyForm, CorrectionForm, ReplyForm

bp = Blueprint("sharing", __name__, url_prefix="/sharing", cli_group="goodpractice")

READERS = (Permission.RECORD_VISITS, Permission.HOLD_GRANTS)


def _user():  # noqa: ANN202 - the proxied User
    return current_user._get_current_object()


def _note_page(note_id: str) -> ResponseReturnValue:
    return redirect(url_for("sharing.note", note_id=note_id))


@bp.route("/notes/<note_id>")
@allow(Permission.RECORD_VISITS)
def note(note_id: str) -> ResponseReturnValue:
    page = service.sharing_page(_user(), note_id)
    return render_template(
        "sharing/note.html", page=page, action_form=ActionForm(), title="Share this note"
    )


@bp.route("/notes/<note_id>/shares", methods=["POST"])
@allow(Permission.RECORD_VISITS)
def add_share(note_id: str) -> ResponseReturnValue:
    if ActionForm().validate_on_submit():
        try:
            share = service.add_share(_user(), note_id, {"level": request.form.get("level")})
        except (InvalidInput, Conflict) as error:
            flash(error.message, "error")
        else:
            words = service.level_words(share.level)
            flash(messages.SHARE_ADDED.format(level=words), "success")
    return _note_page(note_id)


@bp.route("/notes/<note_id>/shares/revoke", methods=["POST"])
@allow(Permission.RECORD_VISITS)
def revoke_share(note_id: str) -> ResponseReturnValue:
    if ActionForm().validate_on_submit():
        try:
            share = service.revoke_share(_user(), note_id, request.form.get("level", ""))
        except Conflict as error:
            flash(error.message, "error")
        else:
            words = service.level_words(share.level)
            flash(messages.SHARE_REVOKED.format(level=words), "success")
    return _note_page(note_id)


# --- the host's replies and corrections -------------------------------------------------


def _responses(note_id: str, reply: ReplyForm, correction: CorrectionForm, form=None):  # noqa: ANN001, ANN202
    page = responses.responses_page(_user(), note_id)
    if not correction.text.data:
        correction.text.data = page.current_md
    correction.revision.data = correction.revision.data or str(page.note.revision_number)
    return render_template(
        "sharing/responses.html",
        page=page,
        reply_form=reply,
        correction_form=correction,
        action_form=ActionForm(),
        form=form,
        title="Replies and corrections",
    )


def _field_error(form: ReplyForm | CorrectionForm, error: InvalidInput) -> None:
    field = form._fields.get(error.field or "") or next(iter(form._fields.values()))
    field.errors = [*field.errors, error.message]


@bp.route("/notes/<note_id>/responses")
@allow(Permission.RECORD_VISITS)
def note_responses(note_id: str) -> ResponseReturnValue:
    return _responses(note_id, ReplyForm(formdata=None), CorrectionForm(formdata=None))


@bp.route("/notes/<note_id>/responses/reply", methods=["POST"])
@allow(Permission.RECORD_VISITS)
def reply(note_id: str) -> ResponseReturnValue:
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            responses.post_reply(_user(), note_id, form.schema_data())
        except InvalidInput as error:
            _field_error(form, error)
        else:
            flash(messages.REPLY_POSTED, "success")
            return redirect(url_for("sharing.note_responses", note_id=note_id))
    return _responses(note_id, form, CorrectionForm(formdata=None), form)


@bp.route("/notes/<note_id>/responses/correction", methods=["POST"])
@allow(Permission.RECORD_VISITS)
def correction(note_id: str) -> ResponseReturnValue:
    form = CorrectionForm()
    if form.validate_on_submit():
        try:
            responses.propose_correction(_user(), note_id, form.schema_data())
        except InvalidInput as error:
            _field_error(form, error)
        else:
            flash(messages.CORRECTION_POSTED, "success")
            return redirect(url_for("sharing.note_responses", note_id=note_id))
    return _responses(note_id, ReplyForm(formdata=None), form, form)


@bp.route("/responses/<response_id>/accept", methods=["GET", "POST"])
@allow(Permission.RECORD_VISITS)
def accept(response_id: str) -> ResponseReturnValue:
    user = _user()
    form = AcceptForm()
    if form.validate_on_submit():
        try:
            note_id = responses.accept(user, response_id, confirmed=bool(form.confirm.data))
        except Conflict as error:
            if error.field != "confirm":
                flash(error.message, "error")
                return redirect(url_for("sharing.accept", response_id=response_id))
            # The note moved on since the correction was proposed: compare, then confirm.
            form.confirm.errors = [error.message]
        else:
            flash(messages.CORRECTION_ACCEPTED, "success")
            return redirect(url_for("sharing.note_responses", note_id=note_id))
    page = responses.correction_to_accept(user, response_id)
    return render_template(
        "sharing/accept.html", page=page, form=form, title="Accept the host's correction"
    )


@bp.route("/responses/<response_id>/decline", methods=["POST"])
@allow(Permission.RECORD_VISITS)
def decline(response_id: str) -> ResponseReturnValue:
    if not ActionForm().validate_on_submit():
        return redirect(url_for("sharing.accept", response_id=response_id))
    note_id = responses.decline(_user(), response_id)
    flash(messages.CORRECTION_DECLINED, "success")
    return redirect(url_for("sharing.note_responses", note_id=note_id))


# --- shared with other councils, and with inspectors --------------------------------------


@bp.route("/with-us")
@allow(Permission.RECORD_VISITS)
def with_us() -> ResponseReturnValue:
    return render_template(
        "sharing/with_us.html",
        notes=lists.with_us(_user()),
        action_form=ActionForm(),
        title="Notes shared with your council",
    )


@bp.route("/notes/<note_id>/consent", methods=["POST"])
@allow(Permission.MANAGE_AUTHORITY_USERS)
def consent(note_id: str) -> ResponseReturnValue:
    if ActionForm().validate_on_submit():
        try:
            words = lists.answer_consent(
                _user(), note_id, {"decision": request.form.get("decision")}
            )
        except (InvalidInput, Conflict) as error:
            flash(error.message, "error")
        else:
            flash(words, "success")
    return redirect(url_for("sharing.with_us"))


@bp.route("/inspected")
@allow(Permission.HOLD_GRANTS)
def inspected() -> ResponseReturnValue:
    return render_template(
        "sharing/inspected.html",
        authorities=lists.inspected(_user()),
        title="Notes shared with inspectors",
    )


# --- good practice --------------------------------------------------------------------------


@bp.route("/notes/<note_id>/good-practice", methods=["GET", "POST"])
@allow(Permission.RECORD_VISITS)
def copy(note_id: str) -> ResponseReturnValue:
    user = _user()
    start = goodpractice.copy_start(user, note_id)
    form = CopyForm()
    form.offer(start.choices)
    outcome = None
    if request.method == "GET":
        form.title.data, form.body.data = start.note.title, start.note.body_md
    elif form.validate_on_submit():
        schedule = bool(form.schedule.data)
        outcome = goodpractice.submit_copy(user, note_id, form.copy_data(), schedule=schedule)
        for error in outcome.errors:
            field = form._fields.get(error.field) or form.body
            field.errors = [*field.errors, error.message]
        if outcome.item is not None:
            when = outcome.item.published_on
            words = (
                messages.GOOD_PRACTICE_SCHEDULED.format(date=f"{when:%-d %B %Y}")
                if when
                else messages.GOOD_PRACTICE_WAITING
            )
            flash(words, "success")
            return _note_page(note_id)
        form.checked.data = outcome.fingerprint
    return render_template(
        "sharing/copy.html",
        start=start,
        form=form,
        outcome=outcome,
        title="Share as good practice",
    )


@bp.route("/good-practice/<item_id>/withdraw", methods=["POST"])
@allow(Permission.RECORD_VISITS)
def withdraw(item_id: str) -> ResponseReturnValue:
    if not ActionForm().validate_on_submit():
        return redirect(url_for("sharing.good_practice"))
    try:
        note_id = goodpractice.withdraw(_user(), item_id)
    except Conflict as error:
        flash(error.message, "error")
        return redirect(url_for("sharing.good_practice"))
    flash(messages.GOOD_PRACTICE_WITHDRAWN, "success")
    return _note_page(note_id)


@bp.route("/good-practice")
@allow(*READERS)
def good_practice() -> ResponseReturnValue:
    return render_template(
        "sharing/good_practice.html",
        listing=goodpractice.listing(request.args),
        title="Good practice from the network",
    )


@bp.route("/good-practice/<item_id>")
@allow(*READERS)
def good_practice_item(item_id: str) -> ResponseReturnValue:
    item = goodpractice.item(item_id)
    return render_template(
        "sharing/item.html", item=item, body=markdown.render(item.body_md), title=item.title
    )


@bp.cli.command("publish")
def publish_command() -> None:
    """Date good-practice copies once a release round is scheduled, and publish those
    whose date has come (run daily; pages show due items without waiting for it)."""
    dated, published = goodpractice.publish_due()
    click.echo(f"{dated} good-practice items dated; {published} published")
