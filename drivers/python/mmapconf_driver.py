"""mmapconf's adapter for Python interpreters.

Drives the `mmap` module (or pywin32's `mmapfile`, with `--api mmapfile`) of
whatever interpreter runs this file, for the mmapconf conformance harness:

    PYTHON mmapconf_driver.py [--api mmap|mmapfile]

It speaks the adapter protocol, version 2, that harness/PROTOCOL.md specifies:
a hello line, then one JSON request per line on stdin, answered by one JSON
line on stdout per step and a `done` (or an `error`). It uses the standard
library only and runs unchanged on CPython 2.7 and 3.6+, PyPy and RustPython,
hence no f-strings, no annotations, nothing newer than 2.7 offers.
"""

from __future__ import absolute_import, division, print_function

import binascii
import json
import keyword
import os
import platform
import re
import sys
import traceback

try:
    import gc
except ImportError:  # only needed to unmap promptly between scenarios
    gc = None

PY2 = sys.version_info[0] == 2
if PY2:
    import __builtin__ as BUILTINS_MODULE
    TEXT, INTS = unicode, (int, long)  # noqa: F821 (Python 2 names)
else:
    import builtins as BUILTINS_MODULE
    TEXT, INTS = str, (int,)
if hasattr(sys, 'set_int_max_str_digits'):
    sys.set_int_max_str_digits(0)  # 3.11+ would refuse str() of huge ints

PROTOCOL = 2  # the version of harness/PROTOCOL.md this file speaks
BUILTIN_MODULES = ('builtins', '__builtin__', 'exceptions')  # reported unqualified
BINOPS = ('+', '-', '*', '//', '**')
FILE_ARITY = {'fileno': 0, 'path': 0, 'size': 0, 'read': 0, 'pwrite': 2,
              'truncate': 1, 'tell': 0, 'seek': 1, 'close': 0}
# The harness's own names, checked first so that an alias never hides them.
SIGNAL_NAMES = ('SIGBUS', 'SIGSEGV', 'SIGABRT', 'SIGKILL', 'SIGILL',
                'SIGFPE', 'SIGTERM', 'SIGPIPE')


class AdapterError(Exception):
    """A failure of the adapter, not of the implementation: an `error` message."""


class Index(object):
    """`Index(n)`: only `__index__` (no `__int__`), so no other hook can differ."""
    __module__ = 'mmapconf'

    def __init__(self, n):
        self.n = n

    def __index__(self):
        return self.n

    def __repr__(self):
        return 'Index(%s)' % (self.n,)


class ClosingIndex(object):
    """`ClosingIndex(m, n)`: `__index__` closes the map `m`, then returns `n`,
    so a method converting it finds its own map closed (gh-103987)."""
    __module__ = 'mmapconf'

    def __init__(self, m, n):
        self.m = m
        self.n = n

    def __index__(self):
        self.m.close()
        return self.n

    def __repr__(self):
        return 'ClosingIndex(%s)' % (self.n,)


class Buffer(object):
    """`Buffer(data)`: exports `data` through `__buffer__` (PEP 688), the
    buffer protocol Python code can implement from 3.12; before, a plain
    object."""
    __module__ = 'mmapconf'

    def __init__(self, data):
        self.data = data

    def __buffer__(self, flags):
        return memoryview(self.data)

    def __repr__(self):
        return 'Buffer(%r)' % (self.data,)


BUILTINS = {'len': len, 'bytes': bytes, 'bytearray': bytearray, 'list': list,
            'repr': repr, 'memoryview': memoryview, 'slice': slice, 'Index': Index,
            'ClosingIndex': ClosingIndex, 'Buffer': Buffer}
# Reference counting unmaps a dropped map at once; elsewhere (PyPy, RustPython)
# only a collection does, and maps must not pile up between scenarios.
NEEDS_COLLECTION = platform.python_implementation() != 'CPython'
COMPILED = {}  # (source, mode) -> code: steps recur across scenarios
AUDIT_EVENTS = []  # the module's audit events since the scenario began


