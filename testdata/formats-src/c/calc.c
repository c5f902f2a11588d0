#include <stdio.h>
#include <stdlib.h>

static int classify(int n)
{
    if (n < 0)
        return -1;
    else if (n == 0)
        return 0;
    return 1;
}

static int unused(int x)
{
    return x > 3 ? x * 2 : x;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 0;
    int r = classify(n);
    if (r > 0 && n % 2 == 0)
        printf("positive even\n");
    else
        printf("other %d\n", r);
    if (argc > 5)
        return unused(n);
    return 0;
}
