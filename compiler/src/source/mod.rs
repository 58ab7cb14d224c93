//! Reading definitions: JSON or YAML text into a JSON value, keeping the
//! line and column of every value by JSON pointer for diagnostics.

pub mod json;
mod yaml;

use crate::diagnostics::{codes, Diagnostic};
use serde_json::Value;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

pub type Positions = HashMap<String, Pos>;

/// A definition's text and where each of its values sits in it.
pub struct Source {
    /// The name diagnostics show (a path, or `<stdin>`).
    pub name: String,
    pub text: String,
    pub positions: Positions,
}

impl Source {
    /// The position of `pointer`, or of its nearest ancestor that has one.
    pub fn pos(&self, location: &str) -> Option<Pos> {
        let pointer = json_pointer(location);
        let mut p = pointer.as_str();
        loop {
            if let Some(pos) = self.positions.get(p) {
                return Some(*pos);
            }
            if p.is_empty() {
                return None;
            }
            p = p.rfind('/').map_or("", |i| &p[..i]);
        }
    }

    pub fn line(&self, n: usize) -> Option<&str> {
        self.text.lines().nth(n.checked_sub(1)?)
    }
}

/// AWS writes array elements as `Choices[0]`; JSON pointers as `Choices/0`.
fn json_pointer(location: &str) -> String {
    let mut out = String::with_capacity(location.len());
    let mut chars = location.chars().peekable();
    while let Some(c) = chars.next() {
        let digits_follow = chars.peek().is_some_and(|d| d.is_ascii_digit());
        if c == '[' && digits_follow {
            out.push('/');
            for d in chars.by_ref() {
                if d == ']' {
                    break;
                }
                out.push(d);
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn is_yaml_name(name: &str) -> bool {
    name.ends_with(".yaml") || name.ends_with(".yml")
}

/// Decodes and parses a definition. A file that cannot be read as a JSON
/// value at all yields the one diagnostic AWS would give for it.
pub fn load(name: &str, bytes: Vec<u8>) -> (Source, Result<Value, Diagnostic>) {
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let source = Source { name: name.to_string(), text, positions: Positions::new() };
            let d = Diagnostic::error(
                codes::INVALID_JSON_DESCRIPTION,
                format!("Invalid UTF-8 start byte at byte offset {}", e.utf8_error().valid_up_to()),
                None,
            );
            return (source, Err(d));
        }
    };
    let trimmed = text.trim_start().trim_start_matches('\u{feff}');
    if trimmed.trim().is_empty() {
        let source = Source { name: name.to_string(), text, positions: Positions::new() };
        let d = Diagnostic::error(codes::SCHEMA_VALIDATION_FAILED, "Definition must be a valid JSON object", None);
        return (source, Err(d));
    }
    let yaml = is_yaml_name(name) || (!name.ends_with(".json") && !trimmed.starts_with(['{', '[']));
    let parsed = if yaml { yaml::parse(&text) } else { json::parse(trimmed) };
    match parsed {
        Ok((value, positions)) => (Source { name: name.to_string(), text, positions }, Ok(value)),
        Err(e) => {
            let mut d = if yaml {
                Diagnostic::error(codes::INVALID_YAML_DESCRIPTION, e.message, None)
            } else {
                // Jackson's wording, including its echo of the source.
                let excerpt: String = text.chars().take(500).collect();
                let location =
                    format!("[Source: (String)\"{excerpt}\"; line: {}, column: {}]", e.pos.line, e.pos.column);
                Diagnostic::error(
                    codes::INVALID_JSON_DESCRIPTION,
                    format!("{}\n at {location}", e.message),
                    Some(location),
                )
            };
            d.pos = Some(e.pos);
            (Source { name: name.to_string(), text, positions: Positions::new() }, Err(d))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_positions_by_pointer() {
        let text = "{\n  \"States\": {\n    \"A/b\": {\"Type\": \"Pass\"}\n  }\n}";
        let (src, v) = load("m.json", text.as_bytes().to_vec());
        assert!(v.is_ok());
        assert_eq!(src.pos("/States/A~1b/Type"), Some(Pos { line: 3, column: 21 }));
        assert_eq!(src.pos("/States/A~1b/Missing"), Some(Pos { line: 3, column: 12 }));
    }

    #[test]
    fn yaml_positions_by_pointer() {
        let text = "StartAt: A\nStates:\n  A:\n    Type: Pass\n    End: true\n";
        let (src, v) = load("m.yaml", text.as_bytes().to_vec());
        assert_eq!(v.unwrap()["States"]["A"]["End"], Value::Bool(true));
        assert_eq!(src.pos("/States/A/Type"), Some(Pos { line: 4, column: 11 }));
    }

    #[test]
    fn jackson_message_for_garbage() {
        let (_, v) = load("m.json", b"not a definition".to_vec());
        let d = v.unwrap_err();
        assert_eq!(d.code, codes::INVALID_JSON_DESCRIPTION);
        assert_eq!(d.location.as_deref(), Some("[Source: (String)\"not a definition\"; line: 1, column: 4]"));
    }

    #[test]
    fn hostile_inputs_do_not_panic() {
        let deep = "[".repeat(100_000);
        assert!(load("m.json", deep.into_bytes()).1.is_err());
        assert!(load("m.json", vec![0xff, 0xfe]).1.is_err());
        assert!(load("m.json", b"{\"a\": \"\\ud800\"}".to_vec()).1.is_ok());
        let bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n";
        assert!(load("m.yaml", bomb.as_bytes().to_vec()).1.is_err());
    }
}
