"""Byte-level BPE with Hugging Face `tokenizers` semantics (Llama-3 style), in plain Python.

Used by train_tokenizer.py (training), train.py and evaluate.py (encoding). Encoding follows what
`tokenizers` does for the tokenizer.json written here:
  1. added (special) tokens are split out of the text first and map to their ids;
  2. pre-tokenizer Split(PATTERN, Isolated): the pieces are the regex matches (the pattern matches
     every character, so nothing falls between matches);
  3. pre-tokenizer ByteLevel(use_regex=false): UTF-8 bytes -> GPT-2 printable characters;
  4. model BPE: in each piece, repeatedly merge the adjacent pair of lowest merge rank (leftmost
     first) until no adjacent pair is a merge; ignore_merges is false, no dropout, no unk;
  5. post-processor TemplateProcessing "<|begin_of_text|> $A".
Needs Debian's python3-regex for \\p{L} / \\p{N} (Python's `re` has no Unicode property classes).
"""

import collections
import json

import regex

# The Llama-3 / tiktoken cl100k-style split pattern, exactly as Llama-3's tokenizer.json has it.
PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
           r"|\s*[\r\n]+|\s+(?!\S)|\s+")
BOS, EOS = "<|begin_of_text|>", "<|end_of_text|>"


def bytes_to_unicode():
    """GPT-2's reversible byte -> printable character table (what ByteLevel uses)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + \
        list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


BYTE_CHAR = bytes_to_unicode()
CHAR_BYTE = {c: b for b, c in BYTE_CHAR.items()}
_SPLIT = regex.compile(PATTERN)


def pre_tokenize(text):
    """Regex pieces, each mapped to its byte-level string."""
    return ["".join(BYTE_CHAR[b] for b in piece.encode("utf-8")) for piece in _SPLIT.findall(text)]


# ---------------------------------------------------------------- training --------------------------

def train(text, vocab_size, specials=(BOS, EOS), log=None):
    """(vocab {token: id}, merges [(a, b)]): ids 0..255 the bytes in byte order, then one token per
    merge in merge order, then the special tokens. Pairs never cross regex pieces. The most frequent
    pair wins; ties go to the lexicographically smallest (a, b) so training is deterministic."""
    n_merges = vocab_size - 256 - len(specials)
    counts = collections.Counter(pre_tokenize(text))
    words = [list(w) for w in counts]
    freqs = [counts[w] for w in counts]
    pair_count = collections.Counter()
    where = collections.defaultdict(set)
    for i, (w, f) in enumerate(zip(words, freqs)):
        for p in zip(w, w[1:]):
            pair_count[p] += f
            where[p].add(i)
    merges = []
    for step in range(n_merges):
        if not pair_count:
            break
        best = min(pair_count.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        merged = best[0] + best[1]
        merges.append(best)
        for i in list(where[best]):
            w, f = words[i], freqs[i]
            for p in zip(w, w[1:]):
                pair_count[p] -= f
                if pair_count[p] == 0:
                    del pair_count[p]
                where[p].discard(i)
            out, j = [], 0
            while j < len(w):
                if j + 1 < len(w) and w[j] == best[0] and w[j + 1] == best[1]:
                    out.append(merged)
                    j += 2
                else:
                    out.append(w[j])
                    j += 1
            words[i] = out
            for p in zip(out, out[1:]):
                pair_count[p] += f
                where[p].add(i)
        where.pop(best, None)
        if log and (step + 1) % 500 == 0:
            log(f"merge {step + 1}/{n_merges}: {best[0]!r} + {best[1]!r}")
    vocab = {BYTE_CHAR[b]: b for b in range(256)}
    for a, b in merges:
        vocab[a + b] = len(vocab)
    for s in specials:
        vocab[s] = len(vocab)
    return vocab, merges


def tokenizer_json(vocab, merges, specials=(BOS, EOS)):
    """A standard Hugging Face tokenizer.json (same component types as Llama-3's)."""
    added = [{"id": vocab[s], "content": s, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for s in specials]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": None,
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": PATTERN}, "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False},
        ]},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": BOS, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": BOS, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": BOS, "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {BOS: {"id": BOS, "ids": [vocab[BOS]], "tokens": [BOS]}},
        },
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False,
                  "ignore_merges": False, "vocab": vocab, "merges": [f"{a} {b}" for a, b in merges]},
    }


# ---------------------------------------------------------------- encoding --------------------------

class Tokenizer:
    """Encoder/decoder for a tokenizer.json of the shape tokenizer_json() writes."""

    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            tj = json.load(f)
        model = tj["model"]
        if model["type"] != "BPE" or model.get("ignore_merges"):
            raise ValueError("only BPE without ignore_merges is supported")
        self.vocab = model["vocab"]
        self.id_to_token = {i: t for t, i in self.vocab.items()}
        merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in model["merges"]]
        self.ranks = {m: r for r, m in enumerate(merges)}
        self.added = {a["content"]: a["id"] for a in tj["added_tokens"]}
        for a in tj["added_tokens"]:
            self.id_to_token[a["id"]] = a["content"]
        self.bos_id = self.added[BOS]
        self.eos_id = self.added[EOS]
        alternatives = sorted(self.added, key=len, reverse=True)
        self._added_split = regex.compile("(" + "|".join(regex.escape(a) for a in alternatives) + ")")
        self._cache = {}

    def bpe(self, piece):
        if piece in self._cache:
            return self._cache[piece]
        word = list(piece)
        while len(word) > 1:
            ranked = [(self.ranks.get(p), i) for i, p in enumerate(zip(word, word[1:]))]
            ranked = [(r, i) for r, i in ranked if r is not None]
            if not ranked:
                break
            rank = min(ranked)[0]
            out, j = [], 0
            while j < len(word):
                if j + 1 < len(word) and self.ranks.get((word[j], word[j + 1])) == rank:
                    out.append(word[j] + word[j + 1])
                    j += 2
                else:
                    out.append(word[j])
                    j += 1
            word = out
        ids = [self.vocab[t] for t in word]
        self._cache[piece] = ids
        return ids

    def encode(self, text, add_bos=True):
        ids = [self.bos_id] if add_bos else []
        for chunk in self._added_split.split(text):
            if not chunk:
                continue
            if chunk in self.added:
                ids.append(self.added[chunk])
                continue
            for piece in pre_tokenize(chunk):
                ids.extend(self.bpe(piece))
        return ids

    def decode(self, ids, skip_special=False):
        out, buf = [], []
        for i in ids:
            tok = self.id_to_token[i]
            if i in self.added.values():
                if buf:
                    out.append(bytes(buf).decode("utf-8", "replace"))
                    buf = []
                if not skip_special:
                    out.append(tok)
            else:
                buf.extend(CHAR_BYTE[c] for c in tok)
        if buf:
            out.append(bytes(buf).decode("utf-8", "replace"))
        return "".join(out)
