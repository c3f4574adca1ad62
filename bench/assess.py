#!/usr/bin/env python3
"""Assessment benchmark (issue 11): rank a city's organisations on a scheme of 30 indicators,
10 of them computed from a year of records, then time the pages people open afterwards.

    BENCH_BIN=target/release/dangjian python3 bench/assess.py sqlite|postgres DIR

DIR is an installation kept by `BENCH_KEEP=1 bash bench/run.sh …` (or written the same way):
`data-key`, `root` ("CODE ID"), and `bench.db` (SQLite) or `pgdb` (the PostgreSQL database's
name on BENCH_PG, default postgres://postgres@127.0.0.1). The server is started on it with the
binary given; the figures are printed as Markdown for docs/performance.md.

What is timed:
  - starting the assessment over every organisation of the tree (the computed indicators of the
    whole year computed, the results ranked and written), and computing it again;
  - the assessors' scores of the 20 scored indicators for every organisation, by the API in
    batches of 500 organisations (each batch is ranked again, as it is when people score);
  - publishing (the last ranking);
  - one branch's "why I lost points" (API and page), the ranking page of the 工委 and the
    bulletin of one 党委 (BENCH_BULLETIN: a path with {id} and {org}), alone (median of 21)
    and under wrk -t2 -c32.
"""
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request

backend, work = sys.argv[1], os.path.abspath(sys.argv[2])
binary = os.path.abspath(os.environ.get("BENCH_BIN", "target/release/dangjian"))
pg = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1")
duration = os.environ.get("BENCH_DURATION", "10s")
bulletin = os.environ.get("BENCH_BULLETIN", "")
period = os.environ.get("BENCH_PERIOD", time.strftime("%Y"))

env = dict(os.environ)
env["DANGJIAN_DATA_KEY"] = open(os.path.join(work, "data-key")).read().strip()
env["DANGJIAN_LOG"] = env.get("DANGJIAN_LOG", "warn")
if backend == "sqlite":
    env["DANGJIAN_DATABASE"] = os.path.join(work, "bench.db")
else:
    env["DANGJIAN_DATABASE"] = f"{pg}/{open(os.path.join(work, 'pgdb')).read().strip()}"
root_code, root_id = open(os.path.join(work, "root")).read().split()
root_id = int(root_id)

def say(s=""):
    print(s, flush=True)

subprocess.run([binary, "user", "create", "perf", "--role", "org_admin", "--org", root_code, "--password", "Bench@2026x"], env=env, capture_output=True)
server = subprocess.Popen([binary, "serve", "--bind", "127.0.0.1:0"], env=env, stdout=subprocess.PIPE, stderr=open(os.path.join(work, "assess-serve.log"), "w"), text=True)
base = None
for _ in range(600):
    line = server.stdout.readline()
    m = re.search(r"http://127\.0\.0\.1:[0-9]+", line or "")
    if m:
        base = m.group(0)
        break
if not base:
    sys.exit("server did not start")
for _ in range(300):
    try:
        urllib.request.urlopen(base + "/healthz")
        break
    except Exception:
        time.sleep(0.2)

token = ""

def call(method, path, body=None, api=True):
    url = base + ("/api/v1" if api else "") + path
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
        req.add_header("Cookie", f"dj_session={token}")
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=600) as r:
            raw = r.read()
            status = r.status
    except urllib.error.HTTPError as e:
        raw, status = e.read(), e.code
    ms = (time.perf_counter() - t0) * 1000
    try:
        out = json.loads(raw)
    except ValueError:
        out = raw
    return status, out, ms

def ok(method, path, body=None):
    status, out, ms = call(method, path, body)
    if status >= 300:
        sys.exit(f"{method} {path}: {status} {out}")
    return out, ms

def login():
    global token
    for pw in ("Bench@2026x", "Bench@2026y!"):
        status, out, _ = call("POST", "/login", {"username": "perf", "password": pw})
        if status == 200:
            token = out["token"]
            if out.get("must_change_password"):
                ok("POST", "/me/password", {"old_password": pw, "new_password": "Bench@2026y!"})
                token = ""
                return login()
            return
    sys.exit("cannot log in as perf")

