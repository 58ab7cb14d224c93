//! YAML definitions (as CloudFormation and SAM users write them), read into
//! the same JSON value and pointer positions as JSON files.

use super::json::{pointer_token, SyntaxError};
use super::{Pos, Positions};
use serde_json::{Map, Number, Value};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Aliases can multiply a document exponentially; this bounds the values
/// one file may expand to.
const MAX_NODES: usize = 1_000_000;
const MAX_DEPTH: usize = 256;

enum Frame {
    Seq(Vec<Value>, String, usize),
    Map(Map<String, Value>, String, Option<String>, usize),
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
            Some(Frame::Seq(items, p, _)) => format!("{p}/{}", items.len()),
            Some(Frame::Map(_, p, Some(key), _)) => format!("{p}/{}", pointer_token(key)),
            Some(Frame::Map(_, p, None, _)) => p.clone(),
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
            Some(Frame::Map(map, _, key, _)) => match key.take() {
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
        matches!(self.stack.last(), Some(Frame::Map(_, _, None, _)))
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
            Event::Scalar(text, style, anchor, _) => {
                if !at_key {
                    let p = self.next_pointer();
                    self.positions.insert(p, pos(mark));
                } else if let Some(Frame::Map(map, p, _, _)) = self.stack.last() {
                    // A block mapping's start marker sits after its first
                    // key; the key itself is where a reader looks.
                    if map.is_empty() {
                        self.positions.insert(p.clone(), pos(mark));
                    }
                }
                self.push(scalar(text, style), anchor, mark);
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
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
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
                    Frame::Seq(Vec::new(), p, anchor)
                } else {
                    Frame::Map(Map::new(), p, None, anchor)
                });
            }
            Event::SequenceEnd | Event::MappingEnd => match self.stack.pop() {
                Some(Frame::Seq(items, _, anchor)) => self.push(Value::Array(items), anchor, mark),
                Some(Frame::Map(map, _, _, anchor)) => self.push(Value::Object(map), anchor, mark),
                None => self.fail("unbalanced document", mark),
            },
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
