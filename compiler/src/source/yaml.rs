//! YAML definitions (as CloudFormation and SAM users write them), read into
//! the same JSON value and pointer positions as JSON files. CloudFormation's
//! short forms (`!Ref X`, `!Sub …`, `!GetAtt A.B`, `!Join [...]`) read as
//! their long forms (`{"Ref": "X"}`, `{"Fn::Sub": …}`, …).

use super::json::{pointer_token, SyntaxError};
use super::{Pos, Positions};
use serde_json::{Map, Number, Value};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Aliases can multiply a document exponentially; this bounds the values
/// one file may expand to.
const MAX_NODES: usize = 1_000_000;
const MAX_DEPTH: usize = 256;

/// A collection being read: its items, pointer, anchor, and the
/// intrinsic function its tag names.
enum Frame {
    Seq(Vec<Value>, String, usize, Option<&'static str>),
    Map(Map<String, Value>, String, Option<String>, usize, Option<&'static str>),
}

/// CloudFormation's short-form tags and the functions they stand for.
const INTRINSICS: [(&str, &str); 17] = [
    ("Ref", "Ref"),
    ("Condition", "Condition"),
    ("Sub", "Fn::Sub"),
    ("GetAtt", "Fn::GetAtt"),
    ("Join", "Fn::Join"),
    ("Select", "Fn::Select"),
    ("Split", "Fn::Split"),
    ("If", "Fn::If"),
    ("Equals", "Fn::Equals"),
    ("And", "Fn::And"),
    ("Or", "Fn::Or"),
    ("Not", "Fn::Not"),
    ("FindInMap", "Fn::FindInMap"),
    ("ImportValue", "Fn::ImportValue"),
    ("GetAZs", "Fn::GetAZs"),
    ("Base64", "Fn::Base64"),
    ("Cidr", "Fn::Cidr"),
];

fn intrinsic(tag: &Option<Tag>) -> Option<&'static str> {
    let t = tag.as_ref().filter(|t| t.handle == "!")?;
    INTRINSICS.iter().find(|(short, _)| *short == t.suffix).map(|(_, long)| *long)
}

/// `{"Fn::X": v}`; `!GetAtt A.B` is `["A", "B"]`.
fn wrap(function: &str, v: Value) -> Value {
    let v = match (function, v) {
        ("Fn::GetAtt", Value::String(s)) => match s.split_once('.') {
            Some((resource, attribute)) => Value::Array(vec![resource.into(), attribute.into()]),
            None => Value::String(s),
        },
        (_, v) => v,
    };
    Value::Object(Map::from_iter([(function.to_string(), v)]))
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    anchors: Vec<(usize, Value)>,
    root: Option<Value>,
    positions: Positions,
    nodes: usize,
    error: Option<SyntaxError>,
}

impl Builder {
    /// The pointer of the next value to be added.
    fn next_pointer(&self) -> String {
        match self.stack.last() {
            None => String::new(),
            Some(Frame::Seq(items, p, ..)) => format!("{p}/{}", items.len()),
            Some(Frame::Map(_, p, Some(key), ..)) => format!("{p}/{}", pointer_token(key)),
            Some(Frame::Map(_, p, None, ..)) => p.clone(),
        }
    }

    fn fail(&mut self, message: &str, mark: Marker) {
        if self.error.is_none() {
            self.error = Some(SyntaxError { message: message.into(), pos: pos(mark) });
        }
    }

    fn push(&mut self, v: Value, anchor: usize, mark: Marker) {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            self.fail("the document expands to too many values", mark);
            return;
        }
        if anchor > 0 {
            self.anchors.push((anchor, v.clone()));
        }
        match self.stack.last_mut() {
            None => self.root = Some(v),
            Some(Frame::Seq(items, ..)) => items.push(v),
            Some(Frame::Map(map, _, key, ..)) => match key.take() {
                Some(k) => {
                    map.insert(k, v);
                }
                None => match v {
                    Value::String(k) => *key = Some(k),
                    Value::Number(_) | Value::Bool(_) | Value::Null => *key = Some(v.to_string()),
                    _ => self.fail("mapping keys must be scalars", mark),
                },
            },
        }
    }

    fn expecting_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Map(_, _, None, ..)))
    }

    /// The value at `pointer` became the argument of `function`: what was
    /// placed under it now sits under `pointer/function`.
    fn moved_under(&mut self, pointer: &str, function: &str) {
        let inner = format!("{pointer}/{}", pointer_token(function));
        let below = format!("{pointer}/");
        let moved: Vec<(String, Pos)> = self
            .positions
            .iter()
            .filter(|(k, _)| k.as_str() == pointer || k.starts_with(&below))
            .map(|(k, p)| (format!("{inner}{}", &k[pointer.len()..]), *p))
            .collect();
        self.positions.extend(moved);
    }
}

