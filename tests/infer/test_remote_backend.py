"""The remote backend against a fake OpenAI-compatible server on 127.0.0.1."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from emstd.infer.remote import RemoteBackend, RemoteError
from emstd.infer.standardizer import Standardizer

REQUESTS = []
IN_FLIGHT = {"now": 0, "max": 0}
LOCK = threading.Lock()


class FakeVLLM(BaseHTTPRequestHandler):
    mode = "ok"

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        REQUESTS.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
        mode = FakeVLLM.mode
        with LOCK:
            IN_FLIGHT["now"] += 1
            IN_FLIGHT["max"] = max(IN_FLIGHT["max"], IN_FLIGHT["now"])
        try:
            self._answer(body, mode)
        finally:
            with LOCK:
                IN_FLIGHT["now"] -= 1

    def _answer(self, body, mode):
        if mode == "slow":
            time.sleep(2)
        if mode == "pause":  # hold each request until a second one is in flight (or 5 s): overlap without timing luck
            deadline = time.monotonic() + 5
            while IN_FLIGHT["max"] < 2 and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(0.05)
        if mode == "500":
            return self._send(500, b"internal error")
        if mode == "garbage":
            return self._send(200, b"not json")
        if self.headers.get("Authorization") != "Bearer k":
            return self._send(401, b'{"error": "bad key"}')
        so = body.get("structured_outputs", {})
        if "choice" in so:
            user = body["messages"][1]["content"]
            content = "NOx" if "NOX" in user else ("Flying Car" if mode == "ignore_structure" else "UNKNOWN")
        else:
            headers = json.loads(body["messages"][1]["content"].split("\nsamples: ")[0])
            content = json.dumps({headers[0]: "time_sec", "not a header": "speed_kph", headers[1]: "bogus"})
        payload = {"choices": [{"message": {"content": content},
                                "logprobs": {"content": [{"token": "x", "logprob": -0.1}]}}]}
        self._send(200, json.dumps(payload).encode())

    def _send(self, code, data):
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeVLLM)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(autouse=True)
def reset():
    FakeVLLM.mode = "ok"
    REQUESTS.clear()
    IN_FLIGHT.update(now=0, max=0)


def test_values_use_structured_choice(server):
    b = RemoteBackend(server, api_key="k")
    answers = Standardizer(b).standardize(["NOX", "CH4", ""], "pollutant")
    assert [a.standard for a in answers] == ["NOx", None, None]
    assert answers[0].method == "model" and answers[0].confidence == pytest.approx(0.9048, abs=1e-3)
    assert answers[2].method == "empty"
    assert len(REQUESTS) == 2
    body = next(r["body"] for r in REQUESTS if r["body"]["messages"][1]["content"] == "[pollutant] NOX")
    assert body["model"] == "unified" and body["temperature"] == 0
    assert body["structured_outputs"]["choice"] == ["CO2", "CO", "NOx", "PM2.5", "PM10", "THC", "SO2", "UNKNOWN"]
    assert body["messages"][0]["role"] == "system"
    assert REQUESTS[0]["auth"] == "Bearer k"


def test_a_server_that_ignores_structure_cannot_leak_a_non_label(server):
    FakeVLLM.mode = "ignore_structure"
    a = RemoteBackend(server, api_key="k").standardize_values(["x"], "vehicle")[0]
    assert a.standard is None and a.method == "invalid_model_answer"


def test_columns_use_a_json_schema_and_are_validated(server):
    b = RemoteBackend(server, api_key="k")
    m = b.map_columns(["t", "v", "备注"])
    assert m.mapping == {"t": "time_sec", "v": None, "备注": None}
    assert any("not a header" in n for n in m.notes) and any("bogus" in n for n in m.notes)
    schema = REQUESTS[0]["body"]["structured_outputs"]["json"]
    assert set(schema["properties"]) == {"t", "v", "备注"} and schema["additionalProperties"] is False


@pytest.mark.parametrize(
    "mode, key, pattern",
    [("ok", "wrong", "refused the API key"), ("500", "k", "answered 500"), ("garbage", "k", "not an OpenAI chat"),
     ("slow", "k", "no answer within")],
)
def test_errors_are_clear(server, mode, key, pattern):
    FakeVLLM.mode = mode
    b = RemoteBackend(server, api_key=key, timeout=0.5)
    with pytest.raises(RemoteError, match=pattern):
        b.standardize_values(["NOX"], "pollutant")


def test_unreachable_server():
    with pytest.raises(RemoteError, match="cannot reach the server"):
        RemoteBackend("http://127.0.0.1:9", timeout=1).standardize_values(["NOX"], "pollutant")


def test_values_are_sent_concurrently_and_answered_in_order(server):
    FakeVLLM.mode = "pause"
    values = [f"v{i}" for i in range(8)] + ["NOX"]
    answers = RemoteBackend(server, api_key="k", concurrency=4).standardize_values(values, "pollutant")
    assert [a.input for a in answers] == values
    assert answers[-1].standard == "NOx"
    assert 1 < IN_FLIGHT["max"] <= 4
