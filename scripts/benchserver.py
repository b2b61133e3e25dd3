"""What `scripts/bench`, `scripts/bench-postgres`, `scripts/bench-backup` and `scripts/profile` share: the release
build, the environment a measured server runs with (cheap password hashing, no SLA sweep, rate limits out of the
way), starting it on a free port, a bearer token, the Lua lines that make wrk send a JSON body, running wrk
against one server or several at once, the county's own reports, the writer's long holds, the extension and co-handling
queues filled to a page, and a row run while a page of a whole area is opened beside it."""
import json, os, re, socket, subprocess, tempfile, threading, time, urllib.parse, urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
BIN = os.environ.get("WANGGE_BIN", os.path.join(ROOT, ".build", "release", "wangge"))
ENV = dict(os.environ, WANGGE_BCRYPT_COST="4", WANGGE_SWEEP_SECONDS="0", WANGGE_RATE_INTAKE="100000000",
           WANGGE_RATE_TRACK="100000000", WANGGE_RATE_LOGIN="100000", DATABASE_URL="", LOG_LEVEL="warning")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(data, port, env=None):
    """Serves `data` on `port` (with `env` in place of ENV if given; a `DATABASE_URL` in it serves that database
    instead); returns the process and the seconds it took to answer /healthz."""
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


