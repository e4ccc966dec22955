"""pip-audit over the installed packages, failing on any known vulnerability, and saying
loudly when packages could not be checked at all.

pip-audit has no severity: any known vulnerability in an installed package fails.
Left to itself, pip-audit reports "No known vulnerabilities found" and succeeds when its
vulnerability service could not be asked about a single package (each is "skipped"), so
this wrapper reads its JSON report instead:

- a vulnerability found: exit 1, listing each (package, version, id, fixed versions);
- packages that could not be checked (the service unreachable, or not answering for
  that version): a warning naming how many, and exit 1 only when BENCH_REQUIRE_AUDIT=1
  (set it in a CI that reaches the service, so an unreachable service cannot pass);
- pip-audit itself failing (the service refusing connections): the same as unchecked.

``BENCH_AUDIT_SERVICE`` picks pip-audit's service: ``pypi`` (default) or ``osv``.
"""

from __future__ import annotations

import json
import os
import subprocess  # nosec B404  # runs pip-audit: a fixed command, no shell
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

# bench itself (installed editable, not on PyPI) is not a dependency to audit.
OWN_PACKAGES = {"bench"}


@dataclass
class Verdict:
    vulnerabilities: list[str] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)
    checked: int = 0
    failure: str = ""

    def exit_code(self, require_audit: bool) -> int:
        if self.vulnerabilities:
            return 1
        if (self.unchecked or self.failure) and require_audit:
            return 1
        return 0

    def lines(self, require_audit: bool) -> list[str]:
        out = [f"pip-audit: {self.checked} packages checked"]
        if self.vulnerabilities:
            out.append(f"FAILED: {len(self.vulnerabilities)} known vulnerabilities:")
            out.extend(f"  {line}" for line in self.vulnerabilities)
        if self.failure or self.unchecked:
            what = self.failure or (
                f"{len(self.unchecked)} packages could not be checked (first: {self.unchecked[0]})"
            )
            then = "this fails (BENCH_REQUIRE_AUDIT=1)" if require_audit else "continuing"
            out += [
                "!" * 78,
                f"WARNING: the vulnerability audit did not happen in full: {what}.",
                f"The vulnerability service was not reached; {then}.",
                "!" * 78,
            ]
        return out


def judge(report: dict) -> Verdict:
    """What pip-audit's JSON report (``-f json``) says, in the terms above."""
    verdict = Verdict()
    for dependency in report.get("dependencies", []):
        name = dependency.get("name", "?")
        if name in OWN_PACKAGES:
            continue
        if "skip_reason" in dependency:
            verdict.unchecked.append(f"{name}: {dependency['skip_reason']}")
            continue
        verdict.checked += 1
        for vulnerability in dependency.get("vulns", []):
            fixed = ", ".join(vulnerability.get("fix_versions", [])) or "no fix yet"
            verdict.vulnerabilities.append(
                f"{name} {dependency.get('version', '?')}: {vulnerability.get('id', '?')} "
                f"(fixed in {fixed})"
            )
    return verdict


def run() -> int:
    require = os.environ.get("BENCH_REQUIRE_AUDIT", "") == "1"
    service = os.environ.get("BENCH_AUDIT_SERVICE", "pypi")
    with tempfile.TemporaryDirectory() as directory:
        output = Path(directory) / "audit.json"
        command = [
            "pip-audit",
            "--skip-editable",
            "--progress-spinner",
            "off",
            "--vulnerability-service",
            service,
            "--format",
            "json",
            "--output",
            str(output),
        ]
        finished = subprocess.run(  # noqa: S603  # nosec B603  # fixed arguments, no shell
            command, capture_output=True, text=True, check=False, timeout=600
        )
        if output.exists() and output.stat().st_size:
            verdict = judge(json.loads(output.read_text()))
        else:
            last = (finished.stderr.strip().splitlines() or ["no output"])[-1]
            verdict = Verdict(failure=f"pip-audit failed ({last[:200]})")
    for line in verdict.lines(require):
        print(line, file=sys.stderr)
    return verdict.exit_code(require)


if __name__ == "__main__":
    sys.exit(run())
