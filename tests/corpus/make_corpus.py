#!/usr/bin/python3
"""Generates the corrupt-input catalogue (tests/corpus/<class>/ + catalogue.json) from the fixtures.

Usage: /usr/bin/python3 tests/corpus/make_corpus.py PATH/TO/ropescope-cli
       /usr/bin/python3 tests/corpus/make_corpus.py --table   (markdown for docs/robustness.md)
(Debian python3 with python3-numpy and python3-h5py; the CLI writes the base trace.)

Every entry of catalogue.json names a corrupt file, the class it belongs to, how the test installs
it (`base`: the fixture folder it replaces a file of, `install_as`: that file's name), what is
wrong with it (`problem`, for docs/robustness.md) and the phrase the one-line error must contain
(`expect`). tests/test_corpus_catalogue.cpp checks every entry through the core and the CLI.
Files are rewritten deterministically except the trace's created_at attribute.
"""
import json
import math
import os
import shutil
import struct
import subprocess
import sys
import tempfile

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
entries = []


def write(cls, name, data, problem, expect, **extra):
    path = os.path.join(HERE, cls, name)
    with open(path, "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)
    entries.append(dict(cls=cls, file=f"{cls}/{name}", problem=problem, expect=expect, **extra))


def read(path):
    with open(path, "rb") as f:
        return f.read()


# ---- safetensors ---------------------------------------------------------------------------------
def st_file(header, data):
    """A safetensors file from a header (dict, or raw text) and a data buffer."""
    text = header if isinstance(header, (str, bytes)) else json.dumps(header)
    text = text.encode() if isinstance(text, str) else text
    return struct.pack("<Q", len(text)) + text + data


def st_split(blob):
    n = struct.unpack("<Q", blob[:8])[0]
    return json.loads(blob[8:8 + n]), blob[8 + n:]


def small_valid():
    header = {"__metadata__": {"format": "pt"},
              "a": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]},
              "b": {"dtype": "BF16", "shape": [3], "data_offsets": [16, 22]}}
    return header, bytes(range(22))


