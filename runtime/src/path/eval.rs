//! Evaluation of parsed paths against a JSON document.

use super::{normalized, Path, Segment};
use serde_json::Value;

/// Why a definite path selected nothing, in Jayway's words.
#[derive(Debug, Clone, PartialEq)]
pub enum PathError {
    /// The last step found nothing: `No results for path: $['a']['b']`.
    NoResults(String),
    /// An intermediate step found nothing: `Missing property in path $['a']`.
    MissingProperty(String),
}

impl std::fmt::Display for PathError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PathError::NoResults(p) => write!(f, "No results for path: {p}"),
            PathError::MissingProperty(p) => write!(f, "Missing property in path {p}"),
        }
    }
}

/// A field of an object. Payloads are mostly small objects, for which a
/// scan of the keys beats hashing the name (serde_json's ordered map
/// hashes with SipHash).
pub fn field<'v>(value: &'v Value, name: &str) -> Option<&'v Value> {
    let Value::Object(map) = value else { return None };
    if map.len() <= 8 {
        map.iter().find(|(k, _)| same_key(k, name)).map(|(_, v)| v)
    } else {
        map.get(name)
    }
}

/// Key equality without a call into `memcmp`, which costs more than the
/// few bytes of a typical key.
#[inline]
fn same_key(key: &str, name: &str) -> bool {
    key.len() == name.len() && key.bytes().zip(name.bytes()).all(|(a, b)| a == b)
}

fn step<'v>(value: &'v Value, seg: &Segment) -> Option<&'v Value> {
    match (seg, value) {
        (Segment::Child(name), Value::Object(_)) => field(value, name),
        (Segment::Index(i), Value::Array(items)) => {
            let idx = if *i < 0 { items.len() as i64 + i } else { *i };
            usize::try_from(idx).ok().and_then(|i| items.get(i))
        }
        _ => None,
    }
}

impl Path {
    /// Borrows the single value a definite path selects, if any.
    pub fn lookup<'v>(&self, doc: &'v Value) -> Option<&'v Value> {
        let mut cur = doc;
        for seg in &self.segments {
            cur = step(cur, seg)?;
        }
        Some(cur)
    }

    /// Selects with ASL's rules: a definite path yields its value or an
    /// error; any other path yields the array of everything it matched.
    pub fn select(&self, doc: &Value) -> Result<Value, PathError> {
        self.select_after(doc, 0)
    }

    /// `select` for a `doc` that the first `skip` segments already led to;
    /// errors still name the whole path.
    pub fn select_after(&self, doc: &Value, skip: usize) -> Result<Value, PathError> {
        if let Some((names, upstream)) = self.merged_leaf() {
            return if upstream.is_definite() {
                let node = upstream.select_after(doc, skip)?;
                merge_names(&node, names).ok_or_else(|| PathError::NoResults(normalized(&self.segments)))
            } else {
                let nodes = upstream.select_after(doc, skip)?;
                let nodes = nodes.as_array().map(Vec::as_slice).unwrap_or_default();
                Ok(Value::Array(nodes.iter().filter_map(|n| merge_names(n, names)).collect()))
            };
        }
        if self.is_definite() {
            let mut cur = doc;
            for (n, seg) in self.segments.iter().enumerate().skip(skip) {
                match step(cur, seg) {
                    Some(next) => cur = next,
                    None if n + 1 == self.segments.len() => {
                        return Err(PathError::NoResults(normalized(&self.segments)))
                    }
                    None => return Err(PathError::MissingProperty(normalized(&self.segments[..=n]))),
                }
            }
            Ok(cur.clone())
        } else {
            let rest = Path {
                root: self.root.clone(),
                segments: self.segments[skip.min(self.segments.len())..].to_vec(),
                text: String::new(),
            };
            Ok(Value::Array(rest.select_all(doc).into_iter().cloned().collect()))
        }
    }

    /// Jayway merges a list of names at the end of a path (`$.a['b','c']`)
    /// into one object per node matched before it, and counts that step as
    /// definite: `$['b','c']` is an object, `$[*]['b','c']` an array of them.
    fn merged_leaf(&self) -> Option<(&[String], Path)> {
        let (Segment::Names(names), upstream) = self.segments.split_last()? else { return None };
        Some((names, Path { root: self.root.clone(), segments: upstream.to_vec(), text: String::new() }))
    }

    /// `select` without the error detail (filters and existence tests).
    pub fn select_definite(&self, doc: &Value) -> Option<Value> {
        if self.merged_leaf().is_some() {
            return self.select(doc).ok();
        }
        if self.is_definite() {
            self.lookup(doc).cloned()
        } else {
            Some(Value::Array(self.select_all(doc).into_iter().cloned().collect()))
        }
    }

    /// Every node the path matches, in document order.
    pub fn select_all<'v>(&self, doc: &'v Value) -> Vec<&'v Value> {
        let mut current = vec![doc];
        for seg in &self.segments {
            let mut next = Vec::new();
            for v in current {
                apply(seg, v, doc, &mut next);
            }
            current = next;
        }
        current
    }
}

/// The named fields of an object that it has, in the order named.
fn merge_names(node: &Value, names: &[String]) -> Option<Value> {
    let Value::Object(map) = node else { return None };
    Some(Value::Object(names.iter().filter_map(|n| Some((n.clone(), map.get(n)?.clone()))).collect()))
}

fn apply<'v>(seg: &Segment, v: &'v Value, root: &'v Value, out: &mut Vec<&'v Value>) {
    match seg {
        Segment::Child(_) | Segment::Index(_) => out.extend(step(v, seg)),
        Segment::Wildcard => match v {
            Value::Object(map) => out.extend(map.values()),
            Value::Array(items) => out.extend(items.iter()),
            _ => {}
        },
        Segment::Names(names) => {
            if let Value::Object(map) = v {
                out.extend(names.iter().filter_map(|n| map.get(n)));
            }
        }
        Segment::Indices(idx) => {
            for i in idx {
                out.extend(step(v, &Segment::Index(*i)));
            }
        }
        Segment::Slice(start, end, step_by) => {
            if let Value::Array(items) = v {
                let len = items.len() as i64;
                let norm = |x: i64| if x < 0 { (len + x).max(0) } else { x.min(len) };
                let step_by = step_by.unwrap_or(1);
                if step_by > 0 {
                    let (s, e) = (norm(start.unwrap_or(0)), norm(end.unwrap_or(len)));
                    let mut i = s;
                    while i < e {
                        out.push(&items[i as usize]);
                        i += step_by;
                    }
                }
            }
        }
        Segment::Descendant(inner) => descend(inner, v, root, out),
        Segment::Filter(f) => match v {
            Value::Array(items) => out.extend(items.iter().filter(|item| f.matches(item, root))),
            Value::Object(_) if f.matches(v, root) => out.push(v),
            _ => {}
        },
    }
}

fn descend<'v>(inner: &Segment, v: &'v Value, root: &'v Value, out: &mut Vec<&'v Value>) {
    apply(inner, v, root, out);
    match v {
        Value::Object(map) => map.values().for_each(|c| descend(inner, c, root, out)),
        Value::Array(items) => items.iter().for_each(|c| descend(inner, c, root, out)),
        _ => {}
    }
}
