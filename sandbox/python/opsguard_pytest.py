"""OpsGuard's pytest plugin (loaded with -p opsguard_pytest): a time limit per test, and evidence.

Each test gets OPSGUARD_TEST_TIMEOUT seconds; a test that runs longer fails with
OpsGuardTestTimeout, whose traceback shows where it was stuck, so one hang does not hide the
other results. The timeout derives from BaseException, so `except Exception:` in the code under
test cannot swallow it.

Evidence streams out as the run goes, one record per line on the original stderr file descriptor,
tagged with a per-run nonce that the code under test never sees. Every record carries a sequence
number, so a lost or added line shows:
  {"seq": 0, "collected": [ids], "files": [paths], "where": {...}}
                                            after collection: the tests, the repository files they
                                            came from, and where pytest looked (its arguments,
                                            rootdir, configuration file, testpaths, python_files)
  {"seq": n, "start": id}                   when a test starts
  {"seq": n, "test": id, "outcome": o}      when its last phase has ended (+ "unsealable": reason)
  {"seq": n, "end": exitstatus, "tests": k} when pytest finishes: only then is the record complete
A run killed at the wall-clock limit therefore keeps every outcome written before the kill, and the
test that was running when it died is the one that started without an outcome.

The settings arrive through opsguard_handoff (a pipe, never the environment the tests see), and the
runtime guard (opsguard_guard) is installed at import, before any conftest or test module. The
guard writes its own records (OPSGUARD-GUARD lines, its own sequence) on its own descriptor; the
plugin closes the guard's stream with an "end" record when pytest finishes, after its own end
record, so in pytest mode too a verdict needs both streams unbroken to their end. When the session
starts, the guard keeps references to pytest's, pluggy's, the builtins' and this plugin's functions
and classes; after every test (and at the end) it reports any that was rebound.
"""
import json
import os
import signal
import sys


def _settings():
    # The settings leave the environment (a re-exec, see opsguard_handoff) and the guard is in
    # place before pytest imports any conftest or test module.
    import opsguard_guard
    import opsguard_handoff

    config = opsguard_handoff.take_config()
    _failure, end, protect = opsguard_guard.install(config)
    # A sealed run's test side: the channel to the code side, for opsguard_seal_client alone.
    seal = {name: config[name] for name in ("OPSGUARD_SEAL_FD", "OPSGUARD_SEAL_FILES") if name in config}
    return config.get("OPSGUARD_NONCE", ""), float(config.get("OPSGUARD_TEST_TIMEOUT", "0") or 0), end, seal, protect


_nonce, _timeout, _guard_end, _seal_settings, _protect = _settings()
_stderr_fd = os.dup(2)
_outcomes = {}
_seq = [0]
_finished = [0]

import pytest  # noqa: E402  (after the environment is cleaned)


class OpsGuardTestTimeout(BaseException):
    """The test ran longer than OpsGuard's per-test time limit."""


# --- per-test time limit ---------------------------------------------------------------------


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


# --- streamed evidence -----------------------------------------------------------------------


def _emit(record):
    if not _nonce:
        return
    record["seq"] = _seq[0]
    _seq[0] += 1
    # One write per record, led by a newline so it never joins a partial line of other output.
    os.write(_stderr_fd, ("\nOPSGUARD-EVIDENCE:%s:%s\n" % (_nonce, json.dumps(record))).encode())


def _record(nodeid, outcome):
    # The worst outcome of a test's phases wins: an error in teardown spoils a passed call.
    rank = {"passed": 0, "skipped": 1, "xfailed": 1, "xpassed": 1, "failed": 2, "error": 3}
    current = _outcomes.get(nodeid)
    if current is None or rank[outcome] > rank[current]:
        _outcomes[nodeid] = outcome


def _relative(path):
    # Repository-relative (the working directory is the repository root), or None outside it.
    rel = os.path.relpath(str(path), os.getcwd())
    return None if rel.startswith("..") or os.path.isabs(rel) else rel.replace(os.sep, "/")


def _where(config):
    """Where pytest looked, for gate 2's message: its arguments, configuration and file patterns."""
    inipath = getattr(config, "inipath", None) or getattr(config, "inifile", None)
    return {
        "args": [str(a) for a in config.args],
        "rootdir": str(getattr(config, "rootpath", None) or config.rootdir),
        "inifile": _relative(inipath) if inipath else None,
        "testpaths": list(config.getini("testpaths")),
        "python_files": list(config.getini("python_files")),
    }


def pytest_collection_finish(session):
    files = set()
    for item in session.items:
        rel = _relative(getattr(item, "path", None) or item.fspath)
        if rel:
            files.add(rel)
    _emit({"collected": [item.nodeid for item in session.items], "files": sorted(files), "where": _where(session.config)})


def pytest_runtest_logstart(nodeid, location):
    _emit({"start": nodeid})


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


def pytest_runtest_logfinish(nodeid, location):
    # The guard compares pytest's, pluggy's, the builtins' and this plugin's functions and classes
    # with the references it kept before any test module was imported (see the end of this file).
    sys.audit("opsguard.check")
    record = {"test": nodeid, "outcome": _outcomes.get(nodeid, "error")}
    unsealable = _unsealable_reason()
    if unsealable:
        record["unsealable"] = unsealable
    _finished[0] += 1
    _emit(record)


def pytest_sessionfinish(session, exitstatus):
    _emit({"end": int(exitstatus), "tests": _finished[0]})
    _guard_end("exit:%d" % int(exitstatus))


# --- sealed runs (opsguard_seal_client, loaded only in the sealed container) ----------------


def take_seal_settings():
    """The sealed run's settings (OPSGUARD_SEAL_FD, OPSGUARD_SEAL_FILES), handed out once."""
    settings = dict(_seal_settings)
    _seal_settings.clear()
    return settings


def _unsealable_reason():
    """Why the test just finished touched the changed code in a way the seal cannot carry, if it did."""
    client = sys.modules.get("opsguard_seal_client")
    return client.take_unsealable() if client is not None else None


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session):
    # After pytest's own configuration has patched what it patches (legacypath sets a method of
    # Config), before any test module is imported: what a test's outcome depends on, kept by the
    # guard where the code under test cannot reach it.
    _protect(("_pytest", "pytest", "pluggy", "builtins", "opsguard_pytest"))
