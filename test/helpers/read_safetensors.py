"""Reads a safetensors file with numpy only (no `safetensors` package needed).

As a module: read_safetensors(path) -> (tensors: dict name -> np.ndarray, metadata: dict).
As a script: `python3 read_safetensors.py FILE` prints JSON
  {"metadata": {...}, "tensors": {name: {"dtype", "shape", "values": [flattened]}}}
BF16 is widened to float32 (numpy has no bfloat16); non-finite floats print as the
strings "nan" / "inf" / "-inf" so that the output stays valid JSON.
"""
import json
import struct
import sys

import numpy as np

NUMPY_DTYPES = {"F32": "<f4", "F64": "<f8", "F16": "<f2", "I64": "<i8", "I32": "<i4", "U8": "u1", "BOOL": "?"}


def read_header(blob):
    (header_len,) = struct.unpack("<Q", blob[:8])
    return json.loads(blob[8:8 + header_len]), blob[8 + header_len:]


def decode(entry, data):
    begin, end = entry["data_offsets"]
    raw = data[begin:end]
    if entry["dtype"] == "BF16":  # bfloat16 is the upper half of a float32
        array = (np.frombuffer(raw, "<u2").astype(np.uint32) << 16).view(np.float32)
    else:
        array = np.frombuffer(raw, NUMPY_DTYPES[entry["dtype"]])
    return array.reshape(entry["shape"])


def read_safetensors(path):
    with open(path, "rb") as f:
        header, data = read_header(f.read())
    metadata = header.pop("__metadata__", {})
    return {name: decode(entry, data) for name, entry in header.items()}, metadata


def _jsonable(value):
    return str(value) if isinstance(value, float) and not np.isfinite(value) else value


if __name__ == "__main__":
    with open(sys.argv[1], "rb") as f:
        header, data = read_header(f.read())
    out = {"metadata": header.pop("__metadata__", {}), "tensors": {}}
    for name, entry in header.items():
        array = decode(entry, data)
        out["tensors"][name] = {
            "dtype": entry["dtype"],
            "shape": list(array.shape),
            "values": [_jsonable(v) for v in array.reshape(-1).tolist()],
        }
    json.dump(out, sys.stdout)
