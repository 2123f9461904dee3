"""OpsGuard's entry-mode runner: runs the user's entry file (or module) as __main__ and reports evidence.

usage: opsguard_entry.py ENTRY [ARGS...]      as `python ENTRY ARGS...` from the repository root,
                                              with the root on sys.path too
       opsguard_entry.py -m MODULE [ARGS...]  as `python -m MODULE ARGS...` from the root

Evidence is what exit codes cannot show: whether the functions on the failing code path were
reached and completed. It goes to the original stderr file descriptor, tagged with a per-run nonce
that the user's code never sees (it is removed from the environment before that code runs).

Environment (all removed before the user's code starts):
  OPSGUARD_NONCE            tag of the evidence line
  OPSGUARD_WATCH            JSON list of [file, function] pairs to watch (the failing code path)
  OPSGUARD_HANG_DUMP_AFTER  seconds after which the stacks of all threads are dumped (a hang's site)
"""
import faulthandler
import json
import os
import runpy
import sys
import threading

_nonce = os.environ.pop("OPSGUARD_NONCE", "")
_watch = {tuple(pair) for pair in json.loads(os.environ.pop("OPSGUARD_WATCH", "[]"))}
_hang_after = float(os.environ.pop("OPSGUARD_HANG_DUMP_AFTER", "0") or 0)
for _name in ("OPSGUARD_NONCE", "OPSGUARD_WATCH", "OPSGUARD_HANG_DUMP_AFTER"):
    os.unsetenv(_name)

_stats = {}  # "file:function" -> {"calls": n, "returns": n, "raised": n}
_stderr_fd = os.dup(2)


def _key(code):
    return os.path.basename(code.co_filename), code.co_name


def _local_tracer(stats):
    pending = [False]

    def tracer(frame, event, arg):
        if event == "exception":
            pending[0] = True
        elif event == "line":
            pending[0] = False  # the exception was handled inside this frame
        elif event == "return":
            if pending[0]:
                stats["raised"] += 1
            else:
                stats["returns"] += 1
            pending[0] = False
        return tracer

    return tracer


def _global_tracer(frame, event, arg):
    if event != "call":
        return None
    key = _key(frame.f_code)
    if key not in _watch:
        return None
    stats = _stats.setdefault("%s:%s" % key, {"calls": 0, "returns": 0, "raised": 0})
    stats["calls"] += 1
    return _local_tracer(stats)


def _emit(exit_kind):
    if not _nonce:
        return
    line = "\nOPSGUARD-EVIDENCE:%s:%s\n" % (_nonce, json.dumps({"watched": _stats, "ended": exit_kind}))
    os.write(_stderr_fd, line.encode())


def _is_runner_frame(tb):
    name = tb.tb_frame.f_code.co_filename
    return name == __file__ or os.path.basename(name) == "runpy.py" or name == "<frozen runpy>"


def _trimmed_excepthook(kind, value, tb):
    # Show the traceback from the user's code on, as if it had been run directly.
    start = tb
    while start is not None and _is_runner_frame(start):
        start = start.tb_next
    start = start or tb
    if isinstance(value, BaseException):
        value = value.with_traceback(start)  # 3.11+ prints the exception's own traceback, not `tb`
    sys.__excepthook__(kind, value, start)


def _prepare(argv, root):
    """Sets sys.argv and sys.path as plain Python would; returns the function that runs the code."""
    if argv[0] == "-m":
        module = argv[1]
        sys.argv = [module] + argv[2:]  # runpy replaces argv[0] with the module's file
        sys.path[0] = root  # python -m puts the working directory first
        return lambda: runpy.run_module(module, run_name="__main__", alter_sys=True)
    entry = argv[0]
    sys.argv = list(argv)
    sys.path[0] = os.path.dirname(os.path.abspath(entry))
    if root not in sys.path:
        # From the root, `python scripts/run.py` importing the root's packages works in the
        # user's setup (installed or on PYTHONPATH); the sandbox gives the same view.
        sys.path.insert(1, root)
    return lambda: runpy.run_path(entry, run_name="__main__")


def main():
    argv = sys.argv[1:]
    if not argv or (argv[0] == "-m" and len(argv) < 2):
        sys.stderr.write("usage: opsguard_entry.py ENTRY [ARGS...] | -m MODULE [ARGS...]\n")
        return 2
    sys.excepthook = _trimmed_excepthook
    run = _prepare(argv, os.getcwd())
    if _hang_after > 0:
        faulthandler.dump_traceback_later(_hang_after, exit=False, file=sys.__stderr__)
    if _watch:
        threading.settrace(_global_tracer)
        sys.settrace(_global_tracer)
    ended = "exception"
    try:
        run()
        ended = "completed"
    except SystemExit as exc:
        ended = "exit:%s" % (exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1))
        raise
    finally:
        sys.settrace(None)
        threading.settrace(None)
        _emit(ended)
    return 0


if __name__ == "__main__":
    sys.exit(main())
