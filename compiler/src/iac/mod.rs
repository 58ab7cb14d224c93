//! Definitions where teams keep them: plain files, or state machines in
//! CloudFormation, SAM and CDK (synthesised) templates. A path names a
//! file; `template.yaml#LogicalId` one machine of a template. Every
//! command reads definitions through `read`, so each accepts both.
//!
//! A template's machine comes from `Definition` (an object: its positions
//! are the template's, so diagnostics point into the template),
//! `DefinitionString` (text, often built with `Fn::Join`/`Fn::Sub`),
//! `DefinitionUri` or `DefinitionS3Location` (a local file), with
//! `DefinitionSubstitutions` applied.

mod intrinsics;

use crate::diagnostics::Diagnostic;
use crate::source::{Positions, Source};
use intrinsics::Resolver;
use serde_json::Value;
use std::path::Path;

pub use intrinsics::substitute;

/// One definition, as read: what the checker needs, and its name.
pub struct Definition {
    /// The state machine's name: a file's stem, or a template's logical id.
    pub name: String,
    /// How messages name it: the file, or `template#LogicalId`.
    pub label: String,
    /// Where diagnostics point: the file, or the template.
    pub source: Source,
    pub value: Result<Value, Diagnostic>,
    /// The length AWS measures (the definition's JSON text, in characters).
    pub chars: usize,
    /// Placeholders given for what only a deployment knows.
    pub notes: Vec<String>,
    /// The type a template gives the machine (SAM's `Type`,
    /// CloudFormation's `StateMachineType`); else the command's.
    pub machine_type: Option<crate::check::MachineType>,
}

/// A file's stem, as a state machine read from it is named.
pub fn stem(file: &str) -> String {
    Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .filter(|s| !s.is_empty() && *s != "-")
        .unwrap_or("StateMachine")
        .to_string()
}

/// The state machine resource types.
const MACHINE_TYPES: [&str; 2] = ["AWS::StepFunctions::StateMachine", "AWS::Serverless::StateMachine"];

fn is_template(v: &Value) -> bool {
    v.get("Resources").is_some_and(Value::is_object) && v.get("States").is_none()
}

/// Reads `spec` (`FILE` or `FILE#LogicalId`; `-` is standard input):
/// every definition it holds, or the one it names. `substitutions`:
/// `${Name}` values to apply (`--substitutions`).
pub fn read(spec: &str, substitutions: &[(String, String)]) -> Result<Vec<Definition>, String> {
    // A file whose own name holds a `#` is that file.
    let (file, wanted) = match spec.rsplit_once('#') {
        Some((f, id)) if !f.is_empty() && !Path::new(spec).exists() => (f, Some(id)),
        _ => (spec, None),
    };
    let (name, bytes) = crate::cli::read_input(file)?;
    let (source, value) = crate::source::load(&name, bytes);
    let template = value.as_ref().is_ok_and(is_template);
    if !template {
        if let Some(id) = wanted {
            return Err(format!("{file} is not a CloudFormation or SAM template: '#{id}' names nothing in it"));
        }
        let mut d = plain(source, value);
        substitute_result(&mut d.value, substitutions);
        return Ok(vec![d]);
    }
    let template = value.map_err(|d| d.message)?;
    let resources = template["Resources"].as_object().cloned().unwrap_or_default();
    let machines: Vec<&String> = resources
        .iter()
        .filter(|(_, r)| r["Type"].as_str().is_some_and(|t| MACHINE_TYPES.contains(&t)))
        .map(|(id, _)| id)
        .collect();
    let picked: Vec<&String> = match wanted {
        Some(id) => {
            let found = machines.iter().find(|m| m.as_str() == id).copied();
            vec![found.ok_or_else(|| {
                let ids: Vec<&str> = machines.iter().map(|m| m.as_str()).collect();
                format!("{file} has no state machine '{id}' (it has: {})", ids.join(", "))
            })?]
        }
        None => machines,
    };
    if picked.is_empty() {
        return Err(format!("{file} is a template without state machines ({})", MACHINE_TYPES.join(" or ")));
    }
    let folder = Path::new(file).parent().unwrap_or(Path::new(""));
    let resolver = Resolver::new(&template, &stem(file));
    picked
        .into_iter()
        .map(|id| {
            let mut d = machine(&source, &template, id, folder, &resolver)
                .map_err(|e| format!("{file}: state machine {id}: {e}"))?;
            substitute_result(&mut d.value, substitutions);
            d.notes = std::mem::take(&mut *resolver.notes.borrow_mut());
            Ok(d)
        })
        .collect()
}

