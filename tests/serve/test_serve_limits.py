"""Each limit answers 413/422 naming the limit, its value and its flag; the optional API key."""

import pytest
from serve_helpers import KEY, client_for, settings

from emstd.infer.standardizer import Standardizer
from emstd.serve.app import create_app

pytestmark = pytest.mark.anyio


def app_with(**limits):
    return create_app(Standardizer(), settings(**limits))


async def post(app, path, **kw):
    async with client_for(app) as c:
        return await c.post(path, **kw)


async def test_max_values():
    app = app_with(max_values=3)
    ok = await post(app, "/v1/standardize", json={"task": "vehicle", "values": ["a"] * 3})
    over = await post(app, "/v1/standardize", json={"task": "vehicle", "values": ["a"] * 4})
    assert ok.status_code == 200
    assert over.status_code == 413
    assert over.json()["detail"] == "values: 4 given; the limit is max_values=3 (emstd serve --max-values)"


async def test_max_value_chars_for_values_headers_and_samples():
    app = app_with(max_value_chars=10)
    r1 = await post(app, "/v1/standardize", json={"task": "vehicle", "values": ["ok", "x" * 11]})
    r2 = await post(app, "/v1/map-columns", json={"headers": ["time", "h" * 11]})
    r3 = await post(app, "/v1/map-columns", json={"headers": ["time"], "samples": {"time": ["1", "9" * 11]}})
    assert (r1.status_code, r2.status_code, r3.status_code) == (422, 422, 422)
    assert r1.json()["detail"] == "values[1]: 11 characters; the limit is max_value_chars=10 (emstd serve --max-value-chars)"
    assert r2.json()["detail"].startswith("headers[1]: 11 characters; the limit is max_value_chars=10")
    assert "samples['time'][1]: 11 characters" in r3.json()["detail"]
    assert (await post(app, "/v1/standardize", json={"task": "vehicle", "values": ["x" * 10]})).status_code == 200


async def test_max_headers():
    app = app_with(max_headers=2)
    r = await post(app, "/v1/map-columns", json={"headers": ["a", "b", "c"]})
    assert r.status_code == 413 and "max_headers=2 (emstd serve --max-headers)" in r.json()["detail"]


async def test_max_samples_per_header():
    app = app_with(max_samples_per_header=2)
    r = await post(app, "/v1/map-columns", json={"headers": ["a"], "samples": {"a": ["1", "2", "3"]}})
    assert r.status_code == 413 and "max_samples_per_header=2" in r.json()["detail"]


async def test_column_requests_that_cannot_be_answered_are_422(rules_app):
    empty = await post(rules_app, "/v1/map-columns", json={"headers": []})
    dupes = await post(rules_app, "/v1/map-columns", json={"headers": ["a", "a"]})
    stray = await post(rules_app, "/v1/map-columns", json={"headers": ["a"], "samples": {"b": ["1"]}})
    assert [r.status_code for r in (empty, dupes, stray)] == [422, 422, 422]
    assert "at least one header" in empty.json()["detail"]
    assert "distinct" in dupes.json()["detail"]
    assert "'b' is not one of the headers" in stray.json()["detail"]


async def test_max_json_bytes_declared_length():
    app = app_with(max_json_bytes=100)
    r = await post(app, "/v1/standardize", json={"task": "vehicle", "values": ["x" * 50, "y" * 50]})
    assert r.status_code == 413
    assert r.json()["detail"] == "request body too large: the limit is max_json_bytes=100 (emstd serve --max-json-bytes)"


async def test_max_json_bytes_streamed_body_without_length():
    """A chunked body (no Content-Length) is counted as it arrives and cut off at the limit."""
    app = app_with(max_json_bytes=100)

    async def chunks():
        yield b'{"task": "vehicle", "values": ['
        for _ in range(20):
            yield b'"abcdefghij",'
        yield b'"z"]}'

    r = await post(app, "/v1/standardize", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and "max_json_bytes=100" in r.json()["detail"]


async def test_max_upload_bytes(tmp_path):
    app = app_with(max_upload_bytes=1000)
    small = "time,speed\n" + "1,2\n" * 10
    big = "time,speed\n" + "1,2\n" * 400  # 1611 bytes: over the file limit, under the multipart allowance
    ok = await post(app, "/v1/tables", files={"file": ("t.csv", small.encode())})
    over = await post(app, "/v1/tables", files={"file": ("t.csv", big.encode())})
    huge = await post(app, "/v1/tables", files={"file": ("t.csv", b"1,2\n" * 100_000)})
    assert ok.status_code == 200
    assert over.status_code == 413 and huge.status_code == 413
    for r in (over, huge):
        assert r.json()["detail"] == "upload too large: the limit is max_upload_bytes=1000 (emstd serve --max-upload-bytes)"


# --- API key ----------------------------------------------------------------------------------------------


@pytest.fixture
def keyed_app():
    return create_app(Standardizer(), settings(api_key=KEY))


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"X-API-Key": KEY[:-1]},
                                     {"Authorization": f"Basic {KEY}"}])
async def test_api_key_missing_or_wrong_is_401(keyed_app, headers):
    async with client_for(keyed_app, headers) as c:
        for r in (await c.post("/v1/standardize", json={"task": "vehicle", "values": ["重卡"]}),
                  await c.post("/v1/map-columns", json={"headers": ["a"]}),
                  await c.post("/v1/tables", files={"file": ("t.csv", b"a,b\n1,2\n")}),
                  await c.get("/metrics"), await c.get("/docs")):
            assert r.status_code == 401, r.request.url
            assert "API key" in r.json()["detail"] and r.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("headers", [{"Authorization": f"Bearer {KEY}"}, {"X-API-Key": KEY}])
async def test_api_key_right_is_accepted(keyed_app, headers):
    async with client_for(keyed_app, headers) as c:
        r = await c.post("/v1/standardize", json={"task": "vehicle", "values": ["重卡"]})
        m = await c.get("/metrics")
    assert r.status_code == 200 and r.json()["results"][0]["standard"] == "Combination Long-haul Truck"
    assert m.status_code == 200


async def test_health_needs_no_key(keyed_app):
    async with client_for(keyed_app) as c:
        assert (await c.get("/health")).status_code == 200


async def test_key_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("EMSTD_API_KEY", KEY)
    from emstd.serve.settings import ServeSettings

    app = create_app(Standardizer(), ServeSettings())
    async with client_for(app) as c:
        denied = await c.post("/v1/standardize", json={"task": "vehicle", "values": ["a"]})
        allowed = await c.post("/v1/standardize", json={"task": "vehicle", "values": ["a"]},
                               headers={"X-API-Key": KEY})
    assert (denied.status_code, allowed.status_code) == (401, 200)


async def test_key_is_compared_in_constant_time(keyed_app, monkeypatch):
    import hmac

    seen = []
    real = hmac.compare_digest
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: seen.append((a, b)) or real(a, b))
    async with client_for(keyed_app, {"X-API-Key": "guess"}) as c:
        await c.get("/metrics")
    assert seen == [(b"guess", KEY.encode())]
