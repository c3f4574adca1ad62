#!/usr/bin/env bash
# City-scale benchmark: generates an installation, then measures the API with wrk and curl, and
# the import of a roster with the CLI. Figures go to docs/performance.md by hand.
#
#   bash bench/run.sh sqlite|postgres
#
# Environment (defaults in brackets):
#   BENCH_MEMBERS [500000]  BENCH_ORGS [25000]   size of the generated installation
#   BENCH_IMPORT [100000]   rows of the roster imported with `dangjian import`
#   BENCH_XLSX [1]          also import an .xlsx of the same size (needs python xlsxwriter)
#   BENCH_DURATION [10s]    wrk duration per endpoint; 2 threads, 16 connections (32 for the
#                           organisational-life endpoints)
#   BENCH_YEARS [3]         years of meetings `gen --years` writes for the installation
#   BENCH_BIN               a dangjian binary to use instead of `cargo build --release -p dangjian`
#   BENCH_PG [postgres://postgres@127.0.0.1]  PostgreSQL server (a superuser, for CREATE DATABASE)
#   BENCH_KEEP [0]          1 = keep the temp dir / PostgreSQL database afterwards (with the
#                           data key, so that BENCH_REUSE can open it again)
#   BENCH_REUSE             a directory kept by BENCH_KEEP=1: measure that installation again,
#                           without gen (set BENCH_KEEP=1 again to keep it once more)
#   BENCH_OUT               results file [/tmp/dangjian-bench-<backend>-<date>.md]
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
repo=$(pwd)
exec </dev/null

backend=${1:-}
case "$backend" in sqlite|postgres) ;; *) echo "usage: bash bench/run.sh sqlite|postgres" >&2; exit 2 ;; esac
members=${BENCH_MEMBERS:-500000}
orgs=${BENCH_ORGS:-25000}
import_rows=${BENCH_IMPORT:-100000}
duration=${BENCH_DURATION:-10s}
years=${BENCH_YEARS:-3}
conns=16
pg=${BENCH_PG:-postgres://postgres@127.0.0.1}
stamp=$(date +%Y%m%d-%H%M%S)
out=${BENCH_OUT:-/tmp/dangjian-bench-$backend-$stamp.md}

say() { printf '%s\n' "$*" | tee -a "$out"; }
now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$2"; }

# --- tools ----------------------------------------------------------------------------------
if [ -n "${BENCH_BIN:-}" ]; then
  bin=$(readlink -f "$BENCH_BIN")
  source_rev="given by BENCH_BIN"
else
  cargo build --release -p dangjian
  bin=$(readlink -f "${CARGO_TARGET_DIR:-target}/release/dangjian")
  source_rev="commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo ' + local changes')"
fi
if ! command -v wrk >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) >/dev/null
fi
command -v python3 >/dev/null || { echo "python3 is needed (JSON and the roster file)" >&2; exit 1; }

# --- a fresh installation (or one kept by an earlier run: BENCH_REUSE) ---------------------------
reuse=${BENCH_REUSE:-}
pgdb=""
if [ -n "$reuse" ]; then
  work=$(readlink -f "$reuse")
  [ -f "$work/data-key" ] && [ -f "$work/root" ] || { echo "$work was not kept by bench/run.sh (no data-key or root file)" >&2; exit 1; }
  DANGJIAN_DATA_KEY=$(cat "$work/data-key")
  read -r root_code root_id <"$work/root"
  pgdb=$(cat "$work/pgdb" 2>/dev/null || true)
else
  work=$(mktemp -d -t dangjian-bench.XXXXXX)
  DANGJIAN_DATA_KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
fi
export DANGJIAN_DATA_KEY
export DANGJIAN_LOG=${DANGJIAN_LOG:-warn}
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  cd "$repo"
  if [ "${BENCH_KEEP:-0}" != 1 ]; then
    rm -rf "$work"
    if [ -n "$pgdb" ]; then psql "$pg/postgres" -qc "DROP DATABASE IF EXISTS $pgdb WITH (FORCE)" >/dev/null 2>&1 || true; fi
  else
    echo "kept: $work ${pgdb:+and database $pgdb}"
  fi
}
trap cleanup EXIT

if [ "$backend" = sqlite ]; then
  export DANGJIAN_DATABASE=$work/bench.db
else
  if [ -z "$pgdb" ]; then
    pgdb=bench_$(date +%s)_$$
    psql "$pg/postgres" -qc "CREATE DATABASE $pgdb" >/dev/null
  fi
  export DANGJIAN_DATABASE=$pg/$pgdb
