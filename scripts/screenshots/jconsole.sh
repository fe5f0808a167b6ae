#!/usr/bin/env bash
# Takes docs/jconsole.png: JConsole, under Xvfb, on the MBeans tab of a JVM that runs under
# libslabscope.so with the Slabscope agent, showing io.slabscope:type=Allocator.
#
#   scripts/screenshots/jconsole.sh [OUTPUT.png] [MBEAN-TREE-PATH]
#
# Needs xvfb and imagemagick (scripts/setup.sh --screenshots) and a build:
#   ./mvnw -q -B -ntp -pl native-shim,model,agent install -DskipTests
set -euo pipefail
unset LD_PRELOAD
cd "$(dirname "$0")/../.."
ROOT=$PWD
OUT=${1:-$ROOT/docs/jconsole.png}
TREE=${2:-io.slabscope/Allocator/Attributes}
JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
LIB=$ROOT/native-shim/target/libslabscope.so
JAR=$ROOT/agent/target/slabscope-agent.jar
for f in "$LIB" "$JAR" /usr/bin/Xvfb /usr/bin/import; do
    [ -e "$f" ] || { echo "jconsole.sh: $f is missing (build, or scripts/setup.sh --screenshots)" >&2; exit 1; }
done

WORK=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# a free display number
N=99
while [ -e /tmp/.X11-unix/X$N ] || [ -e /tmp/.X$N-lock ]; do N=$((N + 1)); done
Xvfb ":$N" -screen 0 1280x860x24 -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -e /tmp/.X11-unix/X$N ] && break; sleep 0.1; done
export DISPLAY=:$N

# the JVM to look at: the agent's test workload, allocating for a while
"$JAVA_HOME/bin/javac" -d "$WORK/classes" -cp "$JAR" agent/src/test/java/io/slabscope/agent/Workload.java
LD_PRELOAD=$LIB "$JAVA_HOME/bin/java" -javaagent:"$JAR" -cp "$WORK/classes:$JAR" \
    io.slabscope.agent.Workload mixed 120000 >"$WORK/target.out" 2>"$WORK/target.err" &
target=$!
pids+=($target)
sleep 3

# JConsole, driven to the MBeans tab
"$JAVA_HOME/bin/java" --add-exports jdk.jconsole/sun.tools.jconsole=ALL-UNNAMED \
    --add-modules jdk.jconsole -Dswing.aatext=true -Dawt.useSystemAAFontSettings=on \
    scripts/screenshots/JConsoleShot.java "$target" "$TREE" >"$WORK/jconsole.out" 2>"$WORK/jconsole.err" &
pids+=($!)
for _ in $(seq 120); do
    grep -q READY "$WORK/jconsole.out" 2>/dev/null && break
    if ! kill -0 "${pids[-1]}" 2>/dev/null; then
        echo "jconsole.sh: JConsole driver failed:" >&2; cat "$WORK/jconsole.err" >&2; exit 1
    fi
    sleep 0.5
done
grep -q READY "$WORK/jconsole.out" || { echo "jconsole.sh: JConsole did not get ready" >&2; cat "$WORK/jconsole.err" >&2; exit 1; }

mkdir -p "$(dirname "$OUT")"
import -window root -display ":$N" "$OUT"
echo "jconsole.sh: wrote $OUT ($(identify -format '%wx%h' "$OUT"))"
