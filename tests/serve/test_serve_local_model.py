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
    assert health.json() == {"status": "ready", "backend": "local"}
    assert f'emstd_model_calls_total{{backend="local"}} {backend.model_calls}' in metrics.splitlines()


async def test_map_columns_with_the_column_adapter(app, backend):
    headers = ["t", "v", "备注"]
    before = backend.model_calls
    async with client_for(app) as c:
        r = await c.post("/v1/map-columns", json={"headers": headers})
    assert r.status_code == 200
    assert list(r.json()["mapping"]) == headers
    assert backend.model_calls == before + 1
