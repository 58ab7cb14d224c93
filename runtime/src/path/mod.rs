//! ASL paths: the Jayway-flavoured JSONPath dialect of Step Functions.
//!
//! `$.detail-type` and other names Jayway accepts are legal here, which is
//! why this is a small parser of our own rather than an RFC 9535 crate. The
//! same AST serves Reference Paths (`ResultPath`, `ItemsPath`, `*Path`
//! fields), which are the definite subset: names and indices only.

mod eval;
mod filter;
mod parse;

pub use eval::{field, PathError};
pub use filter::{CmpOp, Filter, Operand};
pub use parse::ParseError;

/// What a path starts from.
#[derive(Debug, Clone, PartialEq)]
pub enum Root {
    /// `$`: the state's input (or whatever the field applies to).
    Input,
    /// `$$`: the context object.
    Context,
    /// `$name`: a workflow variable.
    Variable(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Segment {
    /// `.name` or `['name']`
    Child(String),
    /// `[3]`, `[-1]`
    Index(i64),
    /// `.*` or `[*]`
    Wildcard,
    /// `['a','b']`
    Names(Vec<String>),
    /// `[0,2]`
    Indices(Vec<i64>),
    /// `[start:end:step]`
    Slice(Option<i64>, Option<i64>, Option<i64>),
    /// `..` followed by a segment: that segment applied at every depth.
    Descendant(Box<Segment>),
    /// `[?( … )]`
    Filter(Filter),
}

impl Segment {
    fn is_definite(&self) -> bool {
        matches!(self, Segment::Child(_) | Segment::Index(_))
    }
}

/// A parsed path, evaluated many times.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    pub root: Root,
    pub segments: Vec<Segment>,
    /// The text as written in the definition, for error messages.
    pub text: String,
}

impl Path {
    /// Parses any ASL path (`$…`, `$$…`, `$var…`).
    pub fn parse(text: &str) -> Result<Path, ParseError> {
        parse::parse(text)
    }

    /// Parses a path at the start of `text` (inside an intrinsic call),
    /// returning it and the number of bytes it used.
    pub fn parse_prefix(text: &str) -> Result<(Path, usize), ParseError> {
        parse::parse_prefix(text)
    }

    /// Parses a Reference Path: only names and indices, a single result.
    pub fn parse_reference(text: &str) -> Result<Path, ParseError> {
        let path = parse::parse(text)?;
        if !path.is_definite() {
            return Err(ParseError::new(format!("'{text}' is not a valid Reference Path")));
        }
        Ok(path)
    }

    /// A definite path selects at most one value; any other yields an array.
    pub fn is_definite(&self) -> bool {
        self.segments.iter().all(Segment::is_definite)
    }

    /// True for `$` alone.
    pub fn is_root(&self) -> bool {
        self.root == Root::Input && self.segments.is_empty()
    }
}

impl std::fmt::Display for Path {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// Jayway's normalised form of a list of definite segments: `$['a'][0]`.
pub(crate) fn normalized(segments: &[Segment]) -> String {
    let mut out = String::from("$");
    for seg in segments {
        match seg {
            Segment::Child(name) => {
                out.push_str("['");
                out.push_str(name);
                out.push_str("']");
            }
            Segment::Index(i) => out.push_str(&format!("[{i}]")),
            _ => out.push_str("[*]"),
        }
    }
    out
}

#[cfg(test)]
mod tests;
