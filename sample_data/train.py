#!/usr/bin/env python3
"""Trains one sample checkpoint (RoPE, RoPE++_EH or RoPE++_EC) on the KJV training split and saves it
in Hugging Face layout (config.json, BF16 model.safetensors, tokenizer files) under sample_data/<variant>/.

The three variants share everything but the attention: same architecture sizes, seed, data order
(windows drawn from one numpy PCG64 stream), steps, batch and learning-rate schedule, so they see the
same tokens in the same order. Training is float32 on the CPU; the saved weights are rounded to BF16.
Training and validation loss go to sample_data/train_log_<variant>.txt.

Usage:
  /usr/bin/python3 sample_data/train.py --variant rope        # also rope_pp_eh, rope_pp_ec
  /usr/bin/python3 sample_data/train.py --variant rope --steps 20 --out /tmp/smoke   # smoke test
Needs corpus/train.txt (make_corpus.py) and tokenizer/tokenizer.json (train_tokenizer.py).
"""

import argparse
import ctypes
import json
import math
import os
import shutil
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tests", "reference"))
import bpe  # noqa: E402
import model as llama  # noqa: E402
import safetensors_io  # noqa: E402

CONTEXT = 512
ROPE_CONFIGS = {
    "rope": {"imag": False},
    "rope_pp_eh": {"imag": True, "imag_mode": "imag1"},
    "rope_pp_ec": {"imag": True, "imag_mode": "imag2"},
}


def base_config(tok, variant):
    """HF Llama config.json of the sample models (only rope_config differs between variants)."""
    return {
        "architectures": ["LlamaForCausalLM"],
        "attention_bias": False,
        "attention_dropout": 0.0,
        "bos_token_id": tok.bos_id,
        "eos_token_id": tok.eos_id,
        "head_dim": 48,
        "hidden_act": "silu",
        "hidden_size": 192,
        "initializer_range": 0.02,
        "intermediate_size": 512,
        "max_position_embeddings": CONTEXT,
        "mlp_bias": False,
        "model_type": "llama",
        "num_attention_heads": 4,
        "num_hidden_layers": 4,
        "num_key_value_heads": 2,
        "pretraining_tp": 1,
        "rms_norm_eps": 1e-05,
        "rope_config": dict(ROPE_CONFIGS[variant]),
        "rope_scaling": None,
        "rope_theta": 10000.0,
        "tie_word_embeddings": True,
        "torch_dtype": "bfloat16",
        "transformers_version": "4.46.0",
        "use_cache": True,
        "vocab_size": len(tok.id_to_token),
    }


def load_ids(tok, text_path, cache_path=None):
    """Token ids of a whole text file (no BOS), cached as .npy next to the corpus."""
    if cache_path and os.path.exists(cache_path) and os.path.getmtime(cache_path) > max(
            os.path.getmtime(text_path), os.path.getmtime(os.path.join(HERE, "tokenizer", "tokenizer.json"))):
        return np.load(cache_path)
    with open(text_path, encoding="utf-8") as f:
        ids = np.array(tok.encode(f.read(), add_bos=False), dtype=np.int64)
    if cache_path:
        np.save(cache_path, ids)
    return ids


def validation_windows(tok, n_windows=None):
    """Consecutive non-overlapping windows [BOS] + 511 tokens of validation.txt (encoded whole,
    without BOS), as many full windows as fit (or the first n_windows). [N, 512] int64."""
    ids = load_ids(tok, os.path.join(HERE, "validation.txt"))
    n = len(ids) // (CONTEXT - 1) if n_windows is None else n_windows
    rows = [np.concatenate([[tok.bos_id], ids[i * (CONTEXT - 1):(i + 1) * (CONTEXT - 1)]]) for i in range(n)]
    return torch.tensor(np.stack(rows), dtype=torch.int64)


@torch.no_grad()
def mean_nll(net, windows, batch=4):
    """Mean next-token NLL over every prediction of every window (float32)."""
    total, count = 0.0, 0
    for i in range(0, len(windows), batch):
        x = windows[i:i + batch]
        losses = llama.nll(net(x), x)
        total += losses.double().sum().item()
        count += losses.numel()
    return total / count


