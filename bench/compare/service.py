"""Comparison rules for the pages: which groups a viewer may use, and what they show.

Network-wide results are computed once per data version and period (every authority,
every indicator, every standard kind) and cached; a page only picks out its viewer's row.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

import numpy as np
from flask import current_app, has_request_context, request
from flask_login import current_user
from sqlalchemy.orm import make_transient_to_detached

from bench import audit, disclosure, series, stats
from bench.access import Permission, has_permission
from bench.compare import admission, engine, queries
from bench.compare import groups as group_kinds
from bench.dates import LONDON
from bench.errors import NotFound
from bench.kept import KeptItems, request_memo
from bench.models import Indicator, KeyArea, Period, Polarity, Role, UnitKind, User, utcnow

# Per data version: the figures and their history (2), and each of 12 released periods'
# classification and results (24; series pages read them all); the rest of 32 is what an
# older version leaves while a new one fills.
CACHE_SIZE = 32


@dataclass
class PeriodResults:
    period: Period
    network: engine.Network
    groups: group_kinds.NetworkGroups
    row: dict[int, int]  # authority id -> row
    column: dict[int, int]  # indicator id -> column
    results: dict[str, engine.KindResult]
    trends: engine.Trends | None = None
    trend_since: dict[int, str] | None = None  # indicator id -> label of its series break
    # Anonymity 9: every authority's admitted groups, per indicator and issue type.
    admission: admission.NetworkAdmission | None = None
    viewers: dict[int, admission.ViewerAdmission] = field(default_factory=dict)


CACHE = KeptItems(CACHE_SIZE)
# Where we stand pages, built: the same for every user of an authority until its own
# figures or what peers may see change (an authority's users mostly look at the same
# few groups), about half of each comparison page's time.
PAGES = KeptItems(size=512)
# Authorities' own figures, as they stand (Viewing.own): read by every page built for the
# authority, the same until it publishes.
OWN = KeptItems(size=128)
_Record = TypeVar("_Record", Period, Indicator)


def kept_copy(record: _Record) -> _Record:
    """A copy of *record* for what every request shares: loaded, and in no session.

    The request that works results out may still fail and roll back, and a rollback
    expires every object its session loaded: results holding those objects could not be
    read by any later request (a 500 on every page reading them, until the data changed).
    """
    model = type(record)
    copy = model(**{attr.key: getattr(record, attr.key) for attr in model.__mapper__.column_attrs})
    make_transient_to_detached(copy)
    return copy


def network_for(period: Period, indicators: list[Indicator], now: datetime) -> engine.Network:
    """The period's figures that peers may see now, newest visible revision of each."""
    authority_ids = np.array([row.id for row in queries.authorities()], dtype=int)
    return _network_from(queries.visible_values(now, [period.id]), authority_ids, indicators)


def _network_from(
    rows: np.ndarray, authority_ids: np.ndarray, indicators: list[Indicator]
) -> engine.Network:
    """One period's rows of :func:`queries.visible_values` as a network."""
    indicator_ids = np.array([indicator.id for indicator in indicators], dtype=int)
    shape = (len(authority_ids), len(indicator_ids))
    value, numerator, denominator = (np.full(shape, np.nan) for _ in range(3))
    if len(rows):
        # Sorted by revision within each key: the last of each key is its newest.
        keys = np.stack([rows["authority"], rows["indicator"]], axis=1)
        last = np.ones(len(rows), dtype=bool)
        last[:-1] = np.any(keys[1:] != keys[:-1], axis=1)
        rows = rows[last]
        a = np.searchsorted(authority_ids, rows["authority"])
        known = np.isin(rows["indicator"], indicator_ids)
        order = np.argsort(indicator_ids)
        i = order[np.searchsorted(indicator_ids[order], rows["indicator"][known])]
        value[a[known], i] = rows["value"][known]
        numerator[a[known], i] = rows["numerator"][known]
        denominator[a[known], i] = rows["denominator"][known]
    counts = np.array([indicator.has_counts for indicator in indicators], dtype=bool)
    return engine.Network(
        authority_ids=authority_ids,
        indicator_ids=indicator_ids,
        counts=counts,
        rate=np.array([indicator.unit_kind is UnitKind.RATE for indicator in indicators]),
        multiplier=np.array([float(indicator.multiplier) for indicator in indicators]),
        value=value,
        numerator=numerator,
        denominator=denominator,
        # Small counts (shown as "<5") stay out of every group figure (Anonymity 10).
        excluded=counts[None, :] & disclosure.small_counts(numerator),
    )


@dataclass
class History:
    """Every released period's figures that peers may see, and every authority's admitted
    groups for each of them: worked out once per data version."""

    periods: list[Period]
    networks: dict[int, engine.Network]
    admission: admission.NetworkAdmission


def data_version(now: datetime) -> tuple[Any, ...]:
    """Changes whenever anything the engine reads changes, including what time has made
    visible: the newest release date passed, and the release round (late figures and
    corrections become visible on the 1st of each month). Read once a request (a home page
    asks for every indicator's results) and again after anything in the request writes."""
    return (*figures_version(now), _state(now)[1])


def figures_version(now: datetime) -> tuple[Any, ...]:
    """:func:`data_version` without the known issues: what the engine classifies (the
    figures peers may see, the authorities, catalogue and groups). A council editing a
    known issue changes the groups' admission and Norm or exception?, not the figures'
    classification, which stays cached."""
    version, _, newest_visible, released = _state(now)
    return (newest_visible, version, released, (now.year, now.month))


