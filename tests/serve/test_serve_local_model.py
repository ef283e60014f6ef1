"""The service over the tiny random Qwen2 with two LoRA adapters (LocalBackend)."""

import asyncio

import pytest
from serve_helpers import client_for, settings

from emstd.catalog import load_catalog
from emstd.infer.local import LocalBackend
from emstd.infer.standardizer import Standardizer
from emstd.serve.app import create_app

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def backend(tiny_model_dir, tiny_adapters):
    return LocalBackend(str(tiny_model_dir), str(tiny_adapters["unified"]), str(tiny_adapters["column"]))


@pytest.fixture
def app(backend):
    return create_app(Standardizer(backend), settings(batch_window_ms=200))


async def test_concurrent_requests_are_one_model_call(app, backend):
    values = [[f"车{i}型{j}" for j in range(2)] for i in range(6)]
    before = backend.model_calls
    async with client_for(app) as c:
        rs = await asyncio.gather(*(c.post("/v1/standardize", json={"task": "vehicle", "values": vs})
                                    for vs in values))
    assert backend.model_calls == before + 1
    labels = set(load_catalog().labels("vehicle")) | {None}
    for vs, r in zip(values, rs):
        results = r.json()["results"]
        assert [x["input"] for x in results] == vs
        assert all(x["method"] == "model" and x["standard"] in labels for x in results)


async def test_health_names_the_local_backend_and_metrics_count_model_calls(app, backend):
    async with client_for(app) as c:
        health = await c.get("/health")
        await c.post("/v1/standardize", json={"task": "pollutant", "values": ["氮氧化物排放量xyz"]})
        metrics = (await c.get("/metrics")).text
    assert health.json() == {"status": "ready", "backend": "local", "serves": {"values": "model", "columns": "model"}}
    assert f'emstd_model_calls_total{{backend="local"}} {backend.model_calls}' in metrics.splitlines()


async def test_map_columns_with_the_column_adapter(app, backend):
    headers = ["t", "v", "备注"]
    before = backend.model_calls
    async with client_for(app) as c:
        r = await c.post("/v1/map-columns", json={"headers": headers})
    assert r.status_code == 200
    assert list(r.json()["mapping"]) == headers
    assert backend.model_calls == before + 1


async def test_a_lone_surrogate_fails_only_its_own_request(app, backend):
    """It used to fail the whole shared model call (the tokenizer refuses it): every request of the batch got 500."""
    good = [[f"货车{i}号"] for i in range(6)]
    async with client_for(app) as c:
        bad = asyncio.ensure_future(c.post("/v1/standardize", content=b'{"task": "vehicle", "values": ["ok", "\\udc80"]}',
                                           headers={"content-type": "application/json"}))
        rs = await asyncio.gather(*(c.post("/v1/standardize", json={"task": "vehicle", "values": vs}) for vs in good))
        bad = await bad
    assert [r.status_code for r in rs] == [200] * 6
    assert bad.status_code == 422 and bad.json()["detail"].startswith("values[1]: ")


@pytest.fixture(scope="module")
def values_only_backend(tiny_model_dir, tiny_adapters):
    return LocalBackend(str(tiny_model_dir), str(tiny_adapters["unified"]))


async def test_without_a_column_adapter_columns_come_from_the_rules_and_health_says_so(values_only_backend):
    app = create_app(Standardizer(values_only_backend), settings())
    async with client_for(app) as c:
        health = await c.get("/health")
        columns = await c.post("/v1/map-columns", json={"headers": ["时间(s)", "车速(km/h)", "备注"]})
        table = await c.post("/v1/tables", files={"file": ("t.csv", "时间(s),车速(km/h)\n0,10\n".encode())})
    assert health.json() == {"status": "ready", "backend": "local", "serves": {"values": "model", "columns": "rules"}}
    assert columns.status_code == 200, columns.text
    assert columns.json()["mapping"]["车速(km/h)"] == "speed_kph"
    assert any("no column model" in n for n in columns.json()["notes"])
    assert table.status_code == 200, table.text
