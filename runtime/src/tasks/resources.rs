//! The resource map file (`--resources FILE`, JSON or YAML): which local
//! handler answers a resource ARN, and the connections HTTP Tasks use.
//!
//! ```json
//! {
//!   "Resources": {
//!     "arn:aws:lambda:us-east-1:123456789012:function:create-product": { "Command": ["python3", "create.py"] },
//!     "arn:aws:lambda:*:*:function:*": { "LambdaEndpoint": "http://127.0.0.1:3001" }
//!   },
//!   "Connections": { "arn:aws:events:…:connection/api/…": { "AuthorizationType": "API_KEY", "AuthParameters": { … } } }
//! }
//! ```
//!
//! Keys are exact ARNs or patterns where `*` matches anything; an exact key
//! wins, then the first matching pattern in file order. Commands run in
//! the file's folder.

use super::command::CommandSpec;
#[cfg(feature = "http")]
use super::connections::Connections;
use super::find_binding;
use serde_json::{Map, Value};
use std::path::Path;
#[cfg(feature = "http")]
use std::sync::Arc;

/// What a resource is bound to.
#[derive(Debug, Clone)]
pub enum Binding {
    Command(CommandSpec),
    /// A Lambda Invoke API endpoint; `function` renames the function
    /// (`sam local` knows functions by their template names).
    LambdaEndpoint {
        url: String,
        function: Option<String>,
    },
}

#[derive(Debug, Default)]
pub struct ResourceMap {
    bindings: Vec<(String, Binding)>,
    /// Only HTTP Tasks use connections: a binary without them skips the section.
    #[cfg(feature = "http")]
    pub connections: Option<Arc<Connections>>,
}

const BINDING_FIELDS: &str = "'Command' or 'LambdaEndpoint'";

impl ResourceMap {
    /// Reads a resource map file.
    pub fn load(path: &Path) -> Result<ResourceMap, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let value = parse_text(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        ResourceMap::from_value(&value, dir).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn from_value(v: &Value, dir: &Path) -> Result<ResourceMap, String> {
        let top = v.as_object().ok_or("a resource map is an object with 'Resources' and 'Connections'")?;
        if let Some(k) = top.keys().find(|k| *k != "Resources" && *k != "Connections") {
            return Err(format!("unknown field '{k}' (expected 'Resources' or 'Connections')"));
        }
        let mut bindings = Vec::new();
        if let Some(r) = top.get("Resources") {
            let r = r.as_object().ok_or("'Resources' must be an object of resource ARNs")?;
            for (arn, b) in r {
                bindings.push((arn.clone(), binding(b, dir).map_err(|e| format!("resource '{arn}': {e}"))?));
            }
        }
        Ok(ResourceMap {
            bindings,
            #[cfg(feature = "http")]
            connections: top.get("Connections").map(Connections::parse).transpose()?.map(Arc::new),
        })
    }

    pub fn find(&self, key: &str) -> Option<&Binding> {
        find_binding(&self.bindings, key)
    }
}

fn binding(b: &Value, dir: &Path) -> Result<Binding, String> {
    let b = b.as_object().ok_or_else(|| format!("a binding is an object with {BINDING_FIELDS}"))?;
    let known = ["Command", "Environment", "LambdaEndpoint", "FunctionName"];
    if let Some(k) = b.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(format!("unknown field '{k}'"));
    }
    match (b.get("Command"), b.get("LambdaEndpoint")) {
        (Some(c), None) => {
            let argv = match c {
                Value::String(s) => vec!["sh".to_string(), "-c".to_string(), s.clone()],
                Value::Array(items) if !items.is_empty() => items
                    .iter()
                    .map(|i| i.as_str().map(str::to_string).ok_or("'Command' arguments must be strings"))
                    .collect::<Result<_, _>>()?,
                _ => return Err("'Command' is a string (run by sh -c) or a non-empty list of arguments".into()),
            };
            let env = match b.get("Environment") {
                None => Vec::new(),
                Some(Value::Object(m)) => environment(m)?,
                Some(_) => return Err("'Environment' must be an object of strings".into()),
            };
            Ok(Binding::Command(CommandSpec { argv, dir: dir.to_path_buf(), env }))
        }
        (None, Some(Value::String(url))) => {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err("'LambdaEndpoint' must be an http:// or https:// URL".into());
            }
            let function = match b.get("FunctionName") {
                None => None,
                Some(Value::String(f)) => Some(f.clone()),
                Some(_) => return Err("'FunctionName' must be a string".into()),
            };
            Ok(Binding::LambdaEndpoint { url: url.clone(), function })
        }
        (None, Some(_)) => Err("'LambdaEndpoint' must be a URL".into()),
        _ => Err(format!("a binding has exactly one of {BINDING_FIELDS}")),
    }
}

