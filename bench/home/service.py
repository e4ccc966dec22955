"""What the home page shows: what needs attention today, then the user's authority beside
the national picture. Every area's records come through its own service module."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from flask import url_for

from bench import disclosure
from bench.access import Permission, has_permission
from bench.actions import lists as action_lists
from bench.alerts import service as alerts
from bench.allies import service as allies
from bench.compare import groups as group_kinds
from bench.compare import norms
from bench.compare import service as compare
from bench.errors import NotFound
from bench.home import queries
from bench.issues import service as issues
from bench.kept import KeptItems
from bench.models import (
    Indicator,
    IssueTypeStatus,
    KeyArea,
    Period,
    Polarity,
    StaffViewStatus,
    User,
    utcnow,
)
from bench.publishing import service as publishing
from bench.staffviews import service as staffviews
from bench.web import format_value

QUARTILE_NAMES = {
    1: "Lowest quarter",
    2: "Second-lowest quarter",
    3: "Second-highest quarter",
    4: "Highest quarter",
}


@dataclass(frozen=True)
class IndicatorRow:
    indicator: Indicator
    period: Period
    value: float | None
    numerator: float | None
    denominator: float | None
    status: str
    released: bool
    national_median: float | None
    national_lower: float | None
    national_upper: float | None
    contributors: int
    quartile: int | None
    withheld_reason: str | None

    @property
    def quartile_name(self) -> str:
        return QUARTILE_NAMES.get(self.quartile or 0, "")

    @property
    def quartile_reading(self) -> str:
        """What the extreme quarters mean, by the indicator's polarity."""
        if self.quartile not in (1, 4) or self.indicator.polarity is Polarity.NEITHER:
            return ""
        high_is_good = self.indicator.polarity is Polarity.HIGHER_IS_BETTER
        return "among the best" if (self.quartile == 4) == high_is_good else "among the worst"


@dataclass(frozen=True)
class KeyAreaSection:
    key_area: KeyArea
    rows: list[IndicatorRow]


# The overviews built, one per authority, kept as Where we stand pages are (the same for
# every user of the authority until what it is built from changes).
OVERVIEWS = KeptItems(size=256)


def overview_key(authority_id: int, now: datetime) -> tuple[Any, ...] | None:
    """What the overview is kept under (None in a request that writes: built afresh)."""
    return compare.authority_key(now, authority_id, "overview") if compare.reading() else None


def authority_overview(authority_id: int, now: datetime | None = None) -> list[KeyAreaSection]:
    """Each indicator's latest own value beside the national median and quartiles: the
    "all councils" group of the comparison engine, cached per data version, shown only
    where that group is admitted for the indicator (DESIGN.md, Anonymity 9)."""
    now = now or utcnow()
    key = overview_key(authority_id, now)
    overview = OVERVIEWS.get(key) if key is not None else None
    if overview is None:
        overview = _authority_overview(authority_id, now, keep=key is not None)
        if key is not None:
            OVERVIEWS.put(key, overview)
    return overview


def _authority_overview(
    authority_id: int, now: datetime, *, keep: bool = False
) -> list[KeyAreaSection]:
    latest: dict[int, queries.OwnValue] = {}
    for own in queries.own_latest_values(authority_id):
        latest[own.indicator_id] = own  # rows come oldest first: the last one wins
    period_by_id = queries.periods(own.period_id for own in latest.values())
    sections: dict[KeyArea, list[IndicatorRow]] = defaultdict(list)
    for indicator in queries.indicators():
        own = latest.get(indicator.id)
        if own is None:
            continue
        period = period_by_id[own.period_id]
        if keep:  # read by later requests, after this one's session is gone
            indicator, period = compare.kept_copy(indicator), compare.kept_copy(period)
        sections[indicator.key_area].append(_row(indicator, period, own, authority_id, now))
    return [KeyAreaSection(area, sections[area]) for area in KeyArea if sections.get(area)]


def _row(
    indicator: Indicator,
    period: Period,
    own: queries.OwnValue,
    authority_id: int,
    now: datetime,
) -> IndicatorRow:
    common = {
        "indicator": indicator,
        "period": period,
        "value": own.value,
        "numerator": own.numerator,
        "denominator": own.denominator,
        "status": str(own.status),
        "released": period.is_released(now),
    }
    empty = {
        "national_median": None,
        "national_lower": None,
        "national_upper": None,
        "contributors": 0,
        "quartile": None,
    }
    if not period.is_released(now):
        return IndicatorRow(**common, **empty, withheld_reason="unreleased")
    results = compare.results_for(period, now)
    row, column = results.row[authority_id], results.column[indicator.id]
    everyone = results.results[group_kinds.ALL]
    peers = int(everyone.peers[row, column])
    if not disclosure.group_statistic_allowed(peers):
        return IndicatorRow(**common, **empty, withheld_reason="too_few")
    if not compare.admission_for(results, authority_id).admitted(group_kinds.ALL, indicator.id):
        return IndicatorRow(**common, **empty, withheld_reason="withheld")
    lower, median, upper = (
        disclosure.shown(array[row, column], indicator)
        for array in (everyone.lower_quartile, everyone.median, everyone.upper_quartile)
    )
    quartile = None
    if own.value is not None:
        quartile = 1 + int(np.searchsorted([lower, median, upper], own.value, side="right"))
    return IndicatorRow(
        **common,
        national_median=median,
        national_lower=lower,
        national_upper=upper,
        contributors=peers + int(not np.isnan(results.network.value[row, column])),
        quartile=quartile,
        withheld_reason=None,
    )