def audit_hook(event, args):
    if event.startswith('mmap.'):
        AUDIT_EVENTS.append((event, args))


def audit_events():
    """`audit_events()`: the `mmap.*` audit events raised since the scenario
    began, as (name, args) tuples; only where audit hooks exist (3.8+)."""
    return list(AUDIT_EVENTS)


if hasattr(sys, 'addaudithook'):  # hooks cannot be removed: one for the process
    sys.addaudithook(audit_hook)
    BUILTINS['audit_events'] = audit_events

MODULES = ('pickle', 'copy')  # imported when named: a missing one is a result
OUTPUT_FD = None  # the protocol's copy of stdout, once main() made it


def text(x):
    """`x` as unicode text; Python 2 byte strings are decoded leniently."""
    return x.decode('utf-8', 'replace') if isinstance(x, bytes) else TEXT(x)


def native(name):
    """A name from a request as the interpreter's own `str`."""
    if not isinstance(name, TEXT):
        raise AdapterError('a name must be a string: %s' % json.dumps(name))
    return name.encode('utf-8') if PY2 else name


def type_name(t):
    name = getattr(t, '__qualname__', None) or getattr(t, '__name__', '?')
    module = getattr(t, '__module__', None)
    if not module or module in BUILTIN_MODULES:
        return text(name)
    return text(module) + '.' + text(name)


def describe_exception(e):
    try:
        message = text(str(e))
    except Exception:  # Python 2: a non-ASCII unicode message
        try:
            message = text(TEXT(e))
        except Exception:
            message = '<unprintable %s object>' % type(e).__name__
    number = getattr(e, 'errno', None)
    if not isinstance(number, INTS) or isinstance(number, bool):
        number = None
    return {'type': type_name(type(e)), 'message': message, 'errno': number}


def one_key(obj, what):
    if not isinstance(obj, dict) or len(obj) != 1:
        raise AdapterError('a %s must be an object with one key: %s' % (what, json.dumps(obj)))
    return list(obj.items())[0]


def fields(obj, what, required, optional=()):
    """The values of `obj`'s keys, in order; unknown or missing keys are errors."""
    if not isinstance(obj, dict):
        raise AdapterError('%s must be an object: %s' % (what, json.dumps(obj)))
    for key in obj:
        if key not in required and key not in optional:
            raise AdapterError("unsupported field '%s' in %s" % (key, what))
    for key in required:
        if key not in obj:
            raise AdapterError("%s lacks the field '%s'" % (what, key))
    return [obj.get(key) for key in required + optional]


def items_of(obj, what):
    if not isinstance(obj, list):
        raise AdapterError('%s must be an array: %s' % (what, json.dumps(obj)))
    return obj


def literal(value):
    """A VALUE (section 7) made as Python 3 reads it: "str" is unicode."""
    kind, v = fields(value, 'a value', ('type',), ('value',))
    if kind == 'none':
        return None
    if kind == 'bool' and isinstance(v, bool):
        return v
    if kind == 'int' and isinstance(v, TEXT) and re.match(r'-?[0-9]+\Z', v):
        return int(v)
    if kind == 'float' and isinstance(v, (float,) + INTS) and not isinstance(v, bool):
        return float(v)
    if kind == 'bytes' and isinstance(v, TEXT) and re.match(r'([0-9a-fA-F]{2})*\Z', v):
        return binascii.unhexlify(v.encode('ascii'))
    if kind == 'str' and isinstance(v, TEXT):
        return v
    if kind in ('list', 'tuple') and isinstance(v, list):
        made = [literal(item) for item in v]
        return made if kind == 'list' else tuple(made)
    raise AdapterError('unsupported literal %s' % json.dumps(value))


def signal_name(number):
    try:
        import signal
    except ImportError:
        return 'signal %d' % number
    for name in SIGNAL_NAMES:
        if getattr(signal, name, None) == number:
            return name
    try:
        return signal.Signals(number).name
    except Exception:  # before 3.5, or a number it does not know
        return 'signal %d' % number


