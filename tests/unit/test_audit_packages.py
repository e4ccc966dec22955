"""`make audit`'s reading of pip-audit's report (.ci/audit_packages.py): any known
vulnerability fails; packages that could not be checked warn, and fail only when
BENCH_REQUIRE_AUDIT=1, never pass silently as pip-audit alone does."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "audit_packages.py"
spec = importlib.util.spec_from_file_location("audit_packages", SCRIPT)
audit = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = audit  # dataclasses look their module up there
spec.loader.exec_module(audit)

# Shaped as pip-audit 2.10's `--format json` report.
CLEAN = {"name": "flask", "version": "3.1.3", "vulns": []}
VULNERABLE = {
    "name": "jinja2",
    "version": "3.0.0",
    "vulns": [{"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"], "aliases": []}],
}
UNCHECKED = {
    "name": "alembic",
    "skip_reason": "Dependency not found on PyPI and could not be audited: alembic (1.20.1)",
}
OWN = {"name": "bench", "skip_reason": "Dependency not found on PyPI"}


@pytest.mark.parametrize("require", [False, True])
def test_a_known_vulnerability_fails(require):
    verdict = audit.judge({"dependencies": [CLEAN, VULNERABLE], "fixes": []})
    assert verdict.exit_code(require) == 1
    text = "\n".join(verdict.lines(require))
    assert "jinja2 3.0.0: GHSA-h5c8-rqwp-cp95 (fixed in 3.1.3)" in text


def test_clean_packages_pass_and_bench_itself_is_not_a_dependency():
    verdict = audit.judge({"dependencies": [CLEAN, OWN]})
    assert (verdict.checked, verdict.unchecked, verdict.exit_code(True)) == (1, [], 0)


def test_unchecked_packages_warn_and_fail_only_when_the_audit_is_required():
    verdict = audit.judge({"dependencies": [CLEAN, UNCHECKED]})
    assert verdict.exit_code(False) == 0
    assert verdict.exit_code(True) == 1
    text = "\n".join(verdict.lines(False))
    assert "WARNING" in text and "1 packages could not be checked" in text


def test_pip_audit_failing_outright_counts_as_unchecked():
    verdict = audit.Verdict(failure="pip-audit failed (ConnectionError)")
    assert (verdict.exit_code(False), verdict.exit_code(True)) == (0, 1)
    assert any("ConnectionError" in line for line in verdict.lines(True))
