"""How OpsGuard's runners receive their settings without leaving them where user code can read them.

OpsGuard starts a runner with its settings (the evidence nonce, the watch list, ...) in OPSGUARD_*
environment variables. The environment a process started with stays readable in /proc/self/environ
even after os.environ.pop, so the first thing a runner does is take_config(): it moves the settings
into a pipe on file descriptor 3 and re-executes the very same command line with an environment
that has no OPSGUARD_* variable left. The re-executed runner reads the pipe and closes it before any
user code starts. Both a reproduction and a verification go through this, so they look the same
from inside: same command line, same environment, same pid.
"""
import json
import os
import stat
import sys

CONFIG_FD = 3
_PREFIX = "OPSGUARD_"
# A pipe holds 64 KiB before a write blocks; the settings are written before the exec, unread.
_MAX_BYTES = 60000


def take_config():
    """The runner's settings; re-executes the process first while they are still in its environment."""
    names = [name for name in os.environ if name.startswith(_PREFIX)]
    if names:
        _reexec_without(names)
    try:
        if not stat.S_ISFIFO(os.fstat(CONFIG_FD).st_mode):
            return {}
    except OSError:
        return {}
    chunks = []
    while True:
        chunk = os.read(CONFIG_FD, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(CONFIG_FD)
    try:
        config = json.loads(b"".join(chunks).decode())
    except ValueError:
        return {}
    return config if isinstance(config, dict) else {}


def _reexec_without(names):
    config = {name: os.environ[name] for name in names}
    data = json.dumps(config).encode()
    if len(data) > _MAX_BYTES:
        sys.stderr.write("opsguard: the runner's settings are too large (%d bytes)\n" % len(data))
        os._exit(70)
    read_end, write_end = os.pipe()
    os.write(write_end, data)
    os.close(write_end)
    if read_end != CONFIG_FD:
        os.dup2(read_end, CONFIG_FD)
        os.close(read_end)
    os.set_inheritable(CONFIG_FD, True)
    env = {name: value for name, value in os.environ.items() if not name.startswith(_PREFIX)}
    sys.stdout.flush()
    sys.stderr.flush()
    os.execvpe(sys.orig_argv[0], sys.orig_argv, env)
