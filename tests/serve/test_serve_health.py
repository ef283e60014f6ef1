"""Readiness: a server built from a loader answers 503 until the standardizer is loaded, and after a failure."""

import asyncio
import threading

import pytest
from serve_helpers import client_for, settings

from emstd.infer.standardizer import Standardizer
from emstd.serve.app import create_app

pytestmark = pytest.mark.anyio


async def wait_for_status(client, status, seconds=10):
    for _ in range(int(seconds / 0.02)):
        r = await client.get("/health")
        if r.status_code == status:
            return r
        await asyncio.sleep(0.02)
    raise AssertionError(f"/health never answered {status}: {r.status_code} {r.text}")


async def test_503_while_loading_then_200_with_backend():
    gate = threading.Event()

    def load():
        gate.wait(10)
        return Standardizer()

    app = create_app(load, settings())
    async with client_for(app) as c:
        loading = await c.get("/health")
        refused = await c.post("/v1/standardize", json={"task": "vehicle", "values": ["重卡"]})
        gate.set()
        ready = await wait_for_status(c, 200)
        answered = await c.post("/v1/standardize", json={"task": "vehicle", "values": ["重卡"]})
    assert loading.status_code == 503 and loading.json() == {"status": "loading"}
    assert refused.status_code == 503 and "still loading" in refused.json()["detail"]
    assert refused.headers["retry-after"] == "5"
    assert ready.json() == {"status": "ready", "backend": "rules", "serves": {"values": "rules", "columns": "rules"}}
    assert answered.status_code == 200


async def test_a_failed_load_stays_503_with_the_reason():
    from emstd.errors import EmstdError

    def load():
        raise EmstdError("base model 'nope' could not be loaded")

    app = create_app(load, settings())
    async with client_for(app) as c:
        r = await wait_for_status(c, 503)
        for _ in range(100):
            r = await c.get("/health")
            if r.json()["status"] == "failed":
                break
            await asyncio.sleep(0.02)
        metrics = await c.get("/metrics")
    assert r.json() == {"status": "failed", "error": "EmstdError: base model 'nope' could not be loaded"}
    assert "emstd_ready 0" in metrics.text.splitlines()


async def test_loader_runs_once_however_many_probes():
    loads = []

    def load():
        loads.append(1)
        return Standardizer()

    app = create_app(load, settings())
    async with client_for(app) as c:
        await asyncio.gather(*(c.get("/health") for _ in range(10)))
        await wait_for_status(c, 200)
    assert loads == [1]
