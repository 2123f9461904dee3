"""OpsGuard's sealed pytest run: the tests and the changed code in two processes of two users.

usage: opsguard_seal.py PYTEST-ARGS...   (started as root in a container with only CAP_SETUID,
CAP_SETGID and CAP_KILL, no-new-privileges, and both views of the workspace mounted; see src/evidence/sealedCommand.ts)

  test side  uid 65532, in /sealed/workspace (the workspace without the changed files; /sealed is
             readable by this uid only): pytest with opsguard_pytest and opsguard_seal_client.
  code side  uid 65534, in /workspace (the workspace without the tests): opsguard_seal_server.py.

Both drop every capability when they change user, before any of their code runs. They cannot
signal, trace or read each other (/proc included), and share nothing but this process, which
passes lines between the two sockets it owns and never interprets what the code side sends. The
test side may ask for a fresh code side ("RESET", after a call was abandoned at its time limit);
when the code side dies, the test side is told and the next request starts a new one. The code
side's output is passed on with a prefix, so it can never be taken for an evidence line.

Settings: OPSGUARD_NONCE, OPSGUARD_TEST_TIMEOUT, OPSGUARD_SEAL_FILES, taken out of the environment
by opsguard_handoff (a re-exec) before anything else; neither side ever has one in its environment.
The test side gets its settings in a pipe on file descriptor 3 (opsguard_pytest reads it with
opsguard_handoff); the code side gets the runtime guard's (a nonce of its own, never this run's,
and the changed files) as the first line on its socket. The code side's guard records come back on
its output; this process checks their nonce and sequence per code-side process and passes them on
as one stream of its own, OPSGUARD-SEALED-GUARD:<nonce>:<seq>:<json> (src/evidence/guardStream.ts),
where anything forged or lost becomes a "tamper" record.
"""
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading

import opsguard_handoff

CONFIG_FD = opsguard_handoff.CONFIG_FD
TEST_UID = 65532
CODE_UID = 65534
TEST_ROOT = "/sealed/workspace"
CODE_ROOT = "/workspace"
RUNTIME = os.path.dirname(os.path.abspath(__file__))
PLAIN_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1", "LANG": "C.UTF-8"}


def as_user(uid):
    """Popen arguments that start the child as uid (groups too), with every capability gone."""
    return {"user": uid, "group": uid, "extra_groups": []}


class CodeGuard:
    """The code side's guard records, passed on as one numbered stream with this run's nonce."""

    PREFIX = b"OPSGUARD-GUARD:"

    def __init__(self, nonce, files):
        """`files`: the changed files as a JSON list, the way every runner's settings are strings."""
        self.nonce = nonce
        self.code_nonce = os.urandom(16).hex()
        self.settings = json.dumps({"OPSGUARD_NONCE": self.code_nonce, "OPSGUARD_CHANGED": files}).encode() + b"\n"
        self.seq = 0

    def emit(self, record_json):
        line = b"\nOPSGUARD-SEALED-GUARD:%s:%d:%s\n" % (self.nonce.encode(), self.seq, record_json)
        self.seq += 1
        os.write(2, line)

    def take(self, code, line):
        """Passes a guard record of the code side on; False for ordinary output."""
        if not line.startswith(self.PREFIX):
            return False
        parts = line[len(self.PREFIX) :].split(b":", 2)
        if len(parts) != 3 or parts[0] != self.code_nonce.encode() or not parts[1].isdigit():
            self.emit(b'{"k":"tamper","what":"a forged guard record on the sealed code side"}')
            return True
        if int(parts[1]) != code.guard_seq:
            self.emit(b'{"k":"tamper","what":"a guard record of the sealed code side was lost"}')
        code.guard_seq = int(parts[1]) + 1
        self.emit(parts[2])
        return True