/// A definition file read on its own.
pub fn plain(source: Source, value: Result<Value, Diagnostic>) -> Definition {
    // AWS measures the JSON text sent: a JSON file's own, YAML's as JSON.
    let json = source.text.trim_start().trim_start_matches('\u{feff}').starts_with('{');
    let chars = match &value {
        Ok(v) if !json => v.to_string().chars().count(),
        _ => source.text.chars().count(),
    };
    let (name, label) = (stem(&source.name), source.name.clone());
    Definition { name, label, source, value, chars, notes: Vec::new(), machine_type: None }
}

fn substitute_result(value: &mut Result<Value, Diagnostic>, substitutions: &[(String, String)]) {
    if let Ok(v) = value {
        substitute(v, substitutions);
    }
}

/// The definition of the machine `id` of a template.
fn machine(
    source: &Source,
    template: &Value,
    id: &str,
    folder: &Path,
    resolver: &Resolver,
) -> Result<Definition, String> {
    let template_name = &source.name;
    let at = format!("/Resources/{}/Properties", crate::source::json::pointer_token(id));
    let props = &template["Resources"][id]["Properties"];
    let mut substitutions = Vec::new();
    if let Some(map) = props.get("DefinitionSubstitutions").and_then(Value::as_object) {
        for (k, v) in map {
            substitutions.push((k.clone(), resolver.text(v).map_err(|e| format!("DefinitionSubstitutions.{k}: {e}"))?));
        }
    }
    let machine_type = match props.get("Type").or_else(|| props.get("StateMachineType")).and_then(Value::as_str) {
        Some("EXPRESS") => Some(crate::check::MachineType::Express),
        Some("STANDARD") => Some(crate::check::MachineType::Standard),
        _ => None,
    };
    let named = |source: Source, value: Result<Value, Diagnostic>, chars: usize| {
        let mut value = value;
        substitute_result(&mut value, &substitutions);
        let label = format!("{}#{id}", template_name);
        Definition { name: id.to_string(), label, source, value, chars, notes: Vec::new(), machine_type }
    };
    if let Some(inline) = props.get("Definition") {
        // The definition's positions are the template's, under its pointer.
        let prefix = format!("{at}/Definition");
        let positions: Positions = source
            .positions
            .iter()
            .filter_map(|(k, p)| {
                k.strip_prefix(&prefix).filter(|r| r.is_empty() || r.starts_with('/')).map(|r| (r.to_string(), *p))
            })
            .collect();
        let source = Source { name: source.name.clone(), text: source.text.clone(), positions };
        let mut inline = inline.clone();
        intrinsics::resolve_all(&mut inline, resolver).map_err(|e| format!("Definition: {e}"))?;
        let chars = inline.to_string().chars().count();
        return Ok(named(source, Ok(inline), chars));
    }
    if let Some(text) = props.get("DefinitionString") {
        let mut text = resolver.text(text).map_err(|e| format!("DefinitionString: {e}"))?;
        for (name, value) in &substitutions {
            text = text.replace(&format!("${{{name}}}"), value);
        }
        let chars = text.chars().count();
        let (source, value) =
            crate::source::load(&format!("{}#{id}.DefinitionString.json", source.name), text.into_bytes());
        return Ok(named(source, value, chars));
    }
    let location = props.get("DefinitionUri").or_else(|| props.get("DefinitionS3Location"));
    if let Some(location) = location {
        // A local path (as `sam build` and `aws cloudformation package` take
        // it), or an S3 location whose key is one.
        let local = match location {
            Value::String(s) => s.clone(),
            Value::Object(o) => o.get("Key").and_then(Value::as_str).unwrap_or("").to_string(),
            _ => String::new(),
        };
        let path = folder.join(&local);
        if local.is_empty() || !path.is_file() {
            return Err(format!(
                "its definition is at {location}, which is not a local file: aslc reads local files only"
            ));
        }
        let shown = path.display().to_string();
        let bytes = std::fs::read(&path).map_err(|e| format!("cannot read {shown}: {e}"))?;
        let (source, value) = crate::source::load(&shown, bytes);
        let chars = value.as_ref().map_or(0, |v| v.to_string().chars().count());
        return Ok(named(source, value, chars));
    }
    Err("it has no Definition, DefinitionString, DefinitionUri or DefinitionS3Location".into())
}

/// `--substitutions FILE`: an object (JSON or YAML) of `${Name}` values.
pub fn read_substitutions(file: Option<&Path>) -> Result<Vec<(String, String)>, String> {
    let Some(file) = file else { return Ok(Vec::new()) };
    let shown = file.display().to_string();
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let (_, value) = crate::source::load(&shown, bytes);
    let map = value.map_err(|d| format!("{shown}: {}", d.message))?;
    let map = map.as_object().ok_or_else(|| format!("{shown} must be an object of names and values"))?;
    Ok(map.iter().map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_string))).collect())
}
