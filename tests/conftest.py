"""Session-wide pytest hooks (keep minimal: fixtures live in the modules that use them)."""

from __future__ import annotations

import os

import pytest

# A developer's ~/.hadolint.yaml must not change what dlint reports in the tests (dlint
# reads it where no dlint config applies); tests of that fallback unset this.
os.environ.setdefault("DLINT_NO_HADOLINT_CONFIG", "1")


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _fail_skip_in_ci(report) -> None:
    # Locally a test may skip (no engine, no corpus, no oracle wheel); in CI every test
    # must run, so a skip there is a failure that names its reason.
    if _in_ci() and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, where every test must run: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    _fail_skip_in_ci(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    _fail_skip_in_ci(outcome.get_result())


def pytest_terminal_summary(terminalreporter):
    """One line counting the cache scenarios verified on a real engine (test_cache_engine)."""
    by_builder: dict[str, set[str]] = {}
    not_verified: dict[str, int] = {}
    for outcome, reports in terminalreporter.stats.items():
        for report in reports:
            if getattr(report, "when", None) is None or "test_scenario_on_engine" not in report.nodeid:
                continue
            props = dict(getattr(report, "user_properties", ()))
            if report.when == "call" and report.passed and "cache_scenario" in props:
                name, _, builder = str(props["cache_scenario"]).rpartition(":")
                by_builder.setdefault(builder, set()).add(name)
            elif not report.passed:
                not_verified[outcome] = not_verified.get(outcome, 0) + 1
    if not by_builder and not not_verified:
        return
    names = set().union(*by_builder.values()) if by_builder else set()
    detail = ", ".join(f"{b} {len(n)}" for b, n in sorted(by_builder.items())) or "none"
    other = "".join(f"; {n} {o}" for o, n in sorted(not_verified.items()))
    terminalreporter.write_line(f"cache scenarios verified on the engine: {len(names)} ({detail}){other}")
