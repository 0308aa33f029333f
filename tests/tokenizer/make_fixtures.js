// Writes small synthetic tokenizer.json files (our own, no vendor data) to tests/fixtures/tokenizers/
// so that every supported component is checked against the reference, not only what the Llama
// files use: NFC/NFKC/NFD, Lowercase, Strip, StripAccents, Replace (string and regex), Prepend,
// Split behaviors and invert, Digits, Whitespace(Split), Punctuation, Metaspace schemes, ByteLevel
// options, unk/fuse_unk/byte_fallback, continuing-subword prefix and end-of-word suffix,
// ignore_merges, added tokens with lstrip/rstrip/single_word/normalized, and every post-processor
// and decoder RoPEScope implements. The BPE merges come from a tiny trainer below run on texts.json.
// Deterministic. Usage: node make_fixtures.js
'use strict';
const fs = require('fs');
const path = require('path');

const here = __dirname;
const outRoot = path.join(here, '..', 'fixtures', 'tokenizers');
const texts = JSON.parse(fs.readFileSync(path.join(here, 'texts.json'), 'utf8'));
const corpus = texts.filter((t) => !t.name.startsWith('long_')).map((t) => t.text).join('\n');

// GPT-2's byte -> printable character map.
function bytesToUnicode() {
  const bs = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const cs = bs.slice();
  let n = 0;
  for (let b = 0; b < 256; b++) if (!bs.includes(b)) { bs.push(b); cs.push(256 + n); n++; }
  const map = {};
  bs.forEach((b, i) => { map[b] = String.fromCodePoint(cs[i]); });
  return map;
}
const BYTE_CHAR = bytesToUnicode();
const byteLevel = (s) => Array.from(Buffer.from(s, 'utf8')).map((b) => BYTE_CHAR[b]).join('');

// Minimal BPE trainer: most frequent adjacent pair first (ties broken by the pair's text).
function trainBpe(words, { merges: nMerges, prefix = '', suffix = '' }) {
  const counts = new Map();
  for (const w of words) if (w.length) counts.set(w, (counts.get(w) || 0) + 1);
  const seqs = [...counts.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([w, c]) => {
    const chars = Array.from(w);
    return { c, syms: chars.map((ch, i) => (i > 0 ? prefix : '') + ch + (i === chars.length - 1 ? suffix : '')) };
  });
  const alphabet = new Set();
  for (const s of seqs) for (const x of s.syms) alphabet.add(x);
  const merges = [];
  const learned = [];
  for (let m = 0; m < nMerges; m++) {
    const pairs = new Map();
    for (const s of seqs) for (let i = 0; i + 1 < s.syms.length; i++) {
      const k = s.syms[i] + '\u0000' + s.syms[i + 1];
      pairs.set(k, (pairs.get(k) || 0) + s.c);
    }
    let best = null, bestCount = 0;
    for (const [k, c] of pairs) if (c > bestCount || (c === bestCount && k < best)) { best = k; bestCount = c; }
    if (!best || bestCount < 2) break;
    const [a, b] = best.split('\u0000');
    const merged = a + b.slice(prefix.length);
    merges.push([a, b]);
    learned.push(merged);
    for (const s of seqs) {
      const out = [];
      for (let i = 0; i < s.syms.length; i++) {
        if (i + 1 < s.syms.length && s.syms[i] === a && s.syms[i + 1] === b) { out.push(merged); i++; }
        else out.push(s.syms[i]);
      }
      s.syms = out;
    }
  }
  return { alphabet: [...alphabet].sort(), merges, learned };
}

function buildVocab(specials, alphabet, learned) {
  const vocab = {};
  let id = 0;
  for (const t of [...specials, ...alphabet, ...learned]) if (!(t in vocab)) vocab[t] = id++;
  return vocab;
}

