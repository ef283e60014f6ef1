"""`emstd quickstart`: the main job on the embedded defaults, on a fresh machine with no GPU and no hub access.

Today: build and check the datasets, then standardize the bundled sample tables with the rules backend.
Each step reports progress; a second run reuses the dataset when it is already built for the same seed.
"""

from __future__ import annotations

import json
import time
from importlib import resources
from pathlib import Path


def sample_path(name: str) -> Path:
    return Path(str(resources.files("emstd").joinpath("samples", name)))


def run_quickstart(out_dir: str | Path = "out/quickstart", seed: int = 42, say=print) -> dict:
    from emstd.data.build import build_dataset
    from emstd.data.check import check_dataset
    from emstd.errors import EmstdError
    from emstd.infer.standardizer import Standardizer
    from emstd.infer.table_job import standardize_table

    out_dir = Path(out_dir)
    data_dir = out_dir / "data"
    summary: dict = {"out": str(out_dir)}
    t0 = time.perf_counter()

    stats_file = data_dir / "stats.json"
    if stats_file.exists() and json.loads(stats_file.read_text(encoding="utf-8")).get("seed") == seed:
        say(f"[1/3] dataset: reusing {data_dir}")
        stats = json.loads(stats_file.read_text(encoding="utf-8"))
    else:
        say(f"[1/3] dataset: building {data_dir}")
        stats = build_dataset(data_dir, seed=seed, progress=lambda m: say(f"      {m}"))
    summary["dataset"] = {m: stats[m]["sizes"] for m in ("unified", "column")}

    say("[2/3] dataset: checking")
    problems = check_dataset(data_dir)
    if problems:
        raise EmstdError(f"{data_dir}: the dataset has {len(problems)} problem(s), first: {problems[0]}")

    say("[3/3] standardizing the bundled sample tables with the rules backend")
    standardizer = Standardizer()
    summary["tables"] = []
    for name, out_name in (("macro_links.xlsx", "macro_links.standard.xlsx"),
                           ("micro_trajectory.csv", "micro_trajectory.standard.csv")):
        report = standardize_table(standardizer, sample_path(name), out_dir / out_name, convert_units=True,
                                   progress=lambda m: say(f"      {m}"))
        mapped = sum(1 for c in report["columns"] if c["field"])
        summary["tables"].append({"input": name, "output": str(out_dir / out_name), "task": report["task"],
                                  "mapped": f"{mapped}/{len(report['columns'])}"})
    summary["seconds"] = round(time.perf_counter() - t0, 1)
    return summary
