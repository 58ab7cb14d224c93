//! A JSON reader that keeps the line and column of every value, keyed by
//! JSON pointer, so diagnostics can point into the file. serde_json gives
//! no positions for nested values, hence this small parser of our own.

use super::{Pos, Positions};
use serde_json::{Map, Number, Value};

/// Definitions nest a few levels deep; anything deeper than this is hostile
/// or broken, and is refused before it can exhaust the stack.
const MAX_DEPTH: usize = 256;

/// A syntax error in Jackson's words (AWS parses definitions with Jackson),
/// with the position where it was found.
#[derive(Debug)]
pub struct SyntaxError {
    pub message: String,
    pub pos: Pos,
}

pub fn parse(text: &str) -> Result<(Value, Positions), SyntaxError> {
    let mut p = Parser { s: text.as_bytes(), text, i: 0, line: 1, col: 1, positions: Positions::new() };
    p.ws();
    let value = p.value(String::new(), 0)?;
    p.ws();
    if p.i < p.s.len() {
        return Err(p.error(format!(
            "Unexpected character ('{}'): expected end of input",
            p.text[p.i..].chars().next().unwrap_or(' ')
        )));
    }
    Ok((value, p.positions))
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
    line: usize,
    col: usize,
    positions: Positions,
}

/// Escapes one reference token of a JSON pointer (RFC 6901).
pub fn pointer_token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

