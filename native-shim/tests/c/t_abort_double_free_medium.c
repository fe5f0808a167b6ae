/* t_abort_double_free_medium.c — double free of a page-run (medium) block is caught too. */
#include <stdlib.h>
int main(void)
{
	char *keep = malloc(50000);
	char *p = malloc(50000);
	free(p);
	free(p);
	free(keep);
	return 0;
}
