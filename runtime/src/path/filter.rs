//! Filter expressions `[?( … )]`: comparisons of `@`/`$` paths and literals,
//! combined with `&&`, `||` and `!`, evaluated as Jayway does (a missing
//! operand makes a comparison false rather than an error).

use super::parse::{ParseError, Parser};
use super::{Path, Root};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Or(Vec<Filter>),
    And(Vec<Filter>),
    Not(Box<Filter>),
    /// `?(@.a)`: the operand exists (and, for literals, is truthy).
    Exists(Operand),
    Compare(Operand, CmpOp, Operand),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// A path from `@` (the current item) or `$` (the document root).
    Current(Path),
    Root(Path),
    Literal(Value),
}

pub(super) fn parse_or(p: &mut Parser<'_>) -> Result<Filter, ParseError> {
    let mut all = vec![parse_and(p)?];
    loop {
        p.skip_ws();
        if p.s[p.i..].starts_with(b"||") {
            p.i += 2;
            all.push(parse_and(p)?);
        } else {
            break;
        }
    }
    Ok(if all.len() == 1 { all.remove(0) } else { Filter::Or(all) })
}

fn parse_and(p: &mut Parser<'_>) -> Result<Filter, ParseError> {
    let mut all = vec![parse_unary(p)?];
    loop {
        p.skip_ws();
        if p.s[p.i..].starts_with(b"&&") {
            p.i += 2;
            all.push(parse_unary(p)?);
        } else {
            break;
        }
    }
    Ok(if all.len() == 1 { all.remove(0) } else { Filter::And(all) })
}

fn parse_unary(p: &mut Parser<'_>) -> Result<Filter, ParseError> {
    p.skip_ws();
    if p.peek() == Some(b'!') && p.s.get(p.i + 1) != Some(&b'=') {
        p.i += 1;
        return Ok(Filter::Not(Box::new(parse_unary(p)?)));
    }
    if p.peek() == Some(b'(') {
        p.i += 1;
        p.depth += 1;
        if p.depth > 32 {
            return Err(p.err("filter nested too deeply"));
        }
        let inner = parse_or(p)?;
        p.depth -= 1;
        p.skip_ws();
        if p.peek() != Some(b')') {
            return Err(p.err("expected ')'"));
        }
        p.i += 1;
        return Ok(inner);
    }
    let left = operand(p)?;
    p.skip_ws();
    let rest = &p.s[p.i..];
    let (op, len) = if rest.starts_with(b"==") {
        (CmpOp::Eq, 2)
    } else if rest.starts_with(b"!=") {
        (CmpOp::Ne, 2)
    } else if rest.starts_with(b"<=") {
        (CmpOp::Le, 2)
    } else if rest.starts_with(b">=") {
        (CmpOp::Ge, 2)
    } else if rest.starts_with(b"<") {
        (CmpOp::Lt, 1)
    } else if rest.starts_with(b">") {
        (CmpOp::Gt, 1)
    } else {
        return Ok(Filter::Exists(left));
    };
    p.i += len;
    let right = operand(p)?;
    Ok(Filter::Compare(left, op, right))
}

fn operand(p: &mut Parser<'_>) -> Result<Operand, ParseError> {
    p.skip_ws();
    match p.peek() {
        Some(b'@') => Ok(Operand::Current(p.path()?)),
        Some(b'$') => {
            let path = p.path()?;
            if path.root != Root::Input {
                return Err(p.err("only '@' and '$' paths may appear in a filter"));
            }
            Ok(Operand::Root(path))
        }
        Some(b'\'' | b'"') => Ok(Operand::Literal(Value::String(p.quoted()?))),
        _ => {
            let start = p.i;
            while p.peek().is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'+' | b'.')) {
                p.i += 1;
            }
            let word = &p.text[start..p.i];
            match word {
                "true" => Ok(Operand::Literal(Value::Bool(true))),
                "false" => Ok(Operand::Literal(Value::Bool(false))),
                "null" => Ok(Operand::Literal(Value::Null)),
                _ => serde_json::from_str::<serde_json::Number>(word)
                    .map(|n| Operand::Literal(Value::Number(n)))
                    .map_err(|_| p.err("expected a path, a string, a number, true, false or null")),
            }
        }
    }
}

impl Filter {
    pub(super) fn matches(&self, current: &Value, root: &Value) -> bool {
        match self {
            Filter::Or(all) => all.iter().any(|f| f.matches(current, root)),
            Filter::And(all) => all.iter().all(|f| f.matches(current, root)),
            Filter::Not(f) => !f.matches(current, root),
            Filter::Exists(op) => match op.resolve(current, root) {
                Some(Value::Bool(b)) => b,
                Some(_) => true,
                None => false,
            },
            Filter::Compare(l, op, r) => {
                let (Some(a), Some(b)) = (l.resolve(current, root), r.resolve(current, root)) else {
                    return false;
                };
                compare(&a, *op, &b)
            }
        }
    }
}

impl Operand {
    fn resolve(&self, current: &Value, root: &Value) -> Option<Value> {
        match self {
            Operand::Current(p) => p.select_definite(current),
            Operand::Root(p) => p.select_definite(root),
            Operand::Literal(v) => Some(v.clone()),
        }
    }
}

fn compare(a: &Value, op: CmpOp, b: &Value) -> bool {
    use std::cmp::Ordering;
    let ord = match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64().zip(y.as_f64()).and_then(|(x, y)| x.partial_cmp(&y)),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        _ => {
            return match op {
                CmpOp::Eq => a == b,
                CmpOp::Ne => a != b,
                _ => false,
            }
        }
    };
    let Some(ord) = ord else { return false };
    match op {
        CmpOp::Eq => ord == Ordering::Equal,
        CmpOp::Ne => ord != Ordering::Equal,
        CmpOp::Lt => ord == Ordering::Less,
        CmpOp::Le => ord != Ordering::Greater,
        CmpOp::Gt => ord == Ordering::Greater,
        CmpOp::Ge => ord != Ordering::Less,
    }
}
