/* fuzz.h — what the fuzz harness (fuzz_malloc.c) and its white-box checks (invariants.c)
 * share. Both are compiled with the allocator's sources into one binary. */
#ifndef FUZZ_H
#define FUZZ_H
#include <stdbool.h>
#include <stddef.h>

/* Report a broken expectation on stderr and abort(): libFuzzer saves the input. */
void fuzz_fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* Buddy free lists, page descriptors, slab lists and free maps, thread cache stacks:
 * every structure consistent with the others. Fails (never returns) otherwise. */
void check_invariants(void);

/* p, a live block of the malloc family, is allocated as far as the allocator knows: not
 * free in its slab's map, not sitting in the thread's cache, a medium head or a large block. */
void check_block_allocated(const void *p);

#endif
