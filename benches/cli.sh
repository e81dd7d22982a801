#!/usr/bin/env bash
# Whole-process benchmark: builds 10k- and 100k-item portfolios (200 items a
# strategy in both), times strat commands with hyperfine, and prints each as
# a ratio to the same work done by the sqlite3 shell on the same file, with
# peak memory from /usr/bin/time.
#
#   bash benches/cli.sh            # about five minutes on a 2-core machine
#   RUNS=20 bash benches/cli.sh    # more runs per command
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-10}
work=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$work"

need() { command -v "$1" >/dev/null 2>&1; }
if ! need hyperfine || ! need sqlite3 || ! [ -x /usr/bin/time ]; then
  echo "installing hyperfine, sqlite3 and time from Debian's packages" >&2
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq >/dev/null
  $sudo apt-get install -y -qq hyperfine sqlite3 time >/dev/null
fi

cargo build --release --quiet --bin strat --example synth
strat=$PWD/target/release/strat
synth=$PWD/target/release/examples/synth
export STRAT_TODAY=2026-11-23 STRAT_USER=bench NO_COLOR=1

# The SELECTs the sqlite3 shell runs as the floor: the same rows strat reads.
items_sql="SELECT i.* FROM item i JOIN strategy s ON s.id = i.strategy_id WHERE s.code = 'prog-0007' ORDER BY i.id"
outstanding_sql="SELECT i.* FROM item i JOIN strategy s ON s.id = i.strategy_id WHERE s.code = 'prog-0007' AND i.status IN ('planned', 'in-progress', 'on-hold') ORDER BY i.due IS NULL, i.due, i.id"
notes_sql="SELECT e.item_id, e.note FROM event e JOIN item i ON i.id = e.item_id JOIN strategy s ON s.id = i.strategy_id WHERE s.code = 'prog-0007' AND e.note IS NOT NULL ORDER BY e.at, e.id"
all_sql="SELECT i.*, s.code FROM item i JOIN strategy s ON s.id = i.strategy_id ORDER BY i.id; SELECT e.item_id, e.note FROM event e WHERE e.note IS NOT NULL"
export_sql="SELECT * FROM strategy; SELECT i.*, s.code FROM item i JOIN strategy s ON s.id = i.strategy_id ORDER BY i.id; SELECT * FROM event ORDER BY id; SELECT * FROM strategy_event"
update_sql="BEGIN IMMEDIATE; UPDATE item SET updated_at = max(updated_at, strftime('%Y-%m-%dT%H:%M:%f000Z')) WHERE id = 7; INSERT INTO event (item_id, at, effective, by, action, changes, note) VALUES (7, strftime('%Y-%m-%dT%H:%M:%f000Z'), date('now', 'localtime'), 'bench', 'noted', '[]', 'bench'); COMMIT;"

results=$work/results.tsv
: > "$results"

# time_it NAME SIZE COMMAND: median seconds (hyperfine) and peak KB (time -v)
time_it() {
  local name=$1 size=$2 cmd=$3 prepare=${4:-}
  local json=$work/$name-$size.json
  if [ -n "$prepare" ]; then
    hyperfine --style none --runs "$runs" --warmup 1 --prepare "$prepare" --export-json "$json" "$cmd" >/dev/null
  else
    hyperfine --style none --runs "$runs" --warmup 2 -N --export-json "$json" "$cmd" >/dev/null 2>&1 \
      || hyperfine --style none --runs "$runs" --warmup 2 --export-json "$json" "$cmd" >/dev/null
  fi
  [ -z "$prepare" ] || eval "$prepare"
  local kb
  /usr/bin/time -f '%M' -o "$work/mem" bash -c "exec $cmd" >/dev/null 2>&1 || true
  kb=$(tail -1 "$work/mem")
  local median
  median=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['results'][0]['median'])" "$json")
  printf '%s\t%s\t%s\t%s\n' "$name" "$size" "$median" "$kb" >> "$results"
}

