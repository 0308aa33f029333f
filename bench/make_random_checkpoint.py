#!/usr/bin/env python3
"""Writes a randomly initialised Llama / RoPE++ (or Qwen3) checkpoint in exact HF layout (BF16 safetensors).

Used by the benchmarks: the paper's 376M shape by default; `--shape qwen3_1_7b` is Qwen3-1.7B's
published shape (model_type qwen3, per-head q/k norms, tied embeddings). Run with /usr/bin/python3
(Debian torch).
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "reference"))
import safetensors_io  # noqa: E402

SHAPES = {
    # hidden, layers, heads, kv heads, intermediate, vocab (upstream configs/rope-*-config.json)
    "376m": (1024, 8, 8, 4, 3584, 128256),
    "1_5b": (2048, 16, 16, 8, 7168, 128256),
}


# Qwen3-1.7B's config.json (huggingface.co/Qwen/Qwen3-1.7B): hidden 2048, 28 layers, 16 heads of
# 128, 8 KV heads, intermediate 6144, vocabulary 151 936, theta 1e6, tied embeddings.
QWEN3_1_7B = {"architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "hidden_act": "silu",
              "hidden_size": 2048, "num_hidden_layers": 28, "num_attention_heads": 16,
              "num_key_value_heads": 8, "head_dim": 128, "intermediate_size": 6144,
              "vocab_size": 151936, "max_position_embeddings": 40960, "rms_norm_eps": 1e-6,
              "rope_theta": 1000000, "rope_scaling": None, "tie_word_embeddings": True,
              "attention_bias": False, "attention_dropout": 0.0, "use_sliding_window": False,
              "sliding_window": None, "max_window_layers": 28, "torch_dtype": "bfloat16"}


def config_for(shape, variant):
    if shape == "qwen3_1_7b":
        if variant != "rope":
            sys.exit("--shape qwen3_1_7b is a plain RoPE model: give --variant rope")
        return dict(QWEN3_1_7B)
    hidden, layers, heads, kv, inter, vocab = SHAPES[shape]
    rope_config = {"rope": {"imag": False}, "ec": {"imag": True, "imag_mode": "imag2"},
                   "eh": {"imag": True, "imag_mode": "imag1"}}[variant]
    return {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_act": "silu",
            "hidden_size": hidden, "num_hidden_layers": layers, "num_attention_heads": heads,
            "num_key_value_heads": kv, "intermediate_size": inter, "vocab_size": vocab,
            "max_position_embeddings": 32768, "rms_norm_eps": 1e-5, "rope_theta": 10000.0,
            "tie_word_embeddings": False, "attention_bias": False, "torch_dtype": "bfloat16",
            "rope_config": rope_config}


def tensors_for(config, generator):
    c = config
    d = c.get("head_dim", c["hidden_size"] // c["num_attention_heads"])
    heads, kv = c["num_attention_heads"], c["num_key_value_heads"]
    rc = c.get("rope_config", {})
    q_heads, kv_heads, attn_heads = heads, kv, heads
    if rc.get("imag") and rc["imag_mode"] == "imag2":
        attn_heads = 2 * heads
    elif rc.get("imag"):
        q_heads, kv_heads = heads // 2, kv // 2
    D, inter, vocab = c["hidden_size"], c["intermediate_size"], c["vocab_size"]

    def rand(*shape):
        return (torch.randn(*shape, generator=generator) * 0.02).to(torch.bfloat16)

    yield "model.embed_tokens.weight", rand(vocab, D)
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        yield p + "input_layernorm.weight", torch.ones(D, dtype=torch.bfloat16)
        yield p + "post_attention_layernorm.weight", torch.ones(D, dtype=torch.bfloat16)
        yield p + "self_attn.q_proj.weight", rand(q_heads * d, D)
        yield p + "self_attn.k_proj.weight", rand(kv_heads * d, D)
        yield p + "self_attn.v_proj.weight", rand(kv_heads * d, D)
        yield p + "self_attn.o_proj.weight", rand(D, attn_heads * d)
        if c["model_type"] == "qwen3":
            yield p + "self_attn.q_norm.weight", torch.ones(d, dtype=torch.bfloat16)
            yield p + "self_attn.k_norm.weight", torch.ones(d, dtype=torch.bfloat16)
        yield p + "mlp.gate_proj.weight", rand(inter, D)
        yield p + "mlp.up_proj.weight", rand(inter, D)
        yield p + "mlp.down_proj.weight", rand(D, inter)
    yield "model.norm.weight", torch.ones(D, dtype=torch.bfloat16)
    if not c["tie_word_embeddings"]:
        yield "lm_head.weight", rand(vocab, D)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out")
    ap.add_argument("--shape", choices=sorted(SHAPES) + ["qwen3_1_7b"], default="376m")
    ap.add_argument("--variant", choices=["rope", "ec", "eh"], default="ec")
    ap.add_argument("--shards", type=int, default=1)
    args = ap.parse_args()
    config = config_for(args.shape, args.variant)
    os.makedirs(args.out, exist_ok=True)
    tensors = dict(tensors_for(config, torch.Generator().manual_seed(0)))
    if args.shards > 1:
        names = list(tensors)
        per = -(-len(names) // args.shards)
        safetensors_io.write_sharded(args.out, tensors, [names[i:i + per] for i in range(0, len(names), per)])
    else:
        safetensors_io.write(os.path.join(args.out, "model.safetensors"), tensors)
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)


if __name__ == "__main__":
    main()
