"""Full-network classification and "Where we stand" at national scale (PERFORMANCE.md).

400 authorities, 100 indicators (60 with numerators and denominators, 40 values only),
12 periods, 15-neighbour groups. The engine is reported as medians beside baselines
measured in the same run: the same-work whole-network numpy classification of
benchmarks/anchor.py (the yardstick of the goal: within 3x per kind), a bare numpy pass
that does less (group medians and robust z only), and a loop per authority calling
scipy.stats per value (timed on a sample, scaled to the network).
"""

from __future__ import annotations

import time
import warnings
from datetime import UTC, date, datetime

import numpy as np
from scipy import stats as scipy_stats

from bench import stats
from bench.compare import engine
from benchmarks import anchor
from benchmarks.common import database, median, timed

AUTHORITIES = 400
INDICATORS = 100
COUNTED = 60
PERIODS = 12
NEIGHBOURS = 15
REGIONS = 9
TYPES = 4


PROPORTIONS = 36  # of the COUNTED indicators; the rest are rates per 1,000
RATE_MULTIPLIER = 1000.0


def national_network(seed: int = 1) -> tuple[engine.Network, dict[str, object]]:
    """One period of a national network: 36 proportions and 24 rates (some with fewer than
    10 events, so the exact Poisson limits run) whose councils differ by more than chance
    (over-dispersion, so some funnels are widened), 40 values only; 3% of figures missing."""
    rng = np.random.default_rng(seed)
    denominator = rng.integers(500, 50_000, size=(AUTHORITIES, INDICATORS)).astype(float)
    rates = rng.uniform(0.05, 0.6, size=INDICATORS)
    counts = np.arange(INDICATORS) < COUNTED
    rate = counts & (np.arange(INDICATORS) >= PROPORTIONS)
    spread = rng.uniform(0.0, 0.15, size=INDICATORS) * rng.normal(size=(AUTHORITIES, INDICATORS))
    share = np.clip(rates * np.exp(spread), 0, 1)
    numerator = rng.binomial(denominator.astype(int), share).astype(float)
    per_person = rng.uniform(2e-4, 5e-3, size=INDICATORS) * np.exp(spread)
    events = rng.poisson(denominator * per_person).astype(float)
    numerator = np.where(rate, events, numerator)
    multiplier = np.where(rate, RATE_MULTIPLIER, 100.0)
    value = np.where(
        counts,
        numerator / denominator * multiplier,
        rng.normal(50, 10, (AUTHORITIES, INDICATORS)),
    )
    numerator[:, ~counts] = np.nan
    denominator[:, ~counts] = np.nan
    gaps = rng.random(value.shape) < 0.03
    for array in (value, numerator, denominator):
        array[gaps] = np.nan
    network = engine.Network(
        authority_ids=np.arange(AUTHORITIES),
        indicator_ids=np.arange(INDICATORS),
        counts=counts,
        rate=rate,
        multiplier=multiplier,
        value=value,
        numerator=numerator,
        denominator=denominator,
    )
    neighbours = np.array(
        [
            rng.choice(np.delete(np.arange(AUTHORITIES), a), NEIGHBOURS, replace=False)
            for a in range(AUTHORITIES)
        ]
    )
    kinds = {
        "all": engine.Partition(np.zeros(AUTHORITIES, dtype=int)),
        "type": engine.Partition(rng.integers(0, TYPES, AUTHORITIES)),
        "region": engine.Partition(rng.integers(0, REGIONS, AUTHORITIES)),
        "neighbours": engine.Lists(neighbours),
    }
    return network, kinds


def national_polarity(seed: int = 3) -> np.ndarray:
    """Each indicator's polarity: +1 higher is better, -1 lower is better, 0 neither."""
    return np.random.default_rng(seed).choice([1, -1, 0], size=INDICATORS, p=[0.45, 0.4, 0.15])


