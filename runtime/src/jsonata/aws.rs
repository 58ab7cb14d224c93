//! What AWS's added JSONata functions compute, on plain Rust values: the
//! engine's registrations (`functions.rs`) and compiled expressions
//! (`fast.rs`) both call these, so the two cannot drift apart.

use crate::intrinsic::JavaRandom;

/// `$range`'s numbers: from `start` to `end` by `step`, at most 1,000
/// (computed wide, so extreme arguments give the error, not an overflow).
pub fn range(start: i64, end: i64, step: i64) -> Result<impl Iterator<Item = i64>, String> {
    if step == 0 {
        return Err("The step argument of $range must not be 0".into());
    }
    let (start, end, step) = (i128::from(start), i128::from(end), i128::from(step));
    let count = if (step > 0 && start > end) || (step < 0 && start < end) { 0 } else { (end - start) / step + 1 };
    if count > 1000 {
        return Err("$range would return more than 1000 items".into());
    }
    // Every number lies between start and end, so fits an i64.
    Ok((0..count).map(move |i| (start + i * step) as i64))
}

/// `$partition`'s chunks of `size` items (the last may be shorter).
pub fn partition<T: Clone>(items: &[T], size: i64) -> Result<Vec<Vec<T>>, String> {
    let size = usize::try_from(size)
        .ok()
        .filter(|s| *s > 0)
        .ok_or_else(|| "The size argument of $partition must be a positive integer".to_string())?;
    Ok(items.chunks(size).map(<[T]>::to_vec).collect())
}

/// `$hash`'s hex digest of a text.
pub fn hash(data: &str, alg: &str) -> Result<String, String> {
    crate::hash::hex_digest(alg, data.as_bytes()).map_err(|missing| {
        missing.unwrap_or_else(|| {
            format!("The hash algorithm '{alg}' is not one of MD5, SHA-1, SHA-256, SHA-384, SHA-512")
        })
    })
}

/// `$random`: Java's sequence for a seed, else a fresh number.
pub fn random(seed: Option<f64>) -> f64 {
    match seed {
        Some(seed) => JavaRandom::new(seed as i64).next_double(),
        None => crate::random::unit(),
    }
}
