#!/usr/bin/env bash
# Front-end parity over every .py file of the installed CPython standard library (site-packages
# excluded): `nanopy tokens` vs `python3 -m tokenize` and `nanopy ast -a` vs `python3 -m ast -a`.
# Prints `tokens: N/M identical` and `ast: N/M identical`, each followed by the mismatching files.
#   scripts/parity.sh            (builds the release binary first)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin nanopy
python3 scripts/parity_tokens.py --nanopy target/release/nanopy
python3 scripts/parity_ast.py --bin target/release/nanopy