for size in 10000 100000; do
  strategies=$((size / 200))
  doc=$work/portfolio-$size.json
  db=$work/strat-$size.db
  echo "building the $size-item portfolio ($strategies strategies)" >&2
  "$synth" --strategies "$strategies" --items "$size" > "$doc"
  rm -f "$db" "$db-wal" "$db-shm"
  "$strat" --db "$db" import "$doc" 2>/dev/null
done

# The command NAME runs at SIZE items, and what prepares each run.
command_for() {
  local db=$work/strat-$2.db doc=$work/portfolio-$2.json
  local s="$strat --db $db"
  case $1 in
    "outstanding") echo "$s outstanding prog-0007" ;;
    "item list") echo "$s item list prog-0007" ;;
    "report") echo "$s report prog-0007" ;;
    "report all json") echo "$s --format json report" ;;
    "item update") echo "$s item update 7 --note bench" ;;
    "import") echo "$strat --db $work/import-$2.db import $doc" ;;
    "export") echo "$s export" ;;
    "report compare") echo "$s report prog-0007 --compare 2025-06-30" ;;
    "report as-of all json") echo "$s --format json report --as-of 2025-06-30" ;;
    "outstanding stale json") echo "$s --format json outstanding --stale 90d" ;;
    "report all html") echo "$s --format html report" ;;
    "undo") echo "$s undo" ;;
    # A table fitted to 80 columns with one title of SIZE bytes.
    "long title") echo "env COLUMNS=80 $strat --db $work/long-$2.db item list" ;;
    "long title piped") echo "$strat --db $work/long-$2.db item list" ;;
    "floor: outstanding") echo "sqlite3 $db \"$outstanding_sql\"" ;;
    "floor: item list") echo "sqlite3 $db \"$items_sql\"" ;;
    "floor: report") echo "sqlite3 $db \"$items_sql; $notes_sql\"" ;;
    "floor: report all") echo "sqlite3 $db \"$all_sql\"" ;;
    "floor: update") echo "sqlite3 $db \"$update_sql\"" ;;
    "floor: export") echo "sqlite3 $db \"$export_sql\"" ;;
    # The import's floor: the sqlite3 shell writing the same rows through
    # the same schema (its CHECKs and indexes), from the database strat
    # built. `WHERE id > 0` stops SQLite copying pages unchecked.
    "floor: import")
      local copy="PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF; ATTACH '$db' AS o; BEGIN;"
      for t in strategy item command event strategy_event; do
        copy="$copy INSERT INTO $t SELECT * FROM o.$t WHERE id > 0;"
      done
      echo "sqlite3 $work/floor-$2.db \"$copy COMMIT;\"" ;;
  esac
}
prepare_for() {
  case $1 in
    "undo") echo "$strat --db $work/strat-$2.db item update 7 --note bench" ;;
    "import") echo "rm -f $work/import-$2.db $work/import-$2.db-wal $work/import-$2.db-shm" ;;
    "floor: import") echo "rm -f $work/floor-$2.db*; sqlite3 $work/floor-$2.db < $PWD/schema.sql" ;;
  esac
}

# Each command at both sizes and its floor one after the other: the
# machine's speed drifts over minutes, and each ratio compares runs made
# within the same few seconds.
for name in "outstanding" "item list" "report" "report all json" "item update" "import" "export"; do
  floor_name="floor: ${name% json}"
  [ "$name" = "item update" ] && floor_name="floor: update"
  time_it "$name" 10000 "$(command_for "$name" 10000)" "$(prepare_for "$name" 10000)"
  time_it "$name" 100000 "$(command_for "$name" 100000)" "$(prepare_for "$name" 100000)"
  time_it "$floor_name" 100000 "$(command_for "$floor_name" 100000)" \
    "$(prepare_for "$floor_name" 100000)"
done

