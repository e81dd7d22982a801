#!/usr/bin/env bash
# Team-mode benchmark: starts a throwaway PostgreSQL cluster on 127.0.0.1,
# loads the 10k- and 100k-item portfolios (200 items a strategy) into it,
# and times one-strategy commands against psql running the equivalent
# SELECT (process start included on both sides), item update against psql
# running the same UPDATE and INSERT in a transaction, and the same
# commands on SQLite files beside them. Then 8 writers make 40 changes
# each at once, and every change is counted.
#
#   bash benches/team.sh           # about five minutes on a 2-core machine
#   RUNS=20 bash benches/team.sh   # more runs per command
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-10}
work=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$work"

need() { command -v "$1" >/dev/null 2>&1; }
if ! need hyperfine || ! need psql || ! [ -x /usr/bin/time ]; then
  echo "installing hyperfine, postgresql and time from Debian's packages" >&2
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq >/dev/null
  $sudo apt-get install -y -qq hyperfine postgresql time >/dev/null
fi
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)

cargo build --release --quiet --bin strat --example synth
strat=$PWD/target/release/strat
synth=$PWD/target/release/examples/synth
export STRAT_TODAY=2026-11-23 STRAT_USER=bench NO_COLOR=1

# The cluster: a folder of its own (kept in BENCH_DIR, so a second run
# reuses its databases), a free port, stopped on the way out.
cluster=$work/cluster
mkdir -p "$cluster"
as_owner=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$cluster"
  as_owner=(runuser -u postgres --)
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
[ -d "$cluster/data" ] ||
  "${as_owner[@]}" "$bin/initdb" -D "$cluster/data" -U strat --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${as_owner[@]}" "$bin/pg_ctl" -D "$cluster/data" -l "$cluster/log" -w \
  -o "-p $port -k $cluster -c listen_addresses=127.0.0.1 -c max_connections=100 -c shared_buffers=256MB" start >/dev/null
trap '"${as_owner[@]}" "$bin/pg_ctl" -D "$cluster/data" -m fast -w stop >/dev/null' EXIT
url() { echo "postgres://strat@127.0.0.1:$port/$1"; }
psql_at() { echo "psql -X -q -A -t -h 127.0.0.1 -p $port -U strat -d $1"; }

for size in 10000 100000; do
  strategies=$((size / 200))
  doc=$work/portfolio-$size.json
  echo "building the $size-item portfolio ($strategies strategies)" >&2
  [ -s "$doc" ] || "$synth" --strategies "$strategies" --items "$size" > "$doc"
  if ! $(psql_at postgres) -c "SELECT 1 FROM pg_database WHERE datname = 'p$size'" | grep -q 1; then
    $(psql_at postgres) -c "CREATE DATABASE p$size" >/dev/null
    "$strat" --db "$(url "p$size")" import "$doc" 2>/dev/null
    $(psql_at "p$size") -c "VACUUM ANALYZE" >/dev/null
  fi
  db=$work/strat-$size.db
  if ! [ -s "$db" ]; then
    rm -f "$db" "$db-wal" "$db-shm"
    "$strat" --db "$db" import "$doc" 2>/dev/null
  fi
done

# What psql runs as the floor: the rows strat reads, as strat reads them.
items_sql="SELECT i.* FROM item i JOIN strategy s ON s.id = i.strategy_id WHERE s.code = 'prog-0007' ORDER BY i.id"
outstanding_sql="SELECT i.* FROM item i JOIN strategy s ON s.id = i.strategy_id WHERE s.code = 'prog-0007' AND i.status IN ('planned', 'in-progress', 'on-hold') ORDER BY i.due IS NULL, i.due, i.id"
notes_sql="SELECT e.item_id, e.note FROM event e JOIN item i ON i.id = e.item_id JOIN strategy s ON s.id = i.strategy_id WHERE s.code = 'prog-0007' AND e.note IS NOT NULL ORDER BY e.at, e.id"
now="to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD') || 'T' || to_char(clock_timestamp() AT TIME ZONE 'UTC', 'HH24:MI:SS.US') || 'Z'"
# The update's floor writes what strat's does: the item's times, and an
# event holding from STRAT_TODAY, so the history stays whole.
update_sql="BEGIN ISOLATION LEVEL SERIALIZABLE; UPDATE item SET updated_at = greatest(updated_at, $now), last_update = '$STRAT_TODAY' WHERE id = 7; INSERT INTO event (item_id, at, effective, by, action, changes, note) VALUES (7, $now, '$STRAT_TODAY', 'bench', 'noted', '[]', 'bench'); COMMIT;"

results=$work/team.tsv
: > "$results"

