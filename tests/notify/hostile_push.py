"""Push services that misbehave, on raw sockets: one that only counts the bytes it is sent, one that drips its answer."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Connection:
    opened_at: float
    received: int = 0
    closed_at: float | None = None


@dataclass
class RawListener:
    """Accepts connections on 127.0.0.1 and reads them to the end; answers with ``answer`` bytes, ``drip`` seconds
    apart, after the first bytes of a request arrive (nothing at all when ``answer`` is empty)."""

    answer: bytes = b""
    drip: float = 0.0
    connections: list[Connection] = field(default_factory=list)

    def __post_init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.lock = threading.Lock()
        self.stopping = False
        threading.Thread(target=self._accept, daemon=True).start()

    def __enter__(self) -> RawListener:
        return self

    def __exit__(self, *exc) -> None:
        self.stopping = True
        self.server.close()

    @property
    def bytes_received(self) -> int:
        with self.lock:
            return sum(connection.received for connection in self.connections)

    def _accept(self) -> None:
        while not self.stopping:
            try:
                sock, _address = self.server.accept()
            except OSError:
                return
            connection = Connection(opened_at=time.monotonic())
            with self.lock:
                self.connections.append(connection)
            threading.Thread(target=self._serve, args=(sock, connection), daemon=True).start()

    def _serve(self, sock: socket.socket, connection: Connection) -> None:
        sock.settimeout(30)
        answered = False
        try:
            while True:
                data = sock.recv(65536)
                if not data:
                    break
                with self.lock:
                    connection.received += len(data)
                if self.answer and not answered:
                    answered = True
                    threading.Thread(target=self._drip, args=(sock,), daemon=True).start()
        except OSError:
            pass
        finally:
            connection.closed_at = time.monotonic()
            sock.close()

    def _drip(self, sock: socket.socket) -> None:
        try:
            for index in range(len(self.answer)):
                sock.sendall(self.answer[index:index + 1])
                time.sleep(self.drip)
        except OSError:
            pass
