"""Pages of the visits area: visits and meetings, their notes, revisions and drafts.

Everything here is the visiting authority's own, except a note's own page, which every
reader the sharing rules allow may open (bench.visits.visibility): a 404 for anyone else.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, user_logged_in

from bench import messages
from bench.access import Permission, allow, has_permission
from bench.dates import LONDON
from bench.errors import Conflict, InvalidInput, ValidationFailed
from bench.grants.schemas import moment_text
from bench.markdown import render
from bench.models import NoteSection
from bench.visits import drafts, notes, service
from bench.visits.forms import (
    ConfirmForm,
    EditNoteForm,
    NewNoteForm,
    VisitForm,
    show_errors,
    submitted,
    visit_form_data,
)

bp = Blueprint("visits", __name__, url_prefix="/visits")
RESTORE = "restore"


def _user():  # noqa: ANN202 - the proxied User
    return current_user._get_current_object()


def _offer_drafts(_app: Any, user: Any, **_extra: Any) -> None:
    """After signing in, say that drafts kept from an earlier session are waiting."""
    if request.endpoint != "auth.sign_in" or not has_permission(user, Permission.RECORD_VISITS):
        return
    count = len(drafts.mine(user))
    if count:
        words = {
            "count": count,
            "s": "" if count == 1 else "s",
            "them": "it" if count == 1 else "them",
        }
        flash(messages.DRAFTS_WAITING.format(**words), "info")


user_logged_in.connect(_offer_drafts)


@bp.context_processor
def _draft_days() -> dict[str, Any]:
    return {"draft_days": drafts.draft_days()}


def _editor(visit_id: str, note_id: str | None = None) -> dict[str, Any]:
    """What the editor needs: where to publish and save drafts, when the session ends."""
    if note_id:
        action = url_for("visits.edit_note", note_id=note_id)
    else:
        action = url_for("visits.new_note", visit_id=visit_id)
    return {
        "action": action,
        "autosave_url": url_for("visits.autosave", visit_id=visit_id),
        "autosave_seconds": drafts.AUTOSAVE_SECONDS,
        "note_id": note_id or "",
        "session": drafts.session_left(_user()),
        "warn_before": drafts.WARN_BEFORE_SECONDS,
        "refresh_url": url_for("visits.stay_signed_in"),
        "sign_in_url": url_for("auth.sign_in", next=request.path),
    }


def _saved_at(moment: Any) -> str:
    return messages.DRAFT_SAVED.format(time=moment.astimezone(LONDON).strftime("%H:%M"))


# --- visits -------------------------------------------------------------------------


@bp.route("/")
@allow(Permission.RECORD_VISITS)
def index() -> ResponseReturnValue:
    return render_template(
        "visits/index.html",
        visits=service.visits(_user()),
        drafts=drafts.mine(_user()),
        discard_form=ConfirmForm(formdata=None),
        title="Visits",
    )


def _visit_form_page(form: VisitForm, title: str, visit: Any = None) -> ResponseReturnValue:
    return render_template("visits/visit_form.html", form=form, visit=visit, title=title)


@bp.route("/new", methods=["GET", "POST"])
@allow(Permission.RECORD_VISITS)
def new() -> ResponseReturnValue:
    form = VisitForm()
    form.set_choices(service.choices(_user()))
    if submitted(form):
        try:
            made = service.record(_user(), form.item())
        except ValidationFailed as failure:
            show_errors(form, failure.errors, fallback="title")
        else:
            flash(messages.VISIT_RECORDED, "success")
            return redirect(url_for("visits.visit", visit_id=made.public_id))
    return _visit_form_page(form, "Record a visit")


@bp.route("/<visit_id>")
@allow(Permission.RECORD_VISITS)
def visit(visit_id: str) -> ResponseReturnValue:
    shown = service.visit(_user(), visit_id)
    by_section = {section: [] for section in NoteSection}
    for note in notes.visit_notes(_user(), visit_id):
        by_section[note.section].append(note)
    return render_template(
        "visits/visit.html",
        visit=shown,
        by_section=by_section,
        drafts=[d for d in drafts.mine(_user()) if d.visit_public_id == visit_id],
        discard_form=ConfirmForm(formdata=None),
        title=shown.title,
    )


@bp.route("/<visit_id>/edit", methods=["GET", "POST"])
@allow(Permission.RECORD_VISITS)
def edit(visit_id: str) -> ResponseReturnValue:
    shown = service.visit(_user(), visit_id)
    initial = visit_form_data(shown) if request.method == "GET" else None
    form = VisitForm(data=initial)
    form.set_choices(service.choices(_user()), former_ally_host=bool(shown.host.names))
    if submitted(form):
        try:
            service.change(_user(), visit_id, form.item(), form.lock())
        except ValidationFailed as failure:
            show_errors(form, failure.errors, fallback="title")
        except Conflict as error:
            form.title.errors = [error.message]
        else:
            flash(messages.VISIT_SAVED, "success")
            return redirect(url_for("visits.visit", visit_id=visit_id))
    return _visit_form_page(form, "Change the visit", shown)


# --- notes: writing, drafts ---------------------------------------------------------


@bp.route("/<visit_id>/notes/new", methods=["GET", "POST"])
@allow(Permission.RECORD_VISITS)
def new_note(visit_id: str) -> ResponseReturnValue:
    user = _user()
    shown = service.visit(user, visit_id)
    draft = next(
        (d for d in drafts.mine(user) if d.visit_public_id == visit_id and not d.note_public_id),
        None,
    )
    initial = None
    if request.method == "GET":
        restoring = request.args.get("draft") == RESTORE and draft is not None
        section = draft.section.value if restoring else request.args.get("section")
        initial = {"section": section, "body": draft.body if restoring else ""}
        if request.args.get("draft") == RESTORE and draft is None:
            flash(messages.DRAFT_NOTHING, "info")
    form = NewNoteForm(data=initial)
    if submitted(form):
        if form.save_draft.data:
            saved = drafts.save(user, visit_id, form.draft())
            flash(_saved_at(saved), "success")
            return redirect(url_for("visits.new_note", visit_id=visit_id, draft=RESTORE))
        try:
            notes.write(user, visit_id, form.item())
        except ValidationFailed as failure:
            show_errors(form, failure.errors, fallback="body")
        else:
            flash(messages.NOTE_SAVED, "success")
            return redirect(url_for("visits.visit", visit_id=visit_id))
    return render_template(
        "visits/new_note.html",
        visit=shown,
        form=form,
        drafts=[draft] if draft and request.args.get("draft") != RESTORE else [],
        discard_form=ConfirmForm(formdata=None),
        editor=_editor(visit_id),
        title="Write a note",
    )


@bp.route("/<visit_id>/drafts", methods=["POST"])
@allow(Permission.RECORD_VISITS)
def autosave(visit_id: str) -> ResponseReturnValue:
    """The editor's script saves the text here (JSON, with the CSRF token in a header)."""
    try:
        saved = drafts.save(_user(), visit_id, request.get_json(silent=True))
    except (InvalidInput, ValidationFailed) as failure:
        problems = failure.errors if isinstance(failure, ValidationFailed) else [failure]
        return jsonify(error=problems[0].message), 422
    return jsonify(saved_at=moment_text(saved), message=_saved_at(saved), **_session_json())


