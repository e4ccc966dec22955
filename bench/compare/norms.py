"""Norm or exception? The problems an authority shares with most peers, and its own.

Two kinds of evidence: known-issue flags (prevalence among the peers that answered) and
figures (how many peers are, like the viewer, significantly worse than the England
value). Counts of peers carry cell-key noise (DESIGN.md, Anonymity 10); the viewer's own
answers and figures are exact.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import cache

import numpy as np

from bench import disclosure, stats
from bench.compare import engine, queries
from bench.compare import groups as group_kinds
from bench.compare.service import (
    GroupOption,
    Standing,
    StandingPage,
    Viewing,
    where_we_stand,
    withheld_words,
)
from bench.kept import KeptItems
from bench.models import IssueType, Polarity


def noisy(members: frozenset[int] | set[int]) -> int:
    """The number of *members*, with the noise the same set always gets."""
    return disclosure.perturbed_peer_count(len(members), members) if members else 0


@dataclass(frozen=True)
class Evidence:
    """How many peers share the viewer's standing on one linked indicator."""

    indicator_title: str
    worse: int  # peers significantly worse than the England value (noised)
    of: int  # peers with a figure (noised)
    viewer_worse: bool
    indicator_code: str = ""  # for the link to the indicator's page


@dataclass(frozen=True)
class IssueStanding:
    issue_type: IssueType
    viewer_answer: str  # "reported", "not_an_issue" or "" (not answered)
    viewer_status: str | None
    reporting: int | None  # noised; None when withheld
    answering: int | None
    proportion: float | None
    lower: float | None
    upper: float | None
    label: str
    resolved_open_to_contact: int | None
    shared_tried: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    withheld: str | None = None

    @property
    def viewer_reports(self) -> bool:
        return self.viewer_answer == "reported" and self.viewer_status != "resolved"


@dataclass(frozen=True)
class NormPage:
    standing: StandingPage
    group: GroupOption
    shared: list[IssueStanding]  # the viewer reports it, and so do most or many peers
    own: list[IssueStanding]  # the viewer reports it; few or no peers do
    elsewhere: list[IssueStanding]  # common among peers, not reported by the viewer
    quiet: list[IssueStanding]  # the rest
    figures_shared: list[tuple[Standing, Evidence]]
    figures_own: list[Standing]


def _worse_than_england(result: engine.KindResult, polarity: Polarity) -> np.ndarray:
    """(A, I) cells significantly worse than the England value (the 'all' group)."""
    if polarity is Polarity.NEITHER:
        return np.zeros(result.level.shape, dtype=bool)
    sign = 1 if polarity is Polarity.HIGHER_IS_BETTER else -1
    return (result.level >= engine.POSSIBLE) & (result.direction == -sign)


# Norm or exception? pages, built: kept under their Where we stand page's key, which holds
# everything they are built from (the data version counts the known issues too).
PAGES = KeptItems(size=256)


def norm_or_exception(
    view: Viewing,
    group_key: str | None,
    period_code: str | None,
    *,
    standing: StandingPage | None = None,
) -> NormPage:
    """Norm or exception? against one group; *standing*: that group's Where we stand page
    (with custom groups), when the caller has it already."""
    page = standing or where_we_stand(view, group_key, period_code, custom=True)
    if page.cache_key is None:
        return _norm_or_exception(view, page)
    built = PAGES.get(page.cache_key)
    if built is None:
        built = _norm_or_exception(view, page)
        PAGES.put(page.cache_key, built)
    return replace(built, standing=page)


