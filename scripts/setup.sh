#!/usr/bin/env bash
# Installs what the build and the tests need on a fresh Debian 12 machine.
# Idempotent and fast when everything is present: apt-get runs only for missing packages.
#
#   scripts/setup.sh           build + test dependencies
#   scripts/setup.sh --bench   also the allocators the benchmark compares against
#   scripts/setup.sh --screenshots   also Xvfb and ImageMagick (scripts/screenshots/jconsole.sh)
#
# A JDK 17 (java, javac, jcmd) is assumed to be installed already.
set -euo pipefail

want_bench=0
want_screenshots=0
for arg in "$@"; do
    case "$arg" in
        --bench) want_bench=1 ;;
        --screenshots) want_screenshots=1 ;;
        -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
        *) echo "setup.sh: unknown argument: $arg" >&2; exit 2 ;;
    esac
done

# build-essential: gcc, make, libc headers; binutils gives nm for the gcc test;
# python3: Debian's /usr/bin/python3, which the tests and the demo run;
# clang and libclang-rt-dev (libFuzzer's runtime): the allocator fuzzer (native-shim/tests/fuzz)
packages=(build-essential make binutils git sqlite3 time python3 clang libclang-rt-dev)
if [ "$want_bench" = 1 ]; then
    packages+=(libjemalloc2 libtcmalloc-minimal4 libmimalloc2.0)
fi
# the JConsole screenshot of the agent's MBeans: a virtual X server and `import` to take it
if [ "$want_screenshots" = 1 ]; then
    packages+=(xvfb imagemagick)
fi
# the Eclipse plugin's UI tests (plugin/io.slabscope.ui.tests) run SWT under a virtual X server:
# scripts/test.sh wraps the build in xvfb-run; GTK 3 for SWT; ImageMagick's import for screenshots
packages+=(xvfb xauth libgtk-3-0 imagemagick)

missing=()
for pkg in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q '^install ok installed$'; then
        missing+=("$pkg")
    fi
done

if [ "${#missing[@]}" -gt 0 ]; then
    echo "setup.sh: installing ${missing[*]}"
    sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        sudo=(sudo)
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

for tool in java javac jcmd; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "setup.sh: $tool not found; a JDK 17 is required" >&2
        exit 1
    fi
done