def session_cookie(base, username):
    """Signs in through the login form, as a browser does, and returns the session cookie."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    page = opener.open(base + "/login", timeout=30).read().decode()
    csrf = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"_csrf": csrf, "username": username, "password": "demo12345"}).encode()
    opener.open(base + "/login", data=form, timeout=30).read()
    jar = opener.handlers[[type(h) for h in opener.handlers].index(urllib.request.HTTPCookieProcessor)].cookiejar
    return "; ".join(f"{c.name}={c.value}" for c in jar)


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


# Every run reports p50/p95/p99 through wrk's Lua `done` hook (its --latency table has no p95).
PERCENTILES = """
done = function(summary, latency, requests)
  io.write(string.format("PCT %d %d %d\\n", latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def rotation(items, request):
    """Each request goes to the next of many (`items`: paths or POST bodies); wrk's two threads take alternate
    ones, and an item comes round again only after every other, so no two requests act on one case at once
    (which would be a 409)."""
    return "items = {" + ",".join(json.dumps(i) for i in items) + "}\n" + """
local thread_count = 0
setup = function(thread)
  thread:set("tid", thread_count)
  thread_count = thread_count + 1
end
local counter = 0
request = function()
  counter = counter + 1
  local item = items[(counter * 2 + (tid or 0)) % #items + 1]
  return """ + request + """
end
"""


def post_rotation(bodies):
    """wrk's Lua for POSTing each of `bodies` (JSON values) in turn, as `rotation` deals them out. Each body a JSON text
    with ASCII escapes, as in post_lines: wrk's Lua takes no \\u escapes in its own strings."""
    return ('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
            + rotation([json.dumps(b) for b in bodies], "wrk.format(nil, nil, nil, item)"))


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids):
    """User and system time of the servers `pids` so far. wrk shares the machine's cores with them, so a row's
    CPU per request is the servers' own cost, apart from the machine's pace and wrk's share."""
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / TICKS


def wrk(urls, duration, token=None, body=None, cookie=None, connections=32, paths=None, bodies=None, pids=()):
    """Runs wrk against each of `urls` at once (one server each), the connections shared among them, and
    `paths` or `bodies` dealt out so that no two act on one case. Returns requests/s (summed), p50, p95, p99
    (the highest of the servers'), non-2xx responses and the servers' CPU ms a request."""
    runs = []
    for i, url in enumerate(urls):
        script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
        if body is not None:
            script.write(post_lines(body))
        if paths:
            script.write(rotation(paths[i::len(urls)], "wrk.format(nil, item)"))
        if bodies:
            script.write(post_rotation(bodies[i::len(urls)]))
        script.write(PERCENTILES)
        script.close()
        args = ["wrk", "-t2", f"-c{max(2, connections // len(urls))}", "-d" + duration, "-s", script.name]
        if token:
            args += ["-H", "Authorization: Bearer " + token]
        if cookie:
            args += ["-H", "Cookie: " + cookie]
        runs.append((script.name, args + [url]))
    cpu_before = cpu_seconds(pids)
    procs = [subprocess.Popen(args, stdout=subprocess.PIPE, text=True) for _, args in runs]
    outs = [p.communicate()[0] for p in procs]
    cpu = cpu_seconds(pids) - cpu_before
    rps, requests, errors, pct = 0.0, 0, 0, [0.0, 0.0, 0.0]
    for (script, _), out in zip(runs, outs):
        os.unlink(script)
        rps += float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        requests += int(re.search(r"(\d+) requests in", out).group(1))
        pct = [max(a, int(b) / 1000) for a, b in zip(pct, re.search(r"PCT (\d+) (\d+) (\d+)", out).groups())]
        found = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        errors += int(found.group(1)) if found else 0
    return rps, pct[0], pct[1], pct[2], errors, 1000 * cpu / max(requests, 1)


def beside(url, cookie, rate, run):
    """Runs `run` (a wrk row) while another client opens `url` (a page of a whole area) `rate` times a second, as a
    few dispatchers and a big screen do; returns the row's result and the page's median time (ms) beside it."""
    stop, times = threading.Event(), []
    def background():
        while not stop.is_set():
            t0 = time.time()
            with urllib.request.urlopen(urllib.request.Request(url, headers={"Cookie": cookie}), timeout=60) as r:
                r.read()
            times.append(time.time() - t0)
            stop.wait(max(0.0, 1 / rate - (time.time() - t0)))
    thread = threading.Thread(target=background)
    thread.start()
    try:
        result = run()
    finally:
        stop.set()
        thread.join()
    times.sort()
    return result, 1000 * times[len(times) // 2] if times else 0.0


def print_growth(small, large, rows_small, nearby_small, rows_large, nearby_large, what=""):
    """Each row's rate at the larger size against the smaller, as it is and with each rate taken against the
    ceiling measured beside it (the issue's "every figure at 1M within 1.5× of 10k"). Rows are (name, wrk result)."""
    print(f"\n== growth{what}: req/s at {large:,} relative to {small:,} cases (and with each rate taken against its nearby ceiling)")
    for (name, a), (_, b), near_a, near_b in zip(rows_small, rows_large, nearby_small, nearby_large):
        paced = f"{(b[0] / near_b) / (a[0] / near_a):6.2f}x" if near_a and near_b else ""
        print(f"{name:32} {b[0] / a[0]:6.2f}x {paced}")


def citizen_report(base, description="基准测试的反映问题"):
    """Files one citizen's report of a street light (category 0101) at one spot of the county; returns its JSON
    answer (`code`, `queryCode`)."""
    return http(base, "POST", "/api/v1/cases", json.dumps({"channel": "citizen", "description": description, "categoryCode": "0101",
                                                          "location": {"lat": 30.21, "lon": 120.01}}).encode())


def shared_cases(base, dispatcher, count=20, lead="330110-ZJ", department="330110-CG"):
    """Dispatches `count` reports to `lead` with `department` sharing them (协办), so `department`'s co-handling
    queue shows a full page at every size: a generated county of 10,000 cases has no shared case in hand for
    城管, one of a million two or three, and the row compared an empty page with a short one."""
    for _ in range(count):
        case = citizen_report(base, "基准测试的协办案件")["code"]
        for step in ({"action": "register"}, {"action": "dispatch", "departmentCode": lead, "coDepartmentCodes": [department]}):
            http(base, "POST", f"/api/v1/cases/{case}/transitions", json.dumps(step).encode(), token=dispatcher)


def waiting_extensions(base, dispatcher, handler, count=20, department="330110-CG"):
    """Files `count` extension requests that wait for the centre, as a county's come: a report registered and
    dispatched to `department` by the dispatcher, accepted there, and more time asked for. The extension-request
    queue then shows a full page at every size: a generated county of 10,000 cases has none waiting, one of a
    million a dozen or two, and the row compared an empty page with a full one."""
    for _ in range(count):
        case = citizen_report(base, "基准测试的延期申请")["code"]
        for bearer, step in ((dispatcher, {"action": "register"}), (dispatcher, {"action": "dispatch", "departmentCode": department}),
                             (handler, {"action": "accept"}),
                             (handler, {"action": "request_extension", "note": "需协调多个部门,申请延期", "extensionHours": 48})):
            http(base, "POST", f"/api/v1/cases/{case}/transitions", json.dumps(step).encode(), token=bearer)
