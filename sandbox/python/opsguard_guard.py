"""OpsGuard's runtime guard, shared by the entry runner and the pytest plugin: one call, install().

It installs an audit hook (sys.addaudithook) before any user code runs. The hook
  * reports, the moment they happen, the forbidden operations done by the code under judgement
    (the candidate's changed files, and code that exists only at run time: exec'd strings, files
    outside the workspace): frame and gc access, trace/profile changes, code-object replacement,
    exec/compile, ctypes, marshal, processes, reading /proc, the test files or OpsGuard's runners,
    importing OpsGuard's runners. Each is written to the evidence channel at once and then refused
    (the operation raises), so nothing the code learns that way can be used to retract the report.
  * in entry mode, observes the functions of the workspace through a trace function that is a C
    object (functools.partial(sys.audit, ...)): sys.gettrace() hands out nothing but sys.audit.
    For the watched functions (the failing path) it streams how each call ended, decided by the
    instruction the frame ended on (RETURN_VALUE is a return; anything else is an exception passing
    through), with a fingerprint of the call's arguments taken when the call started.

Who did an operation is decided by frames: the frame that made the call, or, for operations the
standard library never does for ordinary code, the nearest frame outside the standard library,
site-packages and OpsGuard. So dataclasses' exec, logging's frames and pytest's own machinery are
not the code under judgement; inspect.currentframe() called by a candidate is. In a thread whose
stack holds only the standard library (a callable handed to an executor or a thread) the operation
is the code under judgement's; so is code in a workspace file written after the guard started, and
an operation the hook fails to judge is refused, never let through.

What no audit event shows (rebinding a module's function, a class's method) is compared with
references protect() keeps: the pytest plugin protects pytest, pluggy, builtins and itself when the
session starts; the comparison runs on every "opsguard.check" audit event and at the end.

The nonce, the channel and every reference the checks rely on live only in this function's
closures: reachable through gc or frames, which the hook refuses to the code under judgement.
Records are lines "OPSGUARD-GUARD:<nonce>:<seq>:<json>" with seq counting from 0; a verdict needs an
unbroken sequence that ends in an "end" record (entry mode), so a process that dies early, or a
channel that was redirected (checked before every write), cannot leave a clean record.
"""


