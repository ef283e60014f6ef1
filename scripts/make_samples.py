"""Regenerate the bundled sample tables (src/emstd/samples). Deterministic; run from the repo root."""

import csv
import random
from pathlib import Path

import openpyxl

OUT = Path("src/emstd/samples")
rng = random.Random(7)

# A macro (road-link) workbook as a traffic office would send it: a title row, Chinese headers, length in metres,
# flow per 5 minutes, fleet mix in %, plus look-alike traps (speed limit) and noise columns.
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "路段数据"
ws.append(["2024年某市主干道路段排放计算输入（早高峰）"])
ws.append(["路段编号", "路段名称", "路段长度(m)", "流量(辆/5分钟)", "平均车速(km/h)", "限速(km/h)", "小汽车%", "公交车%",
           "大货车%", "摩托车%", "车道数", "备注"])
for i in range(1, 11):
    car = rng.randint(60, 85)
    bus = rng.randint(3, 10)
    truck = rng.randint(3, 20)
    moto = max(0, 100 - car - bus - truck)
    ws.append([f"L{i:03d}", f"道路{i}段", rng.randint(300, 2500), rng.randint(60, 260), round(rng.uniform(18, 65), 1),
               rng.choice([40, 50, 60, 80]), car, bus, truck, moto, rng.choice([2, 3, 4]), ""])
notes = wb.create_sheet("说明")
notes.append(["数据来源：交通调查，2024年5月"])
wb.save(OUT / "macro_links.xlsx")

# A micro (second-by-second) log in GB18030 from a GPS/OBD export: speed in mph, grade in degrees, a vehicle-type column.
types = ["国六柴油重卡", "小轿车", "公交车", "渣土车", "网约车", "电动自行车", "SUV", "中型客车"]
rows = []
for vid, vtype in enumerate(types, start=1):
    speed = rng.uniform(0, 30)
    for t in range(5):
        accel = rng.uniform(-1.5, 1.5)
        speed = max(0.0, speed + accel * 2.237)
        rows.append([t, f"{speed:.1f}", f"{accel:.2f}", f"{rng.uniform(-2, 2):.2f}", f"V{vid:03d}", vtype,
                     f"{116.3 + rng.random() / 100:.6f}", f"{39.9 + rng.random() / 100:.6f}"])
with open(OUT / "micro_trajectory.csv", "w", newline="", encoding="gb18030") as f:
    w = csv.writer(f)
    w.writerow(["时间(s)", "车速(mph)", "加速度(m/s²)", "坡度(°)", "车辆编号", "车型", "经度", "纬度"])
    w.writerows(rows)
print("wrote", sorted(p.name for p in OUT.iterdir()))
