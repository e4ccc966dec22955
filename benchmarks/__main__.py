"""Run bench's benchmarks: ``python -m benchmarks [--repeats N] [--only NAME]``."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from benchmarks import compare, exports, publishing

SUITES = {
    "publishing": publishing.run,
    "publishing_10k": publishing.run_small,
    "where_we_stand": compare.run_where_we_stand,
    "exports_network": exports.run_network_export,
}
# Pure computations: no database, run once.
PURE = {
    "engine": compare.run_engine,
    "atoms": compare.run_atoms,
    "exports_csv": exports.run,
}


def _isolated(name: str, backend: str, repeats: int) -> dict[str, float]:
    """Run one suite in its own process, so its peak memory is its own."""
    code = (
        "import json, sys; from benchmarks.__main__ import SUITES; "
        f"print('RESULT ' + json.dumps(SUITES[{name!r}]({backend!r}, {repeats})))"
    )
    output = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def _engine_table(figures: dict[str, float]) -> None:
    """The engine beside the same-work numpy anchor, one line per peer-group kind."""
    print(
        f"engine, median of {figures['runs']:.0f} interleaved runs; anchor = whole-network "
        "numpy doing the same work (benchmarks/anchor.py); goal: ratio <= 3"
    )
    print(f"  {'kind':<12}{'engine':>10}{'anchor':>10}{'ratio':>8}  codes differ (unwidened)")
    for kind in ("all", "type", "region", "neighbours"):
        print(
            f"  {kind:<12}{figures[f'classify_{kind}_ms']:>7.1f} ms"
            f"{figures[f'anchor_{kind}_ms']:>7.1f} ms{figures[f'ratio_{kind}']:>7.1f}x"
            f"  {figures[f'codes_differ_{kind}']:.0f}"
            f" ({figures[f'codes_differ_unwidened_{kind}']:.0f})"
        )
    print(
        f"  {'all kinds':<12}{figures['classify_all_kinds_ms']:>7.1f} ms"
        f"{figures['anchor_all_kinds_ms']:>7.1f} ms{figures['ratio_all_kinds']:>7.1f}x"
    )
    print(
        f"  {'trends':<12}{figures['trends_ms']:>7.1f} ms{figures['anchor_trends_ms']:>7.1f} ms"
        f"{figures['ratio_trends']:>7.1f}x  (40,000 series, 12 periods)"
    )
    print(
        f"  {'recompute':<12}{figures['recompute_all_kinds_and_trends_ms']:>7.1f} ms"
        f"{figures['anchor_recompute_ms']:>7.1f} ms{figures['ratio_recompute']:>7.1f}x"
        "  (every kind + trends + trend vs peers; goal < 150 ms on a quiet machine)"
    )
    print(
        f"  bare median/MAD pass, same type (does less work): "
        f"{figures['bare_median_mad_type_ms']:.1f} ms; loop per authority with scipy.stats: "
        f"{figures['loop_per_authority_s']:.1f} s ({figures['speedup_over_loop']:.0f}x the engine)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", choices=sorted({*SUITES, *PURE}))
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], action="append")
    arguments = parser.parse_args()
    backends = arguments.backend or ["sqlite", "postgresql"]
    for name, run in PURE.items():
        if arguments.only and name != arguments.only:
            continue
        figures = run(arguments.repeats)
        if name == "engine":
            _engine_table(figures)
        else:
            print(
                f"{name} median of {arguments.repeats}: "
                + ", ".join(f"{key} {value:.2f}" for key, value in figures.items())
            )
        print(json.dumps({"suite": name, **figures}))
    for name in SUITES:
        if arguments.only and name != arguments.only:
            continue
        for backend in backends:
            figures = _isolated(name, backend, arguments.repeats)
            extra = ""
            if "baseline_insert_s" in figures:
                ratio = figures["total_s"] / figures["baseline_insert_s"]
                extra = f", ratio to bare insert {ratio:.1f}x"
            print(
                f"{name} [{backend}] median of {arguments.repeats}: "
                + ", ".join(f"{key} {value:.2f}" for key, value in figures.items())
                + extra
            )
            print(json.dumps({"suite": name, "backend": backend, **figures}))


if __name__ == "__main__":
    main()
