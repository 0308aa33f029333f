// Times the reference (Hugging Face tokenizers via its Node binding, Rust core) on the same corpus
// and tokenizers as bench_tokenizer.cpp: encode of the whole corpus in one call and document by
// document, best of several runs, in MB/s of UTF-8 input. Also prints the token count and an id
// checksum so the two implementations can be seen to produce the same ids on the whole corpus.
// Usage: node tokenizer_reference_bench.js [CACHE]   (CACHE from tokenizer_bench_setup.sh)
'use strict';
const fs = require('fs');
const path = require('path');

const cache = path.resolve(process.argv[2] || path.join(__dirname, '..', 'tests', 'tokenizer', '.npm-cache'));
const { Tokenizer } = require(path.join(cache, 'node_modules', 'tokenizers'));
const corpus = fs.readFileSync(path.join(cache, 'corpus', 'sotu_1946_2021.txt'), 'utf8');
const docs = corpus.split('\n\n').filter((d) => d.length > 0);
const mb = Buffer.byteLength(corpus, 'utf8') / 1e6;

// FNV-1a over the ids, the same checksum bench_tokenizer.cpp prints.
function checksum(ids) {
  let h = 0x811c9dc5;
  for (const id of ids) { h ^= id; h = Math.imul(h, 0x01000193) >>> 0; }
  return h.toString(16).padStart(8, '0');
}

// Best of `runs` in wall-clock seconds and in process CPU seconds (the encode runs on a worker
// thread of the same process; CPU time is the fairer number on a loaded machine).
async function best(runs, fn) {
  let wall = Infinity, cpu = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    await fn();
    const c = process.cpuUsage(c0);
    wall = Math.min(wall, Number(process.hrtime.bigint() - t0) / 1e9);
    cpu = Math.min(cpu, (c.user + c.system) / 1e6);
  }
  return { wall, cpu };
}
const rate = (t) => `${(mb / t.wall).toFixed(2)} MB/s wall, ${(mb / t.cpu).toFixed(2)} MB/s CPU`;

async function main() {
  console.log(`corpus: ${mb.toFixed(2)} MB, ${docs.length} documents`);
  for (const name of ['llama3', 'llama2']) {
    const t0 = process.hrtime.bigint();
    const tok = Tokenizer.fromFile(path.join(cache, 'models', name, 'tokenizer.json'));
    const load = Number(process.hrtime.bigint() - t0) / 1e9;
    const enc = await tok.encode(corpus, null, { addSpecialTokens: false });
    const ids = enc.getIds();
    const whole = await best(3, () => tok.encode(corpus, null, { addSpecialTokens: false }));
    const perDoc = await best(3, async () => {
      for (const d of docs) await tok.encode(d, null, { addSpecialTokens: false });
    });
    console.log(`${name}: load ${load.toFixed(2)} s, ${ids.length} tokens, checksum ${checksum(ids)}, ` +
                `whole corpus ${rate(whole)}; per document ${rate(perDoc)}`);
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
