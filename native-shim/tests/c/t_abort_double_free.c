/* t_abort_double_free.c — a double free is reported with its address, then aborts. */
#include <stdlib.h>
int main(void)
{
	char *p = malloc(40);
	free(p);
	free(p);
	return 0;   /* not reached */
}
