#!/usr/bin/env bash
# Checks an Eclipse installation for the Slabscope feature installed with the p2 director
# (feature/io.slabscope.installcheck runs it in `verify`; see plugin/README.md):
#
#   scripts/p2-install-check.sh --before DIR   the platform alone: no Slabscope in its p2 profile nor bundles.info
#   scripts/p2-install-check.sh DIR            installed: io.slabscope.feature.feature.group is a root of the p2
#                                              profile, io.slabscope.ui and io.slabscope.model are in bundles.info
#                                              and plugins/; the installation's OSGi framework is started
#                                              headless: io.slabscope.ui must resolve, become ACTIVE, and have
#                                              its imports wired (model, javax.management, jdk.jfr.consumer,
#                                              com.sun.tools.attach); then, with a display, it is started with
#                                              -application io.slabscope.ui.application -slabscope.tour 1: the
#                                              perspective and the three views must open ("TOUR DONE")
#
# DIR is an installation materialised by Tycho (no native launcher: java -jar plugins/org.eclipse.equinox.launcher_*.jar).
set -euo pipefail
before=false
if [ "${1:-}" = --before ]; then
    before=true
    shift
fi
dir="${1:?usage: p2-install-check.sh [--before] INSTALLATION}"
fail() {
    echo "p2-install-check: FAILED: $*" >&2
    exit 1
}
[ -d "$dir/plugins" ] || fail "$dir is not an Eclipse installation (no plugins/)"
info="$dir/configuration/org.eclipse.equinox.simpleconfigurator/bundles.info"
[ -f "$info" ] || fail "no $info"
registry="$dir/p2/org.eclipse.equinox.p2.engine/profileRegistry/DefaultProfile.profile"
[ -d "$registry" ] || fail "no p2 profile DefaultProfile in $dir/p2"
profile=$(ls -t "$registry"/*.profile.gz 2>/dev/null | head -1)
[ -n "$profile" ] || fail "no profile state in $registry"
# root IUs of the latest profile state: "id version" of each <iuProperties> with org.eclipse.equinox.p2.type.root=true
roots=$(zcat "$profile" | awk -F"'" '/<iuProperties id=/ { id = $2 " " $4 } /<\/iuProperties>/ { id = "" }
    /name=.org.eclipse.equinox.p2.type.root. value=.true./ && id != "" { print id }')
if $before; then
    grep -q '^io\.slabscope' "$info" && fail "the platform already has Slabscope bundles: $(grep '^io\.slabscope' "$info")"
    ls "$dir/plugins" | grep -q '^io\.slabscope' && fail "the platform already has Slabscope in plugins/"
    echo "$roots" | grep -q '^io\.slabscope\.feature' && fail "the platform's p2 profile already has the Slabscope feature"
    echo "p2-install-check: the platform in $dir has no Slabscope yet ($(wc -l < "$info") bundles; p2 roots: $(echo $roots))"
    exit 0
fi

echo "$roots" | grep -q '^io\.slabscope\.feature\.feature\.group ' \
    || fail "io.slabscope.feature.feature.group is not a root of the p2 profile ($profile): $(echo $roots)"
for b in io.slabscope.ui io.slabscope.model; do
    line=$(grep "^$b," "$info" || true)
    [ -n "$line" ] || fail "$b is not in bundles.info"
    jar=$(echo "$line" | cut -d, -f3)
    [ -f "$dir/$jar" ] || fail "$b: $dir/$jar missing"
    echo "p2-install-check: bundles.info: $line"
done
echo "p2-install-check: p2 profile roots: $(echo $roots)"

work=$(mktemp -d)
log="$work/log"
app=""
cleanup() {
    if [ -n "$app" ]; then
        kill "$app" 2>/dev/null || true
        wait "$app" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
# copies of the configuration: the check leaves the installation as the director made it
cp -r "$dir/configuration" "$work/probe-configuration"
cp -r "$dir/configuration" "$work/configuration"

# 1. headless: the installation's OSGi framework (EclipseStarter, its config.ini and bundles.info), then the
#    state of the Slabscope bundles and where io.slabscope.ui's imports are wired
cat > "$work/OsgiProbe.java" <<'JAVA'
import java.util.*;
import org.eclipse.core.runtime.adaptor.EclipseStarter;
import org.osgi.framework.*;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.*;

public class OsgiProbe {
    static String state(Bundle b) {
        return switch (b.getState()) {
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.STARTING -> "STARTING (lazy)";
            case Bundle.ACTIVE -> "ACTIVE";
            default -> "state " + b.getState();
        };
    }

    public static void main(String[] a) throws Exception {
        Map<String, String> p = new HashMap<>();
        p.put("osgi.install.area", "file:" + a[0] + "/");
        p.put("osgi.configuration.area", "file:" + a[1] + "/");
        p.put("osgi.instance.area", "file:" + a[1] + "/workspace/");
        EclipseStarter.setInitialProperties(p);
        BundleContext ctx = EclipseStarter.startup(new String[0], null);
        int bad = 0;
        try {
            Map<String, Bundle> ours = new TreeMap<>();
            for (Bundle b : ctx.getBundles()) {
                if (b.getSymbolicName() != null && b.getSymbolicName().startsWith("io.slabscope")) {
                    ours.put(b.getSymbolicName(), b);
                }
            }
            for (String bsn : List.of("io.slabscope.model", "io.slabscope.ui")) {
                Bundle b = ours.get(bsn);
                if (b == null) {
                    System.out.println("MISSING " + bsn);
                    bad++;
                    continue;
                }
                System.out.println("bundle " + bsn + " " + b.getVersion() + ": " + state(b));
                if (b.getState() == Bundle.INSTALLED) {
                    bad++;
                }
            }
            Bundle ui = ours.get("io.slabscope.ui");
            if (ui != null) {
                ui.start();
                System.out.println("bundle io.slabscope.ui after start(): " + state(ui));
                if (ui.getState() != Bundle.ACTIVE) {
                    bad++;
                }
                Map<String, String> wires = new TreeMap<>();
                for (BundleWire w : ui.adapt(BundleWiring.class).getRequiredWires(PackageNamespace.PACKAGE_NAMESPACE)) {
                    wires.put((String) w.getCapability().getAttributes().get(PackageNamespace.PACKAGE_NAMESPACE),
                            w.getProvider().getSymbolicName());
                }
                for (String pkg : List.of("io.slabscope.model", "io.slabscope.model.source", "javax.management",
                        "jdk.jfr.consumer", "com.sun.tools.attach")) {
                    String from = wires.get(pkg);
                    System.out.println("  import " + pkg + " <- " + (from == null ? "NOT WIRED" : from));
                    if (from == null) {
                        bad++;
                    }
                }
            }
        } finally {
            EclipseStarter.shutdown();
        }
        System.exit(bad == 0 ? 0 : 1);
    }
}
JAVA
osgi=$(ls "$dir"/plugins/org.eclipse.osgi_*.jar | head -1)
if ! java -cp "$osgi" "$work/OsgiProbe.java" "$dir" "$work/probe-configuration" >"$work/probe.log" 2>&1; then
    cat "$work/probe.log" >&2
    fail "the Slabscope bundles do not resolve and start in the installation"
fi
sed 's/^/p2-install-check: /' "$work/probe.log"

# 2. with a display: the Slabscope application and its views, from the installed bundles
if [ -z "${DISPLAY:-}" ]; then
    echo "p2-install-check: WARNING: no DISPLAY, the installation is not started with its UI (run under xvfb-run)" >&2
    exit 0
fi
launcher=$(ls "$dir"/plugins/org.eclipse.equinox.launcher_*.jar | head -1)
start=$SECONDS
java -Xmx512m -Dosgi.install.area="$dir" -Dosgi.configuration.area="$work/configuration" -jar "$launcher" \
    -data "$work/workspace" -consoleLog -application io.slabscope.ui.application -slabscope.tour 1 >"$log" 2>&1 &
app=$!
while [ $((SECONDS - start)) -lt 180 ]; do
    grep -q '^TOUR DONE' "$log" && break
    kill -0 "$app" 2>/dev/null || break
    sleep 0.5
done
if ! grep -q '^TOUR DONE' "$log"; then
    tail -60 "$log" >&2
    fail "the installed Slabscope application did not show its views (see the log above)"
fi
shots=$(grep -c '^SHOT ' "$log" || true)
[ "$shots" -eq 4 ] || fail "$shots views shown of 4"
if grep -E "Could not resolve|Missing Constraint|Unresolved requirement|Exception" "$log" | grep -v '^\s*$' >/dev/null; then
    grep -n -E "Could not resolve|Missing Constraint|Unresolved requirement|Exception" "$log" | head -20 >&2
    fail "errors in the installation's log"
fi
echo "p2-install-check: started in $((SECONDS - start)) s: io.slabscope.ui resolved and active, the perspective and its 3 views shown"
