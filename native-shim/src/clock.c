/*
 * clock.c — reading the clock without libc's clock_gettime.
 *
 * The allocator reads a coarse clock on every thread-cache refill and flush (decay,
 * publication pacing), so the read must stay a vDSO call of a few nanoseconds, not a
 * system call. libc's clock_gettime is only a wrapper around the vDSO function, but its
 * code sits in a fault-around window of libc's text that programs under glibc's malloc
 * never touch (sys.h). So the vDSO's own __vdso_clock_gettime is looked up once, in the
 * ELF image the kernel maps into every process (its address is in the auxiliary vector,
 * AT_SYSINFO_EHDR), the way the kernel's selftests' parse_vdso.c does it: program headers
 * -> the dynamic section -> symbol table, string table and the number of symbols from
 * DT_HASH. Without a vDSO (or without the symbol) the clock is a system call.
 */
#include <elf.h>
#include <link.h>
#include <string.h>
#include <sys/auxv.h>
#include "internal.h"

typedef int (*vdso_gettime_fn)(clockid_t, struct timespec *);
static vdso_gettime_fn vdso_gettime;

static void *vdso_symbol(const char *name)
{
	const ElfW(Ehdr) *eh = (const void *)getauxval(AT_SYSINFO_EHDR);
	if (!eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return NULL;
	const ElfW(Phdr) *ph = (const void *)((const char *)eh + eh->e_phoff);
	uintptr_t bias = 0;
	const ElfW(Dyn) *dyn = NULL;
	bool have_load = false;
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && !have_load) {
			bias = (uintptr_t)eh + ph[i].p_offset - ph[i].p_vaddr;
			have_load = true;
		} else if (ph[i].p_type == PT_DYNAMIC) {
			dyn = (const void *)((const char *)eh + ph[i].p_offset);
		}
	}
	if (!have_load || !dyn)
		return NULL;
	const ElfW(Sym) *sym = NULL;
	const char *str = NULL;
	const ElfW(Word) *hash = NULL;
	for (; dyn->d_tag != DT_NULL; dyn++) {
		if (dyn->d_tag == DT_SYMTAB)
			sym = (const void *)(dyn->d_un.d_ptr + bias);
		else if (dyn->d_tag == DT_STRTAB)
			str = (const void *)(dyn->d_un.d_ptr + bias);
		else if (dyn->d_tag == DT_HASH)
			hash = (const void *)(dyn->d_un.d_ptr + bias);
	}
	if (!sym || !str || !hash)
		return NULL;
	for (ElfW(Word) i = 0; i < hash[1]; i++)        /* nchain = number of symbols */
		if (sym[i].st_shndx != SHN_UNDEF && ELF64_ST_TYPE(sym[i].st_info) == STT_FUNC &&
		    strcmp(str + sym[i].st_name, name) == 0)
			return (void *)(sym[i].st_value + bias);
	return NULL;
}

/* Once, at initialisation (single-threaded then). */
void clock_init(void)
{
	vdso_gettime = (vdso_gettime_fn)vdso_symbol("__vdso_clock_gettime");
}

uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;
	if (!vdso_gettime || vdso_gettime(id, &ts) != 0)
		SYS2(SYS_clock_gettime, id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
