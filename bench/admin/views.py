"""The catalogue pages for network admins: indicators, series breaks, periods, audit log."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms import Form
from wtforms.fields.choices import SelectChoice

from bench import messages
from bench.access import Permission, allow
from bench.admin import service
from bench.admin.forms import ConfirmForm, IndicatorForm, PeriodForm, ReleaseForm, SeriesBreakForm
from bench.auditlog import service as auditlog
from bench.dates import utc_text
from bench.errors import Conflict, InvalidInput
from bench.models import utcnow

bp = Blueprint("admin", __name__, url_prefix="/admin")
NETWORK = Permission.MANAGE_NETWORK


def _admin():  # noqa: ANN202 - the proxied User
    return current_user._get_current_object()


def _show_error(form: Form, error: InvalidInput | Conflict) -> None:
    """Put a service's refusal on the field it names, for the error summary."""
    getattr(form, error.field or "submit").errors = [error.message]


# --- indicators ------------------------------------------------------------------------


@bp.route("/indicators/")
@allow(NETWORK)
def indicators() -> ResponseReturnValue:
    return render_template(
        "admin/indicators.html", key_areas=service.indicators_by_key_area(), title="Indicators"
    )


@bp.route("/indicators/new", methods=["GET", "POST"])
@allow(NETWORK)
def new_indicator() -> ResponseReturnValue:
    form = IndicatorForm()
    if request.method == "GET":
        form.process(data={"multiplier": "1", "decimals": "1"})
    if form.validate_on_submit():
        try:
            created = service.create_indicator(_admin(), form.schema_data())
        except (InvalidInput, Conflict) as error:
            _show_error(form, error)
        else:
            flash(messages.INDICATOR_CREATED.format(code=created.code), "success")
            return redirect(url_for("admin.indicator", indicator_id=created.id))
    return render_template("admin/indicator_form.html", form=form, title="Add an indicator")


def _indicator_page(indicator_id: int, break_form: SeriesBreakForm) -> ResponseReturnValue:
    page = service.indicator_page(indicator_id)
    break_form.period_id.choices = [SelectChoice("", "Select a period")] + [
        SelectChoice(str(period.id), period.code) for period in page.periods
    ]
    return render_template(
        "admin/indicator.html",
        page=page,
        form=break_form,
        remove_form=ConfirmForm(),
        title=page.indicator.title,
    )


@bp.route("/indicators/<int:indicator_id>")
@allow(NETWORK)
def indicator(indicator_id: int) -> ResponseReturnValue:
    return _indicator_page(indicator_id, SeriesBreakForm())


@bp.route("/indicators/<int:indicator_id>/edit", methods=["GET", "POST"])
@allow(NETWORK)
def edit_indicator(indicator_id: int) -> ResponseReturnValue:
    current = service.indicator_form_data(indicator_id)
    form = IndicatorForm()
    if request.method == "GET":
        form.process(data=current)
    if form.validate_on_submit():
        try:
            changed = service.update_indicator(_admin(), indicator_id, form.schema_data())
        except (InvalidInput, Conflict) as error:
            _show_error(form, error)
        else:
            flash(messages.INDICATOR_SAVED.format(code=changed.code), "success")
            return redirect(url_for("admin.indicator", indicator_id=indicator_id))
    return render_template(
        "admin/indicator_form.html",
        form=form,
        indicator_id=indicator_id,
        title=f"Change {current['code']}",
    )


@bp.route("/indicators/<int:indicator_id>/breaks", methods=["POST"])
@allow(NETWORK)
def add_series_break(indicator_id: int) -> ResponseReturnValue:
    form = SeriesBreakForm()
    if form.validate_on_submit():
        try:
            added = service.add_series_break(_admin(), indicator_id, form.schema_data())
        except (InvalidInput, Conflict) as error:
            _show_error(form, error)
        else:
            flash(messages.BREAK_ADDED.format(period=added.period.code), "success")
            return redirect(url_for("admin.indicator", indicator_id=indicator_id))
    return _indicator_page(indicator_id, form)


@bp.route("/indicators/<int:indicator_id>/breaks/<int:break_id>/delete", methods=["POST"])
@allow(NETWORK)
def remove_series_break(indicator_id: int, break_id: int) -> ResponseReturnValue:
    if ConfirmForm().validate_on_submit():
        removed = service.remove_series_break(_admin(), indicator_id, break_id)
        flash(messages.BREAK_REMOVED.format(period=removed.period.code), "success")
    return redirect(url_for("admin.indicator", indicator_id=indicator_id))


# --- periods ---------------------------------------------------------------------------


@bp.route("/periods/")
@allow(NETWORK)
def periods() -> ResponseReturnValue:
    return render_template(
        "admin/periods.html", periods=service.periods(), now=utcnow(), title="Periods"
    )


@bp.route("/periods/new", methods=["GET", "POST"])
@allow(NETWORK)
def new_period() -> ResponseReturnValue:
    form = PeriodForm()
    if form.validate_on_submit():
        try:
            created = service.create_period(_admin(), form.schema_data())
        except (InvalidInput, Conflict) as error:
            _show_error(form, error)
        else:
            flash(messages.PERIOD_CREATED.format(code=created.code), "success")
            return redirect(url_for("admin.periods"))
    return render_template("admin/period_form.html", form=form, title="Add a period")


@bp.route("/periods/<int:period_id>/release", methods=["GET", "POST"])
@allow(NETWORK)
def release(period_id: int) -> ResponseReturnValue:
    period = service.period(period_id)
    form = ReleaseForm()
    if request.method == "GET" and period.released_at is not None:
        form.process(
            data={
                "released_on": period.released_at.date(),
                "released_time": f"{period.released_at:%H:%M}",
            }
        )
    if form.validate_on_submit():
        try:
            period = service.set_release(_admin(), period_id, form.schema_data())
        except (InvalidInput, Conflict) as error:
            _show_error(form, error)
        else:
            when = utc_text(period.released_at)
            flash(messages.RELEASE_SET.format(code=period.code, when=when), "success")
            return redirect(url_for("admin.periods"))
    return render_template(
        "admin/release.html",
        period=period,
        form=form,
        clear_form=ConfirmForm(),
        now=utcnow(),
        title=f"Release date for {period.code}",
    )


@bp.route("/periods/<int:period_id>/release/clear", methods=["POST"])
@allow(NETWORK)
def clear_release(period_id: int) -> ResponseReturnValue:
    if ConfirmForm().validate_on_submit():
        try:
            period = service.clear_release(_admin(), period_id)
        except InvalidInput as error:
            flash(error.message, "error")
            return redirect(url_for("admin.release", period_id=period_id))
        flash(messages.RELEASE_CLEARED.format(code=period.code), "success")
    return redirect(url_for("admin.periods"))


# --- audit log -------------------------------------------------------------------------


@bp.route("/audit/")
@allow(NETWORK)
def audit() -> ResponseReturnValue:
    log = auditlog.network_log(
        request.args.get("page", 1, type=int), request.args.get("action", "")
    )
    return render_template(
        "auditlog/index.html",
        log=log,
        show_authority=True,
        title="Audit log" + (f" – page {log.number} of {log.pages}" if log.pages > 1 else ""),
    )
