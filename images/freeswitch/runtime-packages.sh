#!/usr/bin/env bash
# Prints the Debian packages whose shared libraries a FreeSWITCH install links (its binaries, its own
# libraries and every module), one line, space-separated: what the image must apt-get install beside the
# copied prefix. Run on the machine that built FreeSWITCH, against its install prefix:
#   images/freeswitch/runtime-packages.sh "$(bash scripts/build-freeswitch.sh | tail -1)"
set -euo pipefail
prefix=$1
export LD_LIBRARY_PATH="$prefix/lib"

# Modules are under lib/freeswitch/mod in the install prefix.
elf_files() { find "$prefix/bin" "$prefix/lib" -type f \( -name '*.so*' -o -perm -u+x \) ! -name '*.la' ! -name '*.a'; }

# Every library the loader resolves outside the prefix; "not found" stops here, since the image would
# not start either.
# ldd fails on the scripts among the executables (fsxs): their lines are simply absent.
libraries=$({ elf_files | xargs ldd 2>/dev/null || true; } | awk '/not found/ { print "missing: " $1; next } /=> \// { print $3 }' | sort -u)
if grep -q '^missing:' <<<"$libraries"; then
  grep '^missing:' <<<"$libraries" >&2
  exit 1
fi
owner() { dpkg -S "$1" 2>/dev/null || dpkg -S "$(realpath "$1")" 2>/dev/null || { echo "no Debian package owns $1" >&2; return 1; }; }
grep -v "^$prefix/" <<<"$libraries" | while read -r library; do owner "$library"; done |
  cut -d: -f1 | sort -u | paste -sd' '
