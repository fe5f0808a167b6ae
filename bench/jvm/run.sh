#!/usr/bin/env bash
# bench/jvm/run.sh -- what the Slabscope agent and a JFR recording cost a JVM.
#
# Runs one JVM workload (agent/src/test/java/io/slabscope/agent/Workload.java, "bench" mode:
# a fixed number of rounds of direct ByteBuffers, Unsafe.allocateMemory/reallocateMemory/
# freeMemory, Deflater/Inflater and libc malloc/calloc/realloc/free through JNA) three ways:
#
#   glibc   plain java
#   shim    LD_PRELOAD=libslabscope.so
#   agent   LD_PRELOAD=libslabscope.so -javaagent:slabscope-agent.jar
#           -XX:StartFlightRecording:settings=slabscope.jfc,filename=...
#
# and, to tell the agent's share from JDK Flight Recorder's, "jfr": the shim and the same
# recording without the agent. --settings default,slabscope.jfc records the JDK's own default
# events too (what a user who already records pays on top of their recording).
#
# interleaved, N runs each, and prints a Markdown table of medians with ratios. "work" is the
# time of the rounds measured inside the JVM (after three times as many untimed warm-up rounds,
# --warmup: they cover the agent's start-up -- JNA, JFR event classes, ELF symbols -- and let the
# JIT settle; with fewer, compiling JFR's and the agent's code falls into the timed rounds),
# "work CPU" the CPU time of the whole process over those rounds (every thread: the agent's,
# JFR's, GC and JIT), "main" that of the thread doing the rounds (it pays for the allocator and
# for taking samples), "agent thread" that of the agent's thread over the rounds,
# "wall" the whole process (JVM start-up, JFR start-up and the dump at exit included). This is
# a benchmark, not a test: nothing fails on a threshold.
#
# A second table splits the work CPU by thread (every thread of the process, JVM-internal ones
# too, read by the workload from each thread's CPU clock at the start and the end of the timed
# rounds): main, the agent's thread, GC threads, the C1 and C2 compiler threads, the VM Thread,
# JFR's recorder, periodic-task and sampler threads, the rest. CPU time, not wall time: it holds
# up on a loaded machine far better than the work column. A third counts what the last "jfr" and
# "agent" runs' recordings hold: events and bytes per second of recording, per event type. A
# line gives each configuration's peak RSS (VmHWM at the end of the rounds).
#
# --mmap-threshold N pins the mmap threshold (MALLOC_MMAP_THRESHOLD_, which glibc and the shim
# both read) for every configuration; by default both adapt it as glibc does.
#
# usage: bench/jvm/run.sh [--runs N] [--rounds R] [--java JAVA_HOME] [--agent-options OPTS]
#                         [--also OPTS]   (a fourth configuration: the agent with OPTS)
#                         [--mmap-threshold N] [--settings JFC[,JFC...]]
#                         [--warmup W]   (untimed rounds before the timed ones; default 3R: the JIT has
#                                         settled, the timed rounds show the steady state)
#                         [--direct free|gc]   (how the workload's direct buffers are released:
#                                               free = at once, Unsafe.invokeCleaner, as Netty's pools
#                                               do (default); gc = left to the GC, which forces a full
#                                               GC each time MaxDirectMemorySize is reached)
set -euo pipefail
unset LD_PRELOAD

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TARGET="$HERE/target"

RUNS=7
ROUNDS=4000
JAVA_HOME_BENCH=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
AGENT_OPTIONS=""
ALSO=""
SETTINGS=slabscope.jfc
DIRECT=free
WARMUP=""
MMAP_ENV=()

while [ $# -gt 0 ]; do
    case "$1" in
        --runs) RUNS=$2; shift 2 ;;
        --rounds) ROUNDS=$2; shift 2 ;;
        --java) JAVA_HOME_BENCH=$2; shift 2 ;;
        --agent-options) AGENT_OPTIONS=$2; shift 2 ;;
        --also) ALSO=$2; shift 2 ;;
        --mmap-threshold) MMAP_ENV=(MALLOC_MMAP_THRESHOLD_="$2"); shift 2 ;;
        --settings) SETTINGS=$2; shift 2 ;;
        --direct) DIRECT=$2; shift 2 ;;
        --warmup) WARMUP=$2; shift 2 ;;
        -h|--help) sed -n '2,44p' "$0"; exit 0 ;;
        *) echo "bench/jvm/run.sh: unknown argument: $1" >&2; exit 2 ;;
    esac