def _state(now: datetime, authority_id: int | None = None) -> tuple[Any, ...]:
    """The data state at *now* (and *authority_id*'s newest revision, read in the same
    round trip), read once a request."""
    memo = _memo()
    if authority_id is None and now not in memo:
        authority_id = _viewer_authority()  # the page will most likely ask for it next
    own = ("own", authority_id)
    if now not in memo or (authority_id is not None and own not in memo):
        *state, memo[own] = queries.data_state(now, authority_id)
        memo.setdefault(now, tuple(state))  # what the request has used so far stands
    return memo[now]


def _own_version(now: datetime, authority_id: int) -> int | None:
    memo, key = _memo(), ("own", authority_id)
    if key not in memo:
        _state(now, authority_id)
    return memo[key]


def _viewer_authority() -> int | None:
    """The signed-in user's council, if any (its pages show its own figures)."""
    if not has_request_context():
        return None
    return getattr(current_user, "authority_id", None)


def _memo() -> dict[Any, Any]:
    """What this request has read of the data state so far, forgotten as soon as anything
    in it writes."""
    return request_memo("data state")


def _app_key() -> str:
    return current_app.extensions.setdefault("bench.compare.cache_key", uuid.uuid4().hex)


def history_for(now: datetime | None = None) -> History:
    now = now or utcnow()
    key = (_app_key(), data_version(now), "history")
    cached = CACHE.get(key)
    if cached is not None:
        return cached
    periods, networks = _networks(now)
    item = History(periods, networks, _admit(periods, networks, queries.indicators()))
    CACHE.put(key, item)
    return item


def _networks(now: datetime) -> tuple[list[Period], dict[int, engine.Network]]:
    """Every released period's figures that peers may see, per figures version: a known
    issue edited re-admits the groups (about 0.3 s at national scale) without fetching
    480,000 figures again (about 0.7 s)."""
    key = (_app_key(), figures_version(now), "networks")
    cached = CACHE.get(key)
    if cached is not None:
        return cached
    periods = [kept_copy(period) for period in released_periods(now)]
    indicators = queries.indicators()
    rows = queries.visible_values(now, [period.id for period in periods])
    authority_ids = np.array([row.id for row in queries.authorities()], dtype=int)
    networks = {
        period.id: _network_from(rows[rows["period"] == period.id], authority_ids, indicators)
        for period in periods
    }
    CACHE.put(key, (periods, networks))
    return periods, networks


def _admit(
    periods: list[Period], networks: dict[int, engine.Network], indicators: list[Indicator]
) -> admission.NetworkAdmission:
    """Every authority's groups admitted for every indicator of *periods* and every issue
    type (DESIGN.md, Anonymity 9), in one whole-array pass.

    Memberships are the groups as they stand, whatever the period: a council that did not
    exist in a period has no figure for it, so it counts in no atom there.
    """
    network_groups = group_kinds.build(None, current_app.config["COMPUTED_NEIGHBOURS_K"])
    authority_ids = network_groups.authority_ids
    customs = {
        owner: group_kinds.as_candidates(owner, groups)
        for owner, groups in queries.every_custom_group().items()
    }
    issue_ids, issue_contributors = _issue_contributors(authority_ids)
    # Peers with a figure in the group figures, and every peer listed (a "<5" count too).
    listed, figures = [], []
    for period in periods:
        network = networks[period.id]
        present = ~np.isnan(network.value)
        listed.append(present)
        figures.append(present if network.excluded is None else present & ~network.excluded)
    empty = np.zeros((len(authority_ids), 0), dtype=bool)
    contributors = np.concatenate(figures, axis=1) if figures else empty
    listed_all = np.concatenate(listed, axis=1) if listed else empty
    differs = (listed_all != contributors).any(axis=0)  # only where a "<5" count is listed
    columns = {
        (period.id, indicator.id): block * len(indicators) + c
        for block, period in enumerate(periods)
        for c, indicator in enumerate(indicators)
    }
    return admission.admit_all(
        network_groups,
        customs,
        contributors,
        issue_contributors,
        columns,
        {issue_id: c for c, issue_id in enumerate(issue_ids)},
        disclosure.min_peers(),
        listed=listed_all[:, differs],
        listed_columns=np.flatnonzero(differs),
    )


def results_for(period: Period, now: datetime | None = None) -> PeriodResults:
    now = now or utcnow()
    key = (_app_key(), data_version(now), period.id)
    cached = CACHE.get(key)
    if cached is not None:
        return cached
    history = history_for(now)
    classified = _classified(period, now, history)
    released = period.id in history.networks
    item = replace(
        classified,
        admission=(
            history.admission
            if released
            else _admit([period], {period.id: classified.network}, queries.indicators())
        ),
        viewers={},
    )
    CACHE.put(key, item)
    return item


def _classified(period: Period, now: datetime, history: History) -> PeriodResults:
    """The engine's results for *period* (every kind, the trends), per figures version,
    without the groups' admission: a known issue edited leaves them as they are."""
    key = (_app_key(), figures_version(now), period.id, "classified")
    cached = CACHE.get(key)
    if cached is not None:
        return cached
    indicators = queries.indicators()
    released = period.id in history.networks
    network = history.networks[period.id] if released else network_for(period, indicators, now)
    network_groups = group_kinds.build(
        period.starts_on, current_app.config["COMPUTED_NEIGHBOURS_K"]
    )
    k = disclosure.min_peers()
    adjustment = current_app.config["OVERDISPERSION_ADJUSTMENT"]
    results = {
        kind.key: engine.classify(network, network_groups.groups[kind.key], k, adjustment)
        for kind in network_groups.kinds
    }
    trends, since = _trends(period, indicators, history, network_groups, k)
    item = PeriodResults(
        period=kept_copy(period),
        network=network,
        groups=network_groups,
        row={int(a): r for r, a in enumerate(network.authority_ids)},
        column={int(i): c for c, i in enumerate(network.indicator_ids)},
        results=results,
        trends=trends,
        trend_since=since,
    )
    CACHE.put(key, item)
    return item


