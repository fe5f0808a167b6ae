/* t_api.c — the malloc family's contract: alignment, zeroing, overflow, realloc, errno. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include "check.h"

static int aligned(void *p, size_t a) { return ((uintptr_t)p & (a - 1)) == 0; }

static void test_alignment_and_sizes(void)
{
	/* every size class boundary, medium and mmap sizes: 16-byte aligned, usable >= asked */
	static const size_t sizes[] = { 0, 1, 8, 15, 16, 17, 100, 127, 128, 129, 1000, 1024, 1025,
		4095, 4096, 4097, 8192, 10000, 32767, 32768, 32769, 65536, 100000, 131071, 131072,
		200000, 1 << 20, 5 << 20 };
	for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
		unsigned char *p = malloc(sizes[i]);
		CHECK(p && aligned(p, 16));
		CHECK(malloc_usable_size(p) >= sizes[i]);
		memset(p, 0xab, sizes[i]);
		free(p);
	}
}

static void test_calloc(void)
{
	CHECK(calloc(SIZE_MAX / 2, 3) == NULL && errno == ENOMEM);
	for (size_t n = 1; n < 300000; n = n * 3 + 7) {
		unsigned char *dirty = malloc(n);
		memset(dirty, 0xff, n);
		free(dirty);
		unsigned char *p = calloc(1, n);
		CHECK(p);
		for (size_t i = 0; i < n; i++)
			CHECK(p[i] == 0);
		free(p);
	}
}

static void test_realloc(void)
{
	char *p = realloc(NULL, 0);                            /* as malloc(0): a unique block */
	CHECK(p && p != realloc(NULL, 0));
	free(p);
	p = realloc(NULL, 10);
	CHECK(p);
	strcpy(p, "slabscope");
	for (size_t n = 16; n < (4 << 20); n = n * 2 + 3) {   /* slab -> medium -> mmap */
		p = realloc(p, n);
		CHECK(p && strcmp(p, "slabscope") == 0);
		p[n - 1] = 1;
	}
	for (size_t n = 4 << 20; n > 8; n /= 3) {             /* and back down */
		p = realloc(p, n);
		CHECK(p && memcmp(p, "slabscope", n < 10 ? n : 10) == 0);
	}
	CHECK(realloc(p, 0) == NULL);                          /* frees, as glibc */
	errno = 0;
	p = malloc(100);
	CHECK(realloc(p, SIZE_MAX - 100) == NULL && errno == ENOMEM);
	CHECK(reallocarray(p, SIZE_MAX / 2, 3) == NULL && errno == ENOMEM);
	free(p);                                               /* p untouched by the failures */
}

/*
 * A buffer grown and shrunk by small steps through every kmalloc class (realloc's fast
 * path: in place while n takes more than half of the object, else a move between the
 * thread's stacks) keeps its bytes; an object it leaves is the next one of its class
 * handed out (LIFO stacks), and a free of it is a double free (t_abort_realloc_moved).
 */
static void test_realloc_small_steps(void)
{
	size_t n = 1;
	unsigned char *p = malloc(n);
	p[0] = 0;
	for (size_t m; n < 20000; n = m) {
		m = n + 1 + n / 64;
		unsigned char *was = p;
		size_t room = malloc_usable_size(p);
		p = realloc(p, m);
		CHECK(p && (p == was) == (m <= room));
		for (size_t i = 0; i < n; i++)
			CHECK(p[i] == (unsigned char)(i * 7));
		for (size_t i = n; i < m; i++)
			p[i] = (unsigned char)(i * 7);
		if (p != was && room <= 1024) {          /* every thread cache keeps these */
			void *again = malloc(room);
			CHECK(again == was);
			free(again);
		}
	}
	for (size_t m; n > 1; n = m) {
		m = n - 1 - n / 64;
		unsigned char *was = p;
		size_t room = malloc_usable_size(p);
		p = realloc(p, m);
		CHECK(p);
		if (room <= 16384)                        /* a kmalloc object */
			CHECK((p == was) == (m > room / 2 || room <= 64));
		for (size_t i = 0; i < m; i++)
			CHECK(p[i] == (unsigned char)(i * 7));
	}
	free(p);
}

/* Many mmapped blocks reallocated in turn: each realloc leaves a deleted slot in the
 * large-block table, which is rebuilt now and then inside realloc itself (found by the
 * fuzzer: mremap read the block's length from the old, unmapped table). */