const words = corpus.split(/\s+/).filter(Boolean);
const byteAlphabet = Array.from({ length: 256 }, (_, b) => BYTE_CHAR[b]);
const byteBytes = Array.from({ length: 256 }, (_, b) => '<0x' + b.toString(16).toUpperCase().padStart(2, '0') + '>');
const added = (id, content, o = {}) => ({ id, content, single_word: !!o.single_word, lstrip: !!o.lstrip,
  rstrip: !!o.rstrip, normalized: o.normalized ?? !o.special, special: !!o.special });
const addedAt = (vocab, content, o) => added(vocab[content] ?? Object.keys(vocab).length, content, o);
const template = (pieces, specials) => ({
  type: 'TemplateProcessing',
  single: pieces.map((p) => (p === '$A' ? { Sequence: { id: 'A', type_id: 0 } } : { SpecialToken: { id: p, type_id: 0 } })),
  pair: pieces.map((p) => (p === '$A' ? { Sequence: { id: 'A', type_id: 0 } } : { SpecialToken: { id: p, type_id: 0 } }))
    .concat([{ Sequence: { id: 'B', type_id: 1 } }]),
  special_tokens: Object.fromEntries(specials.map(([t, id]) => [t, { id: t, ids: [id], tokens: [t] }])),
});
const bpe = (vocab, merges, o = {}) => ({ type: 'BPE', dropout: null, unk_token: o.unk ?? null,
  continuing_subword_prefix: o.prefix ?? null, end_of_word_suffix: o.suffix ?? null, fuse_unk: !!o.fuse_unk,
  byte_fallback: !!o.byte_fallback, ignore_merges: !!o.ignore_merges, vocab, merges });
const LLAMA3_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const QWEN_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

const fixtures = {};

// GPT-2 style byte-level BPE with added tokens of every flavour and offset trimming.
{
  const t = trainBpe(words.map((w) => byteLevel(' ' + w)), { merges: 1000 });
  const vocab = buildVocab([], byteAlphabet, t.learned);
  fixtures.bytelevel_added = {
    version: '1.0', truncation: null, padding: null,
    added_tokens: [
      addedAt(vocab, '<|endoftext|>', { special: true }),
      addedAt(vocab, '[MASK]', { special: true, lstrip: true }),
      addedAt(vocab, '<tool>', { rstrip: true, normalized: false }),
      addedAt(vocab, '</tool>', { normalized: true }),
      addedAt(vocab, 'xyz', { single_word: true }),
    ].map((a, i, all) => ({ ...a, id: Object.keys(vocab).length + i })),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: bpe(vocab, t.merges.map(([a, b]) => a + ' ' + b)),
  };
}

// Llama-3 style split regex after NFKC + Lowercase, individual digits, template with BOS and EOS,
// ignore_merges, and a normalized added token whose normalized form differs from its content.
{
  const t = trainBpe(words.map((w) => byteLevel(' ' + w.normalize('NFKC').toLowerCase())), { merges: 1000 });
  const vocab = buildVocab([], byteAlphabet, t.learned);
  const n = Object.keys(vocab).length;
  fixtures.nfkc_lower_digits = {
    version: '1.0', truncation: null, padding: null,
    added_tokens: [added(n, '<bos>', { special: true }), added(n + 1, '<eos>', { special: true }),
                   added(n + 2, 'Hello', { normalized: true })],
    normalizer: { type: 'Sequence', normalizers: [{ type: 'NFKC' }, { type: 'Lowercase' }] },
    pre_tokenizer: { type: 'Sequence', pretokenizers: [
      { type: 'Split', pattern: { Regex: LLAMA3_SPLIT }, behavior: 'Isolated', invert: false },
      { type: 'Digits', individual_digits: true },
      { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false }] },
    post_processor: { type: 'Sequence', processors: [
      { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
      template(['<bos>', '$A', '<eos>'], [['<bos>', n], ['<eos>', n + 1]])] },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: bpe(vocab, t.merges, { ignore_merges: true }),
  };
}

// Qwen2 style: NFC, single-digit split, chat special tokens, merges as [left, right] pairs.
{
  const t = trainBpe(words.map((w) => byteLevel(' ' + w.normalize('NFC'))), { merges: 800 });
  const vocab = buildVocab([], byteAlphabet, t.learned);
  const n = Object.keys(vocab).length;
  fixtures.bytelevel_nfc_qwen = {
    version: '1.0', truncation: null, padding: null,
    added_tokens: [added(n, '<|endoftext|>', { special: true }), added(n + 1, '<|im_start|>', { special: true }),
                   added(n + 2, '<|im_end|>', { special: true })],
    normalizer: { type: 'NFC' },
    pre_tokenizer: { type: 'Sequence', pretokenizers: [
      { type: 'Split', pattern: { Regex: QWEN_SPLIT }, behavior: 'Isolated', invert: false },
      { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false }] },
    post_processor: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false },
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false },
    model: bpe(vocab, t.merges),
  };
}

