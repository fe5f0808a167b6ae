#!/usr/bin/env bash
# bench/run.sh -- compare malloc implementations on allocation-heavy workloads.
#
# Runs every workload under glibc (no preload), jemalloc, tcmalloc, mimalloc
# and Slabscope (LD_PRELOAD), N times each, and prints a Markdown table
# (median wall time, max peak RSS, Slabscope ratios) on stdout. Progress and
# warnings go to stderr. Results also go to bench/target/results.csv.
# See bench/README.md.
set -euo pipefail
unset LD_PRELOAD   # never measure the harness itself under a foreign allocator

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/.." && pwd)
TARGET="$BENCH_DIR/target"

ALL_WORKLOADS=(churn larson realloc large frag threads-small thread-pool python gcc sqlite)
ALL_ALLOCS=(glibc jemalloc tcmalloc mimalloc slabscope)

RUNS=3
RUNS_SET=0
SCALE=1
QUICK=0
INSTR=0
ONLY=""
ALLOC=""
TIMEOUT=300
INSTALL=1

usage() {
    cat <<EOF
usage: bench/run.sh [options]
  --runs N          runs per workload and allocator (default 3; the median time is reported)
  --quick           short smoke run: 1 run each, workloads scaled to 0.2
  --instructions    count instructions instead of timing: one run of each under callgrind
                    (scale 0.2 unless --scale), the whole run's and the malloc family's
  --scale X         scale factor for the workload sizes (default 1; --quick sets 0.2)
  --only A,B,...    workloads to run (default: all): ${ALL_WORKLOADS[*]}
  --alloc A,B,...   allocators to run (default: all): ${ALL_ALLOCS[*]}
  --timeout S       kill a single run after S seconds (default $TIMEOUT)
  --no-install      do not apt-get install missing allocator packages
  -h, --help        this help
environment:
  SLABSCOPE_LIB     path of the Slabscope shim (default: native-shim/target/libslabscope.so)
  BENCH_PYTHON      python interpreter for the python workload (default /usr/bin/python3)
EOF
}

die() { echo "run.sh: $*" >&2; exit 2; }
log() { echo "$*" >&2; }
loud() {
    log ""
    log "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
    log "!!! $*"
    log "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
    log ""
}

while [ $# -gt 0 ]; do
    case "$1" in
        --runs) [ $# -ge 2 ] || die "--runs needs a value"; RUNS=$2; RUNS_SET=1; shift 2 ;;
        --runs=*) RUNS=${1#*=}; RUNS_SET=1; shift ;;
        --quick) QUICK=1; shift ;;
        --instructions) INSTR=1; shift ;;
        --scale) [ $# -ge 2 ] || die "--scale needs a value"; SCALE=$2; shift 2 ;;
        --scale=*) SCALE=${1#*=}; shift ;;
        --only) [ $# -ge 2 ] || die "--only needs a value"; ONLY=$2; shift 2 ;;
        --only=*) ONLY=${1#*=}; shift ;;
        --alloc) [ $# -ge 2 ] || die "--alloc needs a value"; ALLOC=$2; shift 2 ;;
        --alloc=*) ALLOC=${1#*=}; shift ;;
        --timeout) [ $# -ge 2 ] || die "--timeout needs a value"; TIMEOUT=$2; shift 2 ;;
        --timeout=*) TIMEOUT=${1#*=}; shift ;;
        --no-install) INSTALL=0; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown option: $1" ;;
    esac
done
if [ "$QUICK" = 1 ] || [ "$INSTR" = 1 ]; then
    [ "$RUNS_SET" = 1 ] || RUNS=1
    [ "$SCALE" != 1 ] || SCALE=0.2
fi
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive integer"
[[ "$SCALE" =~ ^[0-9]*\.?[0-9]+$ ]] || die "--scale must be a positive number"
[[ "$TIMEOUT" =~ ^[0-9]+$ ]] || die "--timeout must be whole seconds"

