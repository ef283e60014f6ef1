"""Micro-batching and the single model worker: concurrent requests share one call; calls never overlap; a slow
client or a slow model call never blocks the event loop."""

import asyncio

import pytest
from serve_helpers import RecordingBackend, client_for, settings

from emstd.infer.standardizer import Standardizer
from emstd.serve.app import create_app
from emstd.serve.batching import MicroBatcher

pytestmark = pytest.mark.anyio


def recording_app(delay_s=0.0, **overrides):
    backend = RecordingBackend(delay_s)
    # A wide window: every request of a gather() is queued long before it closes, so the test is deterministic.
    app = create_app(Standardizer(backend), settings(**{"batch_window_ms": 200, **overrides}))
    return app, backend


async def test_concurrent_requests_make_one_backend_call_and_get_their_own_answers():
    app, backend = recording_app()
    requests = [[f"v{i}a", f"v{i}b"] for i in range(8)]
    async with client_for(app) as c:
        responses = await asyncio.gather(*(
            c.post("/v1/standardize", json={"task": "vehicle", "values": vs}) for vs in requests))
    assert len(backend.calls) == 1
    assert sorted(backend.calls[0][1]) == sorted(v for vs in requests for v in vs)
    for vs, r in zip(requests, responses):
        assert r.status_code == 200
        assert [(x["input"], x["standard"]) for x in r.json()["results"]] == [(v, v.upper()) for v in vs]


async def test_one_call_per_task_in_a_mixed_batch():
    app, backend = recording_app()
    async with client_for(app) as c:
        rs = await asyncio.gather(*(
            c.post("/v1/standardize", json={"task": task, "values": [f"{task}{i}"]})
            for i in range(3) for task in ("vehicle", "pollutant")))
    assert all(r.status_code == 200 for r in rs)
    assert sorted((task, len(vs)) for task, vs in backend.calls) == [("pollutant", 3), ("vehicle", 3)]


async def test_max_batch_values_splits_a_burst():
    app, backend = recording_app(max_batch_values=4)
    async with client_for(app) as c:
        rs = await asyncio.gather(*(
            c.post("/v1/standardize", json={"task": "vehicle", "values": [f"x{i}", f"y{i}"]}) for i in range(6)))
    assert all(r.status_code == 200 for r in rs)
    assert [len(vs) for _, vs in backend.calls] == [4, 4, 4]


async def test_model_calls_never_overlap():
    app, backend = recording_app(delay_s=0.05, batch_window_ms=0)
    async with client_for(app) as c:
        jobs = [c.post("/v1/standardize", json={"task": t, "values": [f"{t}{i}"]})
                for i in range(3) for t in ("vehicle", "pollutant")]
        jobs += [c.post("/v1/map-columns", json={"headers": ["time", f"speed{i}"]}) for i in range(3)]
        jobs += [c.post("/v1/tables", files={"file": ("t.csv", b"time,vehicle\n0,car\n")})]
        rs = await asyncio.gather(*jobs)
    assert all(r.status_code == 200 for r in rs), [r.text for r in rs if r.status_code != 200]
    assert backend.model_calls >= 5 and backend.max_active == 1


async def test_event_loop_stays_free_during_a_slow_model_call():
    app, backend = recording_app(delay_s=2.0, batch_window_ms=0)
    async with client_for(app) as c:
        slow = asyncio.ensure_future(c.post("/v1/standardize", json={"task": "vehicle", "values": ["slow"]}))
        await asyncio.sleep(0.1)  # the model call is running on the worker now
        loop = asyncio.get_running_loop()
        start = loop.time()
        health = await c.get("/health")
        metrics = await c.get("/metrics")
        quick = loop.time() - start
        assert not slow.done()
        assert (await slow).status_code == 200
    assert health.status_code == 200 and metrics.status_code == 200 and quick < 1.0


async def test_a_slow_client_does_not_block_others():
    """A client that stalls halfway through its body: other requests are answered meanwhile."""
    app, backend = recording_app(batch_window_ms=0)
    release = asyncio.Event()

    async def stalled_body():
        yield b'{"task": "vehicle", '
        await release.wait()
        yield b'"values": ["late"]}'

    async with client_for(app) as c:
        slow = asyncio.ensure_future(c.post("/v1/standardize", content=stalled_body(),
                                            headers={"content-type": "application/json"}))
        await asyncio.sleep(0.05)
        fast = await asyncio.wait_for(c.post("/v1/standardize", json={"task": "vehicle", "values": ["early"]}), 5)
        assert fast.status_code == 200 and not slow.done()
        release.set()
        late = await asyncio.wait_for(slow, 5)
    assert late.json()["results"][0]["standard"] == "LATE"
    assert [vs for _, vs in backend.calls] == [["early"], ["late"]]


async def test_a_failing_call_fails_every_request_of_the_batch_with_its_status():
    from emstd.errors import EmstdError

    app, backend = recording_app()

    def broken(values, task):
        raise EmstdError("the backend is broken: fix it")

    backend.standardize_values = broken
    async with client_for(app) as c:
        rs = await asyncio.gather(*(c.post("/v1/standardize", json={"task": "vehicle", "values": [f"v{i}"]})
                                    for i in range(3)))
    assert [r.status_code for r in rs] == [400, 400, 400]
    assert rs[0].json()["detail"] == "the backend is broken: fix it"


async def test_remote_server_failure_is_502():
    from emstd.infer.remote import RemoteError

    app, backend = recording_app(batch_window_ms=0)

    def down(values, task):
        raise RemoteError("http://127.0.0.1:9: cannot reach the server")

    backend.standardize_values = down
    async with client_for(app) as c:
        r = await c.post("/v1/standardize", json={"task": "vehicle", "values": ["x"]})
    assert r.status_code == 502 and "cannot reach" in r.json()["detail"]


async def test_batcher_counts_batches_in_metrics():
    app, backend = recording_app()
    async with client_for(app) as c:
        await asyncio.gather(*(c.post("/v1/standardize", json={"task": "vehicle", "values": [f"m{i}"]})
                               for i in range(5)))
        text = (await c.get("/metrics")).text
    assert "emstd_batches_total 1" in text.splitlines()
    assert "emstd_batched_requests_total 5" in text.splitlines()
    assert 'emstd_model_calls_total{backend="recording"} 1' in text.splitlines()


async def test_batcher_skips_requests_whose_client_went_away():
    calls = []

    async def run_blocking(fn, *args):
        return fn(*args)

    batcher = MicroBatcher(lambda values, task: calls.append(values) or [v.upper() for v in values], run_blocking,
                           window_s=0.05, max_values=100)
    gone = asyncio.ensure_future(batcher.submit(["gone"], "vehicle"))
    kept = asyncio.ensure_future(batcher.submit(["kept"], "vehicle"))
    await asyncio.sleep(0)
    gone.cancel()
    assert await kept == ["KEPT"]
    assert calls == [["kept"]]
