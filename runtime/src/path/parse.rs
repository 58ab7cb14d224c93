//! Parser for the ASL path dialect.

use super::filter::{self, Filter};
use super::{Path, Root, Segment};

#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub message: String,
}

impl ParseError {
    pub fn new(message: impl Into<String>) -> Self {
        ParseError { message: message.into() }
    }
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Paths nested in filters are bounded so hostile input cannot overflow the stack.
const MAX_SEGMENTS: usize = 1024;

/// Surrounding whitespace is dropped first, as Jayway's compiler trims the
/// path it is given (`"$$.Execution.Name "` runs on AWS).
pub(super) fn parse(text: &str) -> Result<Path, ParseError> {
    let text = text.trim_matches(|c: char| c <= ' ');
    let (path, used) = parse_prefix(text)?;
    if used != text.len() {
        return Err(ParseError::new(format!("invalid path '{text}': unexpected character at offset {used}")));
    }
    Ok(path)
}

pub(super) fn parse_prefix(text: &str) -> Result<(Path, usize), ParseError> {
    let mut p = Parser { s: text.as_bytes(), text, i: 0, depth: 0 };
    let path = p.path()?;
    Ok((path, p.i))
}

pub(super) struct Parser<'a> {
    pub(super) s: &'a [u8],
    pub(super) text: &'a str,
    pub(super) i: usize,
    pub(super) depth: usize,
}

fn is_name_end(c: u8) -> bool {
    matches!(c, b'.' | b'[' | b' ' | b')' | b'=' | b'!' | b'<' | b'>' | b'&' | b'|' | b',' | b']')
}

impl<'a> Parser<'a> {
    pub(super) fn err(&self, what: &str) -> ParseError {
        ParseError::new(format!("invalid path '{}': {what} at offset {}", self.text, self.i))
    }

    pub(super) fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    pub(super) fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    /// `$`, `$$` or `$name`, then segments. Inside filters `@` is also a root
    /// (returned as `Root::Input`, evaluated against the current node).
    pub(super) fn path(&mut self) -> Result<Path, ParseError> {
        let start = self.i;
        let root = if self.eat(b'@') {
            Root::Input
        } else if self.eat(b'$') {
            if self.eat(b'$') {
                Root::Context
            } else if self.peek().is_some_and(|c| !is_name_end(c)) {
                Root::Variable(self.name()?)
            } else {
                Root::Input
            }
        } else {
            return Err(self.err("a path must start with '$'"));
        };
        let mut segments = Vec::new();
        self.segments(&mut segments)?;
        Ok(Path { root, segments, text: self.text[start..self.i].to_string() })
    }

    fn segments(&mut self, out: &mut Vec<Segment>) -> Result<(), ParseError> {
        loop {
            if out.len() > MAX_SEGMENTS {
                return Err(self.err("path too long"));
            }
            match self.peek() {
                Some(b'.') => {
                    self.i += 1;
                    if self.eat(b'.') {
                        let inner = match self.peek() {
                            Some(b'[') => self.bracket()?,
                            Some(b'*') => {
                                self.i += 1;
                                Segment::Wildcard
                            }
                            _ => Segment::Child(self.name()?),
                        };
                        out.push(Segment::Descendant(Box::new(inner)));
                    } else if self.eat(b'*') {
                        out.push(Segment::Wildcard);
                    } else if self.peek() == Some(b'[') {
                        // Jayway reads `.[0]` and `.['a']` as the bracket alone.
                        out.push(self.bracket()?);
                    } else {
                        out.push(Segment::Child(self.name()?));
                    }
                }
                Some(b'[') => out.push(self.bracket()?),
                _ => return Ok(()),
            }
        }
    }

    /// A dot-notation name: everything up to the next `.` or `[`; `\.` escapes a dot.
    fn name(&mut self) -> Result<String, ParseError> {
        let mut name = String::new();
        let start = self.i;
        while let Some(c) = self.peek() {
            if c == b'\\' && self.s.get(self.i + 1).is_some() {
                self.i += 1;
                let ch_start = self.i;
                self.advance_char();
                name.push_str(&self.text[ch_start..self.i]);
                continue;
            }
            if is_name_end(c) {
                break;
            }
            let ch_start = self.i;
            self.advance_char();
            name.push_str(&self.text[ch_start..self.i]);
        }
        if self.i == start {
            return Err(self.err("expected a field name"));
        }
        Ok(name)
    }

    fn advance_char(&mut self) {
        self.i += 1;
        while self.i < self.s.len() && (self.s[self.i] & 0xC0) == 0x80 {
            self.i += 1;
        }
    }

    fn bracket(&mut self) -> Result<Segment, ParseError> {
        self.i += 1; // '['
        self.skip_ws();
        let seg = match self.peek() {
            Some(b'*') => {
                self.i += 1;
                Segment::Wildcard
            }
            Some(b'?') => {
                self.i += 1;
                self.skip_ws();
                if !self.eat(b'(') {
                    return Err(self.err("expected '(' after '?'"));
                }
                self.depth += 1;
                if self.depth > 32 {
                    return Err(self.err("filters nested too deeply"));
                }
                let f: Filter = filter::parse_or(self)?;
                self.depth -= 1;
                self.skip_ws();
                if !self.eat(b')') {
                    return Err(self.err("expected ')' to close the filter"));
                }
                Segment::Filter(f)
            }
            Some(b'\'' | b'"') => {
                let mut names = vec![self.quoted()?];
                self.skip_ws();
                while self.eat(b',') {
                    self.skip_ws();
                    names.push(self.quoted()?);
                    self.skip_ws();
                }
                if names.len() == 1 {
                    Segment::Child(names.remove(0))
                } else {
                    Segment::Names(names)
                }
            }
            _ => self.index_or_slice()?,
        };
        self.skip_ws();
        if !self.eat(b']') {
            return Err(self.err("expected ']'"));
        }
        Ok(seg)
    }

    pub(super) fn quoted(&mut self) -> Result<String, ParseError> {
        let quote = match self.peek() {
            Some(q @ (b'\'' | b'"')) => q,
            _ => return Err(self.err("expected a quoted name")),
        };
        self.i += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return Err(self.err("unterminated string")),
                Some(c) if c == quote => {
                    self.i += 1;
                    return Ok(out);
                }
                // Only an escaped quote is an escape; any other backslash is
                // part of the name, as Jayway reads it.
                Some(b'\\') if self.s.get(self.i + 1) == Some(&quote) => {
                    self.i += 2;
                    out.push(quote as char);
                }
                Some(_) => {
                    let start = self.i;
                    self.advance_char();
                    out.push_str(&self.text[start..self.i]);
                }
            }
        }
    }

    fn int(&mut self) -> Result<Option<i64>, ParseError> {
        self.skip_ws();
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        if self.i == start {
            return Ok(None);
        }
        self.text[start..self.i].parse::<i64>().map(Some).map_err(|_| self.err("expected an integer"))
    }

    fn index_or_slice(&mut self) -> Result<Segment, ParseError> {
        let first = self.int()?;
        self.skip_ws();
        if self.eat(b':') {
            let end = self.int()?;
            self.skip_ws();
            let step = if self.eat(b':') { self.int()? } else { None };
            return Ok(Segment::Slice(first, end, step));
        }
        let first = first.ok_or_else(|| self.err("expected an index, a slice, '*', a name or a filter"))?;
        let mut all = vec![first];
        while self.eat(b',') {
            all.push(self.int()?.ok_or_else(|| self.err("expected an index"))?);
            self.skip_ws();
        }
        Ok(if all.len() == 1 { Segment::Index(first) } else { Segment::Indices(all) })
    }
}
