import json

import pandas as pd
import pytest

from emstd.errors import InputFileError
from emstd.infer.standardizer import Standardizer
from emstd.infer.table_job import standardize_table


def test_macro_xlsx_conversion_and_kept_columns(tmp_path):
    src = tmp_path / "links.csv"
    src.write_text(
        "路段ID,长度(m),流量(辆/5分钟),车速(mph),小汽车比例,污染物,备注\n"
        "A1,1500,100,30,0.8,NOx排放,x\nA2,n/a,50,60,0.5,颗粒物,\n", encoding="utf-8")
    out = tmp_path / "out.xlsx"
    report = standardize_table(Standardizer(), src, out, task="macro", convert_units=True)
    df = pd.read_excel(out, dtype=str, keep_default_na=False)
    assert list(df.columns[:5]) == ["link_id", "link_length_km", "traffic_flow_vph", "avg_speed_kph", "Passenger Car"]
    assert df["link_length_km"].tolist() == ["1.5", "n/a"]  # text that is not a number is kept as written
    assert df["traffic_flow_vph"].tolist() == ["1200", "600"]
    assert float(df["avg_speed_kph"][0]) == pytest.approx(48.28032)
    assert df["Passenger Car"].tolist() == ["80", "50"]
    assert df["pollutant"].tolist() == ["NOx", "PM2.5"]
    assert list(df.columns[-2:]) == ["污染物", "备注"]  # originals kept after the standard columns
    length = next(c for c in report["columns"] if c["field"] == "link_length_km")
    assert length["unparsed"] == 1


def test_without_conversion_values_are_untouched(tmp_path):
    src = tmp_path / "t.csv"
    src.write_text("time,speed_mph\n0,30\n1,31\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    report = standardize_table(Standardizer(), src, out)
    df = pd.read_csv(out, dtype=str)
    assert df.to_dict("list") == {"time_sec": ["0", "1"], "speed_kph": ["30", "31"]}
    assert report["columns"][1]["unit"] == "mph" and report["columns"][1]["conversion"] is None
    assert json.loads((tmp_path / "o.csv.report.json").read_text())["rows"] == 2


def test_output_must_be_csv_xlsx_or_parquet(tmp_path):
    src = tmp_path / "t.csv"
    src.write_text("time\n0\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"\.csv, \.xlsx or \.parquet"):
        standardize_table(Standardizer(), src, tmp_path / "o.json")


def test_a_huge_cell_is_not_a_name_and_is_reported_briefly(tmp_path):
    src = tmp_path / "t.csv"
    huge = "货车" * 50_000  # 100 KB of text in one cell
    src.write_text(f"车型,speed\n小汽车,10\n{huge},20\n", encoding="utf-8")
    report = standardize_table(Standardizer(), src, tmp_path / "o.csv")
    (value_column,) = report["value_columns"]
    assert value_column["resolved"] == 1 and value_column["unresolved_total"] == 1
    (listed,) = value_column["unresolved"]
    assert "100000 characters: too long" in listed and len(listed) < 200
    df = pd.read_csv(tmp_path / "o.csv", dtype=str, keep_default_na=False)
    assert df["source_type"].tolist() == ["Passenger Car", ""]
    assert df["车型"].tolist()[1] == huge  # the user's cell is kept whole in the output


def test_a_model_that_labels_anything_does_not_turn_text_columns_into_vehicle_columns(tmp_path):
    from emstd.infer.rules import Answer

    class LabelsEverything:
        name = "eager"

        def standardize_values(self, values, task):
            return [Answer(v, "Passenger Car" if task == "vehicle" else "CO2", "model", 0.5) for v in values]

        def map_columns(self, headers, samples=None, task=None):
            from emstd.infer.column_rules import default_column_rules

            return default_column_rules().map_columns(headers, samples, task)

    src = tmp_path / "t.csv"
    src.write_text("车辆编号,路段名称,车型,speed\nV001,道路1段,重卡,10\nV002,道路2段,blorp,20\n", encoding="utf-8")
    report = standardize_table(Standardizer(LabelsEverything()), src, tmp_path / "o.csv")
    assert [v["source"] for v in report["value_columns"]] == ["车型"]
    assert report["value_columns"][0]["resolved"] == 2  # the model answers the values it is asked about