fi
cd "$work"

: >"$out"
say "# dangjian benchmark, $backend, $(date '+%Y-%m-%d %H:%M %Z')"
say ""
say "- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(free -h | awk '/^Mem:/ {print $2}') RAM"
say "- binary: $bin ($("$bin" --version)), $source_rev"
say "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
say "- backend: $backend${pgdb:+ ($(psql -Atc 'SHOW server_version' "$pg/postgres"))}"
say ""

if [ -n "$reuse" ]; then
  say "- reused the installation kept in $work (gen skipped; earlier runs' recorded meetings and imported rows are in it); root $root_code (id $root_id)"
else
  t0=$(now)
  gen_out=$("$bin" gen --members "$members" --orgs "$orgs" --years "$years")
  t1=$(now)
  echo "$gen_out"
  root_code=$(sed -n 's/.*root code \([^ ]*\) (id \([0-9]*\)).*/\1/p' <<<"$gen_out")
  root_id=$(sed -n 's/.*root code \([^ ]*\) (id \([0-9]*\)).*/\2/p' <<<"$gen_out")
  [ -n "$root_code" ] && [ -n "$root_id" ] || { echo "cannot read the root from: $gen_out" >&2; exit 1; }
  say "- \`dangjian gen --members $members --orgs $orgs --years $years\`: $(sed -n 's/.*orgs, .* members, \([0-9]*\) 次会议 meetings, \([0-9]*\) 条出席记录.*/\1 meetings, \2 attendance rows/p' <<<"$gen_out"), $(elapsed "$t0" "$t1") s wall ($(sed -n 's/.*用时 \([0-9.]*\) s.*/\1/p' <<<"$gen_out") s reported); root $root_code (id $root_id)"
  # What BENCH_REUSE needs to open this installation again (the key never leaves $work).
  (umask 077 && printf '%s\n' "$DANGJIAN_DATA_KEY" >"$work/data-key")
  printf '%s %s\n' "$root_code" "$root_id" >"$work/root"
  [ -z "$pgdb" ] || printf '%s\n' "$pgdb" >"$work/pgdb"
fi

# (The password may not contain the user name, so the account is not called "bench".) A
# reused installation has the accounts already, with the password changed below.
"$bin" user create perf --role org_admin --org "$root_code" --password 'Bench@2026x' >/dev/null || [ -n "$reuse" ]

# --- the server -------------------------------------------------------------------------------
"$bin" serve --bind 127.0.0.1:0 >"$work/serve.out" 2>"$work/serve.log" &
server_pid=$!
base=""
for _ in $(seq 1 600); do
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  base=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/serve.out" | head -n 1 || true)
  [ -n "$base" ] && curl -fsS "$base/healthz" >/dev/null 2>&1 && break
  base=""; sleep 0.2
done
[ -n "$base" ] || { echo "server did not start" >&2; exit 1; }

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {}, {'d': d}))" "$1"; }
login() {
  curl -fsS -H 'content-type: application/json' -d "{\"username\":\"${2:-perf}\",\"password\":\"$1\"}" "$base/api/v1/login"
}
first=$(login 'Bench@2026x' 2>/dev/null || login 'Bench@2026y!')
if [ "$(json 'd["must_change_password"]' <<<"$first")" = True ]; then
  t=$(json 'd["token"]' <<<"$first")
  code=$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $t" -H 'content-type: application/json' \
    -d '{"old_password":"Bench@2026x","new_password":"Bench@2026y!"}' "$base/api/v1/me/password")
  if [ "$code" != 204 ]; then
    # At commit c2812d5 the API answers a must-change session with a redirect to /password
    # (auth.rs sees the path without its /api/v1 prefix); the page form does the same change.
    echo "POST /api/v1/me/password answered $code; changing the password with the /password form"
    curl -sS -o /dev/null -H "Cookie: dj_session=$t" --data-urlencode "_csrf=$(json 'd["csrf_token"]' <<<"$first")" \
      --data-urlencode 'old_password=Bench@2026x' --data-urlencode 'new_password=Bench@2026y!' \
      --data-urlencode 'confirm=Bench@2026y!' "$base/password"
  fi
  token=$(login 'Bench@2026y!' | json 'd["token"]')
else
  token=$(json 'd["token"]' <<<"$first")
fi
auth=(-H "Authorization: Bearer $token")
api() { curl -fsS "${auth[@]}" "$base/api/v1$1"; }

