//! Helpers for the unit tests.

/// A small, seeded pseudo-random source (xorshift64) for tests that try
/// many generated cases: `next(n)` is a number below `n`, the same sequence
/// for the same seed on every run.
pub(crate) fn xorshift(seed: u64) -> impl FnMut(u64) -> u64 {
    let mut x = seed | 1;
    move |n| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    }
}
