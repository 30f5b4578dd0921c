"""A faulty adapter for the harness's self-tests.

Usage: python3 faulty.py FAULT ADAPTER [ARG...]

It runs a real adapter (`mmapconf serve reference`, or the Python driver)
and passes the protocol through, except for the fault it plants:

  crash         a scenario whose id contains "boom" reports its first step,
                then the adapter dies of SIGSEGV
  exit          the same, but the adapter exits with status 3
  hang          a scenario whose id contains "boom" reports its first step,
                then the adapter sleeps until its parent (the harness) dies
  hog           the same, then allocates memory, 64 MiB at a time, up to 4 GiB
  garbage       the same, then writes a line that is not JSON
  flood         the same, then writes 65 MiB without a newline
  tell+1        every step that calls a `tell` method returns one more
  bad-json      the handshake is not JSON
  no-field      the handshake lacks implementation.python
  old-protocol  the handshake says protocol 0
  bad-step      the first outcome of every scenario has the wrong index
"""

import json
import os
import signal
import subprocess
import sys
import time

FAULT, ADAPTER = sys.argv[1], sys.argv[2:]
PARENT = os.getppid()


def send(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def calls_tell(step):
    return '"attr": {"value": {"name": "m"}, "name": "tell"}' in json.dumps(step)


def flat(steps):
    """The request's steps in execution order (a fork's body after it)."""
    out = []
    for step in steps:
        out.append(step)
        if "fork" in step:
            out.extend(flat(step["fork"]))
    return out


def main():
    driver = subprocess.Popen(
        ADAPTER, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        universal_newlines=True)
    hello = json.loads(driver.stdout.readline())
    if FAULT == "bad-json":
        send("hello, I am an adapter")
    elif FAULT == "no-field":
        del hello["implementation"]["python"]
        send(json.dumps(hello))
    elif FAULT == "old-protocol":
        hello["protocol"] = 0
        send(json.dumps(hello))
    else:
        send(json.dumps(hello))
    for request in sys.stdin:
        run = json.loads(request)["run"]
        steps = flat(run["steps"])
        driver.stdin.write(request)
        driver.stdin.flush()
        while True:
            msg = json.loads(driver.stdout.readline())
            step = msg.get("step")
            if step is not None and "boom" in run["id"] and step == 1:
                if FAULT == "crash":
                    os.kill(os.getpid(), signal.SIGSEGV)
                if FAULT == "exit":
                    os._exit(3)
                if FAULT == "hang":
                    while os.getppid() == PARENT:
                        time.sleep(0.1)
                    os._exit(0)
                if FAULT == "hog":
                    chunks = []
                    for _ in range(64):
                        chunks.append(b"x" * (64 << 20))
                if FAULT == "garbage":
                    send("this is not a message")
                if FAULT == "flood":
                    for _ in range(65):
                        sys.stdout.write("x" * (1 << 20))
                    sys.stdout.flush()
                    time.sleep(60)
            if FAULT == "tell+1" and step is not None and "returned" in msg:
                if calls_tell(steps[step]) and msg["returned"]["type"] == "int":
                    msg["returned"]["value"] = str(int(msg["returned"]["value"]) + 1)
            if FAULT == "bad-step" and step == 0:
                msg["step"] = 5
            send(json.dumps(msg, separators=(",", ":")))
            if "done" in msg or "error" in msg:
                break


main()
