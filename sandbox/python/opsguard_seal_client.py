"""The test side of OpsGuard's seal (loaded with -p opsguard_seal_client in the sealed container).

The changed files are not here: importing the module a changed file would be (found by the normal
path search, matched by its path) yields a proxy. Its callables forward calls over the channel to
the code side, another user in another view of the workspace; only plain data comes back
(opsguard_seal_values), and exceptions come back as their type name and message and are raised
here as a matching class. A comparison in a test is therefore decided by builtin values.

What cannot cross (objects, callbacks, setting attributes of the module as monkeypatch and mock
do) raises OpsGuardUnsealable and marks the test unsealable: OpsGuard then takes that test's
outcome from the ordinary in-process run and says so in the proof.

Settings, from the plugin (opsguard_pytest, loaded first, took them from opsguard_handoff's pipe):
OPSGUARD_SEAL_FD (the channel), OPSGUARD_SEAL_FILES (JSON list of the changed files, relative to
the working directory). None of them is ever in the test side's environment.
"""
import builtins
import importlib.abc
import importlib.machinery
import json
import os
import socket
import sys
import types

import opsguard_pytest
from opsguard_seal_values import NotPlain, decode, encode

_settings = opsguard_pytest.take_seal_settings()
_channel = socket.socket(fileno=int(_settings["OPSGUARD_SEAL_FD"]))
_root = os.getcwd()
_sealed_files = {os.path.normpath(os.path.join(_root, f)) for f in json.loads(_settings.get("OPSGUARD_SEAL_FILES", "[]"))}
del _settings


class OpsGuardUnsealable(BaseException):
    """The test uses the changed code in a way that cannot cross the seal as plain data."""


class SealBroken(BaseException):
    """The code side stopped answering, or answered with something that is not a reply."""


_unsealable = []


def take_unsealable():
    """Why the test that just ended was not sealable (None if it was), and forget it."""
    reason = _unsealable[0] if _unsealable else None
    del _unsealable[:]
    return reason


def unsealable(reason):
    _unsealable.append(reason)
    return OpsGuardUnsealable(reason)


# --- the channel -----------------------------------------------------------------------------

_state = {"id": 0, "dirty": False, "buffer": b""}


def _read_line():
    while b"\n" not in _state["buffer"]:
        chunk = _channel.recv(65536)
        if not chunk:
            raise SealBroken("the channel to the code side closed")
        _state["buffer"] += chunk
    line, _state["buffer"] = _state["buffer"].split(b"\n", 1)
    return line


def request(op, **fields):
    # A call abandoned mid-way (the test's time limit) leaves the code side busy: start it afresh.
    if _state["dirty"]:
        _channel.sendall(b"RESET\n")
        _state["dirty"] = False
    _state["id"] += 1
    ident = _state["id"]
    _channel.sendall(json.dumps(dict(fields, id=ident, op=op)).encode() + b"\n")
    _state["dirty"] = True
    while True:
        try:
            reply = json.loads(_read_line())
        except ValueError:
            raise SealBroken("the code side answered with something that is not a reply")
        if type(reply) is not dict:
            raise SealBroken("the code side answered with something that is not a reply")
        if "dead" in reply:
            _state["dirty"] = False
            raise SealBroken(str(reply["dead"]))
        if reply.get("id") == ident:
            _state["dirty"] = False
            return reply


def _value(reply, what):
    if "unsealable" in reply:
        raise unsealable(str(reply["unsealable"]))
    if "raise" in reply:
        raise _exception(reply["raise"])
    if "ok" in reply:
        try:
            return decode(reply["ok"])
        except (ValueError, TypeError):
            raise SealBroken("the code side's answer to %s is not plain data" % what)
    return reply


# --- exceptions ------------------------------------------------------------------------------

_classes = {}


def _exception_class(info):
    module, name = str(info.get("module")), str(info.get("type"))
    if module == "builtins":
        cls = getattr(builtins, name, None)
        if isinstance(cls, type) and (issubclass(cls, Exception) or cls is SystemExit):
            return cls
    key = (module, name)
    if key not in _classes:
        base = Exception
        for candidate in info.get("builtins") or []:
            cls = getattr(builtins, str(candidate), None)
            if isinstance(cls, type) and issubclass(cls, Exception):
                base = cls
                break
        _classes[key] = type(name.rsplit(".", 1)[-1], (base,), {"__module__": module, "__qualname__": name})
    return _classes[key]


