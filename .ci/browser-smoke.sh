#!/usr/bin/env bash
# Browser smoke test: starts `dangjian serve --demo` on a free loopback port in a temporary
# directory, logs in, opens the main pages, and has headless Chromium render the login page.
#
#   bash .ci/browser-smoke.sh [path/to/dangjian]      (default: target/debug/dangjian)
#
# Builds nothing. Fails when the server dies, a page answers 5xx, /login or / answers 404, a
# page holds inline script (the CSP blocks it), Chromium cannot render /login, or a signed-in
# page is wider than a 390-px phone screen (it would scroll sideways). Other missing pages (404)
# are reported, not failed.
#
# Environment:
#   CHROMIUM          browser command (default: chromium)
#   SMOKE_NO_BROWSER  1 = check the pages with curl only (used by .ci/run when Chromium
#                     could not be installed)
#   SMOKE_OUT         directory for screenshots and the server log (default: a temp dir)
#   SMOKE_DATABASE    database for the server (default: a new SQLite file in the temp dir); an
#                     empty PostgreSQL database works too: postgres://postgres@127.0.0.1/smoke_x
set -euo pipefail

bin=${1:-target/debug/dangjian}
[ -x "$bin" ] || { echo "browser-smoke: no executable at $bin (build it first: cargo build -p dangjian)" >&2; exit 1; }
bin=$(readlink -f "$bin")
chromium_cmd=${CHROMIUM:-chromium}
out=${SMOKE_OUT:-$(mktemp -d -t dangjian-smoke-out.XXXXXX)}
mkdir -p "$out"
out=$(readlink -f "$out")

work=$(mktemp -d -t dangjian-smoke.XXXXXX)
profile=$(mktemp -d -t dangjian-chromium.XXXXXX)
server_pid=""
failures=()

cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work" "$profile"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; failures+=("$*"); }

server_alive() {
  kill -0 "$server_pid" 2>/dev/null && return 0
  echo "FAIL: the server died; last lines of its log:" >&2
  tail -n 30 "$out/server.log" >&2 || true
  exit 1
}

# --- start the server ---------------------------------------------------------------------
# A fresh random data key in the environment: no key file, and nothing here is kept.
key=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
# Port 0 lets the kernel pick a free port; the server prints the address it got.
(
  cd "$work"
  unset DANGJIAN_DATABASE DANGJIAN_BIND DANGJIAN_KEY_FILE DANGJIAN_SECURE_COOKIES
  exec env DANGJIAN_DATA_KEY="$key" DANGJIAN_LOG="${DANGJIAN_LOG:-warn}" \
    "$bin" ${SMOKE_DATABASE:+--database "$SMOKE_DATABASE"} serve --demo --bind 127.0.0.1:0 </dev/null >"$out/server.out" 2>"$out/server.log"
) &
server_pid=$!

base=""
for _ in $(seq 1 300); do
  server_alive
  base=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$out/server.out" 2>/dev/null | head -n 1 || true)
  if [ -n "$base" ] && curl -fsS -m 5 "$base/healthz" >/dev/null 2>&1; then
    break
  fi
  base=""
  sleep 0.2
done
[ -n "$base" ] || { echo "FAIL: the server did not answer /healthz within 60 s" >&2; tail -n 30 "$out/server.log" >&2; exit 1; }
echo "server up at $base (pid $server_pid)"

# --- log in -------------------------------------------------------------------------------
# The HTML form (POST /login, fields username/password) sets the dj_session cookie and
# redirects; without that form, the JSON API login sets the same cookie.
login() {
  local user=$1 jar="$work/cookies-$1"
  curl -sS -m 30 -o /dev/null -c "$jar" \
    --data-urlencode "username=$user" --data-urlencode 'password=Demo@2026' "$base/login" || true
  if ! grep -q 'dj_session' "$jar" 2>/dev/null; then
    curl -sS -m 30 -o /dev/null -c "$jar" -H 'content-type: application/json' \
      -d "{\"username\":\"$user\",\"password\":\"Demo@2026\"}" "$base/api/v1/login" || true
  fi
  awk '$6 ~ /dj_session$/ { print $7 }' "$jar" 2>/dev/null | tail -n 1
}

declare -A token
for u in zuzhi admin shenji dangyuan1; do
  token[$u]=$(login "$u")
  [ -n "${token[$u]}" ] || fail "login as $u gave no session cookie"
  server_alive
done
[ -n "${token[zuzhi]}" ] || { echo "FAIL: cannot log in as zuzhi; stopping" >&2; exit 1; }

