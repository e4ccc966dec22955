"""Known issues pages: an authority's own flags and proposals; the network admins' catalogue."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from bench import messages
from bench.access import Permission, allow
from bench.errors import Conflict, InvalidInput, ValidationFailed
from bench.issues import service
from bench.issues.forms import (
    CatalogueIssueTypeForm,
    DecisionForm,
    FlagForm,
    IssueTypeForm,
    MergeForm,
    flag_form_data,
    show_errors,
)

bp = Blueprint("issues", __name__, url_prefix="/issues")
admin_bp = Blueprint("issue_types", __name__, url_prefix="/admin/issue-types")


def _user():  # noqa: ANN202 - the proxied User
    return current_user._get_current_object()


def _indicator_choices() -> list[SelectChoice]:
    return [SelectChoice(indicator.code, indicator.title) for indicator in service.indicators()]


# --- an authority's own known issues ----------------------------------------------


@bp.route("/")
@allow(Permission.SEE_OWN_DATA)
def index() -> ResponseReturnValue:
    return render_template(
        "issues/index.html", issues=service.known_issues(_user()), title="Known issues"
    )


@bp.route("/<code>/answer", methods=["GET", "POST"])
@allow(Permission.PUBLISH)
def answer(code: str) -> ResponseReturnValue:
    user = _user()
    issue_type, flag = service.answer_for(user, code)
    # The saved answer fills the form only when showing it: a POST says it all itself.
    form = FlagForm(data=flag_form_data(flag) if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            service.record_flags(user, user.authority_id, [form.item(issue_type.code)])
        except ValidationFailed as error:
            show_errors(form, error.errors, fallback="answer")
        else:
            flash(messages.FLAG_RECORDED.format(title=issue_type.title), "success")
            return redirect(url_for("issues.index"))
    return render_template(
        "issues/answer.html", form=form, issue_type=issue_type, title=issue_type.title
    )


@bp.route("/propose", methods=["GET", "POST"])
@allow(Permission.PUBLISH)
def propose() -> ResponseReturnValue:
    form = IssueTypeForm()
    form.indicators.choices = _indicator_choices()
    form.submit.label.text = "Send proposal"
    if form.validate_on_submit():
        try:
            issue_type = service.propose_issue_type(_user(), form.item())
        except ValidationFailed as error:
            show_errors(form, error.errors, fallback="title")
        else:
            flash(messages.ISSUE_TYPE_PROPOSED.format(title=issue_type.title), "success")
            return redirect(url_for("issues.index"))
    return render_template("issues/propose.html", form=form, title="Propose an issue type")


# --- the network admins' catalogue ------------------------------------------------


@admin_bp.route("/")
@allow(Permission.MANAGE_NETWORK)
def catalogue() -> ResponseReturnValue:
    return render_template(
        "issues/admin_catalogue.html",
        sections=service.catalogue(_user()),
        decision_form=DecisionForm(),
        title="Issue types",
    )


def _decide(code: str, approve: bool) -> ResponseReturnValue:
    if DecisionForm().validate_on_submit():
        try:
            issue_type = service.decide_proposal(_user(), code, approve=approve)
        except Conflict as error:
            flash(error.message, "error")
        else:
            done = messages.ISSUE_TYPE_APPROVED if approve else messages.ISSUE_TYPE_REJECTED
            flash(done.format(title=issue_type.title), "success")
    return redirect(url_for("issue_types.catalogue"))


@admin_bp.route("/<code>/approve", methods=["POST"])
@allow(Permission.MANAGE_NETWORK)
def approve(code: str) -> ResponseReturnValue:
    return _decide(code, approve=True)


@admin_bp.route("/<code>/reject", methods=["POST"])
@allow(Permission.MANAGE_NETWORK)
def reject(code: str) -> ResponseReturnValue:
    return _decide(code, approve=False)


@admin_bp.route("/<code>/edit", methods=["GET", "POST"])
@allow(Permission.MANAGE_NETWORK)
def edit(code: str) -> ResponseReturnValue:
    admin = _user()
    issue_type = service.issue_type_for_admin(admin, code)
    current = {
        "title": issue_type.title,
        "description": issue_type.description,
        "indicators": [indicator.code for indicator in issue_type.indicators],
        "cqc_quality_statement": issue_type.cqc_quality_statement or "",
    }
    form = CatalogueIssueTypeForm(data=current if request.method == "GET" else None)
    form.indicators.choices = _indicator_choices()
    if form.validate_on_submit():
        try:
            service.rename_issue_type(admin, code, form.item())
        except ValidationFailed as error:
            show_errors(form, error.errors, fallback="title")
        else:
            flash(messages.ISSUE_TYPE_RENAMED.format(title=issue_type.title), "success")
            return redirect(url_for("issue_types.catalogue"))
    return render_template(
        "issues/admin_edit.html", form=form, issue_type=issue_type, title="Edit issue type"
    )


@admin_bp.route("/<code>/merge", methods=["GET", "POST"])
@allow(Permission.MANAGE_NETWORK)
def merge(code: str) -> ResponseReturnValue:
    admin = _user()
    issue_type = service.issue_type_for_admin(admin, code)
    form = MergeForm()
    form.into.choices = [SelectChoice("", "Select an issue type")] + [
        SelectChoice(target.code, target.title) for target in service.merge_targets(admin, code)
    ]
    if form.validate_on_submit():
        try:
            source, target = service.merge_issue_type(admin, code, form.into.data or "")
        except InvalidInput as error:
            form.into.errors = [error.message]
        except Conflict as error:
            flash(error.message, "error")
            return redirect(url_for("issue_types.catalogue"))
        else:
            flash(
                messages.ISSUE_TYPE_MERGED.format(title=source.title, target=target.title),
                "success",
            )
            return redirect(url_for("issue_types.catalogue"))
    return render_template(
        "issues/admin_merge.html", form=form, issue_type=issue_type, title="Merge an issue type"
    )
