"""`emstd serve` as a real process on a free loopback port, and `emstd vllm-command`."""

import json
import os
import socket
import subprocess
import sys
import time

import httpx
import pytest
from serve_helpers import KEY


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def emstd(*args, env=None):
    return subprocess.run([sys.executable, "-m", "emstd.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=120, env=env)


def test_serve_runs_answers_and_stops():
    port = free_port()
    env = {**os.environ, "EMSTD_API_KEY": KEY}
    proc = subprocess.Popen([sys.executable, "-m", "emstd.cli", "serve", "--port", str(port), "--max-values", "5"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline, health = time.monotonic() + 60, None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                health = httpx.get(f"{base}/health", timeout=2)
                if health.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        assert health is not None and health.json() == {
            "status": "ready", "backend": "auto",
            "serves": {"values": "rules+retrieval", "columns": "rules+retrieval"}}, proc.poll()
        auth = {"Authorization": f"Bearer {KEY}"}
        ok = httpx.post(f"{base}/v1/standardize", json={"task": "pollutant", "values": ["氮氧化物", "CH4"]},
                        headers=auth, timeout=10)
        denied = httpx.post(f"{base}/v1/standardize", json={"task": "pollutant", "values": ["x"]}, timeout=10)
        too_many = httpx.post(f"{base}/v1/standardize", json={"task": "pollutant", "values": ["x"] * 6},
                              headers=auth, timeout=10)
        assert [x["standard"] for x in ok.json()["results"]] == ["NOx", None]
        assert denied.status_code == 401 and too_many.status_code == 413
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=20)
    assert proc.returncode is not None
    assert "Uvicorn running on http://127.0.0.1:" in out
    assert "standardizer ready: backend auto; values answered by rules+retrieval" in out  # the start-up line


@pytest.mark.parametrize("args, names", [
    (["--port", "99999"], "--port 99999"),
    (["--port", "-1"], "--port -1"),
    (["--max-values", "0"], "--max-values"),
    (["--max-xlsx-cells", "0"], "--max-xlsx-cells"),
    (["--batch-window-ms", "-5", "--max-upload-bytes", "0"], "--max-upload-bytes"),
    (["--host", "no-such-host.invalid"], "--host 'no-such-host.invalid'"),
    (["--backend", "remote"], "--url is required"),
])
def test_invalid_serve_options_are_one_line_and_exit_2_before_anything_starts(args, names):
    r = emstd("serve", *args)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and names in lines[0], r.stderr
    assert "Uvicorn" not in r.stderr + r.stdout and "Traceback" not in r.stderr


def test_a_port_in_use_is_one_line_and_exit_2():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        r = emstd("serve", "--port", taken.getsockname()[1])
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot listen on 127.0.0.1:" in lines[0], r.stderr


def test_vllm_command_serves_both_adapters(tmp_path):
    unified, column = tmp_path / "unified", tmp_path / "column"
    for d, r in ((unified, 16), (column, 32)):
        d.mkdir()
        (d / "adapter_config.json").write_text(json.dumps({"r": r, "modules_to_save": None}))
    r = emstd("vllm-command", "--base-model", "/models/qwen2.5-3b", "--unified-adapter", unified,
              "--column-adapter", column)
    assert r.returncode == 0, r.stderr
    line = r.stdout.strip()
    assert line.startswith("vllm serve /models/qwen2.5-3b --enable-lora")
    assert f"--lora-modules unified={unified} column={column}" in line
    assert "--max-lora-rank 32 --max-loras 2" in line
    assert "--max-model-len 2048" in line
    assert "512 tokens plus up to 512 generated (the local backend stops at 384): 1024" in r.stderr


def test_vllm_command_refuses_adapters_vllm_cannot_load(tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "adapter_config.json").write_text(json.dumps({"r": 64, "modules_to_save": ["lm_head"]}))
    r = emstd("vllm-command", "--column-adapter", bad)
    assert r.returncode == 2
    assert "r=64" in r.stderr and "modules_to_save" in r.stderr