static void test_realloc_many_large(void)
{
	enum { N = 150, ROUNDS = 20 };
	static char *v[N];
	static size_t len[N];
	CHECK(mallopt(M_MMAP_THRESHOLD, 128 * 1024) == 1);     /* 256 KiB stays mmapped */
	for (int i = 0; i < N; i++) {
		len[i] = 256 * 1024;
		v[i] = malloc(len[i]);
		CHECK(v[i]);
		v[i][0] = (char)i, v[i][len[i] - 1] = (char)~i;
	}
	for (int r = 0; r < ROUNDS; r++)
		for (int i = 0; i < N; i++) {
			size_t n = (r + i) % 2 ? len[i] + 4096 : len[i] - 4096;
			char *q = realloc(v[i], n);
			CHECK(q && q[0] == (char)i);
			CHECK(n < len[i] || q[len[i] - 1] == (char)~i);    /* grown: the old end kept */
			v[i] = q, len[i] = n;
			q[n - 1] = (char)~i;
		}
	for (int i = 0; i < N; i++)
		free(v[i]);
}

static void test_aligned(void)
{
	for (size_t a = 1; a <= (8 << 20); a <<= 1) {
		for (size_t n = 1; n < (1 << 20); n = n * 5 + 1) {
			void *p = NULL;
			if (a >= sizeof(void *)) {
				CHECK(posix_memalign(&p, a, n) == 0 && aligned(p, a));
				free(p);
			}
			p = aligned_alloc(a, n);
			CHECK(p && aligned(p, a));
			free(p);
			p = memalign(a, n);
			CHECK(p && aligned(p, a) && malloc_usable_size(p) >= n);
			free(p);
		}
	}
	/* size 0 above page alignment: a block of its own (found by the fuzzer: the page stayed
	 * on the free list and the next request got the same address) */
	void *z[4];
	for (int i = 0; i < 4; i++) {
		z[i] = memalign((size_t)8192 << i, 0);
		CHECK(z[i] && aligned(z[i], (size_t)8192 << i) && malloc_usable_size(z[i]) > 0);
		for (int j = 0; j < i; j++)
			CHECK(z[i] != z[j]);
	}
	for (int i = 0; i < 4; i++)
		free(z[i]);
	void *p;
	CHECK(posix_memalign(&p, 24, 10) == EINVAL);
	CHECK(posix_memalign(&p, 4, 10) == EINVAL);
	CHECK(aligned_alloc(24, 10) == NULL && errno == EINVAL);
	p = memalign(24, 10);                                  /* rounded up to 32 */
	CHECK(p && aligned(p, 32));
	free(p);
	p = valloc(10);
	CHECK(p && aligned(p, 4096));
	free(p);
	p = pvalloc(10);
	CHECK(p && aligned(p, 4096) && malloc_usable_size(p) >= 4096);
	free(p);
}

static void test_enomem(void)
{
	errno = 0;
	CHECK(malloc(SIZE_MAX - 4096) == NULL && errno == ENOMEM);
	errno = 0;
	CHECK(malloc((size_t)1 << 46) == NULL && errno == ENOMEM);
	/* size + alignment slack wrapping around (found by the fuzzer: a mapping of a few
	 * pages was returned for a request of nearly 2^64 bytes) */
	void *p = NULL;
	CHECK(posix_memalign(&p, 32768, SIZE_MAX - 9266) == ENOMEM && p == NULL);
	errno = 0;
	CHECK(aligned_alloc((size_t)1 << 20, SIZE_MAX - 65536) == NULL && errno == ENOMEM);
	errno = 0;
	CHECK(memalign((size_t)1 << 26, SIZE_MAX - ((size_t)1 << 24)) == NULL && errno == ENOMEM);
}

/* A live block whose data happens to equal the double-free key (a freed object's second
 * word) is freed normally: the key only says "look in the caches" (found by the fuzzer,
 * whose comparison tracing learnt the key and wrote it into a buffer libFuzzer then freed). */
static void test_free_key_in_live_data(void)
{
	uint64_t *p = malloc(40);
	free(p);
	uint64_t key = p[1];                     /* what free() wrote into the freed object */
	uint64_t *q = malloc(40);                /* the same object again, from the thread cache */
	CHECK(q == p && q[1] != key);
	q[1] = key;                              /* the program's data, by chance */
	free(q);                                 /* must not be taken for a double free */
	uint64_t *r = malloc(40);
	CHECK(r == q);
	free(r);
}