// SentencePiece style with Metaspace (prepend "first", split), byte fallback, NFC, and special
// tokens that strip whitespace around them.
{
  const t = trainBpe(words.map((w) => '\u2581' + w.normalize('NFC')), { merges: 1000 });
  const specials = ['<unk>', '<s>', '</s>'];
  const vocab = buildVocab([...specials, ...byteBytes], t.alphabet, t.learned);
  const n = Object.keys(vocab).length;
  fixtures.metaspace_first = {
    version: '1.0', truncation: null, padding: null,
    added_tokens: [added(0, '<unk>', { special: true }), added(1, '<s>', { special: true }),
                   added(2, '</s>', { special: true }), added(n, '[INST]', { special: true, rstrip: true }),
                   added(n + 1, '[/INST]', { special: true, lstrip: true })],
    normalizer: { type: 'NFC' },
    pre_tokenizer: { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'first', split: true },
    post_processor: template(['<s>', '$A'], [['<s>', 1]]),
    decoder: { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'first', split: true },
    model: bpe(vocab, t.merges.map(([a, b]) => a + ' ' + b), { unk: '<unk>', byte_fallback: true, fuse_unk: true }),
  };
}

// Mistral-v3 style: Metaspace without splitting, prepend always, Llama-2 style decoder chain.
{
  const t = trainBpe(words.map((w) => '\u2581' + w), { merges: 800 });
  const specials = ['<unk>', '<s>', '</s>'];
  const vocab = buildVocab([...specials, ...byteBytes], t.alphabet, t.learned);
  fixtures.metaspace_nosplit = {
    version: '1.0', truncation: null, padding: null,
    added_tokens: specials.map((s, i) => added(i, s, { special: true })),
    normalizer: null,
    pre_tokenizer: { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'always', split: false },
    post_processor: template(['<s>', '$A'], [['<s>', 1]]),
    decoder: { type: 'Sequence', decoders: [
      { type: 'Replace', pattern: { String: '\u2581' }, content: ' ' }, { type: 'ByteFallback' },
      { type: 'Fuse' }, { type: 'Strip', content: ' ', start: 1, stop: 0 }] },
    model: bpe(vocab, t.merges, { unk: '<unk>', byte_fallback: true }),
  };
}