# --- open the pages -----------------------------------------------------------------------
# "user path": each page opened by an account whose role may see it.
pages=(
  "zuzhi /"
  "zuzhi /orgs"
  "zuzhi /orgs/1"
  "zuzhi /members"
  "zuzhi /members?org=1"
  "zuzhi /meetings?org=1"
  "zuzhi /meetings/1"
  "zuzhi /compliance?org=1"
  "zuzhi /compliance?org=1&view=month"
  "zuzhi /compliance?org=1&view=quarter"
  "zuzhi /import"
  "zuzhi /orgs/1/edit"
  "zuzhi /orgs/new?parent=1"
  "zuzhi /orgs/2/move"
  "zuzhi /members/1"
  "zuzhi /members/1/edit"
  "zuzhi /members/new?org=1"
  "zuzhi /meetings/1/edit"
  "zuzhi /meetings/new?org=5&kind=heart_to_heart_talk"
  "zuzhi /meetings?org=1&kind=integrity_education"
  "zuzhi /appraisals?org=5"
  "zuzhi /appraisals/1"
  "zuzhi /reports?org=1"
  "zuzhi /report-schedules/1"
  "zuzhi /reports/1"
  "zuzhi /responsibility?org=5"
  "zuzhi /assessments"
  "zuzhi /assessments/1"
  "zuzhi /assessments/1/orgs/5"
  "zuzhi /assessment-schemes"
  "zuzhi /assessment-schemes/1"
  "zuzhi /assessments/1/bulletin"
  "zuzhi /assessments/2/bulletin?org=2"
  "zuzhi /assessments/1/honours"
  "zuzhi /assessments/2/honours"
  "zuzhi /reviews"
  "zuzhi /reviews?org=5"
  "zuzhi /reviews/1"
  "dangyuan1 /reviews/2"
  "dangyuan1 /"
  "zuzhi /inspections"
  "zuzhi /inspections/1"
  "zuzhi /inspections/new?org=5"
  "zuzhi /notifications"
  "zuzhi /notifications/deliveries?org=5"
  "admin /accounts"
  "shenji /audit"
  "admin /jobs"
  "zuzhi /password"
  "zuzhi /totp"
)
# A <script> without src, or an on...= handler in a tag: the server's CSP (script-src 'self')
# blocks both, so such a button would silently do nothing.
inline_script() {
  grep -oiE '<script[^>]*>|<[^>]*[[:space:]]on[a-z]+="[^"]*"' "$1" | grep -viE '^<script[^>]*[[:space:]]src=' | head -n 1 || true
}

missing=()
declare -A saved
for entry in "${pages[@]}"; do
  user=${entry%% *}
  path=${entry#* }
  t=${token[$user]:-}
  if [ -z "$t" ]; then
    fail "$path: no session for $user"
    continue
  fi
  f="$work/page-$(echo "$path" | tr -c 'a-zA-Z0-9' '_').html"
  read -r code redirect < <(curl -sS -m 30 -o "$f" -w '%{http_code} %{redirect_url}\n' -H "Cookie: dj_session=$t" "$base$path" || echo "000 -")
  server_alive
  case "$code" in
    5*|000) fail "$path (as $user) answered $code" ;;
    404)
      if [ "$path" = / ]; then fail "$path answered 404"; else missing+=("$path"); echo "  $code  $path (as $user): page not there yet"; fi ;;
    3*)
      if [[ "$redirect" == */login* ]]; then
        fail "$path (as $user) redirected to the login page: the session was not accepted"
      else
        echo "  $code  $path (as $user) -> $redirect"
      fi ;;
    200)
      inline=$(inline_script "$f")
      if [ -n "$inline" ]; then
        fail "$path (as $user) has inline script, which the CSP blocks: $inline"
      elif grep -qi '<html' "$f"; then
        echo "  $code  $path (as $user)"
        saved[$path]=$f
      else
        fail "$path (as $user) answered 200 without an HTML page"
      fi ;;
    *) echo "  $code  $path (as $user)" ;;
  esac
done

# The roster import's report, from a file with two wrong rows: all-or-nothing, so nothing is
# written, and the page lists the rows with their problems.
csrf=$(grep -o 'name="_csrf" value="[^"]*"' "${saved[/import]:-/dev/null}" | head -n 1 | sed 's/.*value="//; s/"$//' || true)
if [ -n "$csrf" ]; then
  printf '姓名,公民身份号码,党员状态,入党时间,党组织编码\n张三,123,正式党员,2020-01-01,X\n欧阳小明,110101199003074514,预备党员,不知道,NO-SUCH-ORGANISATION-CODE\n' >"$work/bad-roster.csv"
  f="$work/page-import-report.html"
  code=$(curl -sS -m 30 -o "$f" -w '%{http_code}' -H "Cookie: dj_session=${token[zuzhi]}" \
    -F "_csrf=$csrf" -F mode=all_or_nothing -F "file=@$work/bad-roster.csv;type=text/csv" "$base/import" || echo 000)
  server_alive
  if [ "$code" = 422 ] && grep -q '第3行' "$f"; then
    echo "  $code  POST /import (as zuzhi): report of the wrong rows"
    saved["/import (report)"]=$f
  else
    fail "POST /import of a file with wrong rows answered $code without listing them"
  fi
elif [ -n "${saved[/import]:-}" ]; then
  fail "/import has no CSRF token to send a roster with"
fi

login_code=$(curl -sS -m 30 -o "$work/login.html" -w '%{http_code}' "$base/login" || echo 000)
server_alive
case "$login_code" in
  200) grep -q '<form' "$work/login.html" || fail "/login has no <form>" ;;
  *) fail "/login answered $login_code" ;;
