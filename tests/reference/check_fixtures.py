# Self-check of the golden fixtures: re-reads them with safetensors_io, recomputes with the reference
# and verifies the outputs against independent formulations (complex numbers, float64 spectra).
"""Usage: /usr/bin/python3 tests/reference/check_fixtures.py [--fixtures DIR] [--no-regenerate]

Exit status 0 when every check passes; each failure is printed with the fixture and quantity.
"""

import argparse
import filecmp
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import rope_pp_reference as ref  # noqa: E402
import safetensors_io  # noqa: E402

DTYPE_OF = {"F32": torch.float32, "BF16": torch.bfloat16, "F16": torch.float16}
TORCH_DTYPE_NAME = {"F32": "float32", "BF16": "bfloat16", "F16": "float16"}


class Checker:
    """Collects failures instead of stopping at the first, so one run shows everything wrong."""

    def __init__(self):
        self.failures, self.count = [], 0

    def that(self, ok, what):
        self.count += 1
        if not ok:
            self.failures.append(what)
            print(f"  FAIL {what}")

    def close(self, a, b, what, atol, rtol=0.0):
        a, b = a.double(), b.double()
        same_shape = a.shape == b.shape
        finite = torch.isfinite(b)
        ok = same_shape and torch.equal(torch.isfinite(a), finite) and torch.equal(a[~finite], b[~finite])
        diff = (a[finite] - b[finite]).abs().max().item() if same_shape and finite.any() else 0.0
        ok = ok and torch.allclose(a[finite], b[finite], atol=atol, rtol=rtol)
        self.that(ok, f"{what} (max |diff| {diff:.3g}, shapes {tuple(a.shape)} vs {tuple(b.shape)})")


# ---------------------------------------------------------------- independent float64 spectrum ----

