/*
 * t_reap.c — the reap (tcache.c, slab.c): what a thread keeps but does not use goes back.
 *
 *  - leftovers: four 5000-byte objects freed into this thread's cache (kmalloc-5120 keeps
 *    up to four) and never asked for again. After a few MiB of other requests (a reap per MiB)
 *    the cache has given most of them back, and the class's slab, empty now, is released.
 *  - busy: a class the thread keeps using (eight objects taken and freed in a random
 *    order each round, so the whole stack is rewritten) keeps its objects through the
 *    reaps, and its slabs see little traffic.
 *  - a big class whose objects come back in another order between reaps still gives back.
 *  - named cache: the empty slab a kmem_cache keeps as a spare is released once a reap
 *    interval passed without the cache taking an object from its slabs.
 *  - malloc_trim in one thread: another thread gives back its cache at its next malloc.
 *  - SLABSCOPE_REAP=0 (a child process): nothing is reaped, the leftovers stay.
 * All of it with full thread caches (busy.h): a light one keeps no object above 1 KiB and
 * is not reaped.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <malloc.h>
#include "busy.h"
#include "check.h"
#include "slabscope.h"
#include "snap.h"

/* Ask for `bytes` in small objects, freeing each: a reap per MiB, nothing else touched. */
static void other_requests(size_t bytes)
{
	for (size_t done = 0; done < bytes; done += 64) {
		void *p = malloc(64);
		CHECK(p != NULL);
		free(p);
	}
}

/* Four 5000-byte objects in this thread's cache; returns what kmalloc-5120 holds then. */
static uint64_t leave_leftovers(void)
{
	void *p[4];
	for (int i = 0; i < 4; i++)
		CHECK((p[i] = malloc(5000)) != NULL);
	for (int i = 0; i < 4; i++)
		free(p[i]);
	const struct ss_shm_cache *c = snap_cache("kmalloc-5120");
	CHECK(c != NULL && c->active_objs >= 4);   /* the thread cache's objects count as active */
	return c->active_objs;
}

static void leftovers(void)
{
	uint64_t held = leave_leftovers();
	other_requests(6u << 20);
	const struct ss_shm_cache *c = snap_cache("kmalloc-5120");
	printf("kmalloc-5120: active %llu -> %llu, slabs %llu (free %llu)\n", (unsigned long long)held,
	       (unsigned long long)c->active_objs, (unsigned long long)c->num_slabs,
	       (unsigned long long)c->free_slabs);
	CHECK(c->active_objs == 0 && c->num_slabs == 0);
	const struct ss_shm_global *g = snap_global();
	CHECK(g->reap_bytes == 1u << 20 && g->reaped_objects >= held);
}

static void busy(void)
{
	enum { N = 8 };                          /* kmalloc-2048's stack holds up to eight */
	void *p[N];
	uint64_t refills = 0, reaped = 0, rng = 88172645463325252ull;
	for (int round = 0; round < 6 * 1024; round++) {
		for (int i = 0; i < N; i++)
			CHECK((p[i] = malloc(2000)) != NULL);
		for (int i = N - 1; i > 0; i--) {    /* freed in a random order: every slot rewritten */
			rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
			int j = (int)(rng % (uint64_t)(i + 1));
			void *t = p[i];
			p[i] = p[j], p[j] = t;
		}
		for (int i = 0; i < N; i++)
			free(p[i]);
		if (round == 0) {
			refills = snap_cache("kmalloc-2048")->allocs;
			reaped = snap_global()->reaped_objects;
		}
		other_requests(1024);
	}
	const struct ss_shm_cache *c = snap_cache("kmalloc-2048");
	reaped = snap_global()->reaped_objects - reaped;   /* kmalloc-64 is not reaped: all 2048's */
	printf("kmalloc-2048 (busy): reaps gave back %llu objects, objects taken from slabs after the "
	       "first round %llu\n", (unsigned long long)reaped, (unsigned long long)(c->allocs - refills));
	/* What it uses stays in the thread's cache: 9 objects given back over ~100 reaps here;
	 * the reap's first rule (any probe that held, for every class) gave back 31, reaping
	 * the whole stack would give back six at each reap. */
	CHECK(reaped <= 20);
	/* Little was given back to be refilled: a slot that got its own object back looks
	 * untouched (the bottom one, 1 in 8 here, at some reaps): 61 to 170 objects over the
	 * loop, depending on where the reaps fall; reaping the whole stack at every reap took
	 * 623. */
	CHECK(c->allocs - refills <= 300);
}

/*
 * A big class (above 4 KiB: at most four objects kept) whose objects are taken and given
 * back in another order between reaps, as realloc growth does: the slots below the top no
 * longer hold what they held, the top one does. Its objects go back all the same (for a
 * small class they would stay: busy() above).
 */
