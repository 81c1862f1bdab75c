"""Files only their owner may read: outputs that hold answers (exports, reports, coded CSV).

Created ``0600`` (folders ``0700``) whatever the process umask, so that other accounts on a
shared server cannot read them. Light on purpose (standard library only): the web app and
the ``cips`` commands use it too.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def output_problem(path: str | os.PathLike[str]) -> str | None:
    """Why ``path`` cannot be written as an output file (its folder is missing, or it is a folder),
    else ``None``: commands ask before their long work (a report, coding every answer), not after."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        return f"{path}: cannot write: folder {folder} does not exist"
    if path.is_dir():
        return f"{path}: cannot write: it is a folder, not a file"
    return None


def private_open(path: str | os.PathLike[str], mode: str = "w", **kwargs: Any) -> IO[Any]:
    """``open(path, mode)`` for writing ("w", "wb", "x", "xb"), the file created or truncated
    with mode 0600. An existing file is set to 0600 too: its old mode would otherwise stay."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if mode.startswith("x") else os.O_TRUNC)
    fd = os.open(path, flags, PRIVATE_FILE)
    try:
        os.fchmod(fd, PRIVATE_FILE)
        return os.fdopen(fd, mode.replace("x", "w"), **kwargs)
    except BaseException:
        os.close(fd)
        raise


def write_private(path: str | os.PathLike[str], data: bytes | str, encoding: str = "utf-8") -> None:
    """``Path.write_bytes``/``write_text`` with mode 0600."""
    if isinstance(data, str):
        with private_open(path, "w", encoding=encoding) as fh:
            fh.write(data)
    else:
        with private_open(path, "wb") as fh:
            fh.write(data)


def private_dir(path: str | os.PathLike[str]) -> Path:
    """Make the folder (and missing parents) with mode 0700; an existing folder is left as it is
    (its owner chose its mode, e.g. a shared group folder)."""
    path = Path(path)
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
        os.chmod(path, PRIVATE_DIR)  # mkdir's mode is filtered by the umask
    return path
