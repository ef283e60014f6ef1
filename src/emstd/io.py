"""Output files and directories: atomic, readable under the user's umask, never over something that isn't ours.

- Atomic: a reader sees the old file (or directory) or the complete new one, never a half-written one.
- Permissions: mkstemp/mkdtemp create 0600/0700; everything written here gets what the umask gives an ordinary
  file or directory instead, so a colleague or a vLLM container can read it when the umask says so.
- Temporaries are named `.NAME.emstd-HOST-PID.XXXXXXXX.tmp` beside their target. A write into a directory first
  removes the ones a killed process of this host left there (its PID is gone), and nothing else.
- Directories: a command writes into a new directory, an empty one, or one it wrote itself, recognised by the
  marker file it leaves there (MARKER, naming the command). Anything else is refused before any work
  (OutputError), and nothing in it is touched. Replacing a whole directory a command wrote earlier is a choice the
  caller makes (`replace`, e.g. the CLI's --force).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from emstd.errors import OutputError

MARKER = ".emstd"
_HOST = re.sub(r"[^A-Za-z0-9-]", "_", socket.gethostname()) or "host"
_TEMP = re.compile(r"^\..+\.emstd-(?P<host>[A-Za-z0-9_-]+)-(?P<pid>\d+)\.[A-Za-z0-9_-]+\.tmp$")


# --- permissions and temporaries -----------------------------------------------------------------------------


def current_umask() -> int:
    """The process umask, read without changing it where Linux allows (os.umask can only be read by setting it)."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").split("\n"):
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _temp_prefix(target: Path) -> str:
    return f".{target.name}.emstd-{_HOST}-{os.getpid()}."


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def dir_entries(directory: str | os.PathLike) -> list[os.DirEntry]:
    """The entries of `directory`, or none when it cannot be listed (cleanup is best effort, never an error)."""
    try:
        return list(os.scandir(directory))
    except OSError:
        return []


def clean_stale_temps(directory: str | os.PathLike) -> list[Path]:
    """Remove the temporaries of ours in `directory` whose process is gone (killed mid-write); nothing else."""
    removed = []
    for entry in dir_entries(directory):
        m = _TEMP.match(entry.name)
        if not m or m["host"] != _HOST or _alive(int(m["pid"])):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
            removed.append(Path(entry.path))
        except OSError:
            pass
    return removed


def _cannot_write(target: Path, exc: OSError) -> OutputError:
    where = f" ({exc.filename})" if exc.filename and str(exc.filename) != str(target) else ""
    return OutputError(f"{target}: cannot write it: {exc.strerror or exc}{where}. Choose another output path.")


def _make_parent(target: Path) -> Path:
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _cannot_write(target, exc) from None
    clean_stale_temps(parent)
    return parent


# --- checks before any work ----------------------------------------------------------------------------------


def check_writable(target: str | os.PathLike) -> None:
    """Whether `target` could be created: its nearest existing ancestor is a directory this process can write in
    (tried with a temporary file, removed at once: os.access says yes to root on read-only places)."""
    target = Path(target)
    ancestor = target if target.is_dir() else target.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise OutputError(f"{target}: {ancestor} is a file, not a directory. Choose another output path.")
    try:
        fd, probe = tempfile.mkstemp(prefix=_temp_prefix(target), suffix=".tmp", dir=ancestor)
    except OSError as exc:
        raise _cannot_write(target, exc) from None
    os.close(fd)
    os.unlink(probe)


def check_output_file(target: str | os.PathLike) -> None:
    """`target` can be written as a file: not a directory, in a place this process can write."""
    target = Path(target)
    if target.is_dir():
        raise OutputError(f"{target}: is a directory; give a file path for this output.")
    check_writable(target)


def marker_owner(directory: Path, marker: str = MARKER) -> str | None:
    """The command named in `directory`'s marker file, or None."""
    try:
        first = (directory / marker).read_text(encoding="utf-8").split("\n", 1)[0]
    except (OSError, UnicodeDecodeError):
        return None
    prefix = "written by emstd "
    return first[len(prefix):].strip() if first.startswith(prefix) else None


def _entries(directory: Path) -> list[str]:
    return [name for name in os.listdir(directory) if not _TEMP.match(name)]


