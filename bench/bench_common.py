"""What the PyTorch comparison scripts share: their common options and the random 376M checkpoint."""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def comparison_args(description, tokens):
    """--tokens, --repeats, --cache and --cli, as every comparison script takes them."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--tokens", default=tokens)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--cache", default=os.environ.get("ROPESCOPE_BENCH_CACHE", "/tmp/ropescope-bench"))
    ap.add_argument("--cli", default=os.path.join(ROOT, "build", "app", "ropescope-cli"))
    return ap


def ensure_376m_checkpoint(cache):
    """Path of the random 376M RoPE++_EC checkpoint in `cache`, written first if missing."""
    ckpt = os.path.join(cache, "ec376m")
    if not os.path.exists(os.path.join(ckpt, "config.json")):
        print(f"writing random 376M RoPE++_EC checkpoint to {ckpt} ...", file=sys.stderr)
        subprocess.run([sys.executable, os.path.join(HERE, "make_random_checkpoint.py"), ckpt], check=True)
    return ckpt
