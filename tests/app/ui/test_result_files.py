"""Result folders: a new one per result, the newest kept, older ones of the same kind removed."""

import os
from pathlib import Path

from corta.app.ui.result_files import result_folder


def test_only_the_newest_folders_of_a_kind_are_kept(tmp_path: Path) -> None:
    made = []
    for number in range(6):
        folder = result_folder("modeler", root=tmp_path, kept=3)
        (folder / "tree.png").write_bytes(b"png")
        os.utime(folder, ns=(number * 10**9, number * 10**9))  # made one second apart
        made.append(folder)
    other = result_folder("router", root=tmp_path, kept=3)
    assert [folder.exists() for folder in made] == [False] * 3 + [True] * 3
    assert other.is_dir() and not any(other.iterdir())
    assert len({folder.name for folder in made}) == 6


def test_a_stray_file_beside_the_folders_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "modeler").mkdir()
    stray = tmp_path / "modeler" / "notes.txt"
    stray.write_text("mine")
    for _ in range(3):
        result_folder("modeler", root=tmp_path, kept=1)
    assert stray.read_text() == "mine"
    assert len([folder for folder in (tmp_path / "modeler").iterdir() if folder.is_dir()]) == 1