def _issue_contributors(authority_ids: np.ndarray) -> tuple[list[int], np.ndarray]:
    """Issue type ids, and (A, J) bool: which authorities answered each (reported it or
    said it is not an issue). Silence is not an answer."""
    issue_ids = [issue_type.id for issue_type in queries.issue_types()]
    column = {issue_id: c for c, issue_id in enumerate(issue_ids)}
    row = {int(a): r for r, a in enumerate(authority_ids)}
    answered = np.zeros((len(authority_ids), len(issue_ids)), dtype=bool)
    for flag in queries.flags():
        if flag[0] in row and flag[1] in column:
            answered[row[flag[0]], column[flag[1]]] = True
    return issue_ids, answered


_VIEWERS_LOCK = threading.Lock()


def admission_for(results: PeriodResults, authority_id: int) -> admission.ViewerAdmission:
    """Which of the authority's groups may show figures, for each indicator of the period
    and each issue type (DESIGN.md, Anonymity 9): read off the network-wide admission
    worked out once per data version."""
    with _VIEWERS_LOCK:
        cached = results.viewers.get(authority_id)
        if cached is None:
            cached = results.admission.viewer(authority_id, results.period.id)
            results.viewers[authority_id] = cached
    return cached


def _trends(
    period: Period,
    indicators: list[Indicator],
    history: History,
    network_groups: group_kinds.NetworkGroups,
    k: int,
) -> tuple[engine.Trends | None, dict[int, str]]:
    """Trends over the released periods up to *period*, never across a series break."""
    periods = [p for p in history.periods if p.starts_on <= period.starts_on]
    if len(periods) < engine.MIN_TREND_PERIODS or period.id not in history.networks:
        return None, {}
    cube = np.stack([history.networks[p.id].value for p in periods])
    position = {p.id: index for index, p in enumerate(periods)}
    column = {indicator.id: c for c, indicator in enumerate(indicators)}
    since: dict[int, str] = {}
    for indicator_id, period_id in queries.series_breaks():
        if indicator_id in column and period_id in position:
            start = position[period_id]
            cube[:start, :, column[indicator_id]] = np.nan  # only the figures since the break
            since[indicator_id] = periods[start].label
    times = np.array([p.starts_on.year + (p.starts_on.month - 1) / 12 for p in periods])
    kinds = {kind.key: network_groups.groups[kind.key] for kind in network_groups.kinds}
    return engine.trends(times, cube, kinds, k), since


# --- one viewer -------------------------------------------------------------------------------


LEVEL_WORDS = {
    engine.NORM: "The norm",
    engine.POSSIBLE: "A possible exception",
    engine.EXCEPTION: "An exception",
}


@dataclass(frozen=True)
class Standing:
    """One indicator for the viewer against one group."""

    indicator: Indicator
    value: float | None
    numerator: float | None
    denominator: float | None
    interval: tuple[float, float] | None
    pending_correction: bool  # own latest figure not yet visible to peers
    level: int
    direction: int
    method: int
    peers: int
    median: float | None
    lower_quartile: float | None
    upper_quartile: float | None
    target: float | None
    withheld: str | None  # why peers' figures are not shown, in plain words
    robustness: str = ""  # whether the answer holds against the other peer groups
    phi: float | None = None  # the group's over-dispersion factor when the funnel was widened
    tau2: float | None = None  # and its between-council variance (additive adjustment)
    adjustment: str = "multiplicative"
    trend: str = ""  # the viewer's trend and how it stands against the peers' trends
    trend_fact: TrendFact | None = None
    # With no figure in the period: the viewer's latest earlier figure and its period, so a
    # biennial survey shows what the council last had rather than a bare "No figure".
    earlier_value: float | None = None
    earlier_period: str | None = None

    @property
    def words(self) -> str:
        if self.level == engine.NO_FIGURE:
            return "No figure"
        if self.level == engine.TOO_FEW_PEERS:
            return "Not enough peers"
        text = LEVEL_WORDS[self.level]
        if self.level == engine.NORM:
            return text
        return f"{text}: {self.judgement}"

    @property
    def judgement(self) -> str:
        polarity = self.indicator.polarity
        if polarity is Polarity.NEITHER or self.direction == 0:
            return "higher" if self.direction > 0 else "lower"
        better = (self.direction > 0) == (polarity is Polarity.HIGHER_IS_BETTER)
        return "better" if better else "worse"

    @property
    def level_key(self) -> str:
        """Which count of the page's summary the row falls in (and the ``show`` filter)."""
        return {
            engine.EXCEPTION: "exceptions",
            engine.POSSIBLE: "possible",
            engine.NORM: "norm",
        }.get(self.level, "unclassified")

    @property
    def trend_short(self) -> str:
        """The trend in a word or two, for a row that must stay one line: the sentence
        (:attr:`trend`) is on the indicator's page."""
        fact = self.trend_fact
        if fact is None:
            return ""
        if not fact.clear or fact.slope == 0:
            return "No clear trend"
        return _trend_heading(self.indicator, fact.slope)

    @property
    def method_words(self) -> str:
        if self.method == engine.METHOD_FUNNEL_ADJUSTED:
            phi = f" (φ = {self.phi:.1f})" if self.phi is not None else ""
            how = (
                "by √φ (multiplicative)"
                if self.adjustment == "multiplicative"
                else "by the variance between councils (additive)"
            )
            return (
                "Funnel against the pooled peer value, widened "
                f"{how} because peers' figures vary more than chance alone{phi}"
            )
        if self.method == engine.METHOD_FUNNEL:
            return "Funnel: counts against the pooled peer value"
        return "Robust score against the peer median"

    @property
    def tag(self) -> str:
        """GOV.UK tag colour for the classification."""
        if self.level in (engine.NO_FIGURE, engine.TOO_FEW_PEERS):
            return "grey"
        if self.level == engine.NORM:
            return "blue"
        if self.indicator.polarity is Polarity.NEITHER:
            return "purple"
        worse = self.judgement == "worse"
        if self.level == engine.EXCEPTION:
            return "red" if worse else "green"
        return "orange" if worse else "turquoise"


