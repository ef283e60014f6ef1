"""Every command that reads a table answers bad input with one line on stderr and exit 2, never a traceback."""

import subprocess
import sys
import zipfile

import pytest

COMMANDS = [["map-columns"], ["map-columns", "--emit", "sql"], ["standardize-table", "--out", "{out}"],
            ["standardize-table", "--out", "{out}", "--engine", "duckdb"],
            ["standardize-table", "--to", "moves", "--out", "{dir}"]]


def _bomb(path):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/sharedStrings.xml", '<sst count="10000000" uniqueCount="10000000"></sst>')
        z.writestr("xl/worksheets/sheet1.xml", '<worksheet><dimension ref="A1:B10"/></worksheet>')


BAD = {
    "empty.csv": (b"", "empty"),
    "bom_only.csv": (b"\xef\xbb\xbf", "empty"),
    "binary.csv": (b"\x00\x01\x02binary\x00", "binary"),
    "ragged.csv": (b"a,b,c\n1,2,3\n4,5\n", "line 3"),
    "separators.csv": (b",,,\n,,,\n", "header row"),
    "legacy.csv": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "legacy .xls"),
    "text.xlsx": (b"time,speed\n0,1\n", "plain text"),
    "bomb.xlsx": (_bomb, "--max-xlsx-cells"),  # 10 M strings for 20 cells: refused under the default caps
    "dup.csv": (b"speed,speed\n1,2\n", "duplicate column names"),
    "nul_late.csv": (b"time,speed\n" + b"".join(b"%d,%d\n" % (i, i) for i in range(120_000)) + b"1,\x00\n", "NUL"),
}


@pytest.mark.slow  # 50 CLI subprocesses (~35 s); the readers' defects are also tested in-process
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:3]))
@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_table_input_is_one_line_and_exit_2(tmp_path, command, name):
    content, words = BAD[name]
    path = tmp_path / name
    content(path) if callable(content) else path.write_bytes(content)
    args = [a.format(out=tmp_path / "o.csv", dir=tmp_path / "moves") for a in command]
    r = subprocess.run([sys.executable, "-m", "emstd.cli", args[0], str(path), *args[1:]], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 2, (r.stdout, r.stderr)
    errors = [ln for ln in r.stderr.splitlines() if not ln.startswith("[")]
    assert len(errors) == 1 and errors[0].startswith("error: ") and words in errors[0], r.stderr
    assert "Traceback" not in r.stderr and str(path) in errors[0]
    assert not (tmp_path / "o.csv").exists() and not (tmp_path / "moves").exists()
