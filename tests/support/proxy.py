"""One TCP proxy for network-fault tests: cut, swallow, delay or black-hole a client's traffic.

Why one: the fault suite and the operator retry tests each had a proxy; they differed only in
*when* the client is cut. Everything listens on 127.0.0.1; every socket is closed by ``close()``
(use it in a ``finally`` or through ``proxy_to``).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class Proxy:
    """TCP proxy to ``host:upstream_port`` with pluggable misbehaviour.

    ``cut_on``: bytes (case-insensitive) that, when seen going upstream, cut that client
    connection, ``cuts`` times in all. What happens to the statement that carried them:

    - ``forward_cut=True`` (default): it reaches the server, the client is cut 50 ms later,
      while the server may still run it (a network cut during a long statement);
    - ``forward_cut=False``: it is swallowed, the server never sees it;
    - ``after_reply=True``: it reaches the server, which runs it to the end; its answer is
      dropped and the client cut ("Lost connection to server during query", 2013, after the
      statement landed).

    ``fired`` is set when a cut happened. ``delay``: seconds added to every chunk in each
    direction. ``blackhole``: accept and never answer (may be switched off while running).
    """

    def __init__(self, upstream_port: int, *, host: str = "127.0.0.1", cut_on: bytes | None = None,
                 forward_cut: bool = True, after_reply: bool = False, delay: float = 0.0, blackhole: bool = False,
                 cuts: int = 1) -> None:
        self.upstream = (host, upstream_port)
        self.cut_on = cut_on.lower() if cut_on else None
        self.forward_cut, self.after_reply, self.delay, self.blackhole = forward_cut, after_reply, delay, blackhole
        self.cuts_left = cuts
        self.fired = threading.Event()
        self._socks: list[socket.socket] = []
        self._lock = threading.Lock()
        self._listen = socket.socket()
        self._listen.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listen.bind(("127.0.0.1", 0))
        self._listen.listen(32)
        self.port = int(self._listen.getsockname()[1])
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _track(self, s: socket.socket) -> socket.socket:
        with self._lock:
            self._socks.append(s)
        return s

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listen.accept()
            except OSError:
                return
            self._track(client)
            if self.blackhole:
                continue
            try:
                up = self._track(socket.create_connection(self.upstream, timeout=5))
                up.settimeout(None)
            except OSError:
                _close(client)
                continue
            cut = threading.Event()  # per connection: once set, nothing more reaches the client
            threading.Thread(target=self._pump, args=(client, up, True, cut), daemon=True).start()
            threading.Thread(target=self._pump, args=(up, client, False, cut), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, upstream: bool, cut: threading.Event) -> None:
        try:
            while data := src.recv(65536):
                if self.delay:
                    time.sleep(self.delay)
                if not upstream and cut.is_set():
                    self.fired.set()
                    break  # the answer to the cut statement: dropped, and the client with it
                if upstream and self.cut_on and self.cuts_left > 0 and self.cut_on in data.lower():
                    self.cuts_left -= 1
                    cut.set()
                    if self.after_reply:
                        dst.sendall(data)  # the downstream pump drops the answer when it comes
                        continue
                    self.fired.set()
                    if self.forward_cut:
                        dst.sendall(data)
                        time.sleep(0.05)  # let the server read it before the client is cut
                    _close(src)
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            _close(dst)
            _close(src)

    def close(self) -> None:
        self._closed = True
        _close(self._listen)
        with self._lock:
            for s in self._socks:
                _close(s)


@contextmanager
def proxy_to(server: Any, **kw: Any) -> Iterator[Proxy]:
    """A ``Proxy`` in front of ``server`` (anything with ``host`` and ``port``), closed on exit."""
    proxy = Proxy(server.port, host=server.host, **kw)
    try:
        yield proxy
    finally:
        proxy.close()


def free_port() -> int:
    """A port nothing listens on (connections are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass
