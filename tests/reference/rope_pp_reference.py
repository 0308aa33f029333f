# Independent plain-torch reference of the Llama / RoPE++ forward pass (upstream OpenMOSS/rope_pp
# semantics) used to generate and re-check the golden fixtures the C++ forward pass is tested against.
"""Llama / RoPE++ reference forward pass in float32 (also Qwen2/3, Mistral, Phi-3, SmolLM3, Gemma 2/3).

Usage:
    model = load_model("tests/fixtures/rope_f32")            # or ReferenceModel(config, weights)
    out = model.forward(ids, output_attentions=True)
    out["logits"], out["nll"], out["layers"][l]["attn"], ...

Variants come from `rope_config` ({"imag", "imag_mode", "factor", "yarn", "scaling_factor"}):
imag false = vanilla RoPE, "imag1" = RoPE++_EH, "imag2" = RoPE++_EC. Vanilla models also get
analysis-only "virtual imaginary" heads. All arithmetic is float32 and follows the same torch
operation order as upstream, so results agree with it to the last bit where torch kernels do.
"""

import json
import math
import os

import torch

import safetensors_io

VANILLA = {"imag": False}


# ---------------------------------------------------------------- configuration ------------------

def head_dim_of(config):
    """Explicit `head_dim` wins (it may differ from hidden/heads); else Gemma2Config /
    Gemma3TextConfig's default 256, other families hidden_size / heads."""
    if config.get("model_type") in ("gemma2", "gemma3_text"):
        return config.get("head_dim", 256)
    return config.get("head_dim") or config["hidden_size"] // config["num_attention_heads"]


def rotary_dim_of(config):
    """Rotated dims per head: int(head_dim * partial_rotary_factor), as HF computes `dim`."""
    return int(head_dim_of(config) * config.get("partial_rotary_factor", 1.0))


def resolve_rope_config(config, rope_config=None):
    """Explicit rope_config > config.json "rope_config" > vanilla."""
    if rope_config is not None:
        return dict(rope_config)
    return dict(config.get("rope_config") or VANILLA)


def variant_of(rope_config):
    """'rope', 'rope_pp_eh' or 'rope_pp_ec'."""
    if not rope_config.get("imag", False):
        return "rope"
    mode = rope_config.get("imag_mode")
    if mode == "imag1":
        return "rope_pp_eh"
    if mode == "imag2":
        return "rope_pp_ec"
    raise ValueError(f"imag_mode {mode!r} is not supported (only imag1 / imag2)")


def head_counts(config, rope_config):
    """(query heads, kv heads, attention heads) as upstream LlamaAttention sizes its projections."""
    h, hkv = config["num_attention_heads"], config.get("num_key_value_heads", config["num_attention_heads"])
    variant = variant_of(rope_config)
    if variant == "rope_pp_eh":
        return h // 2, hkv // 2, h
    if variant == "rope_pp_ec":
        return h, hkv, 2 * h
    return h, hkv, h


def infer_rope_config_from_shapes(config, weights):
    """Variant implied by q_proj rows and o_proj columns when config.json has no rope_config."""
    d, h = head_dim_of(config), config["num_attention_heads"]
    fused = weights.get("model.layers.0.self_attn.qkv_proj.weight")  # Phi-3: q, k, v rows in one
    q_rows = None if fused is not None else weights["model.layers.0.self_attn.q_proj.weight"].shape[0]
    o_cols = weights["model.layers.0.self_attn.o_proj.weight"].shape[1]
    candidates = [VANILLA, {"imag": True, "imag_mode": "imag1"}, {"imag": True, "imag_mode": "imag2"}]
    for rc in candidates:
        nq, nkv, na = head_counts(config, rc)
        rows = (nq + 2 * nkv) * d if fused is not None else nq * d
        if (rows, na * d) == (fused.shape[0] if fused is not None else q_rows, o_cols):
            return dict(rc)
    raise ValueError(f"no variant has q_proj rows {q_rows} and o_proj columns {o_cols}")