done
case "$DIRECT" in free|gc) ;; *) echo "bench/jvm/run.sh: --direct takes free or gc, not $DIRECT" >&2; exit 2 ;; esac

JAVA="$JAVA_HOME_BENCH/bin/java"
LIB_SRC="$ROOT/native-shim/target/libslabscope.so"
JAR_SRC="$ROOT/agent/target/slabscope-agent.jar"
JFC="$ROOT/agent/src/main/resources/slabscope.jfc"
WORKLOAD_SRC="$ROOT/agent/src/test/java/io/slabscope/agent/Workload.java"
for f in "$JAVA" "$LIB_SRC" "$JAR_SRC"; do
    if [ ! -e "$f" ]; then
        echo "bench/jvm/run.sh: $f is missing; build first: ./mvnw -q -B -ntp -pl agent -am package -DskipTests" >&2
        exit 1
    fi
done

# copies, so that a rebuild during the run cannot mix two versions
mkdir -p "$TARGET/classes" "$TARGET/runs"
cp "$LIB_SRC" "$TARGET/libslabscope.so"
cp "$JAR_SRC" "$TARGET/slabscope-agent.jar"
LIB="$TARGET/libslabscope.so"
JAR="$TARGET/slabscope-agent.jar"
"$JAVA_HOME_BENCH/bin/javac" -q -d "$TARGET/classes" -cp "$JAR" "$WORKLOAD_SRC" 2>/dev/null ||
    "$JAVA_HOME_BENCH/bin/javac" -d "$TARGET/classes" -cp "$JAR" "$WORKLOAD_SRC"

FEATURE=$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
WARMUP=${WARMUP:-$((ROUNDS * 3))}
JVM=(-Xms512m -Xmx512m -XX:+UseParallelGC -Dworkload.direct="$DIRECT" -Dbench.warmup="$WARMUP")
if [ "${FEATURE%%.*}" -ge 23 ]; then JVM+=(--sun-misc-unsafe-memory-access=allow); fi
if [ "${FEATURE%%.*}" -ge 24 ]; then JVM+=(--enable-native-access=ALL-UNNAMED); fi
CP="$TARGET/classes:$JAR"
# the recording's settings: slabscope.jfc is the agent's file, anything else a JDK-known name or path
RECORD=""
IFS=, read -r -a settings_list <<<"$SETTINGS"
for f in "${settings_list[@]}"; do
    [ "$f" = slabscope.jfc ] && f=$JFC
    RECORD+="settings=$f,"
done

config_args() {   # config run -> sets ENV and EXTRA: what makes this configuration
    local config=$1 n=$2
    ENV=() EXTRA=()
    case "$config" in
        glibc) ;;
        shim) ENV=(LD_PRELOAD="$LIB") ;;
        jfr)
            ENV=(LD_PRELOAD="$LIB")
            EXTRA=("-XX:StartFlightRecording:${RECORD}filename=$TARGET/runs/jfr-$n.jfr") ;;
        agent-only)
            ENV=(LD_PRELOAD="$LIB")
            EXTRA=("-javaagent:$JAR${AGENT_OPTIONS:+=$AGENT_OPTIONS}") ;;
        agent|also)
            local opts=$AGENT_OPTIONS
            [ "$config" = also ] && opts=$ALSO
            ENV=(LD_PRELOAD="$LIB")
            EXTRA=("-javaagent:$JAR${opts:+=$opts}"
                   "-XX:StartFlightRecording:${RECORD}filename=$TARGET/runs/$config-$n.jfr") ;;
    esac
}

