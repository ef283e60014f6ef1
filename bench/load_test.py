"""Load test for `emstd serve`: N concurrent clients for a bounded time, against 127.0.0.1 only.

    python bench/load_test.py --spawn rules [--clients 16] [--seconds 10] [--values 8] [--fresh 0.25]
    python bench/load_test.py --spawn tiny  ...   # tiny random Qwen2 + random LoRA adapters, --backend local
    python bench/load_test.py --url http://127.0.0.1:8000 [--api-key KEY]   # a server you started

Each client sends POST /v1/standardize with --values names, one request after the other, until time is up.
A share --fresh of each request's names are new strings (never cached, so the model answers them); the rest
are catalog aliases (cached after their first answer, as in a real table). Reports requests/s, values/s,
p50/p99 latency, errors (any answer but a complete 200), and from /metrics the model calls and values per call (micro-batching at work).
The last line is one JSON object with the same numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    target = ap.add_mutually_exclusive_group(required=True)
    target.add_argument("--url", help="a running server on 127.0.0.1")
    target.add_argument("--spawn", choices=["rules", "tiny"], help="start `emstd serve` with this backend")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--values", type=int, default=8, help="names per request")
    ap.add_argument("--fresh", type=float, default=0.25, help="share of names never seen before (0..1)")
    ap.add_argument("--task", choices=["vehicle", "pollutant"], default="vehicle")
    ap.add_argument("--api-key", default=os.environ.get("EMSTD_API_KEY"))
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    if args.seconds <= 0 or args.seconds > 600 or args.clients < 1:
        raise SystemExit("--seconds must be in (0, 600] and --clients at least 1")

    with _server(args) as url:
        result = asyncio.run(_load(url, args))
    result.update(backend=args.spawn or "given", clients=args.clients, seconds=args.seconds,
                  values_per_request=args.values, fresh=args.fresh)
    _print(result)


# --- the server under test ------------------------------------------------------------------------------------


def _check_loopback(url: str) -> str:
    host = urlparse(url).hostname
    if host not in LOOPBACK:
        raise SystemExit(f"refusing to load-test {host!r}: only 127.0.0.1 / localhost is allowed")
    return url.rstrip("/")


@contextmanager
def _server(args):
    if args.url:
        yield _check_loopback(args.url)
        return
    with tempfile.TemporaryDirectory(prefix="emstd-load-") as work:
        port = _free_port()
        cmd = [sys.executable, "-m", "emstd.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
        cmd += _backend_args(args.spawn, Path(work))
        env = {**os.environ, **({"EMSTD_API_KEY": args.api_key} if args.api_key else {})}
        log = open(Path(work) / "server.log", "w")
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_ready(url, proc, Path(work) / "server.log")
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            log.close()


def _backend_args(kind: str, work: Path) -> list[str]:
    if kind == "rules":
        return ["--backend", "rules"]
    from common import make_model_dir, random_adapter

    print("[load] building the tiny model and two random adapters", file=sys.stderr)
    base, _ = make_model_dir("tiny", work)
    unified = random_adapter(base, None, work / "unified", r=16)
    column = random_adapter(base, None, work / "column", r=32)
    return ["--backend", "local", "--base-model", base, "--unified-adapter", unified, "--column-adapter", column]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(url: str, proc: subprocess.Popen, log: Path, limit_s: float = 300) -> None:
    import httpx

    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited ({proc.returncode}):\n{log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    raise SystemExit(f"the server was not ready within {limit_s:.0f} s")


# --- the load -------------------------------------------------------------------------------------------------


async def _load(url: str, args) -> dict:
    import httpx

    from emstd.catalog import load_catalog

    aliases = [a for names in load_catalog().aliases(args.task).values() for a in names]
    headers = {"Authorization": f"Bearer {args.api_key}"} if args.api_key else {}
    limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=60) as client:
        # One request before the clock starts: first-call costs (lazy initialisation) are not load.
        await client.post("/v1/standardize", json={"task": args.task, "values": ["warm-up"]})
        before = await _server_counters(client)
        latencies: list[float] = []
        errors: list[str] = []
        end = time.perf_counter() + args.seconds
        start = time.perf_counter()
        await asyncio.gather(*(
            _client(client, random.Random(args.seed * 1000 + i), i, aliases, args, end, latencies, errors)
            for i in range(args.clients)))
        elapsed = time.perf_counter() - start
        after = await _server_counters(client)
    return _summary(latencies, errors, elapsed, args.values, before, after)


async def _client(client, rng, client_id, aliases, args, end, latencies, errors) -> None:
    n = 0
    while time.perf_counter() < end:
        fresh = round(args.values * args.fresh)
        values = [f"车型{client_id}-{n}-{k}" for k in range(fresh)]
        values += rng.sample(aliases, args.values - fresh)
        n += 1
        t0 = time.perf_counter()
        try:
            r = await client.post("/v1/standardize", json={"task": args.task, "values": values})
            ok = r.status_code == 200 and len(r.json()["results"]) == len(values)
            if not ok:
                errors.append(f"{r.status_code}: {r.text[:200]}")
        except Exception as exc:  # noqa: BLE001 - every failure is an error in the count, never a crash
            errors.append(f"{type(exc).__name__}: {exc}")
            ok = False
        if ok:
            latencies.append(time.perf_counter() - t0)


async def _server_counters(client) -> dict[str, float]:
    text = (await client.get("/metrics")).text
    out = {}
    for name in ("emstd_model_calls_total", "emstd_batches_total", "emstd_batched_values_total",
                 "emstd_model_answers_total", "emstd_cache_hits_total"):
        m = re.search(rf"^{name}(?:{{[^}}]*}})? (\S+)$", text, re.M)
        out[name] = float(m.group(1)) if m else 0.0
    return out


def _summary(latencies, errors, elapsed, values_per_request, before, after) -> dict:
    lat = sorted(latencies)

    def pct(p: float) -> float:
        return round(1000 * lat[min(len(lat) - 1, int(p / 100 * len(lat)))], 1) if lat else float("nan")

    delta = {k: after[k] - before[k] for k in after}
    batches = delta["emstd_batches_total"]
    return {
        "requests": len(lat), "errors": len(errors), "first_errors": errors[:3],
        "requests_per_s": round(len(lat) / elapsed, 1), "values_per_s": round(len(lat) * values_per_request / elapsed, 1),
        "p50_ms": pct(50), "p99_ms": pct(99),
        "batches": int(batches), "values_per_batch": round(delta["emstd_batched_values_total"] / batches, 1) if batches else 0,
        "model_calls": int(delta["emstd_model_calls_total"]),
        "cache_hits": int(delta["emstd_cache_hits_total"]), "model_answers": int(delta["emstd_model_answers_total"]),
    }


def _print(r: dict) -> None:
    print(f"{r['backend']}: {r['clients']} clients x {r['seconds']:.0f} s, {r['values_per_request']} values/request "
          f"({r['fresh']:.0%} new)")
    print(f"  {r['requests']} requests, {r['requests_per_s']} req/s, {r['values_per_s']} values/s")
    print(f"  latency p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms; errors {r['errors']}")
    print(f"  server: {r['batches']} batched calls ({r['values_per_batch']} values each), "
          f"{r['model_calls']} model calls, {r['cache_hits']} cache hits, {r['model_answers']} backend answers")
    for e in r["first_errors"]:
        print(f"  error: {e}")
    print(json.dumps(r, ensure_ascii=False))


if __name__ == "__main__":
    main()
