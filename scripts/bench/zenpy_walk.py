"""List tickets with zenpy 2.0.57 (unchanged; pointed at the simulator with its own
ZENPY_FORCE_* switches) until `seconds` have passed: scripts/bench/eager.py runs it.

    python zenpy_walk.py SIM_URL SECONDS [proactive]

`proactive` sets proactive_ratelimit=10 (zenpy sleeps proactive_ratelimit_request_interval,
10 s, between calls once fewer than 10 requests remain in the window)."""

import os
import sys
import time
import urllib.parse

url, seconds = sys.argv[1], float(sys.argv[2])
proactive = len(sys.argv) > 3 and sys.argv[3] == "proactive"
u = urllib.parse.urlparse(url)
os.environ["ZENPY_FORCE_SCHEME"] = u.scheme
os.environ["ZENPY_FORCE_NETLOC"] = u.netloc

from zenpy import Zenpy  # noqa: E402

kw = {"proactive_ratelimit": 10, "proactive_ratelimit_request_interval": 10} if proactive else {}
zd = Zenpy(subdomain="sim", email="admin@example.com", token="zd-sim-token", **kw)
deadline = time.monotonic() + seconds
n = 0
for _ in zd.tickets():
    n += 1
    if time.monotonic() >= deadline:
        break
print(n)
