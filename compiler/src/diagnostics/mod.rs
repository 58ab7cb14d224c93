//! Diagnostics in AWS's shape (`CODE: message at /json/pointer`), with the
//! file position added, rendered like a compiler's or as JSON.

mod render;

pub use render::{render_human, render_json};

use crate::source::Pos;

/// AWS's diagnostic codes (ValidateStateMachineDefinition).
pub mod codes {
    pub const SCHEMA_VALIDATION_FAILED: &str = "SCHEMA_VALIDATION_FAILED";
    pub const INVALID_JSON_DESCRIPTION: &str = "INVALID_JSON_DESCRIPTION";
    /// Not an AWS code (AWS takes JSON only): a YAML file that does not parse.
    pub const INVALID_YAML_DESCRIPTION: &str = "INVALID_YAML_DESCRIPTION";
    pub const MISSING_TRANSITION_TARGET: &str = "MISSING_TRANSITION_TARGET";
    pub const MISSING_END_STATE: &str = "MISSING_END_STATE";
    pub const DUPLICATE_STATE_NAME: &str = "DUPLICATE_STATE_NAME";
    pub const INVALID_JSONATA_EXPRESSION: &str = "INVALID_JSONATA_EXPRESSION";
    pub const UNSUPPORTED_JSONATA_EXPRESSION: &str = "UNSUPPORTED_JSONATA_EXPRESSION";
    /// Not an AWS code: AWS refuses such a request before validating it
    /// (`ValidationException`, the `definition` member's length).
    pub const DEFINITION_TOO_LARGE: &str = "DEFINITION_TOO_LARGE";
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "ERROR",
            Severity::Warning => "WARNING",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub code: &'static str,
    pub message: String,
    /// AWS's location: a JSON pointer such as `/States/S/Next`, `None` for
    /// machine-wide problems (`MISSING_END_STATE`).
    pub location: Option<String>,
    pub severity: Severity,
    /// Where in the file; filled in from the source by the checker.
    pub pos: Option<Pos>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>, location: Option<String>) -> Self {
        Diagnostic { code, message: message.into(), location, severity: Severity::Error, pos: None }
    }

    /// AWS's one-line form: `CODE: message at /pointer`.
    pub fn aws_text(&self) -> String {
        match &self.location {
            Some(l) if self.code != codes::INVALID_JSON_DESCRIPTION => {
                format!("{}: {} at {l}", self.code, self.message)
            }
            _ => format!("{}: {}", self.code, self.message),
        }
    }
}