def _exception(info):
    if type(info) is not dict:
        return SealBroken("the code side reported an exception it did not describe")
    cls = _exception_class(info)
    args = None
    try:
        args = decode(info["args"]) if info.get("args") is not None else None
    except (ValueError, TypeError):
        pass
    for attempt in ((tuple(args),) if type(args) is tuple else ()) + ((str(info.get("message", "")),),):
        try:
            return cls(*attempt)
        except Exception:
            continue
    return Exception(str(info.get("message", "")))


# --- proxies ---------------------------------------------------------------------------------


def _encode_args(args, kwargs, where):
    try:
        return encode(list(args)), encode(dict(kwargs))
    except NotPlain as why:
        raise unsealable("%s was passed %s" % (where, why))


class SealedCallable:
    """A function or class of the changed module: calling it calls it on the code side."""

    def __init__(self, module, name):
        self.__module = module
        self.__name = name
        self.__name__ = self.__qualname__ = name

    def __call__(self, *args, **kwargs):
        where = "%s.%s()" % (self.__module, self.__name)
        wire_args, wire_kwargs = _encode_args(args, kwargs, where)
        return _value(request("call", module=self.__module, name=self.__name, args=wire_args, kwargs=wire_kwargs), where)

    def __getattr__(self, name):
        if name.startswith("_"):  # pytest and inspect probe private names of what a test module holds
            raise AttributeError(name)
        raise unsealable("uses %s.%s.%s" % (self.__module, self.__name, name))

    def __instancecheck__(self, instance):
        raise unsealable("checks isinstance against %s.%s" % (self.__module, self.__name))

    def __subclasscheck__(self, subclass):
        raise unsealable("checks issubclass against %s.%s" % (self.__module, self.__name))

    def __repr__(self):
        return "<sealed %s.%s>" % (self.__module, self.__name)


class SealedModule(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        cache = self.__dict__.setdefault("__sealed_callables__", {})
        if name in cache:
            return cache[name]
        reply = request("getattr", module=self.__name__, name=name)
        if "callable" in reply:
            cache[name] = SealedCallable(self.__name__, name)
            return cache[name]
        if "exception" in reply:
            return _exception_class(reply["exception"]) if type(reply["exception"]) is dict else _value({"raise": None}, name)
        return _value(reply, "%s.%s" % (self.__name__, name))

    def __setattr__(self, name, value):
        if name.startswith("__") and name.endswith("__"):
            return super().__setattr__(name, value)
        raise unsealable("sets %s.%s (a patch or mock of the changed module)" % (self.__name__, name))

    def __delattr__(self, name):
        raise unsealable("deletes %s.%s" % (self.__name__, name))


class SealedLoader(importlib.abc.Loader):
    def __init__(self, entry):
        self.entry = entry

    def create_module(self, spec):
        return SealedModule(spec.name)

    def exec_module(self, module):
        _value(request("import", module=module.__name__, entry=self.entry), module.__name__)


class SealedFinder(importlib.abc.MetaPathFinder):
    """Turns the import of a changed file into a proxy; every other import is left alone."""

    def find_spec(self, name, path, target=None):
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        origin = getattr(spec, "origin", None)
        if not origin or os.path.normpath(origin) not in _sealed_files:
            return None
        # The sys.path entry the module was found under, relative to the workspace.
        base = os.path.dirname(origin)
        if os.path.basename(origin) == "__init__.py":
            base = os.path.dirname(base)
        for _ in name.split(".")[1:]:
            base = os.path.dirname(base)
        sealed = importlib.machinery.ModuleSpec(name, SealedLoader(os.path.relpath(base, _root)), origin=origin)
        if os.path.basename(origin) == "__init__.py":
            sealed.submodule_search_locations = list(spec.submodule_search_locations or [])
        sealed.has_location = True
        return sealed


sys.meta_path.insert(0, SealedFinder())