impl Parser<'_> {
    fn pos(&self) -> Pos {
        Pos { line: self.line, column: self.col }
    }

    fn error(&self, message: String) -> SyntaxError {
        SyntaxError { message, pos: self.pos() }
    }

    fn bump(&mut self) {
        if let Some(&c) = self.s.get(self.i) {
            if c == b'\n' {
                self.line += 1;
                self.col = 1;
            } else if (c & 0xC0) != 0x80 {
                self.col += 1;
            }
            self.i += 1;
        }
    }

    fn ws(&mut self) {
        while matches!(self.s.get(self.i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.bump();
        }
    }

    fn value(&mut self, pointer: String, depth: usize) -> Result<Value, SyntaxError> {
        if depth > MAX_DEPTH {
            return Err(self.error(format!("Document nesting depth exceeds the maximum allowed ({MAX_DEPTH})")));
        }
        self.positions.insert(pointer.clone(), self.pos());
        match self.s.get(self.i) {
            None => Err(self.error("Unexpected end-of-input: expected a JSON value".into())),
            Some(b'{') => self.object(pointer, depth),
            Some(b'[') => self.array(pointer, depth),
            Some(b'"') => self.string().map(Value::String),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => self.literal(),
        }
    }

    fn object(&mut self, pointer: String, depth: usize) -> Result<Value, SyntaxError> {
        self.bump();
        let mut map = Map::new();
        self.ws();
        if self.s.get(self.i) == Some(&b'}') {
            self.bump();
            return Ok(Value::Object(map));
        }
        loop {
            self.ws();
            if self.s.get(self.i) != Some(&b'"') {
                return Err(self.unexpected("was expecting double-quote to start field name"));
            }
            let key = self.string()?;
            self.ws();
            if self.s.get(self.i) != Some(&b':') {
                return Err(self.unexpected("was expecting a colon to separate field name and value"));
            }
            self.bump();
            self.ws();
            let child = format!("{pointer}/{}", pointer_token(&key));
            let v = self.value(child, depth + 1)?;
            map.insert(key, v);
            self.ws();
            match self.s.get(self.i) {
                Some(b',') => self.bump(),
                Some(b'}') => {
                    self.bump();
                    return Ok(Value::Object(map));
                }
                None => return Err(self.error("Unexpected end-of-input: expected close marker for Object".into())),
                Some(_) => return Err(self.unexpected("was expecting comma to separate Object entries")),
            }
        }
    }

    fn array(&mut self, pointer: String, depth: usize) -> Result<Value, SyntaxError> {
        self.bump();
        let mut items = Vec::new();
        self.ws();
        if self.s.get(self.i) == Some(&b']') {
            self.bump();
            return Ok(Value::Array(items));
        }
        loop {
            self.ws();
            let child = format!("{pointer}/{}", items.len());
            items.push(self.value(child, depth + 1)?);
            self.ws();
            match self.s.get(self.i) {
                Some(b',') => self.bump(),
                Some(b']') => {
                    self.bump();
                    return Ok(Value::Array(items));
                }
                None => return Err(self.error("Unexpected end-of-input: expected close marker for Array".into())),
                Some(_) => return Err(self.unexpected("was expecting comma to separate Array entries")),
            }
        }
    }

    fn unexpected(&self, expecting: &str) -> SyntaxError {
        let c = self.text[self.i..].chars().next().unwrap_or(' ');
        self.error(format!("Unexpected character ('{c}' (code {})): {expecting}", c as u32))
    }

    fn string(&mut self) -> Result<String, SyntaxError> {
        self.bump();
        let mut out = String::new();
        loop {
            let start = self.i;
            while let Some(&c) = self.s.get(self.i) {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                self.bump();
            }
            out.push_str(&self.text[start..self.i]);
            match self.s.get(self.i) {
                None => {
                    return Err(
                        self.error("Unexpected end-of-input: was expecting closing quote for a string value".into())
                    )
                }
                Some(b'"') => {
                    self.bump();
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.bump();
                    let c = self.s.get(self.i).copied();
                    self.bump();
                    match c {
                        Some(b'"') => out.push('"'),
                        Some(b'\\') => out.push('\\'),
                        Some(b'/') => out.push('/'),
                        Some(b'b') => out.push('\u{8}'),
                        Some(b'f') => out.push('\u{c}'),
                        Some(b'n') => out.push('\n'),
                        Some(b'r') => out.push('\r'),
                        Some(b't') => out.push('\t'),
                        Some(b'u') => out.push(self.unicode_escape()?),
                        _ => return Err(self.error("Unrecognized character escape".into())),
                    }
                }
                Some(_) => {
                    return Err(self.error(
                        "Illegal unquoted character: has to be escaped using backslash to be included in string value"
                            .into(),
                    ))
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let digits = self
            .text
            .get(self.i..self.i + 4)
            .ok_or_else(|| self.error("Unexpected end-of-input in a \\u escape".into()))?;
        let v = u32::from_str_radix(digits, 16).map_err(|_| self.error("Invalid \\u escape".into()))?;
        for _ in 0..4 {
            self.bump();
        }
        Ok(v)
    }

    fn unicode_escape(&mut self) -> Result<char, SyntaxError> {
        let hi = self.hex4()?;
        if (0xD800..0xDC00).contains(&hi) && self.s[self.i..].starts_with(b"\\u") {
            self.bump();
            self.bump();
            let lo = self.hex4()?;
            let c = 0x10000 + ((hi - 0xD800) << 10) + (lo.wrapping_sub(0xDC00) & 0x3FF);
            return Ok(char::from_u32(c).unwrap_or('\u{FFFD}'));
        }
        Ok(char::from_u32(hi).unwrap_or('\u{FFFD}'))
    }

    fn number(&mut self) -> Result<Value, SyntaxError> {
        let start = self.i;
        while matches!(self.s.get(self.i), Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')) {
            self.bump();
        }
        let text = &self.text[start..self.i];
        serde_json::from_str::<Number>(text)
            .map(Value::Number)
            .map_err(|_| SyntaxError { message: format!("Invalid numeric value: '{text}'"), pos: self.pos() })
    }

    fn literal(&mut self) -> Result<Value, SyntaxError> {
        let start = self.i;
        while self.s.get(self.i).is_some_and(|c| c.is_ascii_alphanumeric() || *c >= 0x80 || *c == b'_') {
            self.bump();
        }
        let word = &self.text[start..self.i];
        match word {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            "null" => Ok(Value::Null),
            _ => {
                let word = if word.is_empty() { &self.text[start..start + 1] } else { word };
                Err(self.error(format!(
                    "Unrecognized token '{word}': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"
                )))
            }
        }
    }
}
