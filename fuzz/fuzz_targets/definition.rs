//! The definition reader (JSON or YAML) and every check, on arbitrary bytes.
#![no_main]
use aslc::check::{check_text, MachineType};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let ty = if data.first().is_some_and(|b| b & 1 == 1) { MachineType::Express } else { MachineType::Standard };
    let _ = check_text("fuzz.json", data.to_vec(), ty);
});
