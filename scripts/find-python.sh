#!/usr/bin/env bash
# Prints the path of a Python 3.12+ interpreter: PATH first, then pyenv's installed versions.
set -u
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
for name in python3.13 python3.12 python3 python; do
  if path=$(command -v "$name" 2>/dev/null) && ok "$path"; then echo "$path"; exit 0; fi
done
root=${PYENV_ROOT:-$HOME/.pyenv}
for path in $(ls -d "$root"/versions/3.1[2-9]*/bin/python3 "$root"/versions/3.[2-9][0-9]*/bin/python3 2>/dev/null | sort -V); do
  if ok "$path"; then echo "$path"; exit 0; fi
done
echo "Postframe needs Python 3.12 or newer, and found none on PATH or in $root/versions." >&2
echo "Install one (for example 'pyenv install 3.12' or your system's python3.12 package) and run make again." >&2
exit 1
