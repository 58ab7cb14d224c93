//! What the tests that run both engines share: the repository root, aslc
//! with the build cache they all use (so the runtime's dependencies build
//! once), and the parts of a `--result` both engines must agree on.

// Each test crate that includes this module uses part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `aslc` with the test suite's shared build cache.
pub fn aslc() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_aslc"));
    c.env("ASLC_HOME", Path::new(env!("CARGO_TARGET_TMPDIR")).join("aslc-home"));
    c
}

/// What the tests that build binaries for their behaviour build them
/// with: every runtime feature, so they share one build of the runtime
/// (the tests about feature selection build without).
pub const SHARED_FEATURES: [&str; 2] = ["--with", "all"];

/// `aslc build ARGS --with all --out OUT` from the repository root; it
/// must succeed without a warning from the generated code.
pub fn build_shared<I, S>(args: I, out: &Path)
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let built = aslc()
        .arg("build")
        .args(args)
        .args(SHARED_FEATURES)
        .arg("--out")
        .arg(out)
        .current_dir(root())
        .output()
        .expect("aslc build runs");
    let log = String::from_utf8_lossy(&built.stderr);
    assert!(built.status.success(), "build failed: {log}");
    assert!(!log.contains("warning"), "the generated code has warnings:\n{log}");
}

/// Status, output (parsed), error and cause of a `--result`, and the
/// task calls made (what each Task's effective input was).
pub fn verdict(r: &serde_json::Value) -> serde_json::Value {
    let output = r["output"].as_str().map(|t| serde_json::from_str::<serde_json::Value>(t).unwrap_or_default());
    serde_json::json!({ "status": r["status"], "output": output, "error": r["error"], "cause": r["cause"],
                        "taskCalls": r["taskCalls"] })
}

/// splitmix64: small, seeded, the same programs on every machine.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    pub fn pick<T: Clone>(&mut self, from: &[T]) -> T {
        from[self.below(from.len())].clone()
    }
}