mid_id=$(api "/orgs?parent=$root_id&per_page=1" | json 'd["items"][0]["id"]')
mid_kind=$(api "/orgs/$mid_id" | json 'd["kind"]')
general_id=$(api "/orgs?parent=$mid_id&per_page=1" | json 'd["items"][0]["id"]')
branch_codes=$(api "/orgs?parent=$general_id&per_page=20" | json '",".join(o["code"] for o in d["items"] if o["kind"] == "branch")')
mid_members=$(api "/orgs/$mid_id/stats" | json 'd["members"]')
children=$(api "/orgs/$root_id/children" 2>/dev/null | json 'len(d)' 2>/dev/null || echo "?")

# The most common two-character name prefix and the most common three-character name.
if [ "$backend" = sqlite ]; then
  q() { python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])" "$DANGJIAN_DATABASE" "$1"; }
else
  q() { psql -Atc "$1" "$DANGJIAN_DATABASE"; }
fi
prefix2=$(q "SELECT substr(name, 1, 2) FROM members WHERE tenant_id = $root_id GROUP BY substr(name, 1, 2) ORDER BY COUNT(*) DESC LIMIT 1")
rare2=$(q "SELECT p FROM (SELECT substr(name, 1, 2) AS p, COUNT(*) AS n FROM members WHERE tenant_id = $root_id GROUP BY substr(name, 1, 2)) t WHERE n BETWEEN 3 AND 10 ORDER BY n, p LIMIT 1")
name3=$(q "SELECT name FROM members WHERE tenant_id = $root_id AND length(name) = 3 GROUP BY name ORDER BY COUNT(*) DESC LIMIT 1")
enc() { python3 -c "import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))" "$1"; }

say "- tree: root $root_id has $children children; mid-level org $mid_id ($mid_kind, $mid_members members); branches for the import under $general_id"
say "- searches: most common 2-character prefix \"$prefix2\", a rare one \"$rare2\", most common 3-character name \"$name3\""
say ""

endpoints=(
  "a. root stats|/orgs/$root_id/stats"
  "b. mid-level stats|/orgs/$mid_id/stats"
  "c. common 2-char prefix|/members?q=$(enc "$prefix2")"
  "c2. rare 2-char prefix|/members?q=$(enc "$rare2")"
  "d. 3-char name search|/members?q=$(enc "$name3")"
  "e. root list, page 50|/members?org=$root_id&page=50"
  "f. root children|/orgs/$root_id/children"
)

to_ms() { # wrk prints 812.00us, 12.34ms, 1.02s
  python3 -c "import sys,re
v=sys.argv[1]; m=re.match(r'([0-9.]+)(us|ms|s|m)', v)
x=float(m.group(1)); print(f'{x/1000 if m.group(2)==\"us\" else x if m.group(2)==\"ms\" else x*1000 if m.group(2)==\"s\" else x*60000:.1f}')" "$1"
}
median_ms() { # curl's time_total values (s) → their median in ms
  python3 -c "import sys,statistics; print(f'{statistics.median(float(x) for x in sys.argv[1:])*1000:.1f}')" "$@"
}
measure() {
  say "| endpoint | path | first request (ms) | single request, median of 21 (ms) | wrk req/s | wrk avg (ms) | wrk p50 (ms) | wrk p99 (ms) | hits |"
  say "|---|---|---|---|---|---|---|---|---|"
  local e label path url code first body hits times median w rps avg p50 p99 bad
  for e in "${endpoints[@]}"; do
    label=${e%%|*}
    path=${e#*|}
    url="$base/api/v1$path"
    # The first request pays for what a node loads once (the period's counts for a large subtree).
    read -r code first < <(curl -sS -o "$work/body" -w '%{http_code} %{time_total}\n' "${auth[@]}" "$url")
    first=$(python3 -c "print(f'{float(\"$first\")*1000:.1f}')")
    if [ "$code" != 200 ]; then
      say "| $label | \`${path}\` | **HTTP $code** ($(json 'd.get("code", "")' <"$work/body" 2>/dev/null || true)) | | | | | | |"
      continue
    fi
    body=$(cat "$work/body")
    hits=$(json 'len(d) if isinstance(d, list) else d.get("total", d.get("members", ""))' <<<"$body")
    times=()
    for _ in $(seq 1 21); do times+=("$(curl -fsS -o /dev/null -w '%{time_total}' "${auth[@]}" "$url")"); done
    median=$(median_ms "${times[@]}")
    w=$(wrk -t2 -c"$conns" -d"$duration" --latency "${auth[@]}" "$url")
    echo "$w" >>"$work/wrk.log"
    rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$w")
    avg=$(to_ms "$(awk '$1 == "Latency" {print $2; exit}' <<<"$w")")
    p50=$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$w")")
    p99=$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$w")")
    bad=$(awk '/Non-2xx/ {print $NF}' <<<"$w")
    [ -z "$bad" ] || label="$label (**$bad non-2xx**)"
    # wrk gives up on a request after 2 s and leaves it out of the latencies: say so.
    bad=$(awk '/Socket errors/ {gsub(",", ""); print $NF}' <<<"$w")
    [ -z "$bad" ] || [ "$bad" = 0 ] || label="$label (**$bad timeouts**)"
    say "| $label | \`${path}\` | $first | $median | $rps | $avg | $p50 | $p99 | $hits |"
  done
  say ""
}
measure
if [ "$backend" = postgres ]; then
  # Nothing has analysed the freshly loaded tables yet (autovacuum comes later): the plans above
  # are those of the first minutes after a bulk load. The same again with statistics:
  psql -qc ANALYZE "$DANGJIAN_DATABASE"
  say "After \`ANALYZE\`:"
  say ""
  measure