workload() {   # config run ARGS... -> runs Workload ARGS in the JVM of that configuration
    local config=$1 n=$2
    shift 2
    config_args "$config" "$n"
    env "${MMAP_ENV[@]}" "${ENV[@]}" "$JAVA" "${JVM[@]}" "${EXTRA[@]}" -Xlog:jfr+startup=warning -cp "$CP" \
        io.slabscope.agent.Workload "$@"
}

run_one() {   # config run -> "work_ms cpu_ms agent_ms main_ms wall_ms"
    local config=$1 n=$2
    local out="$TARGET/runs/$config-$n.out" t0 t1
    t0=$(date +%s%N)
    workload "$config" "$n" bench "$ROUNDS" >"$out" 2>"$TARGET/runs/$config-$n.err"
    t1=$(date +%s%N)
    local work
    work=$(sed -n 's/.* ms=\([0-9.]*\) cpu=\([0-9.]*\) agent=\([0-9.]*\) main=\([0-9.]*\) .*/\1 \2 \3 \4/p' "$out")
    sed -n "s/^threads /$config,$n,/p" "$out" >>"$THREADS"
    sed -n "s/^allocated /$config,$n,/p" "$out" >>"$TARGET/allocated.csv"
    sed -n "s/^live /$config,$n,/p" "$out" >>"$TARGET/live.csv"
    sed -n "s/^rss /$config,$n,/p" "$out" >>"$TARGET/rss.csv"
    sed -n "s/^collections /$config,$n,/p" "$out" >>"$TARGET/collections.csv"
    [ -n "$work" ] || { echo "bench/jvm/run.sh: $config run $n printed no time:" >&2; cat "$out" "$TARGET/runs/$config-$n.err" >&2; exit 1; }
    echo "$work $(( (t1 - t0) / 1000000 ))"
}

echo "bench/jvm: $("$JAVA" -version 2>&1 | head -1), $ROUNDS rounds, $RUNS runs, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
RESULTS="$TARGET/results.csv"
echo "config,run,work_ms,cpu_ms,agent_ms,main_ms,wall_ms" >"$RESULTS"
THREADS="$TARGET/threads.csv"    # config,run,group=ms,group=ms,...
: >"$THREADS"
: >"$TARGET/allocated.csv"   # config,run,group=MiB,... (Java heap allocated by live Java threads over the rounds)
: >"$TARGET/collections.csv"   # config,run,collector=count,... (collections over the timed rounds)
: >"$TARGET/live.csv"        # config,run,KiB (Java heap in use after a full GC at the end of the rounds)
: >"$TARGET/rss.csv"         # config,run,KiB (the process's peak RSS, VmHWM, at the end of the rounds)
CONFIGS=(glibc shim jfr agent)
[ -n "$ALSO" ] && CONFIGS+=(also)
for n in $(seq 1 "$RUNS"); do
    for config in "${CONFIGS[@]}"; do
        read -r work cpu agent main wall <<<"$(run_one "$config" "$n")"
        echo "$config,$n,$work,$cpu,$agent,$main,$wall" >>"$RESULTS"
        echo "  run $n $config: work $work ms, work CPU $cpu ms, main $main ms, agent thread $agent ms, wall $wall ms" >&2
    done
done
# start-up: the wall time of a JVM that starts, runs nothing native (Workload sleep 0) and exits
STARTUP="$TARGET/startup.csv"
: >"$STARTUP"
for n in $(seq 1 "$RUNS"); do
    for config in glibc shim agent-only jfr agent; do
        t0=$(date +%s%N)
        workload "$config" "startup-$n" sleep 0 >/dev/null 2>&1
        t1=$(date +%s%N)
        echo "$config,$n,$(( (t1 - t0) / 1000000 ))" >>"$STARTUP"
    done
done
last_jfr="$TARGET/runs/agent-$RUNS.jfr"
# what one sample costs the thread that allocates (the agent's own work is the "agent thread" column)
SAMPLE_COST=$(env "${MMAP_ENV[@]}" LD_PRELOAD="$LIB" "$JAVA" "${JVM[@]}" -cp "$CP" \
    io.slabscope.agent.Workload samplecost 200000 2>/dev/null | sed -n 's/^samplecost //p')

