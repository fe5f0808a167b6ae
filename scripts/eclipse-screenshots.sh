#!/usr/bin/env bash
# Screenshots of the Slabscope RCP views under a virtual X server: eclipse-perspective.png,
# eclipse-heap-layout.png, eclipse-slab-caches.png, eclipse-fragmentation.png.
#
#   scripts/eclipse-screenshots.sh                     a live python3 workload -> docs/
#   scripts/eclipse-screenshots.sh --open F.jfr DIR    a recording -> DIR (the demo uses it)
#
# Needs the built product (./mvnw verify), xvfb and imagemagick (scripts/setup.sh installs them).
# In the first form it also copies the UI test suite's render benchmark
# (plugin/io.slabscope.ui.tests/target/eclipse-benchmark.txt, written by RenderBenchmarkTest) to docs/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
lib="$root/native-shim/target/libslabscope.so"
out="$root/docs"
recording=""
if [ "${1:-}" = --open ]; then
    recording=$(readlink -f "$2")
    out="$3"
fi
mkdir -p "$out"
display=":$((90 + RANDOM % 100))"
Xvfb "$display" -screen 0 1400x900x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
work=""
app=""
cleanup() {
    [ -n "$app" ] && kill "$app" 2>/dev/null || true
    [ -n "$work" ] && kill "$work" 2>/dev/null || true
    kill "$xvfb" 2>/dev/null || true
}
trap cleanup EXIT
if [ -n "$recording" ]; then
    target=(-slabscope.open "$recording")
else
# the workload: a Python program that keeps building and dropping dicts, lists and strings of many
# sizes (slab caches of every class, medium blocks, a few large ones), with a slowly growing part
PYTHONMALLOC=malloc LD_PRELOAD="$lib" python3 -c '
import random, time
random.seed(5)
keep, big = [], []
t0 = time.time()
while time.time() - t0 < 120:
    batch = [{"k%d" % i: "x" * random.choice((8, 24, 60, 200, 900, 3000))} for i in range(2000)]
    keep.append(batch[::7])
    if len(keep) > 60:
        del keep[random.randrange(len(keep))]
    if random.random() < 0.1:
        big.append(bytearray(random.choice((40000, 200000, 1 << 20))))
        if len(big) > 12:
            big.pop(0)
    time.sleep(0.02)
' &
work=$!
sleep 2
target=(-slabscope.pid "$work")
fi
log=$(mktemp)
DISPLAY="$display" "$root/scripts/eclipse.sh" "${target[@]}" -slabscope.tour 6 >"$log" 2>&1 &
app=$!
deadline=$((SECONDS + 110))
taken=0
while [ $SECONDS -lt $deadline ]; do
    while read -r word name; do
        if [ "$word" = SHOT ] && [ ! -e "$out/.shot-$name" ]; then
            DISPLAY="$display" import -window root "$out/eclipse-$name.png"
            touch "$out/.shot-$name"
            echo "eclipse-screenshots: $out/eclipse-$name.png"
            taken=$((taken + 1))
        fi
    done < <(grep -E '^(SHOT|TOUR)' "$log" || true)
    grep -q '^TOUR DONE' "$log" && break
    sleep 0.5
done
rm -f "$out"/.shot-*
if [ "$taken" -lt 4 ]; then
    echo "eclipse-screenshots: only $taken screenshots; the application said:" >&2
    tail -40 "$log" >&2
    exit 1
fi
# the render benchmark of the last UI test run goes to docs/ with the screenshots (the tests themselves
# write only under target/)
bench="$root/plugin/io.slabscope.ui.tests/target/eclipse-benchmark.txt"
if [ -z "$recording" ]; then
    if [ -f "$bench" ]; then
        cp "$bench" "$out/eclipse-benchmark.txt"
        echo "eclipse-screenshots: $out/eclipse-benchmark.txt (from $bench)"
    else
        echo "eclipse-screenshots: no $bench: run the UI tests first to refresh docs/eclipse-benchmark.txt" >&2
    fi
fi
