"""Every audited action is declared in bench.audit, with what the network's log may show.

DESIGN.md Anonymity 14: network admins see no authority's figures or known-issue answers
in the audit log. The network's log shows only detail keys an action declares safe, so an
action nobody declared shows none; this test makes whoever adds an action decide.
"""

import ast
from pathlib import Path

from bench import audit
from bench.admin.schemas import IndicatorSchema, PeriodSchema

BENCH = Path(audit.__file__).resolve().parent


def _recorded_actions() -> dict[str, str]:
    """Each action code passed to ``audit.record`` in bench, with where."""
    found = {}
    for path in sorted(BENCH.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "record"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "audit"
            ):
                continue
            first = node.args[0]
            codes = [first.body, first.orelse] if isinstance(first, ast.IfExp) else [first]
            for code in codes:
                assert isinstance(code, ast.Constant), f"{path}:{node.lineno}: a literal code"
                found[code.value] = f"{path.relative_to(BENCH)}:{node.lineno}"
    return found


def test_every_recorded_action_is_declared():
    recorded = _recorded_actions()
    assert len(recorded) > 30  # the scan finds them
    assert {code: where for code, where in recorded.items() if code not in audit.ACTIONS} == {}


def test_no_figure_or_answer_is_declared_safe_for_the_network():
    # The keys that carry an authority's figures or known-issue answers (values and their
    # notes, corrections, queried figures' reasons and responses, flags' answers).
    figures_and_answers = {
        "corrections",
        "value",
        "numerator",
        "denominator",
        "note",
        "response",
        "answer",
        "status",
        "severity",
        "since",
        "tried",
        "share_tried",
        "open_to_contact",
        "flags_moved",
        "flags_dropped",
    }
    declared = {
        code: action.network_details & figures_and_answers
        for code, action in audit.ACTIONS.items()
        if action.network_details & figures_and_answers
    }
    assert declared == {}
    for code in ("values_published", "flag_recorded", "value_query_confirmed"):
        assert not {"old", "new", "reason", "issue_type"} & audit.ACTIONS[code].network_details


def test_the_catalogues_own_fields_show_in_the_network_log():
    for code in ("indicator_created", "indicator_changed"):
        assert set(IndicatorSchema().fields) <= audit.ACTIONS[code].network_details
    assert set(PeriodSchema().fields) <= audit.ACTIONS["period_created"].network_details
