"""Defects found by a hostile-user probe of table input: each was silently wrong or a traceback before."""

import zipfile

import pandas as pd
import pytest

from emstd.errors import InputFileError
from emstd.infer.standardizer import Standardizer
from emstd.infer.table_job import standardize_table
from emstd.infer.tables import read_table
from emstd.infer.xlsx_limits import XlsxLimits, check_xlsx_limits


def _csv(tmp_path, text, name="t.csv", encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return p


# --- ragged rows -------------------------------------------------------------------------------------------------


def test_a_trailing_comma_on_every_row_does_not_shift_columns(tmp_path):
    src = _csv(tmp_path, "车速(km/h),时间(s),车型\n30,0,大货车,\n35,1,小汽车,\n")
    report = standardize_table(Standardizer(), src, tmp_path / "o.csv")
    out = pd.read_csv(tmp_path / "o.csv", dtype=str)
    assert out["speed_kph"].tolist() == ["30", "35"] and out["time_sec"].tolist() == ["0", "1"]
    assert any("trailing" in n for n in report["notes"])


def test_a_header_with_a_trailing_delimiter_matches_rows_that_have_one(tmp_path):
    t = read_table(_csv(tmp_path, "a,b,c,\n1,2,3,\n4,5,6,\n"))
    assert t.headers == ["a", "b", "c"] and t.frame.values.tolist() == [["1", "2", "3"], ["4", "5", "6"]]


@pytest.mark.parametrize("body, line, words", [
    ("1,2,3\n4,5\n", 3, "2 fields, the header has 3"),                       # too few
    ("1,2,3\n4,5,6,7\n", 3, "4 fields, the header has 3"),                   # one more, not empty
    ("1,2,3\n4,5,6\n7,8,9,\n", 4, "extra fields are empty"),                # a trailing comma on one row only
    ("1,2,3,\n4,5,6,x\n", 3, "4 fields, the header has 3"),                 # trailing on all but a value on one
])
def test_ragged_rows_are_refused_with_their_line(tmp_path, body, line, words):
    p = _csv(tmp_path, "a,b,c\n" + body)
    with pytest.raises(InputFileError, match=f"line {line}: .*{words}"):
        read_table(p)


# --- line counting agrees with the CSV parser ---------------------------------------------------------------------


@pytest.mark.parametrize("odd", ["\f", "\u2028", "\x1c", "\x85", "\u2029"])
def test_odd_line_separators_in_a_title_do_not_shift_the_header(tmp_path, odd):
    p = _csv(tmp_path, f"2024年路段{odd}数据\n时间,车速\n0,10\n1,11\n2,12\n")
    t = read_table(p)
    assert t.headers == ["时间", "车速"] and len(t.frame) == 3 and t.frame["时间"].tolist() == ["0", "1", "2"]


def test_mixed_line_endings(tmp_path):
    t = read_table(_csv(tmp_path, b"time,speed\r\n0,10\n1,11\r2,12\r\n"))
    assert t.frame["speed"].tolist() == ["10", "11", "12"]


def test_a_quoted_newline_in_a_title_row(tmp_path):
    t = read_table(_csv(tmp_path, '"title\nsecond line"\ntime,speed\n0,10\n'))
    assert t.headers == ["time", "speed"] and t.frame["speed"].tolist() == ["10"]


# --- sizes and encodings ------------------------------------------------------------------------------------------


def test_a_cell_over_csv_field_limit_is_read(tmp_path):
    big = "x" * 200_000  # csv's default field_size_limit is 131072
    t = read_table(_csv(tmp_path, f"note,speed\n{big},1\nshort,2\n"))
    assert t.frame["note"].str.len().tolist() == [200_000, 5]


def test_a_cell_over_limit_in_the_header_area_is_read(tmp_path):
    big = "y" * 200_000
    t = read_table(_csv(tmp_path, f'"{big}"\nnote,speed\na,1\n'))
    assert t.headers == ["note", "speed"]


def test_a_bom_only_file_is_empty(tmp_path):
    with pytest.raises(InputFileError, match="empty"):
        read_table(_csv(tmp_path, b"\xef\xbb\xbf"))


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_decoded(tmp_path, encoding):
    t = read_table(_csv(tmp_path, "时间,车速\n0,10\n", encoding=encoding))
    assert t.headers == ["时间", "车速"] and t.encoding == "utf-16"
    assert any("without a byte-order mark" in n for n in t.notes)


def test_nul_bytes_late_in_the_file_are_refused_with_their_line(tmp_path):
    body = "".join(f"{i},{i}\n" for i in range(120_000))  # past the first megabyte, where encoding is decided
    p = _csv(tmp_path, ("time,speed\n" + body).encode() + b"5000,\x00\x00\x01\n")
    with pytest.raises(InputFileError, match="line 120002: .*NUL"):
        read_table(p)


def test_non_utf8_bytes_after_the_head_are_named(tmp_path):
    body = "".join(f"{i},小汽车\n" for i in range(80_000)).encode("utf-8")  # > 1 MB of UTF-8
    p = _csv(tmp_path, b"time,type\n" + body + "9,大货车\n".encode("gbk"))
    with pytest.raises(InputFileError, match="line 80002: .*not utf-8"):
        read_table(p)


# --- odd files ------------------------------------------------------------------------------------------------


def test_a_file_of_only_title_rows_reads_as_a_header_without_rows(tmp_path):
    t = read_table(_csv(tmp_path, "2024年路段排放统计表\n"))
    assert t.headers == ["2024年路段排放统计表"] and len(t.frame) == 0


def test_a_header_row_of_only_separators(tmp_path):
    with pytest.raises(InputFileError, match="header row is empty|no header row"):
        read_table(_csv(tmp_path, ",,,\n,,,\n"))


@pytest.mark.parametrize("suffix", [".xlsx", ".parquet"])
def test_a_csv_named_xlsx_or_parquet_says_it_is_plain_text(tmp_path, suffix):
    with pytest.raises(InputFileError, match=f"not a \\{suffix} file: it is plain text.*Rename it to .csv"):
        read_table(_csv(tmp_path, "time,speed\n0,1\n", name="t" + suffix))


def test_an_xlsx_named_csv_is_read_as_xlsx(tmp_path):
    p = tmp_path / "t.csv"
    pd.DataFrame({"time": ["0"], "speed": ["1"]}).to_excel(p, index=False, engine="openpyxl")
    assert read_table(p).headers == ["time", "speed"]


def test_a_legacy_xls_named_csv_says_xls(tmp_path):
    with pytest.raises(InputFileError, match="legacy .xls"):
        read_table(_csv(tmp_path, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100))


# --- XLSX bombs ----------------------------------------------------------------------------------------------


def _bomb(path, strings=0, dimension=None, declared=True):
    """A minimal, valid workbook whose shared-string table or <dimension> claims a huge size."""
    sheet = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             + (f'<dimension ref="{dimension}"/>' if dimension else "")
             + '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>time</t></is></c></row></sheetData></worksheet>')
    sst_attr = f' count="{strings}" uniqueCount="{strings}"' if declared else ""
    sst = (f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"{sst_attr}>'
           + "<si><t>a</t></si>" * (0 if declared else strings) + "</sst>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        z.writestr("xl/sharedStrings.xml", sst)
    return path


def test_xlsx_with_ten_million_shared_strings_is_refused_before_parsing(tmp_path):
    p = _bomb(tmp_path / "bomb.xlsx", strings=10_000_000)
    with pytest.raises(InputFileError, match=r"shared strings.*--max-xlsx-cells"):
        check_xlsx_limits(p, XlsxLimits(max_cells=5_000_000))
    with pytest.raises(InputFileError, match="10,000,000 cells"):
        read_table(p, xlsx_limits=XlsxLimits(max_cells=1_000_000))


def test_a_shared_string_table_far_larger_than_its_sheets_is_refused_under_default_caps(tmp_path):
    p = _bomb(tmp_path / "bomb.xlsx", strings=10_000_000, dimension="A1:B10")
    with pytest.raises(InputFileError, match="10,000,000 shared strings for sheets of 20 cells"):
        check_xlsx_limits(p)


def test_undeclared_shared_strings_are_counted(tmp_path):
    p = _bomb(tmp_path / "bomb.xlsx", strings=3000, declared=False)
    with pytest.raises(InputFileError, match="3,000 cells"):
        check_xlsx_limits(p, XlsxLimits(max_cells=1000))
    check_xlsx_limits(p, XlsxLimits(max_cells=5000))  # under the cap: no error


def test_xlsx_dimension_and_uncompressed_size_are_capped(tmp_path):
    p = _bomb(tmp_path / "wide.xlsx", dimension="A1:XFD1048576")
    with pytest.raises(InputFileError, match=r"<dimension>.*cap"):
        check_xlsx_limits(p)
    big = tmp_path / "big.xlsx"
    with zipfile.ZipFile(big, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", "<worksheet>" + " " * 3_000_000 + "</worksheet>")
    with pytest.raises(InputFileError, match=r"unpacks to 3 MB, over the 2 MB cap.*--max-xlsx-mb"):
        check_xlsx_limits(big, XlsxLimits(max_uncompressed_mb=2))


def test_rows_beyond_an_understated_dimension_are_capped_while_reading(tmp_path):
    honest = tmp_path / "honest.xlsx"
    pd.DataFrame({"time": range(100), "speed": range(100)}).to_excel(honest, index=False, engine="openpyxl")
    p = tmp_path / "t.xlsx"  # the same workbook, its sheet claiming to be one cell
    with zipfile.ZipFile(honest) as src, zipfile.ZipFile(p, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'ref="A1:B101"', b'ref="A1:A1"')
            dst.writestr(item, data)
    with pytest.raises(InputFileError, match="cells read"):
        read_table(p, xlsx_limits=XlsxLimits(max_cells=50))
