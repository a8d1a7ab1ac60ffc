#!/usr/bin/env python3
"""Turns scripts/bench-server's result lines into results.md (a table with the ratios the
targets name) and results.png (requests/s per server and operation).

usage: report.py RESULTS_TXT OUT_DIR SECONDS CONNECTIONS
"""
import datetime
import os
import platform
import re
import sys

results, out_dir, seconds, connections = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
rows, stats = [], {}
for line in open(results):
    label, mode, rest = line.rstrip("\n").split("|", 2)
    if mode == "stats":
        stats[label] = dict(re.findall(r"(\w+)=(\d+)", rest))
        continue
    rotate, fields = rest.split("|", 1)
    values = {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", fields)}
    rows.append(dict(label=label, mode=mode, rotate=rotate, **values))


def find(label, mode, rotate="request"):
    for r in rows:
        if r["label"] == label and r["mode"] == mode and r["rotate"] == rotate:
            return r
    return None


A, B = "hostsec-fileserver", "hostsec-fileserver --no-impersonation"
C, D = "Apache mpm-itk", "nginx static"
lines = [
    f"Measured {datetime.date.today()} on {platform.machine()}, {os.cpu_count()} cores shared by the "
    f"servers and wrk; wrk -t2 -c{connections}, {seconds} s per run after a 2 s warm-up; "
    "4 users rotated on every request unless the row says otherwise.",
    "",
    "| server | op | users | requests/s | p50 ms | p99 ms | responses | mismatches | failed | socket errors |",
    "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
]
for r in rows:
    users = "rotated per request" if r["rotate"] == "request" else "one per wrk thread"
    lines.append(f"| {r['label']} | {r['mode'].upper()} | {users} | {r['requests_per_s']:,.0f} | {r['p50_ms']:.2f} | "
                 f"{r['p99_ms']:.2f} | {int(r['responses']):,} | {int(r['mismatches'])} | {int(r['failures'])} | {int(r['errors'])} |")
lines += ["", "| ratio | GET | PUT | target |", "| --- | ---: | ---: | --- |"]
for name, num, den, target in [("(a) / (b)", A, B, "≥ 0.85"), ("(a) / (c)", A, C, "≥ 20"), ("(a) / (d)", A, D, "≥ 0.4")]:
    cells = []
    for mode in ("get", "put"):
        n, d = find(num, mode), find(den, mode)
        cells.append(f"{n['requests_per_s'] / d['requests_per_s']:.2f}" if n and d and d["requests_per_s"] else "n/a")
    lines.append(f"| {name} | {cells[0]} | {cells[1]} | {target} |")
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
    labels = sorted({r["label"] for r in shown}, key=[A, B, C, D].index)
    fig, ax = plt.subplots(figsize=(8, 3.6))
    width = 0.38
    for i, mode in enumerate(("get", "put")):
        values = [(find(l, mode) or {}).get("requests_per_s", 0) for l in labels]
        bars = ax.bar([x + (i - 0.5) * width for x in range(len(labels))], values, width, label=mode.upper())
        ax.bar_label(bars, labels=[f"{v:,.0f}" for v in values], fontsize=7)
    ax.set_xticks(range(len(labels)), [l.replace(" --", "\n--") for l in labels], fontsize=8)
    ax.set_ylabel("requests/s (4 KiB)")
    ax.set_title(f"4 users rotated per request, {connections} connections, loopback", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(out_dir, "results.png"), dpi=80)
    print("report: wrote results.png")
except Exception as e:  # the table is the result; the chart is a convenience
    print(f"report: results.png not made: {e}", file=sys.stderr)
