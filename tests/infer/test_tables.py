import pandas as pd
import pytest

from emstd.errors import InputFileError
from emstd.infer.tables import read_table

HEADERS = ["时间(s)", "车速km/h", "加速度", "坡度%"]
ROWS = [["0", "12.5", "0.3", "1.2"], ["1", "13.1", "0.6", "1.2"]]


def _write_csv(path, encoding, delimiter=",", bom=False, title=None):
    lines = ([title] if title else []) + [delimiter.join(HEADERS)] + [delimiter.join(r) for r in ROWS]
    data = "\n".join(lines).encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


@pytest.mark.parametrize(
    "encoding, bom, expected",
    [("utf-8", False, "utf-8"), ("utf-8", True, "utf-8-sig"), ("gbk", False, "gb18030"), ("gb18030", False, "gb18030")],
)
def test_csv_encodings(tmp_path, encoding, bom, expected):
    t = read_table(_write_csv(tmp_path / "t.csv", encoding, bom=bom))
    assert t.headers == HEADERS
    assert t.encoding == expected
    assert t.frame.iloc[1].tolist() == ROWS[1]


@pytest.mark.parametrize("delimiter", [",", "\t", ";", "|"])
def test_csv_delimiters(tmp_path, delimiter):
    t = read_table(_write_csv(tmp_path / "t.csv", "utf-8", delimiter=delimiter))
    assert t.delimiter == delimiter
    assert t.headers == HEADERS


def test_title_row_is_skipped(tmp_path):
    t = read_table(_write_csv(tmp_path / "t.csv", "utf-8", title="2024年某路段逐秒数据"))
    assert t.headers == HEADERS
    assert t.header_row == 1


def test_values_stay_text(tmp_path):
    p = tmp_path / "ids.csv"
    p.write_text("link_id,length\n007,1.50\n", encoding="utf-8")
    t = read_table(p)
    assert t.frame["link_id"].tolist() == ["007"] and t.frame["length"].tolist() == ["1.50"]


def test_xlsx_with_title_and_sheet(tmp_path):
    p = tmp_path / "t.xlsx"
    with pd.ExcelWriter(p) as w:
        pd.DataFrame([["x"]], columns=["other"]).to_excel(w, sheet_name="notes", index=False)
        pd.DataFrame(ROWS, columns=HEADERS).to_excel(w, sheet_name="data", index=False, startrow=2)
    t = read_table(p, sheet="data")
    assert t.headers == HEADERS and t.sheet == "data"
    assert len(t.frame) == 2
    with pytest.raises(InputFileError, match="no sheet named 'nope'.*notes"):
        read_table(p, sheet="nope")


@pytest.mark.parametrize(
    "content, pattern",
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"a,b,a\n1,2,3\n", "duplicate column names 'a'"),
        (b"a,,c\n1,2,3\n", r"column\(s\) \[2\] have no name"),
        (b"1,2.5,3\n4,5,6\n", "no header row"),
        (b"\x00\x01\x02binary\x00", "binary"),
        (b"\xff\xfe\xfa\xfb\xfc" * 10, "cannot decode"),
    ],
)
def test_bad_inputs_name_the_problem(tmp_path, content, pattern):
    p = tmp_path / "bad.csv"
    p.write_bytes(content)
    with pytest.raises(InputFileError, match=pattern) as err:
        read_table(p)
    assert str(p) in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(InputFileError, match="no such file"):
        read_table(tmp_path / "nope.csv")


def test_corrupt_xlsx(tmp_path):
    p = tmp_path / "broken.xlsx"
    p.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputFileError, match="not a readable .xlsx"):
        read_table(p)


def test_input_is_not_modified(tmp_path):
    p = _write_csv(tmp_path / "t.csv", "gbk")
    before = p.read_bytes()
    read_table(p)
    assert p.read_bytes() == before
