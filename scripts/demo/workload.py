# The demo's real program: builds and drops a few hundred thousand Python objects
# (dicts, lists, strings, bytes) in waves, so every tier of the allocator is used.
import hashlib

def wave(n, seed):
    rows = [{"id": i, "name": "item-%d-%d" % (seed, i), "tags": [str(i % 7)] * (i % 5)}
            for i in range(n)]
    blobs = [bytes(1000 + (i % 64) * 500) for i in range(n // 50)]       # 1 KB .. 32 KB
    big = [bytearray(200_000 + i * 1000) for i in range(20)]             # above 128 KB
    digest = hashlib.sha256()
    for r in rows[::97]:
        digest.update(r["name"].encode())
    return digest.hexdigest()[:16], len(rows) + len(blobs) + len(big)

total = 0
for seed in range(6):
    h, n = wave(60_000, seed)
    total += n
print("python3 workload: %d objects in 6 waves, last digest %s" % (total, h))
