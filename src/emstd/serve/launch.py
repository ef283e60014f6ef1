"""`emstd serve` before and around uvicorn: every option is checked, and the listening socket bound, before anything
starts, so a mistake is one line and exit code 2 (not a traceback from deep inside the server); the service's
own log lines (what is served, error ids) go to the same stream as uvicorn's.
"""

from __future__ import annotations

import copy
import socket

from pydantic import ValidationError

from emstd.errors import ConfigError, EmstdError
from emstd.serve.settings import ServeSettings


def settings_from_flags(given: dict, port: int) -> ServeSettings:
    """ServeSettings from the flags that were given; every problem (the port's too) named on one line."""
    problems = [] if 0 <= port <= 65535 else [f"--port {port}: must be between 0 and 65535 (0: any free port)"]
    settings = None
    try:
        settings = ServeSettings(**{k: v for k, v in given.items() if v is not None})
    except ValidationError as exc:
        problems += [f"--{'-'.join(map(str, e['loc'])).replace('_', '-')} {given.get(e['loc'][0])}: "
                     f"{e['msg'].lower()}" for e in exc.errors()]
    if problems:
        raise EmstdError("serve options: " + "; ".join(problems))
    return settings


def one_line(exc: ConfigError) -> EmstdError:
    return EmstdError(f"{exc.source}: " + "; ".join(exc.problems))


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to host:port (uvicorn then serves on it); a one-line EmstdError when that is not possible."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                             flags=socket.AI_PASSIVE)[0]
    except (socket.gaierror, UnicodeError) as exc:
        raise EmstdError(f"--host {host!r}: not an address this machine can listen on ({exc}). "
                         f"Use 127.0.0.1, 0.0.0.0 or one of this machine's addresses.") from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise EmstdError(f"--host {host} --port {port}: cannot listen on {_shown(address)} ({exc.strerror or exc}). "
                         f"Choose another --port, or stop what is using it.") from None
    sock.set_inheritable(True)
    return sock


def _shown(address: tuple) -> str:
    host, port = address[0], address[1]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def log_config() -> dict:
    """uvicorn's logging, plus the `emstd` loggers on its default handler (INFO: the start-up line, error ids)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["emstd"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


def serve(app, sock: socket.socket, host: str) -> None:
    import logging

    import uvicorn

    port = sock.getsockname()[1]  # the one bound (--port 0: any free port)
    url = f"http://{_shown((host, port))}"

    class Server(uvicorn.Server):
        async def startup(self, sockets=None):
            await super().startup(sockets)
            if self.started:  # uvicorn says where it listens only for sockets it bound itself
                logging.getLogger("uvicorn.error").info("Uvicorn running on %s (Press CTRL+C to quit)", url)

    server = Server(uvicorn.Config(app, host=host, port=port, log_level="info", log_config=log_config()))
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    if not server.started:
        raise EmstdError("the server did not start; the lines above say why")
