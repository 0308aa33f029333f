# Hand-written safetensors reader/writer (single file and HF sharded layout) for the test fixtures.
# Independent of the `safetensors` package so the byte layout the C++ reader must accept is explicit.
"""Minimal safetensors I/O.

File layout: u64 little-endian header length N, N bytes of UTF-8 JSON (padded with spaces to a
multiple of 8), then the data buffer. Each header entry is {"dtype", "shape", "data_offsets":
[begin, end]} with offsets relative to the start of the data buffer; "__metadata__" is optional.
"""

import json
import os
import struct

import numpy as np
import torch

# safetensors dtype name -> (torch dtype, numpy storage dtype with explicit little-endian order).
# BF16 has no numpy type: its 16-bit patterns travel as uint16.
_DTYPES = {
    "F32": (torch.float32, np.dtype("<f4")),
    "F16": (torch.float16, np.dtype("<f2")),
    "BF16": (torch.bfloat16, np.dtype("<u2")),
    "I64": (torch.int64, np.dtype("<i8")),
}
_NAME_OF = {torch_dtype: name for name, (torch_dtype, _) in _DTYPES.items()}

INDEX_NAME = "model.safetensors.index.json"
SINGLE_NAME = "model.safetensors"


def dtype_name(tensor):
    """safetensors dtype string of a torch tensor (raises for unsupported dtypes)."""
    if tensor.dtype not in _NAME_OF:
        raise ValueError(f"unsupported dtype {tensor.dtype}")
    return _NAME_OF[tensor.dtype]


def _tensor_bytes(tensor):
    name = dtype_name(tensor)
    t = tensor.detach().contiguous().cpu()
    if name == "BF16":
        # Reinterpret the bits, never convert: the stored value must be exactly the bf16 value.
        t = t.view(torch.int16)
    return t.numpy().astype(_DTYPES[name][1], copy=False).tobytes()


def _header_bytes(entries, metadata):
    header = dict(entries)
    if metadata is not None:
        header["__metadata__"] = metadata
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    return raw + b" " * ((-len(raw)) % 8)


def encode(tensors, metadata=None):
    """Serialises {name: tensor} (written in sorted name order, so output is deterministic)."""
    entries, chunks, offset = {}, [], 0
    for name in sorted(tensors):
        data = _tensor_bytes(tensors[name])
        entries[name] = {
            "dtype": dtype_name(tensors[name]),
            "shape": list(tensors[name].shape),
            "data_offsets": [offset, offset + len(data)],
        }
        chunks.append(data)
        offset += len(data)
    header = _header_bytes(entries, metadata)
    return struct.pack("<Q", len(header)) + header + b"".join(chunks)


def write(path, tensors, metadata=None):
    """Writes one safetensors file; metadata defaults to {"format": "pt"} like torch exports."""
    if metadata is None:
        metadata = {"format": "pt"}
    with open(path, "wb") as f:
        f.write(encode(tensors, metadata))


def _decode_entry(name, entry, buffer):
    if entry.get("dtype") not in _DTYPES:
        raise ValueError(f"{name}: unsupported dtype {entry.get('dtype')}")
    torch_dtype, np_dtype = _DTYPES[entry["dtype"]]
    shape = [int(s) for s in entry["shape"]]
    begin, end = (int(o) for o in entry["data_offsets"])
    count = int(np.prod(shape)) if shape else 1
    if not 0 <= begin <= end <= len(buffer) or end - begin != count * np_dtype.itemsize:
        raise ValueError(f"{name}: data_offsets {begin}..{end} do not fit shape {shape}")
    array = np.frombuffer(buffer, dtype=np_dtype, count=count, offset=begin).copy()
    if entry["dtype"] == "BF16":
        return torch.from_numpy(array.view(np.int16)).view(torch.bfloat16).reshape(shape)
    return torch.from_numpy(array.astype(np_dtype.newbyteorder("="))).reshape(shape)


def decode(blob):
    """Parses safetensors bytes into ({name: tensor in its stored dtype}, metadata or None)."""
    if len(blob) < 8:
        raise ValueError("file shorter than the 8-byte header length")
    (n,) = struct.unpack_from("<Q", blob, 0)
    if 8 + n > len(blob):
        raise ValueError(f"header length {n} exceeds the file size")
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    buffer = memoryview(blob)[8 + n:]
    metadata = header.pop("__metadata__", None)
    tensors = {name: _decode_entry(name, entry, buffer) for name, entry in header.items()}
    return tensors, metadata


def read(path):
    """Reads one safetensors file: {name: tensor} in the stored dtypes."""
    with open(path, "rb") as f:
        return decode(f.read())[0]


def shard_file_name(index, count):
    return f"model-{index:05d}-of-{count:05d}.safetensors"


def write_sharded(folder, tensors, groups, metadata=None):
    """Writes HF shards plus model.safetensors.index.json.

    groups: list of lists of tensor names, one list per shard, covering every tensor exactly once.
    """
    names = [n for g in groups for n in g]
    if sorted(names) != sorted(tensors) or len(set(names)) != len(names):
        raise ValueError("shard groups must cover every tensor exactly once")
    weight_map, total = {}, 0
    for i, group in enumerate(groups, start=1):
        file_name = shard_file_name(i, len(groups))
        write(os.path.join(folder, file_name), {n: tensors[n] for n in group}, metadata)
        for n in group:
            weight_map[n] = file_name
            total += tensors[n].numel() * tensors[n].element_size()
    index = {"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}
    with open(os.path.join(folder, INDEX_NAME), "w") as f:
        json.dump(index, f, indent=2)
        f.write("\n")


def read_checkpoint(folder):
    """All tensors of a checkpoint folder (single model.safetensors or sharded with an index)."""
    index_path = os.path.join(folder, INDEX_NAME)
    if not os.path.exists(index_path):
        return read(os.path.join(folder, SINGLE_NAME))
    with open(index_path) as f:
        weight_map = json.load(f)["weight_map"]
    tensors = {}
    for file_name in sorted(set(weight_map.values())):
        for name, tensor in read(os.path.join(folder, file_name)).items():
            if weight_map.get(name) != file_name:
                raise ValueError(f"{file_name}: tensor {name} is not mapped to this shard")
            tensors[name] = tensor
    missing = set(weight_map) - set(tensors)
    if missing:
        raise ValueError(f"index names tensors missing from the shards: {sorted(missing)}")
    return tensors