def install(config, observe=False):
    """Installs the guard for this process. Returns (failure, end, protect): failure(traceback)
    records the call fingerprints of an uncaught exception's frames, end(ended) writes the final
    record, protect(prefixes) keeps references to those modules' functions and classes, checked
    on every "opsguard.check" audit event and at the end."""
    import _thread
    import dis
    import functools
    import hashlib
    import json
    import os
    import sys
    import threading
    import time
    import types

    nonce = config.get("OPSGUARD_NONCE", "")
    # Files of the workspace written after this moment were brought in by the code at run time.
    start_time = time.time()
    cwd = os.getcwd()
    workspace = config.get("OPSGUARD_WORKSPACE", cwd).rstrip("/")
    normpath = os.path.normpath

    def absolute(path):
        return normpath(path if path.startswith("/") else cwd + "/" + path)

    def loads(name, default):
        try:
            return json.loads(config.get(name, "") or default)
        except ValueError:
            return json.loads(default)

    changed = frozenset(absolute(p) for p in loads("OPSGUARD_CHANGED", "[]"))
    judging = bool(changed)
    watch = {}  # (relative path, function) -> index in the watch list
    for index, pair in enumerate(loads("OPSGUARD_WATCH", "[]")):
        watch[(pair[0], pair[1])] = index
    # The failing call's [path, fingerprint]: a call in that file with those arguments is reported
    # even under another name, for a fix that renames the failing function (and its callers).
    failing = loads("OPSGUARD_FAILING", "null")
    failing = (failing[0], failing[1]) if isinstance(failing, list) and len(failing) == 2 and all(isinstance(v, str) for v in failing) else None
    runtime_dir = os.path.dirname(os.path.abspath(__file__))
    test_paths = frozenset(absolute(p) for p in loads("OPSGUARD_TESTS", "[]"))

    # Captured now: code under judgement may rebind any module attribute or builtin later.
    b_write, b_fstat, b_stat, b_getident = os.write, os.fstat, os.stat, _thread.get_ident
    b_getframe, b_len, b_isinstance, b_type, b_str = sys._getframe, len, isinstance, type, str
    b_sorted, b_repr, b_sha256, b_int_repr = sorted, repr, hashlib.sha256, int.__repr__
    b_qualname = type.__dict__["__qualname__"].__get__
    b_vars, b_callable, b_sys_modules, main_thread = vars, callable, sys.modules, _thread.get_ident()
    FrameType, CodeType = types.FrameType, types.CodeType
    threading_module = threading

    def identity(path):
        try:
            st = b_stat(path)
            return (st.st_dev, st.st_ino)
        except (OSError, ValueError, TypeError):
            return None

    test_ids = frozenset(i for i in (identity(p) for p in test_paths) if i)
    runtime_id = identity(runtime_dir)
    proc_dev = (identity("/proc") or (None, None))[0]

    system_prefixes = tuple(
        sorted({normpath(p) + "/" for p in (sys.prefix + "/lib", sys.base_prefix + "/lib", "/usr/lib/python3", "/usr/local/lib", runtime_dir)})
    )

    # ---- the channel -------------------------------------------------------------------------
    evidence_fd = os.dup(2)
    try:
        st = b_fstat(evidence_fd)
        channel_id = (st.st_dev, st.st_ino)
    except OSError:
        channel_id = None
    state = {"seq": 0, "swapped": False, "ended": False}
    escapes = {i: "\\u%04x" % i for i in list(range(32)) + list(range(127, 256))}
    escapes[ord('"')] = '\\"'
    escapes[ord("\\")] = "\\\\"

    def encode(value):
        kind = b_type(value)
        if value is None:
            return "null"
        if value is True:
            return "true"
        if value is False:
            return "false"
        if kind is int:
            return b_int_repr(value)
        if kind is str:
            text = value.translate(escapes).encode("ascii", "backslashreplace").decode("ascii")
            return '"' + text.replace("\\U", "\\u00") + '"'
        if kind is list or kind is tuple:
            return "[" + ",".join([encode(v) for v in value]) + "]"
        if kind is dict:
            return "{" + ",".join([encode(k) + ":" + encode(v) for k, v in value.items()]) + "}"
        return encode(b_str(kind))

    def write(record, after_end=False):
        if state["ended"] and not after_end:
            return
        if channel_id is not None:
            try:
                st = b_fstat(evidence_fd)
                if (st.st_dev, st.st_ino) != channel_id:
                    state["swapped"] = True
            except OSError:
                state["swapped"] = True
        seq = state["seq"]
        state["seq"] = seq + 1
        data = ("\nOPSGUARD-GUARD:%s:%s:%s\n" % (nonce, b_int_repr(seq), encode(record))).encode()
        try:
            while data:
                data = data[b_write(evidence_fd, data):]
        except OSError:
            state["swapped"] = True

    # ---- who is calling ------------------------------------------------------------------------
    kinds = {}  # code object -> "system" | "trusted" | "judged"; codes live as long as the process

    def kind_of(code):
        kind = kinds.get(code)
        if kind is None:
            name = code.co_filename
            if name.startswith("<frozen") or absolute(name).startswith(system_prefixes):
                kind = "system"
            elif not judging:
                kind = "trusted"
            elif absolute(name) in changed:
                kind = "judged"
            elif name.startswith("<") or not absolute(name).startswith(workspace + "/"):
                kind = "judged"  # exec'd strings and files the candidate brought in at run time
            else:
                kind = "judged" if written_since_start(name) else "trusted"
            kinds[code] = kind
        return kind

    def written_since_start(name):
        try:
            st = b_stat(absolute(name))
        except (OSError, ValueError):
            return True  # gone already: removed by the code that wrote it
        return max(st.st_mtime, st.st_ctime) >= start_time

    # Standard-library functions that hand a frame to their caller: their caller is responsible.
    handers = {("inspect.py", n) for n in ("currentframe", "stack", "trace", "getouterframes", "getinnerframes")}
    handers |= {("traceback.py", "walk_stack"), ("traceback.py", "walk_tb")}

    def where(frame):
        code = frame.f_code
        return "%s line %s in %s" % (relative(code.co_filename), frame.f_lineno, code.co_name)

    def relative(name):
        path = absolute(name)
        return path[len(workspace) + 1 :] if path.startswith(workspace + "/") else path

    def immediate(frame):
        """The calling frame, unless it is a standard-library function that hands frames out."""
        if frame is None:
            return None
        code = frame.f_code
        if kind_of(code) == "system":
            base = code.co_filename.rsplit("/", 1)[-1]
            if (base, code.co_name) in handers:
                return effective(frame)
        return frame

    def effective(frame, importing=False):
        """The nearest frame outside the standard library, site-packages and OpsGuard; None when
        the import system is doing the work (loading byte-code, reading a module's source)."""
        while frame is not None and kind_of(frame.f_code) == "system":
            if not importing and frame.f_code.co_filename.startswith("<frozen importlib"):
                return None
            frame = frame.f_back
        return frame

    FRAME_ATTRIBUTES = frozenset(("tb_frame", "gi_frame", "gi_code", "cr_frame", "cr_code", "ag_frame", "ag_code", "f_back"))
    BY_CALLER = frozenset(("sys._getframe", "exec", "compile"))
    BY_CODE = frozenset(
        (
            "sys._current_frames", "sys.settrace", "sys.setprofile", "sys.addaudithook",
            "gc.get_objects", "gc.get_referrers", "gc.get_referents",
            "marshal.loads", "marshal.load", "code.__new__", "function.__new__",
            "os.fork", "os.forkpty", "os.exec", "os.posix_spawn", "os.spawn", "os.system",
            "subprocess.Popen", "pty.spawn",
        )
    )
    RUNNERS = frozenset(
        (
            "opsguard_entry", "opsguard_pytest", "opsguard_guard", "opsguard_handoff", "opsguard_verify",
            "opsguard_seal", "opsguard_seal_client", "opsguard_seal_server", "opsguard_seal_values", "opsguard_elsewhere",
        )
    )

    def forbidden_by(event, args, caller):
        """The frame responsible when `event` is forbidden, else None."""
        if event in BY_CALLER:
            frame = immediate(caller)
        elif event in BY_CODE or event.startswith("ctypes."):
            frame = effective(caller)
        elif event == "object.__getattr__":
            if b_len(args) < 2 or args[1] not in FRAME_ATTRIBUTES:
                return None
            frame = immediate(caller)
        elif event == "object.__setattr__":
            if b_len(args) < 2 or args[1] != "__code__":
                return None
            frame = effective(caller)
        elif event == "open" or event == "os.listdir" or event == "os.scandir":
            path = args[0] if args else None
            if not (b_isinstance(path, str) or b_isinstance(path, bytes)):
                return None
            found = identity(path)
            if found is None:
                return None
            if event == "open" and written_bytecode(path):
                # Byte-code the code wrote at run time claims any file name it likes (a system
                # file's, whose operations nobody judges): loading it is the code's own doing.
                return nearest_judged(caller)
            if found[0] != proc_dev and found not in test_ids and found != runtime_id and not in_runtime(path):
                return None
            if found[0] != proc_dev and found not in test_ids and running(path, caller):
                return None  # a runner's source shown for its own frame (a warning's or traceback's line)
            # The import system reading a test file is the code that asked it to, wherever that is
            # on the stack (module.__loader__.get_source, importlib.reload of a test module).
            frame = effective(caller) or nearest_judged(caller)
        elif event == "import":
            if not args or (args[0] not in RUNNERS and args[0] not in ("ctypes", "_ctypes")):
                return None
            frame = effective(caller, importing=True)
        else:
            return None
        if frame is not None and kind_of(frame.f_code) == "judged":
            return frame
        if judging and event not in TRACE_SETTERS and b_getident() != main_thread and runs_no_repository_code(caller):
            return HANDED
        return None

    # A thread whose stack holds nothing but the standard library (an executor's worker, a thread
    # whose target is a C function) runs what someone handed it: the standard library does none of
    # these operations there on its own behalf, so they count as the code under judgement's.
    # threading's bootstrap installs the trace function in every new thread; switching tracing off
    # is what the trace checks see.
    TRACE_SETTERS = frozenset(("sys.settrace", "sys.setprofile"))
    HANDED = "a thread that runs no repository code (a callable handed to a thread or an executor)"

    def runs_no_repository_code(frame):
        while frame is not None:
            code = frame.f_code
            if kind_of(code) != "system" or code.co_filename.startswith("<frozen importlib"):
                return False
            frame = frame.f_back
        return True

    def written_bytecode(path):
        text = path.decode(errors="replace") if b_isinstance(path, bytes) else path
        if not text.endswith(".pyc"):
            return False
        return written_since_start(text)

    def running(path, frame):
        """Whether `path` is the file of a frame on the stack: its code is already running there."""
        text = absolute(path.decode(errors="replace") if b_isinstance(path, bytes) else path)
        while frame is not None:
            if absolute(frame.f_code.co_filename) == text:
                return True
            frame = frame.f_back
        return False

    def nearest_judged(frame):
        while frame is not None and kind_of(frame.f_code) != "judged":
            frame = frame.f_back
        return frame

    def in_runtime(path):
        text = path.decode(errors="replace") if b_isinstance(path, bytes) else path
        return absolute(text).startswith(runtime_dir + "/")

    # ---- what the watched functions did -----------------------------------------------------------
    RETURNS = frozenset(dis.opmap[name] for name in ("RETURN_VALUE", "RETURN_CONST") if name in dis.opmap)
    SUSPENDS = frozenset(dis.opmap[name] for name in ("YIELD_VALUE",) if name in dis.opmap)
    observed = {}  # code -> (relative path, function) or None
    started = {}  # id(frame) -> [frame, fingerprint, last exception type]
    unwound = []  # the most recent frames that ended by an exception: [frame, fingerprint]
    counts = {}  # "path:function" -> {"calls", "returns", "raised"}
    seen = set()
    tracer = functools.partial(sys.audit, "opsguard.trace")

    def observed_key(code):
        if code in observed:
            return observed[code]
        key = None
        name = code.co_filename
        path = absolute(name)
        if not name.startswith("<") and path.startswith(workspace + "/") and path not in test_paths:
            key = (path[len(workspace) + 1 :], code.co_name)
        observed[code] = key
        return key

    def canonical(value, depth):
        kind = b_type(value)
        if value is None or value is True or value is False or kind is int or kind is float:
            return b_repr(value)
        if kind is str or kind is bytes:
            return b_repr(value[:2000]) + ("+%d" % b_len(value) if b_len(value) > 2000 else "")
        if depth > 3:
            return "..."
        if kind is list or kind is tuple:
            items = [canonical(v, depth + 1) for v in value[:100]]
            return ("[%s]" if kind is list else "(%s)") % ",".join(items) + ("+%d" % b_len(value) if b_len(value) > 100 else "")
        if kind is dict:
            items = [canonical(k, depth + 1) + ":" + canonical(v, depth + 1) for k, v in list(value.items())[:100]]
            return "{%s}" % ",".join(items)
        if kind is set or kind is frozenset:
            return "{%s}" % ",".join(b_sorted(canonical(v, depth + 1) for v in list(value)[:100]))
        return "<%s>" % b_qualname(kind)

    def fingerprint(frame):
        """None for a call without input (no arguments, or only None/empty ones)."""
        code = frame.f_code
        count = code.co_argcount + code.co_kwonlyargcount + (1 if code.co_flags & 4 else 0) + (1 if code.co_flags & 8 else 0)
        if count == 0:
            return None
        values = frame.f_locals
        parts, meaningful = [], False
        for name in code.co_varnames[:count]:
            value = values.get(name)
            if value is not None and not ((b_type(value) in (list, tuple, dict, str)) and b_len(value) == 0):
                meaningful = True
            parts.append(name + "=" + canonical(value, 0))
        if not meaningful:
            return None
        return b_sha256(",".join(parts).encode("utf-8", "backslashreplace")).hexdigest()[:16]

    def once(record, key):
        if key not in seen:
            seen.add(key)
            write(record)

    def on_trace(frame, what, arg):
        code = frame.f_code
        key = observed_key(code)
        if key is None:
            return
        ident = id(frame)
        if what == "call":
            if ident not in started:  # a generator's resume is a call too
                started[ident] = [frame, fingerprint(frame), None]
            frame.f_trace_lines = False
            frame.f_trace = tracer
            if key in watch:
                stat_for(key)["calls"] += 1
                once({"k": "call", "f": list(key)}, ("call", key))
        elif what == "exception":
            entry = started.get(ident)
            if entry is not None and b_type(arg) is tuple and arg:
                entry[2] = b_qualname(arg[0])
        elif what == "return":
            entry = started.get(ident)
            if entry is None:
                return
            op = code.co_code[frame.f_lasti] if frame.f_lasti >= 0 else -1
            if op in SUSPENDS:
                return
            del started[ident]
            ok = op in RETURNS
            if not ok:
                unwound.append([frame, entry[1]])
                if b_len(unwound) > 64:
                    del unwound[0]
            if key in watch:
                stats = stat_for(key)
                stats["returns" if ok else "raised"] += 1
                once({"k": "ret", "f": list(key), "fp": entry[1], "ok": ok, "exc": None if ok else entry[2]}, ("ret", key, entry[1], ok))
            elif failing is not None and entry[1] is not None and key[0] == failing[0] and entry[1] == failing[1]:
                once({"k": "ret", "f": list(key), "fp": entry[1], "ok": ok, "exc": None if ok else entry[2]}, ("ret", key, entry[1], ok))

    def stat_for(key):
        name = "%s:%s" % key
        stats = counts.get(name)
        if stats is None:
            stats = counts[name] = {"calls": 0, "returns": 0, "raised": 0}
        return stats

    # ---- the hook ----------------------------------------------------------------------------------
    busy = {}
    tampered = []

    def check_trace_hooks():
        if threading_module._trace_hook is not tracer and "threading.settrace" not in tampered:
            tampered.append("threading.settrace")
            write({"k": "tamper", "what": "threading.settrace"})

    def hook(event, args):
        if event.startswith("opsguard."):
            pass
        elif event not in BY_CALLER and event not in BY_CODE and event not in OTHER_EVENTS and not event.startswith("ctypes."):
            return
        ident = b_getident()
        if ident in busy:
            return
        busy[ident] = True
        refusal = None
        try:
            caller = b_getframe(1)
            if event == "opsguard.check":
                check_protected()
            elif event == "opsguard.trace":
                frame = args[0] if args else None
                if b_type(frame) is not FrameType or frame is not caller:
                    refusal = ("a forged trace event", caller)
                elif observe:
                    on_trace(frame, args[1], args[2])
                    check_trace_hooks()
            elif event.startswith("opsguard."):
                refusal = ("a forged OpsGuard event", caller)
            else:
                responsible = forbidden_by(event, args, caller)
                if responsible is not None:
                    refusal = (event, responsible)
            if refusal is not None:
                op, frame = refusal
                detail = args[1] if event in ("object.__getattr__", "object.__setattr__") and b_len(args) > 1 else None
                shown = op if detail is None else "%s(%s)" % (op, detail)
                if event in ("open", "os.listdir", "os.scandir", "import") and args:
                    shown = "%s %s" % (event, b_str(args[0])[:200])
                place = HANDED if frame is HANDED else where(frame) if frame is not None else "?"
                write({"k": "forbidden", "op": shown, "where": place}, after_end=True)
        except Exception:
            # The guard must never break the code it watches, but must not fail open either: an
            # operation it could not judge (its own frames did not fit under the recursion limit,
            # say) is refused while code is under judgement.
            refusal = ("%s (the guard could not judge who did it)" % event, None) if judging and event in WATCHED else None
        finally:
            del busy[ident]
        if refusal is not None and judging:
            raise RuntimeError("OpsGuard: %s is not allowed in code under verification" % refusal[0])

    OTHER_EVENTS = frozenset(("object.__getattr__", "object.__setattr__", "open", "os.listdir", "os.scandir", "import"))
    WATCHED = BY_CALLER | BY_CODE | OTHER_EVENTS

    # ---- what audit hooks do not see: rebinding module globals and class attributes -------------
    protected = []  # [label, module or None, live namespace, {name: value at snapshot}, new names matter]
    reported = set()

    def watched_value(value):
        return b_callable(value) or b_type(value) in (property, classmethod, staticmethod)

    def protect(prefixes):
        """Keeps references to the functions and classes of the loaded modules named by `prefixes`
        (and their classes' methods); any later rebinding is reported as tampering."""
        for name, module in list(b_sys_modules.items()):
            if module is None or not any(name == p or name.startswith(p + ".") for p in prefixes):
                continue
            everything = name.startswith("opsguard")  # the runners rebind none of their globals
            namespace = b_vars(module)
            entries = {k: v for k, v in list(namespace.items()) if everything or watched_value(v)}
            protected.append([name, module, namespace, entries, False])
            if name == "builtins":
                continue  # builtin types cannot be changed
            for value in entries.values():
                if b_isinstance(value, type) and value.__dict__.get("__module__") == name:
                    methods = {k: v for k, v in list(value.__dict__.items()) if watched_value(v)}
                    protected.append(["%s.%s" % (name, b_qualname(value)), None, value.__dict__, methods, True])

    def check_protected():
        if not judging:
            return
        for label, module, namespace, entries, new_names in protected:
            found = None
            if module is not None and b_sys_modules.get(label) is not module:
                found = "sys.modules[%r] was replaced" % label
            else:
                for key, value in entries.items():
                    if namespace.get(key, protected) is not value:
                        found = "%s.%s was replaced" % (label, key)
                        break
                if found is None and new_names:
                    for key in list(namespace.keys()):
                        if key not in entries and watched_value(namespace[key]):
                            found = "%s.%s was added" % (label, key)
                            break
            if found is not None and found not in reported:
                reported.add(found)
                write({"k": "tamper", "what": found})

    sys.addaudithook(hook)
    if observe:
        threading.settrace(tracer)
        sys.settrace(tracer)

    def failure(tb):
        """Records the call fingerprints of the frames an uncaught exception went through."""
        chain = []
        recent = {id(entry[0]): entry[1] for entry in unwound}
        while tb is not None:
            frame = tb.tb_frame
            key = observed_key(frame.f_code)
            if key is not None:
                chain.append([key[0], key[1], tb.tb_lineno, recent.get(id(frame))])
            tb = tb.tb_next
        write({"k": "failure", "chain": chain})

    def end(ended):
        check_protected()
        if observe:
            if sys.gettrace() is not tracer:
                write({"k": "tamper", "what": "sys.settrace"})
            check_trace_hooks()
        write({"k": "end", "ended": ended, "watched": counts, "channel": "swapped" if state["swapped"] else "intact"})
        state["ended"] = True

    return failure, end, protect
