"""OpsGuard's pytest plugin (loaded with -p opsguard_pytest): a time limit per test, and evidence.

Each test gets OPSGUARD_TEST_TIMEOUT seconds; a test that runs longer fails with
OpsGuardTestTimeout, whose traceback shows where it was stuck, so one hang does not hide the
other results.
The outcome of every test goes to the original stderr file descriptor at the end, tagged with a
per-run nonce that the code under test never sees.
"""
import json
import os
import signal

_nonce = os.environ.pop("OPSGUARD_NONCE", "")
_timeout = float(os.environ.pop("OPSGUARD_TEST_TIMEOUT", "0") or 0)
for _name in ("OPSGUARD_NONCE", "OPSGUARD_TEST_TIMEOUT"):
    os.unsetenv(_name)
_stderr_fd = os.dup(2)
_outcomes = {}
_collected = []

import pytest  # noqa: E402  (after the environment is cleaned)


class OpsGuardTestTimeout(Exception):
    """The test ran longer than OpsGuard's per-test time limit."""


def _on_alarm(signum, frame):
    raise OpsGuardTestTimeout("test exceeded OpsGuard's limit of %.0f s" % _timeout)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    armed = _timeout > 0 and hasattr(signal, "setitimer")
    if armed:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, _timeout)
    try:
        yield
    finally:
        if armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def pytest_collection_modifyitems(session, config, items):
    _collected[:] = [item.nodeid for item in items]


def _record(nodeid, outcome):
    # The worst outcome of a test's phases wins: an error in teardown spoils a passed call.
    rank = {"passed": 0, "skipped": 1, "xfailed": 1, "xpassed": 1, "failed": 2, "error": 3}
    current = _outcomes.get(nodeid)
    if current is None or rank[outcome] > rank[current]:
        _outcomes[nodeid] = outcome


def pytest_runtest_logreport(report):
    if report.when == "call":
        if hasattr(report, "wasxfail"):
            _record(report.nodeid, "xfailed" if report.skipped else "xpassed")
        else:
            _record(report.nodeid, report.outcome)
    elif report.failed:
        _record(report.nodeid, "error")
    elif report.skipped and report.when == "setup":
        _record(report.nodeid, "xfailed" if hasattr(report, "wasxfail") else "skipped")


def pytest_sessionfinish(session, exitstatus):
    if not _nonce:
        return
    payload = {"collected": _collected, "outcomes": _outcomes, "exitstatus": int(exitstatus)}
    os.write(_stderr_fd, ("\nOPSGUARD-EVIDENCE:%s:%s\n" % (_nonce, json.dumps(payload))).encode())
