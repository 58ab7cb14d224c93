//! Builds the typed model from a definition's JSON value, reporting every
//! schema problem (missing, misplaced, mistyped or malformed fields) as a
//! diagnostic and carrying on, so that one run shows all of them.

mod choice;
mod errors;
pub mod fields;
mod map;
mod state;
mod value;

use super::{Container, QueryLanguage, StateMachine};
use crate::diagnostics::{codes, Diagnostic};
use crate::source::json::pointer_token;
use indexmap::IndexMap;
use serde_json::{Map, Value};

/// Longest state name AWS accepts, in Unicode characters.
pub const MAX_STATE_NAME: usize = 80;

pub struct Reader {
    pub diagnostics: Vec<Diagnostic>,
    machine_ql: QueryLanguage,
}

/// Reads a whole definition. The model is `None` only when the top level is
/// too broken to have states at all.
pub fn read(value: &Value) -> (Option<StateMachine>, Vec<Diagnostic>) {
    let mut r = Reader { diagnostics: Vec::new(), machine_ql: QueryLanguage::JsonPath };
    let machine = r.machine(value);
    (machine, r.diagnostics)
}

pub(crate) fn child(pointer: &str, key: &str) -> String {
    format!("{pointer}/{}", pointer_token(key))
}

/// An array element, in AWS's location style: `/States/C/Choices[0]/Next`.
pub(crate) fn index(pointer: &str, i: usize) -> String {
    format!("{pointer}[{i}]")
}

impl Reader {
    pub(crate) fn error(&mut self, location: &str, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::error(
            codes::SCHEMA_VALIDATION_FAILED,
            message,
            Some(if location.is_empty() { "/".to_string() } else { location.to_string() }),
        ));
    }

    pub(crate) fn error_code(&mut self, code: &'static str, location: &str, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::error(code, message, Some(location.to_string())));
    }

    /// Reports the required fields an object lacks, all in one diagnostic.
    pub(crate) fn require(&mut self, obj: &Map<String, Value>, pointer: &str, fields: &[&str]) -> bool {
        let missing: Vec<&str> = fields.iter().copied().filter(|f| !obj.contains_key(*f)).collect();
        if missing.is_empty() {
            return true;
        }
        self.error(pointer, format!("These fields are required: [{}]", missing.join(", ")));
        false
    }

    /// Reports fields outside `allowed`.
    pub(crate) fn only(&mut self, obj: &Map<String, Value>, pointer: &str, allowed: &[&str]) {
        for k in obj.keys() {
            if !allowed.contains(&k.as_str()) {
                self.error(pointer, format!("Field '{k}' is not supported"));
            }
        }
    }

    /// Reports a pair (or more) of fields that exclude each other.
    pub(crate) fn exclusive(&mut self, obj: &Map<String, Value>, pointer: &str, fields: &[&str]) {
        if fields.iter().filter(|f| obj.contains_key(**f)).count() > 1 {
            self.error(pointer, format!("There should only be one of the following fields: [{}]", fields.join(", ")));
        }
    }

    fn machine(&mut self, value: &Value) -> Option<StateMachine> {
        let Value::Object(obj) = value else {
            self.error("/", "Definition must be a valid JSON object");
            return None;
        };
        self.only(obj, "/", &["Comment", "StartAt", "States", "TimeoutSeconds", "Version", "QueryLanguage"]);
        self.require(obj, "/", &["States", "StartAt"]);
        let comment = self.opt_string(obj, "", "Comment");
        let version = self.opt_string(obj, "", "Version");
        if let Some(v) = &version {
            if v != "1.0" {
                self.error("/Version", "The value of 'Version' must be '1.0'");
            }
        }
        let timeout_seconds = self.opt_uint(obj, "", "TimeoutSeconds", 0, 99_999_999);
        self.machine_ql = match self.opt_string(obj, "", "QueryLanguage").as_deref() {
            Some("JSONata") => QueryLanguage::Jsonata,
            Some("JSONPath") | None => QueryLanguage::JsonPath,
            Some(_) => {
                self.error(
                    "/QueryLanguage",
                    "The field 'QueryLanguage' should have one of these values: [JSONPath, JSONata]",
                );
                QueryLanguage::JsonPath
            }
        };
        let root = self.container(obj, "")?;
        Some(StateMachine { comment, version, timeout_seconds, query_language: self.machine_ql, root })
    }

    /// Reads `StartAt` and `States` of the object at `pointer`.
    pub(crate) fn container(&mut self, obj: &Map<String, Value>, pointer: &str) -> Option<Container> {
        let start_at = match obj.get("StartAt") {
            Some(Value::String(s)) => s.clone(),
            Some(_) => {
                self.error(&child(pointer, "StartAt"), "Value is not a String");
                String::new()
            }
            None => String::new(),
        };
        let states_ptr = child(pointer, "States");
        let mut states = IndexMap::new();
        match obj.get("States") {
            Some(Value::Object(map)) => {
                for (name, v) in map {
                    let sp = child(&states_ptr, name);
                    if let Some(s) = self.state(name, v, &sp) {
                        states.insert(name.clone(), s);
                    }
                }
            }
            Some(_) => self.error(&states_ptr, "Value is not an Object"),
            None => return None,
        }
        Some(Container { pointer: pointer.to_string(), start_at, states })
    }
}