def emitter(fd):
    """Writes messages to `fd` with os.write: nothing stays buffered, so a
    forked child cannot flush its parent's output."""
    def emit(msg):
        data = json.dumps(msg, separators=(',', ':'), allow_nan=False) + '\n'
        data = data if isinstance(data, bytes) else data.encode('ascii')
        while data:
            data = data[os.write(fd, data):]
    return emit


class ScenarioFile(object):
    """The scenario's file on the adapter's own descriptor (section 5)."""

    def __init__(self, spec):
        self.path, mode = fields(spec, 'file', ('path', 'mode'))
        flags = {'rb': os.O_RDONLY, 'r+b': os.O_RDWR, 'wb': os.O_WRONLY}.get(mode)
        if flags is None:
            raise AdapterError('unknown file mode %s; expected rb, r+b or wb' % json.dumps(mode))
        try:  # never O_CREAT or O_TRUNC: the harness wrote the content
            self.fd = os.open(self.path, flags | getattr(os, 'O_BINARY', 0))
        except (OSError, IOError) as e:
            raise AdapterError('cannot open %s: %s' % (self.path, describe_exception(e)['message']))

    def close(self):
        fd, self.fd = self.fd, None
        if fd is not None:
            os.close(fd)

    def call(self, method, args):
        if FILE_ARITY.get(method) != len(args):
            raise AdapterError('unsupported file step %s with %d arguments' % (method, len(args)))
        if method == 'close':
            return self.close()
        if method == 'path':
            return text(self.path)
        fd = self.fd
        if fd is None:
            raise ValueError('I/O operation on closed file')
        if method == 'fileno':
            return fd
        if method == 'size':
            return os.fstat(fd).st_size
        if method == 'read':  # by path, so the descriptor's position stays
            with open(self.path, 'rb') as f:
                return f.read()
        if method == 'truncate':
            return os.ftruncate(fd, args[0])
        if method == 'tell':
            return os.lseek(fd, 0, os.SEEK_CUR)
        if method == 'seek':
            return os.lseek(fd, args[0], os.SEEK_SET)
        if hasattr(os, 'pwrite'):
            return os.pwrite(fd, args[0], args[1])
        position = os.lseek(fd, 0, os.SEEK_CUR)  # Python 2 has no os.pwrite
        try:
            os.lseek(fd, args[1], os.SEEK_SET)
            return os.write(fd, args[0])
        finally:
            os.lseek(fd, position, os.SEEK_SET)


def count_steps(steps):
    """How many outcomes `steps` produce: each step, and a fork's child steps."""
    total = 0
    for step in items_of(steps, 'steps'):
        kind, body = one_key(step, 'step')
        total += 1 + (count_steps(body) if kind == 'fork' else 0)
    return total


def innermost_body_end(steps, first, step):
    """For `steps` whose first has index `first`: the index after the
    innermost fork body that holds step `step`, or None if none does."""
    index = first
    for item in items_of(steps, 'steps'):
        kind, body = one_key(item, 'step')
        index += 1
        if kind == 'fork':
            end = index + count_steps(body)
            if index <= step < end:
                return innermost_body_end(body, index, step) or end
            index = end
    return None


def identifier(name):
    """A name from a request, checked to be a plain Python identifier."""
    name = native(name)
    if not re.match(r'[A-Za-z_][A-Za-z0-9_]*\Z', name) or name.startswith('_mmapconf_') \
            or name in ('None', 'True', 'False') or keyword.iskeyword(name):
        raise AdapterError('unsupported name %s' % json.dumps(text(name)))
    return name


class Names(object):
    """The names an expression's source sees: its hidden constants, then the
    scenario's names. A name neither holds raises the interpreter's own
    NameError."""

    def __init__(self, scenario, consts):
        self.scenario, self.consts = scenario, consts

    def __getitem__(self, name):
        if name in self.consts:
            return self.consts[name]
        return self.scenario.lookup(name)


