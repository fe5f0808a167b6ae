/* t_abort_double_free_thread.c — a block freed by one thread (it sits in that thread's
 * cache) and freed again by another is still a double free. */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

static char *block;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t freed = PTHREAD_COND_INITIALIZER;
static int done;

static void *first_free(void *arg)
{
	(void)arg;
	free(block);                             /* into this thread's cache */
	pthread_mutex_lock(&m);
	done = 1;
	pthread_cond_signal(&freed);
	pthread_mutex_unlock(&m);
	for (;;)
		pause();                             /* alive: its cache keeps the block */
}

int main(void)
{
	block = malloc(40);
	pthread_t t;
	pthread_create(&t, NULL, first_free, NULL);
	pthread_mutex_lock(&m);
	while (!done)
		pthread_cond_wait(&freed, &m);
	pthread_mutex_unlock(&m);
	free(block);
	return 0;   /* not reached */
}
