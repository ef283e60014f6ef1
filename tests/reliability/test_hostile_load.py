"""16 well-behaved clients and one hostile client at the same time, on a real uvicorn server (127.0.0.1) over the
tiny random Qwen2 with two LoRA adapters: the well-behaved clients see no error at all, and every hostile request
is answered with a 4xx (never a 500, a reset or a hang)."""

import asyncio
import functools
import json
import random

import httpx
import pytest

from emstd.infer.local import LocalBackend
from emstd.infer.standardizer import Standardizer
from emstd.serve.app import create_app
from emstd.serve.settings import ServeSettings
from tests.hostile import xlsx_bomb
from tests.live_server import live_server

pytestmark = [pytest.mark.anyio, pytest.mark.slow]  # ~16 s on two shared cores (load 7), ~5 s CPU

CLIENTS = 16
REQUESTS_PER_CLIENT = 6
NAMES = ["大货车", "小轿车", "重卡", "SUV", "公交车", "出租车", "摩托车", "轻型货车", "qwerty", "半挂牵引车",
         "校车", "环卫车", "混凝土搅拌车", "冷藏车", "房车", "皮卡"]
JSON = {"content-type": "application/json"}
# A SUMO FCD table: its documented profile maps the columns without a column-model call (the tiny random model
# writes 384 tokens per column map, ~30 s on two cores); its vehicle types still go to the model.
SUMO_HEADERS = ["timestep_time", "vehicle_angle", "vehicle_id", "vehicle_lane", "vehicle_pos", "vehicle_slope",
                "vehicle_speed", "vehicle_type", "vehicle_x", "vehicle_y"]
SUMO_CSV = ";".join(SUMO_HEADERS) + "\n0.00;90.00;veh0;e1_0;5.10;0.00;10.00;passenger;5.10;-1.60\n"


@pytest.fixture
def anyio_backend():
    return "asyncio"


@functools.lru_cache(maxsize=1)
def bomb() -> bytes:
    return xlsx_bomb(1_000_000)


def hostile_requests() -> list[tuple[str, dict]]:
    big = b'{"task": "vehicle", "values": ["' + b"x" * (5 * 1024 * 1024) + b'"]}'

    async def chunked():
        yield big[:2 * 1024 * 1024]
        yield big[2 * 1024 * 1024:]

    return [
        ("/v1/standardize", dict(content=b'{"task": "vehicle", "values": ["\\udc80"]}', headers=JSON)),
        ("/v1/standardize", dict(content=b'{"task": "vehicle", "values": ["ok", "x\\ud800y", "z"]}', headers=JSON)),
        ("/v1/map-columns", dict(content=b'{"headers": ["time", "\\udfff"]}', headers=JSON)),
        ("/v1/map-columns", dict(content=b'{"headers": ["t"], "samples": {"t": ["\\udc80"]}}', headers=JSON)),
        ("/v1/tables", dict(files={"file": ("bomb.xlsx", bomb())})),
        ("/v1/tables", dict(files={"file": ("bomb.csv", bomb())})),
        ("/v1/standardize", dict(content=b'{"task": "vehicle", "values": ["a",]}', headers=JSON)),
        ("/v1/standardize", dict(content=b'{"task": "vehicle"', headers=JSON)),
        ("/v1/standardize", dict(content=b'{"task": "vehicle", "values": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
                                 headers=JSON)),
        ("/v1/standardize", dict(content=b'{"task": "vehicle", "values": [' + b"7" * 6000 + b"]}", headers=JSON)),
        ("/v1/standardize", dict(content=big, headers=JSON)),
        ("/v1/standardize", dict(content=chunked(), headers=JSON)),
        ("/v1/standardize", dict(json={"task": "vehicle", "values": [1] * 1_000_000})),
        ("/v1/standardize", dict(json={"task": "vehicle", "values": [], **{f"x{i}": 1 for i in range(100_000)}})),
        ("/v1/map-columns", dict(json={"headers": ["a"], "samples": {str(i): [1] for i in range(100_000)}})),
        ("/v1/standardize", dict(json={"task": "vehicle", "values": ["x"] * 1001})),
        ("/v1/standardize", dict(json={"task": "vehicle", "values": ["x" * 501]})),
        ("/v1/standardize", dict(json=["not", "an", "object"])),
        ("/v1/tables", dict(files={"file": ("t.csv", b"a,b\n1,2\n")}, data={"sheet": "s1"})),
        ("/v1/tables", dict(files={"file": ("t.csv", b"")})),
        ("/v1/tables", dict(files={"file": ("t.exe", b"MZ\x00\x00")})),
        ("/v1/tables", dict(files={"file": ("t.xlsx", b"PK\x03\x04 not really")})),
    ]


async def well_behaved(base: str, client_id: int, failures: list, answered: list) -> None:
    rng = random.Random(client_id)
    async with httpx.AsyncClient(base_url=base, timeout=120) as c:
        for i in range(REQUESTS_PER_CLIENT):
            values = rng.sample(NAMES, 3)
            try:
                if client_id == 0 and i == 0:
                    r = await c.post("/v1/map-columns", json={"headers": SUMO_HEADERS})
                    ok = r.status_code == 200 and list(r.json()["mapping"]) == SUMO_HEADERS
                elif client_id == 1 and i == 0:
                    r = await c.post("/v1/tables", files={"file": ("fcd.csv", SUMO_CSV.encode())})
                    ok = r.status_code == 200 and r.json()["report"]["rows"] == 1
                else:
                    task = "vehicle" if i % 2 else "pollutant"
                    r = await c.post("/v1/standardize", json={"task": task, "values": values})
                    ok = r.status_code == 200 and [x["input"] for x in r.json()["results"]] == values
                (answered if ok else failures).append((client_id, r.status_code, r.text[:200]))
            except httpx.HTTPError as exc:
                failures.append((client_id, "transport", repr(exc)))


async def hostile(base: str, rounds: int, answers: list) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=120) as c:
        for _ in range(rounds):
            for path, kw in hostile_requests():
                try:
                    r = await c.post(path, **kw)
                    answers.append((path, r.status_code, r.text[:200]))
                except httpx.HTTPError as exc:
                    answers.append((path, "transport", repr(exc)))


async def test_valid_clients_see_no_error_while_a_hostile_client_gets_only_4xx(tiny_model_dir, tiny_adapters):
    backend = LocalBackend(str(tiny_model_dir), str(tiny_adapters["unified"]), str(tiny_adapters["column"]))
    app = create_app(Standardizer(backend), ServeSettings(api_key=None, batch_window_ms=20))
    failures, answered, hostile_answers = [], [], []
    rounds = 2
    with live_server(app) as base:
        await asyncio.wait_for(asyncio.gather(
            hostile(base, rounds, hostile_answers),
            *(well_behaved(base, i, failures, answered) for i in range(CLIENTS))), 300)
        async with httpx.AsyncClient(base_url=base) as c:
            metrics = (await c.get("/metrics")).text
    assert failures == []
    assert len(answered) == CLIENTS * REQUESTS_PER_CLIENT
    unexpected = [a for a in hostile_answers if not (isinstance(a[1], int) and 400 <= a[1] < 500)]
    assert unexpected == [], json.dumps(unexpected, ensure_ascii=False, indent=1)
    assert len(hostile_answers) == rounds * len(hostile_requests())
    assert 'status="500"' not in metrics