python3 - "$RESULTS" "$last_jfr" "$JAVA_HOME_BENCH" "$ROUNDS" "$RUNS" "$AGENT_OPTIONS" "$ALSO" "$SAMPLE_COST" "$THREADS" "$SETTINGS" "$DIRECT" "$WARMUP" <<'EOF'
import csv, re, statistics, subprocess, sys
results, jfr, java_home, rounds, runs, opts, also, sample_cost, threads, settings, direct, warmup = sys.argv[1:]
rows = list(csv.DictReader(open(results)))
med = {}
configs = ["glibc", "shim", "jfr", "agent"] + (["also"] if also else [])
for c in configs:
    col = lambda k: [float(r[k]) for r in rows if r["config"] == c]
    med[c] = {k: statistics.median(col(k)) for k in ("work_ms", "cpu_ms", "agent_ms", "main_ms", "wall_ms")}
    med[c]["lo"], med[c]["hi"] = min(col("work_ms")), max(col("work_ms"))
print(f"JVM workload ({rounds} timed rounds after {warmup} untimed, median of {runs} runs; agent options: {opts or 'defaults'}; "
      f"recording settings: {settings}; direct buffers: {'freed at once' if direct == 'free' else 'left to the GC'})\n")
print("| configuration | work (ms) | min..max | work CPU (ms) | main (ms) | agent thread (ms) | wall (ms) "
      "| work vs glibc | work vs shim | work CPU vs shim | main vs shim | wall vs shim | work CPU vs shim+JFR |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
names = {"glibc": "glibc malloc", "shim": "libslabscope.so", "jfr": "libslabscope.so + JFR (no agent)",
         "agent": "libslabscope.so + agent + JFR",
         "also": f"libslabscope.so + agent ({also}) + JFR"}
s = med["shim"]
for c in configs:
    m = med[c]
    agent = f"{m['agent_ms']:.0f}" if m['agent_ms'] > 0 else "-"
    print(f"| {names[c]} | {m['work_ms']:.0f} | {m['lo']:.0f}..{m['hi']:.0f} | {m['cpu_ms']:.0f} | {m['main_ms']:.0f} "
          f"| {agent} | {m['wall_ms']:.0f} "
          f"| {m['work_ms'] / med['glibc']['work_ms']:.3f} | {m['work_ms'] / s['work_ms']:.3f} "
          f"| {m['cpu_ms'] / s['cpu_ms']:.3f} | {m['main_ms'] / s['main_ms']:.3f} | {m['wall_ms'] / s['wall_ms']:.3f} "
          f"| {m['cpu_ms'] / med['jfr']['cpu_ms']:.3f} |")

# CPU time by thread over the timed rounds, median per group
per = {}   # (config, group) -> [ms per run]
for line in open(threads):
    parts = line.strip().split(",")
    if len(parts) < 3:
        continue
    c = parts[0]
    for kv in parts[2:]:
        g, v = kv.split("=")
        per.setdefault((c, g), []).append(float(v))
order = ["main", "agent", "gc", "c2", "c1", "vm", "jfr-recorder", "jfr-periodic", "jfr-other", "other", "exited"]
label = {"main": "main (the rounds)", "agent": "slabscope-agent", "gc": "GC threads", "c2": "C2 compiler",
         "c1": "C1 compiler", "vm": "VM Thread, VM Periodic Task", "jfr-recorder": "JFR Recorder Thread",
         "jfr-periodic": "JFR Periodic Tasks", "jfr-other": "JFR Thread Sampler",
         "other": "others (Reference Handler, JNA Cleaner, ...)", "exited": "threads that ended"}
groups = [g for g in order if any((c, g) in per for c in configs)]
if groups:
    tcfg = [c for c in configs if any((c, g) in per for g in groups)]
    print(f"\nCPU time by thread over the timed rounds (ms, median of {runs} runs; min..max)\n")
    print("| thread | " + " | ".join(names[c] for c in tcfg) + " |")
    print("|---|" + "---:|" * len(tcfg))
    med_g = {}
    for g in groups:
        cells = []
        for c in tcfg:
            v = per.get((c, g), [0.0])
            med_g[(c, g)] = statistics.median(v)
            cells.append(f"{statistics.median(v):.0f} ({min(v):.0f}..{max(v):.0f})")
        print(f"| {label[g]} | " + " | ".join(cells) + " |")
    # sums over thread groups per run, then the median over runs (a median of sums, not a sum of medians)
    def per_run_median(c, keep):
        sums_ = []
        for line in open(threads):
            parts = line.strip().split(",")
            if len(parts) >= 3 and parts[0] == c:
                sums_.append(sum(float(v) for g, v in (kv.split("=") for kv in parts[2:]) if keep(g)))
        return statistics.median(sums_)
    totals = {c: per_run_median(c, lambda g: True) for c in tcfg}
    not_main = {c: per_run_median(c, lambda g: g != "main") for c in tcfg}
    # the threads whose time does not swing from run to run (main varies by +-10-15% here, C2 by 2x)
    steady = {c: per_run_median(c, lambda g: g not in ("main", "c2")) for c in tcfg}
    print("| **all threads** | " + " | ".join(f"**{totals[c]:.0f}**" for c in tcfg) + " |")
    print("| all but main | " + " | ".join(f"{not_main[c]:.0f}" for c in tcfg) + " |")
    print("| steady: all but main and C2 | " + " | ".join(f"{steady[c]:.0f}" for c in tcfg) + " |")

def per_config_groups(csv_name, title, digits):
    """A line of medians from a config,run,key=value,... file: per configuration, per key."""
    vals = {}
    try:
        for line in open(threads.rsplit("/", 1)[0] + "/" + csv_name):
            parts = line.strip().split(",")
            for kv in parts[2:]:
                g, v = kv.split("=")
                vals.setdefault((parts[0], g), []).append(float(v))
    except OSError:
        return
    if vals:
        print(f"\n{title}: " + "; ".join(
            names[c] + ": " + ", ".join(f"{g} {statistics.median(v):.{digits}f}"
                                        for (c2, g), v in sorted(vals.items()) if c2 == c)
            for c in configs if any(c2 == c for c2, _ in vals)))

per_config_groups("allocated.csv", "Java heap allocated over the timed rounds (MiB, median)", 1)
per_config_groups("collections.csv", "Collections over the timed rounds (median)", 0)

# the Java heap every full GC marks and moves besides the program's data
def per_config_values(csv_name):
    """config -> [value per run] from a config,run,value file (empty when there is none)."""
    vals = {}
    try:
        for line in open(threads.rsplit("/", 1)[0] + "/" + csv_name):
            parts = line.strip().split(",")
            if len(parts) == 3:
                vals.setdefault(parts[0], []).append(float(parts[2]))
    except OSError:
        pass
    return vals

live = per_config_values("live.csv")
if live:
    print("\nJava heap in use after a full GC at the end, the rounds' own objects dropped (KiB, median): " + "; ".join(
        f"{names[c]}: {statistics.median(live[c]):.0f}" for c in configs if c in live))

rss = per_config_values("rss.csv")
if rss:
    g = statistics.median(rss["glibc"]) if "glibc" in rss else 0
    print("\nPeak RSS of the process at the end of the rounds (VmHWM, MiB, median; min..max; vs glibc): " + "; ".join(
        f"{names[c]}: {statistics.median(rss[c]) / 1024:.1f} ({min(rss[c]) / 1024:.1f}..{max(rss[c]) / 1024:.1f}"
        + (f"; {statistics.median(rss[c]) / g:.3f}" if g else "") + ")" for c in configs if c in rss))

# start-up
start = per_config_values("startup.csv")
if start:
    snames = dict(names, **{"agent-only": "libslabscope.so + agent (no recording)"})
    print(f"\nStart-up: wall time of a JVM that runs nothing (Workload sleep 0), ms, median of {runs}: " + "; ".join(
        f"{snames[c]}: {statistics.median(v):.0f}" for c, v in start.items()))

# what the recordings hold: events and bytes per second of recording
def summary(path):
    out = subprocess.run([java_home + "/bin/jfr", "summary", path], capture_output=True, text=True).stdout
    rows = {}
    for l in out.splitlines():
        m = re.match(r"\s*([\w.]+)\s+(\d+)\s+(\d+)\s*$", l)
        if m:
            rows[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    return rows
try:
    wall = {(r["config"], r["run"]): float(r["wall_ms"]) / 1000 for r in rows}
    recs = {c: f"{jfr.rsplit('/', 1)[0]}/{c}-{runs}.jfr" for c in ("jfr", "agent")}
    sums = {c: summary(p) for c, p in recs.items()}
    secs = {c: wall[(c, runs)] for c in recs}
    import os
    print(f"\nwhat the last run's recordings hold, per second of the JVM's life ({secs['jfr']:.1f} s, {secs['agent']:.1f} s)\n")
    print("| event type | JFR alone: events/s | bytes/s | with the agent: events/s | bytes/s |")
    print("|---|---:|---:|---:|---:|")
    types = sorted(set(sums["agent"]) | set(sums["jfr"]),
                   key=lambda t: -(sums["agent"].get(t, (0, 0))[1] + sums["jfr"].get(t, (0, 0))[1]))
    def cells(c, t):
        n, b = sums[c].get(t, (0, 0))
        return f"{n / secs[c]:.0f} | {b / secs[c] / 1024:.1f} KiB"
    for t in [t for t in types if t.startswith("io.slabscope.")]:
        print(f"| {t} | {cells('jfr', t)} | {cells('agent', t)} |")
    for label_, pred in (("all io.slabscope.*", lambda t: t.startswith("io.slabscope.")),
                         ("all jdk.*", lambda t: t.startswith("jdk."))):
        cs = []
        for c in ("jfr", "agent"):
            n = sum(v[0] for t, v in sums[c].items() if pred(t))
            b = sum(v[1] for t, v in sums[c].items() if pred(t))
            cs.append(f"{n / secs[c]:.0f} | {b / secs[c] / 1024:.1f} KiB")
        print(f"| {label_} | {cs[0]} | {cs[1]} |")
    print(f"| .jfr file | | {os.path.getsize(recs['jfr']) / secs['jfr'] / 1024:.1f} KiB | | "
          f"{os.path.getsize(recs['agent']) / secs['agent'] / 1024:.1f} KiB |")
    a = sums["agent"]
    print(f"\nlast agent run's recording: {a.get('io.slabscope.NativeAllocationSample', (0,))[0]} allocation samples, "
          f"{a.get('io.slabscope.NativeFreeSample', (0,))[0]} matched frees, "
          f"{a.get('io.slabscope.HeapSummary', (0,))[0]} heap summaries")
except Exception as e:
    print(f"\n(jfr summary failed: {e})")
if sample_cost:
    print(f"\none sample, in the allocating thread (malloc+free through JNA, every allocation sampled vs none): {sample_cost}")
# An estimate that does not swing with the main thread's noise: the other threads' measured
# time, plus what the samples cost the allocating thread (the only work the agent adds there):
# the timed rounds' share of all rounds, so about that share of the recording's samples.
m = re.search(r"per-sample=([0-9.]+)us", sample_cost or "")
if groups and m and "agent" in steady and "jfr" in steady:
    try:
        n = sums["agent"].get("io.slabscope.NativeAllocationSample", (0,))[0]
    except NameError:
        n = 0
    share = int(rounds) / (int(rounds) + int(warmup))
    sampled_ms = n * share * float(m.group(1)) / 1000
    base = med["shim"]["cpu_ms"]
    def pct(d, c):
        return 100 * (d[c] - d["shim"]) / base
    sampled = 100 * sampled_ms / base
    print(f"\nestimated cost over the shim alone, in % of its work CPU (the threads other than main, plus the "
          f"samples' cost in the allocating thread, ~{n * share:.0f} samples x {float(m.group(1)):.1f} us = "
          f"{sampled:+.1f}%): JFR alone {pct(not_main, 'jfr'):+.1f}% (steady threads only {pct(steady, 'jfr'):+.1f}%); "
          f"agent + JFR {pct(not_main, 'agent') + sampled:+.1f}% (steady threads only "
          f"{pct(steady, 'agent') + sampled:+.1f}%)")
EOF