@dataclass(frozen=True)
class GroupOption:
    key: str
    label: str
    admitted: bool
    reason: str | None
    peers: frozenset[int] = frozenset()  # ids stay on the server: never shown
    partly: bool = False  # shown, but withheld for some indicators of the period


@dataclass(frozen=True)
class StandingPage:
    period: Period
    periods: list[Period]
    group: GroupOption
    options: list[GroupOption]
    sections: list[tuple[str, list[Standing]]]
    peer_count: int
    authority_name: str = ""
    authority_code: str | None = None  # set for inspectors, who name the authority they view
    # What the page was built from, for the builders on top of it (indicator, norms,
    # exports): never rendered.
    view: Viewing | None = field(default=None, repr=False, compare=False)
    results: PeriodResults | None = field(default=None, repr=False, compare=False)
    admission: admission.ViewerAdmission | None = field(default=None, repr=False, compare=False)
    # The key the page is kept under in PAGES (None for a page built afresh): what the
    # pages built on top of it (Norm or exception?) are kept under too.
    cache_key: tuple[Any, ...] | None = field(default=None, repr=False, compare=False)

    @property
    def standings(self) -> list[Standing]:
        return [standing for _, rows in self.sections for standing in rows]

    @property
    def summary(self) -> list[SummaryCount]:
        """How many indicators fall in each classification against the chosen group, in
        the order a reader acts on them: the page's headline, each count a filter."""
        rows = self.standings
        out = []
        for key, one, many, filtered in SUMMARY_WORDS:
            mine = [s for s in rows if s.level_key == key]
            judged = [s.judgement for s in mine if key in ("exceptions", "possible")]
            split = ", ".join(
                f"{judged.count(word)} {word}"
                for word in ("worse", "better", "higher", "lower")
                if judged.count(word)
            )
            words = one if len(mine) == 1 else many
            out.append(SummaryCount(key, len(mine), words, filtered, split))
        return out

    def shown_sections(self, show: str | None) -> list[tuple[str, list[Standing]]]:
        """The key areas with only the rows of one summary count (*show*), or every row
        when *show* is not one of the counts' keys."""
        if show not in SUMMARY_KEYS:
            return self.sections
        kept = [(area, [s for s in rows if s.level_key == show]) for area, rows in self.sections]
        return [(area, rows) for area, rows in kept if rows]


# (key, one, many, the rows shown when filtered): the counts at the top of Where we stand.
SUMMARY_WORDS = (
    ("exceptions", "exception", "exceptions", "the exceptions"),
    ("possible", "possible exception", "possible exceptions", "the possible exceptions"),
    ("norm", "the norm", "the norm", "the indicators that are the norm"),
    ("unclassified", "not classified", "not classified", "the indicators not classified"),
)
SUMMARY_KEYS = frozenset(key for key, *_ in SUMMARY_WORDS)


@dataclass(frozen=True)
class SummaryCount:
    key: str
    count: int
    words: str  # "exceptions", "the norm"
    filtered: str  # "the exceptions": what the page shows when filtered to this count
    split: str = ""  # "1 worse, 1 better" for exceptions and possible exceptions


@dataclass(frozen=True)
class OwnFigure:
    numerator: float | None
    denominator: float | None
    value: float | None
    visible_from: datetime | None


@dataclass
class Viewing:
    """Who is viewing which authority's comparisons, and as of when: worked out once per
    request (DESIGN.md: an inspector sees a named authority only under a current grant,
    and every use of the grant is audited, once). Pages, the API, alerts and exports are
    all built from one of these."""

    user: User
    authority_id: int
    authority_name: str
    named_code: str | None  # the authority's GSS code where the view names it (a grant)
    grant_id: int | None
    now: datetime  # the moment every figure is read as of
    as_of: date | None = None  # set when the request reproduces a past date
    _own: dict[tuple[int, int], OwnFigure] | None = field(default=None, repr=False)
    _own_one: dict[int, dict[tuple[int, int], OwnFigure]] = field(default_factory=dict, repr=False)

    @property
    def periods(self) -> list[Period]:
        return released_periods(self.now)

    def own(self, indicator_id: int | None = None) -> dict[tuple[int, int], OwnFigure]:
        """The authority's own figures, exact, as they stood at :attr:`now`, by (period id,
        indicator id): the newest revision published by then. With *indicator_id*, that
        indicator's only (an indicator page reads a dozen figures, not 1,200)."""
        if self._own is None and indicator_id is not None:
            if indicator_id not in self._own_one:
                self._own_one[indicator_id] = self._read_own(indicator_id)
            return self._own_one[indicator_id]
        if self._own is None:
            self._own = self._read_own(None)
        if indicator_id is None:
            return self._own
        return {key: figures for key, figures in self._own.items() if key[1] == indicator_id}

    def _read_own(self, indicator_id: int | None) -> dict[tuple[int, int], OwnFigure]:
        if self.as_of is not None or not reading():
            return self._query_own(indicator_id)
        # The same for every page of the authority until it publishes (its own version).
        key = (_app_key(), self.authority_id, _own_version(self.now, self.authority_id))
        own = OWN.get(key)
        if own is not None and indicator_id is not None:
            return {k: figures for k, figures in own.items() if k[1] == indicator_id}
        if own is None:
            own = self._query_own(indicator_id)
            if indicator_id is None:  # one indicator's dozen figures are cheap to read
                OWN.put(key, own)
        return own

    def _query_own(self, indicator_id: int | None) -> dict[tuple[int, int], OwnFigure]:
        return {
            (period_id, indicator_id): OwnFigure(*figures)
            for period_id, indicator_id, *figures in queries.own_latest(
                self.authority_id, None if self.as_of is None else self.now, indicator_id
            )
        }


