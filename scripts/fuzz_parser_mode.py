#!/usr/bin/env python3
"""Differential fuzzing of the parser-mode lexer against CPython's C tokenizer (via compile()).

Builds random small sources from fragments that stress the lexer (numbers next to names,
prefixes, quotes, continuations, CR/LF, tabs, non-ASCII, stray characters), compiles each with
python3 and lexes it with `nanopy tokens --parser`. A case fails when CPython accepts the source
but the lexer rejects it, or when CPython raises a tokenizer error (by message) that the lexer
does not report with the same class, message, line and offset.

    python3 scripts/fuzz_parser_mode.py [--seed N] [--cases N] [--nanopy PATH]

Failing sources are printed as Python bytes literals; turn them into fixtures under
compiler/tests/fixtures/tokens/errors/ (tokenizer errors) or tokenize/ (others).
"""
import argparse
import os
import random
import subprocess
import tempfile
import warnings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FRAGMENTS = [
    "x", " ", "  ", "\t", "\n", "\r\n", "\r", "(", ")", "[", "]", "{", "}", "1", "0x1f", "1_0",
    "1.5e3", "0", "00", "012", "1e", "1j", "else", "if", "in", "or", "and", "not", "for",
    "'a'", '"b"', "'''c\n'''", 'f"{x}"', "rb'\\x'", "\\\n", "\\", "#c\n", "# type: int\n",
    "# type: ignore\n", ":", "=", "+", "->", "...", ".", "é", "€", "\u00a0", "\u200b", "$", "?",
    "!", "`", ",", ";", "'", '"', '"""', "u", "r", "b", "f", "\x0c", "    ", "def f():\n", "pass",
    "\n    ", "\n\t", "\n  ", "0o7", "0b1", "1_", "0_", "\x01",
]
TOKENIZER_MESSAGES = (
    "unterminated", "was never closed", "unmatched", "closing parenthesis", "too many",
    "unindent", "inconsistent", "invalid decimal", "invalid hex", "invalid oct", "invalid bin",
    "invalid digit", "invalid character", "invalid non-printable", "unexpected character after",
    "unexpected EOF", "leading zeros", "invalid imaginary",
)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cases", type=int, default=500)
    ap.add_argument("--nanopy", default=os.path.join(ROOT, "target", "debug", "nanopy"))
    a = ap.parse_args()
    rng = random.Random(a.seed)
    warnings.simplefilter("ignore")
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(a.cases):
            src = "".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 14))).encode()
            path = os.path.join(tmp, f"case{i}.py")
            with open(path, "wb") as f:
                f.write(src)
            try:
                compile(src, path, "exec")
                want = None
            except SyntaxError as e:
                want = f"{type(e).__name__}: {e.msg} (lineno={e.lineno}, offset={e.offset},"
            r = subprocess.run([a.nanopy, "tokens", "--parser", path], capture_output=True)
            got = next((l for l in r.stdout.decode("utf-8", "replace").splitlines()
                        if "(lineno=" in l), None)
            if want is None:
                if got is not None:
                    failures += 1
                    print(f"lexer rejects valid source {src!r}: {got}")
            elif want.split(": ", 1)[1].startswith(TOKENIZER_MESSAGES):
                if got is None or not got.startswith(want):
                    failures += 1
                    print(f"{src!r}\n    python3: {want}\n    nanopy:  {got}")
    print(f"fuzz_parser_mode: {a.cases - failures}/{a.cases} agree (seed {a.seed})")
    raise SystemExit(1 if failures else 0)


if __name__ == "__main__":
    main()
