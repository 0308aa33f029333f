// Writes texts.json: the hostile text set every tokenizer is checked on (whitespace runs, exotic
// spaces, CRLF, numbers, contractions, code, URLs, emoji, CJK, RTL, combining marks, NFC/NFD,
// zero-width characters, long words, a 5,000-character paragraph, special tokens typed literally).
// Deterministic: re-running gives the same file. Usage: node make_texts.js [out.json]
'use strict';
const fs = require('fs');
const path = require('path');

const cases = [];
const add = (name, text) => cases.push({ name, text });

add('empty', '');
add('plain', 'Hello world');
add('single_space', ' ');
add('spaces_only', '     ');
add('space_runs', 'a  b   c    d     e');
add('leading_trailing', '   leading and trailing   ');
add('newline_only', '\n');
add('newline_runs', 'para one\n\n\npara two\n \n  \nend\n');
add('tabs', '\tindented\t\ttext\t \t');
add('crlf', 'line one\r\nline two\r\n\r\nline three\r');
add('cr_mix', '\r\r\n\n\r \r\n x');
const exotic = ['\u00A0', '\u1680', '\u2000', '\u2002', '\u2003', '\u2007', '\u2009', '\u200A', '\u2028',
                '\u2029', '\u202F', '\u205F', '\u3000', '\u0085', '\u180E', '\uFEFF', '\u200B', '\u000B',
                '\u000C', '\u001C', '\u001F'];
