"""OpsGuard's entry-mode runner: runs the user's entry file (or module) as __main__ under OpsGuard's guard.

usage: opsguard_entry.py ENTRY [ARGS...]      as `python ENTRY ARGS...` from the repository root,
                                              with the root on sys.path too
       opsguard_entry.py -m MODULE [ARGS...]  as `python -m MODULE ARGS...` from the root

Its settings arrive through opsguard_handoff (never in the environment user code sees); the guard
(opsguard_guard) streams the evidence: forbidden operations as they happen, how each call on the
failing code path ended, the argument fingerprints of an uncaught failure, and a final "end" record
with how the program ended. Nothing the runner knows is kept in module globals: it all lives in
main()'s locals and the guard's closures.

Settings:
  OPSGUARD_NONCE            tag of the evidence lines
  OPSGUARD_WATCH            JSON list of [path, function] pairs to watch (the failing code path)
  OPSGUARD_FAILING          JSON [path, fingerprint] of the failing call (found under a new name too)
  OPSGUARD_CHANGED          JSON list of the files the candidate changed (the code under judgement)
  OPSGUARD_TESTS            JSON list of the repository's test files
  OPSGUARD_HANG_DUMP_AFTER  seconds after which the stacks of all threads are dumped (a hang's site)
"""
import sys


def main():
    import opsguard_handoff

    config = opsguard_handoff.take_config()
    import faulthandler
    import os
    import runpy

    import opsguard_guard

    failure, end, _protect = opsguard_guard.install(config, observe=True)
    hang_after = float(config.get("OPSGUARD_HANG_DUMP_AFTER", "0") or 0)
    del config
    for name in ("opsguard_guard", "opsguard_handoff"):
        sys.modules.pop(name, None)
    argv = sys.argv[1:]
    if not argv or (argv[0] == "-m" and len(argv) < 2):
        sys.stderr.write("usage: opsguard_entry.py ENTRY [ARGS...] | -m MODULE [ARGS...]\n")
        return 2
    runner_file = os.path.abspath(__file__)

    def is_runner_frame(tb):
        name = tb.tb_frame.f_code.co_filename
        return os.path.abspath(name) == runner_file or os.path.basename(name) == "runpy.py" or name == "<frozen runpy>"

    def trimmed_excepthook(kind, value, tb):
        # Show the traceback from the user's code on, as if it had been run directly.
        start = tb
        while start is not None and is_runner_frame(start):
            start = start.tb_next
        start = start or tb
        if isinstance(value, BaseException):
            value = value.with_traceback(start)  # 3.11+ prints the exception's own traceback, not `tb`
        sys.__excepthook__(kind, value, start)

    sys.excepthook = trimmed_excepthook
    root = os.getcwd()
    if argv[0] == "-m":
        module = argv[1]
        sys.argv = [module] + argv[2:]  # runpy replaces argv[0] with the module's file
        sys.path[0] = root  # python -m puts the working directory first

        def run():
            runpy.run_module(module, run_name="__main__", alter_sys=True)

    else:
        entry = argv[0]
        sys.argv = list(argv)
        sys.path[0] = os.path.dirname(os.path.abspath(entry))
        if root not in sys.path:
            # From the root, `python scripts/run.py` importing the root's packages works in the
            # user's setup (installed or on PYTHONPATH); the sandbox gives the same view.
            sys.path.insert(1, root)

        def run():
            runpy.run_path(entry, run_name="__main__")

    if hang_after > 0:
        faulthandler.dump_traceback_later(hang_after, exit=False, file=sys.__stderr__)
    ended = "exception"
    try:
        run()
        ended = "completed"
    except SystemExit as exc:
        ended = "exit:%s" % (exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1))
        raise
    except BaseException as exc:
        failure(exc.__traceback__)
        raise
    finally:
        end(ended)
    return 0


if __name__ == "__main__":
    sys.exit(main())