fn environment(m: &Map<String, Value>) -> Result<Vec<(String, String)>, String> {
    m.iter()
        .map(|(k, v)| {
            v.as_str().map(|s| (k.clone(), s.to_string())).ok_or_else(|| format!("'Environment.{k}' must be a string"))
        })
        .collect()
}

/// JSON, or YAML when it is not JSON.
#[cfg(feature = "yaml")]
fn parse_text(text: &str) -> Result<Value, String> {
    if let Ok(v) = serde_json::from_str(text) {
        return Ok(v);
    }
    let docs = yaml_rust2::YamlLoader::load_from_str(text).map_err(|e| format!("neither JSON nor YAML: {e}"))?;
    let doc = docs.into_iter().next().ok_or("the file is empty")?;
    yaml_to_json(doc)
}

#[cfg(not(feature = "yaml"))]
fn parse_text(text: &str) -> Result<Value, String> {
    serde_json::from_str(text)
        .map_err(|e| format!("not JSON ({e}), and {}", crate::features::missing("yaml", "YAML resource maps")))
}

#[cfg(feature = "yaml")]
fn yaml_to_json(y: yaml_rust2::Yaml) -> Result<Value, String> {
    use yaml_rust2::Yaml;
    Ok(match y {
        Yaml::Null | Yaml::BadValue => Value::Null,
        Yaml::Boolean(b) => Value::Bool(b),
        Yaml::Integer(i) => Value::from(i),
        Yaml::Real(r) => {
            r.parse::<f64>().ok().and_then(serde_json::Number::from_f64).map_or(Value::String(r), Value::Number)
        }
        Yaml::String(s) => Value::String(s),
        Yaml::Array(items) => Value::Array(items.into_iter().map(yaml_to_json).collect::<Result<_, _>>()?),
        Yaml::Hash(h) => {
            let mut m = Map::new();
            for (k, v) in h {
                let key = match k {
                    Yaml::String(s) => s,
                    Yaml::Integer(i) => i.to_string(),
                    other => return Err(format!("a YAML key must be a string, not {other:?}")),
                };
                m.insert(key, yaml_to_json(v)?);
            }
            Value::Object(m)
        }
        Yaml::Alias(_) => return Err("YAML aliases are not supported in resource maps".into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(text: &str) -> Result<ResourceMap, String> {
        ResourceMap::from_value(&parse_text(text)?, Path::new("/handlers"))
    }

    #[test]
    fn exact_keys_win_then_patterns_in_order() {
        let m = map(r#"
Resources:
  "arn:aws:lambda:*:*:function:*": { LambdaEndpoint: "http://127.0.0.1:3001" }
  "arn:aws:lambda:us-east-1:1:function:f": { Command: [./f.sh] }
  "arn:aws:lambda:*:*:function:g*": { Command: "echo {}" }
"#)
        .unwrap();
        assert!(
            matches!(m.find("arn:aws:lambda:us-east-1:1:function:f"), Some(Binding::Command(c)) if c.argv == ["./f.sh"] && c.dir == Path::new("/handlers"))
        );
        assert!(matches!(m.find("arn:aws:lambda:us-east-1:1:function:g1"), Some(Binding::LambdaEndpoint { .. })));
        assert!(m.find("arn:aws:states:::sqs:sendMessage").is_none());
    }

    #[test]
    fn bad_bindings_are_reported() {
        for (text, says) in [
            (r#"{"Resources": {"a": {}}}"#, "exactly one of"),
            (r#"{"Resources": {"a": {"Command": []}}}"#, "non-empty list"),
            (r#"{"Resources": {"a": {"LambdaEndpoint": "localhost:1"}}}"#, "http://"),
            (r#"{"Resources": {"a": {"Command": "x", "Retries": 1}}}"#, "unknown field 'Retries'"),
            (r#"{"Resource": {}}"#, "unknown field 'Resource'"),
            (
                r#"{"Connections": {"c": {"AuthorizationType": "API_KEY", "AuthParameters": {}}}}"#,
                "ApiKeyAuthParameters",
            ),
        ] {
            let e = map(text).err().unwrap_or_default();
            assert!(e.contains(says), "{text}: {e}");
        }
    }
}
