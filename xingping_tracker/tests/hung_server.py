"""A TCP server that accepts connections and never answers: a Redis (broker or cache) that hangs."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass
class HungServer:
    """Where the hung server listens, and the connections it has accepted so far."""

    url: str
    _server: socket.socket
    _accepted: list[socket.socket] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _take_waiting(self) -> None:
        """Accept every connection already waiting in the listen queue (non-blocking)."""
        while True:
            try:
                connection, _address = self._server.accept()
            except OSError:  # nothing waiting (BlockingIOError), or the server closed
                return
            self._accepted.append(connection)  # kept open, never read, never answered

    def connections(self) -> int:
        """How many connections clients have opened to it so far (those still queued counted too)."""
        with self._lock:
            self._take_waiting()
            return len(self._accepted)

    def close(self) -> None:
        """Stop listening and drop every connection (idempotent): a client's next call is refused at
        once, so clean-up code that talks to it afterwards does not wait out its timeout."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        with self._lock:
            for connection in self._accepted:
                connection.close()
            self._server.close()


@contextlib.contextmanager
def hung_server() -> Iterator[HungServer]:
    """Yield a :class:`HungServer` (``url`` is ``redis://127.0.0.1:PORT/0``) that accepts and then says
    nothing."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    server.setblocking(False)
    hung = HungServer(url=f"redis://127.0.0.1:{server.getsockname()[1]}/0", _server=server)

    def accept() -> None:
        while not hung._stop.wait(0.02):
            with hung._lock:
                hung._take_waiting()

    hung._thread = threading.Thread(target=accept, daemon=True)
    hung._thread.start()
    try:
        yield hung
    finally:
        hung.close()
