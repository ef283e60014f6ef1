"""A real uvicorn server on 127.0.0.1 in a thread, for tests that need real sockets (keep-alive, early 413s)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time

import uvicorn


@contextlib.contextmanager
def live_server(app, **config):
    """Serve `app` on a free loopback port; yields the base URL. The server runs its lifespan (start-up hooks)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    host, port = sock.getsockname()
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", **config))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.started, "the test server did not start"
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()


def raw_exchange(base_url: str, payload: bytes, responses: int, timeout_s: float = 30) -> list[bytes]:
    """Send `payload` (one or more pipelined HTTP/1.1 requests) on one connection and read until `responses`
    complete responses arrived or the server closed the connection. Returns the raw responses (head and body)."""
    host, port = base_url.removeprefix("http://").split(":")
    out, buffer = [], b""
    with socket.create_connection((host, int(port)), timeout=timeout_s) as conn:
        conn.sendall(payload)
        while len(out) < responses:
            response, buffer = _split_response(buffer)
            if response is not None:
                out.append(response)
                continue
            chunk = conn.recv(65536)
            if not chunk:
                break  # the server closed the connection
            buffer += chunk
    return out


def _split_response(buffer: bytes) -> tuple[bytes | None, bytes]:
    head_end = buffer.find(b"\r\n\r\n")
    if head_end < 0:
        return None, buffer
    head = buffer[:head_end].decode("latin-1").lower()
    length = 0
    for line in head.split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip() == "content-length":
            length = int(value.strip())
    end = head_end + 4 + length
    if len(buffer) < end:
        return None, buffer
    return buffer[:end], buffer[end:]


def status_of(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


def body_of(response: bytes) -> bytes:
    return response.split(b"\r\n\r\n", 1)[1]