def safetensors():
    st = dict(base="rope_f32", install_as="model.safetensors")
    h, d = small_valid()
    blob = st_file(h, d)
    hlen = len(blob) - len(d)
    write("safetensors", "trunc_length_prefix.safetensors", blob[:5],
          "truncated inside the 8-byte header length", "too short", **st)
    write("safetensors", "trunc_empty.safetensors", b"", "empty file", "too short", **st)
    write("safetensors", "trunc_in_header.safetensors", blob[:8 + (hlen - 8) // 2],
          "truncated inside the JSON header", "is larger than the file", **st)
    write("safetensors", "trunc_at_data.safetensors", blob[:hlen],
          "truncated where the data buffer starts", "exceed the data size", **st)
    write("safetensors", "trunc_in_data.safetensors", blob[:hlen + 9],
          "truncated inside the first tensor's data", "exceed the data size", **st)
    write("safetensors", "header_length_u64_max.safetensors", b"\xff" * 8 + blob[8:],
          "header length 2^64-1 (overflows 8 + N)", "is larger than the file", **st)
    hh = dict(h, a=dict(h["a"], data_offsets=[0, 2**64 - 1]))
    write("safetensors", "offset_u64_max.safetensors", st_file(hh, d),
          "data_offsets end 2^64-1", "exceed the data size", **st)
    hh = dict(h, a=dict(h["a"], data_offsets=[2**64 - 1, 16]))
    write("safetensors", "offset_begin_after_end.safetensors", st_file(hh, d),
          "data_offsets begin 2^64-1 > end", "begin > end", **st)
    hh = dict(h, a=dict(h["a"], data_offsets=[0, 2**64]))
    write("safetensors", "offset_beyond_u64.safetensors", st_file(hh, d),
          "data_offsets end 2^64 (not a u64)", "no valid data_offsets", **st)
    hh = dict(h, a=dict(h["a"], shape=[2**32, 2**32, 16]))
    write("safetensors", "shape_overflow.safetensors", st_file(hh, d),
          "shape whose element count overflows u64", "element count overflows", **st)
    hh = dict(h, a=dict(h["a"], shape=[2**61, 2]))
    write("safetensors", "shape_bytes_overflow.safetensors", st_file(hh, d),
          "element count fits but count x 4 bytes overflows", "needs", **st)
    hh = dict(h, a=dict(h["a"], shape=[-2, -2]))
    write("safetensors", "shape_negative.safetensors", st_file(hh, d),
          "negative dimensions", "negative dimension", **st)
    hh = dict(h, a=dict(h["a"], shape=[2, 2.5]))
    write("safetensors", "shape_float.safetensors", st_file(hh, d),
          "a fractional dimension", "non-integer dimension", **st)
    hh = dict(h, a=dict(h["a"], dtype="F16"))
    write("safetensors", "dtype_lie_size.safetensors", st_file(hh, d),
          "dtype F16 where the offsets span F32 data", "data_offsets span 16 bytes", **st)
    hh = dict(h, a=dict(h["a"], dtype="F12"))
    write("safetensors", "dtype_unknown.safetensors", st_file(hh, d),
          "a dtype the format does not define", "unknown dtype 'F12'", **st)
    text = json.dumps(h)[:-1] + ', "a": ' + json.dumps(h["a"]) + "}"
    write("safetensors", "duplicate_name.safetensors", st_file(text, d),
          "the same tensor name twice in the header", "'a' is listed twice", **st)
    hh = dict(h, b=dict(h["b"], data_offsets=[10, 16], shape=[3]))
    write("safetensors", "overlap.safetensors", st_file(hh, d),
          "two tensors sharing bytes", "overlap", **st)
    text = json.dumps(h).encode().replace(b'"pt"', b'"p\xff\xfet"')
    write("safetensors", "header_not_utf8.safetensors", st_file(text, d),
          "non-UTF-8 bytes in a header string", "header is not valid JSON", **st)
    text = '{"__metadata__": {"x": ' + "[" * 10000 + "]" * 10000 + "}}"
    write("safetensors", "header_deep_nesting.safetensors", st_file(text, d),
          "metadata nested 10000 levels deep", "nested more than 64 levels", **st)
    write("safetensors", "header_array.safetensors", st_file("[1, 2]", d),
          "header is a JSON array", "not a JSON object", **st)
    write("safetensors", "metadata_not_object.safetensors",
          st_file(dict(h, __metadata__=[1]), d), "__metadata__ is a list",
          "__metadata__ is not an object", **st)

    # Checkpoint-level lies: a well-formed file whose contents contradict what a model needs.
    full = read(os.path.join(FIXTURES, "rope_bf16", "model.safetensors"))
    fh, fd = st_split(full)
    ck = dict(base="rope_bf16", install_as="model.safetensors")
    name = "model.layers.0.self_attn.q_proj.weight"

    def with_value(bits, index):
        b0 = fh[name]["data_offsets"][0] + 2 * index
        return full[:len(full) - len(fd)] + fd[:b0] + struct.pack("<H", bits) + fd[b0 + 2:]

    forward = ["forward", "{dir}", "--ids", "1,2,3"]
    write("safetensors", "weight_nan_bf16.safetensors", with_value(0x7fc0, 69),
          "a NaN in a BF16 q_proj weight", f"'{name}' holds NaN at element [1, 5]",
          cli=forward, names="file", **ck)
    write("safetensors", "weight_inf_bf16.safetensors", with_value(0xff80, 0),
          "-Inf in a BF16 q_proj weight", f"'{name}' holds -Inf at element [0, 0]",
          cli=forward, names="file", **ck)
    f32 = read(os.path.join(FIXTURES, "rope_f32", "model.safetensors"))
    gh, gd = st_split(f32)
    emb = "model.embed_tokens.weight"
    b0 = gh[emb]["data_offsets"][0] + 4 * 3
    write("safetensors", "weight_inf_f32.safetensors",
          f32[:len(f32) - len(gd)] + gd[:b0] + struct.pack("<f", math.inf) + gd[b0 + 4:],
          "+Inf in an F32 embedding", f"'{emb}' holds +Inf at element [0, 3]",
          cli=forward, names="file", base="rope_f32", install_as="model.safetensors")
    hh = dict(fh, **{name: dict(fh[name], dtype="I16")})
    write("safetensors", "dtype_lie_int.safetensors", st_file(hh, fd),
          "a weight declared I16 (same size as BF16)", "weights must be BF16, F16 or F32",
          names="file", **ck)
    hh = {k: v for k, v in fh.items() if k != "model.norm.weight"}
    write("safetensors", "tensor_missing.safetensors", st_file(hh, fd),
          "the final norm weight missing", "'model.norm.weight' is missing", names="dir", **ck)
    hh = dict(fh, **{"model.norm.weight": dict(fh["model.norm.weight"])})
    s0 = fh["model.norm.weight"]["shape"][0]
    hh["model.norm.weight"]["shape"] = [s0 // 2, 2]
    write("safetensors", "shape_contradicts_config.safetensors", st_file(hh, fd),
          "a weight reshaped against config.json", "has shape", names="file", **ck)

    # Sharded checkpoints: the index and the shards disagree.
    sh = dict(base="rope_pp_ec_bf16_sharded")
    index = json.loads(read(os.path.join(FIXTURES, "rope_pp_ec_bf16_sharded",
                                         "model.safetensors.index.json")))
    bad = json.loads(json.dumps(index))
    first = next(iter(bad["weight_map"]))
    bad["weight_map"][first] = "../model.safetensors"
    write("safetensors", "index_escapes_folder.json", json.dumps(bad, indent=1),
          "index names a shard outside the folder", "not a file inside the checkpoint folder",
          install_as="model.safetensors.index.json", **sh)
    bad = json.loads(json.dumps(index))
    bad["weight_map"][first] = "model-00009-of-00003.safetensors"
    write("safetensors", "index_missing_shard.json", json.dumps(bad, indent=1),
          "index names a shard that does not exist", "missing (listed in",
          install_as="model.safetensors.index.json", names="file:model-00009-of-00003.safetensors",
          **sh)
    write("safetensors", "index_truncated.json", json.dumps(index)[:40],
          "index truncated mid-object", "not valid JSON",
          install_as="model.safetensors.index.json", **sh)
    s1 = read(os.path.join(FIXTURES, "rope_pp_ec_bf16_sharded", "model-00001-of-00003.safetensors"))
    s2 = read(os.path.join(FIXTURES, "rope_pp_ec_bf16_sharded", "model-00002-of-00003.safetensors"))
    h1, _ = st_split(s1)
    h2, d2 = st_split(s2)
    dup = next(k for k in h1 if k != "__metadata__")
    victim = next(k for k in h2 if k != "__metadata__")
    h2[dup] = h2.pop(victim)
    write("safetensors", "shard_duplicate_tensor.safetensors", st_file(h2, d2),
          "a tensor that appears in two shards", f"'{dup}' also appears in",
          install_as="model-00002-of-00003.safetensors", names="file", **sh)


# ---- config.json ---------------------------------------------------------------------------------
def configs():
    base_text = read(os.path.join(FIXTURES, "rope_f32", "config.json")).decode()
    cfg = json.loads(base_text)
    c = dict(base="rope_f32", install_as="config.json")

    def variant(name, problem, expect, names="file", **changes):
        j = dict(cfg)
        for k, v in changes.items():
            if v is None:
                j.pop(k, None)
            else:
                j[k] = v
        write("config", name, json.dumps(j, indent=2), problem, expect, names=names, **c)

    write("config", "empty.json", "", "empty file", "not valid JSON", **c)
    write("config", "truncated.json", base_text[: len(base_text) // 2],
          "truncated mid-object", "not valid JSON", **c)
    write("config", "not_utf8.json", base_text.encode().replace(b'"llama"', b'"ll\xc3\x28ama"'),
          "invalid UTF-8 in a string", "not valid JSON", **c)
    write("config", "deep_nesting.json", '{"x": ' + "[" * 10000 + "]" * 10000 + "}",
          "nested 10000 levels deep", "nested more than 64 levels", **c)
    write("config", "top_level_array.json", "[" + base_text + "]", "an array, not an object",
          "not a JSON object", **c)
    variant("missing_hidden_size.json", "required field missing", 'missing required field "hidden_size"',
            hidden_size=None)
    variant("negative_size.json", "negative intermediate_size",
            '"intermediate_size" must be a positive integer', intermediate_size=-64)
    variant("size_overflow.json", "hidden_size 2^64 (beyond any integer type)",
            '"hidden_size" must be a positive integer', hidden_size=2**64)
    variant("size_float.json", "hidden_size 64.5", '"hidden_size" must be a positive integer',
            hidden_size=64.5)
    variant("layers_huge.json", "num_hidden_layers 2^30 (would allocate gigabytes of names)",
            '"num_hidden_layers" = 1073741824 is implausibly large', num_hidden_layers=2**30)
    variant("heads_huge.json", "num_attention_heads 2^30 (would allocate a 2^30-head table)",
            '"num_attention_heads" = 1073741824 is implausibly large',
            num_attention_heads=2**30, head_dim=2)
    variant("heads_not_dividing.json", "hidden_size not divisible by the heads",
            "is not divisible by num_attention_heads", num_attention_heads=7, head_dim=None)
    variant("kv_heads_not_dividing.json", "KV heads do not divide the heads",
            "is not a multiple of num_key_value_heads", num_key_value_heads=3)
    variant("head_dim_odd.json", "odd head_dim", "is odd; RoPE needs pairs", head_dim=15)
    variant("rope_theta_infinite.json", "rope_theta 1e999 (beyond a double)",
            "number overflow parsing '1e999'", rope_theta=None)
    # json.dumps cannot write 1e999; patch the text instead.
    p = os.path.join(HERE, "config", "rope_theta_infinite.json")
    with open(p) as f:
        t = json.loads(f.read())
    text = json.dumps(t, indent=2)[:-2] + ',\n  "rope_theta": 1e999\n}'
    with open(p, "w") as f:
        f.write(text)
    variant("eps_string.json", "rms_norm_eps as a string", '"rms_norm_eps" must be a number',
            rms_norm_eps="1e-6")
    variant("rope_scaling_unknown.json", "an unsupported rope_scaling type",
            'rope_scaling.type = "mrope" is not supported yet', rope_scaling={"type": "mrope", "factor": 2})
    variant("rope_scaling_type_number.json", "rope_scaling type is a number",
            'rope_scaling.type = 3 must be a string', rope_scaling={"type": 3, "factor": 2})
    variant("model_type_number.json", "model_type is a number", '"model_type" must be a string',
            model_type=7)
    variant("imag_mode_unknown.json", "rope_config with an unknown imag_mode",
            'imag_mode "imag3" is not supported',
            rope_config={"imag": True, "imag_mode": "imag3"})
    variant("vocab_contradicts_tensors.json", "vocab_size larger than the embedding",
            "has shape [97, 64] but RoPE with this config.json needs [98, 64]",
            names="file:model.safetensors", vocab_size=cfg["vocab_size"] + 1)


# ---- tokenizer.json ------------------------------------------------------------------------------
def tokenizers():
    base_dir = os.path.join(FIXTURES, "tokenizers", "bytelevel_added")
    base_text = read(os.path.join(base_dir, "tokenizer.json")).decode()
    tok = json.loads(base_text)
    t = dict(base="tokenizers/bytelevel_added", install_as="tokenizer.json")

    def variant(name, problem, expect, edit):
        j = json.loads(base_text)
        edit(j)
        write("tokenizer", name, json.dumps(j, ensure_ascii=False), problem, expect, **t)

    write("tokenizer", "empty.json", "", "empty file", "malformed JSON", **t)
    write("tokenizer", "truncated.json", base_text[: len(base_text) // 3], "truncated mid-vocabulary",
          "malformed JSON", **t)
    write("tokenizer", "not_utf8.json", base_text.encode().replace(b'"version"', b'"vers\xff\xffn"', 1),
          "invalid UTF-8 in a key", "malformed JSON", **t)
    write("tokenizer", "deep_nesting.json",
          '{"version": "1.0", "normalizer": ' + '{"type": "Sequence", "normalizers": [' * 2000 +
          "]}" * 2000 + "}", "2000 nested Sequence normalizers", "nested more than 64 levels", **t)
    write("tokenizer", "top_level_array.json", "[" + base_text + "]", "an array, not an object",
          "top level", **t)
    variant("model_missing.json", "no model", "missing field 'model'", lambda j: j.pop("model"))
    variant("model_wordpiece.json", "a WordPiece model", "model type 'WordPiece' is not supported",
            lambda j: j["model"].update(type="WordPiece"))
    merges = tok["model"]["merges"]
    first = merges[0] if isinstance(merges[0], str) else " ".join(merges[0])
    left = first.split(" ")[0]

    def missing_merge(j):
        j["model"]["merges"].insert(0, "zzqq " + left)

    variant("merge_missing_token.json", "a merge of a token not in the vocabulary",
            "merge uses token 'zzqq'", missing_merge)

    def self_merge(j):
        # BPE merges only ever build longer tokens, so a true cycle cannot be written down; the
        # nearest thing is a token merged with itself into a token that does not exist.
        vocab = j["model"]["vocab"]
        tkn = next(k for k in vocab if len(k) == 1 and k + k not in vocab)
        j["model"]["merges"].insert(0, tkn + " " + tkn)

    variant("merge_self_unknown.json", "a token merged with itself into a token not in the vocabulary",
            "is not in the vocabulary", self_merge)
    variant("merge_malformed.json", "a merge line without a space", 'expected "<left> <right>"',
            lambda j: j["model"]["merges"].insert(0, "nospace"))
    variant("merges_missing.json", "no merges list", "missing field 'merges'",
            lambda j: j["model"].pop("merges"))
    variant("vocab_negative_id.json", "a token with id -5", "has no valid id",
            lambda j: j["model"]["vocab"].update({"neg": -5}))
    variant("vocab_huge_id.json", "a token with id 2^31-1", "implausibly large",
            lambda j: j["model"]["vocab"].update({"huge": 2**31 - 1}))
    variant("version_unknown.json", "version 2.0", "version '2.0'", lambda j: j.update(version="2.0"))
    variant("normalizer_unknown.json", "an unknown normalizer", "Frobnicate",
            lambda j: j.update(normalizer={"type": "Frobnicate"}))
    variant("regex_invalid.json", "a Split pre-tokenizer with an invalid regex", "pattern",
            lambda j: j.update(pre_tokenizer={"type": "Split", "pattern": {"Regex": "(unclosed"},
                                              "behavior": "Isolated", "invert": False}))


# ---- trace .h5 -----------------------------------------------------------------------------------
def traces(cli):
    out = os.path.join(HERE, "trace", "valid.h5")
    # Relative checkpoint path, so the committed trace does not name this machine's folders.
    subprocess.run([cli, "trace", "tests/fixtures/rope_f32", "--ids", "1,5,9,13,2,6,10,14,3,7,11,15",
                    "-o", out], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    base = read(out)
    tr = dict(install_as=None)

    def edited(name, problem, expect, edit):
        p = os.path.join(HERE, "trace", name)
        shutil.copyfile(out, p)
        with h5py.File(p, "r+") as f:
            edit(f)
        entries.append(dict(cls="trace", file=f"trace/{name}", problem=problem, expect=expect, **tr))

    write("trace", "empty.h5", b"", "empty file", "not an HDF5 file", **tr)
    write("trace", "text.h5", "layer,head\n0,0\n", "a CSV file named .h5", "not an HDF5 file", **tr)
    write("trace", "trunc_superblock.h5", base[:8], "truncated after the HDF5 signature",
          "shorter than an HDF5 superblock", **tr)
    write("trace", "trunc_half.h5", base[: len(base) // 2], "truncated at half its length",
          "truncated", **tr)
    write("trace", "trunc_last_byte.h5", base[:-1], "the last byte missing", "truncated", **tr)
    with h5py.File(os.path.join(HERE, "trace", "foreign.h5"), "w") as f:
        f["data"] = np.arange(12.0).reshape(3, 4)
        f.attrs["format"] = "someone-elses"
    entries.append(dict(cls="trace", file="trace/foreign.h5", problem="an HDF5 file that is not ours",
                        expect="an HDF5 file, but not a RoPEScope trace", **tr))
    edited("schema_newer.h5", "schema version from the future", "written by a newer RoPEScope",
           lambda f: f.attrs.modify("schema_version", np.int64(99)))
    edited("schema_zero.h5", "schema version 0", "unknown trace schema version 0",
           lambda f: f.attrs.modify("schema_version", np.int64(0)))
    edited("tokens_contradict_shapes.h5", "meta says 13 tokens, the datasets hold 12",
           "damaged or incomplete trace",
           lambda f: f["meta"].attrs.modify("tokens", np.int64(13)))
    edited("layers_huge.h5", "meta says 10^9 layers", "'layers' = 1000000000 is out of range",
           lambda f: f["meta"].attrs.modify("layers", np.int64(10**9)))
    edited("head_dim_contradicts.h5", "head_dim 32 against Q/K of 16", "damaged or incomplete trace",
           lambda f: f["meta"].attrs.modify("head_dim", np.int64(2 * f["meta"].attrs["head_dim"])))

    def drop_q(f):
        layer = sorted(k for k in f["layers"].keys())[0]
        del f["layers"][layer]["q"]

    edited("dataset_missing.h5", "a layer's Q dataset deleted", "damaged or incomplete trace", drop_q)

    def q_as_int(f):
        layer = sorted(k for k in f["layers"].keys())[0]
        q = f["layers"][layer]["q"]
        shape = q.shape
        del f["layers"][layer]["q"]
        f["layers"][layer].create_dataset("q", data=np.zeros(shape, dtype=np.int32))

    edited("dataset_wrong_type.h5", "Q stored as int32", "damaged or incomplete trace", q_as_int)

    def bad_head(f):
        qh = f["meta/heads/query_head"]
        qh[0] = 1000

    edited("head_refers_nowhere.h5", "a head whose query head does not exist",
           "refers to a query, KV or twin head that does not exist", bad_head)
    edited("qk_dtype_unknown.h5", "Q/K storage type 'bf16'", "unknown Q/K storage type 'bf16'",
           lambda f: f["meta"].attrs.modify("qk_dtype", "bf16"))
    edited("variant_unknown.h5", "variant 'RoPE+++'", "unknown variant",
           lambda f: f["meta"].attrs.modify("variant", "RoPE+++"))

    def cells(f):
        c = f["meta/overview_cells"][...]
        c[0] += 1
        f["meta/overview_cells"][...] = c

    edited("overview_cells_contradict.h5", "overview levels that do not match the token count",
           "does not match the token count", cells)

    def empty_bins(f):
        del f["stats/bin_edges"]
        f["stats"].create_dataset("bin_edges", data=np.zeros(0, dtype=np.int32))

    edited("bin_edges_empty.h5", "an empty distance-bin list", "'stats/bin_edges' is empty", empty_bins)


def print_table():
    """The catalogue as the markdown table in docs/robustness.md."""
    with open(os.path.join(HERE, "catalogue.json")) as f:
        cat = json.load(f)
    print("| class | file | malformation | the error says |")
    print("|---|---|---|---|")
    for e in cat:
        expect = e["expect"].replace("|", "\\|")
        print(f"| {e['cls']} | `{os.path.basename(e['file'])}` | {e['problem']} | `{expect}` |")


def main():
    if sys.argv[1:] == ["--table"]:
        return print_table()
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    cli = os.path.abspath(sys.argv[1])
    for cls in ("safetensors", "config", "tokenizer", "trace"):
        d = os.path.join(HERE, cls)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    safetensors()
    configs()
    tokenizers()
    traces(cli)
    for e in entries:
        e.setdefault("cli", None)
        e.setdefault("names", "file")
    with open(os.path.join(HERE, "catalogue.json"), "w") as f:
        json.dump(entries, f, indent=1)
        f.write("\n")
    counts = {c: sum(e["cls"] == c for e in entries) for c in ("safetensors", "config", "tokenizer", "trace")}
    print("make_corpus:", counts)


if __name__ == "__main__":
    main()
