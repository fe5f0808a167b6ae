"""Allocation-heavy workload for the real-program tests: prints deterministic checksums.

Run with PYTHONHASHSEED=0 (and PYTHONMALLOC=malloc so every object goes through malloc).
"""
import hashlib
import json
import random
import sys

rng = random.Random(20240601)
digest = hashlib.sha256()


def emit(label, value):
    text = f"{label}: {value}"
    digest.update(text.encode())
    print(text)


# 1. many small dicts holding strings and lists
records = []
for i in range(120_000):
    name = "user-%06d-%s" % (i, "x" * (i % 17))
    records.append({
        "id": i,
        "name": name,
        "tags": [name[j:j + 3] for j in range(0, min(len(name), 12), 3)],
        "score": (i * 7919) % 1000,
    })
emit("records", len(records))
emit("score_sum", sum(r["score"] for r in records))

# 2. word counting over generated text
words = ["".join(rng.choice("abcdefghij") for _ in range(rng.randint(1, 6))) for _ in range(150_000)]
counts = {}
for w in words:
    counts[w] = counts.get(w, 0) + 1
top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
emit("distinct_words", len(counts))
emit("top_words", top)

# 3. drop half of the records, rebuild, sort by derived keys
records = [r for r in records if r["id"] % 2 == 0]
records.sort(key=lambda r: (r["score"], r["name"][::-1]))
emit("first", records[0]["name"])
emit("last", records[-1]["name"])

# 4. strings: joins, splits, replaces, growing buffers
text = "\n".join(r["name"] for r in records)
parts = text.replace("-", " ").split()
emit("parts", len(parts))
buf = []
for i in range(50_000):
    buf.append(str(i) * (1 + i % 5))
big = "".join(buf)
emit("big_len", len(big))
blob = bytearray()
for i in range(20_000):
    blob += bytes([i % 251]) * (i % 97)
emit("blob_len", len(blob))

# 5. nested tuples / sets / json round trip
tree = None
for i in range(100_000):
    tree = (i, tree) if i % 1000 else (i, None)
sets = [frozenset(range(i % 50)) for i in range(20_000)]
emit("set_sizes", sum(len(s) for s in sets))
doc = json.dumps({"records": records[:5000], "counts": top}, sort_keys=True)
back = json.loads(doc)
emit("json_len", len(doc))
emit("json_records", len(back["records"]))

# 6. large objects: lists and bytes of a few hundred KiB .. MiB
large = [bytes(rng.randrange(256) for _ in range(64)) * (1024 * (1 + k % 8)) for k in range(40)]
emit("large_total", sum(len(b) for b in large))
del large, tree, sets, back

print("checksum:", digest.hexdigest())
sys.exit(0)