# time_it NAME SIZE COMMAND: median seconds (hyperfine) and peak KB (time -v)
time_it() {
  local name=$1 size=$2 cmd=$3
  local json=$work/team-$name-$size.json
  json=${json// /-}
  hyperfine --style none --runs "$runs" --warmup 2 -N --export-json "$json" "$cmd" >/dev/null 2>&1 \
    || hyperfine --style none --runs "$runs" --warmup 2 --export-json "$json" "$cmd" >/dev/null
  local kb
  /usr/bin/time -f '%M' -o "$work/mem" bash -c "exec $cmd" >/dev/null 2>&1 || true
  kb=$(tail -1 "$work/mem")
  local median
  median=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['results'][0]['median'])" "$json")
  printf '%s\t%s\t%s\t%s\n' "$name" "$size" "$median" "$kb" >> "$results"
}

args_for() {
  case $1 in
    "outstanding") echo "outstanding prog-0007" ;;
    "item list") echo "item list prog-0007" ;;
    "report") echo "report prog-0007" ;;
    "item update") echo "item update 7 --note bench" ;;
  esac
}
floor_for() {
  local p
  p=$(psql_at "p$2")
  case $1 in
    "outstanding") echo "$p -c \"$outstanding_sql\"" ;;
    "item list") echo "$p -c \"$items_sql\"" ;;
    "report") echo "$p -c \"$items_sql\" -c \"$notes_sql\"" ;;
    "item update") echo "$p -c \"$update_sql\"" ;;
  esac
}

# Each command at both sizes, its floor and the same command on a file,
# one after the other: each ratio compares runs made within seconds.
for name in "outstanding" "item list" "report" "item update"; do
  a=$(args_for "$name")
  time_it "pg: $name" 10000 "$strat --db $(url p10000) $a"
  time_it "pg: $name" 100000 "$strat --db $(url p100000) $a"
  time_it "psql: $name" 100000 "$(floor_for "$name" 100000)"
  time_it "sqlite: $name" 100000 "$strat --db $work/strat-100000.db $a"
done

# 8 writers, 40 changes each, at once, on four outstanding items of one
# strategy.
mapfile -t targets < <($(psql_at p100000) -c "SELECT i.id FROM item i JOIN strategy s ON s.id = i.strategy_id \
  WHERE s.code = 'prog-0007' AND i.status IN ('planned', 'in-progress', 'on-hold') ORDER BY i.id LIMIT 4")
: > "$work/writers.err"
before=$($(psql_at p100000) -c "SELECT count(*) FROM event WHERE note LIKE 'writer % change %'")
started=$(date +%s.%N)
for w in 0 1 2 3 4 5 6 7; do
  (
    for n in $(seq 0 39); do
      id=${targets[$(( (w + n) % 4 ))]}
      if [ $((n % 2)) = 0 ]; then
        "$strat" --db "$(url p100000)" item update "$id" --progress $(( (w * 40 + n) % 99 + 1 )) \
          --note "writer $w change $n" >/dev/null 2>>"$work/writers.err"
      else
        "$strat" --db "$(url p100000)" item update "$id" --owner "team $w.$n" \
          --note "writer $w change $n" >/dev/null 2>>"$work/writers.err"
      fi
    done
  ) &
done
wait
elapsed=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$started" "$(date +%s.%N)")
after=$($(psql_at p100000) -c "SELECT count(*) FROM event WHERE note LIKE 'writer % change %'")
kept=$((after - before))
failed=$(grep -c 'strat:' "$work/writers.err" || true)
check=$( ("$strat" --db "$(url p100000)" --format json check || true) |
  python3 -c "import json,sys; print(json.load(sys.stdin)['ok'])")

python3 - "$results" "$kept" "$elapsed" "${failed:-0}" "$check" <<'PY'
import sys, platform, os
rows = {}
for line in open(sys.argv[1]):
    name, size, median, kb = line.rstrip("\n").split("\t")
    rows[(name, int(size))] = (float(median), int(kb) if kb.isdigit() else 0)
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
print(f"strat team-mode benchmark on {cpu}, {os.cpu_count()} cores; medians of hyperfine runs")
print()
print("| command | PostgreSQL 10k | PostgreSQL 100k | 100k ÷ psql | 100k ÷ 10k | SQLite 100k | peak memory (PostgreSQL 100k) |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for name in ["outstanding", "item list", "report", "item update"]:
    small, big = rows[(f"pg: {name}", 10000)], rows[(f"pg: {name}", 100000)]
    floor = rows[(f"psql: {name}", 100000)][0]
    lite = rows[(f"sqlite: {name}", 100000)][0]
    print(f"| {name} | {small[0]*1000:.1f} ms | {big[0]*1000:.1f} ms | {big[0]/floor:.2f}× | {big[0]/small[0]:.2f}× | {lite*1000:.1f} ms | {big[1]/1024:.1f} MB |")
print()
print("psql floors at 100k: " + ", ".join(
    f"{n} {rows[(f'psql: {n}', 100000)][0]*1000:.1f} ms" for n in ["outstanding", "item list", "report", "item update"]))
kept, elapsed, failed, check = sys.argv[2:6]
print()
print(f"8 writers × 40 changes at once: {kept} of 320 kept, in {elapsed} s; {failed} refused; check ok: {check}")
PY