fn pos(mark: Marker) -> Pos {
    Pos { line: mark.line(), column: mark.col() + 1 }
}

fn scalar(text: String, style: TScalarStyle) -> Value {
    if style != TScalarStyle::Plain {
        return Value::String(text);
    }
    match text.as_str() {
        "null" | "Null" | "NULL" | "~" | "" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Ok(i) = text.parse::<i64>() {
        return Value::Number(i.into());
    }
    if text.chars().any(|c| c.is_ascii_digit()) {
        if let Some(n) = text.parse::<f64>().ok().and_then(Number::from_f64) {
            return Value::Number(n);
        }
    }
    Value::String(text)
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        let at_key = self.expecting_key();
        match ev {
            Event::Scalar(text, style, anchor, tag) => {
                if !at_key {
                    let p = self.next_pointer();
                    self.positions.insert(p, pos(mark));
                } else if let Some(Frame::Map(map, p, ..)) = self.stack.last() {
                    // A block mapping's start marker sits after its first
                    // key; the key itself is where a reader looks.
                    if map.is_empty() {
                        self.positions.insert(p.clone(), pos(mark));
                    }
                }
                let value = match intrinsic(&tag).filter(|_| !at_key) {
                    Some(f) => {
                        let p = self.next_pointer();
                        self.moved_under(&p, f);
                        wrap(f, Value::String(text))
                    }
                    None => scalar(text, style),
                };
                self.push(value, anchor, mark);
            }
            Event::Alias(id) => match self.anchors.iter().rev().find(|(a, _)| *a == id).map(|(_, v)| v.clone()) {
                Some(v) => {
                    let p = self.next_pointer();
                    self.positions.insert(p, pos(mark));
                    self.nodes += count(&v);
                    self.push(v, 0, mark);
                }
                None => self.fail("unknown alias", mark),
            },
            Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                let function = intrinsic(tag);
                if at_key {
                    self.fail("mapping keys must be scalars", mark);
                    return;
                }
                if self.stack.len() >= MAX_DEPTH {
                    self.fail("the document nests too deeply", mark);
                    return;
                }
                let p = self.next_pointer();
                self.positions.insert(p.clone(), pos(mark));
                self.stack.push(if matches!(ev, Event::SequenceStart(..)) {
                    Frame::Seq(Vec::new(), p, anchor, function)
                } else {
                    Frame::Map(Map::new(), p, None, anchor, function)
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (value, p, anchor, function) = match self.stack.pop() {
                    Some(Frame::Seq(items, p, anchor, f)) => (Value::Array(items), p, anchor, f),
                    Some(Frame::Map(map, p, _, anchor, f)) => (Value::Object(map), p, anchor, f),
                    None => return self.fail("unbalanced document", mark),
                };
                let value = match function {
                    Some(f) => {
                        self.moved_under(&p, f);
                        wrap(f, value)
                    }
                    None => value,
                };
                self.push(value, anchor, mark);
            }
            _ => {}
        }
    }
}

fn count(v: &Value) -> usize {
    match v {
        Value::Array(a) => 1 + a.iter().map(count).sum::<usize>(),
        Value::Object(m) => 1 + m.values().map(count).sum::<usize>(),
        _ => 1,
    }
}

pub fn parse(text: &str) -> Result<(Value, Positions), SyntaxError> {
    let mut b = Builder::default();
    let mut parser = Parser::new_from_str(text);
    if let Err(e) = parser.load(&mut b, false) {
        let m = *e.marker();
        return Err(SyntaxError { message: e.info().to_string(), pos: pos(m) });
    }
    if let Some(e) = b.error {
        return Err(e);
    }
    Ok((b.root.unwrap_or(Value::Null), b.positions))
}

#[cfg(test)]
mod tests {
    use super::parse;
    use serde_json::json;

    #[test]
    fn cloudformation_short_forms_read_as_long_forms() {
        let text = "a: !Ref Thing\nb: !GetAtt Fn.Arn\nc: !Sub [\"${X}-1\", {X: !Ref Y}]\nd: !Join\n  - \",\"\n  - [p, !Ref Q]\ne: !Unknown kept\n";
        let (v, positions) = parse(text).expect("parses");
        assert_eq!(
            v,
            json!({
                "a": {"Ref": "Thing"},
                "b": {"Fn::GetAtt": ["Fn", "Arn"]},
                "c": {"Fn::Sub": ["${X}-1", {"X": {"Ref": "Y"}}]},
                "d": {"Fn::Join": [",", ["p", {"Ref": "Q"}]]},
                "e": "kept"
            })
        );
        // Positions follow the values into their functions.
        assert_eq!(positions["/d/Fn::Join/1/1/Ref"].line, 6);
        assert_eq!(positions["/b/Fn::GetAtt"].line, 2);
    }
}
