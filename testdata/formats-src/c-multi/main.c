/* Two translation units, for per-file summary checks (testdata/summary-regen.sh). */
#include <stdio.h>
#include <stdlib.h>
#include "shapes.h"

static int usage(void)
{
    fprintf(stderr, "usage: shapes KIND SIZE\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return usage();
    int size = atoi(argv[2]);
    switch (argv[1][0]) {
    case 's':
        printf("%d\n", square_area(size));
        break;
    case 't':
        printf("%d\n", triangle_area(size, size));
        break;
    default:
        printf("%s\n", describe(size));
    }
    return 0;
}
