"""HTTP details over real sockets and in-process: errors are ordinary JSON answers that keep the connection, a
500 carries an error id (one log line each, one traceback per distinct error), bodies over the limit get their
413, bad JSON is 422, /health says what is served."""

import json
import logging
import threading

import httpx
import pytest
from serve_helpers import RecordingBackend, client_for, settings

from emstd.infer.standardizer import Standardizer
from emstd.serve.app import create_app
from tests.live_server import body_of, live_server, raw_exchange, status_of

pytestmark = pytest.mark.anyio


def broken_app(**overrides):
    backend = RecordingBackend()

    def broken(values, task):
        raise RuntimeError("the model fell over")

    backend.standardize_values = broken
    return create_app(Standardizer(backend), settings(**{"batch_window_ms": 0, **overrides}))


def request(method: str, path: str, body: bytes = b"", content_type: str = "application/json") -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    if body or method == "POST":
        head += f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


# --- a 500 is an ordinary answer ----------------------------------------------------------------------------


def test_a_500_keeps_the_connection_open():
    """Two requests pipelined on one connection: the first fails inside the server, the second is still answered
    (the connection used to be closed after a 500, and clients reusing it got ReadError)."""
    bad = request("POST", "/v1/standardize", json.dumps({"task": "vehicle", "values": ["x"]}).encode())
    with live_server(broken_app()) as base:
        answers = raw_exchange(base, bad + request("GET", "/health"), responses=2)
    assert [status_of(a) for a in answers] == [500, 200]
    body = json.loads(body_of(answers[0]))
    assert body["error_id"] and body["error_id"] in body["detail"]
    assert "the model fell over" not in body["detail"]  # internals stay in the log


async def test_each_500_logs_one_line_with_its_id_and_each_distinct_error_one_traceback(caplog):
    app = broken_app()
    caplog.set_level(logging.ERROR, logger="emstd.serve")
    async with client_for(app) as c:
        rs = [await c.post("/v1/standardize", json={"task": "vehicle", "values": [f"v{i}"]}) for i in range(3)]
    ids = [r.json()["error_id"] for r in rs]
    assert [r.status_code for r in rs] == [500] * 3 and len(set(ids)) == 3
    records = [r for r in caplog.records if r.name == "emstd.serve"]
    assert len(records) == 3
    for record, error_id in zip(records, ids):
        assert error_id in record.getMessage() and "\n" not in record.getMessage()
        assert "RuntimeError: the model fell over" in record.getMessage()
    assert [r.exc_info is not None for r in records] == [True, False, False]


# --- bodies over the limit ----------------------------------------------------------------------------------


def test_an_oversized_body_gets_its_413_and_the_connection_stays_usable():
    big = b'{"task": "vehicle", "values": ["' + b"x" * (5 * 1024 * 1024) + b'"]}'
    app = create_app(Standardizer(), settings())  # max_json_bytes: 4 MiB
    with live_server(app) as base:
        # the whole body, then a second request on the same connection: both answered, in order
        answers = raw_exchange(base, request("POST", "/v1/standardize", big) + request("GET", "/health"), 2)
        assert [status_of(a) for a in answers] == [413, 200]
        assert "max_json_bytes" in json.loads(body_of(answers[0]))["detail"]

        def chunks():
            yield big[:1024 * 1024]
            yield big[1024 * 1024:]

        statuses, errors = [], []

        def client():
            try:
                with httpx.Client(base_url=base, timeout=60) as c:
                    for i in range(3):
                        statuses.append(c.post("/v1/standardize", content=big,
                                               headers={"content-type": "application/json"}).status_code)
                        statuses.append(c.post("/v1/standardize", content=chunks(),
                                               headers={"content-type": "application/json"}).status_code)
                        statuses.append(c.post("/v1/standardize", json={"task": "vehicle", "values": ["重卡"]})
                                        .status_code)
            except httpx.HTTPError as exc:  # a reset instead of the 413
                errors.append(repr(exc))

        threads = [threading.Thread(target=client) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    assert errors == []
    assert sorted(statuses) == [200] * 12 + [413] * 24


def test_a_declared_body_far_over_any_drain_is_answered_at_once_and_closed():
    """A client announcing gigabytes is not read: the 413 goes out before the body, with Connection: close."""
    app = create_app(Standardizer(), settings())
    head = (b"POST /v1/standardize HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 10000000000\r\n\r\n")
    with live_server(app) as base:
        answers = raw_exchange(base, head + b'{"task": ', responses=1)
    assert status_of(answers[0]) == 413 and b"connection: close" in answers[0].lower()


# --- JSON the parser refuses ----------------------------------------------------------------------------------


@pytest.mark.parametrize("body, says", [
    (b'{"task": "vehicle", "values": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested"),
    (b'{"task": "vehicle", "values": [' + b"9" * 5000 + b"]}", "digits"),
])
async def test_nested_or_huge_number_json_is_422(rules_app, body, says):
    async with client_for(rules_app) as c:
        r = await c.post("/v1/standardize", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422, r.text
    assert r.json()["detail"].startswith("the request body is not usable JSON") and says in r.json()["detail"]


@pytest.mark.parametrize("path, body, says", [
    ("/v1/standardize", {"task": "vehicle", "values": [1] * 1_000_000}, "values.0: Input should be a valid string"),
    ("/v1/map-columns", {"headers": [1] * 1_000_000}, "headers.0: Input should be a valid string"),
    ("/v1/map-columns", {"headers": ["a"], "samples": {str(i): [1] for i in range(200_000)}},
     "samples['0'][0]: not a string or null"),
    ("/v1/standardize", {"task": "vehicle", "values": [], **{f"x{i}": 1 for i in range(200_000)}},
     "unknown field(s) 'x0', 'x1', 'x2', 'x3', 'x4'... (200000 in all); the fields are task, values"),
])
async def test_a_body_full_of_errors_is_refused_at_the_first_ones(rules_app, path, body, says, monkeypatch):
    """Within the 4 MiB limit a body can hold a million wrong items: listing an error for each took the event loop
    (every client) for tens of seconds. Validation now stops at the first wrong item of a list or mapping."""
    import pydantic

    made = []
    real = pydantic.ValidationError.errors
    monkeypatch.setattr(pydantic.ValidationError, "errors",
                        lambda self, **kw: made.append(self.error_count()) or real(self, **kw))
    async with client_for(rules_app) as c:
        r = await c.post(path, json=body)
    assert r.status_code == 422 and says in r.json()["detail"], r.json()["detail"][:300]
    assert len(r.content) < 5000 and max(made) <= 10


# --- what the server serves ---------------------------------------------------------------------------------


async def test_health_lists_what_is_served(rules_app):
    async with client_for(rules_app) as c:
        r = await c.get("/health")
    assert r.json() == {"status": "ready", "backend": "rules", "serves": {"values": "rules", "columns": "rules"}}


def test_start_up_says_what_is_served(caplog):
    from starlette.testclient import TestClient

    caplog.set_level(logging.INFO, logger="emstd.serve")
    with TestClient(create_app(lambda: Standardizer(), settings())) as client:
        for _ in range(500):
            if client.get("/health").status_code == 200:
                break
            threading.Event().wait(0.02)
    lines = [r.getMessage() for r in caplog.records if r.name == "emstd.serve"]
    assert "standardizer ready: backend rules; values answered by rules, column maps by rules" in lines