def _norm_or_exception(view: Viewing, page: StandingPage) -> NormPage:
    authority_id = view.authority_id
    option = page.group
    results = page.results
    k = disclosure.min_peers()
    peers = option.peers if option.admitted else frozenset()
    indicators = {s.indicator.id: s for _, rows in page.sections for s in rows}
    england = results.results.get(group_kinds.ALL)
    viewer = page.admission
    row_of = results.row
    links: dict[int, list[int]] = defaultdict(list)
    for issue_type_id, indicator_id in queries.issue_indicator_links():
        links[issue_type_id].append(indicator_id)

    @cache  # an indicator linked to several issue types is counted once
    def evidence_for(indicator_id: int) -> Evidence | None:
        standing = indicators.get(indicator_id)
        if england is None or standing is None or not peers:
            return None
        # Counts over the chosen group's figures: only where it is admitted (Anonymity 9).
        if not viewer.admitted(option.key, indicator_id):
            return None
        column = results.column[indicator_id]
        worse = _worse_than_england(england, standing.indicator.polarity)[:, column]
        present = ~np.isnan(results.network.value[:, column])
        with_figure = {p for p in peers if present[row_of[p]]}
        if len(with_figure) < k:
            return None
        worse_peers = {p for p in with_figure if worse[row_of[p]]}
        return Evidence(
            standing.indicator.title,
            noisy(worse_peers),
            noisy(with_figure),
            bool(worse[row_of[authority_id]]),
            standing.indicator.code,
        )

    answers: dict[int, dict[int, tuple]] = defaultdict(dict)
    for flag in queries.flags():
        answers[flag[1]][flag[0]] = flag
    issue_standings = []
    for issue_type in queries.issue_types():
        by_authority = answers.get(issue_type.id, {})
        mine = by_authority.get(authority_id)
        peer_flags = {a: f for a, f in by_authority.items() if a in peers}
        answering = set(peer_flags)
        reporting = {a for a, f in peer_flags.items() if f[2] == "reported" and f[3] != "resolved"}
        contact = {a for a, f in peer_flags.items() if f[3] == "resolved" and f[4]}
        viewer_answer = mine[2] if mine else ""
        viewer_status = mine[3] if mine else None
        viewer_reports = viewer_answer == "reported" and viewer_status != "resolved"
        evidence = [e for e in map(evidence_for, links.get(issue_type.id, [])) if e]
        admitted = viewer.issue_admitted(option.key, issue_type.id)
        if len(answering) < k or not admitted:
            reason = (
                option.reason
                if not option.admitted
                else withheld_words(viewer, option.key, page.period, issue_type_id=issue_type.id)
                or f"fewer than {k} peers have answered about this issue"
            )
            issue_standings.append(
                IssueStanding(
                    issue_type, viewer_answer, viewer_status, None, None, None, None, None,
                    "", None, evidence=evidence, withheld=reason,
                )
            )  # fmt: skip
            continue
        answered = noisy(answering)
        # Each set gets its own noise; a part never shows as more than its whole.
        reported = min(noisy(reporting), answered)
        figures = stats.prevalence(reported, answered, viewer_reports=viewer_reports)
        shared = sorted(
            f[6] for f in peer_flags.values() if f[5] and f[6].strip() and f[2] == "reported"
        )
        issue_standings.append(
            IssueStanding(
                issue_type,
                viewer_answer,
                viewer_status,
                reported,
                answered,
                float(figures.proportion),
                float(figures.lower),
                float(figures.upper),
                str(figures.label),
                noisy(contact),
                shared_tried=shared,
                evidence=evidence,
            )
        )
    shared_labels = {"the norm", "common"}
    shared = [s for s in issue_standings if s.viewer_reports and s.label in shared_labels]
    own = [s for s in issue_standings if s.viewer_reports and s not in shared]
    elsewhere = [s for s in issue_standings if not s.viewer_reports and s.label == "the norm"]
    quiet = [s for s in issue_standings if s not in shared + own + elsewhere]

    figures_shared, figures_own = [], []
    for standing in indicators.values():
        if standing.level in (engine.POSSIBLE, engine.EXCEPTION) and standing.judgement == "worse":
            figures_own.append(standing)
        item = evidence_for(standing.indicator.id)
        if item and item.viewer_worse and item.of and item.worse * 2 >= item.of:
            figures_shared.append((standing, item))
    return NormPage(page, option, shared, own, elsewhere, quiet, figures_shared, figures_own)