esac

# --- Chromium -----------------------------------------------------------------------------
chromium_run() {
  timeout 90 "$chromium_cmd" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --disable-dev-shm-usage --user-data-dir="$profile" "$@" </dev/null 2>>"$out/chromium.log"
}

if [ "${SMOKE_NO_BROWSER:-0}" = 1 ]; then
  echo "browser part skipped (SMOKE_NO_BROWSER=1): pages were checked with curl only"
elif ! command -v "$chromium_cmd" >/dev/null 2>&1; then
  fail "Chromium ($chromium_cmd) not found; set SMOKE_NO_BROWSER=1 to check pages with curl only"
else
  echo "$("$chromium_cmd" --version 2>/dev/null || echo "$chromium_cmd")"
  dom=$(chromium_run --dump-dom "$base/login" || true)
  server_alive
  if grep -q '<form' <<<"$dom" && grep -q 'name="password"' <<<"$dom"; then
    echo "  chromium rendered /login with its form"
  else
    fail "Chromium could not render /login with a form (see $out/chromium.log)"
  fi
  rm -f "$out/login.png"
  chromium_run --hide-scrollbars --window-size=412,915 --screenshot="$out/login.png" "$base/login" >/dev/null || true
  if [ -s "$out/login.png" ]; then
    echo "  screenshot of /login at 412x915: $out/login.png"
  else
    fail "Chromium took no screenshot of /login"
  fi
  # Best effort: the signed-in pages as fetched above, rendered with the server's stylesheet,
  # to look at on a phone-sized window. Chromium has no cookie flag, hence the saved copies.
  for path in "${!saved[@]}"; do
    f=${saved[$path]}
    sed -i "s#<head>#<head><base href=\"$base/\">#" "$f"
    png="$out/page$(echo "$path" | tr -c 'a-zA-Z0-9' '_').png"
    chromium_run --hide-scrollbars --window-size=412,915 --screenshot="$png" "file://$f" >/dev/null || true
    [ -s "$png" ] || echo "  note: no screenshot of $path"
  done
  # No page may be wider than a 390-px phone: each saved page is laid out in a 390-px frame,
  # where a script added to this copy (a file here, outside the server's CSP) writes on the
  # frame the innermost elements that reach past the right edge; --dump-dom then reads them.
  # A frame, because a headless window is never narrower than 500 px. (The page's own <base>
  # points at the server, hence the script's full file address.)
  wrap="$work/phone.html"
  echo '<!doctype html><html><body>' >"$wrap"
  n=0
  declare -A framed
  for path in "${!saved[@]}"; do
    f=${saved[$path]}
    n=$((n + 1))
    framed[$n]=$path
    sed -e 's#<head>#<head><style>html { scrollbar-width: none; }</style>#' \
      -e "s#</body>#<script src=\"file://$work/overflow.js\"></script></body>#" "$f" >"$work/phone-$n.html"
    echo "<iframe id=\"f$n\" src=\"phone-$n.html\" width=\"390\" height=\"800\"></iframe>" >>"$wrap"
  done
  echo '</body></html>' >>"$wrap"
  cat >"$work/overflow.js" <<'JS'
const w = document.documentElement.clientWidth;
const wide = [...document.body.querySelectorAll("*")].filter((e) => e.getBoundingClientRect().right > w + 0.5);
const leaves = wide.filter((e) => ![...e.children].some((c) => wide.includes(c)));
frameElement.dataset.overflow = leaves.slice(0, 4).map((e) =>
  e.tagName.toLowerCase() + (e.getAttribute("class") ? "." + e.getAttribute("class") : "") + " “" + e.textContent.trim().slice(0, 20) + "” to " + Math.round(e.getBoundingClientRect().right) + "px").join("; ") || "none";
JS
  dom=$(chromium_run --allow-file-access-from-files --window-size=600,900 --dump-dom "file://$wrap" || true)
  server_alive
  for i in $(seq 1 "$n"); do
    over=$(grep -o "id=\"f$i\"[^>]*" <<<"$dom" | grep -o 'data-overflow="[^"]*"' | sed 's/^data-overflow="//; s/"$//' || true)
    case "$over" in
      none) ;;
      "") fail "${framed[$i]}: could not be measured at 390 px (see $out/chromium.log)" ;;
      *) fail "${framed[$i]} is wider than a 390-px phone: $over" ;;
    esac
  done
  echo "  $n signed-in pages measured in a 390-px frame"
fi

server_alive
echo
if [ ${#missing[@]} -gt 0 ]; then
  echo "pages not there yet (404, not a failure): ${missing[*]}"
fi
if [ ${#failures[@]} -gt 0 ]; then
  echo "browser smoke test FAILED (${#failures[@]}):" >&2
  for f in "${failures[@]}"; do echo "  - $f" >&2; done
  echo "server log: $out/server.log" >&2
  exit 1
fi
echo "browser smoke test passed; screenshots and server log in $out"
