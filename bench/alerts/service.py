"""Alerts: what users follow, and the periodic check that tells them what changed.

The check (:func:`run_alerts`, run by cron as ``flask alerts run``) compares what each
follower would see now with what it saw last time (``AlertState``): a newly released
period of a followed indicator, a change of the user's own classification band, a change
of a followed issue's prevalence label. The first sight of anything is only recorded, so
that following something never floods a user with old news. Every figure used comes from
the same pages the user may open (where we stand, norm or exception), so an alert can
tell nothing the user could not see.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from flask import current_app

from bench import audit, disclosure, mail, messages
from bench.access import Permission, has_permission
from bench.alerts import queries
from bench.compare import engine, norms
from bench.compare import service as compare
from bench.errors import InvalidInput, NotFound
from bench.extensions import db
from bench.kept import request_memo
from bench.models import AlertState, Follow, Notification, Period, User, utcnow

PAGE_SIZE = 50

# How a group reads in a sentence: "among your nearest neighbours".
GROUP_WORDS = {
    "neighbours": "your nearest neighbours",
    "computed": "your computed neighbours",
    "type": "councils of the same type",
    "region": "councils in your region",
    "all": "all councils",
}


def _own_user(user: User) -> int:
    """Alerts are about the user's own authority's data: SEE_OWN_DATA and an authority."""
    if not has_permission(user, Permission.SEE_OWN_DATA) or user.authority_id is None:
        raise NotFound("No authority")
    return user.id


# --- following ------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    indicator_id: int | None
    issue_type_id: int | None
    title: str


def _target(indicator_code: str, issue_type_code: str) -> Target:
    indicator_code, issue_type_code = indicator_code.strip(), issue_type_code.strip()
    if not indicator_code and not issue_type_code:
        raise InvalidInput(messages.FOLLOW_TARGET_REQUIRED, field="indicator")
    if indicator_code and issue_type_code:
        raise InvalidInput(messages.FOLLOW_ONE_TARGET, field="indicator")
    if indicator_code:
        indicator = queries.indicator_by_code(indicator_code)
        if indicator is None:
            raise InvalidInput(messages.FOLLOW_INDICATOR_UNKNOWN, field="indicator")
        return Target(indicator.id, None, indicator.title)
    issue_type = queries.approved_issue_type_by_code(issue_type_code)
    if issue_type is None:
        raise InvalidInput(messages.ISSUE_TYPE_UNKNOWN, field="issue_type")
    return Target(None, issue_type.id, issue_type.title)


def _details(target: Target) -> dict[str, int | None]:
    return {"indicator_id": target.indicator_id, "issue_type_id": target.issue_type_id}


def follow(user: User, indicator_code: str, issue_type_code: str) -> str:
    """Follow an indicator or an issue type (again is harmless); the title followed."""
    user_id = _own_user(user)
    target = _target(indicator_code, issue_type_code)
    if queries.follow_of(user_id, target.indicator_id, target.issue_type_id) is None:
        queries.add(
            Follow(
                user_id=user_id,
                indicator_id=target.indicator_id,
                issue_type_id=target.issue_type_id,
            )
        )
        audit.record(
            "alert_followed",
            actor=user,
            authority_id=user.authority_id,
            details={"old": None, "new": _details(target)},
        )
        db.session.commit()
    return target.title


def unfollow(user: User, indicator_code: str, issue_type_code: str) -> str:
    """Stop following; what the check remembered for it goes too."""
    user_id = _own_user(user)
    target = _target(indicator_code, issue_type_code)
    existing = queries.follow_of(user_id, target.indicator_id, target.issue_type_id)
    if existing is None:
        raise InvalidInput(messages.FOLLOW_NOT_FOLLOWING, field="indicator")
    queries.delete(existing)
    # Following again later starts afresh rather than comparing with stale news.
    prefix = (
        f"indicator:{target.indicator_id}:"
        if target.indicator_id is not None
        else f"issue:{target.issue_type_id}:"
    )
    queries.forget_states(user_id, prefix)
    audit.record(
        "alert_unfollowed",
        actor=user,
        authority_id=user.authority_id,
        details={"old": _details(target), "new": None},
    )
    db.session.commit()
    return target.title


@dataclass(frozen=True)
class Followed:
    indicators: frozenset[int]
    issue_types: frozenset[int]


def followed(user: User) -> Followed:
    """Ids the user follows, for the Follow / Unfollow buttons on other pages."""
    if not has_permission(user, Permission.SEE_OWN_DATA) or user.authority_id is None:
        return Followed(frozenset(), frozenset())
    rows = queries.followed_ids(user.id)
    return Followed(
        frozenset(i for i, _ in rows if i is not None),
        frozenset(t for _, t in rows if t is not None),
    )


# --- the notifications page ------------------------------------------------------


@dataclass(frozen=True)
class NotificationsPage:
    notifications: list[Notification]
    follows: list[Follow]
    page: int
    pages: int
    total: int


def notifications_page(user: User, page: int) -> NotificationsPage:
    """The user's own notifications, newest first, 50 a page, and what they follow."""
    user_id = _own_user(user)
    total = queries.notification_count(user_id)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    items = queries.notifications(user_id, (page - 1) * PAGE_SIZE, PAGE_SIZE)
    return NotificationsPage(items, queries.follows_of(user_id), page, pages, total)


