"""`standardize-table --to moves`: the MOVES project-scale input tables a standardized table supports, with MOVES's
column names, IDs and units (docs/inference.md, MOVES output).

- link.csv: linkID, countyID, zoneID, roadTypeID, linkLength (mi), linkVolume (veh/h), linkAvgSpeed (mph),
  linkDescription, linkAvgGrade (%), from a macro table;
- linkSourceTypeHour.csv: linkID, sourceTypeID, sourceTypeHourFraction (sums to 1 per link), from fleet-mix %
  columns or from a MOVES linkSourceTypeHour table;
- driveScheduleSecondLink.csv: linkID, secondID, speed (mph), grade (%), from second-by-second data.

Batches are written as they come. DIR is created by the command (a marker file inside says so); a non-empty
directory without the marker is refused, never cleared.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import numpy as np
import pandas as pd

from emstd.catalog import load_catalog
from emstd.errors import InputFileError
from emstd.infer import units as U
from emstd.io import atomic_dir, check_writable

MARKER = ".emstd-moves"
SUM_TOLERANCE = 1e-3  # sourceTypeHourFraction may sum to 1 +- this per link (rounded shares in the input)
ROAD_TYPES = {1, 2, 3, 4, 5}
MI = U.FACTORS["mi"][1]
LINK = ["linkID", "countyID", "zoneID", "roadTypeID", "linkLength", "linkVolume", "linkAvgSpeed", "linkDescription",
        "linkAvgGrade"]
LINK_SOURCE = ["linkID", "sourceTypeID", "sourceTypeHourFraction"]
DRIVE = ["linkID", "secondID", "speed", "grade"]
FLOAT_FORMAT = "%.10g"
DECIMALS = 6  # values converted back into MOVES units: the 6 decimals of a standardized table, and no float noise


def check_out_dir(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise InputFileError(f"{out}: --to moves writes a directory of tables, and {out} is a file. Give a new "
                             f"directory name with --out.")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise InputFileError(f"{out}: the directory is not empty and was not written by emstd --to moves; nothing "
                             f"was changed. Give a new or empty directory with --out.")
    check_writable(out)


class MovesSink:
    def __init__(self, out: Path, plan, road_type: int | None = None, county: int | None = None,
                 link_id: str | None = None):
        self.plan = plan
        self.road_type, self.county, self.link_id = road_type, county, link_id
        self.columns = {c.lower(): c for c in plan.output_columns}
        self.fleet = list(dict.fromkeys(m.target for m in plan.mapped if m.field == "fleet_mix"))
        # per-class vehicle counts (a traffic-survey table) rather than shares: fractions of each link's total
        self.fleet_counts = bool(self.fleet) and all(m.unit == "count" for m in plan.mapped if m.field == "fleet_mix")
        self.ids = {v.label: v.id for v in load_catalog().vehicles}
        self.rows: dict[str, int] = {}
        self.notes: list[str] = []
        self.long_sums: dict[str, float] = {}
        if road_type is not None and road_type not in ROAD_TYPES:  # before the temporary directory exists
            raise InputFileError(f"--road-type {road_type}: MOVES road types are 1 (off-network), 2 rural restricted, "
                                 f"3 rural unrestricted, 4 urban restricted, 5 urban unrestricted.")
        self.tables = self._tables()
        self._stack = ExitStack()
        # its own earlier output (the marker) is replaced; check_out_dir refused anything else
        self.dir = self._stack.enter_context(atomic_dir(out, "standardize-table --to moves", replace=True,
                                                        marker=MARKER))
        self._files: dict[str, object] = {}

    def _has(self, name: str) -> bool:
        return name.lower() in self.columns

    def _col(self, frame: pd.DataFrame, name: str) -> pd.Series:
        return frame[self.columns[name.lower()]]

    def _tables(self) -> list[str]:
        tables = []
        if self.plan.mapping.task == "macro" and any(self._has(c) for c in ("link_length_km", "traffic_flow_vph",
                                                                            "avg_speed_kph")):
            tables.append("link")
        if self.fleet or (self._has("sourceTypeID") and self._has("sourceTypeHourFraction")):
            tables.append("linkSourceTypeHour")
        if self.plan.mapping.task == "micro" and self._has("time_sec") and self._has("speed_kph"):
            tables.append("driveScheduleSecondLink")
        if not tables:
            raise InputFileError("--to moves: the table has nothing MOVES reads: no link fields (length, volume, "
                                 "average speed), no fleet-mix % columns and no second-by-second speed.")
        return tables

    # --- writing ------------------------------------------------------------------------------------------------

    def write(self, frame: pd.DataFrame) -> None:
        if "link" in self.tables:
            self._emit("link", self._link(frame), LINK)
        if "linkSourceTypeHour" in self.tables:
            self._emit("linkSourceTypeHour", self._link_source(frame), LINK_SOURCE)
        if "driveScheduleSecondLink" in self.tables:
            self._emit("driveScheduleSecondLink", self._drive(frame), DRIVE)

    def _emit(self, table: str, frame: pd.DataFrame, columns: list[str]) -> None:
        f = self._files.get(table)
        if f is None:
            f = self._files[table] = self._stack.enter_context(open(self.dir / f"{table}.csv", "w", encoding="utf-8",
                                                                    newline=""))
        frame[columns].to_csv(f, index=False, header=table not in self.rows, lineterminator="\n",
                              float_format=FLOAT_FORMAT)
        self.rows[table] = self.rows.get(table, 0) + len(frame)

    def _link_ids(self, frame: pd.DataFrame, table: str) -> pd.Series:
        if self._has("link_id"):
            return self._col(frame, "link_id").astype(str)
        if self._has("linkID"):
            return self._col(frame, "linkID").astype(str)
        if self.link_id is not None:
            return pd.Series(str(self.link_id), index=frame.index)
        raise InputFileError(f"--to moves: {table} needs a link id: add a linkID column, or pass --link-id N.")

    def _number(self, frame: pd.DataFrame, name: str, table: str, links: pd.Series, flag: str = "") -> pd.Series:
        if not self._has(name):
            how = f", or pass {flag}" if flag else ""
            raise InputFileError(f"--to moves: {table} needs the column {name!r} (add it to the table{how}).")
        values = pd.to_numeric(self._col(frame, name), errors="coerce")
        bad = values.isna()
        if bad.any():
            link = links[bad].iloc[0]
            raise InputFileError(f"--to moves: {table}, link {link}: {name} is missing or not a number "
                                 f"({self._col(frame, name)[bad].iloc[0]!r}). Fill it in.")
        return values

    def _link(self, frame: pd.DataFrame) -> pd.DataFrame:
        links = self._link_ids(frame, "link")
        out = pd.DataFrame({"linkID": links})
        out["countyID"] = self._id_column(frame, "countyID", self.county, "--county", links)
        if self._has("zoneID"):
            out["zoneID"] = self._col(frame, "zoneID")
        else:
            out["zoneID"] = pd.to_numeric(out["countyID"]) * 10  # MOVES's zone of a whole county
            self._note("zoneID = countyID x 10 (MOVES's zone for a whole county)")
        out["roadTypeID"] = self._id_column(frame, "roadTypeID", self.road_type, "--road-type", links)
        bad = ~pd.to_numeric(out["roadTypeID"], errors="coerce").isin(ROAD_TYPES)
        if bad.any():
            value = out["roadTypeID"][bad].iloc[0]
            raise InputFileError(f"--to moves: link {links[bad].iloc[0]}: roadTypeID {value!r} is not a MOVES road "
                                 f"type (1-5). Fix the column or pass --road-type N.")
        out["linkLength"] = (self._number(frame, "link_length_km", "link", links) / MI).round(DECIMALS)
        out["linkVolume"] = self._number(frame, "traffic_flow_vph", "link", links)
        out["linkAvgSpeed"] = (self._number(frame, "avg_speed_kph", "link", links) / MI).round(DECIMALS)
        out["linkDescription"] = self._col(frame, "linkDescription") if self._has("linkDescription") else ""
        if self._has("linkAvgGrade"):
            out["linkAvgGrade"] = self._col(frame, "linkAvgGrade")
        else:
            out["linkAvgGrade"] = 0
            self._note("linkAvgGrade = 0 % (the table has no grade)")
        return out

    def _id_column(self, frame, name: str, given, flag: str, links) -> pd.Series:
        if self._has(name):
            return self._col(frame, name)
        if given is not None:
            return pd.Series(given, index=frame.index)
        raise InputFileError(f"--to moves: link needs {name}: add a {name} column, or pass {flag} N.")

    def _link_source(self, frame: pd.DataFrame) -> pd.DataFrame:
        links = self._link_ids(frame, "linkSourceTypeHour")
        if not self.fleet:  # a MOVES linkSourceTypeHour table: long already
            out = pd.DataFrame({"linkID": links, "sourceTypeID": self._col(frame, "sourceTypeID"),
                                "sourceTypeHourFraction": self._number(frame, "sourceTypeHourFraction",
                                                                       "linkSourceTypeHour", links)})
            for link, total in out.groupby("linkID", sort=False)["sourceTypeHourFraction"].sum().items():
                self.long_sums[link] = self.long_sums.get(link, 0.0) + float(total)
            return out
        shares = pd.DataFrame({label: pd.to_numeric(frame[label], errors="coerce").fillna(0.0) for label in self.fleet})
        if self.fleet_counts:
            totals = shares.sum(axis=1)
            if (totals <= 0).any():
                i = int(np.argmax((totals <= 0).to_numpy()))
                raise InputFileError(f"--to moves: link {links.iloc[i]}: no vehicles counted in the fleet-mix columns, "
                                     f"so its source-type fractions are undefined. Fill in that link's counts.")
            shares = shares.div(totals, axis=0)
            self._note("sourceTypeHourFraction from per-class vehicle counts (each link's counts / its total)")
        else:
            shares = shares / 100.0
        _check_sums(links, shares.sum(axis=1))
        long = shares.assign(linkID=links.to_numpy()).melt(id_vars="linkID", var_name="label",
                                                           value_name="sourceTypeHourFraction")
        long["sourceTypeID"] = long["label"].map(self.ids)
        order = np.argsort(long.index.to_numpy() % len(frame), kind="stable")  # link by link, types in column order
        return long.iloc[order]

    def _drive(self, frame: pd.DataFrame) -> pd.DataFrame:
        links = self._link_ids(frame, "driveScheduleSecondLink")
        seconds = self._number(frame, "time_sec", "driveScheduleSecondLink", links)
        whole = np.round(seconds)
        off = (seconds - whole).abs() > 1e-6
        if off.any():
            raise InputFileError(f"--to moves: driveScheduleSecondLink needs one row per whole second; time "
                                 f"{seconds[off].iloc[0]!r} s (link {links[off].iloc[0]}) is not. Resample to 1 Hz.")
        out = pd.DataFrame({"linkID": links, "secondID": whole.astype("int64"),
                            "speed": (self._number(frame, "speed_kph", "driveScheduleSecondLink", links) / MI
                                      ).round(DECIMALS)})
        if self._has("grade_pct"):
            out["grade"] = pd.to_numeric(self._col(frame, "grade_pct"), errors="coerce").fillna(0.0)
        else:
            out["grade"] = 0.0
            self._note("grade = 0 % (the table has no grade)")
        return out

    def _note(self, note: str) -> None:
        if note not in self.notes:
            self.notes.append(note)

    def close(self, ok: bool = True) -> None:
        try:
            if ok:
                for link, total in self.long_sums.items():
                    _check_sums(pd.Series([link]), pd.Series([total]))
            self.plan.moves_report = {"tables": {f"{t}.csv": self.rows.get(t, 0) for t in self.tables},
                                      "fraction_sum_tolerance": SUM_TOLERANCE, "notes": self.notes}
        except InputFileError:
            ok = False
            raise
        finally:
            exc = (None, None, None) if ok else (InputFileError, InputFileError("aborted"), None)
            self._stack.__exit__(*exc)


def _check_sums(links: pd.Series, sums: pd.Series) -> None:
    off = (sums - 1.0).abs() > SUM_TOLERANCE
    if off.any():
        i = int(np.argmax(off.to_numpy()))
        raise InputFileError(f"--to moves: link {links.iloc[i]}: the source-type shares sum to "
                             f"{float(sums.iloc[i]):.4g}, not 1 (tolerance {SUM_TOLERANCE:g}). Fix that link's "
                             f"fleet mix so it adds up to 100 %.")
