#!/usr/bin/env python3
"""Turns one benchmark run into results.md (a markdown table) and results.png (a chart).

usage: report.py RUN_DIR OUT_DIR
RUN_DIR holds bench.json (Google Benchmark JSON), probe-*.json, syscalls-*.txt and
cold-*.json as scripts/bench writes them.
"""
import datetime
import json
import os
import platform
import sys

run_dir, out_dir = sys.argv[1], sys.argv[2]


def load_json(name):
    try:
        with open(os.path.join(run_dir, name)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


# ---- Google Benchmark results: the median of the repetitions (or the only run) ----------
bench = load_json("bench.json") or {"benchmarks": []}
runs = {}
for b in bench["benchmarks"]:
    name = b.get("run_name", b["name"])
    if b.get("error_occurred"):
        runs.setdefault(name, {"error": b.get("error_message", "error")})
        continue
    if b.get("run_type") == "aggregate":
        if b.get("aggregate_name") == "median":
            runs[name] = b
    elif name not in runs or "error" in runs[name]:
        runs[name] = b

SCALE = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def ns(name, real=False):
    b = runs.get(name)
    if b is None or "error" in b:
        return None
    return b["real_time" if real else "cpu_time"] * SCALE[b.get("time_unit", "ns")]


def ips(name):
    b = runs.get(name)
    if b is None or "error" in b or "items_per_second" not in b:
        return None
    return b["items_per_second"]


def why(name):
    b = runs.get(name)
    if b is None:
        return "not run"
    return "skipped: " + b["error"] if "error" in b else None


rows = []  # (row, value, baseline, ratio, target, met)
chart = []  # (label, lib ns, baseline ns)


def fmt_ns(v):
    if v is None:
        return "—"
    return f"{v:.1f}" if v < 1000 else f"{v:,.0f}"


def ratio_row(label, key, base_prefix="c", limit=None, target=None, absolute=None):
    lib, base = ns("lib/" + key), ns(f"{base_prefix}/" + key)
    if lib is None or base is None:
        rows.append((label, fmt_ns(lib), fmt_ns(base), "—", target or "—", why("lib/" + key) or why(f"{base_prefix}/" + key) or "not measured"))
        return
    r = lib / base
    met = "—"
    if limit is not None:
        met = "yes" if r <= limit else "no"
    if absolute is not None:
        met = "yes" if lib <= absolute else "no"
    rows.append((label, fmt_ns(lib), fmt_ns(base), f"{r:.2f}x", target or "—", met))
    chart.append((label, lib, base))


ratio_row("AddRef+Release", "AddRef+Release", limit=1.25, target="≤ 1.25x C")
ratio_row("QueryInterface+Release", "QueryInterface+Release", limit=1.25, target="≤ 1.25x C")
ratio_row("QueryInterface(IID_IUnknown)+Release", "QueryInterface(IUnknown)+Release", limit=1.25, target="≤ 1.25x C")
ratio_row("QueryInterface(IID_IClassFactory), E_NOINTERFACE", "QueryInterface(IClassFactory) E_NOINTERFACE",
          limit=1.25, target="≤ 1.25x C")
ratio_row("OpenThreadToken, no token", "OpenThreadToken no token", limit=1.5, target="≤ 1.5x C")
ratio_row("OpenThreadToken + HostSec_CloseHandle, impersonating", "OpenThreadToken+CloseHandle",
          limit=2.0, target="≤ 2x C")

sys_lib, sys_c = None, None
for side in ("lib", "c"):
    try:
        with open(os.path.join(run_dir, f"syscalls-{side}.txt")) as f:
            count, cycles = (int(x) for x in f.read().split())
        value = count / cycles
    except (OSError, ValueError):
        value = None
    if side == "lib":
        sys_lib = value
    else:
        sys_c = value
if sys_lib is None:
    rows.append(("syscalls per open + close", "not measured (strace missing)", "—", "—", "0", "—"))
else:
    rows.append(("syscalls per open + close", f"{sys_lib:g}", "—" if sys_c is None else f"{sys_c:g}", "—", "0",
                 "yes" if sys_lib == 0 else "no"))

ratio_row("HostSec_ImpersonateSelf + RevertToSelf", "ImpersonateSelf+RevertToSelf", absolute=100.0,
          target="≤ 100 ns")
ratio_row("ImpersonateLoggedOnUser(nobody) + RevertToSelf vs raw syscalls", "ImpersonateLoggedOnUser+RevertToSelf",
          base_prefix="raw", limit=1.15, target="≤ 1.15x raw syscalls")
ratio_row("ImpersonateLoggedOnUser(nobody) + RevertToSelf vs C implementation", "ImpersonateLoggedOnUser+RevertToSelf")
ratio_row("SetSecurityContext + GetSecurityContext + RevertToSelf (nobody)",
          "SetSecurityContext+GetSecurityContext+RevertToSelf")
ratio_row("HostSec_GetTokenInformation(TokenUser)", "GetTokenInformation(TokenUser)")

# ---- two threads -----------------------------------------------------------------------
t1 = "open+close threads/real_time/threads:1"
t2 = "open+close threads/real_time/threads:2"
lib1, lib2, c1, c2 = ips("lib/" + t1), ips("lib/" + t2), ips("c/" + t1), ips("c/" + t2)
if None in (lib1, lib2, c1, c2):
    rows.append(("open + close, 2 threads (aggregate)", "—", "—", "—", "≥ 1.8x one thread", "not measured"))
else:
    rows.append(("open + close, 1 thread (aggregate ns/op)", fmt_ns(1e9 / lib1), fmt_ns(1e9 / c1),
                 f"{c1 / lib1:.2f}x", "—", "—"))
    scale, cscale = lib2 / lib1, c2 / c1
    rows.append((f"open + close, 2 threads (aggregate ns/op); scaling lib {scale:.2f}x, C {cscale:.2f}x",
                 fmt_ns(1e9 / lib2), fmt_ns(1e9 / c2), f"{c2 / lib2:.2f}x", "≥ 1.8x one thread",
                 "yes" if scale >= 1.8 else "no"))

# ---- memory ----------------------------------------------------------------------------
pl, pc = load_json("probe-cycles-lib.json"), load_json("probe-cycles-c.json")
if pl:
    label = f"RSS growth over {pl['cycles']:,} open/close cycles"
    rows.append((label, f"{pl['growth_bytes']:,} B", f"{pc['growth_bytes']:,} B" if pc else "—", "—", "< 1 MiB",
                 "yes" if pl["growth_bytes"] < 1 << 20 else "no"))
else:
    rows.append(("RSS growth over open/close cycles", "—", "—", "—", "< 1 MiB", "not measured"))
ll, lc = load_json("probe-live-lib.json"), load_json("probe-live-c.json")
if ll:
    label = f"RSS per live handle at {ll['handles']:,} handles"
    r = f"{ll['bytes_per_handle'] / lc['bytes_per_handle']:.2f}x" if lc and lc["bytes_per_handle"] > 0 else "—"
    rows.append((label, f"{ll['bytes_per_handle']:.1f} B", f"{lc['bytes_per_handle']:.1f} B" if lc else "—", r,
                 "≤ 64 B", "yes" if ll["bytes_per_handle"] <= 64 else "no"))
else:
    rows.append(("RSS per live handle", "—", "—", "—", "≤ 64 B", "not measured"))

# ---- cold start ------------------------------------------------------------------------
cl, cc = load_json("cold-lib.json"), load_json("cold-c.json")
if cl:
    label = (f"cold start: dlopen → DllGetClassObject → first OpenThreadToken, median of {cl['runs']} processes"
             f" (whole process: {cl['process_median_ns'] / 1e6:.2f} ms)")
    rows.append((label, f"{cl['median_ns'] / 1e6:.3f} ms", f"{cc['median_ns'] / 1e6:.3f} ms" if cc else "—",
                 f"{cl['median_ns'] / cc['median_ns']:.1f}x" if cc else "—", "< 5 ms",
                 "yes" if cl["median_ns"] < 5e6 else "no"))
else:
    rows.append(("cold start", "—", "—", "—", "< 5 ms", "not measured"))

# The tracer: "off" is a plain object's call (no proxy, no check on the call path); the
# ratio is what tracing a call costs when it is on (a formatted line written to /dev/null).
ratio_row("call tracer on vs off: OpenThreadToken (no token), one line to /dev/null", "traced call",
          base_prefix="off", target="off costs nothing: off = plain call")

# ---- write -----------------------------------------------------------------------------
machine = cpu_model()
when = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
ctx = bench.get("context", {})
os.makedirs(out_dir, exist_ok=True)
with open(os.path.join(out_dir, "results.md"), "w") as f:
    f.write(f"Machine: {machine}, {ctx.get('num_cpus', os.cpu_count())} CPUs; run {when}"
            f"{' (smoke run: tiny iteration counts, numbers meaningless)' if os.environ.get('HOSTSEC_BENCH_SMOKE') else ''}.\n")
    f.write("Times are CPU ns per operation (median of the repetitions); baseline = benchmarks/baseline.c "
            "(or the raw syscall sequence where named); ratio = library / baseline.\n\n")
    f.write("| row | ns/op | baseline ns/op | ratio | target | met? |\n")
    f.write("| --- | ---: | ---: | ---: | --- | --- |\n")
    for r in rows:
        f.write("| " + " | ".join(r) + " |\n")

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [c[0] for c in chart]
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(labels) + 1.6))
    y = range(len(labels))
    ax.barh([i + 0.2 for i in y], [c[1] for c in chart], height=0.4, label="libhostsec", color="#3b6ea8")
    ax.barh([i - 0.2 for i in y], [c[2] for c in chart], height=0.4, label="baseline (C / raw syscalls)",
            color="#b0b0b0")
    ax.set_yticks(list(y))
    ax.set_yticklabels([l if len(l) < 48 else l[:46] + "…" for l in labels], fontsize=7)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("ns per operation (log scale)")
    ax.set_title(f"hostsec per-call cost — {machine} — {when}", fontsize=9)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(os.path.join(out_dir, "results.png"), dpi=80)
    print("report: wrote results.png")
except Exception as e:  # the table is the result; the chart is a convenience
    print(f"report: results.png not made: {e}", file=sys.stderr)
print("report: wrote " + os.path.join(out_dir, "results.md"))
