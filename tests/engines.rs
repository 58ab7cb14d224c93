//! What the tests that run both engines share: the repository root, aslc
//! with the build cache they all use (so the runtime's dependencies build
//! once), and the parts of a `--result` both engines must agree on.

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

/// Status, output (parsed), error and cause of a `--result`.
pub fn verdict(r: &serde_json::Value) -> serde_json::Value {
    let output = r["output"].as_str().map(|t| serde_json::from_str::<serde_json::Value>(t).unwrap_or_default());
    serde_json::json!({ "status": r["status"], "output": output, "error": r["error"], "cause": r["cause"] })
}
