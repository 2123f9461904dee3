"""Gates 4 and 5 in one container: compiles the fixed files with this very Python, then replaces
itself with the verification command, so a fix costs one container start instead of two.

usage: opsguard_verify.py FILE... -- COMMAND...

A file that does not compile is reported as evidence ({"compile": ...}) tagged with the run's nonce,
and the command never starts. Nothing is written: compile() needs no byte-code file.
"""
import json
import os
import sys
import traceback

# Left in the environment: every runner exec'd below moves its settings out of it first
# (opsguard_handoff), before any user code starts.
_nonce = os.environ.get("OPSGUARD_NONCE", "")


def main():
    if "--" not in sys.argv:
        sys.stderr.write("usage: opsguard_verify.py FILE... -- COMMAND...\n")
        return 2
    split = sys.argv.index("--")
    files, command = sys.argv[1:split], sys.argv[split + 1 :]
    for path in files:
        try:
            with open(path, "rb") as handle:
                compile(handle.read(), path, "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as exc:
            error = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            payload = json.dumps({"compile": {"file": path, "error": error}})
            os.write(2, ("\nOPSGUARD-EVIDENCE:%s:%s\n" % (_nonce, payload)).encode())
            return 3
    sys.stdout.flush()
    os.execvp(command[0], command)
    return 127


if __name__ == "__main__":
    sys.exit(main())
