"""Examples for the column model: a table's headers (and sometimes sample values) -> JSON field mapping.

Tables are micro or macro, with shuffled column order, partial field sets, noise columns and look-alike traps
from the negatives, fleet-mix columns (macro) and headers carrying units. A table of split S draws every header
from S's aliases, so the test split holds header names the model never saw in training.
"""

from __future__ import annotations

import random

from emstd.catalog import Catalog
from emstd.catalog.normalize import fold
from emstd.data.split import SPLITS, catalog_split
from emstd.prompts import column_messages

# (header template, unit the values are in) per field; "{}" is the alias
UNIT_FORMS = {
    "time_sec": [("{}", "s"), ("{}(s)", "s"), ("{}_s", "s"), ("{}（秒）", "s"), ("{}(ms)", "ms"), ("{}_ms", "ms")],
    "speed_kph": [("{}", "km/h"), ("{}(km/h)", "km/h"), ("{}km/h", "km/h"), ("{}_kph", "km/h"), ("{}(mph)", "mph"),
                  ("{}_mph", "mph"), ("{} [m/s]", "m/s"), ("{}(ft/s)", "ft/s")],
    "acceleration_mps2": [("{}", "m/s2"), ("{}(m/s²)", "m/s2"), ("{}_mps2", "m/s2"), ("{}(ft/s2)", "ft/s2"),
                          ("{}(m/s^2)", "m/s2")],
    "grade_pct": [("{}", "%"), ("{}(%)", "%"), ("{}_pct", "%"), ("{}(deg)", "deg"), ("{}（度）", "deg")],
    "link_id": [("{}", None)],
    "link_length_km": [("{}", "km"), ("{}(km)", "km"), ("{}_km", "km"), ("{}(m)", "m"), ("{}（米）", "m"),
                       ("{}(mi)", "mi")],
    "traffic_flow_vph": [("{}", "veh/h"), ("{}(veh/h)", "veh/h"), ("{}（辆/小时）", "veh/h"), ("{}_vph", "veh/h"),
                         ("{}(veh/5min)", "veh/5min"), ("{}（辆/天）", "veh/day")],
    "avg_speed_kph": [("{}", "km/h"), ("{}(km/h)", "km/h"), ("{}_kph", "km/h"), ("{}(mph)", "mph"), ("{}_mph", "mph")],
}
FLEET_FORMS = ["{}%", "{}比例", "{}占比", "{}占比(%)", "pct_{}", "{}_share", "share of {}", "{} (%)", "{}比例%", "{}_pct"]
RANGES = {  # plausible values per standard unit
    "s": (0, 3600), "ms": (0, 3_600_000), "km/h": (0, 120), "mph": (0, 75), "m/s": (0, 33), "ft/s": (0, 110),
    "m/s2": (-3, 3), "ft/s2": (-10, 10), "%": (-6, 6), "deg": (-4, 4), "km": (0.1, 5), "m": (100, 5000),
    "mi": (0.1, 3), "veh/h": (100, 3000), "veh/5min": (10, 250), "veh/day": (2000, 60000),
}


def column_pools(catalog: Catalog, vehicle_pool, seed: int) -> dict:
    fields = catalog_split(catalog, "column", lambda cat: {name: [name] + aliases
                                                           for name, aliases in cat.aliases("column").items()}, seed)
    noise = catalog_split(catalog, "column", lambda cat: {"noise": cat.negative_names("column")}, seed)["noise"]
    return {"fields": fields, "noise": noise, "vehicles": vehicle_pool}


def build_column(catalog: Catalog, pools, seed: int, sizes: dict[str, int], fits=lambda messages: True) -> dict[str, list[dict]]:
    """Tables per split. `fits(messages)` rejects examples over the token budget; eval and test tables never
    reuse a header string seen in train (a unit suffix on one alias can spell another alias: "volume" + "_vph")."""
    out = {}
    train_headers: set[str] = set()
    for split in ("train", "eval", "test"):
        rng = random.Random(f"{seed}:column:{split}")
        rows, seen = [], set()
        attempts = 0
        while len(rows) < sizes[split] and attempts < sizes[split] * 10:
            attempts += 1
            row = _table_example(catalog, pools, split, rng)
            k = row["messages"][1]["content"]
            headers = {fold(h) for h in row["meta"]["headers"]}
            if k in seen or (split != "train" and headers & train_headers) or not fits(row["messages"]):
                continue
            seen.add(k)
            rows.append(row)
            if split == "train":
                train_headers |= headers
        out[split] = rows
    return {s: out[s] for s in SPLITS}


def _table_example(catalog: Catalog, pools, split: str, rng: random.Random) -> dict:
    task = rng.choice(["micro", "macro"])
    columns: list[tuple[str, str | None, str | None]] = []  # (header, target, unit)
    names = catalog.field_names(task)
    keep = names if rng.random() < 0.5 else rng.sample(names, rng.randint(1, len(names)))
    for name in keep:
        alias = rng.choice(pools["fields"][name][split])
        template, unit = rng.choice(UNIT_FORMS[name]) if rng.random() < 0.6 else ("{}", UNIT_FORMS[name][0][1])
        columns.append((template.format(alias), name, unit))
    if task == "macro" and rng.random() < 0.7:
        labels = rng.sample(catalog.labels("vehicle"), rng.randint(1, 5))
        form = rng.choice(FLEET_FORMS)
        for label in labels:
            # numeric ids ("21") make no sense as a fleet-mix header
            names_ = [a for a in pools["vehicles"][label][split] if not a.strip().isdigit()]
            if names_:
                columns.append((form.format(rng.choice(names_)), label, "%"))
    noise_pool = pools["noise"][split]
    for header in rng.sample(noise_pool, min(len(noise_pool), rng.randint(0, 3))):
        columns.append((header, None, None))
    columns = _distinct(columns)
    rng.shuffle(columns)
    headers = [h for h, _, _ in columns]
    samples = _samples(columns, rng) if rng.random() < 0.35 else None
    answer = {h: t for h, t, _ in columns if t is not None}
    return {
        "messages": column_messages(headers, samples, answer),
        "meta": {"task": task, "label": task, "alias": "|".join(headers), "aug": "samples" if samples else "headers",
                 "headers": headers, "samples": samples},
    }


def _distinct(columns):
    seen, kept = set(), []
    for col in columns:
        k = fold(col[0])
        if k not in seen:
            seen.add(k)
            kept.append(col)
    return kept


def _samples(columns, rng: random.Random, n: int = 3) -> dict[str, list]:
    out = {}
    for header, target, unit in columns:
        if target == "link_id":
            start = rng.randint(1, 5000)
            out[header] = [str(start + i) for i in range(n)]
        elif unit in RANGES:
            lo, hi = RANGES[unit]
            out[header] = [round(rng.uniform(lo, hi), 2) for _ in range(n)]
        elif target is not None:  # fleet mix share
            out[header] = [round(rng.uniform(0, 40), 1) for _ in range(n)]
        else:
            out[header] = [rng.choice(["A", "B", "晴", "2024-05-01", "京A12345", "1", "0"]) for _ in range(n)]
    return out
