#!/usr/bin/env bash
# Peak RSS of jsmap on W1-shaped inputs from 100 MB to 2 GB: memory must stay flat (within 10%).
#
#   bench/memflat.sh [JSMAP] [SIZES...]      (default: bin/jsmap, 100MB 500MB 2GB)
#
# Inputs are made by bench/genw1 under $DATA (default /tmp/jsmap-memflat, ~2.6 GB, made once) and
# are not kept in the repository. Each size runs with the default -j and with -j 1.
set -euo pipefail
cd "$(dirname "$0")/.."
JSMAP=$(realpath "${1:-bin/jsmap}")
shift || true
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(100MB 500MB 2GB)
DATA=${DATA:-/tmp/jsmap-memflat}
mkdir -p "$DATA"
[ -x /usr/bin/time ] || { echo "memflat.sh: needs /usr/bin/time (apt-get install -y time)" >&2; exit 1; }
go build -o "$DATA/genw1" ./bench/genw1
W1='item => ({id: item.id, name: item.name.toUpperCase(), score2: item.score * 2, n: item.tags.length})'
printf '| input | jobs | wall s | peak RSS MB |\n|---|---|---|---|\n'
for s in "${SIZES[@]}"; do
  f=$DATA/w1-$s.json
  [ -s "$f" ] || "$DATA/genw1" -size "$s" -o "$f"
  for j in default 1; do
    jobs=(); [ "$j" = default ] || jobs=(-j "$j")
    out=$( { /usr/bin/time -f '%e %M' "$JSMAP" -q "${jobs[@]}" -o /dev/null -e "$W1" "$f" 2>&1 >/dev/null; } | tail -1)
    read -r wall kb <<<"$out"
    printf '| %s (%d MB) | %s | %s | %d |\n' "$s" $(( $(stat -c %s "$f") / 1000000 )) "$j" "$wall" $(( kb / 1024 ))
  done
done
