#!/usr/bin/env python3
"""Trains the sample byte-level BPE (vocab 4096: 256 bytes, 3838 merges, 2 specials) on the training
split and writes sample_data/tokenizer/tokenizer.json and tokenizer_config.json (Hugging Face format,
Llama-3 component types). Deterministic. ~2 min on one core.

Usage: /usr/bin/python3 sample_data/train_tokenizer.py [--train sample_data/corpus/train.txt]
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bpe  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
VOCAB_SIZE = 4096


def tokenizer_config(vocab, max_len):
    return {
        "add_bos_token": True,
        "add_eos_token": False,
        "added_tokens_decoder": {str(vocab[s]): {"content": s, "lstrip": False, "normalized": False,
                                                  "rstrip": False, "single_word": False, "special": True}
                                 for s in (bpe.BOS, bpe.EOS)},
        "bos_token": bpe.BOS,
        "clean_up_tokenization_spaces": False,
        "eos_token": bpe.EOS,
        "model_input_names": ["input_ids", "attention_mask"],
        "model_max_length": max_len,
        "tokenizer_class": "PreTrainedTokenizerFast",
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", default=os.path.join(HERE, "corpus", "train.txt"))
    ap.add_argument("--out", default=os.path.join(HERE, "tokenizer"))
    ap.add_argument("--vocab-size", type=int, default=VOCAB_SIZE)
    ap.add_argument("--max-len", type=int, default=512, help="model_max_length (training context)")
    args = ap.parse_args()
    with open(args.train, encoding="utf-8") as f:
        text = f.read()
    t0 = time.time()
    vocab, merges = bpe.train(text, args.vocab_size, log=lambda m: print(m, file=sys.stderr))
    if len(vocab) != args.vocab_size:
        raise SystemExit(f"train_tokenizer: only {len(vocab)} tokens (corpus too small?)")
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(bpe.tokenizer_json(vocab, merges), f, ensure_ascii=False, indent=2)
        f.write("\n")
    with open(os.path.join(args.out, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer_config(vocab, args.max_len), f, ensure_ascii=False, indent=2)
        f.write("\n")
    tok = bpe.Tokenizer(os.path.join(args.out, "tokenizer.json"))
    ids = tok.encode(text, add_bos=False)
    if tok.decode(ids) != text:
        raise SystemExit("train_tokenizer: decode(encode(train)) is not the training text")
    print(f"{len(merges)} merges in {time.time() - t0:.0f} s; train split = {len(ids)} tokens "
          f"({len(text) / len(ids):.2f} chars/token) -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