class CodeSide:
    """One code-side process and the launcher's end of its socket."""

    def __init__(self, guard):
        mine, theirs = socket.socketpair()
        self.channel = mine
        self.process = subprocess.Popen(
            [sys.executable, os.path.join(RUNTIME, "opsguard_seal_server.py"), str(theirs.fileno())],
            cwd=CODE_ROOT,
            env=dict(PLAIN_ENV, PYTHONPATH=RUNTIME),
            **as_user(CODE_UID),
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        theirs.close()
        self.output = self.process.stdout
        self.pending = b""
        self.blank = 0  # blank lines held back: the guard writes one before each record
        self.guard_seq = 0
        # The guard's settings go first, before any request is passed on.
        mine.sendall(guard.settings)

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.channel.close()
        self.output.close()


def relay_output(code, chunk, guard):
    """The code side's output, on the container's stderr, one prefixed line per write; its guard's
    records go on as the code side's guard stream."""
    code.pending += chunk
    *lines, code.pending = code.pending.split(b"\n")
    for line in lines:
        if line == b"":
            code.blank += 1
            continue
        if guard.take(code, line):
            code.blank = max(0, code.blank - 1)
            line = None
        for _ in range(code.blank):
            os.write(2, b"[sealed code] \n")
        code.blank = 0
        if line is not None:
            os.write(2, b"[sealed code] " + line + b"\n")


def broker(tests, guard):
    code = None
    buffered = b""
    while True:
        watched = [tests] + ([code.channel, code.output] if code else [])
        ready, _, _ = select.select(watched, [], [])
        if code and code.output in ready:
            chunk = os.read(code.output.fileno(), 65536)
            if chunk:
                relay_output(code, chunk, guard)
        if code and code.channel in ready:
            chunk = code.channel.recv(65536)
            if chunk:
                tests.sendall(chunk)
            else:
                code.stop()
                tests.sendall(json.dumps({"dead": "the code side ended (exit %s) before answering" % code.process.returncode}).encode() + b"\n")
                code = None
        if tests in ready:
            chunk = tests.recv(65536)
            if not chunk:
                return code
            buffered += chunk
            *lines, buffered = buffered.split(b"\n")
            for line in lines:
                if line == b"RESET":
                    if code:
                        code.stop()
                    code = None
                    continue
                if code is None:
                    code = CodeSide(guard)
                try:
                    code.channel.sendall(line + b"\n")
                except OSError:
                    pass  # it died; its end-of-file is reported on the next turn


def settings_pipe():
    """A pipe on file descriptor 3, where the test side's opsguard_handoff looks for its settings."""
    read_end, write_end = os.pipe()
    if read_end != CONFIG_FD:
        try:
            os.fstat(CONFIG_FD)
        except OSError:
            pass
        else:
            raise RuntimeError("file descriptor %d is taken before the settings pipe" % CONFIG_FD)
        os.dup2(read_end, CONFIG_FD)
        os.close(read_end)
    return write_end


def main():
    config = opsguard_handoff.take_config()
    nonce = config.get("OPSGUARD_NONCE", "")
    timeout = config.get("OPSGUARD_TEST_TIMEOUT", "0")
    files = config.get("OPSGUARD_SEAL_FILES", "[]")
    del config
    json.loads(files)
    guard = CodeGuard(nonce, files)
    settings = settings_pipe()
    mine, theirs = socket.socketpair()
    test_settings = {"OPSGUARD_NONCE": nonce, "OPSGUARD_TEST_TIMEOUT": timeout, "OPSGUARD_SEAL_FILES": files, "OPSGUARD_SEAL_FD": str(theirs.fileno())}
    data = json.dumps(test_settings).encode()
    os.write(settings, data)  # far below a pipe's capacity
    os.close(settings)
    env = dict(PLAIN_ENV, PYTHONPATH=RUNTIME, TMPDIR="/sealed")
    # Only the test user may enter /sealed, and Popen changes directory before it changes user.
    command = ["/usr/bin/env", "--chdir=" + TEST_ROOT, sys.executable, "-m", "pytest", "-p", "opsguard_pytest", "-p", "opsguard_seal_client", "--continue-on-collection-errors"] + sys.argv[1:]
    tests = subprocess.Popen(command, cwd="/", env=env, **as_user(TEST_UID), pass_fds=(CONFIG_FD, theirs.fileno()), stdin=subprocess.DEVNULL)
    os.close(CONFIG_FD)
    theirs.close()
    holder = {}
    thread = threading.Thread(target=lambda: holder.setdefault("code", broker(mine, guard)), daemon=True)
    thread.start()
    status = tests.wait()
    thread.join(timeout=1)
    if holder.get("code"):
        holder["code"].stop()
    return status if status >= 0 else 128 - status


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    sys.exit(main())
