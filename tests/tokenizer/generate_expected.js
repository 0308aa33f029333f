// Runs the reference (Hugging Face tokenizers, the Rust library behind its Node binding) on every
// text of texts.json for each tokenizer and writes expected/<name>.json: ids and byte offsets
// without and with special tokens, decode() of both (the second skipping special tokens), and
// whether decoding gives the text back (decoded strings only where they differ from the text).
// The C++ check (check_tokenizer.cpp) compares RoPEScope with these files.
// Usage: node generate_expected.js CACHE [NAME...]   (CACHE as filled by fetch_reference.sh;
// NAMEs: only these tokenizers)
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const here = __dirname;
const cache = path.resolve(process.argv[2] || path.join(here, '.npm-cache'));
const { Tokenizer } = require(path.join(cache, 'node_modules', 'tokenizers'));
const refVersion = require(path.join(cache, 'node_modules', 'tokenizers', 'package.json')).version;
const texts = JSON.parse(fs.readFileSync(path.join(here, 'texts.json'), 'utf8'));

const fixtureRoot = path.join(here, '..', 'fixtures', 'tokenizers');
// The real tokenizers (fetched by fetch_reference.sh), then the synthetic fixtures.
const real = fs.readFileSync(path.join(here, 'real_tokenizers.txt'), 'utf8').split('\n').filter(Boolean);
const only = process.argv.slice(3);  // optional: regenerate just these names
const tokenizers = [
  ...real.map((m) => [m, path.join(cache, 'models', m, 'tokenizer.json')]),
  ...fs.readdirSync(fixtureRoot).sort().map((d) => [d, path.join(fixtureRoot, d, 'tokenizer.json')]),
];

// The binding reports offsets in characters (Unicode scalar values); RoPEScope uses bytes.
// Flattened as [begin0, end0, begin1, end1, ...] to keep the files small.
function charToByte(text) {
  const table = [0];
  for (const ch of text) table.push(table[table.length - 1] + Buffer.byteLength(ch, 'utf8'));
  return (offsets) => offsets.flatMap(([b, e]) => [table[b], table[e]]);
}

async function run() {
  fs.mkdirSync(path.join(here, 'expected'), { recursive: true });
  for (const [name, file] of tokenizers) {
    if (only.length && !only.includes(name)) continue;
    const tok = Tokenizer.fromFile(file);
    const sha = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    const lines = [];
    let roundtrips = 0;
    // The synthetic fixtures skip the very long texts: the real tokenizers cover those, and
    // their tiny vocabularies would make the expected files large.
    const synthetic = !real.includes(name);
    const cases = texts.filter((t) => !synthetic || !/^(long_|paragraph_)/.test(t.name));
    for (const { name: caseName, text } of cases) {
      const toBytes = charToByte(text);
      const plain = await tok.encode(text, null, { addSpecialTokens: false });
      const special = await tok.encode(text, null, { addSpecialTokens: true });
      const decoded = await tok.decode(plain.getIds(), false);
      const decodedSkip = await tok.decode(special.getIds(), true);
      roundtrips += decoded === text;
      // Decoded strings are stored only where they differ from the text.
      const entry = {
        name: caseName,
        ids: plain.getIds(), offsets: toBytes(plain.getOffsets()),
        ids_special: special.getIds(), offsets_special: toBytes(special.getOffsets()),
        roundtrip: decoded === text,
      };
      if (decoded !== text) entry.decoded = decoded;
      if (decodedSkip !== text) entry.decoded_skip_special = decodedSkip;
      lines.push(JSON.stringify(entry));
    }
    const header = JSON.stringify({ tokenizer: name, reference: `tokenizers@${refVersion} (npm)`, tokenizer_sha256: sha });
    const body = `{"about": ${header},\n"cases": [\n${lines.join(',\n')}\n]}\n`;
    fs.writeFileSync(path.join(here, 'expected', `${name}.json`), body);
    console.log(`${name}: ${cases.length} texts, ${roundtrips} decode round trips`);
  }
}
run().catch((e) => { console.error(e); process.exit(1); });