# pick_list "user,list" all... -> validated, in canonical order
pick_list() {
    local want=$1 kind=$2; shift 2
    local -a all=("$@") out=()
    if [ -z "$want" ]; then echo "${all[*]}"; return; fi
    local w x found
    IFS=',' read -r -a req <<<"$want"
    for w in "${req[@]}"; do
        found=0
        for x in "${all[@]}"; do [ "$w" = "$x" ] && found=1; done
        [ "$found" = 1 ] || die "unknown $kind '$w' (known: ${all[*]})"
    done
    for x in "${all[@]}"; do
        for w in "${req[@]}"; do [ "$w" = "$x" ] && { out+=("$x"); break; }; done
    done
    echo "${out[*]}"
}
wl=$(pick_list "$ONLY" workload "${ALL_WORKLOADS[@]}") || exit 2
al=$(pick_list "$ALLOC" allocator "${ALL_ALLOCS[@]}") || exit 2
read -r -a WORKLOADS <<<"$wl"
read -r -a REQ_ALLOCS <<<"$al"
[ ${#WORKLOADS[@]} -gt 0 ] || die "no workload selected"
[ ${#REQ_ALLOCS[@]} -gt 0 ] || die "no allocator selected"

have_workload() { local w; for w in "${WORKLOADS[@]}"; do [ "$w" = "$1" ] && return 0; done; return 1; }

# ---------------------------------------------------------------- packages
pkg_of() {
    case "$1" in
        jemalloc) echo libjemalloc2 ;;
        tcmalloc) echo libtcmalloc-minimal4 ;;
        mimalloc) echo libmimalloc2.0 ;;
    esac
}
pkg_installed() { [[ "$(dpkg -s "$1" 2>/dev/null)" == *"Status: install ok installed"* ]]; }

need_pkgs=()
for a in "${REQ_ALLOCS[@]}"; do
    p=$(pkg_of "$a")
    [ -n "$p" ] && ! pkg_installed "$p" && need_pkgs+=("$p")
done
if have_workload sqlite && ! command -v sqlite3 >/dev/null 2>&1; then need_pkgs+=(sqlite3); fi
if [ "$INSTR" = 1 ] && ! command -v valgrind >/dev/null 2>&1; then need_pkgs+=(valgrind); fi
if [ ${#need_pkgs[@]} -gt 0 ]; then
    if [ "$INSTALL" = 0 ]; then
        log "run.sh: missing packages (not installing, --no-install): ${need_pkgs[*]}"
    else
        SUDO=""
        [ "$(id -u)" = 0 ] || SUDO="sudo"
        log "run.sh: installing ${need_pkgs[*]} ..."
        mkdir -p "$TARGET"
        export DEBIAN_FRONTEND=noninteractive
        if ! $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need_pkgs[@]}" >"$TARGET/apt.log" 2>&1; then
            log "run.sh: install failed without update; running apt-get update first"
            $SUDO apt-get update >>"$TARGET/apt.log" 2>&1 || true
            $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need_pkgs[@]}" >>"$TARGET/apt.log" 2>&1 \
                || log "run.sh: WARNING: apt-get install failed (see $TARGET/apt.log); affected columns are skipped"
        fi
    fi
fi

# ---------------------------------------------------------------- allocators
# lib_from_pkg PKG REGEX: the path of the preloadable .so shipped by PKG
lib_from_pkg() {
    pkg_installed "$1" || return 0
    local files
    files=$(dpkg -L "$1" 2>/dev/null) || return 0
    grep -E -m1 "$2" <<<"$files" || true
}
SLAB_DEFAULT="$REPO_ROOT/native-shim/target/libslabscope.so"
declare -A LIB
LIB[glibc]=""
LIB[jemalloc]=$(lib_from_pkg "$(pkg_of jemalloc)" '/libjemalloc\.so\.2$')
LIB[tcmalloc]=$(lib_from_pkg "$(pkg_of tcmalloc)" '/libtcmalloc_minimal\.so\.4$')
LIB[mimalloc]=$(lib_from_pkg "$(pkg_of mimalloc)" '/libmimalloc\.so\.[0-9]+$')
LIB[slabscope]="${SLABSCOPE_LIB:-$SLAB_DEFAULT}"

SKIP_NOTES=()
ALLOCS=()
SLAB_SRC=""
for a in "${REQ_ALLOCS[@]}"; do
    lib=${LIB[$a]}
    if [ "$a" = glibc ]; then ALLOCS+=(glibc); continue; fi
    if [ -z "$lib" ] || [ ! -f "$lib" ]; then
        if [ "$a" = slabscope ]; then
            msg="slabscope: ${lib} not found -- Slabscope column skipped (build it with 'make -C native-shim' or set SLABSCOPE_LIB)"
        else
            msg="$a: package $(pkg_of "$a") not installed / library not found -- column skipped"
        fi
        log "run.sh: $msg"; SKIP_NOTES+=("$msg"); continue
    fi
    lib=$(readlink -f "$lib")
    if [ "$a" = slabscope ]; then
        # Preload a snapshot, so that a rebuild of the shim during the run
        # cannot mix two versions in one table.
        mkdir -p "$TARGET/preload"
        SLAB_SRC=$lib
        cp -f "$lib" "$TARGET/preload/libslabscope.so"
        lib="$TARGET/preload/libslabscope.so"
    fi
    LIB[$a]=$lib
    # The dynamic loader only warns (and carries on without it) if a preload
    # cannot be loaded; make sure it really is mapped into the child.
    pre_err=$(LD_PRELOAD="$lib" /bin/true 2>&1 >/dev/null) || true
    # (no `cat | grep -q` pipe here: with pipefail, grep -q's early exit makes cat's SIGPIPE fail it)
    maps=$(LD_PRELOAD="$lib" cat /proc/self/maps 2>/dev/null) || true
    if ! grep -qF "$lib" <<<"$maps"; then
        msg="$a: $lib cannot be preloaded -- column skipped. Loader said: ${pre_err:-<nothing>}"
        loud "$msg"; SKIP_NOTES+=("$msg"); continue
    fi
    [ -z "$pre_err" ] || log "run.sh: note: '$a' prints on stderr even for /bin/true: $pre_err"
    ALLOCS+=("$a")
done
[ ${#ALLOCS[@]} -gt 0 ] || die "no allocator left to run"

# ---------------------------------------------------------------- build + inputs
log "run.sh: building workloads (make -C bench)"
make -s -C "$BENCH_DIR" >&2 || die "build failed"
MEASURE="$TARGET/measure"

PY=${BENCH_PYTHON:-}
if [ -z "$PY" ]; then
    if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3
    else PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null || true); fi
fi
GEN_PY=$(command -v python3 || echo "$PY")
INPUTS="$TARGET/inputs"
if have_workload gcc || have_workload sqlite; then
    log "run.sh: generating inputs into $INPUTS (scale $SCALE)"
    "$GEN_PY" "$BENCH_DIR/workloads/gen_inputs.py" "$INPUTS" "$SCALE" || die "input generation failed"
fi
STAG=$("$GEN_PY" -c "import sys; print('%g' % float(sys.argv[1]))" "$SCALE")

# Resolve real binaries (not wrapper scripts) so that what runs under the
# preload is the program itself.
GCC_BIN=$(command -v gcc || true)
SQLITE_BIN=$(command -v sqlite3 || true)

# ---------------------------------------------------------------- workloads
# setup_workload NAME RUNDIR: sets CMD (array), ENVS (array of VAR=VAL),
# STDIN (file) and SUMKIND (line|stdout|file:PATH). Returns 1 if unavailable.
setup_workload() {
    local w=$1 rd=$2
    CMD=(); ENVS=(); STDIN=/dev/null; SUMKIND=line
    case "$w" in
        churn|larson|realloc|large|frag|threads-small|thread-pool)
            CMD=("$TARGET/$w" "$SCALE") ;;
        python)
            [ -n "$PY" ] && [ -x "$PY" ] || { WHY="no python3 interpreter"; return 1; }
            CMD=("$PY" "$BENCH_DIR/workloads/alloc.py" "$SCALE")
            ENVS=(PYTHONMALLOC=malloc PYTHONHASHSEED=0 PYTHONDONTWRITEBYTECODE=1) ;;
        gcc)
            [ -n "$GCC_BIN" ] || { WHY="gcc not found"; return 1; }
            CMD=("$GCC_BIN" -O2 -c "$INPUTS/big_$STAG.c" -o "$rd/big.o")
            SUMKIND="file:$rd/big.o" ;;
        sqlite)
            [ -n "$SQLITE_BIN" ] || { WHY="sqlite3 not found"; return 1; }
            CMD=("$SQLITE_BIN" -batch :memory:)
            STDIN="$INPUTS/sqlite_$STAG.sql"
            SUMKIND=stdout ;;
    esac
    return 0
}