login()
try:
    say(f"# assessment benchmark, {backend}, {time.strftime('%Y-%m-%d %H:%M %Z')}")
    say()
    say(f"- binary: {binary}; installation {work}; root {root_code} (id {root_id}); period {period}")
    # 30 indicators, 100 points: 10 computed from the records, 20 scored by assessors.
    kinds = ["branch_general_meeting", "branch_committee_meeting", "group_meeting", "party_lecture", "theme_day", "org_life_meeting"]
    computed = [{"name": f"按期落实·{k}", "points": "4", "method": "computed", "rule": "obligations_on_time", "kind": k} for k in kinds]
    computed += [
        {"name": "组织生活总体落实", "points": "4", "method": "computed", "rule": "obligations_on_time"},
        {"name": "参会率", "points": "4", "method": "computed", "rule": "attendance_rate"},
        {"name": "党员大会参会率", "points": "4", "method": "computed", "rule": "attendance_rate", "kind": "branch_general_meeting"},
        {"name": "按时报送", "points": "4", "method": "computed", "rule": "reports_on_time"},
    ]
    scored = [{"name": f"工作实绩{i + 1}", "points": "3", "method": "scored"} for i in range(20)]
    scheme = {"org_id": root_id, "name": f"城市考核基准{int(time.time())}", "scale": 100, "period_kind": "year",
              "indicators": [{"name": "组织生活", "points": "40", "children": computed}, {"name": "工作实绩", "points": "60", "children": scored}]}
    s, _ = ok("POST", "/assessment-schemes", scheme)
    all_kinds = ["committee", "agency_committee", "general_branch", "branch", "joint_branch", "temporary_branch"]
    a, start_ms = ok("POST", "/assessments", {"scheme_id": s["id"], "org_id": root_id, "period": period, "kinds": all_kinds})
    aid, targets = a["id"], a["targets"]
    _, recompute_ms = ok("POST", f"/assessments/{aid}/compute")
    say(f"- scheme {s['id']}: 30 indicators (10 computed, 20 scored); assessment {aid} over {targets} organisations")
    say()
    say("| step | ms |")
    say("|---|---|")
    say(f"| start: list {targets} organisations, compute 10 indicators from the year's records, rank, write | {start_ms:.0f} |")
    say(f"| compute again (every computed indicator, then rank) | {recompute_ms:.0f} |")
    ok("POST", f"/assessments/{aid}/stage", {"stage": "scoring"})
    orgs = []
    page = 1
    while True:
        r, _ = ok("GET", f"/assessments/{aid}/results?page={page}&per_page=200")
        orgs += [i["org_id"] for i in r["items"]]
        if page * r["per_page"] >= r["total"]:
            break
        page += 1
    t0 = time.perf_counter()
    batch_ms = []
    for i in range(0, len(orgs), 500):
        scores = [{"org_id": o, "indicator": f"2.{j + 1}", "score": str(3 - (o + j) % 4 * 0.5), "comment": "" if (o + j) % 4 == 0 else "材料不全"} for o in orgs[i:i + 500] for j in range(20)]
        _, ms = ok("PUT", f"/assessments/{aid}/scores", {"scores": scores})
        batch_ms.append(ms)
    scoring_s = time.perf_counter() - t0
    say(f"| score 20 indicators × {len(orgs)} organisations in {len(batch_ms)} batches (each ranked again): total | {scoring_s * 1000:.0f} |")
    say(f"| one batch of 500 organisations × 20 scores, median | {statistics.median(batch_ms):.0f} |")
    ok("POST", f"/assessments/{aid}/stage", {"stage": "review"})
    _, publish_ms = ok("POST", f"/assessments/{aid}/stage", {"stage": "published"})
    say(f"| publish (rank {len(orgs)} organisations once more) | {publish_ms:.0f} |")
    say()
    # A branch that lost points, and a 党委 (a child of the root) for the bulletin.
    detail_org = orgs[len(orgs) // 2]
    committee = ok("GET", f"/orgs?parent={root_id}&per_page=1")[0]["items"][0]["id"]
    paths = [
        ("why points were lost (API)", f"/api/v1/assessments/{aid}/scores/{detail_org}"),
        ("why points were lost (page)", f"/assessments/{aid}/orgs/{detail_org}"),
        ("ranking page, first 200", f"/assessments/{aid}"),
    ]
    if bulletin:
        paths.append(("bulletin of one 党委", bulletin.replace("{id}", str(aid)).replace("{org}", str(committee))))
    say(f"| page | path | alone, median of 21 (ms) | wrk req/s | wrk p50 (ms) | wrk p99 (ms) |")
    say("|---|---|---|---|---|---|")
    for label, path in paths:
        times = []
        for _ in range(21):
            status, _, ms = call("GET", path, api=False)
            if status != 200:
                sys.exit(f"GET {path}: {status}")
            times.append(ms)
        w = subprocess.run(["wrk", "-t2", "-c32", f"-d{duration}", "--latency", "-H", f"Cookie: dj_session={token}", "-H", f"Authorization: Bearer {token}", base + path], capture_output=True, text=True).stdout
        rps = re.search(r"Requests/sec:\s+([0-9.]+)", w)
        p50 = re.search(r"50%\s+([0-9.]+\w+)", w)
        p99 = re.search(r"99%\s+([0-9.]+\w+)", w)
        bad = re.search(r"Non-2xx or 3xx responses: (\d+)", w)
        say(f"| {label} | `{path}` | {statistics.median(times):.1f} | {rps.group(1) if rps else '?'}{' (' + bad.group(1) + ' non-2xx)' if bad else ''} | {p50.group(1) if p50 else '?'} | {p99.group(1) if p99 else '?'} |")
finally:
    server.terminate()
    server.wait()
