"""A nudge from the web server to the worker's inbox loop.

The inbox loop polls the inbox every few milliseconds; on average an accepted alert waits half
a poll interval before the worker sees it. A nudge makes that wait a system call: after a
request's alerts are committed, the web server sends an empty datagram to a Unix socket in
WARROOM_VAR_DIR (`inbox.wake`), and the loop, waiting on that socket instead of sleeping,
runs at once.

Best effort on both sides, and never needed for correctness: the loop still polls at its
interval, so a nudge that is lost — no worker on this machine, the socket's queue full while
the worker routes a burst, a path too long for a Unix socket — costs at most one interval.
One worker per machine listens; another finds the socket taken and only polls.
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import logging
import select
import socket
import threading
import time
from functools import lru_cache
from pathlib import Path

from django.conf import settings

log = logging.getLogger(__name__)

SOCKET_NAME = "inbox.wake"

# One sending socket per process, made on first use and kept: a datagram socket's sendto
# is one system call, safe from any thread.
_sender: socket.socket | None = None
_sender_lock = threading.Lock()


def socket_path() -> Path:
    return Path(settings.VAR_DIR) / SOCKET_NAME


@lru_cache(maxsize=8)  # made once per VAR_DIR: each nudge asks
def _address(var_dir: str) -> str:
    """The socket's path as the string sendto takes."""
    return str(Path(var_dir) / SOCKET_NAME)


# At most one nudge per process in this many seconds: in a burst the worker is busy routing
# anyway, and every datagram past a full socket queue is a failed system call.
NUDGE_GAP = 0.001
_last_nudge = 0.0
_warned = False


def nudge() -> None:
    """Tell a listening worker that the inbox has something (a no-op when none listens)."""
    global _sender, _last_nudge, _warned
    now = time.monotonic()
    if now - _last_nudge < NUDGE_GAP:
        return  # the nudge sent a moment ago wakes the loop, or its poll takes this too
    _last_nudge = now
    if _sender is None:
        with _sender_lock:
            if _sender is None:
                made = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                made.setblocking(False)
                atexit.register(made.close)
                _sender = made
    # No listener (ENOENT, ECONNREFUSED), its queue full (EAGAIN), a path too long: the
    # worker's poll finds the alerts a few milliseconds later all the same.
    try:
        _sender.sendto(b"\0", _address(str(settings.VAR_DIR)))
    except PermissionError as exc:
        # The worker runs as another user: worth knowing once, never worth failing for.
        if not _warned:
            _warned = True
            log.warning("inbox nudges cannot reach the worker (%s); it polls instead", exc)
    except OSError:
        pass


class Listener:
    """The worker's end: `wait` returns when nudged or after `timeout` seconds."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.setblocking(False)
        try:
            self._bind()
        except BaseException:
            self.sock.close()
            raise

    def _bind(self) -> None:
        try:
            self.sock.bind(str(self.path))
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE or _alive(self.path):
                raise
            # Left behind by a worker that was killed: nobody reads it any more.
            self.path.unlink(missing_ok=True)
            self.sock.bind(str(self.path))

    def wait(self, timeout: float) -> None:
        ready, _, _ = select.select([self.sock], [], [], timeout)
        if ready:
            # One run of the loop takes everything waiting: drop the nudges that piled up.
            with contextlib.suppress(BlockingIOError):
                while True:
                    self.sock.recv(16)

    def close(self) -> None:
        self.sock.close()
        self.path.unlink(missing_ok=True)


def _alive(path: Path) -> bool:
    """Whether a process reads the socket at `path` (a datagram to it is accepted)."""
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    probe.setblocking(False)
    try:
        probe.sendto(b"\0", str(path))
    except (ConnectionRefusedError, FileNotFoundError):
        return False
    except BlockingIOError:
        return True  # its queue is full: someone is there, just busy
    finally:
        probe.close()
    return True


def listen() -> Listener | None:
    """Listen for nudges at socket_path(); None (the loop only polls) when another worker on
    this machine listens already or the socket cannot be made here."""
    path = socket_path()
    try:
        return Listener(path)
    except OSError as exc:
        log.info("inbox nudges off (%s: %s); the inbox loop polls", path, exc)
        return None