# ---------------------------------------------------------------- --instructions
# One run of each workload under each allocator in callgrind (every process of it:
# --trace-children), summed by callgrind_sum.py: on this 2-core host a few percent of time
# is noise, instructions are not. SLABSCOPE_SHM=0: the shim publishes its statistics by the
# clock, which valgrind slows fifty-fold, so they would be published fifty times as often.
count_instructions() {
    local out="$TARGET/instructions.md" w a rd res
    local -A TOT FAM
    log "run.sh: counting instructions (callgrind, scale $SCALE): ${WORKLOADS[*]} x ${ALLOCS[*]}"
    for w in "${WORKLOADS[@]}"; do
        setup_workload "$w" "$RUNS_DIR" || { log "run.sh: workload $w skipped: $WHY"; continue; }
        for a in "${ALLOCS[@]}"; do
            rd="$RUNS_DIR/$w/$a/cg"
            rm -rf "$rd"; mkdir -p "$rd"
            setup_workload "$w" "$rd"
            printf '%-13s %-9s ... ' "$w" "$a" >&2
            (cd "$rd" && env "${ENVS[@]+"${ENVS[@]}"}" ${LIB[$a]:+LD_PRELOAD=${LIB[$a]}} SLABSCOPE_SHM=0 \
                timeout "$TIMEOUT" valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$rd/cg.%p" \
                "${CMD[@]}" <"$STDIN" >"$rd/out" 2>"$rd/err") || { log "FAILED (see $rd/err)"; continue; }
            read -r -a res <<<"$("$GEN_PY" "$BENCH_DIR/callgrind_sum.py" "$rd" "${LIB[$a]}")"
            TOT[$w/$a]=${res[0]}; FAM[$w/$a]=${res[1]}
            awk -v t="${res[0]}" -v f="${res[1]}" -v n="${res[2]}" \
                'BEGIN { printf "%9.1f M instructions, %7.1f M in the malloc family (%d processes)\n", t / 1e6, f / 1e6, n }' >&2
        done
    done
    {
        echo "Instructions, $(date -u '+%Y-%m-%d %H:%M UTC'), callgrind, scale $SCALE, one run each (every process of it); family = the malloc family's own functions (glibc's malloc/ sources, or the preloaded library). M = millions; ratio = the run's total against glibc's."
        echo
        local head="| workload |" rule="|---|"
        for a in "${ALLOCS[@]}"; do
            head+=" $a M | $a family M |"; rule+="---:|---:|"
            [ "$a" = glibc ] || { head+=" $a ÷ glibc |"; rule+="---:|"; }
        done
        echo "$head"; echo "$rule"
        for w in "${WORKLOADS[@]}"; do
            local row="| $w |" g=${TOT[$w/glibc]:-}
            for a in "${ALLOCS[@]}"; do
                local t=${TOT[$w/$a]:-} f=${FAM[$w/$a]:-}
                if [ -z "$t" ]; then row+=" — | — |"; [ "$a" = glibc ] || row+=" — |"; continue; fi
                row+=$(awk -v t="$t" -v f="$f" 'BEGIN { printf " %.1f | %.1f |", t / 1e6, f / 1e6 }')
                [ "$a" = glibc ] || row+=$(awk -v t="$t" -v g="$g" 'BEGIN { printf " %s |", g ? sprintf("%.3f", t / g) : "—" }')
            done
            echo "$row"
        done
    } | tee "$out"
    log "run.sh: table in $out"
}
if [ "$INSTR" = 1 ]; then
    mkdir -p "$TARGET/runs"
    RUNS_DIR="$TARGET/runs"
    count_instructions
    exit 0
fi

RAW="$TARGET/runs.csv"
RUNS_DIR="$TARGET/runs"
rm -rf "$RUNS_DIR"
mkdir -p "$RUNS_DIR"
echo "workload,allocator,run,wall_s,maxrss_kib,status,code,checksum,user_s,sys_s" >"$RAW"

total=$(( ${#WORKLOADS[@]} * ${#ALLOCS[@]} * RUNS ))
n=0
PROBLEMS=0
UNAVAILABLE=()
declare -A TIMED_OUT REF_SUM REF_FROM
start_all=$(date +%s)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
if awk -v l="${LOAD_START%% *}" 'BEGIN { exit !(l > 0.7) }'; then
    log "run.sh: WARNING: the machine is busy (load average $LOAD_START on $(nproc) cores); wall times will be noisy"
fi
log "run.sh: ${#WORKLOADS[@]} workloads x ${#ALLOCS[@]} allocators (${ALLOCS[*]}) x $RUNS runs, scale $SCALE"
for w in "${WORKLOADS[@]}"; do
    if ! setup_workload "$w" "$RUNS_DIR"; then
        log "run.sh: workload $w skipped: $WHY"
        UNAVAILABLE+=("$w: $WHY")
        n=$(( n + ${#ALLOCS[@]} * RUNS ))
        continue
    fi
    for (( r = 1; r <= RUNS; r++ )); do
        for a in "${ALLOCS[@]}"; do
            n=$(( n + 1 ))
            rd="$RUNS_DIR/$w/$a/$r"
            mkdir -p "$rd"
            setup_workload "$w" "$rd"
            tag=$(printf '[%3d/%d] %-13s %-9s run %d/%d' "$n" "$total" "$w" "$a" "$r" "$RUNS")
            if [ -n "${TIMED_OUT[$w/$a]:-}" ]; then
                log "$tag  skipped (timed out before)"
                echo "$w,$a,$r,,,skipped,0,,," >>"$RAW"
                continue
            fi
            printf '%s ... ' "$tag" >&2
            eargs=()
            for e in "${ENVS[@]+"${ENVS[@]}"}"; do eargs+=(-e "$e"); done
            (cd "$rd" && "$MEASURE" -r "$rd/res" -t "$TIMEOUT" -p "${LIB[$a]}" "${eargs[@]+"${eargs[@]}"}" -- \
                "${CMD[@]}" <"$STDIN" >"$rd/out" 2>"$rd/err") || true
            wall="" rss="" st="noresult" code=0 ut="" stm=""
            if [ -s "$rd/res" ]; then
                for kv in $(cat "$rd/res"); do
                    case "$kv" in
                        wall=*) wall=${kv#wall=} ;;
                        maxrss_kib=*) rss=${kv#maxrss_kib=} ;;
                        status=*) st=${kv#status=} ;;
                        code=*) code=${kv#code=} ;;
                        utime=*) ut=${kv#utime=} ;;
                        stime=*) stm=${kv#stime=} ;;
                    esac
                done
            fi
            sum=""
            case "$SUMKIND" in
                line) sum=$(grep -m1 -o '^checksum=[^ ]*' "$rd/out" | cut -d= -f2 || true) ;;
                stdout) sum=$(sha256sum <"$rd/out" | cut -c1-16) ;;
                file:*) f=${SUMKIND#file:}; [ -f "$f" ] && sum=$(sha256sum <"$f" | cut -c1-16) && rm -f "$f" ;;
            esac
            if [ "$st" = exit ] && [ "$code" = 0 ]; then
                status=ok
            else
                case "$st" in
                    signal) status="signal"; sig=$(kill -l "$code" 2>/dev/null || echo "$code"); desc="killed by SIG$sig" ;;
                    timeout) status="timeout"; desc="timed out after ${TIMEOUT}s"; TIMED_OUT[$w/$a]=1 ;;
                    exit) status="exit"; desc="exit code $code" ;;
                    *) status="$st"; desc="$st $code" ;;
                esac
                PROBLEMS=1
            fi
            [ -n "$sum" ] || [ "$status" != ok ] || { status=nosum; desc="no checksum in output"; PROBLEMS=1; }
            echo "$w,$a,$r,$wall,$rss,$status,$code,$sum,$ut,$stm" >>"$RAW"
            if [ "$status" = ok ]; then
                awk -v t="$wall" -v m="$rss" -v s="$sum" 'BEGIN { printf "%7.3f s %8.1f MiB  sum %s\n", t, m / 1024, s }' >&2
                # live checksum check against the first successful run (glibc's, as it runs first)
                if [ -z "${REF_SUM[$w]:-}" ]; then
                    REF_SUM[$w]=$sum; REF_FROM[$w]="$a run $r"
                elif [ "${REF_SUM[$w]}" != "$sum" ]; then
                    PROBLEMS=1
                    loud "CHECKSUM MISMATCH on $w: $a run $r printed $sum, ${REF_FROM[$w]} printed ${REF_SUM[$w]} (output: $rd/out)"
                fi
            else
                log "FAILED: $desc"
                loud "$a FAILED on $w (run $r): $desc -- stderr tail ($rd/err):"
                tail -n 15 "$rd/err" | sed 's/^/    | /' >&2 || true
            fi
        done
    done
done
elapsed=$(( $(date +%s) - start_all ))
log "run.sh: measured in ${elapsed}s"

# ---------------------------------------------------------------- report
versions=""
for a in "${ALLOCS[@]}"; do
    case "$a" in
        glibc) v=$(dpkg-query -W -f='${Version}' libc6 2>/dev/null || ldd --version 2>/dev/null | head -n1 || true) ;;
        slabscope) v=$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || true)
                   v="${SLAB_SRC#"$REPO_ROOT/"} built $(date -u -r "$SLAB_SRC" '+%Y-%m-%d %H:%M UTC') (repo HEAD ${v:-none}), sha256 $(sha256sum <"${LIB[$a]}" | cut -c1-12)" ;;
        *) v=$(dpkg-query -W -f='${Version}' "$(pkg_of "$a")" 2>/dev/null || echo '?') ;;
    esac
    versions+="$a=$v; "