@bp.route("/<visit_id>/drafts/discard", methods=["POST"])
@allow(Permission.RECORD_VISITS)
def discard_draft(visit_id: str) -> ResponseReturnValue:
    form = ConfirmForm()
    if form.validate_on_submit():
        drafts.discard(_user(), visit_id, form.note.data or None)
        flash(messages.DRAFT_DISCARDED, "success")
    return redirect(url_for("visits.visit", visit_id=visit_id))


@bp.route("/session", methods=["POST"])
@allow(Permission.RECORD_VISITS)
def stay_signed_in() -> ResponseReturnValue:
    """The timeout warning's "Stay signed in" (JSON, with the CSRF token in a header)."""
    return jsonify(**_session_json(drafts.stay_signed_in(_user())))


def _session_json(left: drafts.SessionLeft | None = None) -> dict[str, Any]:
    """The session's time left for the editor's warning (this request counted as
    activity): seconds, and whether "Stay signed in" can put it off."""
    left = left or drafts.session_left(_user())
    return {
        "expires_in": left.seconds if left else None,
        "extendable": left.extendable if left else False,
    }


# --- one note ------------------------------------------------------------------------


@bp.route("/notes/<note_id>")
@allow(Permission.RECORD_VISITS, Permission.HOLD_GRANTS)
def note(note_id: str) -> ResponseReturnValue:
    shown = notes.read(_user(), note_id)
    waiting = [d for d in drafts.mine(_user()) if d.note_public_id == note_id] if shown.own else []
    return render_template(
        "visits/note.html",
        note=shown,
        drafts=waiting,
        discard_form=ConfirmForm(formdata=None),
        title=shown.section.label,
    )


