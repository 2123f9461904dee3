"""OpsGuard's entry-mode runner: runs the user's entry file as __main__ and reports evidence.

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


def _trimmed_excepthook(kind, value, tb):
    # Show the traceback from the user's entry file on, as if it had been run directly.
    start = tb
    while start is not None and start.tb_frame.f_code.co_filename != _entry_file[0]:
        start = start.tb_next
    sys.__excepthook__(kind, value, start or tb)


_entry_file = [""]


def main():
    if len(sys.argv) < 2:
        sys.stderr.write("usage: opsguard_entry.py ENTRY [ARGS...]\n")
        return 2
    entry = sys.argv[1]
    _entry_file[0] = entry
    sys.excepthook = _trimmed_excepthook
    sys.argv = sys.argv[1:]
    sys.path[0] = os.path.dirname(os.path.abspath(entry))
    if _hang_after > 0:
        faulthandler.dump_traceback_later(_hang_after, exit=False, file=sys.__stderr__)
    if _watch:
        threading.settrace(_global_tracer)
        sys.settrace(_global_tracer)
    ended = "exception"
    try:
        runpy.run_path(entry, run_name="__main__")
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