def network_counts() -> dict[str, int]:
    return queries.network_counts()


# --- what needs attention ---------------------------------------------------------------

# Lines shown under each heading; the count and its link give the rest.
LINES_SHOWN = 5


@dataclass(frozen=True)
class Line:
    """One thing to look at, and the page where it is dealt with."""

    title: str
    detail: str
    href: str


@dataclass(frozen=True)
class Attention:
    """One kind of thing that needs attention: how many, against what, and where.

    ``count_words`` follows the count at the top of the page ("2 exceptions against your
    nearest neighbours"): every line that judges a figure names its one comparator, so that
    home never reads as contradicting Where we stand, which names its group too.
    """

    key: str
    count: int
    count_words: str
    heading: str
    href: str
    link_text: str
    lines: list[Line]

    @property
    def more(self) -> int:
        return self.count - len(self.lines)


@dataclass(frozen=True)
class Standing:
    """The default peer group the attention lines compare with, and where to see it all."""

    group_words: str  # in a sentence: "your nearest neighbours"
    period_label: str
    href: str  # Where we stand against that group, for that period


@dataclass(frozen=True)
class AuthorityHome:
    attention: list[Attention]
    sections: list[KeyAreaSection]
    standing: Standing | None  # None before any period is released
    sections_key: tuple[Any, ...] | None = None  # what the sections are kept under

    @property
    def figures_clear(self) -> bool:
        """No figure worse than the default group: said, so home agrees with Where we
        stand's "the norm" out loud rather than by silence."""
        return self.standing is not None and not any(
            item.key == "exceptions" for item in self.attention
        )


def _among(option: compare.GroupOption) -> str:
    """The default group in a sentence, as alerts word it."""
    return alerts.GROUP_WORDS.get(option.key, f"your peers ({option.label})")


def authority_home(user: User, now: datetime | None = None) -> AuthorityHome:
    """Home for an authority's users: what needs attention today, each kind only for the
    users who may deal with it, then the latest figures beside all councils'."""
    authority_id = user.authority_id
    assert authority_id is not None
    # The moment the comparisons read the data as of (one a request): the overview's
    # figures and the attention lines come from the same data version, read once.
    now = now or compare.viewing(user).now
    attention: list[Attention] = []
    figures = _figures(user)
    if figures is not None:
        attention += figures[0]
    attention += [
        item
        for item in (
            _open_queries(user),
            _unanswered_issues(user),
            _overdue_actions(user, now),
            _ally_requests(user, now),
            _staff_views(user, now),
        )
        if item is not None
    ]
    return AuthorityHome(
        [item for item in attention if item.count],
        authority_overview(authority_id, now),
        figures[1] if figures is not None else None,
        overview_key(authority_id, now),
    )


