"""What the anonymity rules cost on the demo network: for every current council, how many
of its peer groups show peers' figures, per indicator and released period, on average.

``python -m benchmarks.groups_kept`` seeds the demo network into a throw-away SQLite
database and reads Where we stand for every council, group and period, as a user would
(the standard groups; custom groups are each authority's own choice). It prints the
mean, the distribution and the councils that keep fewest.
"""

from __future__ import annotations

import statistics
import tempfile
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from bench import create_app
from bench.compare import service
from bench.extensions import db
from bench.models import Authority, Role, User

PASSWORD = "bench-demo-password"  # noqa: S105 - the documented demo password


def measure() -> dict[str, object]:
    from flask_migrate import upgrade

    from seed.demo import load_demo

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        app = create_app("test", DATABASE_URL=url, DEMO_PASSWORD=PASSWORD)
        with app.app_context():
            upgrade()
            load_demo(PASSWORD)
            return _kept()


def _kept() -> dict[str, object]:
    councils = db.session.scalars(
        select(Authority).where(Authority.ended_on.is_(None)).order_by(Authority.name)
    ).all()
    periods = service.released_periods(service.utcnow())
    per_council: dict[str, float] = {}
    for council in councils:
        user = db.session.scalars(
            select(User).where(User.authority_id == council.id, User.role == Role.STAFF)
        ).first()
        shown = cells = 0
        for period in periods:
            page = service.where_we_stand(service.viewing(user), None, period.code)
            keys = [option.key for option in page.options if not option.key.startswith("custom")]
            for key in keys:
                standing = service.where_we_stand(service.viewing(user), key, period.code)
                for _, rows in standing.sections:
                    for row in rows:
                        shown += row.median is not None
            cells += len(page.sections and [r for _, rows in page.sections for r in rows])
        per_council[council.name] = shown / cells if cells else 0.0
    values = sorted(per_council.values())
    return {
        "councils": len(values),
        "mean_groups_shown": statistics.mean(values),
        "median_groups_shown": statistics.median(values),
        "min_groups_shown": values[0],
        "distribution": dict(sorted(Counter(round(v, 1) for v in values).items())),
        "fewest": sorted(per_council.items(), key=lambda item: item[1])[:5],
    }


if __name__ == "__main__":
    for key, value in measure().items():
        print(f"{key}: {value}")
