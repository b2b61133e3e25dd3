"""What `scripts/bench`, `scripts/bench-backup` and `scripts/profile` share: the release build, the environment a
measured server runs with (cheap password hashing, no SLA sweep, rate limits out of the way), starting it on a
free port, a bearer token, the Lua lines that make wrk send a JSON body, the county's own reports and the
writer's long holds."""
import json, os, re, socket, subprocess, time, urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
BIN = os.environ.get("WANGGE_BIN", os.path.join(ROOT, ".build", "release", "wangge"))
ENV = dict(os.environ, WANGGE_BCRYPT_COST="4", WANGGE_SWEEP_SECONDS="0", WANGGE_RATE_INTAKE="100000000",
           WANGGE_RATE_TRACK="100000000", WANGGE_RATE_LOGIN="100000", DATABASE_URL="", LOG_LEVEL="warning")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(data, port, env=None):
    """Serves `data` on `port` (with `env` in place of ENV if given); returns the process and the seconds it
    took to answer /healthz."""
    t0 = time.time()
    proc = subprocess.Popen([BIN, "serve", "--data-dir", data, "--port", str(port), "--no-demo"], env=env or ENV,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return proc, time.time() - t0
        except Exception:
            if time.time() - t0 > 120:
                proc.kill()
                raise SystemExit("server did not start")
            time.sleep(0.02)


def http(base, method, path, body=None, token=None):
    req = urllib.request.Request(base + path, data=body, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read() or b"null")


def token(base, username):
    """A bearer token for a demo user (they all have the demo password)."""
    return http(base, "POST", "/api/v1/auth/token", json.dumps({"username": username, "password": "demo12345"}).encode())["token"]


def post_lines(body):
    """wrk's Lua for POSTing `body`, a JSON text. Written with ASCII escapes, since wrk's Lua takes no
    \\u escapes in its own strings and JSON's pass through it."""
    text = json.dumps(json.loads(body))
    return f'wrk.method = "POST"\nwrk.body = {json.dumps(text)}\nwrk.headers["Content-Type"] = "application/json"\n'


def county_reports(base, token, size, per_part):
    """Cases from every part of the history (`per_part` from each eighth of `size` ids) and reports as citizens
    send them: those cases' texts, categories, places and addresses. One text sent again and again adds to the
    same few places of the search-term index, the rollups and the area indexes; these spread over the county as
    reports do. Returns the cases' codes and the reports."""
    codes = []
    for k in range(8):
        page = http(base, "GET", f"/api/v1/cases?limit={per_part}&after={max(1, size * (k + 1) // 8)}", token=token)
        codes += [item["code"] for item in page["items"]]
    reports = []
    for code in codes:
        case = http(base, "GET", f"/api/v1/cases/{code}", token=token)
        report = {"channel": "citizen", "description": case["description"]}
        for key, value in (("categoryCode", (case.get("category") or {}).get("code")), ("location", case.get("location")),
                           ("address", case.get("address"))):
            if value:
                report[key] = value
        reports.append(report)
    return codes, reports


def long_holds(base):
    """How many times the server's writers were held over 0.1 s and over 1 s so far, by kind (a write
    transaction, or the log's restart), from /metrics (`wangge_writer_hold_seconds`)."""
    text = urllib.request.urlopen(base + "/metrics", timeout=30).read().decode()
    def bucket(kind, le):
        found = re.search(r'wangge_writer_hold_seconds_bucket\{kind="' + kind + r'",le="' + re.escape(le) + r'"\} (\d+)', text)
        return int(found.group(1)) if found else 0
    return {kind: (bucket(kind, "+Inf") - bucket(kind, "0.1"), bucket(kind, "+Inf") - bucket(kind, "1.0"))
            for kind in ("transaction", "log_restart")}