# ---------------------------------------------------------------- rotary embedding ---------------

def default_inv_freq(base, dim):
    """HF/upstream spectrum, float32: 1 / base^(arange(0, dim, 2) / dim)."""
    return 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))


def upstream_yarn(inv_freq, factor):
    """Upstream's own YaRN: ramp on r = 4096/(2π)·inv_freq from 1 to 32; returns (inv_freq, mscale)."""
    r = 4096 / 2 / math.pi * inv_freq
    gamma = torch.clip((r - 1) / (32 - 1), max=1.0, min=0.0)
    blended = (1 - gamma) * inv_freq / factor + gamma * inv_freq
    return blended, 0.1 * math.log(factor) + 1


def llama3_scaling(inv_freq, params):
    """transformers' llama3 rope_scaling: keep short wavelengths, divide long ones, blend between."""
    factor, low, high = params["factor"], params["low_freq_factor"], params["high_freq_factor"]
    old_len = params["original_max_position_embeddings"]
    wavelen = 2 * math.pi / inv_freq
    divided = torch.where(wavelen > old_len / low, inv_freq / factor, inv_freq)
    smooth = (old_len / wavelen - low) / (high - low)
    smoothed = (1 - smooth) * divided / factor + smooth * divided
    medium = ~(wavelen < old_len / high) * ~(wavelen > old_len / low)
    return torch.where(medium, smoothed, divided)


def yarn_mscale(scale, weight=1.0):
    """transformers' get_mscale."""
    return 1.0 if scale <= 1 else 0.1 * weight * math.log(scale) + 1.0


