// The JSON floor with a SIMD parser (`make bench`, row floor-json-simd):
// simdjson's DOM parser reads each file (validating it, SIMD structural
// scan), then a walk of the document counts and sums every integer, the
// least a reader of the numbers in a coverage.py JSON report must do. One
// thread, one file at a time, the parser's buffers reused.
// Built by bench/peers.sh: g++ -O3 -march=native floor_simdjson.cpp -lsimdjson
#include <simdjson.h>

#include <cstdint>
#include <cstdio>

struct Count {
    uint64_t ints = 0;
    uint64_t sum = 0;
};

static void walk(simdjson::dom::element e, Count &c) {
    using simdjson::dom::element_type;
    switch (e.type()) {
    case element_type::ARRAY:
        for (simdjson::dom::element child : simdjson::dom::array(e)) walk(child, c);
        break;
    case element_type::OBJECT:
        for (simdjson::dom::key_value_pair field : simdjson::dom::object(e)) walk(field.value, c);
        break;
    case element_type::INT64:
        c.ints++;
        c.sum += uint64_t(int64_t(e));
        break;
    case element_type::UINT64:
        c.ints++;
        c.sum += uint64_t(e);
        break;
    default:
        break;
    }
}

int main(int argc, char **argv) {
    simdjson::dom::parser parser;
    Count count;
    for (int i = 1; i < argc; i++) {
        simdjson::padded_string text;
        simdjson::dom::element root;
        if (simdjson::padded_string::load(argv[i]).get(text) || parser.parse(text).get(root)) {
            fprintf(stderr, "floor_simdjson: %s: not read\n", argv[i]);
            return 1;
        }
        walk(root, count);
    }
    printf("%llu integers, sum %llu (%s)\n", (unsigned long long)count.ints,
           (unsigned long long)count.sum, simdjson::get_active_implementation()->name().c_str());
    return 0;
}
