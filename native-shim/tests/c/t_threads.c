/* t_threads.c — per-thread caches: objects freed by other threads are reused correctly,
 * and a thread's cached objects go back to the slabs when it exits, returns early with
 * pthread_exit, or is cancelled (slabinfo shows it). */
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include "slabscope.h"
#include "check.h"

#define OBJ 200               /* kmalloc-208 */
enum { THREADS = 8, PER = 5000 };
static void *handoff[THREADS][PER];

static unsigned long active_objs(const char *name)
{
	int fds[2];
	CHECK(pipe(fds) == 0);
	ss_write_slabinfo(fds[1]);
	close(fds[1]);
	static char text[1 << 16];
	ssize_t n = 0, r;
	while ((r = read(fds[0], text + n, sizeof text - 1 - (size_t)n)) > 0)
		n += r;
	close(fds[0]);
	text[n] = 0;
	char *l = strstr(text, name);
	CHECK(l);
	return strtoul(l + strlen(name), NULL, 10);
}

static void *producer(void *arg)
{
	long t = (long)arg;
	for (int i = 0; i < PER; i++) {
		handoff[t][i] = malloc(OBJ);
		memset(handoff[t][i], (int)t, OBJ);
	}
	return NULL;
}

static void *consumer(void *arg)
{
	long t = (long)arg;                    /* frees what producer t allocated */
	for (int i = 0; i < PER; i++) {
		unsigned char *p = handoff[t][i];
		for (int k = 0; k < OBJ; k++)
			CHECK(p[k] == (unsigned char)t);
		free(p);
		void *q = malloc(OBJ);             /* reuse through this thread's cache */
		memset(q, 0xee, OBJ);
		free(q);
	}
	return NULL;
}

/* Fills its cache, then loops until cancelled (or leaves by pthread_exit). */
static void *cached_then_gone(void *arg)
{
	void *mine[64];
	for (int round = 0;; round++) {
		for (int i = 0; i < 64; i++)
			mine[i] = malloc(OBJ);
		for (int i = 0; i < 64; i++)
			free(mine[i]);                 /* into this thread's cache */
		if (arg && round == 100)
			pthread_exit(NULL);
		pthread_testcancel();
	}
	return NULL;
}

static void threads_that_do_not_return(unsigned long base)
{
	pthread_t th[THREADS];
	for (long t = 0; t < THREADS; t++)
		CHECK(pthread_create(&th[t], NULL, cached_then_gone, (void *)(t & 1)) == 0);
	usleep(50 * 1000);
	for (int t = 0; t < THREADS; t++)
		if (!(t & 1))
			pthread_cancel(th[t]);
	for (int t = 0; t < THREADS; t++) {
		void *ret;
		pthread_join(th[t], &ret);
		CHECK(t & 1 ? ret == NULL : ret == PTHREAD_CANCELED);
	}
	CHECK(active_objs("kmalloc-208 ") == base);
}

int main(void)
{
	unsigned long base = active_objs("kmalloc-208 ");
	pthread_t th[THREADS];
	for (long t = 0; t < THREADS; t++)
		CHECK(pthread_create(&th[t], NULL, producer, (void *)t) == 0);
	for (int t = 0; t < THREADS; t++)
		pthread_join(th[t], NULL);
	CHECK(active_objs("kmalloc-208 ") >= base + THREADS * PER);
	for (long t = 0; t < THREADS; t++)
		CHECK(pthread_create(&th[t], NULL, consumer, (void *)t) == 0);
	for (int t = 0; t < THREADS; t++)
		pthread_join(th[t], NULL);
	/* every exited thread flushed its cache: nothing of theirs is still counted active */
	CHECK(active_objs("kmalloc-208 ") == base);
	threads_that_do_not_return(base);
	puts("t_threads: ok");
	return 0;
}
