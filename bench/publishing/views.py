"""Publishing pages: upload, preview, confirm; one value; queries; CSV downloads."""

from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from bench import messages
from bench.access import Permission, allow
from bench.csvout import csv_download
from bench.errors import ValidationFailed
from bench.models import KeyArea
from bench.publishing import service
from bench.publishing.forms import (
    ConfirmUploadForm,
    DiscardUploadForm,
    QueryResponseForm,
    UploadForm,
    ValueForm,
)
from bench.publishing.schemas import COLUMNS, TEMPLATE_COLUMNS

bp = Blueprint("publishing", __name__, url_prefix="/publish")
SHOWN_ERRORS = 500
SUMMARISED_ERRORS = 10  # the error summary's entries; the list below the form has the rest


def _user():  # noqa: ANN202 - the proxied User
    return current_user._get_current_object()


def _index(form: UploadForm, refused: ValidationFailed | None = None, status: int = 200):
    indicators, periods = service.form_choices()
    problems = service.problems_of(refused) if refused else []
    return render_template(
        "publishing/index.html",
        form=form,
        file_error=_summary(refused) if refused else None,
        problems=problems[:SHOWN_ERRORS],
        summarised=problems[:SUMMARISED_ERRORS],
        problem_count=len(problems),
        key_areas=list(KeyArea),
        periods=periods,
        indicators=indicators,
        columns=COLUMNS,
        queries=service.open_queries(_user(), _user().authority_id),
        title="Publish figures",
    ), status


@bp.route("/")
@allow(Permission.PUBLISH)
def index() -> ResponseReturnValue:
    return _index(UploadForm())


@bp.route("/upload", methods=["POST"])
@allow(Permission.PUBLISH)
def upload() -> ResponseReturnValue:
    form = UploadForm()
    if not form.validate_on_submit():
        return _index(form)
    file = form.file.data
    if file is None or not getattr(file, "filename", ""):
        form.file.errors = ["Select a CSV file to upload"]
        return _index(form)
    try:
        batch = service.upload(_user(), _user().authority_id, file.filename, file.read())
    except ValidationFailed as failure:
        # The page's own error summary lists each problem (the row, what it is about,
        # the figures), each linking to its entry in the list: not one link to the file.
        return _index(form, failure)
    return redirect(url_for("publishing.preview", batch_id=batch.id))


def _summary(failure: ValidationFailed) -> str:
    count = len(failure.errors)
    if count == 1 and failure.errors[0].row is None:
        return failure.errors[0].message
    return f"The file has {count} problem{'s' if count != 1 else ''}: nothing was saved"


@bp.route("/uploads/<int:batch_id>")
@allow(Permission.PUBLISH)
def preview(batch_id: int) -> ResponseReturnValue:
    batch, plan = service.preview(_user(), batch_id)
    return render_template(
        "publishing/preview.html",
        batch=batch,
        plan=plan,
        form=ConfirmUploadForm(),
        discard_form=DiscardUploadForm(),
        title="Check the changes before you publish",
    )


@bp.route("/uploads/<int:batch_id>/confirm", methods=["POST"])
@allow(Permission.PUBLISH)
def confirm(batch_id: int) -> ResponseReturnValue:
    form = ConfirmUploadForm()
    if form.validate_on_submit():
        try:
            outcome = service.confirm(
                _user(), batch_id, warnings_checked=bool(form.warnings_checked.data)
            )
        except ValidationFailed as failure:
            form.warnings_checked.errors = [
                error.message for error in failure.errors if error.field != "warning"
            ]
            batch, plan = service.preview(_user(), batch_id)
            return render_template(
                "publishing/preview.html",
                batch=batch,
                plan=plan,
                form=form,
                discard_form=DiscardUploadForm(),
                title="Check the changes before you publish",
            )
        flash(_published_message(outcome), "success")
        return redirect(url_for("publishing.index"))
    return redirect(url_for("publishing.preview", batch_id=batch_id))


def _published_message(outcome: service.PublishOutcome) -> str:
    text = (
        f"Published: {outcome.added} new, {outcome.corrected} corrected, "
        f"{outcome.unchanged} unchanged"
    )
    if outcome.queried:
        text += f". {outcome.queried} figures were queried: see your queries"
    return text


@bp.route("/uploads/<int:batch_id>/discard", methods=["POST"])
@allow(Permission.PUBLISH)
def discard(batch_id: int) -> ResponseReturnValue:
    if DiscardUploadForm().validate_on_submit():
        service.discard(_user(), batch_id)
        flash("The upload was discarded: nothing was published", "success")
    return redirect(url_for("publishing.index"))


_FORM_FIELDS = {name: name for name in COLUMNS} | {"confirm": "warnings_checked", "row": "value"}


@bp.route("/value", methods=["GET", "POST"])
@allow(Permission.PUBLISH)
def value() -> ResponseReturnValue:
    form = ValueForm(indicator=request.args.get("indicator"), period=request.args.get("period"))
    indicators, periods = service.form_choices()
    form.indicator.choices = [SelectChoice(i.code, f"{i.code}: {i.title}") for i in indicators]
    form.period.choices = [SelectChoice(p.code, p.label) for p in reversed(periods)]
    warnings: list = []
    if form.validate_on_submit():
        row = {name: getattr(form, name).data or "" for name in COLUMNS}
        try:
            outcome = service.publish_one(
                _user(), _user().authority_id, row,
                warnings_checked=bool(form.warnings_checked.data),
            )  # fmt: skip
        except ValidationFailed as failure:
            for error in failure.errors:
                if error.field == "warning":
                    warnings.append(error.message)
                    continue
                target = getattr(form, _FORM_FIELDS.get(error.field, "value"))
                target.errors = [*target.errors, error.message]
        else:
            flash(_published_message(outcome), "success")
            return redirect(url_for("publishing.index"))
    return render_template(
        "publishing/value.html", form=form, warnings=warnings, title="Publish or correct a figure"
    )


@bp.route("/queries")
@allow(Permission.PUBLISH)
def queries() -> ResponseReturnValue:
    return render_template(
        "publishing/queries.html",
        queries=service.open_queries(_user(), _user().authority_id),
        form=QueryResponseForm(),
        title="Queries on your figures",
    )


@bp.route("/queries/<int:query_id>/confirm", methods=["POST"])
@allow(Permission.PUBLISH)
def confirm_query(query_id: int) -> ResponseReturnValue:
    form = QueryResponseForm()
    if form.validate_on_submit():  # the CSRF token; the answer's rules are the schema's
        try:
            service.confirm_query(_user(), query_id, form.response.data or "")
        except ValidationFailed as failure:
            flash(failure.errors[0].message, "error")
        else:
            flash(messages.QUERY_CONFIRMED, "success")
    return redirect(url_for("publishing.queries"))


@bp.route("/template.csv")
@allow(Permission.PUBLISH)
def template() -> ResponseReturnValue:
    # Unknown key areas and periods are a 404; the name is built from the known one.
    found = service.template(request.args.get("key_area"), request.args.get("period"))
    key_area = found.key_area.value if found.key_area else "all"
    return csv_download(f"bench-template-{key_area}.csv", TEMPLATE_COLUMNS, found.rows)


@bp.route("/current.csv")
@allow(Permission.SEE_OWN_DATA)
def current() -> ResponseReturnValue:
    rows = service.current_rows(_user(), _user().authority_id)
    return csv_download("bench-current-values.csv", COLUMNS, rows)
