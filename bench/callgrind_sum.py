#!/usr/bin/env python3
"""callgrind_sum.py -- the instructions of one run under callgrind, and its allocator's share.

usage: callgrind_sum.py DIR [LIB]

Reads every callgrind.out file DIR holds (cg.<pid>: one per process of the run, with
--trace-children=yes) and prints "total family processes": the instructions (Ir) executed by
all of them, those executed in the malloc family, and how many processes there were.

The family is the self cost of the functions of LIB (a preloaded allocator: its object file;
and its entry points when callgrind could not tell their object, "???": tcmalloc's malloc and
free show so), or without LIB, glibc's malloc: the functions defined in glibc's malloc/
sources (malloc.c, arena.c, ...) inside libc.so.

Format (valgrind's docs, "Callgrind Format Specification"): "ob=", "fl=", "fn=" name the
object, source file and function of the cost lines that follow, with "(id) name" defining a
compressed name and "(id)" reusing it ("cob=", "cfl=", "cfi=", "cfn=" share those tables);
"fi=" / "fe=" switch the file of inlined lines without changing the function; a "calls=" line
is followed by the call's inclusive cost, which is not self cost.
"""
import os
import re
import sys

NAME = re.compile(r"^(ob|cob|fl|cfl|cfi|cfn|fi|fe|fn)=\((\d+)\)(?: (.*))?$")
ENTRY_POINTS = {"malloc", "free", "calloc", "realloc", "reallocarray", "memalign", "posix_memalign",
                "aligned_alloc", "valloc", "pvalloc", "malloc_usable_size", "cfree", "free_sized",
                "free_aligned_sized"}
TABLE = {"ob": "ob", "cob": "ob", "fl": "fl", "cfl": "fl", "cfi": "fl", "fi": "fl", "fe": "fl",
         "fn": "fn", "cfn": "fn"}


def one_file(path, lib):
    names = {"ob": {}, "fl": {}, "fn": {}}
    ob = fl = fn = ""
    total = family = 0
    in_family = False
    after_calls = False
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            m = NAME.match(line)
            if m:
                kind, ident, name = m.groups()
                table = names[TABLE[kind]]
                if name is not None:
                    table[ident] = name
                name = table.get(ident, "")
                if kind == "ob":
                    ob = name
                elif kind == "fl":
                    fl = name
                elif kind == "fn":
                    fn = name
                if kind in ("ob", "fl", "fn"):
                    if lib:
                        in_family = (os.path.basename(ob) == os.path.basename(lib) or
                                     (ob == "???" and fn in ENTRY_POINTS))
                    else:
                        in_family = "libc.so" in ob and "/malloc/" in fl
                continue
            if line.startswith("summary:") or line.startswith("totals:"):
                total = max(total, int(line.split()[1]))
                continue
            if line.startswith("calls="):
                after_calls = True
                continue
            if not line or not (line[0].isdigit() or line[0] in "+-*"):
                continue
            if after_calls:              # the inclusive cost of the call just named
                after_calls = False
                continue
            parts = line.split()
            if in_family and len(parts) >= 2:
                family += int(parts[1])
    return total, family


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    d = sys.argv[1]
    lib = sys.argv[2] if len(sys.argv) == 3 and sys.argv[2] else None
    total = family = procs = 0
    for name in sorted(os.listdir(d)):
        if name.startswith("cg."):
            t, fam = one_file(os.path.join(d, name), lib)
            total += t
            family += fam
            procs += 1
    print(total, family, procs)


if __name__ == "__main__":
    main()
