"""Shared helpers of the Python compatibility flows: the simulator's admin API (reset,
clock, ground truth) and a small check recorder. Standard library only, so it runs in any
client's venv."""

import json
import os
import sys
import urllib.request

SIM_URL = os.environ["SIM_URL"].rstrip("/")
ADMIN_EMAIL = "admin@example.com"
API_TOKEN = "zd-sim-token"
OAUTH_TOKEN = "zd-sim-oauth"


def admin(method, path, body=None):
    """Calls /__sim/<path> and returns the parsed JSON."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(SIM_URL + "/__sim/" + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read() or b"null")


def reset():
    """Drops every write, refills the limiter, zeroes the stats."""
    admin("POST", "reset")


def truth(kind):
    """{id: (updated_at, generated_timestamp, deleted)} of every record ever created."""
    rows = admin("GET", "ground-truth/" + kind)[kind]
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def truth_rows(kind):
    """[id, updated_at, generated_timestamp, deleted, archived] rows."""
    return admin("GET", "ground-truth/" + kind)[kind]


def live_ids(kind):
    """Ids of records that exist and are not deleted."""
    return {r[0] for r in truth_rows(kind) if not r[3]}


def listed_ids(kind):
    """Ids a list endpoint returns: live and not archived (archived tickets are left out
    of GET /tickets, as Zendesk does)."""
    return {r[0] for r in truth_rows(kind) if not r[3] and not r[4]}


class Checks:
    """Records named checks; `finish()` prints a summary and exits non-zero on a failure."""

    def __init__(self, client):
        self.client = client
        self.failed = []
        self.passed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"  ok   {name}")
        else:
            self.failed.append(name)
            print(f"  FAIL {name}: {detail}")
        sys.stdout.flush()

    def same_ids(self, name, got, want):
        got, want = set(got), set(want)
        self.check(
            name,
            got == want,
            f"{len(got)} ids, expected {len(want)}; missing {sorted(want - got)[:10]}, "
            f"unexpected {sorted(got - want)[:10]}",
        )

    def finish(self):
        print(f"{self.client}: {self.passed} checks ok, {len(self.failed)} failing")
        if self.failed:
            print(f"{self.client}: failing: {', '.join(self.failed)}")
            sys.exit(1)


def serves(path):
    """Whether the simulator answers GET `path` with 200 (as the admin)."""
    import base64
    import urllib.error

    req = urllib.request.Request(SIM_URL + path)
    cred = base64.b64encode(f"{ADMIN_EMAIL}/token:{API_TOKEN}".encode()).decode()
    req.add_header("Authorization", "Basic " + cred)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status == 200
    except urllib.error.HTTPError:
        return False


if __name__ == "__main__" and len(sys.argv) > 2 and sys.argv[1] == "serves":
    sys.exit(0 if all(serves(p) for p in sys.argv[2:]) else 1)
if __name__ == "__main__" and len(sys.argv) > 2 and sys.argv[1] == "missing":
    print(" ".join(p for p in sys.argv[2:] if not serves(p)))
