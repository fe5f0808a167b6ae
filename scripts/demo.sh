#!/usr/bin/env bash
# The main job on a built-in demo: sets up, builds, runs real programs under the shim and
# prints what the allocator did.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
echo "== building (native-shim) ..."
./mvnw -q -B -ntp -pl native-shim package -DskipTests
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
