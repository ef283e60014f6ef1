"""emstd.io: atomic outputs that never replace what isn't ours, follow the umask, and clean up after a kill."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from emstd.errors import OutputError
from emstd.io import (atomic_dir, atomic_path, check_output_dir, check_output_file, claim_output_dir,
                      write_text_atomic)

READ_ONLY = Path("/sys/emstd-cannot-write-here")  # refused even to root (tests may run as root)
needs_sys = pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="needs Linux /sys")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask():
    old = os.umask(0o022)
    yield lambda mask: os.umask(mask)
    os.umask(old)


def test_a_directory_someone_else_wrote_is_refused_and_kept(tmp_path):
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "thesis.docx").write_text("keep me")
    with pytest.raises(OutputError, match=f"{theirs}: the directory is not empty and was not written by emstd dev"):
        with atomic_dir(theirs, "dev tiny-model", replace=True) as tmp:
            (tmp / "x").write_text("new")
    assert [p.name for p in theirs.iterdir()] == ["thesis.docx"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["theirs"]  # nothing moved aside, no temporaries


def test_a_file_at_the_target_is_refused_and_not_moved(tmp_path):
    f = tmp_path / "model"
    f.write_text("a file")
    with pytest.raises(OutputError, match="exists and is not a directory"):
        with atomic_dir(f, "dev tiny-model"):
            pass
    assert f.read_text() == "a file" and sorted(p.name for p in tmp_path.iterdir()) == ["model"]


def test_its_own_directory_is_replaced_only_when_asked(tmp_path):
    out = tmp_path / "out"
    with atomic_dir(out, "dev tiny-model") as tmp:
        (tmp / "a").write_text("1")
    with pytest.raises(OutputError, match="--force"):
        with atomic_dir(out, "dev tiny-model"):
            pass
    with pytest.raises(OutputError, match="not written by emstd data build"):  # another command's directory
        with atomic_dir(out, "data build", replace=True):
            pass
    with atomic_dir(out, "dev tiny-model", replace=True) as tmp:
        (tmp / "b").write_text("2")
    assert sorted(p.name for p in out.iterdir()) == [".emstd", "b"]
    empty = tmp_path / "empty"
    empty.mkdir()
    with atomic_dir(empty, "dev tiny-model") as tmp:
        (tmp / "c").write_text("3")
    assert (empty / "c").read_text() == "3"


def test_claimed_directories_take_files_of_their_owner_only(tmp_path):
    out = claim_output_dir(tmp_path / "data", "data build")
    (out / "stats.json").write_text("{}")
    claim_output_dir(out, "data build")  # its own: written into again
    with pytest.raises(OutputError, match="not written by emstd eval"):
        check_output_dir(out, "eval")
    legacy = tmp_path / "old"
    legacy.mkdir()
    (legacy / "stats.json").write_text("{}")
    claim_output_dir(legacy, "data build", legacy=lambda d: {p.name for p in d.iterdir()} <= {"stats.json"})
    assert (legacy / ".emstd").read_text() == "written by emstd data build\n"


@pytest.mark.parametrize("mask,file_mode,dir_mode", [(0o022, 0o644, 0o755), (0o077, 0o600, 0o700)])
def test_outputs_follow_the_umask(umask, tmp_path, mask, file_mode, dir_mode):
    umask(mask)
    write_text_atomic(tmp_path / "report.json", "{}")
    with atomic_dir(tmp_path / "final", "train") as tmp:
        (tmp / "adapter_config.json").write_text("{}")
    claim_output_dir(tmp_path / "run", "train")
    assert _mode(tmp_path / "report.json") == file_mode
    assert _mode(tmp_path / "final") == dir_mode and _mode(tmp_path / "run") == dir_mode
    assert _mode(tmp_path / "final" / ".emstd") == file_mode
    assert _mode(tmp_path / "final" / "adapter_config.json") == file_mode


KILLED_WRITER = textwrap.dedent("""
    import os, signal, sys
    from emstd.io import atomic_dir, atomic_path
    out = sys.argv[1]
    with atomic_dir(os.path.join(out, "final"), "train") as tmp:
        with atomic_path(os.path.join(out, "metrics.jsonl")) as f:
            f.write_text("half")
            os.kill(os.getpid(), signal.SIGKILL)
""")


def test_temporaries_of_a_killed_process_are_removed_at_the_next_write_and_nothing_else(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    mine = {".bashrc": "x", ".notes.txt.tmp": "mine", ".metrics.jsonl.abc123.tmp": "looks like ours, is not"}
    for name, text in mine.items():
        (run / name).write_text(text)
    (run / ".final.mine").mkdir()
    proc = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(run)], capture_output=True, timeout=60)
    assert proc.returncode == -9
    left = {p.name for p in run.iterdir()} - set(mine) - {".final.mine"}
    assert len(left) == 2 and all(n.endswith(".tmp") for n in left)  # the killed writer's file and directory
    with atomic_path(run / "loss.png") as live:  # a live writer's temporary is kept
        live.write_text("in progress")
        write_text_atomic(run / "run_config.yaml", "task: unified\n")
        assert {p.name for p in run.iterdir()} == set(mine) | {".final.mine", live.name, "run_config.yaml"}
    assert all((run / name).read_text() == text for name, text in mine.items())


@needs_sys
def test_unwritable_places_are_one_clear_error(tmp_path):
    with pytest.raises(OutputError, match="cannot write"):
        check_output_dir(READ_ONLY, "data build")
    with pytest.raises(OutputError, match="cannot write"):
        write_text_atomic(READ_ONLY / "x.json", "{}")
    with pytest.raises(OutputError, match="cannot write"):
        check_output_file(READ_ONLY)
    f = tmp_path / "file"
    f.write_text("")
    with pytest.raises(OutputError, match="is a file, not a directory"):
        check_output_file(f / "out.csv")
    with pytest.raises(OutputError, match="is a directory"):
        with atomic_path(tmp_path):
            pass