class Scenario(object):
    """One request's state: its names, its file, where outcomes go."""

    def __init__(self, module, emit, file_spec):
        self.module, self.emit = module, emit
        self.env, self.order = {}, []  # order: the names as first bound
        self.file = None if file_spec is None else ScenarioFile(file_spec)
        del AUDIT_EVENTS[:]

    def release(self):
        """Drops every object and closes the file, so maps are unmapped
        before the next scenario (PyPy needs the collection for that)."""
        self.env, self.order = {}, []
        if self.file is not None:
            try:
                self.file.close()
            except OSError:
                pass
        if PY2:
            sys.exc_clear()  # the last traceback would keep objects alive
        if gc is not None and NEEDS_COLLECTION:
            gc.collect()

    # Steps (section 4)

    def run_steps(self, steps, index):
        """Runs `steps`, the first of which is step `index`; returns the next index."""
        for step in items_of(steps, 'steps'):
            kind, body = one_key(step, 'step')
            if kind == 'fork':
                index = self.fork(body, index)
                continue
            handler = getattr(self, 'step_' + kind, None)
            if handler is None:
                raise AdapterError("unsupported step kind '%s'" % kind)
            try:
                outcome = {'step': index, 'returned': handler(body)}
            except AdapterError:
                raise
            except (Exception, SystemExit, GeneratorExit) as e:
                # The implementation's doing, even a SystemExit: a result.
                outcome = {'step': index, 'raised': describe_exception(e)}
            self.emit(outcome)
            index += 1
        return index

    def step_eval(self, expr):
        return self.observe(self.eval(expr))

    def step_assign(self, body):
        name, expr = fields(body, 'assign', ('name', 'value'))
        value = self.eval(expr)
        seen = self.observe(value)  # before binding: `m = mmap(...)` is an object
        self.bind(name, value)
        return seen

    def step_setitem(self, body):
        target, key, value = fields(body, 'setitem', ('target', 'key', 'value'))
        consts = {}
        src = '(%s)[%s] = %s' % (self.source(target, consts), self.subscript(key, consts),
                                 self.source(value, consts))
        self.run_source(src, consts, 'exec')
        return self.observe(None)

    def step_setattr(self, body):
        target, name, value = fields(body, 'setattr', ('target', 'name', 'value'))
        consts = {}
        src = '(%s).%s = %s' % (self.source(target, consts), identifier(name),
                                self.source(value, consts))
        self.run_source(src, consts, 'exec')
        return self.observe(None)

    def step_delitem(self, body):
        target, key = fields(body, 'delitem', ('target', 'key'))
        consts = {}
        src = 'del (%s)[%s]' % (self.source(target, consts), self.subscript(key, consts))
        self.run_source(src, consts, 'exec')
        return self.observe(None)

    def step_enter(self, body):
        name, expr = fields(body, 'enter', ('name', 'value'))
        manager = self.eval(expr)
        value = manager.__enter__()
        self.bind(name, manager)  # first, so returning the manager shows as `name`
        seen = self.observe(value)
        self.bind(name, value)
        return seen

    def step_exit(self, body):
        name, = fields(body, 'exit', ('name',))
        name = native(name)
        if name not in self.env:
            raise NameError("name '%s' is not defined" % name)
        return self.observe(self.env[name].__exit__(None, None, None))

    def fork(self, steps, index):
        """Fork step `index`: the child runs `steps`, reporting through a pipe;
        the parent writes the fork's own outcome, then the child's (section 6)."""
        end = index + 1 + count_steps(steps)
        if not hasattr(os, 'fork'):
            raise AdapterError('fork steps need os.fork, which this platform lacks')
        read_end, write_end = os.pipe()
        try:
            pid = os.fork()
        except Exception as e:
            os.close(read_end)
            os.close(write_end)
            raise AdapterError('os.fork() failed: %s' % describe_exception(e)['message'])
        if pid == 0:
            self.run_child(steps, index + 1, read_end, write_end)
        os.close(write_end)
        chunks = [os.read(read_end, 65536)]
        while chunks[-1]:
            chunks.append(os.read(read_end, 65536))
        os.close(read_end)
        status = os.waitpid(pid, 0)[1]
        self.emit({'step': index, 'returned': self.observe(None)})
        next_step = index + 1
        for line in b''.join(chunks).split(b'\n'):
            try:
                msg = json.loads(line.decode('utf-8'))
            except ValueError:
                continue  # the empty tail, or a line cut short by the child's death
            if 'error' in msg:
                raise AdapterError(msg['error'])
            self.emit(msg)  # its index is already global: the child started at index + 1
            next_step = msg['step'] + 1
            if 'crashed' in msg:  # a grandchild died: its body's rest is skipped
                next_step = innermost_body_end(steps, index + 1, msg['step']) or next_step
        if next_step < end:
            if os.WIFSIGNALED(status):
                how = signal_name(os.WTERMSIG(status))
            else:
                how = 'exit status %d' % os.WEXITSTATUS(status)
            self.emit({'step': next_step, 'crashed': how})
        return end

    def run_child(self, steps, index, read_end, write_end):
        """The child's side of a fork; never returns."""
        code = 0
        try:
            os.close(read_end)
            try:
                os.close(OUTPUT_FD)  # the child must never reach stdout
            except (OSError, TypeError):
                pass  # closed already (a nested fork), or never opened
            self.emit = emitter(write_end)
            try:
                self.run_steps(steps, index)
            except AdapterError as e:
                self.emit({'error': text(e)})
        except BaseException:
            traceback.print_exc()
            code = 1
        finally:
            os._exit(code)

    # Expressions (section 4)
    #
    # An expression is rendered as Python source and evaluated by the
    # interpreter itself, so that everything a compiler decides is decided
    # as in a user's program: `m.find(x, start=0)` calls the method as a
    # method (on 3.11+ its errors name `mmap.find()`), `t[k] = v` evaluates
    # `v` first. Literal values and the harness's own objects reach the
    # source as hidden names; the scenario's names are looked up by `Names`.

    def eval(self, expr):
        consts = {}
        return self.run_source(self.source(expr, consts), consts, 'eval')

    def run_source(self, src, consts, mode):
        code = COMPILED.get((src, mode))
        if code is None:
            try:
                code = compile(src, '<step>', mode)
            except SyntaxError as e:
                raise AdapterError('cannot compile %s: %s' % (json.dumps(src), e))
            if len(COMPILED) >= 4096:
                COMPILED.clear()
            COMPILED[(src, mode)] = code
        # The real builtins, as a program has them (pickle, for one, imports
        # through them); the step's own names never reach them (src_name).
        scope = {'__builtins__': BUILTINS_MODULE}
        names = Names(self, consts)
        if mode == 'eval':
            return eval(code, scope, names)
        exec(code, scope, names)
        return None

    def const(self, value, consts):
        name = '_mmapconf_%d' % len(consts)
        consts[name] = value
        return name

    def source(self, expr, consts):
        """The Python source of EXPR `expr`."""
        kind, body = one_key(expr, 'expression')
        render = getattr(self, 'src_' + kind, None)
        if render is None:
            raise AdapterError("unsupported expression kind '%s'" % kind)
        return render(body, consts)

    def src_value(self, value, consts):
        return self.const(literal(value), consts)

    def src_tuple(self, items, consts):
        parts = [self.source(i, consts) for i in items_of(items, 'a tuple')]
        return '(%s%s)' % (', '.join(parts), ',' if len(parts) == 1 else '')

    def src_list(self, items, consts):
        return '[%s]' % ', '.join(self.source(i, consts) for i in items_of(items, 'a list'))

    def src_name(self, name, consts):
        name = identifier(name)
        try:
            self.lookup(name)
        except KeyError:
            # Not a name of the scenario: raise Python's NameError when the
            # evaluation reaches it, not before.
            def undefined():
                raise NameError("name '%s' is not defined" % name)
            return '%s()' % self.const(undefined, consts)
        return name

    def src_attr(self, body, consts):
        value, name = fields(body, 'attr', ('value', 'name'))
        return '(%s).%s' % (self.source(value, consts), identifier(name))

    def src_call(self, body, consts):
        func, args, kwargs = fields(body, 'call', ('func', 'args', 'kwargs'))
        parts = [self.source(a, consts) for a in items_of(args, 'args')]
        for kwarg in items_of(kwargs, 'kwargs'):
            name, value = fields(kwarg, 'a keyword argument', ('name', 'value'))
            parts.append('%s=%s' % (identifier(name), self.source(value, consts)))
        return '(%s)(%s)' % (self.source(func, consts), ', '.join(parts))

    def src_item(self, body, consts):
        value, key = fields(body, 'item', ('value', 'key'))
        return '(%s)[%s]' % (self.source(value, consts), self.subscript(key, consts))

    def subscript(self, key, consts):
        """A subscript's source: `a:b:c` for a slice, as a program writes it."""
        kind, body = one_key(key, 'expression')
        if kind != 'slice':
            return self.source(key, consts)
        start, stop, step = fields(body, 'slice', (), ('start', 'stop', 'step'))
        part = lambda p: '' if p is None else self.source(p, consts)
        text = '%s:%s' % (part(start), part(stop))
        return text if step is None else text + ':' + part(step)

    def src_slice(self, body, consts):
        parts = fields(body, 'slice', (), ('start', 'stop', 'step'))
        made = [self.const(None, consts) if p is None else self.source(p, consts) for p in parts]
        return '%s(%s)' % (self.const(slice, consts), ', '.join(made))

    def src_binop(self, body, consts):
        op, left, right = fields(body, 'binop', ('op', 'left', 'right'))
        if op not in BINOPS:
            raise AdapterError('unsupported operator %s' % json.dumps(op))
        return '(%s %s %s)' % (self.source(left, consts), native(op), self.source(right, consts))

    def src_neg(self, value, consts):
        return '(-%s)' % self.source(value, consts)

    def src_in(self, body, consts):
        item, container = fields(body, 'in', ('item', 'container'))
        return '(%s in %s)' % (self.source(item, consts), self.source(container, consts))

    def src_file(self, body, consts):
        method, args = fields(body, 'file', ('method', 'args'))
        method = native(method)
        if self.file is None:
            raise AdapterError('file step %s in a scenario without a file' % method)
        step = lambda *a: self.file.call(method, list(a))
        parts = [self.source(a, consts) for a in items_of(args, 'args')]
        return '%s(%s)' % (self.const(step, consts), ', '.join(parts))

    def lookup(self, name):
        """A name of the scenario (section 4's order); KeyError if none."""
        if name in self.env:
            return self.env[name]
        # The constructor (`mmap.mmap`, `mmapfile.mmapfile`) is the module's
        # attribute named as the module, so steps 2 and 3 of the lookup are one.
        try:
            return getattr(self.module, name)
        except AttributeError:
            pass
        if name in BUILTINS:
            return BUILTINS[name]
        if name in MODULES:
            try:
                return __import__(name)
            except ImportError:
                pass
        raise KeyError(name)

    # Values (section 7)

    def bind(self, name, value):
        name = native(name)
        if name not in self.env:
            self.order.append(name)
        self.env[name] = value

    def observe(self, x):
        t = type(x)  # exact types: a subclass of int is an object
        if x is None:
            return {'type': 'none'}
        if t is bool:
            return {'type': 'bool', 'value': x}
        if t in INTS:
            return {'type': 'int', 'value': text(str(x))}
        if t is float:
            if x != x or x in (float('inf'), float('-inf')):
                raise AdapterError('the protocol cannot carry the float %r' % x)
            return {'type': 'float', 'value': x}
        if t is bytes:
            return {'type': 'bytes', 'value': binascii.hexlify(x).decode('ascii')}
        if t is TEXT:
            return {'type': 'str', 'value': x}
        if t is list or t is tuple:
            return {'type': t.__name__, 'value': [self.observe(i) for i in x]}
        for name in self.order:
            if self.env[name] is x:
                return {'type': 'ref', 'value': name}
        return {'type': 'object', 'value': type_name(t)}