def moment_of(as_of: date | None) -> datetime:
    """The moment a view is read as of: now, or the end of *as_of* (London time), so that a
    request with ``as_of`` reads what was published on that date and nothing since."""
    if as_of is None:
        return utcnow()
    end = datetime.combine(as_of + timedelta(days=1), time.min, tzinfo=LONDON)
    return min(end.astimezone(UTC) - timedelta(microseconds=1), utcnow())


def viewing(user: User, authority_code: str | None = None, as_of: date | None = None) -> Viewing:
    """The authority *user* may see compared: their own, or, for an inspector, one whose
    admin granted them access for now (an ended or revoked grant stops at once). Once per
    request, however many page builders, exports or API calls ask: one use, one audit
    event."""
    # Kept on the request itself: an app context can outlive many requests (a worker's
    # tests, a cron run), and a grant must be checked and audited for each one.
    cache = request.__dict__.setdefault("bench_viewings", {}) if has_request_context() else {}
    key = (user.id, (authority_code or "").upper(), as_of)
    if key in cache:
        return cache[key]
    now = moment_of(as_of)
    if has_permission(user, Permission.SEE_OWN_DATA) and user.authority_id is not None:
        # The user's authority came with the user (auth.queries.live_session).
        view = Viewing(user, user.authority_id, user.authority.name, None, None, now, as_of)
    elif user.role is Role.INSPECTOR and authority_code:
        grant = queries.current_grant(user.id, authority_code, utcnow())
        if grant is None:
            raise NotFound("No authority")
        audit.grants_used(user, [grant], "comparison")
        view = Viewing(
            user, grant.authority_id, queries.authority_name(grant.authority_id),
            authority_code.upper(), grant.id, now, as_of,
        )  # fmt: skip
    else:
        raise NotFound("No authority")
    cache[key] = view
    return view


def viewer_authority(user: User, authority_code: str | None = None) -> int:
    """The id of the authority *user* may see (see :func:`viewing`)."""
    return viewing(user, authority_code).authority_id


def warm(now: datetime | None = None) -> int:
    """Work out every released period's comparisons into the cache (gunicorn's master,
    before it forks its workers: they then start warm and share the arrays' memory until
    the data changes). Returns how many periods."""
    now = now or utcnow()
    periods = released_periods(now)
    for period in periods:
        results_for(period, now)
    return len(periods)


def released_periods(now: datetime) -> list[Period]:
    return [period for period in queries.periods() if period.is_released(now)]


def _kept_catalogue(now: datetime) -> tuple[list[Period], list[Indicator]]:
    """The released periods and the indicators, as kept pages hold them (in no session),
    per figures version: every page built reads the same, not a copy each."""
    key = (_app_key(), figures_version(now), "catalogue")
    cached = CACHE.get(key)
    if cached is None:
        cached = (
            [kept_copy(period) for period in released_periods(now)],
            [kept_copy(indicator) for indicator in queries.indicators()],
        )
        CACHE.put(key, cached)
    return cached


# Per figures version, for the indicator page: the indicators by code, and every
# indicator's series breaks (two queries a page otherwise).
INDICATORS = KeptItems(size=4)


def kept_indicator(now: datetime, code: str) -> Indicator | None:
    """The indicator of *code* as kept pages hold it (in no session), or None."""
    return _kept_indicators(now)[0].get(code)


def kept_series_breaks(now: datetime, indicator_id: int) -> list[tuple[date, str]]:
    """The indicator's series breaks, as :func:`bench.series.series_breaks` gives them."""
    return _kept_indicators(now)[1].get(indicator_id, [])


def _kept_indicators(
    now: datetime,
) -> tuple[dict[str, Indicator], dict[int, list[tuple[date, str]]]]:
    key = (_app_key(), figures_version(now))
    kept = INDICATORS.get(key)
    if kept is None:
        indicators = _kept_catalogue(now)[1]
        kept = (
            {indicator.code: indicator for indicator in indicators},
            series.series_breaks([indicator.id for indicator in indicators]),
        )
        INDICATORS.put(key, kept)
    return kept


def _options(results: PeriodResults, authority_id: int) -> list[GroupOption]:
    """The viewer's groups in admission order; a group admitted for no indicator and no
    issue type of the period is marked withheld, with the reason."""
    viewer = admission_for(results, authority_id)
    k = disclosure.min_peers()
    out = []
    for group in viewer.groups:
        if group.key.startswith(group_kinds.RETIRED):
            continue  # deleted: part of what was seen, no longer offered
        shown = viewer.any_admitted(group.key)
        reason = None
        if not shown and len(group.peers) < k:
            reason = f"{group.label} has fewer than {k} councils"
        elif not shown:
            reason = (
                f"{group.label} overlaps your other groups so closely that, compared with "
                f"them, its figures would single out fewer than {k} councils, so peers' "
                "figures for this group are not shown"
            )
        partly = shown and viewer.partly_withheld(group.key)
        out.append(GroupOption(group.key, group.label, shown, reason, group.peers, partly))
    return out


