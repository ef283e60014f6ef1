"""Tables of any size: seconds and peak memory of standardize-table against the rows of the table.

    python bench/table_scale.py [--rows 1000000 10000000] [--repeats 3] [--repeats-large 1]

The table is a micro log (time s, speed mph, acceleration m/s², a vehicle-type text column with 100 distinct
names), UTF-8 CSV. Variants, each run in a fresh child process whose peak RSS is read from os.wait4:
  pandas     pandas read_csv(dtype=str) + to_csv: the baseline, in the same run
  in-memory  the previous path: the whole table read by pandas, standardized as one frame, written
  streaming  standardize-table (--convert-units), batches of 200,000 rows
  duckdb     standardize-table --engine duckdb
The parent process imports nothing heavy: a child's ru_maxrss starts at its parent's at fork. Medians of --repeats runs (alternating variants) for tables up to 2M rows, --repeats-large above. Ratios are
seconds per row against pandas' read+write of the same table.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

VARIANTS = ("pandas", "in-memory", "streaming", "duckdb")
LARGE = 2_000_000


def make_table(path: Path, rows: int) -> None:
    import numpy as np
    import pandas as pd

    from emstd.catalog import load_catalog

    names = [a for aliases in load_catalog().aliases("vehicle").values() for a in aliases if not a.isdigit()]
    names = random.Random(0).sample(names, 100)
    g = np.random.default_rng(0)
    step = 1_000_000
    with open(path, "w", encoding="utf-8") as f:
        for start in range(0, rows, step):  # written in slices: the generator must not need the memory it measures
            n = min(step, rows - start)
            pd.DataFrame({
                "时间(s)": np.arange(start, start + n),
                "车速(mph)": g.uniform(0, 70, n).round(2),
                "加速度(m/s²)": g.uniform(-3, 3, n).round(3),
                "车型": g.choice(names, n),
            }).to_csv(f, index=False, header=start == 0)


def run_variant(variant: str, src: Path, out: Path) -> None:
    import pandas as pd

    from emstd.infer.standardizer import Standardizer
    from emstd.infer.table_job import standardize_table

    if variant == "pandas":
        pd.read_csv(src, dtype=str).to_csv(out, index=False)
    elif variant == "in-memory":
        from emstd.infer.table_plan import apply_plan, build_plan
        from emstd.infer.table_sinks import CsvSink
        from emstd.infer.tables import samples_of

        frame = pd.read_csv(src, dtype=str, keep_default_na=False, na_values=[""])
        standardizer = Standardizer()
        cmap = standardizer.map_columns(list(frame.columns), samples_of(frame), None)
        plan = build_plan(list(frame.columns), cmap, frame, convert_units=True)
        sink = CsvSink(out)
        sink.write(apply_plan(plan, frame, standardizer))
        sink.close()
    else:
        standardize_table(Standardizer(), src, out, convert_units=True,
                          engine="duckdb" if variant == "duckdb" else "python")


def measure(variant: str, src: Path, work: Path) -> tuple[float, float]:
    """(seconds, peak RSS in MiB) of one run in a child process."""
    out = work / f"out-{variant}.csv"
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, __file__, "--child", variant, str(src), str(out)])
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{variant} failed with exit code {child.returncode}")
    return seconds, usage.ru_maxrss / 1024  # Linux reports KiB


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--repeats-large", type=int, default=1)
    ap.add_argument("--child", nargs=3, metavar=("VARIANT", "SRC", "OUT"), help=argparse.SUPPRESS)
    ap.add_argument("--make", nargs=2, metavar=("PATH", "ROWS"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        variant, src, out = args.child
        run_variant(variant, Path(src), Path(out))
        return
    if args.make:
        make_table(Path(args.make[0]), int(args.make[1]))
        return

    print(f"load before: {os.getloadavg()}", flush=True)
    work = Path(tempfile.mkdtemp(prefix="emstd-table-scale-"))
    print("| rows | variant | runs | seconds (median) | peak RSS MiB | s per row vs pandas |")
    print("| --- | --- | --- | --- | --- | --- |")
    for rows in args.rows:
        src = work / f"micro_{rows}.csv"
        # in a child too: Linux children inherit the parent's peak RSS at fork, so the parent must stay small
        subprocess.run([sys.executable, __file__, "--make", str(src), str(rows)], check=True)
        repeats = args.repeats if rows <= LARGE else args.repeats_large
        results = {v: [] for v in VARIANTS}
        for _ in range(repeats):
            for v in VARIANTS:
                results[v].append(measure(v, src, work))
        base = statistics.median(s for s, _ in results["pandas"])
        for v in VARIANTS:
            secs = statistics.median(s for s, _ in results[v])
            rss = max(m for _, m in results[v])
            print(f"| {rows:,} ({src.stat().st_size / 1e6:.0f} MB) | {v} | {repeats} | {secs:.2f} | {rss:,.0f} | "
                  f"{secs / base:.2f}x |", flush=True)
        for f in work.glob("*.csv"):
            f.unlink()
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
