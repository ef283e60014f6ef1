"""Known native tables of the field's tools, recognized by their header signature, with their documented units.

A profile matches when the table's headers (case-insensitive; a bracketed unit such as "(km)" ignored) contain
every required column and nothing outside the documented columns and patterns. Its units win over value-range
guesses; a header that spells its own unit ("linkLength (km)") wins over the profile and the report says so.
The sources of every unit are listed in docs/inference.md (Known table profiles).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from emstd.catalog.normalize import fold
from emstd.infer import units as U
from emstd.infer.column_rules import ColumnMapping

PROFILE_CONFIDENCE = 1.0


@dataclass(frozen=True)
class Profile:
    name: str
    tool: str
    task: str  # micro | macro
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()  # regexes (on the lower-cased name) for documented families of columns
    fields: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # column -> (standard field, unit)
    units: dict[str, str] = field(default_factory=dict)  # documented units of columns kept as they are
    raw: tuple[str, ...] = ()  # coded columns kept as written (their codes are the tool's own, not MOVES types)
    notes: tuple[str, ...] = ()

    def columns(self) -> set[str]:
        return {c.lower() for c in (*self.required, *self.optional)}


_MOVES_OUTPUT_DIMS = ("MOVESRunID", "iterationID", "yearID", "monthID", "dayID", "hourID", "stateID", "countyID",
                      "zoneID", "linkID", "pollutantID", "processID", "sourceTypeID", "regClassID", "fuelTypeID",
                      "fuelSubTypeID", "modelYearID", "roadTypeID", "SCC", "engTechID", "sectorID", "hpID")
_MOVES_UNITS_NOTE = "MOVES writes emissions in the mass and distance units of its MOVESRun table (massUnits, " \
                    "distanceUnits); they are not in this table"
_NGSIM = ("Vehicle_ID", "Frame_ID", "Total_Frames", "Global_Time", "Local_X", "Local_Y", "Global_X", "Global_Y",
          "v_Length", "v_Width", "v_Class", "v_Vel", "v_Acc", "Lane_ID", "Preceding", "Following", "Preceeding",
          "Space_Headway", "Time_Headway", "O_Zone", "D_Zone", "Int_ID", "Section_ID", "Direction", "Movement",
          "Location")
_HIGHD = ("frame", "id", "x", "y", "width", "height", "xVelocity", "yVelocity", "xAcceleration", "yAcceleration",
          "frontSightDistance", "backSightDistance", "dhw", "thw", "ttc", "precedingXVelocity", "precedingId",
          "followingId", "leftPrecedingId", "leftAlongsideId", "leftFollowingId", "rightPrecedingId",
          "rightAlongsideId", "rightFollowingId", "laneId")
_IND = ("recordingId", "trackId", "frame", "trackLifetime", "xCenter", "yCenter", "heading", "width", "length",
        "xVelocity", "yVelocity", "xAcceleration", "yAcceleration", "lonVelocity", "latVelocity", "lonAcceleration",
        "latAcceleration")
PEMS_COLUMNS = ("Timestamp", "Station", "District", "Freeway", "Direction", "Lane Type", "Station Length", "Samples",
                "% Observed", "Total Flow", "Avg Occupancy", "Avg Speed")
PEMS_LANE = ("Samples", "Flow", "Avg Occ", "Avg Speed", "Observed")

PROFILES: list[Profile] = [
    Profile("moves_link", "EPA MOVES project-scale input: link", "macro",
            required=("linkID", "countyID", "roadTypeID", "linkLength", "linkVolume", "linkAvgSpeed"),
            optional=("zoneID", "linkDescription", "linkAvgGrade"),
            fields={"linkID": ("link_id", None), "linkLength": ("link_length_km", "mi"),
                    "linkVolume": ("traffic_flow_vph", "veh/h"), "linkAvgSpeed": ("avg_speed_kph", "mph")},
            units={"linkAvgGrade": "%"}, raw=("roadTypeID",),
            notes=("roadTypeID: 1 off-network, 2 rural restricted, 3 rural unrestricted, 4 urban restricted, "
                   "5 urban unrestricted",)),
    Profile("moves_linkSourceTypeHour", "EPA MOVES project-scale input: linkSourceTypeHour", "macro",
            required=("linkID", "sourceTypeID", "sourceTypeHourFraction"),
            fields={"linkID": ("link_id", None)}, units={"sourceTypeHourFraction": "fraction"},
            notes=("sourceTypeHourFraction: fractions of each link's hour by source type; they sum to 1 per link",)),
    Profile("moves_driveScheduleSecondLink", "EPA MOVES project-scale input: driveScheduleSecondLink", "micro",
            required=("linkID", "secondID", "speed"), optional=("grade",),
            fields={"secondID": ("time_sec", "s"), "speed": ("speed_kph", "mph"), "grade": ("grade_pct", "%")}),
    Profile("moves_opModeDistribution", "EPA MOVES project-scale input: opModeDistribution", "macro",
            required=("sourceTypeID", "hourDayID", "linkID", "polProcessID", "opModeID", "opModeFraction"),
            optional=("opModeFractionCV", "isUserInput"), fields={"linkID": ("link_id", None)},
            units={"opModeFraction": "fraction"}, raw=("polProcessID",)),
    Profile("moves_offNetworkLink", "EPA MOVES project-scale input: offNetworkLink", "macro",
            required=("zoneID", "sourceTypeID", "vehiclePopulation", "startFraction", "extendedIdleFraction",
                      "parkedVehicleFraction"),
            units={"startFraction": "fraction", "extendedIdleFraction": "fraction",
                   "parkedVehicleFraction": "fraction"}),
    Profile("moves_movesoutput", "EPA MOVES output: movesoutput", "macro",
            required=("MOVESRunID", "pollutantID", "processID", "emissionQuant"),
            optional=(*_MOVES_OUTPUT_DIMS, "emissionQuantMean", "emissionQuantSigma"),
            fields={"linkID": ("link_id", None)}, raw=("pollutantID", "roadTypeID"), notes=(_MOVES_UNITS_NOTE,)),
    Profile("moves_rateperdistance", "EPA MOVES output: rateperdistance", "macro",
            required=("MOVESRunID", "pollutantID", "processID", "ratePerDistance"),
            optional=("MOVESScenarioID", "yearID", "monthID", "dayID", "hourID", "linkID", "sourceTypeID",
                      "regClassID", "SCC", "fuelTypeID", "modelYearID", "roadTypeID", "avgSpeedBinID",
                      "temperature", "relHumidity"),
            fields={"linkID": ("link_id", None)}, raw=("pollutantID", "roadTypeID"), notes=(_MOVES_UNITS_NOTE,)),
    Profile("sumo_emissions", "SUMO emission-output (xml2csv)", "micro",
            required=("timestep_time", "vehicle_id", "vehicle_eclass", "vehicle_CO2"),
            patterns=(r"(timestep|vehicle)_[a-z0-9_]+",),
            fields={"timestep_time": ("time_sec", "s"), "vehicle_speed": ("speed_kph", "m/s")},
            units={"vehicle_CO2": "mg", "vehicle_CO": "mg", "vehicle_HC": "mg", "vehicle_NOx": "mg",
                   "vehicle_PMx": "mg", "vehicle_fuel": "mg", "vehicle_electricity": "Wh"},
            raw=("vehicle_eclass",),
            notes=("SUMO emissions are per vehicle and simulation step; fuel is in mg since SUMO 1.14 "
                   "(litres before, or with --emissions.volumetric-fuel)",)),
    Profile("sumo_fcd", "SUMO fcd-output (xml2csv)", "micro",
            required=("timestep_time", "vehicle_id"), patterns=(r"(timestep|vehicle|person|container)_[a-z0-9_]+",),
            fields={"timestep_time": ("time_sec", "s"), "vehicle_speed": ("speed_kph", "m/s"),
                    "vehicle_acceleration": ("acceleration_mps2", "m/s2"), "vehicle_slope": ("grade_pct", "deg")},
            units={"vehicle_x": "m", "vehicle_y": "m", "vehicle_pos": "m", "vehicle_angle": "deg"}),
    Profile("sumo_edgedata", "SUMO edgeData / meandata (xml2csv)", "macro",
            required=("interval_begin", "interval_end", "edge_id"), patterns=(r"(interval|edge)_[a-z0-9_]+",),
            fields={"edge_id": ("link_id", None), "edge_speed": ("avg_speed_kph", "m/s")},
            units={"interval_begin": "s", "interval_end": "s", "edge_density": "veh/km", "edge_occupancy": "%",
                   "edge_traveltime": "s"},
            notes=("edge_entered counts vehicles per interval (interval_end - interval_begin); flow in veh/h is "
                   "edge_entered * 3600 / interval length and is not derived here",)),
    Profile("ngsim", "NGSIM vehicle trajectories (US-101, I-80, Lankershim, Peachtree)", "micro",
            required=("Vehicle_ID", "Frame_ID", "Global_Time", "v_Vel", "v_Acc"), optional=_NGSIM,
            fields={"Global_Time": ("time_sec", "epoch_ms"), "v_Vel": ("speed_kph", "ft/s"),
                    "v_Acc": ("acceleration_mps2", "ft/s2")},
            units={"Local_X": "ft", "Local_Y": "ft", "Global_X": "ft", "Global_Y": "ft", "v_Length": "ft",
                   "v_Width": "ft", "Space_Headway": "ft", "Time_Headway": "s"},
            raw=("v_Class",),
            notes=("v_Class codes are NGSIM's own (1 motorcycle, 2 auto, 3 truck): kept as written",)),
    Profile("highd_tracks", "highD tracks (levelXData)", "micro",
            required=("frame", "id", "xVelocity", "xAcceleration", "laneId"), optional=_HIGHD,
            fields={"frame": ("time_sec", "frame25"), "xVelocity": ("speed_kph", "m/s"),
                    "xAcceleration": ("acceleration_mps2", "m/s2")},
            units={"x": "m", "y": "m", "width": "m", "height": "m", "dhw": "m", "thw": "s", "ttc": "s"},
            notes=("highD records 25 frames per second (recordingMeta frameRate); xVelocity is signed by driving "
                   "direction",)),
    Profile("ind_tracks", "inD/rounD/exiD tracks (levelXData)", "micro",
            required=("recordingId", "trackId", "frame", "lonVelocity", "lonAcceleration"), optional=_IND,
            fields={"frame": ("time_sec", "frame25"), "lonVelocity": ("speed_kph", "m/s"),
                    "lonAcceleration": ("acceleration_mps2", "m/s2")},
            units={"xCenter": "m", "yCenter": "m", "heading": "deg", "width": "m", "length": "m"},
            notes=("inD records 25 frames per second (recordingMeta frameRate)",)),
    Profile("pems_station_5min", "Caltrans PeMS station 5-minute data", "macro",
            required=("Timestamp", "Station", "Total Flow", "Avg Speed"), optional=PEMS_COLUMNS,
            patterns=(r"lane \d+ (samples|flow|avg occ|avg speed|observed)",),
            fields={"Station": ("link_id", None), "Total Flow": ("traffic_flow_vph", "veh/5min"),
                    "Avg Speed": ("avg_speed_kph", "mph"), "Station Length": ("link_length_km", "mi")},
            units={"Avg Occupancy": "fraction"},
            notes=("Timestamp is the start of each 5-minute interval (MM/DD/YYYY HH24:MI:SS)",)),
    Profile("vissim_fzp", "PTV Vissim vehicle record (.fzp)", "micro",
            required=("SIMSEC", "NO"), patterns=(r"[a-z0-9_\\()]+",),
            fields={"SIMSEC": ("time_sec", "s"), "SPEED": ("speed_kph", "km/h"),
                    "ACCELERATION": ("acceleration_mps2", "m/s2"), "ACC": ("acceleration_mps2", "m/s2")},
            raw=("VEHTYPE",),
            notes=("Vissim writes the units of the network's settings (metric by default: km/h, m/s2); "
                   "VEHTYPE numbers are the network's own vehicle types: kept as written",)),
    Profile("matsim_emissions_per_link", "MATSim emissions analysis: emissions_per_link.csv", "macro",
            required=("linkId", "CO2_TOTAL"), patterns=(r"[a-z0-9_]+",),
            fields={"linkId": ("link_id", None)},
            notes=("MATSim writes grams of each pollutant per link over the simulated day, at the simulation's "
                   "sample size",)),
    Profile("matsim_emissions_per_link_per_m", "MATSim emissions analysis: emissions_per_link_per_m.csv", "macro",
            required=("linkId", "CO2_TOTAL [g/m]"), patterns=(r"[a-z0-9_]+ \[g/m\]",),
            fields={"linkId": ("link_id", None)},
            notes=("grams of each pollutant per metre of link over the simulated day",)),
]


@dataclass
class ProfileMatch:
    profile: Profile
    keys: dict[str, str]  # header -> documented column name (as the profile spells it), or "" for a pattern column


def match_profile(headers: list[str]) -> ProfileMatch | None:
    """The most specific profile whose signature the headers fit, or None."""
    found = []
    for profile in PROFILES:
        keys = _fit(profile, headers)
        if keys is not None:
            found.append(ProfileMatch(profile, keys))
    return max(found, key=lambda m: len(m.profile.required), default=None)


def _fit(profile: Profile, headers: list[str]) -> dict[str, str] | None:
    spelled = {c.lower(): c for c in (*profile.required, *profile.optional, *profile.fields, *profile.units)}
    keys = {}
    for header in headers:
        key = header_key(header)
        if key in spelled:
            keys[header] = spelled[key]
        elif any(re.fullmatch(p, key) for p in profile.patterns):
            keys[header] = ""
        else:
            return None
    present = {k.lower() for k in keys.values()}
    if not all(r.lower() in present for r in profile.required):
        return None
    return keys


def header_key(header: str) -> str:
    """The name a profile compares: lower case, without a Vissim "$VEHICLE:" prefix or a bracketed unit."""
    text = re.sub(r"^\$[a-z]+:", "", header.strip().lower())
    if not text.endswith("[g/m]"):  # MATSim's per-metre columns carry the unit in the documented name
        text = re.sub(r"\s*[\(\[（【][^\)\]）】]*[\)\]）】]\s*$", "", text)
    return text.strip()


def profile_mapping(match: ProfileMatch, headers: list[str], task: str | None) -> ColumnMapping:
    """The column map a profile prescribes: its fields and units, confidence 1, method "profile"."""
    p = match.profile
    mapping, units, confidence, methods, notes = {}, {}, {}, {}, [f"recognized as {p.tool} (profile {p.name})"]
    notes += list(p.notes)
    for header in headers:
        name = match.keys[header]
        target, unit = p.fields.get(name, (None, None))
        if target is not None and unit is not None:
            unit = _header_unit_or(header, target, unit, p, notes)
        mapping[header], units[header] = target, (unit if target else p.units.get(name))
        confidence[header], methods[header] = PROFILE_CONFIDENCE, "profile"
    if task and task != p.task:
        notes.append(f"--task {task} given, but {p.tool} is a {p.task} table; its fields are kept as the profile says")
    cmap = ColumnMapping(task=p.task, mapping=mapping, units=units, confidence=confidence, methods=methods,
                         notes=notes)
    cmap.profile = p.name
    cmap.raw_columns = [h for h in headers if match.keys[h] in p.raw]
    return cmap


def _header_unit_or(header: str, target: str, unit: str, p: Profile, notes: list[str]) -> str:
    spelled = U.unit_from_header(fold(header), target) if header_key(header) != header.strip().lower() else None
    if spelled and spelled != unit:
        notes.append(f"{header!r}: the header says {spelled}, {p.tool} documents {unit}; used the header's {spelled}")
        return spelled
    return unit


_PEMS_TIME = re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}")


def headerless_header(first_row: list[str]) -> tuple[list[str], str] | None:
    """Column names for a known table that is published without a header row (PeMS station files), by its layout:
    a MM/DD/YYYY HH:MI:SS timestamp first, 12 station columns, then 5 per lane."""
    n = len(first_row)
    if n >= len(PEMS_COLUMNS) and (n - len(PEMS_COLUMNS)) % len(PEMS_LANE) == 0 \
            and _PEMS_TIME.fullmatch(first_row[0].strip()):
        lanes = (n - len(PEMS_COLUMNS)) // len(PEMS_LANE)
        names = list(PEMS_COLUMNS) + [f"Lane {i} {c}" for i in range(1, lanes + 1) for c in PEMS_LANE]
        return names, (f"the file has no header row; its layout is PeMS station 5-minute data ({lanes} lanes), "
                       f"so PeMS's column names were supplied")
    return None
