"""zenpy 2.0.57's documented flows against zd sim (run by scripts/compat/run in a venv
holding zenpy==2.0.57): list, cursor export, create + update_many + job wait, users with
sideloads. zenpy is used unchanged; it is pointed at the simulator with its own
ZENPY_FORCE_NETLOC / ZENPY_FORCE_SCHEME switches."""

import os
import time
import urllib.parse

import simcheck
from simcheck import Checks

u = urllib.parse.urlparse(simcheck.SIM_URL)
os.environ["ZENPY_FORCE_SCHEME"] = u.scheme
os.environ["ZENPY_FORCE_NETLOC"] = u.netloc

from zenpy import Zenpy  # noqa: E402
from zenpy.lib.api_objects import Ticket  # noqa: E402

c = Checks("zenpy 2.0.57")
simcheck.reset()
zd = Zenpy(subdomain="sim", email=simcheck.ADMIN_EMAIL, token=simcheck.API_TOKEN)

# 1. List every ticket (zenpy pages with cursors by default).
listed = [t.id for t in zd.tickets()]
c.check("tickets(): no duplicates", len(listed) == len(set(listed)), f"{len(listed)} rows")
c.same_ids("tickets() = listed tickets (live, not archived)", listed,
           simcheck.listed_ids("tickets"))

# 2. Cursor-based incremental export from the beginning: every ticket, deleted ones too.
exported = {}
for t in zd.tickets.incremental(start_time=0):
    exported[t.id] = t
truth = simcheck.truth("tickets")
c.same_ids("tickets.incremental(start_time=0) = every ticket", exported, truth)
bad_ts = [i for i, t in exported.items() if t.generated_timestamp != truth[i][1]]
c.check("export generated_timestamp = ground truth", not bad_ts, f"ids {bad_ts[:10]}")
deleted = [i for i, (_, _, d) in truth.items() if d]
c.check(
    "export marks deleted tickets",
    deleted and all(exported[i].status == "deleted" for i in deleted),
    f"{len(deleted)} deleted",
)

# 3. Create a ticket, then update_many it and two others, and wait for the job.
audit = zd.tickets.create(Ticket(subject="compat: zenpy", description="Created by zenpy"))
new_id = audit.ticket.id
c.check("tickets.create returns the new ticket", new_id > max(truth), f"id {new_id}")
# Two open tickets besides the new one (closed tickets cannot be updated).
opened = sorted(i for i, t in exported.items() if t.status in ("new", "open"))
ids = [new_id, *opened[:2]]
tickets = [zd.tickets(id=i) for i in ids]
for t in tickets:
    t.status = "pending"
    t.tags = ["compat_zenpy"]
job = zd.tickets.update(tickets)
c.check("tickets.update([...]) returns a job status", bool(job.id), repr(job))
deadline = time.monotonic() + 60
while job.status not in ("completed", "failed", "killed") and time.monotonic() < deadline:
    time.sleep(0.5)
    job = zd.job_status(id=job.id)
c.check("job completes", job.status == "completed", f"status {job.status}")
results = {r.id: r for r in (job.results or [])}
c.check("job results name every ticket", set(results) == set(ids), f"{sorted(results)}")
for i in ids:
    t = zd.tickets(id=i)
    c.check(f"ticket {i} updated", t.status == "pending" and "compat_zenpy" in t.tags,
            f"{t.status} {t.tags}")
truth = simcheck.truth("tickets")
c.check("ground truth has the new ticket", new_id in truth and not truth[new_id][2])

# 4. Users with sideloads: the sideloaded organizations answer user.organization without
#    another request.
users = list(zd.users(include=["identities", "organizations", "groups"]))
c.same_ids("users(include=...) = live users", [x.id for x in users], simcheck.live_ids("users"))
before = simcheck.admin("GET", "stats")["requests"]
orgs = {x.organization.id for x in users if x.organization_id}
after = simcheck.admin("GET", "stats")["requests"]
c.check("organizations came sideloaded (no extra request)", after == before,
        f"{after - before} extra requests")
c.check("sideloaded organizations match", orgs == {x.organization_id for x in users if x.organization_id})

c.finish()
