/*
 * print.c — text output that is safe inside an allocator: no stdio (it allocates and
 * takes locks), no locale, no malloc. A fixed buffer, flushed with write(2).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"
#include "slabscope_shm.h"

void out_flush(struct outbuf *o)
{
	size_t done = 0;
	while (done < o->len) {
		long w = sys_write(o->fd, o->buf + done, o->len - done);
		if (w == -EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	o->len = 0;
}

static void out_char(struct outbuf *o, char ch)
{
	if (o->len == sizeof o->buf)
		out_flush(o);
	o->buf[o->len++] = ch;
}

void out_str(struct outbuf *o, const char *s)
{
	while (*s)
		out_char(o, *s++);
}

void out_u64w(struct outbuf *o, uint64_t v, int width)
{
	char d[24];
	int n = 0;
	do d[n++] = (char)('0' + v % 10); while ((v /= 10));
	while (width-- > n)
		out_char(o, ' ');
	while (n)
		out_char(o, d[--n]);
}

void out_u64(struct outbuf *o, uint64_t v)
{
	out_u64w(o, v, 0);
}

void out_hex(struct outbuf *o, uintptr_t v)
{
	char d[20];
	int n = 0;
	do d[n++] = "0123456789abcdef"[v & 15]; while ((v >>= 4));
	out_str(o, "0x");
	while (n)
		out_char(o, d[--n]);
}

/*
 * An invalid or double free: say what, where and which cache on stderr, then abort like
 * glibc — unless SLABSCOPE_ABORT=0, when the block is leaked and the program goes on.
 */
void ss_bad_pointer(const char *what, const void *p, const char *detail)
{
	STAT_ADD(invalid_frees, 1);
	event_record(SS_EV_INVALID_FREE, 0, 0, p, 0);
	struct outbuf o = { .fd = 2 };
	out_str(&o, "slabscope: ");
	out_str(&o, what);
	out_str(&o, ": ");
	out_hex(&o, (uintptr_t)p);
	if (detail) {
		out_str(&o, " (");
		out_str(&o, detail);
		out_str(&o, ")");
	}
	out_str(&o, settings.abort_on_error ? ", aborting\n" : ", ignored (SLABSCOPE_ABORT=0)\n");
	out_flush(&o);
	if (settings.abort_on_error)
		abort();
}

void ss_fatal(const char *what, const char *detail)
{
	struct outbuf o = { .fd = 2 };
	out_str(&o, "slabscope: ");
	out_str(&o, what);
	out_str(&o, ": ");
	out_str(&o, detail);
	out_str(&o, "\n");
	out_flush(&o);
	abort();
}