# The views of reporting periods, against the one-strategy report above.
for name in "report compare" "report as-of all json" "outstanding stale json" "report all html"; do
  time_it "$name" 10000 "$(command_for "$name" 10000)" ""
  time_it "$name" 100000 "$(command_for "$name" 100000)" ""
done

# Taking back a one-item update, prepared by making it each time.
time_it "undo" 10000 "$(command_for "undo" 10000)" "$(prepare_for "undo" 10000)"
time_it "undo" 100000 "$(command_for "undo" 100000)" "$(prepare_for "undo" 100000)"

# One very long title, 4 MB and 16 MB: drawing costs what the text does.
for bytes in 4000000 16000000; do
  long=$work/long-$bytes.db
  rm -f "$long" "$long-wal" "$long-shm"
  "$strat" --db "$long" strategy add long --title Long --period 2024-2027 >/dev/null 2>&1
  "$strat" --db "$long" item add long "Long" >/dev/null 2>&1
  python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('UPDATE item SET title=? WHERE id=1', ('word ' * (int(sys.argv[2]) // 5),)); c.commit()" "$long" "$bytes"
  time_it "long title" "$bytes" "$(command_for "long title" "$bytes")" ""
  time_it "long title piped" "$bytes" "$(command_for "long title piped" "$bytes")" ""
done

# A spreadsheet of 10,000 items added to a strategy of its own, then a
# return of all 10,000 with each progress changed, applied with --update.
python3 - "$work" <<'PY'
import sys
work = sys.argv[1]
with open(f"{work}/plan-10k.csv", "w", newline="") as f:
    f.write("\ufeffRef,Title,Owner,Status,Progress,Start Date,Due Date,Notes\r\n")
    for n in range(10000):
        f.write(f"R{n:05},Return item {n},Team {n % 40},In Progress,{n % 90}%,01/04/2025,{1 + n % 28}/03/2027,\r\n")
with open(f"{work}/return-10k.csv", "w", newline="") as f:
    f.write("Ref,Progress,Notes\r\n")
    for n in range(10000):
        f.write(f"R{n:05},{n % 90 + 5}%,Q3 return {n}\r\n")
PY
base=$work/sheet-base.db
rm -f "$base"* && cp "$work/strat-10000.db" "$base"
"$strat" --db "$base" strategy add ret --title Return --period 2024-2027 >/dev/null 2>&1
filled=$work/sheet-filled.db
rm -f "$filled"* && cp "$base" "$filled"
"$strat" --db "$filled" import "$work/plan-10k.csv" --strategy ret >/dev/null 2>&1
time_it "sheet import" 10000 "$strat --db $work/sheet.db import $work/plan-10k.csv --strategy ret" \
  "rm -f $work/sheet.db*; cp $base $work/sheet.db"
time_it "return update" 10000 "$strat --db $work/sheet.db import $work/return-10k.csv --strategy ret --update" \
  "rm -f $work/sheet.db*; cp $filled $work/sheet.db"

# Peak memory of read commands over the whole 100k portfolio, in every
# format, one run each: memory does not drift as time does.
memory=$work/memory.tsv
: > "$memory"
db=$work/strat-100000.db
for cmd in "item list" "outstanding" "report" "item list --as-of 2025-06-30" \
    "outstanding --as-of 2025-06-30" "report --as-of 2025-06-30" "check"; do
  for format in table json csv markdown; do
    # shellcheck disable=SC2086
    /usr/bin/time -f '%M' -o "$work/mem" "$strat" --db "$db" --format $format $cmd >/dev/null 2>&1 || true
    printf '%s\t%s\t%s\n' "$cmd" "$format" "$(tail -1 "$work/mem")" >> "$memory"
  done
done

python3 - "$results" "$memory" <<'PY'
import sys, platform, os
rows = {}
for line in open(sys.argv[1]):
    name, size, median, kb = line.rstrip("\n").split("\t")
    rows[(name, int(size))] = (float(median), int(kb) if kb.isdigit() else 0)
floor = {"outstanding": "floor: outstanding", "item list": "floor: item list",
         "report": "floor: report", "report all json": "floor: report all",
         "item update": "floor: update", "import": "floor: import",
         "export": "floor: export"}
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
print(f"strat benchmark on {cpu}, {os.cpu_count()} cores; medians of hyperfine runs")
print()
print("| command | 10k median | 100k median | 100k ÷ sqlite3 floor | 100k ÷ 10k | peak memory (100k) |")
print("| --- | --- | --- | --- | --- | --- |")
for name in ["outstanding", "item list", "report", "report all json", "item update", "import", "export"]:
    small, big = rows[(name, 10000)], rows[(name, 100000)]
    f = floor.get(name)
    ratio = f"{big[0] / rows[(f, 100000)][0]:.2f}×" if f else "—"
    print(f"| {name} | {small[0]*1000:.1f} ms | {big[0]*1000:.1f} ms | {ratio} | {big[0]/small[0]:.2f}× | {big[1]/1024:.1f} MB |")
print()
print("sqlite3 floors at 100k: " + ", ".join(
    f"{n.split(': ')[1]} {rows[(n, 100000)][0]*1000:.1f} ms" for n in floor.values()))
print()
print("Reporting periods (ratios within this run):")
print()
print("| command | 10k median | 100k median | 100k ÷ 10k | ÷ one-strategy report (100k) | peak memory (100k) |")
print("| --- | --- | --- | --- | --- | --- |")
report = rows[("report", 100000)][0]
for name in ["report compare", "report as-of all json", "outstanding stale json", "report all html"]:
    small, big = rows[(name, 10000)], rows[(name, 100000)]
    print(f"| {name} | {small[0]*1000:.1f} ms | {big[0]*1000:.1f} ms | {big[0]/small[0]:.2f}× | {big[0]/report:.2f}× | {big[1]/1024:.1f} MB |")
html, json_all = rows[("report all html", 100000)][0], rows[("report all json", 100000)][0]
print()
print(f"report of everything as HTML: {html / json_all:.2f}× as JSON at 100k")
undo = rows[("undo", 100000)][0]
print()
print(f"undo of a one-item update: {rows[('undo', 10000)][0]*1000:.1f} ms at 10k, {undo*1000:.1f} ms at 100k ({undo / rows[('item update', 100000)][0]:.2f}× item update)")
print()
print("One long title (item list):")
print()
print("| title | fitted to 80 columns | piped | peak memory (fitted) |")
print("| --- | --- | --- | --- |")
for size in [4000000, 16000000]:
    fitted, piped = rows[("long title", size)], rows[("long title piped", size)]
    print(f"| {size // 1000000} MB | {fitted[0]*1000:.0f} ms | {piped[0]*1000:.0f} ms | {fitted[1]/1024:.1f} MB |")
print()
print(f"A 10,000-row spreadsheet into a strategy: {rows[('sheet import', 10000)][0]*1000:.0f} ms ({rows[('sheet import', 10000)][1]/1024:.1f} MB); a 10,000-row return with --update: {rows[('return update', 10000)][0]*1000:.0f} ms ({rows[('return update', 10000)][1]/1024:.1f} MB)")
big, small = rows[("long title", 16000000)][0], rows[("long title", 4000000)][0]
print(f"\n16 MB ÷ 4 MB, fitted: {big / small:.2f}× (linear is 4×)")
memory = {}
for line in open(sys.argv[2]):
    cmd, fmt, kb = line.rstrip("\n").split("\t")
    memory.setdefault(cmd, {})[fmt] = f"{int(kb)/1024:.1f} MB" if kb.isdigit() else "?"
print()
print("Peak memory over every strategy at 100k (output to a pipe):")
print()
print("| command | table | json | csv | markdown |")
print("| --- | --- | --- | --- | --- |")
for cmd, by in memory.items():
    print(f"| {cmd} | {by['table']} | {by['json']} | {by['csv']} | {by['markdown']} |")
PY
