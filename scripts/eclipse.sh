#!/usr/bin/env bash
# Starts the Slabscope RCP application built by `./mvnw verify` (feature/io.slabscope.product).
#
#   scripts/eclipse.sh [-slabscope.pid PID | -slabscope.jmx HOST:PORT | -slabscope.open FILE.jfr] [Eclipse args]
#
# No native Eclipse launcher is on Maven Central, so the product is started with its
# org.eclipse.equinox.launcher jar and the java on PATH (a JDK 17: the Attach API lists local JVMs).
# SLABSCOPE_PRODUCT may point at another copy of the product (e.g. the unpacked .tar.gz).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
product="${SLABSCOPE_PRODUCT:-$root/feature/io.slabscope.product/target/products/io.slabscope.product/linux/gtk/x86_64}"
launcher=$(ls "$product"/plugins/org.eclipse.equinox.launcher_*.jar 2>/dev/null | head -1 || true)
if [ -z "$launcher" ]; then
    echo "eclipse.sh: no product in $product: build it first with ./mvnw -B verify (or -DskipTests)" >&2
    exit 1
fi
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    echo "eclipse.sh: no DISPLAY: run it in a desktop session, or under xvfb-run -a" >&2
    exit 1
fi
# the configuration area must be writable: keep a private copy when the product dir is not
config="$product/configuration"
if [ ! -w "$config" ]; then
    config="${XDG_CACHE_HOME:-$HOME/.cache}/slabscope/configuration"
    mkdir -p "$config"
    cp -r "$product/configuration/." "$config/"
fi
exec java ${SLABSCOPE_VMARGS:--Xmx1g} -Dosgi.install.area="$product" -Dosgi.configuration.area="$config" \
    -jar "$launcher" -data @user.home/.slabscope/workspace -consoleLog "$@"