def national_cube(network: engine.Network, seed: int = 5) -> np.ndarray:
    """Twelve periods of every authority's figures (P, A, I) for the trends: the period's
    values with a trend of each series' own, noise, rounding (so ties occur) and gaps."""
    rng = np.random.default_rng(seed)
    drift = rng.normal(0, 0.03, network.value.shape)
    steps = np.arange(PERIODS)[:, None, None] - (PERIODS - 1)
    noise = rng.normal(0, 0.05, (PERIODS, *network.value.shape))
    cube = np.round(network.value * (1 + drift * steps + noise), 1)
    cube[rng.random(cube.shape) < 0.03] = np.nan
    return cube


def _bare_baseline(network: engine.Network, labels: np.ndarray) -> np.ndarray:
    """Less work than the engine: per-group medians and MADs, robust z for every cell."""
    z = np.empty_like(network.value)
    for label in np.unique(labels):
        rows = labels == label
        block = network.value[rows]
        med = np.nanmedian(block, axis=0)
        mad = np.nanmedian(np.abs(block - med), axis=0)
        z[rows] = (block - med) / (1.4826 * mad)
    return z


def _loop_per_authority(network: engine.Network, labels: np.ndarray, sample: int) -> float:
    """Seconds for the whole network, classifying one value at a time with scipy.stats."""
    start = time.perf_counter()
    for a in range(sample):
        peers = labels == labels[a]
        for i in range(INDICATORS):
            if network.counts[i]:
                num, den = network.numerator[peers, i], network.denominator[peers, i]
                ok = ~np.isnan(num)
                target = num[ok].sum() / den[ok].sum()
                if not np.isnan(network.numerator[a, i]):
                    scipy_stats.binomtest(
                        int(network.numerator[a, i]), int(network.denominator[a, i]), min(target, 1)
                    )
            else:
                column = network.value[peers, i]
                column = column[~np.isnan(column)]
                scipy_stats.median_abs_deviation(column, scale="normal")
    return (time.perf_counter() - start) * AUTHORITIES / sample


def engine_codes(
    network: engine.Network, groups: engine.Partition | engine.Lists, polarity: np.ndarray, k: int
) -> tuple[np.ndarray, engine.KindResult]:
    """The engine's classification as the anchor's codes (-2..2 polarity applied, 8, 9)."""
    result = engine.classify(network, groups, k)
    code = result.level * result.direction * np.where(polarity == 0, 1, polarity)
    code = np.where(result.level == engine.NO_FIGURE, anchor.NO_VALUE, code)
    code = np.where(result.level == engine.TOO_FEW_PEERS, anchor.TOO_FEW, code)
    return code, result


ENGINE_RUNS = 9  # at least this many timed runs per figure, however few --repeats asks


def _side_by_side(ours, theirs, runs: int) -> tuple[float, float]:
    """Median seconds of *ours* and *theirs*, run in turn (so load hits both alike),
    after one untimed warm-up each."""
    ours(), theirs()
    mine, yardstick = [], []
    for _ in range(runs):
        mine.append(timed(ours))
        yardstick.append(timed(theirs))
    return median(mine), median(yardstick)


def _anchor_recompute(network, kinds, polarity, times, cube) -> None:  # noqa: ANN001
    """What a publish makes the anchor redo: every kind, the trends, and each slope's
    robust z within each kind's groups."""
    for groups in kinds.values():
        anchor.classify(network, groups, polarity, 5)
    slope, _ = anchor.trends(times, cube)
    indicators = slope.shape[1]
    slopes = engine.Network(
        authority_ids=network.authority_ids,
        indicator_ids=network.indicator_ids,
        counts=np.zeros(indicators, dtype=bool),
        rate=np.zeros(indicators, dtype=bool),
        multiplier=np.ones(indicators),
        value=slope,
        numerator=np.full(slope.shape, np.nan),
        denominator=np.full(slope.shape, np.nan),
    )
    for groups in kinds.values():
        anchor.classify(slopes, groups, polarity, 5)


