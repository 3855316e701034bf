"""The eager-pacing comparison of issue 13 (run it through scripts/bench/eager, which
builds zd and installs the peers). Every client gets its own fresh `zd sim` in real time.

1. team plan, 130 s: zd eager, zd even, zenpy, zenpy proactive_ratelimit=10 and
   node-zendesk list tickets (pages of 100) at the same time, each against its own
   simulator, starting `--phase` (0.5) s after a minute window opens (all at the same
   phase of the simulators' windows); each is stopped after 130 s. Pages = the simulator's 200s, 429s from its /__sim/stats.
2. enterprise-plus, 970 pages (100,000 tickets, 970 pages of 100 listed): zd eager, zd even and
   node-zendesk list every ticket, one after the other (ROUNDS times, alternating, each on
   a fresh simulator); wall time from process start to exit, the median decides.

Prints a Markdown table per scenario and exits 1 when a target is missed:
zd eager's team pages >= zenpy proactive's with 0 429s; zd eager's median 970-page wall
time <= 1.5 x node-zendesk's with 0 429s.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ENV = {
    "ZENDESK_EMAIL": "admin@example.com",
    "ZENDESK_API_TOKEN": "zd-sim-token",
}


class Sim:
    def __init__(self, zd, plan, tickets):
        self.proc = subprocess.Popen(
            [zd, "sim", "--port", "0", "--plan", plan, "--tickets", str(tickets), "--no-quirks"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.url = None
        for line in self.proc.stdout:
            m = re.match(r"listening on (\S+)", line)
            if m:
                self.url = m.group(1).rstrip("/")
                break
        if not self.url:
            raise SystemExit("zd sim did not start")
        # keep its stdout drained
        import threading
        threading.Thread(target=lambda: [None for _ in self.proc.stdout], daemon=True).start()

    def stats(self):
        with urllib.request.urlopen(f"{self.url}/__sim/stats") as r:
            s = json.load(r)
        by = s.get("by_status", {})
        return int(by.get("200", 0)), int(by.get("429", 0)), sum(
            int(v) for k, v in by.items() if k not in ("200", "429"))

    def close(self):
        self.proc.kill()
        self.proc.wait()


def zd_cmd(args, pacing, url):
    env = dict(os.environ, ZENDESK_BASE_URL=url, ZD_PACING=pacing, **ENV)
    env.pop("ZD_BUDGET_URL", None)
    env.pop("ZD_TIME_SCALE", None)
    return [args.zd, "api", "GET", "tickets", "-f", "page[size]=100", "--paginate"], env


def client(args, name, url, seconds):
    """(argv, env) of a client listing tickets."""
    if name == "zd eager":
        return zd_cmd(args, "eager", url)
    if name == "zd even":
        return zd_cmd(args, "even", url)
    if name == "zenpy":
        return [args.zenpy_python, os.path.join(HERE, "zenpy_walk.py"), url, str(seconds)], dict(os.environ)
    if name == "zenpy proactive":
        return [args.zenpy_python, os.path.join(HERE, "zenpy_walk.py"), url, str(seconds),
                "proactive"], dict(os.environ)
    if name == "node-zendesk":
        env = dict(os.environ, NODE_PATH=args.node_path)
        return ["node", os.path.join(HERE, "node_walk.js"), url], env
    raise ValueError(name)


def team(args):
    names = ["zd eager", "zd even", "zenpy", "zenpy proactive", "node-zendesk"]
    sims = {n: Sim(args.zd, "team", 100_000) for n in names}
    # Start as one of the simulators' minute windows opens (at scale 1 they are wall-clock
    # minutes): the hardest phase for even pacing (its third window has 10 s left at 130 s).
    time.sleep((args.phase - time.time()) % 60.0)
    procs = {}
    t0 = time.monotonic()
    for n in names:
        argv, env = client(args, n, sims[n].url, args.seconds)
        procs[n] = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE, text=True)
    ended = {}
    while time.monotonic() - t0 < args.seconds:
        for n, p in procs.items():
            if n not in ended and p.poll() is not None:
                ended[n] = time.monotonic() - t0
        time.sleep(0.05)
    rows = {}
    for n in names:
        ok, limited, other = sims[n].stats()  # at 130 s, before stopping the client
        p = procs[n]
        if p.poll() is None:
            p.kill()
        p.wait()
        err = p.stderr.read().strip().splitlines()
        rows[n] = (ok, limited, other, ended.get(n), err[-1] if err else "")
        sims[n].close()
    print(f"team plan, {args.seconds:.0f} s from {args.phase:.1f} s into a minute window, one process "
          "each, fresh simulator each, pages of 100")
    print("| client | pages (200s) | 429s | other statuses | ended by itself at |")
    print("| --- | --- | --- | --- | --- |")
    for n in names:
        ok, limited, other, end, err = rows[n]
        note = f"{end:.1f} s" if end is not None else "no (stopped at the deadline)"
        print(f"| {n} | {ok} | {limited} | {other} | {note} |")
        if end is not None and n.startswith("zd"):
            print(f"    {n} ended early: {err}", file=sys.stderr)
    ok = rows["zd eager"][0] >= rows["zenpy proactive"][0] and rows["zd eager"][1] == 0
    print(f"team: zd eager {rows['zd eager'][0]} pages vs zenpy proactive {rows['zenpy proactive'][0]}; "
          f"{rows['zd eager'][1]} 429s: {'target met' if ok else 'TARGET MISSED'}")
    return ok


def listing(args):
    names = ["zd eager", "node-zendesk", "zd even"]
    times = {n: [] for n in names}
    limited = {n: 0 for n in names}
    pages = {n: [] for n in names}
    failed = {n: 0 for n in names}
    for _ in range(args.rounds):
        for n in names:
            sim = Sim(args.zd, "enterprise-plus", 100_000)
            argv, env = client(args, n, sim.url, 0)
            t = time.monotonic()
            r = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True, timeout=300)
            times[n].append(time.monotonic() - t)
            ok, lim, other = sim.stats()
            sim.close()
            pages[n].append(ok)
            limited[n] += lim
            if r.returncode != 0 or other:
                failed[n] += 1
                print(f"    {n}: exit {r.returncode}: {r.stderr.strip()[-300:]}", file=sys.stderr)
    print(f"enterprise-plus, 100,000 tickets (970 pages of 100 listed), {args.rounds} rounds, fresh simulator each")
    print("| client | pages | median wall time | all runs | 429s | failed runs |")
    print("| --- | --- | --- | --- | --- | --- |")
    for n in names:
        runs = " / ".join(f"{x:.2f}" for x in times[n])
        print(f"| {n} | {statistics.median(pages[n]):.0f} | {statistics.median(times[n]):.2f} s | "
              f"{runs} | {limited[n]} | {failed[n]} |")
    zd, node = statistics.median(times["zd eager"]), statistics.median(times["node-zendesk"])
    ok = zd <= 1.5 * node and limited["zd eager"] == 0 and failed["zd eager"] == 0 \
        and min(pages["zd eager"]) >= 970
    print(f"listing: zd eager {zd:.2f} s = {zd / node:.2f} x node-zendesk's {node:.2f} s: "
          f"{'target met' if ok else 'TARGET MISSED'}")
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--zd", required=True)
    ap.add_argument("--zenpy-python", required=True)
    ap.add_argument("--node-path", required=True)
    ap.add_argument("--seconds", type=float, default=130.0)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--phase", type=float, default=0.5,
                    help="seconds into a minute window to start the team scenario")
    ap.add_argument("scenarios", nargs="*", default=["team", "listing"])
    args = ap.parse_args()
    with open("/proc/loadavg") as f:
        print(f"load average at start: {f.read().strip()}")
    ok = True
    if "team" in args.scenarios:
        ok &= team(args)
    if "listing" in args.scenarios:
        ok &= listing(args)
    with open("/proc/loadavg") as f:
        print(f"load average at end: {f.read().strip()}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