def withheld_words(
    viewer: admission.ViewerAdmission,
    key: str,
    period: Period,
    *,
    indicator_id: int | None = None,
    issue_type_id: int | None = None,
) -> str | None:
    """Why a group shows no peers' figures for one indicator (or issue type), in plain
    words; None when it may show them."""
    why = viewer.withheld(key, indicator_id=indicator_id, issue_type_id=issue_type_id)
    if why is None:
        return None
    k = viewer.k
    what = (
        f"published a figure for {period.label}"
        if issue_type_id is None
        else "have answered about this issue"
    )
    group = next(group for group in viewer.groups if group.key == key)
    if len(group.peers) < k:
        return f"{group.label} has fewer than {k} councils"
    if why.too_few or not why.beside:
        return f"fewer than {k} peers {what}"
    return (
        f"shown beside {_and(why.beside)}, which you can also see, this group's figures "
        f"would single out fewer than {k} councils that {what}"
    )


def _and(labels: tuple[str, ...]) -> str:
    words = [label.lower() if label != "All councils" else "all councils" for label in labels]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def result_for(
    results: PeriodResults, authority_id: int, option: GroupOption
) -> engine.KindResult | None:
    """The classification against one of the viewer's groups: the cached network-wide one
    for a standard kind, computed on demand for a custom group."""
    if option.key in results.results:
        return results.results[option.key]
    if option.key.startswith("custom-") and option.peers:
        return _custom_result(results, authority_id, option.peers)
    return None


def custom_group_refusal(authority_id: int, members: frozenset[int]) -> str | None:
    """When a new custom group of *members* would break an atom (the period's label, or
    "today"), or None when it may be saved (DESIGN.md, Anonymity 9: a group that would
    break an atom even when every council contributes is refused when saved).

    "Every council" is every council that existed at the start of each period (and today):
    a group set apart from another by councils created later isolates the others in the
    periods before them.
    """
    today = utcnow().date()
    network_groups = group_kinds.build(today, current_app.config["COMPUTED_NEIGHBOURS_K"])
    rows = queries.authorities()
    periods = queries.periods()
    dates = [period.starts_on for period in periods] + [today]
    existing = np.array([[group_kinds.existed(row, on) for on in dates] for row in rows])
    column = admission.structural_refusal(
        network_groups,
        authority_id,
        group_kinds.custom_candidates(authority_id),
        members - {authority_id},
        existing,
        disclosure.min_peers(),
    )
    if column is None:
        return None
    return periods[column].label if column < len(periods) else "today"


def _custom_result(
    results: PeriodResults, authority_id: int, peers: frozenset[int]
) -> engine.KindResult:
    """Classify the viewer alone against one of its custom groups, on demand: a Lists with
    only the viewer's row filled (the network-wide results cover the standard kinds)."""
    rows = [results.row[p] for p in sorted(peers) if p in results.row]
    table = np.full((len(results.row), max(len(rows), 1)), -1, dtype=int)
    table[results.row[authority_id], : len(rows)] = rows
    return engine.classify(
        results.network,
        engine.Lists(table),
        disclosure.min_peers(),
        current_app.config["OVERDISPERSION_ADJUSTMENT"],
    )


def where_we_stand(
    view: Viewing,
    group_key: str | None,
    period_code: str | None,
    *,
    custom: bool = False,
    only: Indicator | None = None,
) -> StandingPage:
    """The viewer's standing on every indicator against one group. With *custom*, the
    authority's custom groups are offered too (classified for this viewer on demand).
    With *only*, the page holds that one indicator's line (the indicator page), read off
    the whole page kept for the authority's next pages."""
    if view.as_of is not None or not reading():
        # A past date, reproduced; or a request that writes, whose page may show what it
        # has not committed yet (and may roll back): built afresh, never kept.
        return _where_we_stand(view, group_key, period_code, custom, only, keep=False)
    # Who views it named (an inspector) is one of the choices.
    key = authority_key(
        view.now, view.authority_id,
        "where_we_stand", view.named_code, group_key, period_code, custom,
    )  # fmt: skip
    page = PAGES.get(key)
    if page is None:
        page = replace(
            _where_we_stand(view, group_key, period_code, custom, None, keep=True), cache_key=key
        )
        PAGES.put(key, page)
    if only is not None:
        # One indicator's line is the same as on the whole page, which the next indicator
        # page (and Where we stand) reads too. Lines are not kept apart: a hundred a page
        # would push the whole pages out of the cache.
        lines = [s for s in page.standings if s.indicator.id == only.id]
        if not lines:
            raise NotFound("No such indicator")
        page = replace(page, sections=[(lines[0].indicator.key_area.label, lines)], cache_key=None)
    return replace(page, view=view)


def reading() -> bool:
    """A request that only reads (the pages), where a built page may be kept."""
    return has_request_context() and request.method in ("GET", "HEAD")


def authority_key(now: datetime, authority_id: int, *choices: Any) -> tuple[Any, ...]:
    """The key an authority's built page is kept under: everything it is built from. What
    peers may see (the data version), the authority's own figures (its newest revision:
    a correction waiting for its round changes its own page, not its peers'), and the
    page's *choices*. Not the user: every user of an authority sees the same page."""
    own = _own_version(now, authority_id)
    return (_app_key(), data_version(now), authority_id, own, *choices)


