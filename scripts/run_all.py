"""Run several processes as one for `make run`, and stop them the way each expects.

Usage: run_all.py NAME=COMMAND [NAME=COMMAND ...]

A stop request, Ctrl-C or SIGTERM, becomes one SIGTERM to each main process, which is what a
production supervisor sends: gunicorn stops gracefully, Celery shuts down warmly and stops
its own pool, beat stops. Each process runs in a process group of its own, so no signal
reaches a worker's pool children directly (they would die mid-task), and a process that
ends on its own stops the others the same way. A second stop request sends SIGQUIT
(Celery's cold shutdown). Nothing is ever SIGKILLed; if this process is, each child gets
SIGTERM from the kernel (PR_SET_PDEATHSIG), so none is left behind.

On a terminal, this process takes the terminal's foreground, so a Ctrl-C reaches it alone:
make, which started it, would otherwise report an interrupted target and exit 130 after a
clean stop. The exit status is 0 when a stop was asked for and every process ended cleanly.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import IO

PR_SET_PDEATHSIG = 1
_output = threading.Lock()


def main(argv: list[str]) -> int:
    commands = dict(_parse(arg) for arg in argv)
    if not commands:
        print(__doc__, file=sys.stderr)
        return 2
    processes: dict[str, subprocess.Popen[bytes]] = {}
    stop_requests = 0

    def on_stop_request(signum: int, frame: FrameType | None) -> None:
        nonlocal stop_requests
        stop_requests += 1
        _signal_all(processes, signal.SIGTERM if stop_requests == 1 else signal.SIGQUIT)

    signal.signal(signal.SIGINT, on_stop_request)
    signal.signal(signal.SIGTERM, on_stop_request)
    give_back_terminal = _take_terminal()
    try:
        # every child is started before any relay thread, so no thread runs while one forks
        for name, command in commands.items():
            processes[name] = _start(command)
        width = max(map(len, processes))
        for name, process in processes.items():
            threading.Thread(target=_relay, args=(f"{name:<{width}} | ".encode(), process.stdout), daemon=True).start()
        first_to_end = _wait_for_any(processes, lambda: stop_requests > 0)
        if first_to_end is not None:
            _say(f"{first_to_end} ended with status {processes[first_to_end].returncode}: stopping the others")
            _signal_all(processes, signal.SIGTERM)
        _wait_for_all(processes)
    finally:
        give_back_terminal()
    failed = {name: p.returncode for name, p in processes.items() if p.returncode != 0}
    if failed:
        _say(f"ended with a non-zero status: {failed}")
        return 1
    return 0 if stop_requests else 1


def _parse(arg: str) -> tuple[str, list[str]]:
    name, sep, command = arg.partition("=")
    if not sep or not name or not command.strip():
        raise SystemExit(f"expected NAME=COMMAND, got {arg!r}")
    return name, shlex.split(command)


def _start(argv: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        process_group=0,
        preexec_fn=_die_with_parent,
    )


_prctl = getattr(ctypes.CDLL(None, use_errno=True), "prctl", None)  # Linux only; resolved before any fork


def _die_with_parent() -> None:
    if _prctl is not None:
        _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _relay(prefix: bytes, stream: IO[bytes]) -> None:
    for line in iter(stream.readline, b""):
        with _output:
            sys.stdout.buffer.write(prefix + line)
            sys.stdout.buffer.flush()


def _say(message: str) -> None:
    with _output:
        print(f"run_all | {message}", flush=True)


def _wait_for_any(processes: dict[str, subprocess.Popen[bytes]], stopping: Callable[[], bool]) -> str | None:
    """The name of the first process to end on its own, or None once a stop was asked for."""
    while not stopping():
        for name, process in processes.items():
            if process.poll() is not None:
                return name
        time.sleep(0.1)
    return None


def _wait_for_all(processes: dict[str, subprocess.Popen[bytes]]) -> None:
    started, running = time.monotonic(), dict(processes)
    while running:
        for name, process in list(running.items()):
            if process.poll() is not None:
                del running[name]
                _say(f"{name} stopped (status {process.returncode}) after {time.monotonic() - started:.1f} s")
        time.sleep(0.05)


def _signal_all(processes: dict[str, subprocess.Popen[bytes]], signum: int) -> None:
    for process in processes.values():
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signum)


def _take_terminal() -> Callable[[], None]:
    """Make this process's own group the terminal's foreground; return how to give it back."""
    try:
        tty = os.open("/dev/tty", os.O_RDWR)
    except OSError:
        return lambda: None  # no terminal: a group's SIGINT reaches make too, which then exits 130
    try:
        previous = os.tcgetpgrp(tty)
        if previous != os.getpgrp():  # running in the background: leave the terminal alone
            raise OSError("not in the foreground")
        os.setpgid(0, 0)
        _set_foreground(tty, os.getpgrp())
    except OSError:
        os.close(tty)
        return lambda: None

    def give_back() -> None:
        with contextlib.suppress(OSError):
            _set_foreground(tty, previous)
        os.close(tty)

    return give_back


def _set_foreground(tty: int, group: int) -> None:
    # a background group that takes the foreground gets SIGTTOU unless it ignores it; the
    # ignore is undone at once, so no child inherits it
    previous = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    try:
        os.tcsetpgrp(tty, group)
    finally:
        signal.signal(signal.SIGTTOU, previous)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
