"""Folders for the files a tab shows (pictures, LP files): one per result, the newest few kept, older ones removed.

Gradio serves a shown file from its path until the page asks for it, so a folder cannot go when its event ends; a
folder per result that is never removed would fill the disk of a server that runs for weeks.
"""

import shutil
import tempfile
import uuid
from pathlib import Path

KEPT_FOLDERS = 64


def result_folder(kind: str, root: Path | None = None, kept: int = KEPT_FOLDERS) -> Path:
    """A new empty folder for one `kind` of result ("modeler", "router"), removing all but the newest `kept` - 1 older
    ones of that kind. `root` defaults to `<temp>/corta-ui`."""
    parent = (root or Path(tempfile.gettempdir()) / "corta-ui") / kind
    parent.mkdir(parents=True, exist_ok=True)
    older = sorted(
        (folder for folder in parent.iterdir() if folder.is_dir()),
        key=lambda folder: folder.stat().st_mtime_ns,
    )
    for folder in older[: max(0, len(older) - kept + 1)]:
        shutil.rmtree(folder, ignore_errors=True)
    folder = parent / uuid.uuid4().hex
    folder.mkdir()
    return folder


def _made_at(folder: Path) -> int | None:
    """The folder's modification time in ns; None for a file, or a folder another request removed meanwhile."""
    try:
        return folder.stat().st_mtime_ns if folder.is_dir() else None
    except OSError:
        return None
