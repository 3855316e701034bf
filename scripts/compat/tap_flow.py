"""singer tap-zendesk 2.8.2 against zd sim (run by scripts/compat/run in a venv holding
tap-zendesk==2.8.2, which pins zenpy 2.0.24): discovery, then a sync of tickets, users,
organizations, groups and every other stream discovery offers that the simulator serves,
checked against /__sim/ground-truth. The tap runs unchanged through `tap_shim.py`.

Usage: python tap_flow.py WORKDIR"""

import json
import os
import subprocess
import sys

import simcheck
from simcheck import Checks

work = sys.argv[1]
os.makedirs(work, exist_ok=True)
here = os.path.dirname(os.path.abspath(__file__))
shim = os.path.join(here, "tap_shim.py")

# Streams checked against the ground truth, and the others synced when discovered (the
# parents' sub-streams ticket_audits, ticket_comments and ticket_metrics ride on tickets).
CORE = ["tickets", "users", "organizations", "groups"]
EXTRA = [
    "ticket_fields", "group_memberships", "macros", "tags", "ticket_forms",
    "satisfaction_ratings", "sla_policies", "talk_phone_numbers", "ticket_metric_events",
    "ticket_metrics",
]

c = Checks("tap-zendesk 2.8.2")
simcheck.reset()
config = os.path.join(work, "config.json")
with open(config, "w") as f:
    json.dump({
        "subdomain": "sim",
        "access_token": simcheck.OAUTH_TOKEN,
        "start_date": "2000-01-01T00:00:00Z",
        "request_timeout": 60,
    }, f)


def tap(*args, out):
    with open(out, "w") as f, open(out + ".log", "w") as log:
        p = subprocess.run([sys.executable, shim, "--config", config, *args],
                           stdout=f, stderr=log, timeout=240)
    if p.returncode != 0:
        with open(out + ".log") as log:
            tail = log.read()[-3000:]
        print(tail)
    return p.returncode


catalog_path = os.path.join(work, "catalog.json")
rc = tap("--discover", out=catalog_path)
c.check("discovery exits 0", rc == 0, f"exit {rc}; see {catalog_path}.log")
if rc != 0:
    c.finish()
with open(catalog_path) as f:
    catalog = json.load(f)
found = {s["tap_stream_id"] for s in catalog["streams"]}
for name in CORE:
    c.check(f"discovery offers {name}", name in found, f"{sorted(found)}")

selected = set(CORE) | (set(EXTRA) & found)
for s in catalog["streams"]:
    if s["tap_stream_id"] in selected:
        for m in s["metadata"]:
            m["metadata"]["selected"] = True
with open(catalog_path, "w") as f:
    json.dump(catalog, f)

out = os.path.join(work, "sync.jsonl")
rc = tap("--catalog", catalog_path, out=out)
c.check("sync exits 0", rc == 0, f"exit {rc}; see {out}.log")
records = {}
states = 0
with open(out) as f:
    for line in f:
        line = line.strip()
        if not line.startswith("{"):
            continue
        msg = json.loads(line)
        if msg.get("type") == "RECORD":
            records.setdefault(msg["stream"], []).append(msg["record"])
        elif msg.get("type") == "STATE":
            states += 1
c.check("sync writes state", states > 0)
print("  records per stream:", {k: len(v) for k, v in sorted(records.items())})

truth = simcheck.truth("tickets")
got = records.get("tickets", [])
c.check("tickets: no duplicates", len(got) == len({t["id"] for t in got}), f"{len(got)} rows")
c.same_ids("tickets = every ticket (deleted ones too)", [t["id"] for t in got], truth)
c.check(
    "tickets carry generated_timestamp of the ground truth",
    all(t["generated_timestamp"] == truth[t["id"]][1] for t in got if t["id"] in truth),
)
live = [t for t in got if t.get("status") != "deleted"]
if "ticket_metrics" in selected:
    metrics = records.get("ticket_metrics", [])
    c.check("ticket_metrics: one metric set per live ticket (include=metric_sets)",
            {m["ticket_id"] for m in metrics} == {t["id"] for t in live},
            f"{len(metrics)} metric sets for {len(live)} live tickets")
for kind in ["users", "organizations", "groups"]:
    rows = records.get(kind, [])
    want = simcheck.truth(kind)
    # Users and organizations come from incremental exports (deleted included); groups
    # from the list (live only).
    if kind == "groups":
        want = {i for i, (_, _, d) in want.items() if not d}
    c.same_ids(f"{kind} = ground truth", [r["id"] for r in rows], want)
for name in sorted(set(EXTRA) & found):
    c.check(f"{name}: synced", name in records or name == "ticket_metrics",
            "no records")

c.finish()
