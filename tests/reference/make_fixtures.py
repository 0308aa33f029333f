# Generates the golden forward-pass fixtures: tiny random HF Llama / RoPE++ checkpoints and their
# expected outputs from rope_pp_reference. Deterministic: re-running reproduces identical bytes.
"""Usage: /usr/bin/python3 tests/reference/make_fixtures.py [--out tests/fixtures]"""

import argparse
import json
import os
import sys
import zlib

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rope_pp_reference as ref  # noqa: E402
import safetensors_io  # noqa: E402

T = 24
EC = {"imag": True, "imag_mode": "imag2"}
EH = {"imag": True, "imag_mode": "imag1"}
STORAGE = {"F32": (torch.float32, "float32"), "BF16": (torch.bfloat16, "bfloat16"),
           "F16": (torch.float16, "float16")}

# Keys google/gemma-2-2b's config.json has beside the Llama ones (tie_word_embeddings, rope_scaling,
# mlp_bias and pretraining_tp absent: Gemma2Config ties by default and has no MLP bias).
GEMMA2_CONFIG = {
    "model_type": "gemma2", "architectures": ["Gemma2ForCausalLM"], "num_hidden_layers": 4,
    "head_dim": 16, "hidden_act": "gelu_pytorch_tanh", "hidden_activation": "gelu_pytorch_tanh",
    "attn_logit_softcapping": 3.0, "final_logit_softcapping": 2.0, "query_pre_attn_scalar": 24,
    "sliding_window": 8, "cache_implementation": "hybrid", "max_position_embeddings": 8192,
    "rms_norm_eps": 1e-06, "bos_token_id": 2, "eos_token_id": 1, "pad_token_id": 0,
    "transformers_version": "4.42.4",
}
GEMMA2_DROP = ["mlp_bias", "pretraining_tp", "rope_scaling", "tie_word_embeddings"]
# google/gemma-3-1b-pt's keys (no hidden_act; no caps): here the global layers get linear
# rope_scaling (factor 2) as gemma-3-4b's do, and one layer in 3 is full attention.
GEMMA3_CONFIG = {
    "model_type": "gemma3_text", "architectures": ["Gemma3ForCausalLM"], "num_hidden_layers": 4,
    "head_dim": 16, "hidden_activation": "gelu_pytorch_tanh", "attn_logit_softcapping": None,
    "final_logit_softcapping": None, "query_pre_attn_scalar": 8, "sliding_window": 8,
    "sliding_window_pattern": 3, "rope_theta": 1000000.0, "rope_local_base_freq": 10000.0,
    "rope_scaling": {"factor": 2.0, "rope_type": "linear"}, "cache_implementation": "hybrid",
    "max_position_embeddings": 32768, "rms_norm_eps": 1e-06, "bos_token_id": 2, "eos_token_id": 1,
    "pad_token_id": 0, "transformers_version": "4.50.0.dev0",
}
GEMMA3_DROP = ["mlp_bias", "pretraining_tp", "hidden_act", "tie_word_embeddings"]


