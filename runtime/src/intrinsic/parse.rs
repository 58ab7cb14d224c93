//! The intrinsic call grammar: `States.Name(arg, …)` where an argument is a
//! quoted string, a number, `true`/`false`/`null`, a path or a nested call.

use super::{Arg, Call, Function};
use crate::path::Path;
use serde_json::Value;

/// AWS allows intrinsics to nest at most this deep in one field.
const MAX_DEPTH: usize = 10;

pub fn parse(text: &str) -> Result<Call, String> {
    let mut p = P { t: text, i: 0 };
    let call = p.call(0)?;
    p.ws();
    if p.i != text.len() {
        return Err(format!("unexpected text after the call at offset {}", p.i));
    }
    Ok(call)
}

struct P<'a> {
    t: &'a str,
    i: usize,
}

impl P<'_> {
    fn rest(&self) -> &str {
        &self.t[self.i..]
    }

    fn ws(&mut self) {
        let trimmed = self.rest().trim_start();
        self.i = self.t.len() - trimmed.len();
    }

    fn call(&mut self, depth: usize) -> Result<Call, String> {
        if depth > MAX_DEPTH {
            return Err(format!("intrinsic functions nest more than {MAX_DEPTH} deep"));
        }
        let start = self.i;
        let name_len = self
            .rest()
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
            .unwrap_or(self.rest().len());
        let name = self.rest()[..name_len].to_string();
        let function = Function::from_name(&name).ok_or_else(|| format!("unknown intrinsic function '{name}'"))?;
        self.i += name_len;
        self.ws();
        if !self.rest().starts_with('(') {
            return Err(format!("expected '(' after {name}"));
        }
        self.i += 1;
        let mut args = Vec::new();
        self.ws();
        if self.rest().starts_with(')') {
            self.i += 1;
        } else {
            loop {
                self.ws();
                args.push(self.arg(depth)?);
                self.ws();
                if self.rest().starts_with(',') {
                    self.i += 1;
                } else if self.rest().starts_with(')') {
                    self.i += 1;
                    break;
                } else {
                    return Err(format!("expected ',' or ')' at offset {}", self.i));
                }
            }
        }
        function.check_arity(args.len())?;
        Ok(Call { function, args, text: self.t[start..self.i].to_string() })
    }

    fn arg(&mut self, depth: usize) -> Result<Arg, String> {
        let rest = self.rest();
        if rest.starts_with('\'') {
            return self.string();
        }
        if rest.starts_with('$') {
            let (path, used) = Path::parse_prefix(rest).map_err(|e| e.message)?;
            self.i += used;
            return Ok(Arg::Path(path));
        }
        if rest.starts_with("States.") {
            return Ok(Arg::Call(Box::new(self.call(depth + 1)?)));
        }
        let len = rest.find([',', ')', ' ']).unwrap_or(rest.len());
        let word = &rest[..len];
        let value = match word {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "null" => Value::Null,
            _ => match serde_json::from_str::<serde_json::Number>(word) {
                Ok(n) => Value::Number(n),
                Err(_) => return Err(format!("invalid argument '{word}'")),
            },
        };
        self.i += len;
        Ok(Arg::Literal(value))
    }

    /// `'…'` with the four legal escapes `\'`, `\{`, `\}` and `\\`.
    fn string(&mut self) -> Result<Arg, String> {
        self.i += 1;
        let start = self.i;
        let mut value = String::new();
        let mut chars = self.rest().char_indices();
        while let Some((off, c)) = chars.next() {
            match c {
                '\'' => {
                    let raw = self.t[start..start + off].to_string();
                    self.i = start + off + 1;
                    return Ok(Arg::Str { value, raw });
                }
                '\\' => match chars.next() {
                    Some((_, e @ ('\'' | '{' | '}' | '\\'))) => value.push(e),
                    Some((_, e)) => return Err(format!("invalid escape sequence '\\{e}' in a string literal")),
                    None => return Err("a lone backslash ends the string literal".into()),
                },
                c => value.push(c),
            }
        }
        Err("unterminated string literal".into())
    }
}
