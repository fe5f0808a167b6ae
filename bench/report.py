#!/usr/bin/env python3
"""Turn bench/target/runs.csv (one line per run) into the Markdown table that
bench/run.sh prints on stdout, plus bench/target/results.csv (one line per
workload and allocator) and bench/target/results.md.

Exit status 1 if any run failed or any checksum differs from the reference
(glibc's, or the most common one when glibc did not run or failed).
"""
import argparse
import csv
import math
import os
import statistics
import sys
from collections import Counter

PEERS = ("jemalloc", "tcmalloc", "mimalloc")
SLAB = "slabscope"
SHORT = {"glibc": "glibc", "jemalloc": "jemalloc", "tcmalloc": "tcmalloc",
         "mimalloc": "mimalloc", "slabscope": "Slabscope"}


def fmt_t(t):
    return "%.3f" % t if t < 10 else "%.2f" % t


def fmt_r(r):
    return "%.2f" % r


def geomean(xs):
    xs = [x for x in xs if x is not None and x > 0]
    if not xs:
        return None
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", required=True)
    ap.add_argument("--csv", required=True)
    ap.add_argument("--md", required=True)
    ap.add_argument("--workloads", required=True)
    ap.add_argument("--allocs", required=True)
    ap.add_argument("--runs", type=int, required=True)
    ap.add_argument("--scale", default="1")
    ap.add_argument("--date", default="")
    ap.add_argument("--host", default="")
    ap.add_argument("--versions", default="")
    ap.add_argument("--notes", default="")
    ap.add_argument("--runs-dir", default="")
    a = ap.parse_args()

    workloads = a.workloads.split()
    allocs = a.allocs.split()
    rows = {}
    with open(a.raw, newline="") as f:
        for r in csv.DictReader(f):
            rows.setdefault((r["workload"], r["allocator"]), []).append(r)

    cells = {}     # (w, alloc) -> dict
    notes = []
    problems = False
    present = [w for w in workloads if any((w, al) in rows for al in allocs)]

    for w in present:
        # reference checksum: glibc's if it is consistent, else the most common one
        ok_sums = {al: [r["checksum"] for r in rows.get((w, al), []) if r["status"] == "ok"]
                   for al in allocs}
        ref, ref_from = None, None
        g = ok_sums.get("glibc") or []
        if g and len(set(g)) == 1:
            ref, ref_from = g[0], "glibc"
        else:
            allsums = Counter(s for al in allocs for s in ok_sums[al])
            if allsums:
                ref, ref_from = allsums.most_common(1)[0][0], "majority"
        for al in allocs:
            rs = rows.get((w, al), [])
            ok = [r for r in rs if r["status"] == "ok"]
            bad = [r for r in rs if r["status"] != "ok"]
            c = {"runs": len(rs), "ok": len(ok), "valid": False, "label": "", "time": None,
                 "rss": None, "min": None, "max": None, "cpu": None, "checksum": "", "sum_ok": None}
            if ok:
                times = [float(r["wall_s"]) for r in ok]
                c["time"] = statistics.median(times)
                c["min"], c["max"] = min(times), max(times)
                try:
                    c["cpu"] = statistics.median(float(r["user_s"]) + float(r["sys_s"]) for r in ok)
                except (KeyError, ValueError, TypeError):
                    c["cpu"] = None
                c["rss"] = max(int(r["maxrss_kib"]) for r in ok) / 1024.0
                sums = sorted(set(r["checksum"] for r in ok))
                c["checksum"] = "|".join(sums)
                c["sum_ok"] = (sums == [ref])
            if bad:
                problems = True
                kinds = Counter()
                for r in bad:
                    if r["status"] == "signal":
                        kinds["SIG%s" % signame(r["code"])] += 1
                    elif r["status"] == "timeout":
                        kinds["TIMEOUT"] += 1
                    elif r["status"] == "skipped":
                        kinds["skipped"] += 1
                    elif r["status"] == "exit":
                        kinds["exit %s" % r["code"]] += 1
                    else:
                        kinds[r["status"]] += 1
                desc = ", ".join("%s %d/%d" % (k, n, len(rs)) for k, n in kinds.items())
                c["label"] = "FAIL (%s)" % desc
                for r in bad:
                    if r["status"] == "skipped":
                        continue
                    errf = os.path.join(a.runs_dir, w, al, r["run"], "err")
                    notes.append("**%s on %s, run %s: %s** (status %s, code %s); stderr: `%s`%s"
                                 % (SHORT[al], w, r["run"], "failed", r["status"], r["code"], errf,
                                    tail(errf)))
            elif ok and not c["sum_ok"]:
                problems = True
                c["label"] = "BAD SUM (%s)" % fmt_t(c["time"])
                notes.append("**CHECKSUM MISMATCH: %s on %s**: got `%s`, expected `%s` (%s)"
                             % (SHORT[al], w, c["checksum"], ref, ref_from))
            elif ok:
                c["valid"] = True
            cells[(w, al)] = c

    # ratios
    have_slab = SLAB in allocs
    peers = [p for p in PEERS if p in allocs]
    have_glibc = "glibc" in allocs

    def ratio(w, al, base, key):
        c, b = cells.get((w, al)), cells.get((w, base))
        if not c or not b or not c["valid"] or not b["valid"] or not b[key]:
            return None
        return c[key] / b[key]

    def paired(w, al, base):
        """Median of the per-run time ratios al/base (run r of each: taken minutes apart at
        most, so both see the same load on the host) and how many of them are below 1."""
        def by_run(x):
            return {r["run"]: float(r["wall_s"]) for r in rows.get((w, x), []) if r["status"] == "ok"}
        c, b = cells.get((w, al)), cells.get((w, base))
        if not c or not b or not c["valid"] or not b["valid"]:
            return None
        mine, theirs = by_run(al), by_run(base)
        rs = [mine[k] / theirs[k] for k in mine if k in theirs and theirs[k] > 0]
        if not rs:
            return None
        return statistics.median(rs), sum(1 for x in rs if x < 1), len(rs)

    def best_peer(w):
        best = None
        for p in peers:
            c = cells.get((w, p))
            if c and c["valid"] and (best is None or c["time"] < cells[(w, best)]["time"]):
                best = p
        return best

    header = ["workload"]
    for al in allocs:
        header += ["%s s" % SHORT[al], "%s MiB" % SHORT[al]]
    if have_slab:
        header += ["Slabscope/glibc time", "paired (faster in)", "Slabscope/glibc RSS",
                   "Slabscope/best peer time"]
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|"]
    out_csv = []
    ratios = {al: {"t": [], "m": []} for al in allocs}
    slab_vs_peer = []
    slab_paired = []
    for w in present:
        row = [w]
        bp = best_peer(w)
        slab_pa = None
        for al in allocs:
            c = cells[(w, al)]
            if c["valid"]:
                row += [fmt_t(c["time"]), "%.1f" % c["rss"]]
            elif c["label"]:
                row += [c["label"], "%.1f" % c["rss"] if c["rss"] is not None else "—"]
            else:
                row += ["—", "—"]
            rt = ratio(w, al, "glibc", "time") if have_glibc else None
            rm = ratio(w, al, "glibc", "rss") if have_glibc else None
            ratios[al]["t"].append(rt)
            ratios[al]["m"].append(rm)
            pa = paired(w, al, "glibc") if have_glibc and al != "glibc" else None
            if al == SLAB:
                slab_pa = pa
            rp = None
            if bp and al not in PEERS and c["valid"]:
                rp = c["time"] / cells[(w, bp)]["time"]
            out_csv.append({
                "workload": w, "allocator": al, "runs_ok": c["ok"], "runs": c["runs"],
                "median_wall_s": "%.4f" % c["time"] if c["time"] is not None else "",
                "min_wall_s": "%.4f" % c["min"] if c["min"] is not None else "",
                "max_wall_s": "%.4f" % c["max"] if c["max"] is not None else "",
                "median_cpu_s": "%.3f" % c["cpu"] if c["cpu"] is not None else "",
                "max_rss_mib": "%.2f" % c["rss"] if c["rss"] is not None else "",
                "checksum": c["checksum"],
                "checksum_ok": "" if c["sum_ok"] is None else ("yes" if c["sum_ok"] else "NO"),
                "status": "ok" if c["valid"] else (c["label"] or "missing"),
                "time_vs_glibc": "%.4f" % rt if rt else "",
                "time_vs_glibc_paired": "%.4f" % pa[0] if pa else "",
                "faster_rounds": "%d/%d" % (pa[1], pa[2]) if pa else "",
                "rss_vs_glibc": "%.4f" % rm if rm else "",
                "time_vs_best_peer": "%.4f" % rp if rp else "",
                "best_peer": bp or "",
            })
        if have_slab:
            rt = ratio(w, SLAB, "glibc", "time") if have_glibc else None
            rm = ratio(w, SLAB, "glibc", "rss") if have_glibc else None
            c = cells[(w, SLAB)]
            rp = c["time"] / cells[(w, bp)]["time"] if (bp and c["valid"]) else None
            slab_vs_peer.append(rp)
            slab_paired.append(slab_pa[0] if slab_pa else None)
            row += [fmt_r(rt) if rt else "—",
                    "%s (%d/%d)" % (fmt_r(slab_pa[0]), slab_pa[1], slab_pa[2]) if slab_pa else "—",
                    fmt_r(rm) if rm else "—",
                    "%s (%s)" % (fmt_r(rp), bp) if rp else "—"]
        lines.append("| " + " | ".join(row) + " |")

    # geometric-mean rows
    def gm_cell(xs):
        g = geomean(xs)
        if g is None:
            return "—"
        n = len([x for x in xs if x])
        return ("%.2f" % g) if n == len(xs) else ("%.2f (%d/%d)" % (g, n, len(xs)))

    if have_glibc and present:
        row_t = ["**geomean time ÷ glibc**"]
        row_m = ["**geomean RSS ÷ glibc**"]
        for al in allocs:
            row_t += [gm_cell(ratios[al]["t"]), ""]
            row_m += ["", gm_cell(ratios[al]["m"])]
        if have_slab:
            row_t += [gm_cell(ratios[SLAB]["t"]), gm_cell(slab_paired), "", gm_cell(slab_vs_peer)]
            row_m += ["", "", gm_cell(ratios[SLAB]["m"]), ""]
        lines.append("| " + " | ".join(row_t) + " |")
        lines.append("| " + " | ".join(row_m) + " |")
    elif have_slab and present:
        lines.append("| " + " | ".join(["**geomean**"] + [""] * (2 * len(allocs)) +
                                       ["—", "—", "—", gm_cell(slab_vs_peer)]) + " |")

    md = []
    md.append("Allocator benchmark, %s: %d run%s per cell, scale %s; time = median wall seconds, "
              "MiB = max peak RSS over the runs (lower is better everywhere); \"paired\" = median "
              "of the ratios of Slabscope's and glibc's runs of the same round, and in how many "
              "rounds Slabscope was faster."
              % (a.date, a.runs, "" if a.runs == 1 else "s", a.scale))
    md.append("Host: %s. Versions: %s." % (a.host, a.versions))
    md.append("")
    md += lines
    extra = []
    if a.notes and os.path.exists(a.notes):
        with open(a.notes) as f:
            extra = [ln.strip() for ln in f if ln.strip()]
    if notes or extra:
        md.append("")
        md.append("Notes:")
        for n in extra:
            md.append("- " + n)
        for n in notes:
            md.append("- " + n)
    text = "\n".join(md) + "\n"
    sys.stdout.write(text)
    with open(a.md, "w") as f:
        f.write(text)
    with open(a.csv, "w", newline="") as f:
        fields = ["workload", "allocator", "runs_ok", "runs", "median_wall_s", "min_wall_s",
                  "max_wall_s", "median_cpu_s", "max_rss_mib", "checksum", "checksum_ok", "status",
                  "time_vs_glibc", "time_vs_glibc_paired", "faster_rounds", "rss_vs_glibc",
                  "time_vs_best_peer", "best_peer"]
        wr = csv.DictWriter(f, fieldnames=fields)
        wr.writeheader()
        wr.writerows(out_csv)
    if notes:
        sys.stderr.write("\n".join(["", "!!! PROBLEMS:"] + ["!!! " + n for n in notes]) + "\n")
    return 1 if problems else 0


def signame(code):
    import signal
    try:
        return signal.Signals(int(code)).name[3:]
    except (ValueError, KeyError):
        return str(code)


def tail(path, n=6):
    try:
        with open(path, errors="replace") as f:
            ls = [ln.rstrip("\n") for ln in f.readlines()[-n:]]
    except OSError:
        return ""
    ls = [ln for ln in ls if ln.strip()]
    if not ls:
        return " (empty)"
    return "; last lines: `" + " / ".join(x.replace("`", "'")[:200] for x in ls) + "`"


if __name__ == "__main__":
    sys.exit(main())
