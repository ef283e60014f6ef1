"""Every endpoint on the rules backend, through httpx's ASGI transport."""

import pytest
from serve_helpers import client_for

pytestmark = pytest.mark.anyio


async def test_standardize_answers_in_cli_json_shape_and_order(rules_app):
    async with client_for(rules_app) as c:
        r = await c.post("/v1/standardize", json={"task": "vehicle", "values": ["重卡", "自行车", None, "qwerty"]})
    assert r.status_code == 200
    results = r.json()["results"]
    assert [x["input"] for x in results] == ["重卡", "自行车", "", "qwerty"]
    assert results[0] == {"input": "重卡", "standard": "Combination Long-haul Truck", "method": "exact", "confidence": 1.0}
    assert [x["standard"] for x in results[1:]] == [None, None, None]
    assert results[2]["method"] == "empty"


async def test_standardize_pollutant(rules_app):
    async with client_for(rules_app) as c:
        r = await c.post("/v1/standardize", json={"task": "pollutant", "values": ["氮氧化物", "NO2"]})
    assert [x["standard"] for x in r.json()["results"]] == ["NOx", None]


async def test_unknown_task_is_422_naming_the_field(rules_app):
    async with client_for(rules_app) as c:
        r = await c.post("/v1/standardize", json={"task": "bicycle", "values": ["x"]})
    assert r.status_code == 422
    assert r.json()["detail"].startswith("invalid request: task:")


async def test_map_columns_contract(rules_app):
    headers = ["时间(s)", "车速(km/h)", "路段长度", "备注"]
    async with client_for(rules_app) as c:
        r = await c.post("/v1/map-columns", json={"headers": headers, "samples": {"车速(km/h)": ["12.5", "30"]}})
    assert r.status_code == 200
    body = r.json()
    assert body["task"] in ("micro", "macro")
    for key in ("mapping", "units", "confidence"):
        assert list(body[key]) == headers  # every header, in order
    assert body["mapping"]["车速(km/h)"] == "speed_kph" and body["mapping"]["备注"] is None


async def test_map_columns_task_is_honoured(rules_app):
    async with client_for(rules_app) as c:
        r = await c.post("/v1/map-columns", json={"headers": ["link", "length_km", "flow", "speed"], "task": "macro"})
    assert r.json()["task"] == "macro"
    assert r.json()["mapping"]["length_km"] == "link_length_km"


@pytest.mark.parametrize("body, where", [
    (b'{"task": "vehicle", "values": ["a",]}', "not valid JSON"),
    (b'{"task": "vehicle"', "not valid JSON"),
])
async def test_malformed_json_is_422_with_a_clear_message(rules_app, body, where):
    async with client_for(rules_app) as c:
        r = await c.post("/v1/standardize", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert where in r.json()["detail"] and "at character" in r.json()["detail"]


async def test_body_without_json_content_type_says_what_to_send(rules_app):
    async with client_for(rules_app) as c:
        r = await c.post("/v1/standardize", content=b'{"task": "vehicle", "values": []}')
    assert r.status_code == 422
    assert "Content-Type: application/json" in r.json()["detail"]


async def test_wrong_shape_names_the_field(rules_app):
    async with client_for(rules_app) as c:
        r = await c.post("/v1/standardize", json={"task": "vehicle", "values": "大货车"})
    assert r.status_code == 422 and "values" in r.json()["detail"]


async def test_health_ready_names_backend(rules_app):
    async with client_for(rules_app) as c:
        r = await c.get("/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ready", "backend": "rules", "serves": {"values": "rules", "columns": "rules"}}


async def test_metrics_count_requests_latency_cache_and_answers(rules_app):
    async with client_for(rules_app) as c:
        await c.post("/v1/standardize", json={"task": "vehicle", "values": ["重卡", "重卡", "大货车"]})
        await c.post("/v1/standardize", json={"task": "vehicle", "values": ["重卡"]})
        await c.post("/v1/standardize", content=b"{", headers={"content-type": "application/json"})
        r = await c.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain; version=0.0.4")
    lines = set(r.text.splitlines())
    assert 'emstd_http_requests_total{endpoint="/v1/standardize",method="POST",status="200"} 2' in lines
    assert 'emstd_http_requests_total{endpoint="/v1/standardize",method="POST",status="422"} 1' in lines
    assert 'emstd_http_request_duration_seconds_count{endpoint="/v1/standardize"} 3' in lines
    assert 'emstd_http_request_duration_seconds_bucket{endpoint="/v1/standardize",le="+Inf"} 3' in lines
    # 4 values: 2 distinct reach the backend; the repeated 重卡 (in the call and in the second request) is cached
    assert 'emstd_model_answers_total{backend="rules"} 2' in lines
    assert 'emstd_cache_hits_total{backend="rules"} 2' in lines
    assert "emstd_ready 1" in lines
    assert "# TYPE emstd_http_request_duration_seconds histogram" in lines


async def test_metrics_label_unknown_paths_as_other(rules_app):
    async with client_for(rules_app) as c:
        await c.get("/no/such/path/12345")
        r = await c.get("/metrics")
    assert 'emstd_http_requests_total{endpoint="other",method="GET",status="404"} 1' in r.text
    assert "12345" not in r.text


async def test_openapi_docs_list_every_endpoint(rules_app):
    async with client_for(rules_app) as c:
        docs = await c.get("/docs")
        spec = (await c.get("/openapi.json")).json()
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    assert {"/v1/standardize", "/v1/map-columns", "/v1/tables", "/health", "/metrics"} <= set(spec["paths"])


async def test_no_cors_headers_by_default(rules_app):
    async with client_for(rules_app) as c:
        r = await c.options("/v1/standardize", headers={"Origin": "http://evil.example",
                                                       "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in r.headers
