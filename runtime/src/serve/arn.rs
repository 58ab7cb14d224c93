//! ARNs and names as the service reads them: what it builds, and the
//! `InvalidArn` and `InvalidName` errors for what it cannot read.

use super::api::ApiError;
use crate::exec::{ACCOUNT, REGION};

pub fn machine(name: &str) -> String {
    format!("arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{name}")
}

pub fn activity(name: &str) -> String {
    format!("arn:aws:states:{REGION}:{ACCOUNT}:activity:{name}")
}

pub fn execution(machine: &str, name: &str) -> String {
    format!("arn:aws:states:{REGION}:{ACCOUNT}:execution:{machine}:{name}")
}

pub fn express_execution(machine: &str, name: &str) -> String {
    format!("arn:aws:states:{REGION}:{ACCOUNT}:express:{machine}:{name}:{}", uuid::Uuid::new_v4())
}

/// The parts after `arn:aws:states:REGION:ACCOUNT:`, when `arn` is a Step
/// Functions ARN of resource type `kind` (`stateMachine`, `execution`,
/// `activity`); AWS's `InvalidArn` otherwise.
pub fn parts<'a>(arn: &'a str, kinds: &[&str]) -> Result<Vec<&'a str>, ApiError> {
    let invalid = |why: String| ApiError::new("InvalidArn", format!("Invalid Arn: '{why}'"));
    let fields: Vec<&str> = arn.split(':').collect();
    if fields.len() < 7 || fields[0] != "arn" || fields[1].is_empty() {
        return Err(invalid(format!("Invalid ARN prefix: {arn}")));
    }
    if fields[2] != "states" {
        return Err(invalid(format!("Resource type not valid in this context: {}", fields[2])));
    }
    if !kinds.contains(&fields[5]) {
        return Err(invalid(format!("Resource type not valid in this context: {}", fields[5])));
    }
    if fields[6..].iter().any(|f| f.is_empty()) {
        return Err(invalid(format!("Invalid ARN: {arn}")));
    }
    Ok(fields[5..].to_vec())
}

/// A state machine, activity, execution or alias name as AWS accepts it:
/// 1 to 80 characters, none of them white space, brackets, wildcards,
/// ``"#%\^|~`$&,;:/`` or control characters.
pub fn check_name(name: &str) -> Result<(), ApiError> {
    let bad = |c: char| {
        c.is_whitespace()
            || "<>{}[]?*\"#%\\^|~`$&,;:/".contains(c)
            || ('\u{0}'..='\u{1f}').contains(&c)
            || ('\u{7f}'..='\u{9f}').contains(&c)
            || ('\u{fffe}'..='\u{ffff}').contains(&c)
    };
    let len = name.chars().count();
    if len == 0 || len > 80 || name.chars().any(bad) {
        return Err(ApiError::new("InvalidName", format!("Invalid Name: '{name}'")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_are_read_as_aws_reads_them() {
        let m = machine("Hello");
        assert_eq!(parts(&m, &["stateMachine"]).expect("valid"), vec!["stateMachine", "Hello"]);
        let e = parts("nope", &["stateMachine"]).expect_err("invalid");
        assert_eq!((e.kind, e.message.as_str()), ("InvalidArn", "Invalid Arn: 'Invalid ARN prefix: nope'"));
        let e = parts(&activity("a"), &["stateMachine"]).expect_err("invalid");
        assert_eq!(e.message, "Invalid Arn: 'Resource type not valid in this context: activity'");
        assert_eq!(parts(&format!("{m}:3"), &["stateMachine"]).expect("version").len(), 3);
    }

    #[test]
    fn names() {
        assert!(check_name("order-42_x.y").is_ok());
        for bad in ["", "a b", "a/b", "a:b", "x*", "\u{1}", &"n".repeat(81)] {
            assert_eq!(check_name(bad).expect_err(bad).kind, "InvalidName");
        }
    }
}
