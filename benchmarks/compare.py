"""Full-network classification and "Where we stand" at national scale (PERFORMANCE.md).

400 authorities, 100 indicators (60 with numerators and denominators, 40 values only),
12 periods, 15-neighbour groups. Reported as medians beside two baselines measured in the
same run: a bare whole-network numpy pass (group medians and robust z), and a loop per
authority calling scipy.stats per value (timed on a sample, scaled to the network).
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

import numpy as np
from scipy import stats as scipy_stats

from bench.compare import engine
from benchmarks.common import database, median, timed

AUTHORITIES = 400
INDICATORS = 100
COUNTED = 60
PERIODS = 12
NEIGHBOURS = 15
REGIONS = 9
TYPES = 4


def national_network(seed: int = 1) -> tuple[engine.Network, dict[str, object]]:
    rng = np.random.default_rng(seed)
    denominator = rng.integers(500, 50_000, size=(AUTHORITIES, INDICATORS)).astype(float)
    rates = rng.uniform(0.05, 0.6, size=INDICATORS)
    numerator = rng.binomial(denominator.astype(int), rates).astype(float)
    counts = np.arange(INDICATORS) < COUNTED
    value = np.where(
        counts, numerator / denominator * 100, rng.normal(50, 10, (AUTHORITIES, INDICATORS))
    )
    numerator[:, ~counts] = np.nan
    denominator[:, ~counts] = np.nan
    value[rng.random(value.shape) < 0.03] = np.nan  # gaps
    network = engine.Network(
        authority_ids=np.arange(AUTHORITIES),
        indicator_ids=np.arange(INDICATORS),
        counts=counts,
        rate=np.zeros(INDICATORS, dtype=bool),
        multiplier=np.full(INDICATORS, 100.0),
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


def _numpy_baseline(network: engine.Network, labels: np.ndarray) -> np.ndarray:
    """The bare minimum: per-group medians and MADs, robust z for every cell."""
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
                        int(network.numerator[a, i]), int(network.denominator[a, i]), target
                    )
            else:
                column = network.value[peers, i]
                column = column[~np.isnan(column)]
                scipy_stats.median_abs_deviation(column, scale="normal")
    return (time.perf_counter() - start) * AUTHORITIES / sample


def run_engine(repeats: int) -> dict[str, float]:
    network, kinds = national_network()
    figures: dict[str, float] = {}
    for key, groups in kinds.items():
        figures[f"classify_{key}_ms"] = 1000 * median(
            [timed(lambda g=groups: engine.classify(network, g, 5)) for _ in range(repeats)]
        )
    figures["classify_all_kinds_ms"] = 1000 * median(
        [
            timed(lambda: [engine.classify(network, g, 5) for g in kinds.values()])
            for _ in range(repeats)
        ]
    )
    labels = kinds["type"].labels
    figures["numpy_baseline_ms"] = 1000 * median(
        [timed(lambda: _numpy_baseline(network, labels)) for _ in range(repeats)]
    )
    figures["loop_per_authority_s"] = _loop_per_authority(network, labels, sample=10)
    figures["ratio_to_numpy"] = figures["classify_type_ms"] / figures["numpy_baseline_ms"]
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