def _figures(user: User) -> tuple[list[Attention], Standing] | None:
    """Exceptions against the default peer group (the first admitted one, as alerts use),
    and figures worse than England's like most of that group: both read off the Norm or
    exception? page, so every word matches the pages the lines link to."""
    try:
        view = compare.viewing(user)
        first = compare.where_we_stand(view, None, None)
        admitted = [option for option in first.options if option.admitted]
        key = admitted[0].key if admitted else first.group.key
        # Most often the first group is the one: its page is not worked out twice (home
        # reads no group choices off it, so the custom groups' absence does not matter).
        page = norms.norm_or_exception(
            view, key, None, standing=first if first.group.key == key else None
        )
    except NotFound:
        return None  # no period released yet
    group, period = page.group, page.standing.period
    among = _among(group)

    def indicator_link(indicator: Indicator, group_key: str) -> str:
        return url_for(
            "compare.indicator_view",
            indicator_code=indicator.code,
            group=group_key,
            period=period.code,
        )

    exceptions = [
        Line(
            standing.indicator.title,
            f"{compare.LEVEL_WORDS[standing.level].lower()}, worse than {among}"
            + (
                f": {format_value(standing.value, standing.indicator)} against their median "
                f"of {format_value(standing.median, standing.indicator)}"
                if standing.median is not None
                else ""
            ),
            indicator_link(standing.indicator, group.key),
        )
        for standing in sorted(page.figures_own, key=lambda s: (-s.level, s.indicator.title))
    ]
    england = [
        Line(
            standing.indicator.title,
            f"worse than England, as are about {evidence.worse} of {among} "
            f"({evidence.of} with a figure)",
            # The England comparison is the "all councils" group's classification: the
            # indicator page against that group says the same (DESIGN.md: a group not
            # admitted still shows the viewer's own classification).
            indicator_link(standing.indicator, group_kinds.ALL),
        )
        for standing, evidence in page.figures_shared
    ]
    where = url_for("compare.where_we_stand", group=group.key, period=period.code)
    return [
        Attention(
            "exceptions",
            len(exceptions),
            f"{'figure' if len(exceptions) == 1 else 'figures'} worse than {among}",
            f"Worse than {among} beyond what chance explains ({period.label})",
            where,
            f"See where you stand against {among}",
            exceptions[:LINES_SHOWN],
        ),
        Attention(
            "england",
            len(england),
            f"{'figure' if len(england) == 1 else 'figures'} worse than England, like most "
            f"of {among}",
            f"Worse than England, like most of {among} ({period.label})",
            url_for("compare.norms", group=group.key, period=period.code),
            "See what is the norm among your peers",
            england[:LINES_SHOWN],
        ),
    ], Standing(among, period.label, where)


def _open_queries(user: User) -> Attention | None:
    if not has_permission(user, Permission.PUBLISH):
        return None
    found = publishing.open_queries(user, user.authority_id)
    page = url_for("publishing.queries")
    lines = [
        Line(
            query.value.indicator.title,
            f"{query.value.period.label}: {format_value(query.value.value, query.value.indicator)}"
            " was queried by the network's checks",
            f"{page}#response_{query.id}",
        )
        for query in found[:LINES_SHOWN]
    ]
    return Attention(
        "queries",
        len(found),
        "open " + ("query on your figures" if len(found) == 1 else "queries on your figures"),
        "Queries on your figures",
        page,
        "Answer the queries on your figures",
        lines,
    )


def _unanswered_issues(user: User) -> Attention | None:
    if not has_permission(user, Permission.PUBLISH):
        return None
    rows = [row for row in issues.known_issues(user).rows if row.flag is None]
    lines = [
        Line(
            row.issue_type.title,
            "not answered yet: say whether it is an issue for you",
            url_for("issues.answer", code=row.issue_type.code),
        )
        for row in rows[:LINES_SHOWN]
    ]
    return Attention(
        "issues",
        len(rows),
        "known " + ("issue" if len(rows) == 1 else "issues") + " not answered yet",
        "Known issues you have not answered",
        url_for("issues.index"),
        "See every known issue",
        lines,
    )


def _overdue_actions(user: User, now: datetime | None) -> Attention | None:
    if not has_permission(user, Permission.RECORD_VISITS):
        return None
    page = action_lists.api_list(user, page=1, per_page=LINES_SHOWN, overdue=True, now=now)
    lines = [
        Line(
            action.description,
            f"due {action.due_on:%-d %B %Y}, owned by {action.owner.name}"
            if action.due_on is not None
            else f"owned by {action.owner.name}",
            url_for("actions.action", action_id=action.public_id),
        )
        for action in page.items
    ]
    return Attention(
        "actions",
        page.total,
        "overdue " + ("action" if page.total == 1 else "actions"),
        "Overdue actions",
        url_for("actions.index"),
        "See every unfinished action",
        lines,
    )


def _ally_requests(user: User, now: datetime | None) -> Attention | None:
    if not has_permission(user, Permission.MANAGE_ALLIES):
        return None
    count = allies.pending_count(user, now)
    return Attention(
        "allies",
        count,
        "ally " + ("request" if count == 1 else "requests") + " waiting for your answer",
        "Ally requests",
        url_for("allies.index"),
        "Answer the requests from other councils",
        [],
    )


def _staff_views(user: User, now: datetime | None) -> Attention | None:
    """Staff views the user's team has yet to respond to (admins see every view)."""
    if not has_permission(user, Permission.RECORD_VISITS) or not staffviews.team_of(user):
        return None
    waiting = sum(
        1
        for team_round in staffviews.team_page(user, now)
        for view in team_round.views
        if view.status == StaffViewStatus.NEW
    )
    return Attention(
        "staff-views",
        waiting,
        "staff " + ("view" if waiting == 1 else "views") + " waiting for a response",
        "Staff views",
        url_for("staffviews.team"),
        "Respond to staff views",
        [],
    )


def proposals_waiting(admin: User) -> int:
    """Issue types authorities have proposed, waiting for a network admin's decision."""
    return sum(
        len(section.entries)
        for section in issues.catalogue(admin)
        if section.status is IssueTypeStatus.PROPOSED
    )
