//! Human and JSON renderings of a file's diagnostics.

use super::Diagnostic;
use crate::source::Source;
use serde_json::json;

/// Renders like rustc: the code and message, `file:line:column`, the JSON
/// pointer, and the offending line with a caret.
pub fn render_human(source: &Source, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        out.push_str(&format!("{}[{}]: {}\n", d.severity.as_str().to_lowercase(), d.code, d.message));
        let at = d.location.as_deref().filter(|l| l.starts_with('/')).unwrap_or("");
        match d.pos {
            Some(pos) => {
                out.push_str(&format!("  --> {}:{}:{}", source.name, pos.line, pos.column));
                if !at.is_empty() {
                    out.push_str(&format!(" (at {at})"));
                }
                out.push('\n');
                if let Some(line) = source.line(pos.line) {
                    let gutter = pos.line.to_string().len();
                    let shown: String = line.chars().take(160).collect();
                    let pad: String = shown
                        .chars()
                        .take(pos.column.saturating_sub(1))
                        .map(|c| if c == '\t' { '\t' } else { ' ' })
                        .collect();
                    out.push_str(&format!("{:gutter$} |\n", ""));
                    out.push_str(&format!("{} | {}\n", pos.line, shown));
                    out.push_str(&format!("{:gutter$} | {pad}^\n", ""));
                }
            }
            None => {
                out.push_str(&format!("  --> {}", source.name));
                if !at.is_empty() {
                    out.push_str(&format!(" (at {at})"));
                }
                out.push('\n');
            }
        }
        out.push('\n');
    }
    out
}

/// One JSON object for one file (`aslc check --format json`).
pub fn render_json(diags: &[Diagnostic]) -> serde_json::Value {
    json!({
        "valid": diags.iter().all(|d| d.severity != super::Severity::Error),
        "diagnostics": diags.iter().map(|d| json!({
            "code": d.code,
            "message": d.message,
            "location": d.location,
            "line": d.pos.map(|p| p.line),
            "column": d.pos.map(|p| p.column),
            "severity": d.severity.as_str(),
        })).collect::<Vec<_>>(),
    })
}
