/* t_abort_realloc_freed.c — realloc of a freed block is reported, even when it would fit in
 * place (glibc returns it as it is, and the next malloc hands the same object out again). */
#include <stdlib.h>
int main(void)
{
	char *p = malloc(40);
	free(p);
	p = realloc(p, 20);
	return p == NULL ? 3 : 0;   /* not reached */
}