def _where_we_stand(
    view: Viewing,
    group_key: str | None,
    period_code: str | None,
    custom: bool,
    only: Indicator | None,
    *,
    keep: bool,
) -> StandingPage:
    """The page :func:`where_we_stand` shows; with *keep*, holding periods and indicators
    that belong to no session, so that later requests can read it from the cache."""
    authority_id, now = view.authority_id, view.now
    periods, indicators = _kept_catalogue(now) if keep else (released_periods(now), None)
    if not periods:
        raise NotFound("No period has been released yet")
    period = next((p for p in periods if p.code == period_code), periods[-1])
    results = results_for(period, now)
    options = [
        o
        for o in _options(results, authority_id)
        if o.key in results.results or (custom and o.key.startswith("custom-"))
    ]
    option = next((o for o in options if o.key == group_key), options[0])
    result = results.results.get(option.key)
    if result is None:
        result = _custom_result(results, authority_id, option.peers)
    row = results.row[authority_id]
    viewer = admission_for(results, authority_id)
    own = {
        indicator_id: figures
        for (period_id, indicator_id), figures in view.own(
            None if only is None else only.id
        ).items()
        if period_id == period.id
    }
    earlier = _earlier_figures(view, period, periods, only)
    if only is not None:
        indicators = [kept_copy(only) if keep else only]
    elif indicators is None:
        indicators = queries.indicators()
    sections: dict[str, list[Standing]] = {}
    for indicator in indicators:
        column = results.column[indicator.id]
        figures = own.get(indicator.id) or OwnFigure(None, None, None, None)
        earlier_value, earlier_period = (
            earlier.get(indicator.id, (None, None)) if figures.value is None else (None, None)
        )
        numerator, denominator, value = figures.numerator, figures.denominator, figures.value
        visible_from = figures.visible_from
        admitted = viewer.admitted(option.key, indicator.id)
        allowed = admitted and disclosure.group_statistic_allowed(int(result.peers[row, column]))

        def shown(array: np.ndarray, allowed: bool = allowed, column: int = column) -> float | None:
            figure = float(array[row, column])
            return figure if allowed and not np.isnan(figure) else None

        def group_figure(array: np.ndarray, indicator: Indicator = indicator) -> float | None:
            """A group statistic as it leaves the service: to the indicator's published
            decimal places (Anonymity 10); the viewer's own figures stay exact."""
            return disclosure.shown(shown(array), indicator)

        widened = int(result.method[row, column]) == engine.METHOD_FUNNEL_ADJUSTED
        trend = _trend(indicator, results, option, row, column, allowed)

        withheld = None
        if not admitted:
            withheld = (
                withheld_words(viewer, option.key, period, indicator_id=indicator.id)
                or option.reason
            )
        elif not allowed:
            withheld = (
                f"fewer than {disclosure.min_peers()} peers published a figure for {period.label}"
            )
        sections.setdefault(indicator.key_area.label, []).append(
            Standing(
                indicator=indicator,
                value=value,
                numerator=numerator,
                denominator=denominator,
                interval=_interval(indicator, numerator, denominator),
                pending_correction=visible_from is not None and visible_from > now,
                level=int(result.level[row, column]) if value is not None else engine.NO_FIGURE,
                direction=int(result.direction[row, column]),
                method=int(result.method[row, column]),
                peers=int(result.peers[row, column]) if admitted else 0,
                median=group_figure(result.median),
                lower_quartile=group_figure(result.lower_quartile),
                upper_quartile=group_figure(result.upper_quartile),
                target=group_figure(result.target),
                withheld=withheld,
                robustness=_robustness(indicator, results, viewer, option, row, column),
                trend=_trend_words(indicator, trend),
                trend_fact=trend,
                earlier_value=earlier_value,
                earlier_period=earlier_period,
                phi=disclosure.significant(shown(result.phi), 2) if widened else None,
                tau2=disclosure.significant(shown(result.tau2), 2) if widened else None,
                adjustment=result.adjustment,
            )
        )
    peer_count = len(option.peers)
    order = [area.label for area in KeyArea]
    return StandingPage(
        period=period,
        periods=periods,
        group=option,
        options=options,
        sections=sorted(sections.items(), key=lambda item: order.index(item[0])),
        peer_count=peer_count if option.admitted else 0,
        authority_name=view.authority_name,
        authority_code=view.named_code,
        view=view,
        results=results,
        admission=viewer,
    )


def _earlier_figures(
    view: Viewing, period: Period, periods: list[Period], only: Indicator | None
) -> dict[int, tuple[float, str]]:
    """The viewer's latest figure before *period* for each indicator, with its period's
    label: its own figures, exact, over the released periods (DESIGN.md: an authority
    always sees its own figures)."""
    before = {p.id: p for p in periods if p.starts_on < period.starts_on}
    found = sorted(
        (before[period_id].starts_on, indicator_id, figures.value, before[period_id].label)
        for (period_id, indicator_id), figures in view.own(
            None if only is None else only.id
        ).items()
        if period_id in before and figures.value is not None
    )
    # Oldest first, so each indicator's newest earlier figure is the one kept.
    return {indicator_id: (value, label) for _, indicator_id, value, label in found}


@dataclass(frozen=True)
class TrendFact:
    """The viewer's trend on one indicator, as the page words it."""

    slope: float  # a year, to the indicator's decimals
    clear: bool  # p < 0.05 (Mann-Kendall)
    since: str | None  # the period of a series break it starts after
    against_peers: str | None  # in_line, faster, much_faster, slower, much_slower; None: not shown