add('exotic_spaces_between', exotic.map((s, i) => 'w' + i + s).join('') + 'end');
add('exotic_spaces_runs', exotic.map((s) => s + s + 'x ' + s).join('|'));
add('exotic_spaces_edges', '\u3000\u00A0lead and trail\u2009\u3000');
add('nbsp_numbers', '100\u00A0000 km\u202Fh 3\u2009500');
add('long_number', '1234567890123456789012345678901234567890');
add('numbers_mixed', 'pi=3.14159265358979, 1,000,000; -42; 2024-01-15T12:30:00Z; 0x1F4A9; 1e-10; 007');
add('numbers_unicode', '١٢٣٤٥ ۱۲۳ ½ ² ③ Ⅻ 𝟙𝟚𝟛 १२३');
add('contractions_lower', "i'm you're he's we've they'll i'd can't won't it's y'all");
add('contractions_upper', "I'M YOU'RE HE'S WE'VE THEY'LL I'D CAN'T WON'T IT'S");
add('contractions_mixed', "It'S we'Ve They'lL don'T I'd' 's 't '' ''' x'ſ X'K");
add('curly_apostrophes', 'don’t you’re ‘quoted’ “double” it‘s');
add('punctuation_runs', '!!!???...,,,;;;:::---___===+++***&&&%%%$$$###@@@');
add('punctuation_mix', 'Wait... what?!?! (((nested))) [brackets] {braces} <angles> «guillemets» „Low“ 「括弧」');
add('code_python', 'def f(x: int) -> int:\n    """Doc."""\n    if x <= 0:\n        return -x  # neg\n    return x ** 2\n\n\nprint(f(-3))\n');
add('code_cpp', '#include <vector>\nint main() {\n\tstd::vector<int> v{1, 2, 3};\n\tfor (auto& x : v) x *= 2;\n\treturn v[0] != 2;\n}\n');
add('code_json', '{"key": [1, 2.5, null, true], "nested": {"a": "b\\n"}, "empty": {}}');
add('code_shell', 'ls -la | grep "\\.txt$" && echo $HOME || exit 1; x=$((1+2))');
add('urls', 'See https://example.com/path/to?query=1&b=two#frag or ftp://files.example.org/a_b-c.tar.gz, mail me@example.co.uk');
add('emoji_zwj', 'family 👨‍👩‍👧‍👦 and 👩🏽‍💻 coder, 🏳️‍🌈 flag, ❤️‍🔥');
add('emoji_flags', '🇫🇷🇯🇵🇺🇸🇩🇪 flags 🏴󠁧󠁢󠁳󠁣󠁴󠁿 and keycaps 1️⃣#️⃣');
add('emoji_mixed', 'I ❤️ 🍕!! 👍🏽👍🏿 ✨🚀🔥 😀😃😄');
add('cjk_chinese', '我爱自然语言处理。今天天气很好，我们去公园吧！');
add('cjk_japanese', 'こんにちは世界、カタカナとひらがな。ｶﾀｶﾅ半角。');
add('cjk_korean', '안녕하세요 세계! 한국어 텍스트입니다.');
add('cjk_mixed', 'GPT-4は強力です。Llama 3模型在2024年发布。');
add('arabic', 'مرحبا بالعالم! هذا نص عربي مع أرقام ١٢٣ و English.');
add('arabic_rtl_marks', '\u200Fمرحبا\u200E hello \u202Bembedded\u202C \u061C');
add('hebrew', 'שלום עולם, זה טקסט בעברית.');
add('devanagari', 'नमस्ते दुनिया। क्षत्रिय ज्ञान श्री हिन्दी में लिखा गया पाठ।');
add('thai', 'สวัสดีครับ ภาษาไทยไม่มีช่องว่างระหว่างคำ');
add('nfc_accents', 'caf\u00E9 na\u00EFve r\u00E9sum\u00E9 \u00C5ngstr\u00F6m se\u00F1or');
add('nfd_accents', 'cafe\u0301 nai\u0308ve re\u0301sume\u0301 A\u030Angstro\u0308m sen\u0303or');
add('nfd_hangul', '\u1112\u1161\u11AB\u1100\u1173\u11AF \uD55C\uAE00');
add('combining_stack', 'Z\u0334\u0321\u032A\u0355a\u0337\u0327\u0348l\u0338g\u0335o\u0336 e\u0301\u0301\u0301');
add('zero_width', 'zero\u200Bwidth\u200Cnon\u200Djoiner\u2060word\u00ADsoft\uFEFFbom');
add('bom_start', '\uFEFFText after a byte order mark');
add('controls', 'a\u0000b\u0007c \u001B[31mred\u001B[0m \u007F del \u0080\u009F');
add('supplementary', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𐌰𐌱𐌲 𠀀𠀁𠀂 𓀀𓀁');
add('greek_cyrillic', 'Привет, мир! ΑΒΓΔ αβγδ ς Σ ΐ');
add('casing_specials', 'İstanbul ıi Straße ẞ ǅ ǈ K Å ﬁ ﬂ ＡＢＣ１２３');
add('alnum_mix', 'abc123def456 1st 2nd 3rd 4th v1.2.3-beta+build.5 A1B2C3');
add('newline_punct', 'Hello\n\n\n!\n?\n \n. end');
add('single_chars', 'a');
add('single_emoji', '🤗');
add('long_word', 'Pneumonoultramicroscopicsilicovolcanoconiosis'.repeat(40));
add('long_repeated_char', 'x'.repeat(3000));
add('long_digits', '9'.repeat(1000));
add('long_whitespace', ' '.repeat(700) + '\n'.repeat(300) + '\t'.repeat(100) + 'end');
add('specials_llama3', '<|begin_of_text|>Hello<|end_of_text|> <|eot_id|>\n\n<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>');
add('specials_llama2', '<s> hi </s><unk> [INST] question [/INST]</s>');
add('specials_partial', '<|begin_of_text| <s <|end_of_text |> < s> <<s>> <|reserved_special_token_250|>');
add('specials_adjacent', '<s><s></s></s><|begin_of_text|><|begin_of_text|>');
add('specials_in_words', 'word<s>word</s>word <|eot_id|>x');
add('byte_token_literal', '<0x0A> <0xFF> <0x41>');
add('fixture_added_tokens', '<|endoftext|> [MASK] <tool>  call</tool> xyz axyz xyzb <bos> <eos> hello world');

// A 5,000-character paragraph of English-like prose from a fixed word list (LCG-driven, so the
// file is reproducible), with sentences, commas, numbers and quotes.
function paragraph(length) {
  const words = ('the of and to in is was for that with as on by at from it an be this which or are ' +
    'model attention rotary position embedding frequency long context head layer token sequence ' +
    'imaginary real part decay distance base theta query key value training evaluation benchmark ' +
    "researcher observed surprisingly we they it's don't results show improves 2024 3.5 128K").split(' ');
  let seed = 12345;
  const rand = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  let out = '';
  let sentenceStart = true;
  while (out.length < length) {
    let w = words[rand(words.length)];
    if (sentenceStart) w = w[0].toUpperCase() + w.slice(1);
    out += w;
    sentenceStart = false;
    const r = rand(100);
    if (r < 8) { out += '. '; sentenceStart = true; }
    else if (r < 14) out += ', ';
    else if (r < 15) out += '; ';
    else if (r < 16) { out += '.\n'; sentenceStart = true; }
    else if (r < 17) out += ' "quoted" ';
    else out += ' ';
  }
  return out.slice(0, length);
}
add('paragraph_5000', paragraph(5000));

const out = process.argv[2] || path.join(__dirname, 'texts.json');
fs.writeFileSync(out, JSON.stringify(cases, null, 1) + '\n');
console.log(`wrote ${cases.length} texts to ${out}`);
