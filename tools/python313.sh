#!/usr/bin/env bash
# Prints the path of a Python 3.13 interpreter: pyenv's build if present, else one on PATH.
set -euo pipefail
candidates=()
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root)
  for dir in "$root"/versions/3.13*; do candidates+=("$dir/bin/python3.13"); done
fi
[ -d "$HOME/.pyenv/versions" ] && for dir in "$HOME"/.pyenv/versions/3.13*; do candidates+=("$dir/bin/python3.13"); done
candidates+=(/usr/local/bin/python3.13 /usr/bin/python3.13)
for candidate in "${candidates[@]}"; do
  if [ -x "$candidate" ] && "$candidate" -c 'import sys, venv; assert sys.version_info[:2] == (3, 13)' 2>/dev/null; then
    echo "$candidate"
    exit 0
  fi
done
echo "No Python 3.13 found: install it (e.g. 'pyenv install 3.13') and retry." >&2
exit 1
