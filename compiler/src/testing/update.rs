//! `aslc test --update`: a failing case's actual result becomes its
//! expectation (status, then output or error and cause, and the path when
//! the case checks one), as snapshot tools record snapshots. The file is
//! rewritten in its own format; other expectations stay as written and
//! are checked again.

use super::file::{self, TestFile};
use super::{expect, Outcome, Runs};
use serde_json::{Map, Value};

pub fn apply(files: &[&TestFile], runs: &Runs, outcomes: &mut [Outcome]) -> Result<(), String> {
    for (fi, f) in files.iter().enumerate() {
        let mut document = f.document.clone();
        let mut changed = Vec::new();
        for o in outcomes.iter().filter(|o| o.job.0 == fi && o.failure.is_some()) {
            let ci = o.job.1;
            if changed.contains(&ci) {
                continue;
            }
            let Some((_, ran)) = runs.iter().find(|(job, _)| *job == o.job) else { continue };
            let Some(case) = document.pointer_mut(&format!("/cases/{ci}")).and_then(Value::as_object_mut) else {
                continue;
            };
            let expect = case.entry("expect").or_insert_with(|| Value::Object(Map::new()));
            let Some(e) = expect.as_object_mut() else { continue };
            e.insert("status".into(), Value::String(ran.status.clone()));
            for key in ["output", "outputIncludes", "error", "cause"] {
                e.remove(key);
            }
            match &ran.output {
                Some(out) => {
                    e.insert("output".into(), out.clone());
                }
                None => {
                    for (key, v) in [("error", &ran.error), ("cause", &ran.cause)] {
                        if let Some(v) = v {
                            e.insert(key.into(), Value::String(v.clone()));
                        }
                    }
                }
            }
            if e.contains_key("path") {
                e.insert("path".into(), ran.document()["path"].clone());
            }
            changed.push(ci);
        }
        if changed.is_empty() {
            continue;
        }
        let text = if f.yaml {
            to_yaml(&document)?
        } else {
            serde_json::to_string_pretty(&document).unwrap_or_default() + "\n"
        };
        std::fs::write(&f.path, text).map_err(|e| format!("cannot write {}: {e}", f.path.display()))?;
        println!("updated {} case(s) in {}", changed.len(), f.path.display());
        // What else the updated cases expect is checked again.
        let updated = file::read(&f.path)?;
        for o in outcomes.iter_mut().filter(|o| o.job.0 == fi && changed.contains(&o.job.1)) {
            let Some((_, ran)) = runs.iter().find(|(job, _)| *job == o.job) else { continue };
            let missed = expect::check(&updated.cases[o.job.1].expect, &ran.document());
            o.failure = (!missed.is_empty()).then(|| missed.iter().map(expect::render).collect());
        }
    }
    Ok(())
}

/// YAML text of a JSON value (comments of the original are not kept).
fn to_yaml(v: &Value) -> Result<String, String> {
    use yaml_rust2::Yaml;
    fn convert(v: &Value) -> Yaml {
        match v {
            Value::Null => Yaml::Null,
            Value::Bool(b) => Yaml::Boolean(*b),
            Value::Number(n) if n.is_i64() || n.is_u64() => n.as_i64().map_or(Yaml::Real(n.to_string()), Yaml::Integer),
            Value::Number(n) => Yaml::Real(n.to_string()),
            Value::String(s) => Yaml::String(s.clone()),
            Value::Array(a) => Yaml::Array(a.iter().map(convert).collect()),
            Value::Object(o) => Yaml::Hash(o.iter().map(|(k, v)| (Yaml::String(k.clone()), convert(v))).collect()),
        }
    }
    let mut out = String::new();
    yaml_rust2::YamlEmitter::new(&mut out).dump(&convert(v)).map_err(|e| format!("cannot write YAML: {e}"))?;
    Ok(out.trim_start_matches("---\n").to_string() + "\n")
}