def lr_at(step, steps, peak, warmup):
    """Linear warmup, then cosine decay to 10% of the peak."""
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(1, steps - warmup)
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def save_checkpoint(net, cfg, out):
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    tensors = {k: v.to(torch.bfloat16) for k, v in net.hf_state_dict().items()}
    safetensors_io.write(os.path.join(out, "model.safetensors"), tensors)
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copyfile(os.path.join(HERE, "tokenizer", name), os.path.join(out, name))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--variant", required=True, choices=sorted(ROPE_CONFIGS))
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--batch", type=int, default=4, help="windows of 512 tokens per step")
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--warmup", type=int, default=40)
    ap.add_argument("--weight-decay", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--eval-every", type=int, default=50)
    ap.add_argument("--eval-windows", type=int, default=4, help="validation windows for in-training evals")
    ap.add_argument("--out", default=None, help="checkpoint folder (default sample_data/<variant>)")
    ap.add_argument("--log", default=None, help="log file (default sample_data/train_log_<variant>.txt)")
    args = ap.parse_args()
    # glibc: keep freed activation buffers instead of returning them to the kernel every step
    # (saves a lot of page-fault time with these large temporaries). Harmless elsewhere.
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 1 << 30)  # M_MMAP_THRESHOLD
        libc.mallopt(-1, 1 << 30)  # M_TRIM_THRESHOLD
    except OSError:
        pass
    torch.set_num_threads(args.threads)
    out = args.out or os.path.join(HERE, args.variant)
    log_path = args.log or (os.path.join(HERE, f"train_log_{args.variant}.txt") if args.out is None
                            else os.path.join(out, "train_log.txt"))
    os.makedirs(os.path.dirname(log_path), exist_ok=True)
    log_file = open(log_path, "w")

    def log(msg):
        print(msg, file=log_file, flush=True)
        print(msg, file=sys.stderr, flush=True)

    tok = bpe.Tokenizer(os.path.join(HERE, "tokenizer", "tokenizer.json"))
    train_ids = load_ids(tok, os.path.join(HERE, "corpus", "train.txt"), os.path.join(HERE, "corpus", "train_ids.npy"))
    val = validation_windows(tok)
    val_small = val[:args.eval_windows]
    cfg = base_config(tok, args.variant)
    torch.manual_seed(args.seed)
    net = llama.LlamaForCausalLM(cfg)
    net.init_weights(torch.Generator().manual_seed(args.seed), cfg["initializer_range"])
    n_params = sum(p.numel() for p in net.parameters())
    decay = [p for n, p in net.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in net.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.95), eps=1e-8)
    rng = np.random.Generator(np.random.PCG64(args.seed))
    log(f"variant {args.variant} rope_config {json.dumps(cfg['rope_config'])}; {n_params} parameters; "
        f"attention heads/layer {llama.head_counts(cfg)[2]}")
    log(f"train split {len(train_ids)} tokens; validation {len(val)} windows x {CONTEXT}; "
        f"steps {args.steps} x batch {args.batch} x {CONTEXT} = {args.steps * args.batch * CONTEXT} tokens; "
        f"lr {args.lr} warmup {args.warmup} cosine->10%; wd {args.weight_decay}; seed {args.seed}; "
        f"threads {args.threads}; torch {torch.__version__}")
    log(f"step {0:5d} val_loss(first {len(val_small)} windows) {mean_nll(net, val_small):.4f}")
    t0 = time.time()
    running = None
    for step in range(args.steps):
        starts = rng.integers(0, len(train_ids) - (CONTEXT - 1), size=args.batch)
        batch = np.stack([np.concatenate([[tok.bos_id], train_ids[s:s + CONTEXT - 1]]) for s in starts])
        x = torch.from_numpy(batch)
        lr = lr_at(step, args.steps, args.lr, args.warmup)
        for group in opt.param_groups:
            group["lr"] = lr
        loss = llama.nll(net(x), x).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        gnorm = torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0).item()
        opt.step()
        running = loss.item() if running is None else 0.95 * running + 0.05 * loss.item()
        done = step + 1
        if done % 10 == 0 or done == args.steps:
            elapsed = time.time() - t0
            log(f"step {done:5d} train_loss {loss.item():.4f} (ema {running:.4f}) lr {lr:.2e} "
                f"grad_norm {gnorm:.3f} elapsed {elapsed:.0f}s tok/s {done * args.batch * CONTEXT / elapsed:.0f}")
        if done % args.eval_every == 0 and done != args.steps:
            log(f"step {done:5d} val_loss(first {len(val_small)} windows) {mean_nll(net, val_small):.4f}")
    train_time = time.time() - t0
    log(f"training wall time {train_time:.0f} s")
    log(f"final float32 weights: val_loss(all {len(val)} windows) {mean_nll(net, val):.4f}")
    save_checkpoint(net, cfg, out)
    # Reload what was saved (BF16), upcast to float32: the number the C++ forward pass must reproduce.
    saved = safetensors_io.read_checkpoint(out)
    check = llama.LlamaForCausalLM(cfg)
    check.load_state_dict({k: v.float() for k, v in saved.items()})
    log(f"saved BF16 weights (upcast to float32): val_loss(all {len(val)} windows) {mean_nll(check, val):.4f}")
    log(f"checkpoint {out}: model.safetensors {os.path.getsize(os.path.join(out, 'model.safetensors'))} bytes")


if __name__ == "__main__":
    main()
