#!/usr/bin/env bash
# The main job on a built-in demo: sets up, builds, runs real programs under the shim and
# prints what the allocator did; then a JVM under the shim with the agent and a JFR recording,
# a summary read back from the recording, and the Eclipse views on it (the RCP application
# when there is a display, PNG renderings of the three views otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
echo "== building (shim, agent, Eclipse views; the first build downloads from Maven Central) ..."
./mvnw -q -B -ntp install -DskipTests
SHIM=$PWD/native-shim/target/libslabscope.so
OUT=$(mktemp -d "${TMPDIR:-/tmp}/slabscope-demo.XXXXXX")

echo
echo "== 1. The background notes' malloc story, under Slabscope"
LD_PRELOAD=$SHIM native-shim/target/examples/seed_walkthrough

echo
echo "== 2. A real program under the shim: python3 scripts/demo/workload.py"
LD_PRELOAD=$SHIM SLABSCOPE_REPORT=$OUT/report.%p PYTHONMALLOC=malloc python3 scripts/demo/workload.py
report=$(ls "$OUT"/report.* | head -1)
awk '
  { v[$1] = $2 }
  END {
    mib = 1048576
    printf "   calls     malloc %d, free %d, calloc %d, realloc %d, aligned %d\n", v["malloc_calls"], v["free_calls"], v["calloc_calls"], v["realloc_calls"], v["memalign_calls"]
    printf "   slab      %d objects from the kmalloc-N caches (%d freed)\n", v["slab_allocs"], v["slab_frees"]
    printf "   buddy     %d medium blocks (page runs)\n", v["medium_allocs"]
    printf "   mmap      %d blocks of their own, %d unmapped on free, threshold now %d KiB\n", v["mmap_allocs"], v["mmap_frees"], v["mmap_threshold"] / 1024
    printf "   brk heap  grew %d times to a peak of %.1f MiB, trimmed %d times (%.1f MiB given back), %.1f MiB now\n", v["brk_grows"], v["heap_peak_bytes"] / mib, v["brk_trims"], v["bytes_trimmed"] / mib, v["heap_bytes"] / mib
    printf "   requested %.1f MiB in all, handed out %.1f MiB (internal fragmentation %.1f%%)\n", v["bytes_requested"] / mib, v["bytes_allocated"] / mib, 100 * (1 - v["bytes_requested"] / v["bytes_allocated"])
    printf "   live at exit: %d allocations; invalid frees: %d\n", v["live_allocs"], v["invalid_frees"]
  }' "$report"
echo "   full report: $report"

echo
echo "== 3. A JVM under the shim, with the Slabscope agent and a JFR recording"
LD_PRELOAD=$SHIM java -javaagent:agent/target/slabscope-agent.jar \
    -XX:StartFlightRecording:settings=default,settings=agent/src/main/resources/slabscope.jfc,filename=$OUT/demo.jfr \
    scripts/demo/NativeWorkload.java 2>&1 | grep -v 'jfr,startup'
echo "   recording: $OUT/demo.jfr; read back:"
java scripts/demo/RecordingSummary.java "$OUT/demo.jfr"

echo
echo "== 4. The recording in the Slabscope views"
if [ -n "${DISPLAY:-}" ]; then
    scripts/eclipse.sh -slabscope.open "$OUT/demo.jfr" >"$OUT/eclipse.log" 2>&1 &
    echo "   the Slabscope application opens on $OUT/demo.jfr (log: $OUT/eclipse.log)"
else
    scripts/eclipse-screenshots.sh --open "$OUT/demo.jfr" "$OUT/views" >/dev/null
    echo "   no display: PNG renderings of the views are in $OUT/views/"
    ls "$OUT"/views/*.png | sed 's/^/     /'
fi