fi

# --- organisational life ---------------------------------------------------------------------
lastq=$(python3 -c "import datetime as d; t=d.datetime.now(d.timezone(d.timedelta(hours=8))).date(); q=(t.month-1)//3; y,q=(t.year,q) if q else (t.year-1,4); print(f'{y}Q{q}')")
thisq=$(python3 -c "import datetime as d; t=d.datetime.now(d.timezone(d.timedelta(hours=8))).date(); print(f'{t.year}Q{(t.month-1)//3+1}')")
# The branch measured: the largest of at most 50 members (支部条例 art. 4: a branch generally has
# no more than 50), so neither the roster imports below nor an earlier run's (BENCH_REUSE) swell it.
branch_id=$(q "SELECT org_id FROM (SELECT org_id, COUNT(*) AS n FROM members WHERE tenant_id = $root_id AND status IN ('full', 'probationary') GROUP BY org_id) t WHERE n <= 50 ORDER BY n DESC, org_id LIMIT 1")
branch_code=$(api "/orgs/$branch_id" | json 'd["code"]')
say "Organisational life ($years years of meetings; $conns → 32 connections): whole tree and one $mid_kind for $lastq, one branch for $thisq"
say ""
conns=32
endpoints=(
  "g. compliance, whole tree, one quarter|/compliance?org=$root_id&period=$lastq&per_page=50"
  "h. compliance, one $mid_kind|/compliance?org=$mid_id&period=$lastq&per_page=50"
  "i. compliance, one branch|/compliance?org=$branch_id&period=$thisq"
  "j. a branch's meetings, newest first|/meetings?org=$branch_id&per_page=20"
  "k. a branch's participation warnings|/participation?org=$branch_id"
)
measure
# The secretary's home page (HTML, as the branch secretary) and recording a meeting with the
# whole roster attending (its own roster by default: the issue asks for 40; generated branches
# average 20, the one measured is the largest), both under 32 connections.
sec_user=sec$branch_id
"$bin" user create "$sec_user" --role secretary --org "$branch_code" --password 'Bench@2026x' >/dev/null || [ -n "$reuse" ]
first=$(login 'Bench@2026x' "$sec_user" 2>/dev/null || login 'Bench@2026y!' "$sec_user")
if [ "$(json 'd["must_change_password"]' <<<"$first")" = True ]; then
  t=$(json 'd["token"]' <<<"$first")
  curl -sS -o /dev/null -H "Authorization: Bearer $t" -H 'content-type: application/json' -d '{"old_password":"Bench@2026x","new_password":"Bench@2026y!"}' "$base/api/v1/me/password"
  sec=$(login 'Bench@2026y!' "$sec_user" | json 'd["token"]')
else
  sec=$(json 'd["token"]' <<<"$first")