@bp.route("/notes/<note_id>/edit", methods=["GET", "POST"])
@allow(Permission.RECORD_VISITS)
def edit_note(note_id: str) -> ResponseReturnValue:
    user = _user()
    shown = notes.for_editing(user, note_id)
    visit_id = shown.visit_public_id or ""
    draft = next((d for d in drafts.mine(user) if d.note_public_id == note_id), None)
    restoring = request.args.get("draft") == RESTORE
    initial = None
    if request.method == "GET":
        from_draft = restoring and draft is not None
        initial = {
            "body": draft.body if from_draft else shown.body,
            "revision": str((draft.base_revision if from_draft else None) or shown.revision),
        }
        if restoring and draft is None:
            flash(messages.DRAFT_NOTHING, "info")
    form = EditNoteForm(data=initial)
    context = {
        "note": shown,
        "discard_form": ConfirmForm(formdata=None),
        "editor": _editor(visit_id, note_id),
    }
    if submitted(form):
        if form.save_draft.data:
            saved = drafts.save(user, visit_id, form.draft(note_id))
            flash(_saved_at(saved), "success")
            return redirect(url_for("visits.edit_note", note_id=note_id, draft=RESTORE))
        try:
            revised = notes.revise(user, note_id, form.item(), keep_draft=True)
        except ValidationFailed as failure:
            show_errors(form, failure.errors, fallback="body")
        except Conflict:
            # Theirs is the note now; yours is kept as your draft and offered again on top
            # of theirs, so that saving applies it.
            current = notes.for_editing(user, note_id)
            yours = form.body.data or ""
            again = EditNoteForm(
                formdata=None, data={"body": yours, "revision": str(current.revision)}
            )
            page = render_template(
                "visits/conflict.html",
                **{**context, "note": current},
                form=again,
                submitted_html=render(yours),
                title=messages.NOTE_CONFLICT,
            )
            return page, 409
        else:
            flash(messages.NOTE_REVISED.format(number=revised.revision), "success")
            return redirect(url_for("visits.note", note_id=note_id))
    return render_template(
        "visits/edit_note.html",
        **context,
        form=form,
        drafts=[draft] if draft and not restoring else [],
        title="Edit the note",
    )


@bp.route("/notes/<note_id>/delete", methods=["GET", "POST"])
@allow(Permission.RECORD_VISITS)
def delete_note(note_id: str) -> ResponseReturnValue:
    shown = notes.for_editing(_user(), note_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        visit_id = notes.delete(_user(), note_id)
        flash(messages.NOTE_DELETED, "success")
        return redirect(url_for("visits.visit", visit_id=visit_id))
    return render_template(
        "visits/delete_note.html", note=shown, form=form, title="Delete this note?"
    )


@bp.route("/notes/<note_id>/revisions")
@allow(Permission.RECORD_VISITS)
def revisions(note_id: str) -> ResponseReturnValue:
    shown = notes.for_editing(_user(), note_id)
    return render_template("visits/revisions.html", note=shown, title="Revisions of the note")


@bp.route("/notes/<note_id>/revisions/<int:number>")
@allow(Permission.RECORD_VISITS)
def revision(note_id: str, number: int) -> ResponseReturnValue:
    page = notes.revision(_user(), note_id, number)
    return render_template("visits/revision.html", page=page, title=f"Revision {number}")


@bp.cli.command("purge-drafts")
def purge_drafts() -> None:
    """Delete note drafts older than BENCH_NOTE_DRAFT_DAYS (run it daily, from cron)."""
    print(f"Deleted {drafts.purge_expired()} expired drafts")  # noqa: T201