def run_engine(repeats: int) -> dict[str, float]:
    """The engine beside the same-work numpy anchor (benchmarks/anchor.py), per kind.

    ``classify_KIND_ms`` the engine (codes included), ``anchor_KIND_ms`` the anchor, and
    ``ratio_KIND`` the first over the second, medians of interleaved runs in this process.
    ``codes_differ_KIND`` counts cells whose codes differ; ``codes_differ_unwidened_KIND``
    those where the engine did not widen an over-dispersed funnel (the anchor never does):
    0 says both did the same classification. ``bare_median_mad_type_ms`` is the old
    baseline, which does less work (group medians and robust z only).
    """
    runs = max(repeats, ENGINE_RUNS)
    network, kinds = national_network()
    polarity = national_polarity()
    figures: dict[str, float] = {"runs": runs}
    for key, groups in kinds.items():
        ours, theirs = _side_by_side(
            lambda g=groups: engine_codes(network, g, polarity, 5),
            lambda g=groups: anchor.classify(network, g, polarity, 5),
            runs,
        )
        figures[f"classify_{key}_ms"] = 1000 * ours
        figures[f"anchor_{key}_ms"] = 1000 * theirs
        figures[f"ratio_{key}"] = ours / theirs
        codes, result = engine_codes(network, groups, polarity, 5)
        differ = codes != anchor.classify(network, groups, polarity, 5)
        widened = result.method == engine.METHOD_FUNNEL_ADJUSTED
        figures[f"codes_differ_{key}"] = int(differ.sum())
        figures[f"codes_differ_unwidened_{key}"] = int((differ & ~widened).sum())
    ours, theirs = _side_by_side(
        lambda: [engine_codes(network, g, polarity, 5) for g in kinds.values()],
        lambda: [anchor.classify(network, g, polarity, 5) for g in kinds.values()],
        runs,
    )
    figures["classify_all_kinds_ms"] = 1000 * ours
    figures["anchor_all_kinds_ms"] = 1000 * theirs
    figures["ratio_all_kinds"] = ours / theirs
    cube = national_cube(network)
    times = np.arange(PERIODS, dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", stats.StatsWarning)
        ours, theirs = _side_by_side(
            lambda: stats.trend(times, np.moveaxis(cube, 0, -1).reshape(-1, PERIODS)),
            lambda: anchor.trends(times, cube),
            runs,
        )
        figures["trends_ms"] = 1000 * ours
        figures["anchor_trends_ms"] = 1000 * theirs
        figures["ratio_trends"] = ours / theirs
        ours, theirs = _side_by_side(
            lambda: (
                [engine.classify(network, g, 5) for g in kinds.values()],
                engine.trends(times, cube, kinds, 5),
            ),
            lambda: _anchor_recompute(network, kinds, polarity, times, cube),
            runs,
        )
        figures["recompute_all_kinds_and_trends_ms"] = 1000 * ours
        figures["anchor_recompute_ms"] = 1000 * theirs
        figures["ratio_recompute"] = ours / theirs
    labels = kinds["type"].labels
    figures["bare_median_mad_type_ms"] = 1000 * median(
        [timed(lambda: _bare_baseline(network, labels)) for _ in range(runs)]
    )
    figures["loop_per_authority_s"] = _loop_per_authority(network, labels, sample=10)
    figures["speedup_over_loop"] = (
        figures["loop_per_authority_s"] * 1000 / figures["classify_type_ms"]
    )
    return figures


def _load_national(seed: int = 2) -> int:
    """A national-scale network in the database; returns an analyst's user id."""
    from sqlalchemy import insert

    from bench.extensions import db
    from bench.models import (
        Authority,
        Indicator,
        PeerGroup,
        PeerGroupMember,
        Period,
        Role,
        User,
    )  # fmt: skip
    from bench.publishing.queries import insert_values

    rng = np.random.default_rng(seed)
    now = datetime.now(UTC)
    db.session.execute(
        insert(Authority),
        [
            {"gss_code": f"E99{n:06d}", "name": f"Council {n}",
             "type": ["county", "unitary", "metropolitan_district", "london_borough"][n % TYPES],
             "region": f"Region {n % REGIONS}"}
            for n in range(AUTHORITIES)
        ],
    )  # fmt: skip
    db.session.execute(
        insert(Indicator),
        [
            {"code": f"N{i:03d}", "title": f"Indicator {i}", "key_area": "national_framework",
             "unit_kind": "proportion" if i < COUNTED else "score",
             "multiplier": 100 if i < COUNTED else 1, "polarity": "higher_is_better",
             "has_counts": i < COUNTED, "definition": "", "source": "", "unit_label": "",
             "is_public": False, "is_synthetic": True, "decimals": 1, "created_at": now}
            for i in range(INDICATORS)
        ],
    )  # fmt: skip
    db.session.execute(
        insert(Period),
        [
            {"code": _year(p), "label": _year(p),
             "kind": "financial_year", "starts_on": date(2010 + p, 4, 1),
             "ends_on": date(2011 + p, 3, 31), "released_at": datetime(2011 + p, 12, 1, tzinfo=UTC)}
            for p in range(PERIODS)
        ],
    )  # fmt: skip
    authority_ids = [a for (a,) in db.session.execute(select_ids(Authority))]
    indicator_ids = [i for (i,) in db.session.execute(select_ids(Indicator))]
    period_ids = [p for (p,) in db.session.execute(select_ids(Period))]
    rows = []
    for p in period_ids:
        den = rng.integers(500, 50_000, size=(AUTHORITIES, INDICATORS))
        num = rng.binomial(den, rng.uniform(0.05, 0.6, INDICATORS))
        other = rng.normal(50, 10, (AUTHORITIES, INDICATORS))
        for a_index, a in enumerate(authority_ids):
            for i_index, i in enumerate(indicator_ids):
                counted = i_index < COUNTED
                rows.append({
                    "authority_id": a, "indicator_id": i,
                    "unit_kind": "proportion" if counted else "score", "period_id": p,
                    "revision": 1, "is_latest": True,
                    "numerator": float(num[a_index, i_index]) if counted else None,
                    "denominator": float(den[a_index, i_index]) if counted else None,
                    "value": float(num[a_index, i_index] / den[a_index, i_index] * 100)
                    if counted else float(other[a_index, i_index]),
                    "status": "final", "note": "", "source": "bench", "published_at": now,
                    "visible_from": None,
                })  # fmt: skip
    insert_values(rows)
    for a_index, a in enumerate(authority_ids):
        group = PeerGroup(kind="published_neighbours", authority_id=a, version=1, source="bench")
        db.session.add(group)
        db.session.flush()
        chosen = rng.choice(np.delete(np.arange(AUTHORITIES), a_index), NEIGHBOURS, replace=False)
        db.session.execute(
            insert(PeerGroupMember),
            [{"peer_group_id": group.id, "authority_id": authority_ids[c]} for c in chosen],
        )
    user = User(email="bench@example.gov.uk", name="Bench", password_hash="x",
                role=Role.ANALYST, authority_id=authority_ids[0])  # fmt: skip
    db.session.add(user)
    db.session.commit()
    return user.id


def _year(offset: int) -> str:
    return f"{2010 + offset}-{(11 + offset) % 100:02d}"


def select_ids(model):  # noqa: ANN001, ANN201
    from sqlalchemy import select

    return select(model.id).order_by(model.id)


def run_where_we_stand(backend: str, repeats: int) -> dict[str, float]:
    """Server time of the page for one user: cold (empty cache) and warm, per group kind."""
    from bench.compare import service
    from bench.extensions import db
    from bench.models import User

    with database(backend) as app:
        user_id = _load_national()
        user = db.session.get(User, user_id)
        figures: dict[str, float] = {}
        cold = []
        for _ in range(repeats):
            service.CACHE.clear()
            db.session.expire_all()
            cold.append(
                timed(lambda: service.where_we_stand(service.viewing(user), "neighbours", None))
            )
        figures["cold_ms"] = 1000 * median(cold)
        for kind in ("neighbours", "type", "region", "all"):
            warm = [
                timed(lambda k=kind: service.where_we_stand(service.viewing(user), k, None))
                for _ in range(20)
            ]
            figures[f"warm_{kind}_p95_ms"] = 1000 * float(np.percentile(warm, 95))
        # The whole page through Flask (template included), warm.
        client = app.test_client()
        with client.session_transaction() as session_state:
            session_state["_user_id"] = _session_token(user)
        pages = [timed(lambda: client.get("/compare/")) for _ in range(20)]
        figures["warm_page_p95_ms"] = 1000 * float(np.percentile(pages, 95))
        assert client.get("/compare/").status_code == 200
        return figures


def _session_token(user) -> str:  # noqa: ANN001
    from datetime import timedelta

    from bench import security
    from bench.auth import queries as auth_queries
    from bench.extensions import db

    token = security.new_token()
    now = datetime.now(UTC)
    auth_queries.add_session(user, security.token_hash(token), now, now + timedelta(hours=1))
    db.session.commit()
    return token


def run_atoms(repeats: int) -> dict[str, float]:
    """Anonymity 9 at national scale: every authority's groups admitted for every
    indicator of 12 periods and every issue type, in one pass, beside the engine's own
    recompute of the same 12 periods (every kind) measured in the same run."""
    from bench.compare import admission
    from bench.compare.groups import Kind, NetworkGroups
    from bench.disclosure import CandidateGroup

    network, kinds = national_network()
    rng = np.random.default_rng(4)
    computed = np.array(
        [
            rng.choice(np.delete(np.arange(AUTHORITIES), a), NEIGHBOURS, replace=False)
            for a in range(AUTHORITIES)
        ]
    )
    standard = {
        "neighbours": kinds["neighbours"],
        "computed": engine.Lists(computed),
        "type": kinds["type"],
        "region": kinds["region"],
        "all": kinds["all"],
    }
    groups = NetworkGroups(
        np.arange(AUTHORITIES), [Kind(key, key, key) for key in standard], standard
    )
    # A quarter of the authorities saved two custom groups of 20 each.
    customs = {
        int(a): [
            CandidateGroup(
                f"custom-{a}-{n}",
                "custom",
                frozenset(rng.choice(AUTHORITIES, 20).tolist()) - {int(a)},
            )
            for n in range(2)
        ]
        for a in rng.choice(AUTHORITIES, AUTHORITIES // 4, replace=False)
    }
    contributors = rng.random((AUTHORITIES, PERIODS * INDICATORS)) > 0.03
    answered = rng.random((AUTHORITIES, 40)) < 0.65
    columns = {(p, i): p * INDICATORS + i for p in range(PERIODS) for i in range(INDICATORS)}
    issues = {j: j for j in range(40)}

    def admit() -> admission.NetworkAdmission:
        return admission.admit_all(groups, customs, contributors, answered, columns, issues, 5)

    figures = {
        "admit_all_viewers_12_periods_ms": 1000 * median([timed(admit) for _ in range(repeats)])
    }
    figures["engine_12_periods_all_kinds_ms"] = 1000 * median(
        [
            timed(
                lambda: [
                    engine.classify(network, g, 5)
                    for _ in range(PERIODS)
                    for g in standard.values()
                ]
            )
            for _ in range(repeats)
        ]
    )
    figures["ratio_to_engine"] = (
        figures["admit_all_viewers_12_periods_ms"] / figures["engine_12_periods_all_kinds_ms"]
    )
    result = admit()
    shown = [result.viewer(a, p).shown() / INDICATORS for a in range(AUTHORITIES) for p in (0, 11)]
    figures["groups_shown_per_indicator"] = float(np.mean(shown))
    figures["groups_per_viewer"] = float(
        len(standard) + np.mean([len(c) for c in customs.values()]) / 4
    )
    return figures
