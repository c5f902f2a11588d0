#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int classify(int n)
{
    if (n < 0 || n > 100)
        return -1;
    switch (n % 3) {
    case 0:
        return 0;
    case 1:
        return 1;
    default:
        return 2;
    }
}

static int sum_even(const int *v, int len)
{
    int total = 0;
    for (int i = 0; i < len && v[i] >= 0; i++)
        if (v[i] % 2 == 0 && v[i] != 42)
            total += v[i];
    return total;
}

static const char *label(int n)
{
    return n > 10 ? (n > 50 ? "big" : "medium") : "small";
}

int main(int argc, char **argv)
{
    int v[16];
    int len = 0;
    for (int i = 1; i < argc && len < 16; i++)
        v[len++] = atoi(argv[i]);
    if (len == 0) {
        puts("no input");
        return 0;
    }
    for (int i = 0; i < len; i++)
        printf("%d %d %s\n", v[i], classify(v[i]), label(v[i]));
    printf("even sum %d\n", sum_even(v, len));
    if (argc > 1 && strcmp(argv[1], "-v") == 0)
        puts("verbose");
    return 0;
}
