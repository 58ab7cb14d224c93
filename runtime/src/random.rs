//! Randomness where no cryptography is wanted (retry jitter, unseeded
//! `States.MathRandom` and `$random()`, alias routing): one small fast
//! generator per thread, seeded from the system.

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::cell::RefCell;

thread_local! {
    static RNG: RefCell<SmallRng> = RefCell::new(SmallRng::from_entropy());
}

/// A number in `[0, 1)`.
pub fn unit() -> f64 {
    RNG.with(|r| r.borrow_mut().gen())
}

/// A number in `[0, end)`; `end` must be positive.
pub fn below(end: i32) -> i32 {
    RNG.with(|r| r.borrow_mut().gen_range(0..end))
}