# The handshake (section 2) and the request loop

def implementation():
    impl = getattr(sys, 'implementation', None)
    name = getattr(impl, 'name', None)
    if not name:  # Python 2
        try:
            name = platform.python_implementation().lower()
        except Exception:
            name = 'cpython'
    found = re.search(re.escape(name) + r'\s+v?([0-9][^\s\])]*)', sys.version, re.I)
    if name == 'cpython':
        version = platform.python_version()
    elif hasattr(sys, 'pypy_version_info'):
        version = '%d.%d.%d' % tuple(sys.pypy_version_info[:3])
    elif found:  # "[RustPython 0.6.0 with rustc ...]"
        version = found.group(1)
    elif getattr(impl, 'version', None):
        version = '%d.%d.%d' % tuple(impl.version[:3])
    else:
        version = sys.version.split()[0]
    systems = {'darwin': 'macos', 'win32': 'windows', 'cygwin': 'windows'}
    system = 'linux' if sys.platform.startswith('linux') else systems.get(sys.platform, sys.platform)
    apis = ['mmap']
    try:
        import mmapfile  # noqa: F401 (pywin32's, on Windows)
        apis.append('mmapfile')
    except Exception:
        pass
    return {'name': name, 'version': version, 'python': '%d.%d' % sys.version_info[:2],
            'platform': system, 'api': apis}