def mark_all_read(user: User) -> int:
    user_id = _own_user(user)
    count = queries.mark_read(user_id, utcnow())
    db.session.commit()
    return count


def unread_count(user: User) -> int:
    """The header's "Notifications (n)": counted with the session the request came with
    (bench.auth.queries.live_session), or by one indexed count once the request has
    written anything (it may have marked some read) or came without a session."""
    if not has_permission(user, Permission.SEE_OWN_DATA) or user.authority_id is None:
        return 0
    counted = request_memo(queries.UNREAD).get(user.id)
    return counted if counted is not None else queries.unread_count(user.id)


# --- the check -------------------------------------------------------------------


@dataclass(frozen=True)
class Alert:
    kind: str
    subject: str
    body: str
    link: str


def _band(level: int, judgement: str) -> str | None:
    """A classification as a state value; None when there is nothing to classify."""
    if level == engine.NORM:
        return "norm"
    if level in (engine.POSSIBLE, engine.EXCEPTION):
        word = "possible" if level == engine.POSSIBLE else "exception"
        return f"{word}:{judgement}"
    return None


def _band_words(band: str) -> str:
    if band == "norm":
        return "the norm"
    level, judgement = band.split(":")
    words = "a possible exception" if level == "possible" else "an exception"
    return f"{words} ({judgement})"


def _group_words(key: str, label: str) -> str:
    return GROUP_WORDS.get(key, f"your peers ({label})")


def _path(endpoint: str, **values: str) -> str:
    """A link path for an alert; the check runs from cron, outside any request."""
    adapter = current_app.url_map.bind("localhost")
    return adapter.build(endpoint, values)