// Llama-2 normalizer chain plus Strip and a regex Replace, an ASCII-only alphabet without byte
// fallback so unknown characters become (fused) <unk>, and BOS + EOS.
{
  const ascii = words.map((w) => '\u2581' + w.replace(/[^\x21-\x7e]/g, ''));
  const t = trainBpe(ascii, { merges: 800 });
  const specials = ['<unk>', '<s>', '</s>'];
  const vocab = buildVocab(specials, t.alphabet, t.learned);
  fixtures.sp_unk_fuse = {
    version: '1.0', truncation: null, padding: null,
    added_tokens: specials.map((s, i) => added(i, s, { special: true })),
    normalizer: { type: 'Sequence', normalizers: [
      { type: 'Strip', strip_left: true, strip_right: true },
      { type: 'Replace', pattern: { Regex: ' {2,}' }, content: ' ' },
      { type: 'Prepend', prepend: '\u2581' },
      { type: 'Replace', pattern: { String: ' ' }, content: '\u2581' }] },
    pre_tokenizer: null,
    post_processor: template(['<s>', '$A', '</s>'], [['<s>', 1], ['</s>', 2]]),
    decoder: { type: 'Sequence', decoders: [
      { type: 'Replace', pattern: { String: '\u2581' }, content: ' ' }, { type: 'ByteFallback' },
      { type: 'Fuse' }, { type: 'Strip', content: ' ', start: 1, stop: 0 }] },
    model: bpe(vocab, t.merges, { unk: '<unk>', fuse_unk: true }),
  };
}

// BERT-flavoured BPE: NFD + StripAccents + Lowercase, digit runs merged with what follows,
// whitespace and punctuation splits, "##" prefix and "</w>" suffix, BPEDecoder, [CLS] A [SEP].
{
  const norm = (w) => w.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  const t = trainBpe(words.map(norm), { merges: 800, prefix: '##', suffix: '</w>' });
  const specials = ['[UNK]', '[CLS]', '[SEP]'];
  const vocab = buildVocab(specials, t.alphabet, t.learned);
  fixtures.bert_like_bpe = {
    version: '1.0', truncation: null, padding: null,
    added_tokens: specials.map((s, i) => added(i, s, { special: true })),
    normalizer: { type: 'Sequence', normalizers: [{ type: 'NFD' }, { type: 'StripAccents' }, { type: 'Lowercase' }] },
    pre_tokenizer: { type: 'Sequence', pretokenizers: [
      { type: 'Split', pattern: { Regex: '\\d+' }, behavior: 'MergedWithNext', invert: false },
      { type: 'WhitespaceSplit' }, { type: 'Punctuation', behavior: 'Isolated' }] },
    post_processor: { type: 'BertProcessing', sep: ['[SEP]', 2], cls: ['[CLS]', 1] },
    decoder: { type: 'BPEDecoder', suffix: '</w>' },
    model: bpe(vocab, t.merges, { unk: '[UNK]', prefix: '##', suffix: '</w>' }),
  };
}

// Split behaviors (Removed, MergedWithPrevious, Contiguous with invert), Whitespace pre-tokenizer,
// NFKD, RobertaProcessing with offset trimming, no decoder (ids decode joined by spaces).
{
  const t = trainBpe(words.map((w) => w.normalize('NFKD')), { merges: 800 });
  const specials = ['<s>', '<pad>', '</s>', '<unk>'];
  const vocab = buildVocab(specials, t.alphabet, t.learned);
  fixtures.split_variants = {
    version: '1.0', truncation: null, padding: null,
    added_tokens: specials.map((s, i) => added(i, s, { special: true })),
    normalizer: { type: 'NFKD' },
    pre_tokenizer: { type: 'Sequence', pretokenizers: [
      { type: 'Split', pattern: { Regex: '[;:]' }, behavior: 'Removed', invert: false },
      { type: 'Split', pattern: { String: '-' }, behavior: 'MergedWithPrevious', invert: false },
      { type: 'Split', pattern: { Regex: '\\p{Lu}+' }, behavior: 'Contiguous', invert: true },
      { type: 'Whitespace' }] },
    post_processor: { type: 'RobertaProcessing', sep: ['</s>', 2], cls: ['<s>', 0], trim_offsets: true, add_prefix_space: true },
    decoder: null,
    model: bpe(vocab, t.merges, { unk: '<unk>' }),
  };
}

for (const [name, tok] of Object.entries(fixtures)) {
  const dir = path.join(outRoot, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(tok) + '\n');
}
console.log(`wrote ${Object.keys(fixtures).length} tokenizers to ${outRoot}`);