done
cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)
notes_file="$TARGET/notes.txt"
: >"$notes_file"
for s in "${SKIP_NOTES[@]+"${SKIP_NOTES[@]}"}"; do echo "$s" >>"$notes_file"; done
for s in "${UNAVAILABLE[@]+"${UNAVAILABLE[@]}"}"; do echo "workload $s" >>"$notes_file"; done

set +e
"$GEN_PY" "$BENCH_DIR/report.py" \
    --raw "$RAW" --csv "$TARGET/results.csv" --md "$TARGET/results.md" \
    --workloads "${WORKLOADS[*]}" --allocs "${ALLOCS[*]}" --runs "$RUNS" --scale "$SCALE" \
    --date "$(date -u '+%Y-%m-%d %H:%M UTC')" --host "$(nproc) cores, ${cpu:-unknown CPU}, Linux $(uname -r), load average ${LOAD_START} at start, $(cut -d' ' -f1-3 /proc/loadavg) at end" \
    --versions "${versions%; }" --notes "$notes_file" --runs-dir "$RUNS_DIR"
rc=$?
set -e
log "run.sh: results in $TARGET/results.csv and $TARGET/results.md (raw runs: $RAW, outputs: $RUNS_DIR/)"
if [ $rc -ne 0 ] || [ "$PROBLEMS" != 0 ]; then
    loud "there were failures or checksum mismatches -- see the notes under the table"
    exit 1
fi
exit 0