def hf_yarn(config, params):
    """transformers (current main) rope_type "yarn": (inv_freq float32, attention factor)."""
    base, dim = config.get("rope_theta", 10000.0), rotary_dim_of(config)
    factor = params["factor"]
    original = params.get("original_max_position_embeddings") or config["max_position_embeddings"]
    attention = params.get("attention_factor")
    if attention is None:
        if params.get("mscale") and params.get("mscale_all_dim"):
            attention = yarn_mscale(factor, params["mscale"]) / yarn_mscale(factor, params["mscale_all_dim"])
        else:
            attention = yarn_mscale(factor)
    beta_fast, beta_slow = params.get("beta_fast") or 32, params.get("beta_slow") or 1

    def correction_dim(rotations):
        return (dim * math.log(original / (rotations * 2 * math.pi))) / (2 * math.log(base))

    low, high = correction_dim(beta_fast), correction_dim(beta_slow)
    if params.get("truncate", True):
        low, high = math.floor(low), math.ceil(high)
    low, high = max(low, 0), min(high, dim - 1)
    if low == high:
        high += 0.001
    ramp = torch.clamp((torch.arange(dim // 2, dtype=torch.float32) - low) / (high - low), 0, 1)
    pos_freqs = base ** (torch.arange(0, dim, 2).float() / dim)
    extrapolation, interpolation = 1.0 / pos_freqs, 1.0 / (factor * pos_freqs)
    extrapolation_share = 1 - ramp
    return interpolation * (1 - extrapolation_share) + extrapolation * extrapolation_share, attention


def hf_longrope(config, params, seq_len):
    """transformers rope_type "longrope" (Phi-3) for a run of seq_len tokens: (inv_freq, attention)."""
    base, dim = config.get("rope_theta", 10000.0), rotary_dim_of(config)
    factor, attention = params.get("factor"), params.get("attention_factor")
    if "original_max_position_embeddings" in config:  # Phi-3: the ratio is the factor
        original = config["original_max_position_embeddings"]
        factor = config["max_position_embeddings"] / original
    else:
        original = config["max_position_embeddings"]
    if attention is None:
        attention = 1.0 if factor <= 1.0 else math.sqrt(1 + math.log(factor) / math.log(original))
    long = seq_len is not None and seq_len > original  # longrope_frequency_update
    ext = torch.tensor(params["long_factor"] if long else params["short_factor"], dtype=torch.float32)
    shape = torch.arange(0, dim, 2, dtype=torch.int64).float() / dim
    return 1.0 / (ext * base ** shape), attention


def hf_dynamic(config, params, seq_len):
    """transformers rope_type "dynamic" after dynamic_rope_update for one pass over seq_len tokens.

    The run length arrives as an int64 tensor (max(position_ids) + 1), so the base is float32."""
    base, dim = config.get("rope_theta", 10000.0), rotary_dim_of(config)
    original, factor = config["max_position_embeddings"], params["factor"]
    if seq_len is not None and seq_len > original:
        length = torch.tensor(seq_len, dtype=torch.int64)
        base = base * ((factor * length / original) - (factor - 1)) ** (dim / (dim - 2))
    return 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim)), 1.0


def hf_rope_scaling(inv_freq, mscale, config, seq_len=None):
    """Standard HF rope_scaling types the reference supports (linear, llama3, yarn, longrope,
    dynamic); the last two from rope_theta alone, for a run of seq_len tokens."""
    rope_scaling = config.get("rope_scaling")
    if not rope_scaling:
        return inv_freq, mscale
    kind = rope_scaling.get("rope_type", rope_scaling.get("type"))
    if kind in (None, "default"):
        return inv_freq, mscale
    if kind == "linear":
        return inv_freq / rope_scaling["factor"], mscale
    if kind == "llama3":
        return llama3_scaling(inv_freq, rope_scaling), mscale
    if kind == "yarn":  # computed from rope_theta alone; no fixture combines it with rope_config
        return hf_yarn(config, rope_scaling)
    if kind == "longrope":
        return hf_longrope(config, rope_scaling, seq_len)
    if kind == "dynamic":
        return hf_dynamic(config, rope_scaling, seq_len)
    raise NotImplementedError(f"rope_scaling type {kind!r}")


def inverse_frequencies(config, rope_config, seq_len=None):
    """(inv_freq float32 [rotary_dim/2], cos/sin multiplier) with every scaling applied.

    Order: upstream scaling_factor multiplies rope_theta; then upstream yarn (or else `factor`
    alone = linear position interpolation); then HF rope_scaling (upstream ignores it; no
    fixture combines the two).
    """
    base = config.get("rope_theta", 10000.0)
    if "scaling_factor" in rope_config:
        base = base * rope_config["scaling_factor"]
    inv_freq, mscale = default_inv_freq(base, rotary_dim_of(config)), 1.0
    if rope_config.get("yarn"):
        inv_freq, mscale = upstream_yarn(inv_freq, rope_config["factor"])
    elif "factor" in rope_config:
        inv_freq = inv_freq / rope_config["factor"]
    return hf_rope_scaling(inv_freq, mscale, config, seq_len)


def cos_sin(inv_freq, mscale, positions):
    """cos/sin tables [T, rotary_dim] in float32, both halves repeated, times mscale."""
    freqs = positions.float()[:, None] * inv_freq[None, :]
    emb = torch.cat((freqs, freqs), dim=-1)
    scale = torch.full((emb.shape[-1],), mscale, dtype=torch.float32)
    return emb.cos() * scale, emb.sin() * scale


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def rope_real(x, cos, sin):
    """Standard RoPE on the first rotary_dim dims of each head; the rest pass through."""
    rot = cos.shape[-1]
    xr, xp = x[..., :rot], x[..., rot:]
    return torch.cat((xr * cos + rotate_half(xr) * sin, xp), dim=-1)


def rope_imag(x, cos, sin):
    """RoPE++ imaginary query (−π/2 rotation): x·sin − rotate_half(x)·cos on the rotated dims.

    Pass-through dims are real numbers with no imaginary part, so they are zero here.
    """
    rot = cos.shape[-1]
    xr, xp = x[..., :rot], x[..., rot:]
    return torch.cat((xr * sin - rotate_half(xr) * cos, torch.zeros_like(xp)), dim=-1)


# ---------------------------------------------------------------- building blocks ----------------

def rms_norm(x, weight, eps):
    """Llama RMSNorm in float32: x·rsqrt(mean(x²) + eps), then times the weight."""
    x = x.float()
    variance = x.pow(2).mean(-1, keepdim=True)
    return weight * (x * torch.rsqrt(variance + eps))


def gemma_rms_norm(x, weight, eps):
    """Gemma RMSNorm: the stored weight is an offset from 1, x·rsqrt(mean(x²) + eps)·(1 + w)."""
    x = x.float()
    variance = x.pow(2).mean(-1, keepdim=True)
    return (x * torch.rsqrt(variance + eps)) * (1.0 + weight.float())


def soft_cap(x, cap):
    """Gemma's tanh soft-capping cap·tanh(x / cap), in transformers' order (divide, tanh, multiply)."""
    if cap is None:
        return x
    return torch.tanh(x / cap) * cap


def causal_logits(q, k, scale, window=None, cap=None):
    """Scaled (and, with cap, soft-capped) logits [A, Tq, Tk] with future keys set to −inf (query i
    sits at position offset+i); with a sliding window W, keys W or more positions back too
    (transformers' masking_utils: key j is visible from query i when j > i − W)."""
    logits = soft_cap(torch.matmul(q, k.transpose(-1, -2)) * scale, cap)
    tq, tk = logits.shape[-2], logits.shape[-1]
    future = torch.ones(tq, tk, dtype=torch.bool).triu(diagonal=tk - tq + 1)
    if window is not None:
        query_pos = torch.arange(tk - tq, tk).unsqueeze(1)
        future = future | (torch.arange(tk).unsqueeze(0) <= query_pos - window)
    return logits.masked_fill(future, float("-inf"))


def layer_windows(config):
    """Each layer's sliding window (None = full attention), as transformers' configuration and
    modeling code of the family decide it: Mistral / Phi-3 window every layer when sliding_window is
    set; Qwen2 / Qwen3 / SmolLM3 only with use_sliding_window (default False), in the layers
    layer_types marks sliding_attention, else those from max_window_layers (default 28) on
    (SmolLM3: its NoPE layers)."""
    family, n = config.get("model_type", "llama"), config["num_hidden_layers"]
    window = config.get("sliding_window")
    if family in GEMMA_FAMILIES:
        return [window if t == "sliding_attention" else None for t in gemma_layer_types(config)]
    if family in ("mistral", "phi3"):
        return [window] * n
    if family not in ("qwen2", "qwen3", "smollm3"):
        return [None] * n
    if not config.get("use_sliding_window", False):
        window = None
    types = config.get("layer_types")
    if types is None and family == "smollm3":
        types = ["sliding_attention" if window is not None and not config["no_rope_layers"][i]
                 else "full_attention" for i in range(n)]
    elif types is None:
        first = config.get("max_window_layers", 28)
        types = ["sliding_attention" if window is not None and i >= first else "full_attention"
                 for i in range(n)]
    return [window if t == "sliding_attention" else None for t in types]


GEMMA_FAMILIES = ("gemma2", "gemma3_text")


def gemma_layer_types(config):
    """Gemma2Config / Gemma3TextConfig: explicit layer_types win; else Gemma 2 alternates starting
    with a sliding layer, Gemma 3 makes layer i full iff (i + 1) % sliding_window_pattern == 0
    (default pattern 6)."""
    n = config["num_hidden_layers"]
    if config.get("layer_types") is not None:
        return list(config["layer_types"])
    period = 2 if config["model_type"] == "gemma2" else config.get("sliding_window_pattern", 6)
    return ["full_attention" if (i + 1) % period == 0 else "sliding_attention" for i in range(n)]


def split_heads(x, n_heads, d):
    """[T, n·d] -> [n, T, d]."""
    return x.view(x.shape[0], n_heads, d).transpose(0, 1)


class Layer:
    """One decoder layer's float32 weights and its forward pass."""

    def __init__(self, model, index):
        self.model = model
        # SmolLM3Attention: use_rope = no_rope_layers[layer_idx]; other families rotate every layer.
        self.rope = model.family != "smollm3" or bool(model.config["no_rope_layers"][index])
        self.window = layer_windows(model.config)[index]
        # Gemma3DecoderLayer: sliding layers take the local rotary embedding (rope_local_base_freq).
        self.local_rope = (model.family == "gemma3_text"
                           and gemma_layer_types(model.config)[index] == "sliding_attention")
        prefix = f"model.layers.{index}."
        w = model.weights
        self.w = {name[len(prefix):]: t for name, t in w.items() if name.startswith(prefix)}

    def linear(self, name, x):
        return torch.nn.functional.linear(x, self.w[name + ".weight"], self.w.get(name + ".bias"))

    def attention_inputs(self, x, cos, sin):
        """Raw and rotated queries/keys, values, and the query of every attention head."""
        m = self.model
        if m.family == "phi3":
            # Phi3Attention: one qkv_proj; its output is cut into q (first n_q*d), k, then v.
            qkv = self.linear("self_attn.qkv_proj", x)
            q_end, k_end = m.n_q * m.head_dim, (m.n_q + m.n_kv) * m.head_dim
            q_out, k_out, v_out = qkv[..., :q_end], qkv[..., q_end:k_end], qkv[..., k_end:]
        else:
            q_out = self.linear("self_attn.q_proj", x)
            k_out = self.linear("self_attn.k_proj", x)
            v_out = self.linear("self_attn.v_proj", x)
        q = split_heads(q_out, m.n_q, m.head_dim)
        k = split_heads(k_out, m.n_kv, m.head_dim)
        v = split_heads(v_out, m.n_kv, m.head_dim)
        if m.family in ("qwen3", "gemma3_text"):
            # Qwen3Attention / Gemma3Attention: q_norm / k_norm (the family's RMSNorm over head_dim)
            # on each head before RoPE.
            q = m.norm(q, self.w["self_attn.q_norm.weight"])
            k = m.norm(k, self.w["self_attn.k_norm.weight"])
        if self.rope:
            q_rope, k_rope = rope_real(q, cos, sin), rope_real(k, cos, sin)
        else:
            q_rope, k_rope = q, k
        q_heads = q_rope
        if m.variant != "rope":
            # Upstream interleaves: attention head 2h is real, 2h+1 the imaginary twin of query h.
            q_heads = torch.stack([q_rope, rope_imag(q, cos, sin)], dim=1).reshape(m.n_attn, *q.shape[1:])
        return {"q_raw": q, "k_raw": k, "v": v, "q_rope": q_rope, "k_rope": k_rope, "q_heads": q_heads}

    def attend(self, q_heads, k_rope, v, record):
        """Causal softmax attention; k/v head of attention head a is a // groups (repeat_kv)."""
        m = self.model
        groups = q_heads.shape[0] // k_rope.shape[0]
        k_all = k_rope.repeat_interleave(groups, dim=0)
        v_all = v.repeat_interleave(groups, dim=0)
        if record is None:
            return self.attend_blocked(q_heads, k_all, v_all)
        logits = causal_logits(q_heads, k_all, m.scale, self.window, m.attn_cap)
        probs = torch.softmax(logits, dim=-1)
        record["attn_logits"], record["attn"] = logits, probs
        return torch.matmul(probs, v_all)

    def attend_blocked(self, q_heads, k_all, v_all):
        """Same as attend() in query blocks so memory stays O(block·T) for long sequences."""
        m, t = self.model, q_heads.shape[1]
        out = []
        for begin in range(0, t, m.query_block):
            end = min(t, begin + m.query_block)
            logits = causal_logits(q_heads[:, begin:end], k_all[:, :end], m.scale, self.window, m.attn_cap)
            out.append(torch.matmul(torch.softmax(logits, dim=-1), v_all[:, :end]))
        return torch.cat(out, dim=1)

    def virtual_imag(self, inputs, cos, sin, record):
        """Vanilla RoPE only: each query head's discarded imaginary twin over the same keys."""
        m = self.model
        q_imag = rope_imag(inputs["q_raw"], cos, sin)
        k_all = inputs["k_rope"].repeat_interleave(m.n_q // m.n_kv, dim=0)
        logits = causal_logits(q_imag, k_all, m.scale, self.window, m.attn_cap)
        record["attn_logits_virtual_imag"] = logits
        record["attn_virtual_imag"] = torch.softmax(logits, dim=-1)

    def forward(self, hidden, cos, sin, record):
        m = self.model
        x = m.norm(hidden, self.w["input_layernorm.weight"])
        inputs = self.attention_inputs(x, cos, sin)
        heads = self.attend(inputs["q_heads"], inputs["k_rope"], inputs["v"], record)
        if record is not None:
            for key in ("q_raw", "k_raw", "q_rope", "k_rope"):
                record[key] = inputs[key]
            if m.variant == "rope" and self.rope:  # a NoPE layer has no imaginary part
                self.virtual_imag(inputs, cos, sin, record)
        attn_out = heads.transpose(0, 1).reshape(hidden.shape[0], m.n_attn * m.head_dim)
        attn_out = self.linear("self_attn.o_proj", attn_out)
        if m.family in GEMMA_FAMILIES:
            return self.gemma_residuals(hidden, attn_out)
        hidden = hidden + attn_out
        x = rms_norm(hidden, self.w["post_attention_layernorm.weight"], m.eps)
        if m.family == "phi3":
            # Phi3MLP: gate_up_proj's output chunked in two, gate first; up * silu(gate).
            gate, up = self.linear("mlp.gate_up_proj", x).chunk(2, dim=-1)
            mlp = up * torch.nn.functional.silu(gate)
        else:
            mlp = torch.nn.functional.silu(self.linear("mlp.gate_proj", x)) * self.linear("mlp.up_proj", x)
        return hidden + self.linear("mlp.down_proj", mlp)

    def gemma_residuals(self, hidden, attn_out):
        """Gemma2/3DecoderLayer after attention: post_attention_layernorm normalises the attention
        output before the residual add; pre/post_feedforward_layernorm sandwich the GELU-tanh MLP."""
        m = self.model
        hidden = hidden + m.norm(attn_out, self.w["post_attention_layernorm.weight"])
        x = m.norm(hidden, self.w["pre_feedforward_layernorm.weight"])
        gate = torch.nn.functional.gelu(self.linear("mlp.gate_proj", x), approximate="tanh")
        mlp = self.linear("mlp.down_proj", gate * self.linear("mlp.up_proj", x))
        return hidden + m.norm(mlp, self.w["post_feedforward_layernorm.weight"])


# ---------------------------------------------------------------- the model ----------------------

# (q/k/v bias, o_proj bias) per model_type, as each transformers modeling file builds its projections:
# Llama and Qwen3 follow attention_bias for all four, Mistral has none, Qwen2 always biases q/k/v only.
FAMILY_BIASES = {
    "llama": lambda c: (c.get("attention_bias", False), c.get("attention_bias", False)),
    "mistral": lambda c: (False, False),
    "qwen2": lambda c: (True, False),
    "qwen3": lambda c: (c.get("attention_bias", False), c.get("attention_bias", False)),
    "smollm3": lambda c: (c.get("attention_bias", False), c.get("attention_bias", False)),
    "phi3": lambda c: (False, False),
    "gemma2": lambda c: (c.get("attention_bias", False), c.get("attention_bias", False)),
    "gemma3_text": lambda c: (c.get("attention_bias", False), c.get("attention_bias", False)),
}

# Gemma2Config / Gemma3TextConfig defaults the reference reads: (attn_logit_softcapping,
# final_logit_softcapping, query_pre_attn_scalar); both tie word embeddings by default.
GEMMA_DEFAULTS = {"gemma2": (50.0, 30.0, 256), "gemma3_text": (None, None, 256)}


class ReferenceModel:
    """Llama / RoPE++ causal LM over float32 weights with HF tensor names."""

    def __init__(self, config, weights, rope_config=None, query_block=256):
        self.config = config
        self.family = config.get("model_type", "llama")
        if self.family not in FAMILY_BIASES:
            raise NotImplementedError(f"model_type {self.family!r}")
        check_activation(config, self.family)
        self.rope_config = resolve_rope_config(config, rope_config)
        self.variant = variant_of(self.rope_config)
        self.weights = {name: t.float() for name, t in weights.items()}
        self.head_dim = head_dim_of(config)
        self.n_q, self.n_kv, self.n_attn = head_counts(config, self.rope_config)
        self.scale = self.head_dim ** -0.5
        self.attn_cap = self.final_cap = None
        if self.family in GEMMA_FAMILIES:
            attn_cap, final_cap, scalar = GEMMA_DEFAULTS[self.family]
            # Gemma3Attention keeps attn_logit_softcapping but never hands it to the attention
            # function, so transformers does not cap Gemma 3's attention logits whatever the config says.
            if self.family == "gemma2":
                self.attn_cap = config.get("attn_logit_softcapping", attn_cap)
            if config.get("use_bidirectional_attention", False):
                raise NotImplementedError("use_bidirectional_attention (non-causal Gemma 3)")
            self.final_cap = config.get("final_logit_softcapping", final_cap)
            self.scale = config.get("query_pre_attn_scalar", scalar) ** -0.5
        self.eps = config.get("rms_norm_eps", 1e-6)
        self.query_block = query_block
        self.inv_freq, self.mscale = inverse_frequencies(config, self.rope_config)
        self.inv_freq_local = None
        if self.family == "gemma3_text":  # sliding layers: default RoPE on rope_local_base_freq
            self.inv_freq_local = default_inv_freq(config.get("rope_local_base_freq", 10000.0),
                                                   rotary_dim_of(config))
        self.layers = [Layer(self, i) for i in range(config["num_hidden_layers"])]
        self.check_shapes()

    def check_shapes(self):
        """Fail early with a clear message when weights and the chosen variant disagree."""
        d, hidden = self.head_dim, self.config["hidden_size"]
        expected = {"self_attn.q_proj.weight": (self.n_q * d, hidden),
                    "self_attn.k_proj.weight": (self.n_kv * d, hidden),
                    "self_attn.o_proj.weight": (hidden, self.n_attn * d)}
        if self.family == "phi3":
            expected = {"self_attn.qkv_proj.weight": ((self.n_q + 2 * self.n_kv) * d, hidden),
                        "self_attn.o_proj.weight": (hidden, self.n_attn * d)}
        qkv_bias, o_bias = FAMILY_BIASES[self.family](self.config)
        for layer_index, layer in enumerate(self.layers):
            # linear() adds a bias whenever the tensor exists, so its presence must be the family's.
            for proj, want in (("q_proj", qkv_bias), ("k_proj", qkv_bias), ("v_proj", qkv_bias),
                               ("o_proj", o_bias)):
                if (f"self_attn.{proj}.bias" in layer.w) != want:
                    raise ValueError(f"layer {layer_index} {proj}.bias: {self.family} "
                                     f"{'needs' if want else 'has no'} it")
            for name, shape in expected.items():
                if tuple(layer.w[name].shape) != shape:
                    raise ValueError(f"layer {layer_index} {name}: shape {tuple(layer.w[name].shape)}, "
                                     f"{self.variant} needs {shape}")

    def norm(self, x, weight):
        """The family's RMSNorm: Gemma multiplies by (1 + w), the others by w."""
        if self.family in GEMMA_FAMILIES:
            return gemma_rms_norm(x, weight, self.eps)
        return rms_norm(x, weight, self.eps)

    def lm_head(self):
        if self.config.get("tie_word_embeddings", self.family in GEMMA_FAMILIES):
            return self.weights["model.embed_tokens.weight"]
        return self.weights["lm_head.weight"]

    @torch.no_grad()
    def forward(self, ids, output_attentions=False, output_hidden_states=False):
        """ids: int64 [T]. Returns logits [T, V], nll [T-1] and, if asked, per-layer records."""
        ids = torch.as_tensor(ids, dtype=torch.int64)
        # longrope and dynamic NTK depend on the run length: the spectrum of this run.
        self.inv_freq, self.mscale = inverse_frequencies(self.config, self.rope_config, ids.shape[0])
        cos, sin = cos_sin(self.inv_freq, self.mscale, torch.arange(ids.shape[0]))
        if self.inv_freq_local is not None:
            cos_sin_local = cos_sin(self.inv_freq_local, 1.0, torch.arange(ids.shape[0]))
        hidden = self.weights["model.embed_tokens.weight"][ids]
        if self.family in GEMMA_FAMILIES:
            # Gemma scales the embeddings by sqrt(hidden_size) cast to the activation dtype.
            hidden = hidden * torch.tensor(self.config["hidden_size"] ** 0.5, dtype=hidden.dtype)
        records, states = [], []
        for layer in self.layers:
            states.append(hidden)
            record = {} if output_attentions else None
            tables = cos_sin_local if layer.local_rope else (cos, sin)
            hidden = layer.forward(hidden, *tables, record)
            records.append(record)
        hidden = self.norm(hidden, self.weights["model.norm.weight"])
        states.append(hidden)
        logits = soft_cap(torch.nn.functional.linear(hidden, self.lm_head()), self.final_cap)
        out = {"logits": logits, "nll": next_token_nll(logits, ids)}
        if output_attentions:
            out["layers"] = records
        if output_hidden_states:
            out["hidden_states"] = states
        return out


def check_activation(config, family):
    """Llama-like families use silu (hidden_act); Gemma 2/3 read hidden_activation (their config
    classes default it to gelu_pytorch_tanh and ignore hidden_act)."""
    if family in GEMMA_FAMILIES:
        act = config.get("hidden_activation", "gelu_pytorch_tanh")
        if act != "gelu_pytorch_tanh":
            raise NotImplementedError(f"hidden_activation {act!r}")
    elif config.get("hidden_act", "silu") != "silu":
        raise NotImplementedError(f"hidden_act {config['hidden_act']!r}")


def next_token_nll(logits, ids):
    """nll[t] = −log p(ids[t+1] | ids[≤t]), T−1 values."""
    logp = torch.log_softmax(logits[:-1].float(), dim=-1)
    return -logp.gather(1, ids[1:, None]).squeeze(1)


# ---------------------------------------------------------------- checkpoint folders -------------

def load_config(folder):
    with open(os.path.join(folder, "config.json")) as f:
        return json.load(f)


def load_model(folder, rope_config=None, infer_variant=False, **kwargs):
    """ReferenceModel from an HF checkpoint folder, weights upcast to float32 as stored.

    Without rope_config in the call or in config.json the model is vanilla, unless infer_variant
    asks for the variant implied by the weight shapes.
    """
    config = load_config(folder)
    weights = safetensors_io.read_checkpoint(folder)
    if rope_config is None and "rope_config" not in config and infer_variant:
        rope_config = infer_rope_config_from_shapes(config, weights)
    return ReferenceModel(config, weights, rope_config, **kwargs)
