"""What `scripts/bench` and `scripts/profile` share: the release build, the environment a measured server
runs with (cheap password hashing, no SLA sweep, rate limits out of the way), starting it on a free port,
a bearer token, and the Lua lines that make wrk send a JSON body."""
import json, os, socket, subprocess, time, urllib.request

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
