/*
 * sys.h — the system calls the allocator makes, made directly.
 *
 * Why not libc's wrappers: every libc function we call is code of libc's that a program
 * running glibc's malloc never executes, and the kernel maps a file's pages by fault-around
 * windows (16 pages): one call to mincore, futex or ftruncate makes up to 64 KiB of libc
 * resident in every process. Measured on bench churn (perf page-fault samples, the
 * faulting instruction's symbol): eight fault windows of libc only the shim's run had
 * (mutexes, open, getenv, clock_gettime, atfork, ...), four only glibc's; at the peak libc
 * had 184 KiB more resident (smaps). A syscall instruction touches none. (pthread_atfork
 * stays: init.c says why.)
 *
 * They also leave errno alone, which matters for free() (POSIX 2024: free does not change
 * errno) and lets the callers say what failed (malloc sets ENOMEM itself).
 *
 * Conventions: sys_*() return what the kernel returns, a negative errno on failure. The
 * brk heap keeps using libc's sbrk(): libc caches the break, and a program's own sbrk
 * calls must see the same one (zone.c).
 */
#ifndef SLABSCOPE_SYS_H
#define SLABSCOPE_SYS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <time.h>

#if defined(__x86_64__)
static inline long sys_call6(long nr, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}
#else
/* Other architectures: libc's generic syscall(2), errno turned into the kernel's form. */
#include <errno.h>
#include <unistd.h>
static inline long sys_call6(long nr, long a, long b, long c, long d, long e, long f)
{
	int saved = errno;
	long ret = syscall(nr, a, b, c, d, e, f);
	if (ret == -1) {
		ret = -errno;
		errno = saved;
	}
	return ret;
}
#endif

#define SYS0(nr)                sys_call6(nr, 0, 0, 0, 0, 0, 0)
#define SYS1(nr, a)             sys_call6(nr, (long)(a), 0, 0, 0, 0, 0)
#define SYS2(nr, a, b)          sys_call6(nr, (long)(a), (long)(b), 0, 0, 0, 0)
#define SYS3(nr, a, b, c)       sys_call6(nr, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define SYS4(nr, a, b, c, d)    sys_call6(nr, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

static inline int sys_failed(long r) { return (unsigned long)r > (unsigned long)-4096L; }

/* mmap: NULL on failure (never MAP_FAILED), which is what every caller wants. */
static inline void *sys_mmap(void *addr, size_t len, int prot, int flags, int fd, long off)
{
	long r = sys_call6(SYS_mmap, (long)addr, (long)len, prot, flags, fd, off);
	return sys_failed(r) ? NULL : (void *)r;
}
static inline long sys_munmap(void *addr, size_t len)            { return SYS2(SYS_munmap, addr, len); }
static inline long sys_madvise(void *addr, size_t len, int advice) { return SYS3(SYS_madvise, addr, len, advice); }
static inline long sys_mincore(void *addr, size_t len, unsigned char *vec) { return SYS3(SYS_mincore, addr, len, vec); }
static inline void *sys_mremap(void *old, size_t old_len, size_t len, int flags)
{
	long r = SYS4(SYS_mremap, old, old_len, len, flags);
	return sys_failed(r) ? NULL : (void *)r;
}

static inline long sys_openat(int dirfd, const char *path, int flags, int mode) { return SYS4(SYS_openat, dirfd, path, flags, mode); }
static inline long sys_close(int fd)                           { return SYS1(SYS_close, fd); }
static inline long sys_write(int fd, const void *buf, size_t n) { return SYS3(SYS_write, fd, buf, n); }
static inline long sys_ftruncate(int fd, long len)             { return SYS2(SYS_ftruncate, fd, len); }
static inline long sys_fchmod(int fd, int mode)                 { return SYS2(SYS_fchmod, fd, mode); }
static inline long sys_fstat(int fd, void *st)                  { return SYS2(SYS_fstat, fd, st); }
static inline long sys_renameat(int olddir, const char *from, int newdir, const char *to)
{
	return SYS4(SYS_renameat, olddir, from, newdir, to);
}
static inline long sys_unlinkat(int dirfd, const char *path, int flags) { return SYS3(SYS_unlinkat, dirfd, path, flags); }
static inline long sys_readlinkat(int dirfd, const char *path, char *buf, size_t n)
{
	return SYS4(SYS_readlinkat, dirfd, path, buf, n);
}
static inline pid_t sys_getpid(void)  { return (pid_t)SYS0(SYS_getpid); }
static inline pid_t sys_gettid(void)  { return (pid_t)SYS0(SYS_gettid); }
static inline uid_t sys_geteuid(void) { return (uid_t)SYS0(SYS_geteuid); }

/* futex(2) on a private word: the allocator's locks (internal.h). */
#define SS_FUTEX_WAIT 128   /* FUTEX_WAIT | FUTEX_PRIVATE_FLAG */
#define SS_FUTEX_WAKE 129   /* FUTEX_WAKE | FUTEX_PRIVATE_FLAG */
static inline long sys_futex(int *word, int op, int val) { return SYS4(SYS_futex, word, op, val, 0); }

#endif
