"""The search page, and ``flask search reindex``."""

from __future__ import annotations

import click
from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from bench.access import Permission, allow
from bench.search import service
from bench.search.forms import SearchForm

bp = Blueprint("search", __name__, url_prefix="/search")
# Every flush re-indexes what it touched, from the moment the app has this area.
bp.record_once(lambda _state: service.keep_index_current())

# Users of an authority and inspectors; network admins read no authority's notes or plans.
READERS = (Permission.SEE_OWN_DATA, Permission.HOLD_GRANTS)


@bp.route("/")
@allow(*READERS)
def index() -> ResponseReturnValue:
    page = service.search_page(current_user._get_current_object(), request.args)
    form = SearchForm(formdata=request.args)
    form.offer(page.choices)
    form.show(page.errors)
    return render_template("search/index.html", page=page, form=form, title="Search")


@bp.cli.command("reindex")
def reindex() -> None:
    """Write every search document again from its note, update, action or item."""
    written = service.reindex()
    click.echo(f"{written} documents indexed")