def _trend(
    indicator: Indicator,
    results: PeriodResults,
    option: GroupOption,
    row: int,
    column: int,
    peers_shown: bool,
) -> TrendFact | None:
    trends = results.trends
    if trends is None or np.isnan(trends.slope[row, column]):
        return None
    against_words = None
    against = trends.against_peers.get(option.key)
    if peers_shown and against is not None:
        level = int(against.level[row, column])
        if level == engine.NORM:
            against_words = "in_line"
        elif level > engine.NORM:
            faster = "faster" if int(against.direction[row, column]) > 0 else "slower"
            against_words = f"much_{faster}" if level == engine.EXCEPTION else faster
    return TrendFact(
        slope=round(float(trends.slope[row, column]), indicator.decimals),
        clear=float(trends.p_value[row, column]) < 0.05,
        since=(results.trend_since or {}).get(indicator.id),
        against_peers=against_words,
    )


def change_words(indicator: Indicator, change: float) -> str:
    """The size of a change in the indicator's figure, with its unit: a percentage changes
    in percentage points (GOV.UK style), a rate per its multiplier, a cost in pounds."""
    number = f"{abs(change):,.{indicator.decimals}f}"
    one = abs(change) == 1 and indicator.decimals == 0
    kind = indicator.unit_kind
    if kind is UnitKind.PROPORTION and indicator.multiplier == 100:
        return f"{number} percentage point{'' if one else 's'}"
    if kind is UnitKind.CURRENCY:
        per = indicator.unit_label.removeprefix("£").strip()  # "£ per week": "per week"
        return f"£{number}" + (f" {per}" if per else "")
    if kind is UnitKind.SCORE:
        return f"{number} point{'' if one else 's'}"
    if indicator.unit_label:
        return f"{number} {indicator.unit_label}"
    if kind in (UnitKind.RATE, UnitKind.PROPORTION) and indicator.multiplier > 1:
        return f"{number} per {indicator.multiplier:,}"
    return number


def _trend_heading(indicator: Indicator, slope: float) -> str:
    """ "Improving" or "Worsening" by the indicator's polarity; "Rising" or "Falling" where
    neither higher nor lower is better."""
    if indicator.polarity is Polarity.NEITHER:
        return "Rising" if slope > 0 else "Falling"
    better = (slope > 0) == (indicator.polarity is Polarity.HIGHER_IS_BETTER)
    return "Improving" if better else "Worsening"


_AGAINST = {
    # Slope above (faster) or below (slower) the peers' slopes, by the indicator's polarity.
    Polarity.HIGHER_IS_BETTER: {"faster": "better", "slower": "worse"},
    Polarity.LOWER_IS_BETTER: {"faster": "worse", "slower": "better"},
    Polarity.NEITHER: {"faster": "more upward", "slower": "more downward"},
}


def _trend_words(indicator: Indicator, trend: TrendFact | None) -> str:
    """The trend as a sentence: improving or worsening (by polarity) and by how much a year,
    in the indicator's unit; whether it is clear; how it stands against peers' trends."""
    if trend is None:
        return ""
    if trend.slope == 0:
        text = "Flat: no change a year"
    else:
        moving = "rising" if trend.slope > 0 else "falling"
        text = f"{moving} by {change_words(indicator, trend.slope)} a year"
        heading = _trend_heading(indicator, trend.slope)
        text = text[0].upper() + text[1:] if heading.lower() == moving else f"{heading}: {text}"
        text += " (a clear trend)" if trend.clear else " (could be chance)"
    if trend.since:
        text += f", since the series break in {trend.since}"
    if trend.against_peers == "in_line":
        text += "; in line with peers' trends"
    elif trend.against_peers:
        much, _, pace = trend.against_peers.rpartition("_")
        words = _AGAINST[indicator.polarity][pace]
        text += f"; {'much ' if much else ''}{words} than peers' trends"
    return text + "."


def _short(level: int, direction: int, indicator: Indicator) -> str:
    standing = Standing(
        indicator, None, None, None, None, False, level, direction, 0, 0,
        None, None, None, None, None,
    )  # fmt: skip
    if level == engine.NORM:
        return "the norm"
    return f"{LEVEL_WORDS[level].lower()} ({standing.judgement})"


def _robustness(
    indicator: Indicator,
    results: PeriodResults,
    viewer: admission.ViewerAdmission,
    chosen: GroupOption,
    row: int,
    column: int,
) -> str:
    """Does the answer depend on the peer group? One plain sentence (DESIGN.md, issue 4),
    over the standard groups admitted for this indicator only."""
    answers = []
    for option in viewer.groups:
        if option.key not in results.results or not viewer.admitted(option.key, indicator.id):
            continue
        result = results.results[option.key]
        level = int(result.level[row, column])
        if level < engine.NORM:
            continue
        answers.append((option, _short(level, int(result.direction[row, column]), indicator)))
    if len(answers) < 2:
        return ""
    mine = next((text for option, text in answers if option.key == chosen.key), None)
    if mine is None:
        return ""
    if all(text == mine for _, text in answers):
        return f"The same against every peer group ({len(answers)} compared)."
    others = [f"{text} against {option.label.lower()}" for option, text in answers if text != mine]
    return (
        f"{mine[0].upper() + mine[1:]} against {chosen.label.lower()}, but "
        + "; ".join(others)
        + "."
    )


def _interval(
    indicator: Indicator, numerator: float | None, denominator: float | None
) -> tuple[float, float] | None:
    """The 95% interval of the viewer's own figure, in the indicator's units."""
    if not indicator.has_counts or numerator is None or not denominator:
        return None
    if indicator.unit_kind is UnitKind.RATE:
        lower, upper = stats.rate_interval(
            numerator, denominator, confidence=0.95, multiplier=indicator.multiplier
        )
    else:
        lower, upper = stats.wilson_interval(numerator, denominator, confidence=0.95)
        lower, upper = lower * indicator.multiplier, upper * indicator.multiplier
    return float(lower), float(upper)