static void test_mallopt_and_info(void)
{
	CHECK(mallopt(M_MMAP_THRESHOLD, 64 * 1024) == 1);
	CHECK(mallopt(M_MMAP_THRESHOLD, 64 << 20) == 0);       /* above glibc's maximum */
	struct mallinfo2 before = mallinfo2();
	void *p = malloc(100 * 1024);                          /* now above the threshold */
	struct mallinfo2 after = mallinfo2();
	CHECK(after.hblks == before.hblks + 1);
	CHECK(after.hblkhd >= before.hblkhd + 100 * 1024);
	free(p);
	CHECK(mallinfo2().hblks == before.hblks);
	CHECK(mallopt(M_MMAP_THRESHOLD, 128 * 1024) == 1);
	CHECK(mallopt(M_ARENA_MAX, 2) == 1);
	void *small = malloc(100);
	CHECK(mallinfo2().uordblks > 0 && mallinfo2().arena >= mallinfo2().uordblks);
	free(small);
	for (int i = 0; i < 64; i++)                            /* free pages to give back */
		free(malloc(100 * 1024));
	CHECK(malloc_trim(0) == 1);
}

/* C23's free_sized and free_aligned_sized (not in this glibc's headers): ours, and they free */
static void test_sized_frees(void)
{
	void (*fs)(void *, size_t) = (void (*)(void *, size_t))dlsym(RTLD_DEFAULT, "free_sized");
	void (*fas)(void *, size_t, size_t) = (void (*)(void *, size_t, size_t))dlsym(RTLD_DEFAULT, "free_aligned_sized");
	CHECK(fs && fas);
	for (int round = 0; round < 3; round++) {
		void *p = malloc(1000);                 /* the object freed is the next one handed out */
		fs(p, 1000);
		CHECK(malloc(1000) == p);
		free(p);
		void *big = malloc((size_t)40 << 20);   /* above the largest buddy block: mapped */
		size_t blocks = mallinfo2().hblks;
		fs(big, 12345);                         /* a wrong size changes nothing */
		CHECK(mallinfo2().hblks == blocks - 1);
		void *a = aligned_alloc(256, 512);
		fas(a, 256, 512);
		fas(NULL, 256, 0);
		fs(NULL, 0);
	}
}

/*
 * glibc's names for the family (__libc_malloc & co, cfree) are the shim's too: a block from
 * one name can be freed by another, and each call reaches the shim's counters.
 */
static void test_libc_names(void)
{
	void *(*l_malloc)(size_t) = (void *(*)(size_t))dlsym(RTLD_DEFAULT, "__libc_malloc");
	void (*l_free)(void *) = (void (*)(void *))dlsym(RTLD_DEFAULT, "__libc_free");
	void (*c_free)(void *) = (void (*)(void *))dlsym(RTLD_DEFAULT, "cfree");
	void *(*l_calloc)(size_t, size_t) = (void *(*)(size_t, size_t))dlsym(RTLD_DEFAULT, "__libc_calloc");
	void *(*l_realloc)(void *, size_t) = (void *(*)(void *, size_t))dlsym(RTLD_DEFAULT, "__libc_realloc");
	void *(*l_memalign)(size_t, size_t) = (void *(*)(size_t, size_t))dlsym(RTLD_DEFAULT, "__libc_memalign");
	void *(*l_valloc)(size_t) = (void *(*)(size_t))dlsym(RTLD_DEFAULT, "__libc_valloc");
	void *(*l_pvalloc)(size_t) = (void *(*)(size_t))dlsym(RTLD_DEFAULT, "__libc_pvalloc");
	CHECK(l_malloc && l_free && c_free && l_calloc && l_realloc && l_memalign && l_valloc && l_pvalloc);
	CHECK(l_malloc == (void *(*)(size_t))dlsym(RTLD_DEFAULT, "malloc"));   /* the shim's, not libc's */
	for (size_t n = 24; n < (1 << 20); n *= 5) {
		char *p = l_malloc(n);
		CHECK(p && malloc_usable_size(p) >= n);
		memset(p, 1, n);
		free(p);                                /* ours frees what __libc_malloc gave */
		p = malloc(n);
		l_free(p);                              /* and the other way round */
		unsigned char *z = l_calloc(n, 1);
		CHECK(z && z[0] == 0 && z[n - 1] == 0);
		z = l_realloc(z, 2 * n);
		CHECK(z && z[n - 1] == 0);
		c_free(z);
		void *a = l_memalign(4096, n);
		CHECK(a && aligned(a, 4096));
		free(a);
		a = l_valloc(n);
		CHECK(a && aligned(a, 4096));
		l_free(a);
		a = l_pvalloc(n);
		CHECK(a && aligned(a, 4096) && malloc_usable_size(a) % 4096 == 0);
		free(a);
	}
}

int main(void)
{
	test_libc_names();
	test_sized_frees();
	test_alignment_and_sizes();
	test_calloc();
	test_realloc();
	test_realloc_small_steps();
	test_realloc_many_large();
	test_aligned();
	test_enomem();
	test_free_key_in_live_data();
	test_mallopt_and_info();
	puts("t_api: ok");
	return 0;
}
