//! Step Functions Local mock configurations and aslc's resource maps.
#![no_main]
use asl_runtime::tasks::mock::TestCase;
use asl_runtime::tasks::ResourceMap;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    let _ = TestCase::load(&value, "Machine", "Case");
    let _ = ResourceMap::from_value(&value, std::path::Path::new("."));
});
