//! What a local run stands in for: the account and region in every ARN it
//! makes, and the payload limit AWS puts on states. Both the execution
//! layer and the task layer read them, so they live in neither.

pub const ACCOUNT: &str = "123456789012";
pub const REGION: &str = "us-east-1";

/// The largest payload a state may pass on, in bytes of JSON.
pub const MAX_PAYLOAD_BYTES: usize = 262_144;