# name, variant rope_config (None = vanilla), dtype, shards, config overrides, description.
# "write_rope_config": False keeps rope_config out of config.json (variant passed explicitly).
FIXTURES = [
    dict(name="rope_f32", rc=None, dtype="F32", shards=1, config={},
         description="vanilla RoPE (GQA 4 heads / 2 KV heads), F32 weights"),
    dict(name="rope_bf16", rc=None, dtype="BF16", shards=1, config={},
         description="vanilla RoPE, BF16 weights"),
    dict(name="rope_f16", rc=None, dtype="F16", shards=1, config={},
         description="vanilla RoPE, F16 weights"),
    dict(name="rope_pp_ec_f32", rc=EC, dtype="F32", shards=1, config={},
         description="RoPE++_EC (imag2): 4 query heads, 2 KV heads, 8 attention heads, F32"),
    dict(name="rope_pp_ec_bf16_sharded", rc=EC, dtype="BF16", shards=3, config={},
         description="RoPE++_EC, BF16 weights in 3 shards with model.safetensors.index.json"),
    dict(name="rope_pp_eh_f32", rc=EH, dtype="F32", shards=1, config={},
         description="RoPE++_EH (imag1): 2 query heads, 1 KV head, 4 attention heads, F32"),
    dict(name="rope_pp_eh_bf16", rc=EH, dtype="BF16", shards=1, config={},
         description="RoPE++_EH, BF16 weights"),
    dict(name="rope_pp_ec_factor", rc=dict(EC, factor=4), dtype="F32", shards=1, config={},
         description="RoPE++_EC with rope_config factor 4 (linear position interpolation)"),
    dict(name="rope_pp_ec_yarn", rc=dict(EC, factor=32, yarn=True), dtype="F32", shards=1, config={},
         description="RoPE++_EC with upstream YaRN, factor 32 (blended frequencies, cos/sin x1.3466)"),
    dict(name="rope_pp_eh_noconfig", rc=EH, dtype="F32", shards=1, config={}, write_rope_config=False,
         description="RoPE++_EH weights, config.json without rope_config: infer the variant from shapes"),
    dict(name="rope_pp_ec_scaling_factor", rc=dict(EC, scaling_factor=4), dtype="F32", shards=1,
         config={}, description="RoPE++_EC with rope_config scaling_factor 4 (rope_theta 10000 -> 40000)"),
    dict(name="rope_bias_tied", rc=None, dtype="F32", shards=1,
         config={"attention_bias": True, "mlp_bias": True, "tie_word_embeddings": True, "head_dim": 24},
         description="vanilla RoPE with q/k/v/o and MLP biases, tied embeddings, head_dim 24 != 64/4"),
    dict(name="rope_partial", rc=None, dtype="F32", shards=1, config={"partial_rotary_factor": 0.5},
         description="vanilla RoPE, partial_rotary_factor 0.5: first 8 of 16 dims rotate, 8 pass through"),
    dict(name="rope_llama3", rc=None, dtype="F32", shards=1,
         config={"rope_theta": 500000.0,
                 "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                  "high_freq_factor": 4.0, "original_max_position_embeddings": 16}},
         description="vanilla RoPE, rope_theta 5e5, HF llama3 rope_scaling (factor 8, original 16): "
                     "frequency 0 blended, 1..7 divided by 8"),
    dict(name="rope_yarn_hf", rc=None, dtype="F32", shards=1,
         config={"max_position_embeddings": 1024,
                 "rope_scaling": {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 256,
                                  "beta_fast": 32.0, "beta_slow": 1.0, "mscale": 0.707,
                                  "mscale_all_dim": 1.0}},
         description="vanilla RoPE, HF yarn (factor 4, original 256 = 1024 / 4, mscale 0.707 / "
                     "mscale_all_dim 1): frequency 0 kept, 1..3 blended, 4..7 divided by 4, cos/sin x0.9643"),
    dict(name="rope_longrope", rc=None, dtype="F32", shards=1,
         config={"max_position_embeddings": 64, "original_max_position_embeddings": 16,
                 "rope_scaling": {"rope_type": "longrope",
                                  "short_factor": [1.0, 1.1, 1.2, 1.5, 2.0, 2.5, 3.0, 3.5],
                                  "long_factor": [1.0, 1.3, 1.9, 2.7, 4.0, 6.5, 9.0, 12.0]}},
         description="vanilla RoPE, HF longrope (Phi-3 layout: top-level original 16, max 64): the "
                     "run of 24 tokens uses long_factor, cos/sin x sqrt(1 + ln 4 / ln 16)"),
    dict(name="rope_dynamic", rc=None, dtype="F32", shards=1,
         config={"max_position_embeddings": 16, "rope_scaling": {"rope_type": "dynamic", "factor": 2.0}},
         description="vanilla RoPE, HF dynamic NTK (factor 2, max 16): the run of 24 tokens uses base "
                     "10000 x 2^(16/14)"),
    # Families beside Llama, in their own config layout (transformers' Qwen2Config / Qwen3Config).
    dict(name="qwen2_f32", rc=None, dtype="F32", shards=1, drop=["attention_bias", "mlp_bias"],
         config={"model_type": "qwen2", "architectures": ["Qwen2ForCausalLM"], "rope_theta": 1000000.0,
                 "sliding_window": 4096, "use_sliding_window": False, "max_window_layers": 2,
                 "tie_word_embeddings": True},
         description="Qwen2 layout: q/k/v biases without an o_proj bias, tied embeddings, theta 1e6, "
                     "sliding window switched off"),
    dict(name="qwen3_bf16_sharded", rc=None, dtype="BF16", shards=3, drop=["mlp_bias"],
         config={"model_type": "qwen3", "architectures": ["Qwen3ForCausalLM"], "rope_theta": 1000000.0,
                 "head_dim": 24, "sliding_window": None, "use_sliding_window": False,
                 "max_window_layers": 2},
         description="Qwen3 layout: RMSNorm of each head's q and k before RoPE, head_dim 24 != 64/4, "
                     "BF16 in 3 shards"),
    dict(name="smollm3_nope", rc=None, dtype="F32", shards=1,
         config={"model_type": "smollm3", "architectures": ["SmolLM3ForCausalLM"], "rope_theta": 5000000.0,
                 "no_rope_layers": [1, 0], "no_rope_layer_interval": 2, "use_sliding_window": False,
                 "sliding_window": None, "tie_word_embeddings": True},
         description="SmolLM3 layout: layer 1 without RoPE (NoPE, no virtual imaginary heads), theta 5e6"),
    dict(name="phi3_f32", rc=None, dtype="F32", shards=1, drop=["attention_bias", "mlp_bias"],
         config={"model_type": "phi3", "architectures": ["Phi3ForCausalLM"], "num_key_value_heads": 2,
                 "original_max_position_embeddings": 4096, "sliding_window": 2047, "rope_scaling": None,
                 "embd_pdrop": 0.0, "resid_pdrop": 0.0, "pad_token_id": 0},
         description="Phi-3 layout: fused qkv_proj (GQA, 4 query and 2 kv heads) and gate_up_proj, "
                     "top-level original_max_position_embeddings, sliding window 2047 (masks nothing "
                     "in 24 tokens)"),
    # Sliding windows shorter than the run, so the mask hides keys (query t sees t - 8 < s <= t).
    dict(name="mistral_window", rc=None, dtype="F32", shards=1, tokens=40, drop=["attention_bias", "mlp_bias"],
         config={"model_type": "mistral", "architectures": ["MistralForCausalLM"], "sliding_window": 8},
         description="Mistral v0.1 layout with sliding_window 8 over a run of 40 tokens: every layer "
                     "masks keys 8 or more positions back"),
    dict(name="qwen2_window", rc=None, dtype="F32", shards=1, tokens=40, drop=["attention_bias", "mlp_bias"],
         config={"model_type": "qwen2", "architectures": ["Qwen2ForCausalLM"], "num_hidden_layers": 3,
                 "rope_theta": 1000000.0, "sliding_window": 8, "use_sliding_window": True,
                 "max_window_layers": 1},
         description="Qwen2 with use_sliding_window, sliding_window 8 and max_window_layers 1 over 40 "
                     "tokens: layer 0 full attention, layers 1-2 windowed"),
    # Gemma 2 / 3 (Gemma2Config / Gemma3TextConfig keys as google/gemma-2-2b and google/gemma-3-1b-pt
    # write them): 4 layers, sliding_window 8 over 40 tokens, soft-caps small enough to bend the logits.
    dict(name="gemma2_f32", rc=None, dtype="F32", shards=1, tokens=40, drop=GEMMA2_DROP,
         config=dict(GEMMA2_CONFIG),
         description="Gemma 2 layout: embeddings x sqrt(64), (1 + w) RMSNorms around attention and MLP, "
                     "GELU-tanh MLP, query_pre_attn_scalar 24, attention soft-cap 3, final soft-cap 2, "
                     "tied embeddings, layers 0 and 2 sliding (window 8), 1 and 3 full"),
    dict(name="gemma2_bf16_sharded", rc=None, dtype="BF16", shards=3, tokens=40, drop=GEMMA2_DROP,
         config=dict(GEMMA2_CONFIG),
         description="Gemma 2 layout as gemma2_f32, BF16 weights in 3 shards with model.safetensors.index.json"),
    dict(name="gemma3_text_f32", rc=None, dtype="F32", shards=1, tokens=40, drop=GEMMA3_DROP,
         config=dict(GEMMA3_CONFIG),
         description="Gemma 3 text layout: q_norm / k_norm (1 + w) per head before RoPE, "
                     "sliding_window_pattern 3 (layer 2 full, 0, 1, 3 sliding, window 8), full layers "
                     "rope_theta 1e6 with linear rope_scaling 2, sliding layers rope_local_base_freq 1e4 "
                     "unscaled, query_pre_attn_scalar 8, no soft-caps, tied embeddings"),
    dict(name="gemma3_text_layer_types", rc=None, dtype="F32", shards=1, tokens=40, drop=GEMMA3_DROP,
         config=dict(GEMMA3_CONFIG, layer_types=["full_attention", "sliding_attention", "full_attention",
                                                 "sliding_attention"],
                     sliding_window_pattern=6, query_pre_attn_scalar=16, rope_scaling=None,
                     tie_word_embeddings=True, transformers_version="4.53.0"),
         description="Gemma 3 text with explicit layer_types (layers 0 and 2 full, 1 and 3 sliding), "
                     "which win over sliding_window_pattern 6; no rope_scaling, query_pre_attn_scalar 16, "
                     "tie_word_embeddings written"),
]


def base_config(dtype_name):
    return {
        "architectures": ["LlamaForCausalLM"],
        "attention_bias": False,
        "attention_dropout": 0.0,
        "bos_token_id": 1,
        "eos_token_id": 2,
        "hidden_act": "silu",
        "hidden_size": 64,
        "initializer_range": 0.02,
        "intermediate_size": 96,
        "max_position_embeddings": 4096,
        "mlp_bias": False,
        "model_type": "llama",
        "num_attention_heads": 4,
        "num_hidden_layers": 2,
        "num_key_value_heads": 2,
        "pretraining_tp": 1,
        "rms_norm_eps": 1e-05,
        "rope_scaling": None,
        "rope_theta": 10000.0,
        "tie_word_embeddings": False,
        "torch_dtype": STORAGE[dtype_name][1],
        "transformers_version": "4.51.0",
        "use_cache": True,
        "vocab_size": 97,
    }


def fixture_config(spec):
    config = base_config(spec["dtype"])
    config.update(spec["config"])
    for key in spec.get("drop", []):  # keys the family's config class does not have
        config.pop(key)
    if spec["rc"] is not None and spec.get("write_rope_config", True):
        config["rope_config"] = dict(spec["rc"])
    return config


class Init:
    """Seeded normal draws; scales chosen so attention is peaked and logits are O(1)."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def normal(self, shape, std, mean=0.0):
        return torch.from_numpy((mean + std * self.rng.standard_normal(shape)).astype(np.float32))


def layer_weights(init, config, rope_config, i):
    hidden, inter = config["hidden_size"], config["intermediate_size"]
    d = ref.head_dim_of(config)
    n_q, n_kv, n_attn = ref.head_counts(config, rope_config)
    p = f"model.layers.{i}."
    shapes = {  # name: (shape, std); q/k are large so softmax rows are far from uniform
        "self_attn.q_proj": ((n_q * d, hidden), 1.5 / hidden ** 0.5),
        "self_attn.k_proj": ((n_kv * d, hidden), 1.5 / hidden ** 0.5),
        "self_attn.v_proj": ((n_kv * d, hidden), 1.0 / hidden ** 0.5),
        "self_attn.o_proj": ((hidden, n_attn * d), 0.5 / (n_attn * d) ** 0.5),
        "mlp.gate_proj": ((inter, hidden), 1.0 / hidden ** 0.5),
        "mlp.up_proj": ((inter, hidden), 1.0 / hidden ** 0.5),
        "mlp.down_proj": ((hidden, inter), 0.5 / inter ** 0.5),
    }
    qkv_bias, o_bias = ref.FAMILY_BIASES[config["model_type"]](config)
    w = {}
    for name, (shape, std) in shapes.items():
        w[p + name + ".weight"] = init.normal(shape, std)
        if name.startswith("self_attn"):
            has_bias = o_bias if name == "self_attn.o_proj" else qkv_bias
        else:
            has_bias = config.get("mlp_bias", False)
        if has_bias:
            w[p + name + ".bias"] = init.normal((shape[0],), 0.1)
    if config["model_type"] in ref.GEMMA_FAMILIES:
        return gemma_norms(init, w, p, hidden, d, config["model_type"])
    w[p + "input_layernorm.weight"] = init.normal((hidden,), 0.2, mean=1.0)
    w[p + "post_attention_layernorm.weight"] = init.normal((hidden,), 0.2, mean=1.0)
    if config["model_type"] == "qwen3":
        w[p + "self_attn.q_norm.weight"] = init.normal((d,), 0.2, mean=1.0)
        w[p + "self_attn.k_norm.weight"] = init.normal((d,), 0.2, mean=1.0)
    return w


def gemma_norms(init, w, p, hidden, d, family):
    """Gemma stores each norm weight as an offset w from 1 (it multiplies by 1 + w): draws around 0."""
    for name in ("input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm",
                 "post_feedforward_layernorm"):
        w[p + name + ".weight"] = init.normal((hidden,), 0.2)
    if family == "gemma3_text":
        w[p + "self_attn.q_norm.weight"] = init.normal((d,), 0.2)
        w[p + "self_attn.k_norm.weight"] = init.normal((d,), 0.2)
    return w


def fuse_phi3(w, layers):
    """Phi-3 stores one qkv_proj (q, k, v rows) and one gate_up_proj (gate rows, then up rows)."""
    for i in range(layers):
        p = f"model.layers.{i}."
        w[p + "self_attn.qkv_proj.weight"] = torch.cat(
            [w.pop(p + f"self_attn.{n}_proj.weight") for n in ("q", "k", "v")])
        w[p + "mlp.gate_up_proj.weight"] = torch.cat(
            [w.pop(p + f"mlp.{n}_proj.weight") for n in ("gate", "up")])
    return w


def random_weights(seed, config, rope_config, tokens=T):
    init = Init(seed)
    hidden, vocab = config["hidden_size"], config["vocab_size"]
    # A tied embedding doubles as lm_head, so it gets the lm_head scale to keep logits O(1).
    gemma = config["model_type"] in ref.GEMMA_FAMILIES
    tied = config.get("tie_word_embeddings", gemma)  # Gemma ties unless config.json says otherwise
    embed_std = 1.5 / hidden ** 0.5 if tied else 1.0
    w = {"model.embed_tokens.weight": init.normal((vocab, hidden), embed_std)}
    for i in range(config["num_hidden_layers"]):
        w.update(layer_weights(init, config, rope_config, i))
    w["model.norm.weight"] = init.normal((hidden,), 0.2, mean=0.0 if gemma else 1.0)
    if not tied:
        w["lm_head.weight"] = init.normal((vocab, hidden), 1.5 / hidden ** 0.5)
    if config["model_type"] == "phi3":
        w = fuse_phi3(w, config["num_hidden_layers"])
    return w, torch.from_numpy(init.rng.integers(0, vocab, size=tokens).astype(np.int64))


def shard_groups(names, layers, count):
    """Embeddings + first layers in shard 1, ..., final norm and lm_head in the last shard."""
    def shard_of(name):
        if name.startswith("model.layers."):
            return int(name.split(".")[2]) * (count - 1) // layers
        return 0 if name.startswith("model.embed_tokens") else count - 1
    return [[n for n in sorted(names) if shard_of(n) == s] for s in range(count)]


def write_checkpoint(folder, config, stored, shards):
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)
        f.write("\n")
    if shards == 1:
        safetensors_io.write(os.path.join(folder, safetensors_io.SINGLE_NAME), stored)
    else:
        groups = shard_groups(stored, config["num_hidden_layers"], shards)
        safetensors_io.write_sharded(folder, stored, groups)


def expected_outputs(model, ids):
    out = model.forward(ids, output_attentions=True)
    expected = {"input_ids": ids, "logits": out["logits"], "nll": out["nll"],
                "inv_freq": model.inv_freq.float(),
                "cos_sin_scale": torch.tensor([model.mscale], dtype=torch.float32)}
    if model.inv_freq_local is not None:  # Gemma 3: the sliding layers' own spectrum
        expected["inv_freq_local"] = model.inv_freq_local.float()
    keys = ["attn", "attn_logits", "q_rope", "k_rope", "attn_virtual_imag", "attn_logits_virtual_imag"]
    for l, record in enumerate(out["layers"]):
        for key in keys:
            if key in record:  # virtual heads: vanilla RoPE, and only layers that rotate
                expected[f"{key}.{l}"] = record[key].contiguous()
    return expected


def make_fixture(spec, seed, out_dir):
    folder = os.path.join(out_dir, spec["name"])
    os.makedirs(folder, exist_ok=True)
    config = fixture_config(spec)
    rope_config = spec["rc"] or ref.VANILLA
    weights, ids = random_weights(seed, config, rope_config, spec.get("tokens", T))
    stored = {n: t.to(STORAGE[spec["dtype"]][0]) for n, t in weights.items()}
    write_checkpoint(folder, config, stored, spec["shards"])
    # The expectation is computed from exactly what was stored (e.g. bf16 values upcast to f32).
    model = ref.ReferenceModel(config, {n: t.float() for n, t in stored.items()}, rope_config)
    safetensors_io.write(os.path.join(folder, "expected.safetensors"), expected_outputs(model, ids))
    return {"name": spec["name"], "variant": model.variant, "dtype": spec["dtype"],
            "sharded": spec["shards"] > 1, "has_rope_config": "rope_config" in config,
            "description": spec["description"]}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    default_out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
    parser.add_argument("--out", default=os.path.normpath(default_out))
    args = parser.parse_args()
    torch.set_num_threads(1)  # also keeps float summation order, hence the bytes, reproducible
    manifest = [make_fixture(spec, zlib.crc32(spec["name"].encode()), args.out) for spec in FIXTURES]
    with open(os.path.join(args.out, "fixtures.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print(f"wrote {len(manifest)} fixtures to {args.out}")


if __name__ == "__main__":
    main()