static void big_class_reordered(void)
{
	enum { N = 4 };                          /* kmalloc-8192's stack holds up to four */
	void *p[N];
	for (int i = 0; i < N; i++)
		CHECK((p[i] = malloc(8000)) != NULL);
	for (int i = 0; i < N; i++)
		free(p[i]);
	uint64_t held = snap_cache("kmalloc-8192")->active_objs;
	CHECK(held >= N);
	uint64_t reaped = snap_global()->reaped_objects;
	for (int round = 0; round < 8; round++) {
		for (int i = 0; i < N; i++)          /* the four from the stack: the top first */
			CHECK((p[i] = malloc(8000)) != NULL);
		free(p[2]), free(p[3]), free(p[1]), free(p[0]);   /* back, the bottom two swapped */
		other_requests(1u << 20);            /* a reap */
	}
	reaped = snap_global()->reaped_objects - reaped;   /* kmalloc-64 is not reaped: 8192's */
	printf("kmalloc-8192 (reordered): active %llu -> %llu, reaps gave back %llu\n",
	       (unsigned long long)held, (unsigned long long)snap_cache("kmalloc-8192")->active_objs,
	       (unsigned long long)reaped);
	/* A reap after a round that found the stack full gives back three; the next one, which
	 * marked a stack of one, finds no probe that held and gives back none; so whether the
	 * loop ends with one object kept or four depends on where the reaps fall. With the
	 * small classes' rule (every probe below the highest must hold) it gives back none. */
	CHECK(reaped >= 2 * (N - 1));
}

static void named_cache_spare(void)
{
	struct kmem_cache *k = ss_kmem_cache_create("reap_test", 200, 0, 0, NULL);
	CHECK(k != NULL);
	void *o = ss_kmem_cache_alloc(k);
	CHECK(o != NULL);
	ss_kmem_cache_free(k, o);
	const struct ss_shm_cache *c = snap_cache("reap_test");
	CHECK(c->free_slabs == 1);                   /* kept as the spare */
	other_requests(3u << 20);
	c = snap_cache("reap_test");
	printf("reap_test: slabs %llu, free %llu, reaps %llu\n", (unsigned long long)c->num_slabs,
	       (unsigned long long)c->free_slabs, (unsigned long long)c->reaps);
	CHECK(c->free_slabs == 0 && c->num_slabs == 0 && c->reaps >= 1);
	CHECK(ss_kmem_cache_destroy(k) == 0);
}

/* Another thread's leftovers: it keeps them until the main thread's malloc_trim asks and it
 * allocates again (its stacks are its own: nobody else may touch them). */
static pthread_mutex_t step_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t step_cond = PTHREAD_COND_INITIALIZER;
static int step;

static void wait_step(int s)
{
	pthread_mutex_lock(&step_lock);
	while (step < s)
		pthread_cond_wait(&step_cond, &step_lock);
	pthread_mutex_unlock(&step_lock);
}

static void go_step(int s)
{
	pthread_mutex_lock(&step_lock);
	step = s;
	pthread_cond_broadcast(&step_cond);
	pthread_mutex_unlock(&step_lock);
}

static void *other_thread(void *arg)
{
	(void)arg;
	busy_thread_cache();
	void *p[4];
	for (int i = 0; i < 4; i++)
		CHECK((p[i] = malloc(7000)) != NULL);        /* kmalloc-7168: nobody else's */
	for (int i = 0; i < 4; i++)
		free(p[i]);
	go_step(1);
	wait_step(2);
	free(malloc(64));                            /* its next malloc gives the cache back */
	go_step(3);
	wait_step(4);
	return NULL;
}

static void trim_reaches_other_threads(void)
{
	pthread_t t;
	CHECK(pthread_create(&t, NULL, other_thread, NULL) == 0);
	wait_step(1);
	uint64_t held = snap_cache("kmalloc-7168")->active_objs;
	CHECK(held >= 4);
	malloc_trim(0);
	CHECK(snap_cache("kmalloc-7168")->active_objs == held);   /* not before it allocates */
	go_step(2);
	wait_step(3);
	const struct ss_shm_cache *c = snap_cache("kmalloc-7168");
	printf("kmalloc-7168 (another thread's): active %llu -> %llu after malloc_trim and its next malloc\n",
	       (unsigned long long)held, (unsigned long long)c->active_objs);
	CHECK(c->active_objs == 0);
	go_step(4);
	CHECK(pthread_join(t, NULL) == 0);
}

/* SLABSCOPE_REAP=0 (run in a child of our own): no reap, the leftovers stay. */
static void reaping_off(void)
{
	uint64_t held = leave_leftovers();
	other_requests(6u << 20);
	CHECK(snap_cache("kmalloc-5120")->active_objs == held);
	CHECK(snap_global()->reap_bytes == 0 && snap_global()->reaped_objects == 0);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "off")) {
		busy_thread_cache();
		reaping_off();
		return 0;
	}
	busy_thread_cache();
	leftovers();
	busy();
	big_class_reordered();
	named_cache_spare();
	trim_reaches_other_threads();
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		setenv("SLABSCOPE_REAP", "0", 1);
		execl("/proc/self/exe", argv[0], "off", (char *)NULL);
		_exit(127);
	}
	int status;
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	puts("t_reap: ok");
	return 0;
}
