/* busy.h — make the calling thread's cache a full one, for the C tests.
 *
 * A thread starts with a light cache (7 objects of each class up to 1 KiB, none above) and
 * gets a full one after 256 refills and flushes (tcache.c). Tests of what a full cache
 * keeps and gives back call this first: 64 rounds of 32 objects taken and freed overflow
 * a light stack about sixteen times a round. */
#ifndef BUSY_H
#define BUSY_H
#include <stdlib.h>
#include "check.h"

static inline void busy_thread_cache(void)
{
	void *p[32];
	for (int round = 0; round < 64; round++) {
		for (int i = 0; i < 32; i++)
			CHECK((p[i] = malloc(48)) != NULL);
		for (int i = 0; i < 32; i++)
			free(p[i]);
	}
}
#endif
