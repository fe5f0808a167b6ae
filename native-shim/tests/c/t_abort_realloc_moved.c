/* t_abort_realloc_moved.c — freeing what realloc moved away from is a double free. */
#include <stdlib.h>
#include <string.h>
int main(void)
{
	char *p = malloc(40);
	strcpy(p, "moved");
	char *q = realloc(p, 400);   /* another class: the object moves, p is freed */
	if (q == p)
		return 3;                /* would not test anything */
	free(p);
	return 0;   /* not reached */
}
