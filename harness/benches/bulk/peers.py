"""Timing loops for CPython's mmap, run inside the interpreter embedded in the
`bulk` benchmark. Each function repeats one operation `iters` times on the
map `m` and returns the nanoseconds that took, measured inside the
interpreter, so neither the call from Rust nor the set-up between
repetitions (a seek back to 0) is charged to the operation."""

import mmap
from time import perf_counter_ns as now


def open_map(path):
    """A shared, writable map of the whole file at `path`."""
    with open(path, "r+b") as f:
        return mmap.mmap(f.fileno(), 0)


def find(m, needle, iters):
    find = m.find
    t = now()
    for _ in range(iters):
        find(needle, 0)
    return now() - t


def rfind(m, needle, iters):
    rfind = m.rfind
    t = now()
    for _ in range(iters):
        rfind(needle, 0)
    return now() - t


def readline(m, iters):
    """Every line of the map, from the start."""
    readline = m.readline
    total = 0
    for _ in range(iters):
        m.seek(0)
        t = now()
        while readline():
            pass
        total += now() - t
    return total


def read(m, chunk, iters):
    """The whole map, `chunk` bytes per call."""
    read = m.read
    calls = range(len(m) // chunk)
    total = 0
    for _ in range(iters):
        m.seek(0)
        t = now()
        for _ in calls:
            read(chunk)
        total += now() - t
    return total


def write(m, data, iters):
    """The whole map, `len(data)` bytes per call."""
    write = m.write
    calls = range(len(m) // len(data))
    total = 0
    for _ in range(iters):
        m.seek(0)
        t = now()
        for _ in calls:
            write(data)
        total += now() - t
    return total


def full_slice(m, iters):
    t = now()
    for _ in range(iters):
        m[:]
    return now() - t


def slice_assign(m, data, iters):
    t = now()
    for _ in range(iters):
        m[:] = data
    return now() - t


def overlapping_move(m, iters):
    n = len(m) - 1
    t = now()
    for _ in range(iters):
        m.move(1, 0, n)
    return now() - t


def _empty_loop(iters):
    """What `for _ in range(iters)` costs by itself, taken off the per-call
    figures so that they hold the calls alone."""
    t = now()
    for _ in range(iters):
        pass
    return now() - t


def seek(m, iters):
    seek = m.seek
    t = now()
    for _ in range(iters):
        seek(0)
    return max(now() - t - _empty_loop(iters), 0)


def tell(m, iters):
    tell = m.tell
    t = now()
    for _ in range(iters):
        tell()
    return max(now() - t - _empty_loop(iters), 0)


def read_byte(m, iters):
    m.seek(0)
    read_byte = m.read_byte
    t = now()
    for _ in range(iters):
        read_byte()
    return max(now() - t - _empty_loop(iters), 0)
