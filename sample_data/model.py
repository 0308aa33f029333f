"""Llama / RoPE++ causal LM for training the sample checkpoints (plain torch, batched).

Written for sample_data/ independently of tests/reference/rope_pp_reference.py, with the semantics of
upstream OpenMOSS/rope_pp `modeling_llama_rope_pp.py`:
  * HF Llama: RMSNorm (float32 statistics), SiLU-gated MLP, GQA via repeat_kv, no biases;
  * rotary embedding in "rotate_half" layout, float32 inv_freq = 1 / theta^(arange(0, d, 2) / d),
    cos/sin of cat(freqs, freqs);
  * RoPE++: the imaginary query is q*sin - rotate_half(q)*cos (the rotated query times -j), and the
    real and imaginary queries are interleaved with stack([q_real, q_imag], dim=2): attention head 2h
    is the real head of query head h, head 2h+1 its imaginary twin; keys and values are shared;
  * imag1 = RoPE++_EH: H/2 query heads, Hkv/2 KV heads, H attention heads;
    imag2 = RoPE++_EC: H query heads, Hkv KV heads, 2H attention heads (o_proj input 2H*d).
Parameter names are the Hugging Face LlamaForCausalLM names.
"""

import torch
import torch.nn.functional as F
from torch import nn


def head_counts(cfg):
    """(query heads, KV heads, attention heads) of the projections, as upstream sizes them."""
    h, hkv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    rc = cfg.get("rope_config") or {"imag": False}
    if not rc.get("imag"):
        return h, hkv, h
    if rc["imag_mode"] == "imag1":
        return h // 2, hkv // 2, h
    if rc["imag_mode"] == "imag2":
        return h, hkv, 2 * h
    raise ValueError(f"imag_mode {rc['imag_mode']!r}")


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


class RMSNorm(nn.Module):
    def __init__(self, n, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(n))
        self.eps = eps

    def forward(self, x):
        dtype = x.dtype
        x = x.to(torch.float32)
        x = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * x.to(dtype)


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.d = cfg.get("head_dim") or cfg["hidden_size"] // cfg["num_attention_heads"]
        self.imag = bool((cfg.get("rope_config") or {}).get("imag"))
        self.n_q, self.n_kv, self.n_attn = head_counts(cfg)
        hidden = cfg["hidden_size"]
        self.q_proj = nn.Linear(hidden, self.n_q * self.d, bias=False)
        self.k_proj = nn.Linear(hidden, self.n_kv * self.d, bias=False)
        self.v_proj = nn.Linear(hidden, self.n_kv * self.d, bias=False)
        self.o_proj = nn.Linear(self.n_attn * self.d, hidden, bias=False)

    def forward(self, x, cos, sin, mask):
        b, t, _ = x.shape
        q = self.q_proj(x).view(b, t, self.n_q, self.d).transpose(1, 2)
        k = self.k_proj(x).view(b, t, self.n_kv, self.d).transpose(1, 2)
        v = self.v_proj(x).view(b, t, self.n_kv, self.d).transpose(1, 2)
        q_real = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if self.imag:
            q_imag = q * sin - rotate_half(q) * cos
            q_all = torch.stack([q_real, q_imag], dim=2).reshape(b, 2 * self.n_q, t, self.d)
        else:
            q_all = q_real
        groups = self.n_attn // self.n_kv
        k = k[:, :, None].expand(b, self.n_kv, groups, t, self.d).reshape(b, self.n_attn, t, self.d)
        v = v[:, :, None].expand(b, self.n_kv, groups, t, self.d).reshape(b, self.n_attn, t, self.d)
        # logits = mask + (q k^T) / sqrt(d) in one fused batched GEMM (upstream: matmul * scaling + mask).
        logits = torch.baddbmm(mask.expand(b * self.n_attn, t, t), q_all.reshape(-1, t, self.d),
                               k.reshape(-1, t, self.d).transpose(1, 2), alpha=self.d ** -0.5)
        probs = torch.softmax(logits, dim=-1, dtype=torch.float32).to(q_all.dtype)
        out = torch.bmm(probs, v.reshape(-1, t, self.d)).view(b, self.n_attn, t, self.d)
        out = out.transpose(1, 2).reshape(b, t, self.n_attn * self.d)
        return self.o_proj(out)


class MLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        hidden, inter = cfg["hidden_size"], cfg["intermediate_size"]
        self.gate_proj = nn.Linear(hidden, inter, bias=False)
        self.up_proj = nn.Linear(hidden, inter, bias=False)
        self.down_proj = nn.Linear(inter, hidden, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class DecoderLayer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.self_attn = Attention(cfg)
        self.mlp = MLP(cfg)
        self.input_layernorm = RMSNorm(cfg["hidden_size"], cfg["rms_norm_eps"])
        self.post_attention_layernorm = RMSNorm(cfg["hidden_size"], cfg["rms_norm_eps"])

    def forward(self, x, cos, sin, mask):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin, mask)
        return x + self.mlp(self.post_attention_layernorm(x))


class Backbone(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.embed_tokens = nn.Embedding(cfg["vocab_size"], cfg["hidden_size"])
        self.layers = nn.ModuleList(DecoderLayer(cfg) for _ in range(cfg["num_hidden_layers"]))
        self.norm = RMSNorm(cfg["hidden_size"], cfg["rms_norm_eps"])


class LlamaForCausalLM(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.model = Backbone(cfg)
        self.tied = cfg.get("tie_word_embeddings", False)
        if not self.tied:
            self.lm_head = nn.Linear(cfg["hidden_size"], cfg["vocab_size"], bias=False)
        d = cfg.get("head_dim") or cfg["hidden_size"] // cfg["num_attention_heads"]
        inv_freq = 1.0 / (cfg["rope_theta"] ** (torch.arange(0, d, 2, dtype=torch.int64).float() / d))
        self.register_buffer("inv_freq", inv_freq, persistent=False)

    def init_weights(self, generator, std):
        """HF Llama init: every Linear and the embedding N(0, std), RMSNorm weights 1."""
        for name, p in sorted(self.named_parameters()):
            if name.endswith("norm.weight"):
                nn.init.ones_(p)
            else:
                with torch.no_grad():
                    p.copy_(torch.randn(p.shape, generator=generator) * std)

    def rotary(self, t):
        pos = torch.arange(t, dtype=torch.float32)
        freqs = pos[:, None] * self.inv_freq[None, :]
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos(), emb.sin()

    def forward(self, ids):
        """ids [B, T] -> logits [B, T, V] (float32)."""
        t = ids.shape[1]
        cos, sin = self.rotary(t)
        mask = torch.full((t, t), float("-inf")).triu(1)
        x = self.model.embed_tokens(ids)
        for layer in self.model.layers:
            x = layer(x, cos, sin, mask)
        x = self.model.norm(x)
        w = self.model.embed_tokens.weight if self.tied else self.lm_head.weight
        return F.linear(x, w)

    def hf_state_dict(self):
        """HF tensor names; a tied lm_head is not stored (as HF saves tied Llama checkpoints)."""
        return {k: v.detach().clone() for k, v in self.state_dict().items()}


def nll(logits, ids):
    """Per-token next-token NLL [B, T-1] in float32: -log softmax(logits[t])[ids[t+1]]."""
    b, t, v = logits.shape
    return F.cross_entropy(logits[:, :-1].reshape(-1, v).float(), ids[:, 1:].reshape(-1),
                           reduction="none").view(b, t - 1)
