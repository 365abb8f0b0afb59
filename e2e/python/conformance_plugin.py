"""pytest plugin of the Python conformance run (scripts/e2e/python-conformance.sh).

It marks each test listed in the expected-failure file (CONFORMANCE_EXPECTED_FAILURES) as a
strict xfail, so a listed test that fails is counted as expected and one that passes fails the
run; it refuses a list entry without a reason or naming no collected test; and it writes each
test's outcome, with the first line of its failure, to CONFORMANCE_REPORT (JSON) for the script's
closing summary.
"""

import json
import os
from typing import Dict, List, Tuple

import pytest

_outcomes: Dict[str, Dict[str, str]] = {}


def _read_expected(path: str) -> Tuple[Dict[str, str], List[str]]:
    expected: Dict[str, str] = {}
    problems: List[str] = []
    with open(path, encoding="utf-8") as listing:
        for number, raw in enumerate(listing, start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            node_id, _, reason = line.partition("#")
            node_id, reason = node_id.strip(), reason.strip()
            if not reason:
                problems.append(f"{path}:{number}: `{node_id}` has no `# reason`")
            elif node_id in expected:
                problems.append(f"{path}:{number}: `{node_id}` is listed twice")
            expected[node_id] = reason
    return expected, problems


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: List[pytest.Item]
) -> None:
    path = os.environ.get("CONFORMANCE_EXPECTED_FAILURES")
    if not path:
        return
    expected, problems = _read_expected(path)
    collected = {item.nodeid for item in items}
    for node_id in expected:
        if node_id not in collected:
            problems.append(f"{path}: `{node_id}` names no collected test")
    if problems:
        raise pytest.UsageError("\n".join(problems))
    for item in items:
        reason = expected.get(item.nodeid)
        if reason is not None:
            item.add_marker(pytest.mark.xfail(reason=reason, strict=True))


def _first_line(report: pytest.TestReport) -> str:
    text = getattr(report, "longreprtext", "") or ""
    # The assertion or exception line is the most telling: pytest starts it with "E   ".
    for line in text.splitlines():
        if line.startswith("E   "):
            return line[4:].strip()[:300]
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1].strip()[:300] if lines else ""


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _record(report)
    if report.when == "teardown":
        _write_report()


def _record(report: pytest.TestReport) -> None:
    entry = _outcomes.setdefault(report.nodeid, {"outcome": "passed", "message": ""})
    if hasattr(report, "wasxfail") and report.skipped:
        entry["outcome"] = "xfailed"
        entry["message"] = entry["message"] or _first_line(report)
        return
    if report.failed and str(report.longrepr).startswith("[XPASS(strict)]"):
        entry["outcome"] = "xpassed"
        return
    if report.failed:
        if entry["outcome"] != "failed":
            entry["outcome"] = "failed"
            entry["message"] = f"[{report.when}] {_first_line(report)}"
    elif report.skipped and entry["outcome"] == "passed":
        entry["outcome"] = "skipped"


def _write_report() -> None:
    # Written after every test, so a run stopped by its time limit still tells what it did.
    path = os.environ.get("CONFORMANCE_REPORT")
    if path:
        with open(path, "w", encoding="utf-8") as out:
            json.dump(_outcomes, out, indent=1, sort_keys=True)
