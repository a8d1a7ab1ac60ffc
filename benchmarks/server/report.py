#!/usr/bin/env python3
"""Turns scripts/bench-server's result lines into results.md (a table with the ratios the
targets name) and results.png (requests/s per server and operation).

usage: report.py RESULTS_TXT OUT_DIR SECONDS CONNECTIONS ROUNDS
"""
import datetime
import os
import platform
import re
import statistics
import sys

results, out_dir, seconds, connections, rounds = sys.argv[1:6]
runs, stats = {}, {}
for line in open(results):
    label, mode, rest = line.rstrip("\n").split("|", 2)
    if mode == "stats":
        stats[label] = dict(re.findall(r"(\w+)=(\d+)", rest))
        continue
    rotate, fields = rest.split("|", 1)
    values = {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", fields)}
    runs.setdefault((label, mode, rotate), []).append(values)

# One row per run: the median over the rounds of requests/s and latencies (each from the same
# round as its requests/s would mix rounds; the medians are taken one by one), and the sums of
# responses, mismatches, failures and socket errors over every round.
rows = []
for (label, mode, rotate), measured in runs.items():
    row = dict(label=label, mode=mode, rotate=rotate, rounds=len(measured))
    for key in ("requests_per_s", "p50_ms", "p99_ms"):
        row[key] = statistics.median(m[key] for m in measured)
    for key in ("responses", "mismatches", "failures", "errors"):
        row[key] = sum(m[key] for m in measured)
    row["spread"] = (min(m["requests_per_s"] for m in measured), max(m["requests_per_s"] for m in measured))
    rows.append(row)


def find(label, mode, rotate="request"):
    for r in rows:
        if r["label"] == label and r["mode"] == mode and r["rotate"] == rotate:
            return r
    return None


A, B = "hostsec-fileserver", "hostsec-fileserver --no-impersonation"
B4 = "hostsec-fileserver --no-impersonation --baseline-threads 4"
C, D = "Apache mpm-itk", "nginx static"
A_LOG = "hostsec-fileserver, request log on"


def per_round(label, mode, rotate="request"):
    """requests/s of one run by round."""
    return {int(m["round"]): m["requests_per_s"] for m in runs.get((label, mode, rotate), [])}


def ratio(num, den, mode):
    """The median over the rounds of num's requests/s over den's in the same round; den None:
    (b) in its faster form that round (inline, or on 4 threads of its own)."""
    n = per_round(num, mode)
    if den is None:
        b, b4 = per_round(B, mode), per_round(B4, mode)
        d = {r: max(b.get(r, 0), b4.get(r, 0)) for r in set(b) | set(b4)}
    else:
        d = per_round(den, mode)
    found = [n[r] / d[r] for r in n if d.get(r)]
    return f"{statistics.median(found):.2f}" if found else "n/a"


order = [A, A_LOG, B, B4, C, D]
rows.sort(key=lambda r: (order.index(r["label"]) if r["label"] in order else 99, r["rotate"] != "request", r["mode"]))
lines = [
    f"Measured {datetime.date.today()} on {platform.machine()}, {os.cpu_count()} cores shared by the "
    f"servers and wrk; wrk -t2 -c{connections}, {seconds} s per run after a 2 s warm-up, {rounds} rounds "
    "going through the servers in turn; each figure is the median over the rounds (requests/s: "
    "lowest to highest round in brackets), counts are summed; 4 users rotated on every request "
    "unless the row says otherwise.",
    "",
    "| server | op | users | requests/s | p50 ms | p99 ms | responses | mismatches | failed | socket errors |",
    "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
]
for r in rows:
    users = "rotated per request" if r["rotate"] == "request" else "one per wrk thread"
    low, high = r["spread"]
    lines.append(f"| {r['label']} | {r['mode'].upper()} | {users} | {r['requests_per_s']:,.0f} ({low:,.0f}–{high:,.0f}) | "
                 f"{r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {int(r['responses']):,} | {int(r['mismatches'])} | "
                 f"{int(r['failures']):,} | {int(r['errors']):,} |")
lines += ["", "Ratios: the median over the rounds of the two servers' requests/s in the same round.", "",
          "| ratio | GET | PUT | target |", "| --- | ---: | ---: | --- |"]
for name, num, den, target in [("(a) / (b), the faster (b) each round", A, None, "≥ 0.85"),
                                ("(a) with its request log / (a)", A_LOG, A, "(for reference)"),
                                ("(a) / (b) inline", A, B, "(for reference)"),
                                ("(a) / (b) on 4 threads", A, B4, "(for reference)"),
                                ("(a) / (c)", A, C, "≥ 20"), ("(a) / (d)", A, D, "≥ 0.4")]:
    lines.append(f"| {name} | {ratio(num, den, 'get')} | {ratio(num, den, 'put')} | {target} |")
if A in stats:
    s = stats[A]
    req, sw = int(s.get("requests", 0)), int(s.get("credential_switches", 0))
    lines += ["", f"hostsec-fileserver, whole run (warm-ups included): {req:,} requests, {int(s.get('operations', 0)):,} "
              f"file operations in identity scopes, {sw} credential switches ({sw / max(req, 1):.6f} per request), "
              f"{int(s.get('identity_jobs', 0)):,} jobs on identity threads, {s.get('pam_logons', '?')} PAM logons, "
              f"{int(s.get('cache_hits', 0)):,} cache hits, server-side mismatches {s.get('mismatches', '?')}."]
open(os.path.join(out_dir, "results.md"), "w").write("\n".join(lines) + "\n")
print("\n".join(lines))

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    shown = [r for r in rows if r["rotate"] == "request"]
    labels = sorted({r["label"] for r in shown}, key=order.index)
    fig, ax = plt.subplots(figsize=(8, 3.6))
    width = 0.38
    for i, mode in enumerate(("get", "put")):
        values = [(find(l, mode) or {}).get("requests_per_s", 0) for l in labels]
        bars = ax.bar([x + (i - 0.5) * width for x in range(len(labels))], values, width, label=mode.upper())
        ax.bar_label(bars, labels=[f"{v:,.0f}" for v in values], fontsize=7)
    ax.set_xticks(range(len(labels)), [l.replace(" --", "\n--") for l in labels], fontsize=8)
    ax.set_yscale("log")
    ax.set_ylabel("requests/s (4 KiB), log scale")
    ax.set_title(f"4 users rotated per request, {connections} connections, loopback", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(out_dir, "results.png"), dpi=80)
    print("report: wrote results.png")
except Exception as e:  # the table is the result; the chart is a convenience
    print(f"report: results.png not made: {e}", file=sys.stderr)
