int square_area(int side);
int triangle_area(int base, int height);
const char *describe(int size);
