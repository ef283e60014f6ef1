"""Whole-table throughput with the rules backend, against what pandas needs just to read and write the table.

    python bench/table_throughput.py [--rows 1000000] [--repeats 3]

The table is a micro log (time, speed in mph, acceleration, grade, vehicle-type names: 100 distinct) written as
UTF-8 CSV. Baseline: pandas read_csv(dtype=str) + to_csv of the same frame. emstd: `standardize_table` with unit
conversion (read, header detection, mapping, conversion, value standardization, atomic write, report).
Medians of --repeats runs, alternating. Last line: `pandas_s=… emstd_s=… ratio=…`.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path


def make_table(path: Path, rows: int) -> None:
    import numpy as np
    import pandas as pd

    from emstd.catalog import load_catalog

    rng = random.Random(0)
    names = [a for aliases in load_catalog().aliases("vehicle").values() for a in aliases if not a.isdigit()]
    names = rng.sample(names, 100)
    g = np.random.default_rng(0)
    frame = pd.DataFrame({
        "时间(s)": np.arange(rows),
        "车速(mph)": g.uniform(0, 70, rows).round(2),
        "加速度(m/s²)": g.uniform(-3, 3, rows).round(3),
        "坡度(%)": g.uniform(-5, 5, rows).round(2),
        "车型": g.choice(names, rows),
    })
    frame.to_csv(path, index=False, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    import pandas as pd

    from emstd.infer.standardizer import Standardizer
    from emstd.infer.table_job import standardize_table

    work = Path(tempfile.mkdtemp(prefix="emstd-table-bench-"))
    src = work / "micro.csv"
    make_table(src, args.rows)
    print(f"table: {args.rows} rows, {src.stat().st_size / 1e6:.1f} MB", flush=True)

    def pandas_only():
        pd.read_csv(src, dtype=str).to_csv(work / "pandas.csv", index=False)

    def emstd_table():
        standardize_table(Standardizer(), src, work / "emstd.csv", convert_units=True)

    times = {"pandas": [], "emstd": []}
    for _ in range(args.repeats):
        for name, fn in (("pandas", pandas_only), ("emstd", emstd_table)):
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    p, e = statistics.median(times["pandas"]), statistics.median(times["emstd"])
    print(f"runs pandas {[round(t, 2) for t in times['pandas']]} emstd {[round(t, 2) for t in times['emstd']]}")
    print(f"pandas_s={p:.2f} emstd_s={e:.2f} ratio={e / p:.2f}")


if __name__ == "__main__":
    main()