def spectrum_float64(config, rope_config, seq_len=None):
    """Inverse frequencies and cos/sin multiplier recomputed in float64 with per-frequency formulas
    (for a run of seq_len tokens where the scaling depends on it)."""
    base = config.get("rope_theta", 10000.0) * rope_config.get("scaling_factor", 1.0)
    rot = ref.rotary_dim_of(config)
    scaling = config.get("rope_scaling") or {}
    original = config.get("max_position_embeddings")
    if scaling.get("rope_type") == "dynamic" and seq_len is not None and seq_len > original:
        # dynamic NTK: base·(factor·T/original − (factor − 1))^(d/(d − 2)), in float64 here.
        growth = scaling["factor"] * seq_len / original - (scaling["factor"] - 1)
        base = base * math.exp(math.log(growth) * rot / (rot - 2))
    freqs, mscale = [math.exp(-(2.0 * i / rot) * math.log(base)) for i in range(rot // 2)], 1.0
    if rope_config.get("yarn"):
        factor = rope_config["factor"]
        mscale = 1.0 + 0.1 * math.log(factor)
        freqs = [f * (g + (1.0 - g) / factor) for f, g in ((f, yarn_ramp(f)) for f in freqs)]
    elif "factor" in rope_config:
        freqs = [f / rope_config["factor"] for f in freqs]
    scaling = config.get("rope_scaling") or {}
    kind = scaling.get("rope_type", scaling.get("type"))
    if kind == "linear":
        freqs = [f / scaling["factor"] for f in freqs]
    elif kind == "llama3":
        freqs = [llama3_one(f, scaling) for f in freqs]
    elif kind == "yarn":
        freqs, mscale = hf_yarn_float64(freqs, base, rot, config, scaling)
    elif kind == "longrope":
        original = config.get("original_max_position_embeddings", original)
        divisors = scaling["long_factor"] if seq_len is not None and seq_len > original else scaling["short_factor"]
        freqs = [f / x for f, x in zip(freqs, divisors)]
        ratio = config["max_position_embeddings"] / original
        mscale = math.sqrt(1.0 + math.log(ratio) / math.log(original)) if ratio > 1 else 1.0
    return freqs, mscale


def hf_yarn_float64(freqs, base, rot, config, s):
    """HF yarn per frequency: share g of the original frequency kept, 1 − g divided by the factor;
    g falls linearly from 1 to 0 between the dims that turn beta_fast and beta_slow times over the
    original length. Attention factor from mscale/mscale_all_dim or 0.1 ln(factor) + 1."""
    factor = s["factor"]
    original = s.get("original_max_position_embeddings", config["max_position_embeddings"])
    turns_to_dim = lambda turns: rot * math.log(original / (2.0 * math.pi * turns)) / (2.0 * math.log(base))
    low, high = turns_to_dim(s.get("beta_fast", 32.0)), turns_to_dim(s.get("beta_slow", 1.0))
    if s.get("truncate", True):
        low, high = math.floor(low), math.ceil(high)
    low, high = max(low, 0.0), min(high, rot - 1.0)
    high = high + 0.001 if high == low else high
    shares = [1.0 - min(1.0, max(0.0, (i - low) / (high - low))) for i in range(len(freqs))]
    mscale = lambda weight: 1.0 + 0.1 * weight * math.log(factor) if factor > 1 else 1.0
    if "attention_factor" in s:
        attention = s["attention_factor"]
    elif "mscale" in s and "mscale_all_dim" in s:
        attention = mscale(s["mscale"]) / mscale(s["mscale_all_dim"])
    else:
        attention = mscale(1.0)
    return [f * (g + (1.0 - g) / factor) for f, g in zip(freqs, shares)], attention


def yarn_ramp(f):
    """Upstream YaRN blend weight: how many rotations fit in 4096 tokens, mapped from [1, 32] to [0, 1]."""
    rotations = 4096.0 * f / (2.0 * math.pi)
    return min(1.0, max(0.0, (rotations - 1.0) / 31.0))


def llama3_one(f, s):
    wavelength = 2.0 * math.pi / f
    if wavelength < s["original_max_position_embeddings"] / s["high_freq_factor"]:
        return f
    if wavelength > s["original_max_position_embeddings"] / s["low_freq_factor"]:
        return f / s["factor"]
    w = (s["original_max_position_embeddings"] / wavelength - s["low_freq_factor"]) / (
        s["high_freq_factor"] - s["low_freq_factor"])
    return f * ((1.0 - w) / s["factor"] + w)


# ---------------------------------------------------------------- complex-number attention -------

def complex_pairs(x, rot):
    """Pair i of a head is x[i] + j·x[i + rot/2] (rotate_half layout), in complex128."""
    x = x.double()
    return torch.complex(x[..., : rot // 2], x[..., rot // 2: rot])


def hidden_keys(t, window):
    """[T, T] True where query row r may not see key column s: s > r, or s <= r - window."""
    r, s = np.arange(t)[:, None], np.arange(t)[None, :]
    return torch.from_numpy((s > r) | ((s <= r - window) if window else np.zeros((t, t), dtype=bool)))


def complex_logits(q_raw, k_raw, freqs, mscale, scale, groups, window=None, cap=None):
    """(real, imaginary) logits [H, T, T] from Σ_i q_i conj(k_i) e^{jθ_i(t−s)} on pre-RoPE q, k;
    with a soft-cap, both become cap·tanh(logit / cap) before the mask."""
    rot = 2 * len(freqs)
    k_raw = k_raw[torch.arange(q_raw.shape[0]) // groups]  # query head h reads KV head h // groups
    zq, zk = complex_pairs(q_raw, rot), complex_pairs(k_raw, rot)
    t = torch.arange(q_raw.shape[1], dtype=torch.float64)
    phase = torch.exp(1j * (t[:, None, None] - t[None, :, None]) * torch.tensor(freqs, dtype=torch.float64))
    s = torch.einsum("hti,hsi,tsi->hts", zq, zk.conj(), phase) * (mscale * mscale * scale)
    passthrough = torch.matmul(q_raw[..., rot:].double(), k_raw[..., rot:].double().transpose(1, 2)) * scale
    future = hidden_keys(s.shape[-1], window)
    real = cap64(s.real + passthrough, cap).masked_fill(future, float("-inf"))
    return real, cap64(s.imag, cap).masked_fill(future, float("-inf"))


def cap64(x, cap):
    """Soft-capping written as cap·tanh(x / cap) (torch or numpy float64)."""
    if cap is None:
        return x
    return cap * (torch.tanh(x / cap) if isinstance(x, torch.Tensor) else np.tanh(x / cap))


def complex_rotation(x_raw, freqs, mscale):
    """x̃_i e^{jθ_i t}·mscale written back in rotate_half layout, pass-through dims unchanged."""
    rot = 2 * len(freqs)
    t = torch.arange(x_raw.shape[1], dtype=torch.float64)
    z = complex_pairs(x_raw, rot) * torch.exp(1j * t[:, None] * torch.tensor(freqs, dtype=torch.float64)) * mscale
    return torch.cat((z.real, z.imag, x_raw[..., rot:].double()), dim=-1)


# ---------------------------------------------------------------- float64 numpy forward pass -----

def numpy_forward(model, ids, freqs, mscale):
    """Second, loop-per-head implementation in float64 numpy (complex RoPE): logits and probabilities."""
    w = {n: t.double().numpy() for n, t in model.weights.items()}
    t = len(ids)
    rotor = np.exp(1j * np.arange(t)[:, None] * np.array(freqs)[None, :]) * mscale
    x, probs = w["model.embed_tokens.weight"][ids.numpy()], []
    for l in range(model.config["num_hidden_layers"]):
        p = f"model.layers.{l}."
        h = rms64(x, w[p + "input_layernorm.weight"], model.eps)
        if p + "self_attn.qkv_proj.weight" in w:  # Phi-3: one fused projection, cut q | k | v
            qkv = lin64(w, p + "self_attn.qkv_proj", h)
            nq = model.config["num_attention_heads"] * model.head_dim
            nkv = (qkv.shape[1] - nq) // 2
            q, k, v = qkv[:, :nq], qkv[:, nq:nq + nkv], qkv[:, nq + nkv:]
        else:
            q, k, v = (lin64(w, p + f"self_attn.{n}_proj", h) for n in "qkv")
        if model.family == "qwen3":  # per-head RMSNorm of q and k over head_dim, before RoPE
            q = per_head_rms64(q, w[p + "self_attn.q_norm.weight"], model)
            k = per_head_rms64(k, w[p + "self_attn.k_norm.weight"], model)
        heads, layer_probs = [], []
        for a in range(model.n_attn):
            out, prob = numpy_head(model, a, q, k, v, rotor if model.layers[l].rope else np.ones_like(rotor),
                                   model.layers[l].window)
            heads.append(out)
            layer_probs.append(prob)
        x = x + lin64(w, p + "self_attn.o_proj", np.concatenate(heads, axis=1))
        h = rms64(x, w[p + "post_attention_layernorm.weight"], model.eps)
        if p + "mlp.gate_up_proj.weight" in w:  # Phi-3: gate rows, then up rows
            gate, up = np.split(lin64(w, p + "mlp.gate_up_proj", h), 2, axis=1)
        else:
            gate, up = lin64(w, p + "mlp.gate_proj", h), lin64(w, p + "mlp.up_proj", h)
        x = x + lin64(w, p + "mlp.down_proj", gate / (1.0 + np.exp(-gate)) * up)
        probs.append(np.stack(layer_probs))
    head = w["model.embed_tokens.weight"] if model.config.get("tie_word_embeddings") else w["lm_head.weight"]
    return rms64(x, w["model.norm.weight"], model.eps) @ head.T, probs


def numpy_head(model, a, q, k, v, rotor, window=None):
    """Attention head a: RoPE++ head 2h+r is query h, imaginary when r = 1; KV head a // groups."""
    d, half = model.head_dim, rotor.shape[1]
    imag = model.variant != "rope" and a % 2 == 1
    qh = a // 2 if model.variant != "rope" else a
    kv = a // (model.n_attn // model.n_kv)
    qs, ks = q[:, qh * d:(qh + 1) * d], k[:, kv * d:(kv + 1) * d]
    zq = (qs[:, :half] + 1j * qs[:, half:2 * half]) * rotor
    zk = (ks[:, :half] + 1j * ks[:, half:2 * half]) * rotor
    if imag:
        zq = zq * -1j  # the −π/2 rotation; pass-through dims have no imaginary part
    passthrough = 0.0 if imag else qs[:, 2 * half:] @ ks[:, 2 * half:].T
    logits = ((zq @ zk.conj().T).real + passthrough) / math.sqrt(d)
    logits = np.where(hidden_keys(len(q), window).numpy(), -np.inf, logits)
    prob = np.exp(logits - logits.max(axis=1, keepdims=True))
    prob /= prob.sum(axis=1, keepdims=True)
    return prob @ v[:, kv * d:(kv + 1) * d], prob


def per_head_rms64(x, weight, model):
    t, width = x.shape
    heads = x.reshape(t, width // model.head_dim, model.head_dim)
    return rms64(heads, weight, model.eps).reshape(t, width)


def rms64(x, weight, eps):
    return weight * x / np.sqrt((x * x).mean(axis=-1, keepdims=True) + eps)


def lin64(w, name, x):
    y = x @ w[name + ".weight"].T
    return y + w[name + ".bias"] if name + ".bias" in w else y


def check_numpy_forward(c, name, model, expected, freqs, mscale):
    logits, probs = numpy_forward(model, expected["input_ids"], freqs, mscale)
    c.close(expected["logits"], torch.from_numpy(logits), f"{name}: logits vs float64 numpy", atol=5e-5, rtol=1e-5)
    for l, prob in enumerate(probs):
        c.close(expected[f"attn.{l}"], torch.from_numpy(prob), f"{name}: attn.{l} vs float64 numpy", atol=1e-5)


# ---------------------------------------------------------------- Gemma 2 / 3 in float64 ----------

GEMMA = ("gemma2", "gemma3_text")


def gemma_sliding(config):
    """Which layers slide, from Gemma2Config / Gemma3TextConfig: explicit layer_types; else Gemma 2's
    even layers, Gemma 3's all but every sliding_window_pattern-th (layers p-1, 2p-1, ...)."""
    n = config["num_hidden_layers"]
    if config.get("layer_types") is not None:
        return [kind == "sliding_attention" for kind in config["layer_types"]]
    if config["model_type"] == "gemma2":
        return [i % 2 == 0 for i in range(n)]
    pattern = config.get("sliding_window_pattern", 6)
    full = set(range(pattern - 1, n, pattern))
    return [i not in full for i in range(n)]


def layer_plan(c, name, config, model, expected, freqs, mscale):
    """Per layer: spectrum, cos/sin multiplier, logit scale, attention soft-cap and window. Gemma's
    come from config.json alone (independent of the reference); other families' from the model."""
    n = config["num_hidden_layers"]
    if model.family not in GEMMA:
        return [dict(freqs=freqs, mscale=mscale, scale=model.scale, cap=None, window=model.layers[l].window)
                for l in range(n)]
    sliding = gemma_sliding(config)
    local = freqs
    if model.family == "gemma3_text":  # sliding layers: plain RoPE on rope_local_base_freq
        rot, base = ref.rotary_dim_of(config), config.get("rope_local_base_freq", 10000.0)
        local = [base ** (-2.0 * i / rot) for i in range(rot // 2)]
        c.close(model.inv_freq_local, torch.tensor(local, dtype=torch.float64),
                f"{name}: inv_freq_local vs float64 formula", atol=0, rtol=2e-6)
    # Only Gemma2Attention passes attn_logit_softcapping on; Gemma 3 never caps attention logits.
    cap = config.get("attn_logit_softcapping", 50.0) if model.family == "gemma2" else None
    scale = 1.0 / math.sqrt(config.get("query_pre_attn_scalar", 256))
    plan = [dict(freqs=local if s and model.family == "gemma3_text" else freqs,
                 mscale=1.0 if s and model.family == "gemma3_text" else mscale,
                 scale=scale, cap=cap, window=config["sliding_window"] if s else None) for s in sliding]
    c.that([p["window"] for p in plan] == [layer.window for layer in model.layers],
           f"{name}: sliding layers {sliding} vs the reference's windows")
    return plan


def gemma_rms64(x, offset, eps):
    """Gemma's RMSNorm keeps w as an offset from one."""
    return x / np.sqrt((x * x).mean(axis=-1, keepdims=True) + eps) * (1.0 + offset)


def gelu_tanh64(x):
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def gemma_forward64(config, weights, ids, plan):
    """Gemma 2 / 3 decoder in float64 numpy, head by head with complex RoPE: (logits, attention
    probabilities per layer, largest |logit| / cap before the attention and the final soft-caps)."""
    w = {n: t.double().numpy() for n, t in weights.items()}
    d, eps = config.get("head_dim", 256), config.get("rms_norm_eps", 1e-6)
    nq, nkv = config["num_attention_heads"], config["num_key_value_heads"]
    t = len(ids)
    x = w["model.embed_tokens.weight"][ids.numpy()] * math.sqrt(config["hidden_size"])
    probs, bends = [], []
    for l, lp in enumerate(plan):
        p = f"model.layers.{l}."
        h = gemma_rms64(x, w[p + "input_layernorm.weight"], eps)
        q, k, v = (lin64(w, p + f"self_attn.{n}_proj", h) for n in "qkv")
        if p + "self_attn.q_norm.weight" in w:  # Gemma 3: per-head norms of q and k before RoPE
            q = gemma_rms64(q.reshape(t, nq, d), w[p + "self_attn.q_norm.weight"], eps).reshape(t, nq * d)
            k = gemma_rms64(k.reshape(t, nkv, d), w[p + "self_attn.k_norm.weight"], eps).reshape(t, nkv * d)
        rotor = np.exp(1j * np.arange(t)[:, None] * np.array(lp["freqs"])[None, :]) * lp["mscale"]
        hide = hidden_keys(t, lp["window"]).numpy()
        heads, layer_probs = [], []
        for a in range(nq):
            kv = a // (nq // nkv)
            zq = (q[:, a * d:a * d + d // 2] + 1j * q[:, a * d + d // 2:(a + 1) * d]) * rotor
            zk = (k[:, kv * d:kv * d + d // 2] + 1j * k[:, kv * d + d // 2:(kv + 1) * d]) * rotor
            raw = (zq @ zk.conj().T).real * lp["scale"]
            if lp["cap"] is not None:
                bends.append(np.abs(raw[~hide]).max() / lp["cap"])
            logits = np.where(hide, -np.inf, cap64(raw, lp["cap"]))
            prob = np.exp(logits - logits.max(axis=1, keepdims=True))
            prob /= prob.sum(axis=1, keepdims=True)
            heads.append(prob @ v[:, kv * d:(kv + 1) * d])
            layer_probs.append(prob)
        x = x + gemma_rms64(lin64(w, p + "self_attn.o_proj", np.concatenate(heads, axis=1)),
                            w[p + "post_attention_layernorm.weight"], eps)
        h = gemma_rms64(x, w[p + "pre_feedforward_layernorm.weight"], eps)
        mlp = lin64(w, p + "mlp.down_proj", gelu_tanh64(lin64(w, p + "mlp.gate_proj", h)) * lin64(w, p + "mlp.up_proj", h))
        x = x + gemma_rms64(mlp, w[p + "post_feedforward_layernorm.weight"], eps)
        probs.append(np.stack(layer_probs))
    tied = config.get("tie_word_embeddings", True)
    head = w["model.embed_tokens.weight"] if tied else w["lm_head.weight"]
    logits = gemma_rms64(x, w["model.norm.weight"], eps) @ head.T
    final_cap = config.get("final_logit_softcapping", 30.0 if config["model_type"] == "gemma2" else None)
    final_bend = np.abs(logits).max() / final_cap if final_cap is not None else None
    return cap64(logits, final_cap), probs, (max(bends) if bends else None, final_bend)


def check_gemma_numpy_forward(c, name, config, weights, expected, plan):
    """The float64 Gemma pass matches the fixture, and the fixture exercises what it claims: the
    soft-caps bend (some logit beyond the cap, where tanh is 24% below linear), windows hide keys,
    sliding and full layers both occur, and Gemma 3's two spectra differ."""
    logits, probs, (attn_bend, final_bend) = gemma_forward64(config, weights, expected["input_ids"], plan)
    c.close(expected["logits"], torch.from_numpy(logits), f"{name}: logits vs float64 numpy", atol=5e-5, rtol=1e-5)
    for l, prob in enumerate(probs):
        c.close(expected[f"attn.{l}"], torch.from_numpy(prob), f"{name}: attn.{l} vs float64 numpy", atol=1e-5)
    for bend, key in ((attn_bend, "attn_logit_softcapping"), (final_bend, "final_logit_softcapping")):
        if config.get(key) is not None and (key != "attn_logit_softcapping" or config["model_type"] == "gemma2"):
            c.that(bend is not None and bend > 1.0, f"{name}: {key} bends the logits (max |x| / cap {bend})")
    if config.get("tie_word_embeddings", True):
        c.that("lm_head.weight" not in weights, f"{name}: tied Gemma checkpoint stores no lm_head.weight")
    windows = [lp["window"] for lp in plan]
    c.that(any(w is None for w in windows) and any(w is not None and w < len(expected["input_ids"]) for w in windows),
           f"{name}: full layers and sliding layers whose window hides keys")
    if config["model_type"] == "gemma3_text":
        global_freqs = next(lp["freqs"] for lp in plan if lp["window"] is None)
        local_freqs = next(lp["freqs"] for lp in plan if lp["window"] is not None)
        c.that(all(g != l for g, l in list(zip(global_freqs, local_freqs))[1:]), f"{name}: two different spectra")


# ---------------------------------------------------------------- per-fixture checks -------------

def check_layout(c, folder, entry, config, stored):
    name = entry["name"]
    architecture = {"llama": "LlamaForCausalLM", "qwen2": "Qwen2ForCausalLM", "qwen3": "Qwen3ForCausalLM",
                    "smollm3": "SmolLM3ForCausalLM", "mistral": "MistralForCausalLM", "phi3": "Phi3ForCausalLM",
                    "gemma2": "Gemma2ForCausalLM", "gemma3_text": "Gemma3ForCausalLM"}
    c.that(config.get("architectures") == [architecture.get(config.get("model_type"))],
           f"{name}: config.json model_type / architectures")
    c.that(config.get("torch_dtype") == TORCH_DTYPE_NAME[entry["dtype"]], f"{name}: torch_dtype")
    c.that(all(t.dtype == DTYPE_OF[entry["dtype"]] for t in stored.values()), f"{name}: stored dtypes")
    c.that(("rope_config" in config) == entry["has_rope_config"], f"{name}: has_rope_config")
    index_path = os.path.join(folder, safetensors_io.INDEX_NAME)
    c.that(os.path.exists(index_path) == entry["sharded"], f"{name}: sharded flag vs index file")
    if entry["sharded"]:
        with open(index_path) as f:
            index = json.load(f)
        total = sum(t.numel() * t.element_size() for t in stored.values())
        c.that(index["metadata"]["total_size"] == total, f"{name}: index total_size")
        c.that(len(set(index["weight_map"].values())) == 3, f"{name}: 3 shards")


def check_byte_roundtrip(c, path):
    """decode → encode must give back the very same bytes (the writer is canonical)."""
    with open(path, "rb") as f:
        blob = f.read()
    tensors, metadata = safetensors_io.decode(blob)
    c.that(safetensors_io.encode(tensors, metadata) == blob, f"{path}: byte-exact re-encode")


def check_recompute(c, name, expected, out, model):
    """The stored expectations equal a fresh reference run on the stored weights."""
    c.that(torch.equal(expected["input_ids"], expected["input_ids"].long()), f"{name}: input_ids I64")
    c.close(out["logits"], expected["logits"], f"{name}: logits recomputed", atol=1e-5, rtol=1e-5)
    c.close(out["nll"], expected["nll"], f"{name}: nll recomputed", atol=1e-5, rtol=1e-5)
    c.close(model.inv_freq, expected["inv_freq"], f"{name}: inv_freq recomputed", atol=0.0)
    c.that(("inv_freq_local" in expected) == (model.inv_freq_local is not None), f"{name}: inv_freq_local present iff Gemma 3")
    if model.inv_freq_local is not None and "inv_freq_local" in expected:
        c.close(model.inv_freq_local, expected["inv_freq_local"], f"{name}: inv_freq_local recomputed", atol=0.0)
    for l, record in enumerate(out["layers"]):
        keys = ["attn", "attn_logits", "q_rope", "k_rope"]
        if model.variant == "rope" and model.layers[l].rope:
            keys += ["attn_virtual_imag", "attn_logits_virtual_imag"]
        for key in keys:
            c.that(f"{key}.{l}" in expected, f"{name}: expected.safetensors has {key}.{l}")
            if f"{key}.{l}" in expected:
                c.close(record[key], expected[f"{key}.{l}"], f"{name}: {key}.{l} recomputed", atol=1e-5, rtol=1e-5)


def check_probabilities(c, name, logits, probs, label, window=None):
    t = probs.shape[-1]
    future = hidden_keys(t, window)  # the causal mask, and the layer's sliding window
    c.that(bool((probs[..., future] == 0).all()), f"{name}: {label} masked probabilities are 0")
    c.that(bool(torch.isneginf(logits[..., future]).all()), f"{name}: {label} masked logits are -inf")
    c.that(bool(torch.isfinite(logits[..., ~future]).all()), f"{name}: {label} causal logits finite")
    c.close(probs.double().sum(-1), torch.ones(probs.shape[:-1]), f"{name}: {label} rows sum to 1", atol=1e-5)
    c.close(torch.softmax(logits.double(), -1), probs, f"{name}: {label} = softmax(logits)", atol=1e-6)


def check_nll(c, name, expected):
    logp = torch.log_softmax(expected["logits"].double(), dim=-1)
    ids = expected["input_ids"]
    direct = -logp[torch.arange(len(ids) - 1), ids[1:]]
    c.close(expected["nll"], direct, f"{name}: nll = -log softmax(logits)[next]", atol=1e-5)


def check_spectrum(c, name, config, model, expected):
    freqs, mscale = spectrum_float64(config, model.rope_config, expected["input_ids"].shape[0])
    c.close(model.inv_freq, torch.tensor(freqs, dtype=torch.float64), f"{name}: inv_freq vs float64 formula", atol=0, rtol=2e-6)
    c.close(expected["cos_sin_scale"], torch.tensor([mscale], dtype=torch.float64), f"{name}: cos/sin scale", atol=0, rtol=1e-6)
    return freqs, mscale


def check_complex(c, name, model, expected, out, plan):
    """Real heads = Re, imaginary (RoPE++ odd or virtual) heads = Im of the complex inner product."""
    for l, record in enumerate(out["layers"]):
        if not model.layers[l].rope:  # NoPE: no rotation, logits are the plain scaled dot product
            c.close(record["q_raw"], expected[f"q_rope.{l}"], f"{name}: q_rope.{l} = q (NoPE)", atol=0)
            c.close(record["k_raw"], expected[f"k_rope.{l}"], f"{name}: k_rope.{l} = k (NoPE)", atol=0)
            k_all = record["k_raw"].double().repeat_interleave(model.n_q // model.n_kv, dim=0)
            plain = torch.matmul(record["q_raw"].double(), k_all.transpose(1, 2)) * model.scale
            future = torch.ones(plain.shape[-2:], dtype=torch.bool).triu(1)
            c.close(expected[f"attn_logits.{l}"], plain.masked_fill(future, float("-inf")),
                    f"{name}: attn_logits.{l} = q.k (NoPE)", atol=5e-5, rtol=1e-5)
            continue
        lp = plan[l]
        c.close(complex_rotation(record["q_raw"], lp["freqs"], lp["mscale"]), expected[f"q_rope.{l}"],
                f"{name}: q_rope.{l} vs complex rotation", atol=2e-5, rtol=1e-5)
        c.close(complex_rotation(record["k_raw"], lp["freqs"], lp["mscale"]), expected[f"k_rope.{l}"],
                f"{name}: k_rope.{l} vs complex rotation", atol=2e-5, rtol=1e-5)
        real, imag = complex_logits(record["q_raw"], record["k_raw"], lp["freqs"], lp["mscale"], lp["scale"],
                                    model.n_q // model.n_kv, lp["window"], lp["cap"])
        logits = expected[f"attn_logits.{l}"]
        if model.variant == "rope":
            c.close(logits, real, f"{name}: attn_logits.{l} = Re", atol=5e-5, rtol=1e-5)
            c.close(expected[f"attn_logits_virtual_imag.{l}"], imag,
                    f"{name}: attn_logits_virtual_imag.{l} = Im", atol=5e-5, rtol=1e-5)
        else:
            c.close(logits[0::2], real, f"{name}: attn_logits.{l} even heads = Re", atol=5e-5, rtol=1e-5)
            c.close(logits[1::2], imag, f"{name}: attn_logits.{l} odd heads = Im", atol=5e-5, rtol=1e-5)


def vanilla_twin(model):
    """A vanilla model with the same q/k/v weights, o_proj cut to the real heads' columns."""
    config = dict(model.config, num_attention_heads=model.n_q, num_key_value_heads=model.n_kv,
                  head_dim=model.head_dim)
    config.pop("rope_config", None)
    d, weights = model.head_dim, dict(model.weights)
    for name, w in model.weights.items():
        if name.endswith("o_proj.weight"):
            blocks = w.view(w.shape[0], model.n_attn, d)[:, 0::2]
            weights[name] = blocks.reshape(w.shape[0], model.n_q * d)
    return ref.ReferenceModel(config, weights, dict(model.rope_config, imag=False))


def check_against_vanilla(c, name, model, ids, out):
    """RoPE++ real heads equal vanilla heads, imaginary heads equal vanilla's virtual imaginary heads."""
    twin = vanilla_twin(model)
    cos, sin = ref.cos_sin(twin.inv_freq, twin.mscale, torch.arange(len(ids)))
    for l, hidden in enumerate(out["hidden_states"][:-1]):
        record = {}
        twin.layers[l].forward(hidden, cos, sin, record)
        mine = out["layers"][l]
        for suffix in ("", "_logits"):
            c.close(mine[f"attn{suffix}"][0::2], record[f"attn{suffix}"],
                    f"{name}: layer {l} real heads attn{suffix} = vanilla", atol=1e-6)
            c.close(mine[f"attn{suffix}"][1::2], record[f"attn{suffix}_virtual_imag"],
                    f"{name}: layer {l} imag heads attn{suffix} = vanilla virtual imag", atol=1e-6)


def check_fixture(c, root, entry):
    name = entry["name"]
    folder = os.path.join(root, name)
    config = ref.load_config(folder)
    stored = safetensors_io.read_checkpoint(folder)
    check_layout(c, folder, entry, config, stored)
    for file_name in sorted(os.listdir(folder)):
        if file_name.endswith(".safetensors"):
            check_byte_roundtrip(c, os.path.join(folder, file_name))
    model = ref.load_model(folder, infer_variant=True)
    c.that(model.variant == entry["variant"], f"{name}: variant {model.variant} vs manifest {entry['variant']}")
    if not entry["has_rope_config"] and entry["variant"] != "rope":
        c.that(raises(lambda: ref.load_model(folder)), f"{name}: vanilla reading of RoPE++ weights is refused")
    expected = safetensors_io.read(os.path.join(folder, "expected.safetensors"))
    out = model.forward(expected["input_ids"], output_attentions=True, output_hidden_states=True)
    check_recompute(c, name, expected, out, model)
    freqs, mscale = check_spectrum(c, name, config, model, expected)
    plan = layer_plan(c, name, config, model, expected, freqs, mscale)
    for l in range(config["num_hidden_layers"]):
        window = plan[l]["window"]
        check_probabilities(c, name, expected[f"attn_logits.{l}"], expected[f"attn.{l}"], f"attn.{l}", window)
        if model.variant == "rope" and model.layers[l].rope:
            check_probabilities(c, name, expected[f"attn_logits_virtual_imag.{l}"],
                                expected[f"attn_virtual_imag.{l}"], f"attn_virtual_imag.{l}", window)
    check_nll(c, name, expected)
    check_complex(c, name, model, expected, out, plan)
    if model.family in GEMMA:
        check_gemma_numpy_forward(c, name, config, model.weights, expected, plan)
    else:
        check_numpy_forward(c, name, model, expected, freqs, mscale)
    if model.variant != "rope":
        check_against_vanilla(c, name, model, expected["input_ids"], out)
    check_blocked_path(c, name, model, expected)


def check_blocked_path(c, name, model, expected):
    """The memory-saving blocked attention (no outputs requested) gives the same logits."""
    blocked = ref.ReferenceModel(model.config, model.weights, model.rope_config, query_block=5)
    c.close(blocked.forward(expected["input_ids"])["logits"], expected["logits"],
            f"{name}: blocked attention logits", atol=1e-5, rtol=1e-5)


def raises(fn):
    try:
        fn()
    except ValueError:
        return True
    return False


def check_scalings_bite(c, root):
    """The scaling fixtures must actually move frequencies at T=24 (else they test nothing)."""
    llama3 = ref.load_config(os.path.join(root, "rope_llama3"))
    s = llama3["rope_scaling"]
    base, _ = spectrum_float64(dict(llama3, rope_scaling=None), {})
    waves = [2 * math.pi / f for f in base]
    blended = [w for w in waves if s["original_max_position_embeddings"] / s["high_freq_factor"] <= w
               <= s["original_max_position_embeddings"] / s["low_freq_factor"]]
    c.that(len(blended) >= 1, "rope_llama3: at least one frequency in the blended band")
    yarn = ref.load_config(os.path.join(root, "rope_pp_ec_yarn"))
    ramps = [yarn_ramp(f) for f in spectrum_float64(yarn, {})[0]]
    c.that(any(0.0 < g < 1.0 for g in ramps), "rope_pp_ec_yarn: at least one partially blended frequency")
    for name in ("rope_longrope", "rope_dynamic"):  # the run crosses the original length
        cfg = ref.load_config(os.path.join(root, name))
        short, _ = spectrum_float64(cfg, {}, None)
        run, _ = spectrum_float64(cfg, {}, 24)
        c.that(all(a != b for a, b in list(zip(short, run))[1:]), f"{name}: the run's spectrum is not the short one")
    hf = ref.load_config(os.path.join(root, "rope_yarn_hf"))
    plain, _ = spectrum_float64(dict(hf, rope_scaling=None), {})
    ratios = [f / p for f, p in zip(spectrum_float64(hf, {})[0], plain)]
    c.that(ratios[0] == 1.0 and any(0.25 < r < 1.0 for r in ratios) and ratios[-1] == 0.25,
           "rope_yarn_hf: frequencies kept, blended and divided by the factor")


def check_regeneration(c, root):
    """make_fixtures.py into a temporary folder must reproduce every committed byte."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, os.path.join(HERE, "make_fixtures.py"), "--out", tmp], check=True,
                       stdout=subprocess.DEVNULL)
        for dirpath, _, files in os.walk(tmp):
            for file_name in files:
                mine = os.path.join(dirpath, file_name)
                committed = os.path.join(root, os.path.relpath(mine, tmp))
                c.that(os.path.exists(committed) and filecmp.cmp(mine, committed, shallow=False),
                       f"regenerated {os.path.relpath(mine, tmp)} is byte-identical")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fixtures", default=os.path.normpath(os.path.join(HERE, "..", "fixtures")))
    parser.add_argument("--no-regenerate", action="store_true", help="skip the byte-reproducibility check")
    args = parser.parse_args()
    torch.set_num_threads(1)
    c = Checker()
    with open(os.path.join(args.fixtures, "fixtures.json")) as f:
        manifest = json.load(f)
    for entry in manifest:
        print(f"{entry['name']}")
        check_fixture(c, args.fixtures, entry)
    check_scalings_bite(c, args.fixtures)
    if not args.no_regenerate:
        check_regeneration(c, args.fixtures)
    print(f"{c.count - len(c.failures)}/{c.count} checks passed")
    return 1 if c.failures else 0


if __name__ == "__main__":
    sys.exit(main())