fi
roster=$(curl -fsS -H "Authorization: Bearer $sec" "$base/api/v1/members?org=$branch_id&per_page=100" | json 'len([m for m in d["items"] if m["status"] in ("full", "probationary")])')
times=()
for _ in $(seq 1 21); do times+=("$(curl -fsS -o /dev/null -w '%{time_total}' -H "Cookie: dj_session=$sec" "$base/")"); done
home_alone=$(median_ms "${times[@]}")
home=$(wrk -t2 -c32 -d"$duration" --latency -H "Cookie: dj_session=$sec" "$base/")
starts=$(python3 -c "import datetime as d; print(d.datetime.now(d.timezone(d.timedelta(hours=8))).replace(microsecond=0).isoformat())")
cat >"$work/record.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $sec"
wrk.body = '{"org_id": $branch_id, "kinds": ["theme_day"], "starts_at": "$starts", "topic": "压力测试主题党日"}'
LUA
times=()
for _ in $(seq 1 21); do
  times+=("$(curl -fsS -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $sec" -H 'content-type: application/json' \
    -d "{\"org_id\": $branch_id, \"kinds\": [\"theme_day\"], \"starts_at\": \"$starts\", \"topic\": \"单次登记\"}" "$base/api/v1/meetings")")
done
record_alone=$(median_ms "${times[@]}")
record=$(wrk -t2 -c32 -d"$duration" --latency -s "$work/record.lua" "$base/api/v1/meetings")
# The whole tree's report while the secretary keeps recording: every report catches up with the
# organisations marked since the last one (16 connections each).
wrk -t1 -c16 -d"$duration" -s "$work/record.lua" "$base/api/v1/meetings" >"$work/record-bg.log" &
writer=$!
tree_mixed=$(wrk -t1 -c16 -d"$duration" --latency "${auth[@]}" "$base/api/v1/compliance?org=$root_id&period=$lastq&per_page=50")
wait "$writer"
echo "$home" "$record" "$tree_mixed" >>"$work/wrk.log"
row() { # label, wrk output
  local rps avg p50 p99 bad
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$2"); avg=$(to_ms "$(awk '$1 == "Latency" {print $2; exit}' <<<"$2")")
  p50=$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$2")"); p99=$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$2")")
  bad=$(awk '/Non-2xx/ {print $NF}' <<<"$2")
  say "| $1${bad:+ (**$bad non-2xx**)} | $rps | $avg | $p50 | $p99 |"
}
say "| 32 connections | wrk req/s | avg (ms) | p50 (ms) | p99 (ms) |"
say "|---|---|---|---|---|"
row "l. secretary's home page (HTML)" "$home"
row "m. record a meeting, $roster attending (POST)" "$record"
say ""
say "- alone, median of 21: the secretary's home page $home_alone ms; recording one meeting, $roster attending (branch $branch_id), $record_alone ms"
say ""
say "| 16 + 16 connections | wrk req/s | avg (ms) | p50 (ms) | p99 (ms) |"
say "|---|---|---|---|---|"
row "n. compliance, whole tree, 16 connections while 16 record meetings ($(awk '/^Requests\/sec/ {print $2}' "$work/record-bg.log") records/s)" "$tree_mixed"
say ""

kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""

# --- import -----------------------------------------------------------------------------------
[ -n "$branch_codes" ] || { echo "no branch codes found under org $general_id" >&2; exit 1; }
python3 "$repo/bench/make_roster.py" "$import_rows" "$work/roster.csv" "$branch_codes"
t0=$(now)
"$bin" import "$work/roster.csv" | tail -n 1
t1=$(now)
secs=$(elapsed "$t0" "$t1")
say "- \`dangjian import roster.csv\` ($import_rows rows, $(du -h "$work/roster.csv" | cut -f1), $(tr ',' '\n' <<<"$branch_codes" | wc -l) branches): $secs s, $(python3 -c "print(round($import_rows / float('$secs')))") rows/s"
if [ "${BENCH_XLSX:-1}" = 1 ] && { python3 -c 'import xlsxwriter' 2>/dev/null || pip install -q xlsxwriter >/dev/null 2>&1; }; then
  python3 "$repo/bench/make_roster.py" "$import_rows" "$work/roster.xlsx" "$branch_codes" --start="$import_rows"
  t0=$(now)
  "$bin" import "$work/roster.xlsx" | tail -n 1
  t1=$(now)
  secs=$(elapsed "$t0" "$t1")
  say "- \`dangjian import roster.xlsx\` ($import_rows more rows, $(du -h "$work/roster.xlsx" | cut -f1)): $secs s, $(python3 -c "print(round($import_rows / float('$secs')))") rows/s"
fi
if [ "$backend" = sqlite ]; then
  say "- database size after the imports: $(du -ch "$DANGJIAN_DATABASE"* | tail -n 1 | cut -f1)"
else
  say "- database size after the imports: $(psql -Atc "SELECT pg_size_pretty(pg_database_size('$pgdb'))" "$pg/postgres")"
fi
echo
echo "results: $out"
