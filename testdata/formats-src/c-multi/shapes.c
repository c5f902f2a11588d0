#include "shapes.h"

int square_area(int side)
{
    if (side < 0)
        return 0;
    return side * side;
}

int triangle_area(int base, int height)
{
    if (base <= 0 || height <= 0)
        return 0;
    return base * height / 2;
}

const char *describe(int size)
{
    if (size > 100)
        return "large";
    if (size > 10)
        return "medium";
    return "small";
}

int never_called(int x)
{
    return x ? 1 : 0;
}