def check_output_dir(target: str | os.PathLike, owner: str, *, replace: bool | None = None, marker: str = MARKER,
                     legacy: Callable[[Path], bool] | None = None) -> None:
    """Refuse, before any work, a `target` that `owner` (a command, e.g. "data build") may not write into: a file;
    a non-empty directory it did not write (no marker naming it; `legacy` may recognise outputs made before
    markers existed); or, when replace is False, one it did write (the whole directory would be replaced: the
    user passes --force). replace=None: `owner` writes files into its own directory and never replaces it."""
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise OutputError(f"{target}: exists and is not a directory; nothing was changed. Choose a new directory.")
    if target.is_dir() and _entries(target):
        own = marker_owner(target, marker) == owner or (legacy is not None and legacy(target))
        if not own:
            raise OutputError(f"{target}: the directory is not empty and was not written by emstd {owner}; nothing "
                              f"was changed. Choose a new or empty directory.")
        if replace is False:
            raise OutputError(f"{target}: holds an earlier output of emstd {owner}; pass --force to replace it, or "
                              f"choose a new directory.")
    check_writable(target)


def claim_output_dir(target: str | os.PathLike, owner: str, *, marker: str = MARKER,
                     legacy: Callable[[Path], bool] | None = None) -> Path:
    """check_output_dir, then create `target` (if need be) with `owner`'s marker, and remove stale temporaries."""
    target = Path(target)
    check_output_dir(target, owner, marker=marker, legacy=legacy)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _cannot_write(target, exc) from None
    if marker_owner(target, marker) != owner:
        write_text_atomic(target / marker, f"written by emstd {owner}\n")
    clean_stale_temps(target)
    return target


# --- reading ---------------------------------------------------------------------------------------------------


def read_yaml(path: str | os.PathLike, hint: str = "give a YAML file"):
    """A YAML file's content. Why it cannot be read (missing, a directory, binary, bad YAML) is one ConfigError
    line naming the file and `hint`, the fix."""
    import yaml

    from emstd.errors import ConfigError

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(str(path), [f"no such file; {hint}"]) from None
    except IsADirectoryError:
        raise ConfigError(str(path), [f"is a directory; {hint}"]) from None
    except UnicodeDecodeError:
        raise ConfigError(str(path), [f"not UTF-8 text (a binary file?); {hint}"]) from None
    except OSError as exc:
        raise ConfigError(str(path), [f"cannot be read ({exc.strerror}); {hint}"]) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise ConfigError(str(path), [f"not valid YAML ({problem}{where}); {hint}"]) from None


# --- atomic writes -------------------------------------------------------------------------------------------


@contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `target`; on success it is renamed onto `target` in one step."""
    target = Path(target)
    if target.is_dir():
        raise OutputError(f"{target}: is a directory; give a file path for this output.")
    parent = _make_parent(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(target), suffix=".tmp", dir=parent)
    except OSError as exc:
        raise _cannot_write(target, exc) from None
    os.fchmod(fd, 0o666 & ~current_umask())
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_text_atomic(target: str | os.PathLike, text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json_atomic(target: str | os.PathLike, obj) -> None:
    write_text_atomic(target, json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


def write_jsonl_atomic(target: str | os.PathLike, rows) -> None:
    with atomic_path(target) as tmp:
        with open(tmp, "w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")


@contextmanager
def atomic_dir(target: str | os.PathLike, owner: str, *, replace: bool = False,
               marker: str = MARKER) -> Iterator[Path]:
    """Build a directory under a temporary name (with `owner`'s marker in it) and rename it onto `target` only
    when complete. `target` may be absent or empty; a directory `owner` wrote earlier is replaced only with
    `replace`; anything else is refused (check_output_dir) before the body runs, and again before the rename."""
    target = Path(target)
    check_output_dir(target, owner, replace=replace, marker=marker)
    parent = _make_parent(target)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=_temp_prefix(target), suffix=".tmp", dir=parent))
    except OSError as exc:
        raise _cannot_write(target, exc) from None
    try:
        os.chmod(tmp, 0o777 & ~current_umask())
        (tmp / marker).write_text(f"written by emstd {owner}\n", encoding="utf-8")
        yield tmp
        check_output_dir(target, owner, replace=replace, marker=marker)
        if target.is_dir() and any(os.scandir(target)):
            old = tmp.with_name(tmp.name[: -len(".tmp")] + "-old.tmp")
            os.replace(target, old)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)  # onto nothing, or onto an empty directory
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
