/* snap.h — a cache's record in this process's own snapshot (ss_snapshot), for the C tests. */
#ifndef SNAP_H
#define SNAP_H
#include <pthread.h>
#include <string.h>
#include "check.h"
#include "slabscope.h"
#include "slabscope_shm.h"

/*
 * The record of the cache named `name` in a snapshot taken now, or NULL. Valid until the
 * calling thread's next call. Threads may call it at once (t_slub's two churners do): the
 * snapshot buffer is shared and guarded, the record copied to the caller's own.
 */
static inline const struct ss_shm_cache *snap_cache(const char *name)
{
	static char buf[1 << 20];
	static pthread_mutex_t buf_lock = PTHREAD_MUTEX_INITIALIZER;
	static __thread struct ss_shm_cache record;
	const struct ss_shm_cache *found = NULL;
	pthread_mutex_lock(&buf_lock);
	CHECK(ss_snapshot(buf, sizeof buf) <= sizeof buf);
	const struct ss_shm_header *h = (const void *)buf;
	for (uint32_t i = 0; i < h->nr_caches && !found; i++) {
		const struct ss_shm_cache *c = (const void *)(buf + h->caches_offset + i * h->cache_record_size);
		if (!strcmp(c->name, name)) {
			memcpy(&record, c, sizeof record);
			found = &record;
		}
	}
	pthread_mutex_unlock(&buf_lock);
	return found;
}
#endif
