#!/usr/bin/env python3
"""Evaluates the SAVED sample checkpoints (BF16 weights upcast to float32, float32 arithmetic) and writes
  sample_data/validation_ids.json   the validation windows (token ids) every number here is computed on
  sample_data/validation.json       per-variant mean NLL, per-window means, unigram baselines, sample.txt NLL

Validation windows: validation.txt encoded whole with tokenizer/tokenizer.json (no BOS), cut into
consecutive non-overlapping pieces of 511 tokens; window k = [BOS] + ids[511k : 511k + 511]; every full
window is used (38). Mean NLL = mean over all windows and all 511 next-token predictions of each
(positions start at 0 in every window). A C++ test can feed each window to RoPEScope's forward pass
and must reproduce these means to ~1e-4.

Each number is computed twice, by sample_data/model.py and by the independent test reference
tests/reference/rope_pp_reference.py; both are stored.

Usage: /usr/bin/python3 sample_data/evaluate.py [variants...]
"""

import collections
import json
import math
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tests", "reference"))
import bpe  # noqa: E402
import model as llama  # noqa: E402
import rope_pp_reference  # noqa: E402
import safetensors_io  # noqa: E402
import train  # noqa: E402

VARIANTS = ["rope", "rope_pp_eh", "rope_pp_ec"]


def unigram_baselines(tok, windows):
    """Entropy (nats) of the empirical unigram distribution of the validation targets, and the
    cross-entropy on them of a unigram model fitted on the training split (add-one smoothing)."""
    targets = windows[:, 1:].reshape(-1).tolist()
    counts = collections.Counter(targets)
    n = len(targets)
    entropy = -sum(c / n * math.log(c / n) for c in counts.values())
    train_ids = train.load_ids(tok, os.path.join(HERE, "corpus", "train.txt"),
                               os.path.join(HERE, "corpus", "train_ids.npy"))
    vocab = len(tok.id_to_token)
    train_counts = np.bincount(train_ids, minlength=vocab).astype(np.float64) + 1.0
    logp = np.log(train_counts / train_counts.sum())
    cross = -float(np.mean(logp[np.array(targets)]))
    return {"validation_unigram_entropy_nats": entropy, "train_unigram_cross_entropy_nats": cross,
            "targets": n, "distinct_targets": len(counts)}


@torch.no_grad()
def evaluate(folder, windows, sample_ids):
    cfg = json.load(open(os.path.join(folder, "config.json")))
    weights = safetensors_io.read_checkpoint(folder)
    dtypes = sorted({str(w.dtype) for w in weights.values()})
    net = llama.LlamaForCausalLM(cfg)
    net.load_state_dict({k: v.float() for k, v in weights.items()})
    per_window = [llama.nll(net(w[None]), w[None])[0].double().mean().item() for w in windows]
    ref = rope_pp_reference.load_model(folder)
    ref_per_window = [ref.forward(w)["nll"].double().mean().item() for w in windows]
    sample_nll = llama.nll(net(sample_ids[None]), sample_ids[None])[0].double()
    ctx = cfg["max_position_embeddings"]
    by_range = {}
    for lo in range(0, len(sample_nll), ctx):
        hi = min(lo + ctx, len(sample_nll))
        by_range[f"{lo}-{hi}"] = sample_nll[lo:hi].mean().item()
    return {
        "rope_config": cfg.get("rope_config"),
        "stored_dtypes": dtypes,
        "parameters": sum(w.numel() for w in weights.values()),
        "model_safetensors_bytes": os.path.getsize(os.path.join(folder, "model.safetensors")),
        "mean_nll": float(np.mean(per_window)),
        "perplexity": math.exp(float(np.mean(per_window))),
        "reference_model_mean_nll": float(np.mean(ref_per_window)),
        "max_abs_window_diff_vs_reference": float(np.max(np.abs(np.array(per_window) - ref_per_window))),
        "per_window_mean_nll": per_window,
        "sample_txt": {
            "tokens": len(sample_ids),
            "mean_nll_first_context": sample_nll[:ctx - 1].mean().item(),
            "mean_nll_whole_text": sample_nll.mean().item(),
            "mean_nll_by_prediction_range": by_range,
            "note": f"sample.txt with BOS, one forward pass of {len(sample_ids)} tokens; predictions past "
                    f"{ctx - 1} are beyond the training context (length extrapolation)",
        },
    }


def main():
    torch.set_num_threads(2)
    variants = sys.argv[1:] or VARIANTS
    tok = bpe.Tokenizer(os.path.join(HERE, "tokenizer", "tokenizer.json"))
    windows = train.validation_windows(tok)
    with open(os.path.join(HERE, "sample.txt"), encoding="utf-8") as f:
        sample_ids = torch.tensor(tok.encode(f.read()), dtype=torch.int64)
    ids_doc = {
        "description": "Validation windows of the sample checkpoints: validation.txt encoded whole with "
                       "tokenizer/tokenizer.json without BOS, cut into consecutive pieces of 511 tokens; "
                       "window k = [BOS] + ids[511k : 511k+511]; all full windows.",
        "tokenizer": "sample_data/tokenizer/tokenizer.json",
        "text": "sample_data/validation.txt",
        "bos_id": tok.bos_id,
        "window_length": windows.shape[1],
        "windows": windows.tolist(),
    }
    with open(os.path.join(HERE, "validation_ids.json"), "w") as f:
        json.dump(ids_doc, f, separators=(",", ":"))
        f.write("\n")
    path = os.path.join(HERE, "validation.json")
    result = json.load(open(path)) if os.path.exists(path) else {}
    result.update({
        "definition": "mean next-token NLL (nats) of the saved BF16 weights upcast to float32, float32 "
                      "arithmetic, over every prediction of every window in validation_ids.json "
                      "(511 per window); per_window_mean_nll[k] is window k alone",
        "windows_file": "sample_data/validation_ids.json",
        "windows": int(windows.shape[0]),
        "window_length": int(windows.shape[1]),
        "unigram": unigram_baselines(tok, windows),
    })
    result.setdefault("variants", {})
    for v in variants:
        folder = os.path.join(HERE, v)
        if not os.path.exists(os.path.join(folder, "model.safetensors")):
            print(f"evaluate: {v}: no checkpoint, skipped", file=sys.stderr)
            continue
        result["variants"][v] = evaluate(folder, windows, sample_ids)
        r = result["variants"][v]
        print(f"{v}: val mean NLL {r['mean_nll']:.4f} (reference model {r['reference_model_mean_nll']:.4f}, "
              f"max window diff {r['max_abs_window_diff_vs_reference']:.1e}); window 0 {r['per_window_mean_nll'][0]:.4f}; "
              f"sample.txt first {r['sample_txt']['mean_nll_first_context']:.4f} whole "
              f"{r['sample_txt']['mean_nll_whole_text']:.4f}", file=sys.stderr)
    result["variants"] = {v: result["variants"][v] for v in VARIANTS if v in result["variants"]}
    with open(path, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    u = result["unigram"]
    print(f"unigram: validation entropy {u['validation_unigram_entropy_nats']:.4f}, train-unigram cross-entropy "
          f"{u['train_unigram_cross_entropy_nats']:.4f} nats", file=sys.stderr)


if __name__ == "__main__":
    main()