class _Releases:
    """Released periods and which indicators have figures from an authority's peers."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.periods = compare.released_periods(now)
        # period id -> (authority id -> row, indicator id -> column, has-figure matrix)
        self._figures: dict[int, tuple[dict[int, int], dict[int, int], np.ndarray]] = {}

    def newer_than(self, period_id: int) -> list[Period]:
        ids = [period.id for period in self.periods]
        if period_id not in ids:
            return self.periods[-1:] if self.periods else []
        return self.periods[ids.index(period_id) + 1 :]

    def peers_published(self, period: Period, indicator_id: int, authority_id: int) -> bool:
        """Whether at least k councils other than *authority_id* have a figure."""
        if period.id not in self._figures:
            results = compare.results_for(period, self.now)
            present = ~np.isnan(results.network.value)
            self._figures[period.id] = (results.row, results.column, present)
        row_of, column_of, present = self._figures[period.id]
        column = column_of.get(indicator_id)
        if column is None:
            return False
        has_figure = present[:, column].copy()
        if authority_id in row_of:
            has_figure[row_of[authority_id]] = False  # the user's own figure is no news
        # "Peers have published" is a statistic of the network too: said only when at
        # least k other councils have a figure (DESIGN.md, anonymity rule 3).
        return int(has_figure.sum()) >= disclosure.min_peers()


def _check_user(
    user: User,
    follows: list[Follow],
    releases: _Releases,
    seen: dict[str, str],
) -> tuple[list[Alert], dict[str, str]]:
    """What changed for one user since *seen*; returns alerts and the new state."""
    state: dict[str, str] = {}
    alerts: list[Alert] = []
    indicators = [f.indicator for f in follows if f.indicator is not None]
    issue_types = [f.issue_type for f in follows if f.issue_type is not None]
    authority_id = user.authority_id
    assert authority_id is not None

    # (a) a newly released period: peers' figures become visible only at release.
    if releases.periods:
        latest = releases.periods[-1]
        for indicator in indicators:
            key = f"indicator:{indicator.id}:release"
            state[key] = str(latest.id)
            if key not in seen:
                continue
            for period in releases.newer_than(int(seen[key])):
                if releases.peers_published(period, indicator.id, authority_id):
                    alerts.append(
                        Alert(
                            "release",
                            f"Peers have published {period.label} for {indicator.title}",
                            f"Figures for {period.label} are now visible: see where you "
                            f"stand on {indicator.title}.",
                            _path("compare.indicator_view", indicator_code=indicator.code),
                        )
                    )

    # (b) and (c) against the user's default group: the first admitted one. At most two
    # page computations per user, both from the network-wide cache: one to learn which
    # groups are admitted, one (where we stand, or norms which includes it) for that group.
    try:
        view = compare.viewing(user)
        standing_page = compare.where_we_stand(view, None, None)
        admitted = [option for option in standing_page.options if option.admitted]
        key = admitted[0].key if admitted else standing_page.group.key
        norm_page = None
        if issue_types:
            norm_page = norms.norm_or_exception(view, key, None)
            standing_page = norm_page.standing
        elif key != standing_page.group.key:
            standing_page = compare.where_we_stand(view, key, None)
    except NotFound:
        return alerts, {**seen, **state}
    group = standing_page.group
    among = _group_words(group.key, group.label)
    standings = {s.indicator.id: s for _, rows in standing_page.sections for s in rows}
    for indicator in indicators:
        standing = standings.get(indicator.id)
        if standing is None:
            continue
        band = _band(standing.level, standing.judgement)
        key = f"indicator:{indicator.id}:{group.key}"
        if band is None:
            continue
        state[key] = band
        if key in seen and seen[key] != band:
            alerts.append(
                Alert(
                    "band",
                    f"Your {indicator.title} is now {_band_words(band)} among {among} "
                    f"(was {_band_words(seen[key])})",
                    f"In {standing_page.period.label}, your figure for {indicator.title} is "
                    f"{_band_words(band)} among {among}; it was {_band_words(seen[key])}.",
                    _path("compare.indicator_view", indicator_code=indicator.code),
                )
            )
    if norm_page is not None:
        labels = {
            item.issue_type.id: item
            for item in norm_page.shared + norm_page.own + norm_page.elsewhere + norm_page.quiet
        }
        issue_group = norm_page.group
        issue_among = _group_words(issue_group.key, issue_group.label)
        for issue_type in issue_types:
            item = labels.get(issue_type.id)
            if item is None or not item.label:
                continue  # withheld: fewer than k peers answered
            key = f"issue:{issue_type.id}:{issue_group.key}"
            state[key] = item.label
            if key in seen and seen[key] != item.label:
                alerts.append(
                    Alert(
                        "prevalence",
                        f"{issue_type.title} is now {item.label} among {issue_among} "
                        f"(was {seen[key]})",
                        f"How many of {issue_among} report {issue_type.title} has changed: "
                        f"it is now {item.label} (was {seen[key]}).",
                        _path("compare.norms"),
                    )
                )
    return alerts, {**seen, **state}


def run_alerts(now: datetime) -> int:
    """Check every follower once; store and email each new notification. Returns the
    number of new notifications.

    Per user the work is bounded: one where-we-stand (or norms) call, whose figures come
    from the network-wide cache, plus the released periods' figures computed once for all.
    """
    by_user: dict[int, list[Follow]] = defaultdict(list)
    for item in queries.all_follows():
        by_user[item.user_id].append(item)
    users = queries.users(list(by_user))
    states = queries.states(list(by_user))
    seen_by_user: dict[int, dict[str, str]] = defaultdict(dict)
    for (state_user_id, key), state in states.items():
        seen_by_user[state_user_id][key] = state.value
    releases = _Releases(now)
    created = 0
    for user_id, follows in by_user.items():
        user = users[user_id]
        if not has_permission(user, Permission.SEE_OWN_DATA) or user.authority_id is None:
            continue
        alerts, new_state = _check_user(user, follows, releases, seen_by_user[user_id])
        for key, value in new_state.items():
            record = states.get((user_id, key))
            if record is None:
                queries.add(AlertState(user_id=user_id, key=key, value=value, updated_at=now))
            elif record.value != value:
                record.value, record.updated_at = value, now
        for alert in alerts:
            queries.add(
                Notification(
                    user_id=user_id,
                    kind=alert.kind,
                    subject=alert.subject,
                    body=alert.body,
                    link=alert.link,
                    created_at=now,
                )
            )
            created += 1
    db.session.commit()
    _email_unsent(now)
    return created


def _email_unsent(now: datetime) -> None:
    """Email each notification once: marked as emailed right after it is sent, so a
    failed send is retried on the next run and a sent one never again."""
    for notification, email in queries.unsent():
        mail.send(
            mail.Message(
                to=email,
                subject=f"bench: {notification.subject}",
                body=(
                    f"{notification.body}\n\nSee it in bench: "
                    f"{current_app.config['BASE_URL'].rstrip('/')}{notification.link}\n\n"
                    + messages.EMAIL_FOOTERS.get(
                        notification.kind,
                        "You receive this because you follow it in bench. "
                        "Unfollow on the Notifications page.",
                    )
                ),
            )
        )
        notification.emailed_at = now
        db.session.commit()
