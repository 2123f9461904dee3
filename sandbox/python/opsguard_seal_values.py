"""Plain data across OpsGuard's seal: the only values that cross between the test side and the code side.

Plain means exactly None, bool, int, float, str, bytes, and builtin list, tuple, dict, set and
frozenset of plain values. Types are checked with `type(v) is ...`, never isinstance, so a subclass
(an int whose __eq__ lies, a list with a custom __iter__) is not plain. On the wire every value is
JSON: lists as arrays, everything else JSON cannot tell apart as a one-key object.
"""
import base64

MAX_DEPTH = 64


class NotPlain(Exception):
    """The value holds something other than plain data."""


def encode(value, depth=0):
    if depth > MAX_DEPTH:
        raise NotPlain("a value nested more than %d levels deep" % MAX_DEPTH)
    kind = type(value)
    if value is None or kind is bool or kind is int or kind is float or kind is str:
        return value
    if kind is bytes:
        return {"$b": base64.b64encode(value).decode("ascii")}
    if kind is list:
        return [encode(item, depth + 1) for item in value]
    if kind is tuple:
        return {"$t": [encode(item, depth + 1) for item in value]}
    if kind is set:
        return {"$s": [encode(item, depth + 1) for item in value]}
    if kind is frozenset:
        return {"$f": [encode(item, depth + 1) for item in value]}
    if kind is dict:
        return {"$d": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]}
    raise NotPlain("a %s" % _type_name(kind))


def decode(wire, depth=0):
    if depth > MAX_DEPTH:
        raise ValueError("nested too deep")
    kind = type(wire)
    if wire is None or kind is bool or kind is int or kind is float or kind is str:
        return wire
    if kind is list:
        return [decode(item, depth + 1) for item in wire]
    if kind is dict and len(wire) == 1:
        (tag, body), = wire.items()
        if tag == "$b" and type(body) is str:
            return base64.b64decode(body.encode("ascii"), validate=True)
        if type(body) is list:
            if tag == "$t":
                return tuple(decode(item, depth + 1) for item in body)
            if tag == "$s":
                return {decode(item, depth + 1) for item in body}
            if tag == "$f":
                return frozenset(decode(item, depth + 1) for item in body)
            if tag == "$d":
                pairs = [decode(pair, depth + 1) for pair in body]
                if all(type(p) is list and len(p) == 2 for p in pairs):
                    return {k: v for k, v in pairs}
    raise ValueError("not a plain value on the wire")


def _type_name(kind):
    try:
        return "%s.%s" % (kind.__module__, kind.__qualname__) if kind.__module__ != "builtins" else kind.__qualname__
    except Exception:
        return "value of unknown type"
