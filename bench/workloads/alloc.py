"""alloc.py: allocation-heavy Python workload for bench/run.sh.

Builds and tears down dicts, lists, tuples and strings: records as dicts,
string formatting / splitting / joining, JSON round trips, sorting, and a
dict-of-lists index that is rebuilt each round. run.sh runs it with
PYTHONMALLOC=malloc so that every object goes through the allocator under
test (with the default pymalloc, objects <= 512 B would bypass malloc).

usage: python3 alloc.py [SCALE]     prints "checksum=<hex>" on stdout.
Deterministic: fixed random seed, no dependence on hash() of str.
"""
import json
import random
import sys
import zlib

WORDS = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi "
         "omicron pi rho sigma tau upsilon phi chi psi omega slab arena chunk page").split()


def make_records(rng, n, round_no):
    recs = []
    for i in range(n):
        k = rng.randrange(1 << 30)
        words = [WORDS[(k >> s) % len(WORDS)] for s in range(0, 25, 5)]
        recs.append({
            "id": i,
            "key": "k%08x-%d" % (k, round_no),
            "name": " ".join(words),
            "tags": words[: 1 + k % 4],
            "score": (k % 10007) / 7.0,
            "pair": (k & 0xFFFF, k >> 16),
        })
    return recs


def one_round(rng, n, round_no):
    crc = 0
    recs = make_records(rng, n, round_no)
    # index: dict of lists keyed by tag
    index = {}
    for r in recs:
        for t in r["tags"]:
            index.setdefault(t, []).append(r["id"])
    for t in sorted(index):
        crc = zlib.crc32(("%s:%d" % (t, len(index[t]))).encode(), crc)
    # string churn: build, split, re-join, upper-case
    lines = ["%(key)s,%(name)s,%(score).3f" % r for r in recs]
    blob = "\n".join(lines)
    parts = [ln.split(",") for ln in blob.split("\n")]
    rebuilt = "|".join(p[1].upper() for p in parts[::3])
    crc = zlib.crc32(rebuilt.encode(), crc)
    # JSON round trip of a slice
    js = json.dumps(recs[: n // 4], sort_keys=True)
    back = json.loads(js)
    crc = zlib.crc32(str(len(back)).encode(), crc)
    # sort by a derived key, drop half, grow the other half
    recs.sort(key=lambda r: (r["score"], r["key"]))
    keep = recs[::2]
    del recs, lines, parts, blob, js, back
    for r in keep:
        r["extra"] = [r["id"]] * (r["id"] % 7) + [r["name"][:5]]
        r["tags"] = tuple(r["tags"]) + ("kept",)
    crc = zlib.crc32(repr([(r["key"], r["extra"][-1]) for r in keep[:200]]).encode(), crc)
    # many short-lived small dicts and tuples
    acc = 0
    for r in keep:
        d = {"a": r["id"], "b": r["pair"], "c": r["key"][1:6]}
        acc += len(d["c"]) + d["b"][0] % 3
    crc = zlib.crc32(str(acc).encode(), crc)
    return crc, keep


def main():
    scale = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    rng = random.Random(20240501)
    rounds = max(2, int(round(5 * scale)))
    n = max(1000, int(15000 * min(1.0, scale * 2)))
    crc = 0
    carry = []  # a few rounds' survivors stay alive: mixed lifetimes
    for rno in range(rounds):
        c, keep = one_round(rng, n, rno)
        crc = zlib.crc32(c.to_bytes(4, "little"), crc)
        carry.append(keep)
        if len(carry) > 3:
            carry.pop(0)
    total = sum(len(k) for k in carry)
    print("checksum=%08x rounds=%d survivors=%d" % (crc, rounds, total))


if __name__ == "__main__":
    main()