LOADED = {}


def load_api(api):
    """The module a request's API drives, or the AdapterError that says why
    it cannot be imported."""
    if api not in LOADED:
        try:
            LOADED[api] = __import__(api)
        except Exception as e:  # every request of this API will say so
            LOADED[api] = AdapterError('cannot import %s: %s' % (api, describe_exception(e)['message']))
    return LOADED[api]


def handle(line, module, emit):
    """Runs one request line; every failure of the adapter is an `error`."""
    try:
        try:
            request = json.loads(line.decode('utf-8'))
        except ValueError as e:
            raise AdapterError('malformed request: %s' % describe_exception(e)['message'])
        kind, run = one_key(request, 'request')
        if kind != 'run':
            raise AdapterError("unsupported request '%s'" % kind)
        ident, file_spec, steps, api = fields(run, 'run', ('id', 'file', 'steps'), ('api',))
        if api not in (None, 'mmap', 'mmapfile'):
            raise AdapterError("unsupported api '%s'; expected mmap or mmapfile" % api)
        if api is not None:
            module = load_api(api)
        if isinstance(module, AdapterError):
            raise module
        scenario = Scenario(module, emit, file_spec)
        try:
            scenario.run_steps(steps, 0)
        finally:
            scenario.release()
        emit({'done': ident})
    except AdapterError as e:
        emit({'error': text(e)})
    except Exception as e:  # a bug of this file: say so and go on
        traceback.print_exc()
        emit({'error': 'adapter failure: %(type)s: %(message)s' % describe_exception(e)})


def main(argv):
    global OUTPUT_FD
    api = 'mmap'
    if len(argv) == 2 and argv[0] == '--api':
        api = argv[1]
    elif len(argv) == 1 and argv[0].startswith('--api='):
        api = argv[0][len('--api='):]
    elif argv:
        api = None
    if api not in ('mmap', 'mmapfile'):
        sys.stderr.write('usage: mmapconf_driver.py [--api mmap|mmapfile]\n')
        return 2
    # The protocol gets a private copy of stdout; descriptor 1 and sys.stdout
    # then lead to stderr, so a stray print (even from C) cannot corrupt it.
    sys.stdout.flush()
    OUTPUT_FD = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    emit = emitter(OUTPUT_FD)
    emit({'protocol': PROTOCOL, 'implementation': implementation()})
    module = load_api(api)
    stdin = getattr(sys.stdin, 'buffer', sys.stdin)  # bytes
    while True:
        line = stdin.readline()  # not iteration: Python 2 would read ahead and block
        if not line:
            return 0
        if line.strip():
            handle(line, module, emit)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
