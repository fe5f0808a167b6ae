/* t_abort_invalid_free.c — freeing a pointer never returned by malloc is fatal. */
#include <stdlib.h>
int main(void)
{
	static char not_heap[64];
	char *p = malloc(100);
	free(p + 16);          /* inside a block: not its start */
	free(not_heap);
	return 0;
}
