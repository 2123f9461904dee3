"""The code side of OpsGuard's seal: imports the changed modules and answers calls into them.

usage: opsguard_seal_server.py FD

Runs as its own user, in a container view of the workspace without the tests, and talks to the
test side only through the socket FD, one JSON request per line, one JSON reply per line:
  {"id": n, "op": "import", "module": m, "entry": dir}   -> {"id": n, "ok": null}
  {"id": n, "op": "getattr", "module": m, "name": a}     -> {"id": n, "ok": value} | {"callable": a}
                                                            | {"exception": class} | {"unsealable": why}
  {"id": n, "op": "call", "module": m, "name": a, "args": [...], "kwargs": {...}}
                                                         -> {"id": n, "ok": value} | {"unsealable": why}
  any request that raises                                -> {"id": n, "raise": exception}
Nothing here is trusted by the test side: it decodes only plain data, so whatever the code under
test does in this process decides nothing but its own answers.

The first line on the socket, before any request, is the runtime guard's settings from the
launcher (a nonce of the code side's own, the changed files): the guard (opsguard_guard) is
installed before any changed module is imported, so the changed code meets the same refusals here
as in the in-process run. Its records go to this process's stderr, which only the launcher reads;
the launcher checks them and passes them on as the code side's guard stream.
"""
import importlib
import json
import os
import socket
import sys

from opsguard_seal_values import NotPlain, decode, encode


def describe_class(cls):
    builtins = [c.__name__ for c in cls.__mro__ if c.__module__ == "builtins" and issubclass(c, BaseException)]
    return {"module": cls.__module__, "type": cls.__qualname__, "builtins": builtins}


def describe_exception(exc):
    try:
        message = str(exc)
    except Exception:
        message = ""
    try:
        args = encode(exc.args)
    except (NotPlain, Exception):
        args = None
    return dict(describe_class(type(exc)), args=args, message=message)


def answer_getattr(module, name):
    value = getattr(sys.modules[module], name)
    try:
        return {"ok": encode(value)}
    except NotPlain:
        pass
    if isinstance(value, type) and issubclass(value, BaseException):
        return {"exception": describe_class(value)}
    if callable(value):
        return {"callable": name}
    return {"unsealable": "%s.%s is %s, not plain data" % (module, name, _kind(value))}


def answer_call(module, name, args, kwargs):
    result = getattr(sys.modules[module], name)(*decode(args), **decode(kwargs))
    try:
        return {"ok": encode(result)}
    except NotPlain as why:
        return {"unsealable": "%s.%s() returned %s" % (module, name, why)}


def answer(request):
    op = request.get("op")
    if op == "import":
        entry = os.path.join(os.getcwd(), request["entry"])
        if entry not in sys.path:
            sys.path.insert(0, entry)
        importlib.import_module(request["module"])
        return {"ok": None}
    if op == "getattr":
        return answer_getattr(request["module"], request["name"])
    if op == "call":
        return answer_call(request["module"], request["name"], request["args"], request["kwargs"])
    raise ValueError("unknown request %r" % (op,))


def _kind(value):
    try:
        return "a %s" % type(value).__qualname__
    except Exception:
        return "an object"


def read_line(channel, buffered):
    """The next line and what is left after it; (None, b"") at end of file."""
    while b"\n" not in buffered:
        chunk = channel.recv(65536)
        if not chunk:
            return None, b""
        buffered += chunk
    line, buffered = buffered.split(b"\n", 1)
    return line, buffered


def serve(channel, buffered):
    while True:
        line, buffered = read_line(channel, buffered)
        if line is None:
            return
        request = json.loads(line)
        try:
            reply = answer(request)
        except BaseException as exc:  # the code under test may raise anything, SystemExit included
            reply = {"raise": describe_exception(exc)}
        reply["id"] = request.get("id")
        try:
            data = json.dumps(reply)
        except (TypeError, ValueError):
            data = json.dumps({"id": request.get("id"), "unsealable": "the answer could not be written as plain data"})
        channel.sendall(data.encode() + b"\n")


def install_guard(line):
    # The settings live on only in the guard's closures; no module global keeps them.
    import opsguard_guard

    config = json.loads(line) if line else {}
    opsguard_guard.install(config if type(config) is dict else {})
    sys.modules.pop("opsguard_guard", None)


def main():
    channel = socket.socket(fileno=int(sys.argv[1]))
    sys.argv = sys.argv[:1]
    sys.path[0] = os.getcwd()
    line, buffered = read_line(channel, b"")
    if line is None:
        return
    install_guard(line)
    del line
    serve(channel, buffered)


if __name__ == "__main__":
    main()
