#!/usr/bin/env python3
"""Builds the sample corpus from Debian's King James Bible (package bible-kjv-text, read with `bible`).

Writes, under sample_data/:
  corpus/train.txt   training split (~4.2 MB, not committed: regenerate with this script)
  validation.txt     validation split: Esther, Ecclesiastes, Galatians (committed)
  sample.txt         held-out text the app opens by default: the Book of Ruth (committed)

Format of every book: a line "<Book> <chapter>", a blank line, one verse per line as
"<verse> <text>", a blank line between chapters and between books. The three splits share no book.
Deterministic: the same Debian package gives byte-identical files.

Usage: /usr/bin/python3 sample_data/make_corpus.py [--bible /usr/bin/bible]
"""

import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# The 66 books in the order `bible` prints them, with their full English names.
BOOKS = [
    "Genesis", "Exodus", "Leviticus", "Numbers", "Deuteronomy", "Joshua", "Judges", "Ruth",
    "1 Samuel", "2 Samuel", "1 Kings", "2 Kings", "1 Chronicles", "2 Chronicles", "Ezra",
    "Nehemiah", "Esther", "Job", "Psalms", "Proverbs", "Ecclesiastes", "Song of Solomon", "Isaiah",
    "Jeremiah", "Lamentations", "Ezekiel", "Daniel", "Hosea", "Joel", "Amos", "Obadiah", "Jonah",
    "Micah", "Nahum", "Habakkuk", "Zephaniah", "Haggai", "Zechariah", "Malachi",
    "Matthew", "Mark", "Luke", "John", "Acts", "Romans", "1 Corinthians", "2 Corinthians",
    "Galatians", "Ephesians", "Philippians", "Colossians", "1 Thessalonians", "2 Thessalonians",
    "1 Timothy", "2 Timothy", "Titus", "Philemon", "Hebrews", "James", "1 Peter", "2 Peter",
    "1 John", "2 John", "3 John", "Jude", "Revelation",
]
SAMPLE_BOOKS = ["Ruth"]
VALIDATION_BOOKS = ["Esther", "Ecclesiastes", "Galatians"]

VERSE = re.compile(r"^(\d?[A-Za-z]+)(\d+):(\d+) (.*)$")


def read_bible(program):
    """[(book, [(chapter, [(verse, text)])])] in canonical order, from `bible -f`."""
    raw = subprocess.run([program, "-f", "gen1:1-rev22:21"], check=True, capture_output=True,
                         text=True, encoding="ascii").stdout
    books, last_abbrev = [], None
    for line in raw.splitlines():
        m = VERSE.match(line)
        if not m:
            raise SystemExit(f"make_corpus: unexpected line from {program}: {line!r}")
        abbrev, chapter, verse, text = m.group(1), int(m.group(2)), int(m.group(3)), m.group(4)
        if abbrev != last_abbrev:
            books.append((BOOKS[len(books)], []))
            last_abbrev = abbrev
        chapters = books[-1][1]
        if not chapters or chapters[-1][0] != chapter:
            chapters.append((chapter, []))
        chapters[-1][1].append((verse, " ".join(text.split())))
    if len(books) != 66 or sum(len(v) for _, c in books for _, v in c) != 31102:
        raise SystemExit("make_corpus: expected 66 books and 31102 verses")
    return books


def format_book(name, chapters):
    parts = []
    for chapter, verses in chapters:
        lines = [f"{name} {chapter}", ""] + [f"{v} {t}" for v, t in verses]
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bible", default="/usr/bin/bible", help="the `bible` program of package bible-kjv")
    ap.add_argument("--out", default=HERE)
    args = ap.parse_args()
    if not os.path.exists(args.bible):
        raise SystemExit("make_corpus: `bible` not found; install it: apt-get install bible-kjv-text")
    books = read_bible(args.bible)
    splits = {"sample": [], "validation": [], "train": []}
    for name, chapters in books:
        split = "sample" if name in SAMPLE_BOOKS else "validation" if name in VALIDATION_BOOKS else "train"
        splits[split].append(format_book(name, chapters))
    os.makedirs(os.path.join(args.out, "corpus"), exist_ok=True)
    paths = {"train": os.path.join(args.out, "corpus", "train.txt"),
             "validation": os.path.join(args.out, "validation.txt"),
             "sample": os.path.join(args.out, "sample.txt")}
    for split, texts in splits.items():
        with open(paths[split], "w", encoding="utf-8", newline="\n") as f:
            f.write("\n".join(texts))
        print(f"{split}: {len(texts)} books, {sum(map(len, texts))} chars -> {paths[split]}", file=sys.stderr)


if __name__ == "__main__":
    main()
