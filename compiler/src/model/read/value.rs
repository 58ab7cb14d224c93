//! Typed reads of single fields, each reporting a wrong type or range.

use super::{child, index, Reader};
use crate::model::{NumberField, QueryLanguage};
use asl_runtime::jsonata;
use asl_runtime::path::Path;
use asl_runtime::template::Template;
use serde_json::{Map, Value};

pub use asl_runtime::jsonata::expression_text as jsonata_expr;

impl Reader {
    pub(crate) fn opt_string(&mut self, obj: &Map<String, Value>, pointer: &str, key: &str) -> Option<String> {
        match obj.get(key)? {
            Value::String(s) => Some(s.clone()),
            _ => {
                self.error(&child(pointer, key), "Value is not a String");
                None
            }
        }
    }

    pub(crate) fn opt_bool(&mut self, obj: &Map<String, Value>, pointer: &str, key: &str) -> Option<bool> {
        match obj.get(key)? {
            Value::Bool(b) => Some(*b),
            _ => {
                self.error(&child(pointer, key), "Value is not a Boolean");
                None
            }
        }
    }

    /// An integer within `[min, max]`.
    pub(crate) fn opt_uint(
        &mut self,
        obj: &Map<String, Value>,
        pointer: &str,
        key: &str,
        min: u64,
        max: u64,
    ) -> Option<u64> {
        let v = obj.get(key)?;
        let at = child(pointer, key);
        match v.as_i64() {
            Some(i) if i < min as i64 => {
                self.error(&at, format!("Minimum value is {min}"));
                None
            }
            Some(i) if i as u64 > max => {
                self.error(&at, format!("Maximum value is {max}"));
                None
            }
            Some(i) => Some(i as u64),
            None if v.as_u64().is_some() => {
                self.error(&at, format!("Maximum value is {max}"));
                None
            }
            None => {
                self.error(&at, "Value is not an Integer");
                None
            }
        }
    }

    pub(crate) fn opt_number(&mut self, obj: &Map<String, Value>, pointer: &str, key: &str) -> Option<f64> {
        match obj.get(key)? {
            Value::Number(n) => n.as_f64(),
            _ => {
                self.error(&child(pointer, key), "Value is not a Number");
                None
            }
        }
    }

    /// Any path (`$…`, `$$…`, `$var…`), as `InputPath`, `OutputPath` and
    /// Choice `Variable` take.
    pub(crate) fn path_value(&mut self, v: &Value, at: &str) -> Option<Path> {
        self.parsed_path(v, at, Path::parse, "Value is not a valid JSONPath")
    }

    /// A Reference Path (names and indices only).
    pub(crate) fn reference_path(&mut self, v: &Value, at: &str) -> Option<Path> {
        self.parsed_path(v, at, Path::parse_reference, "Value is not a Reference Path")
    }

    fn parsed_path(
        &mut self,
        v: &Value,
        at: &str,
        parse: fn(&str) -> Result<Path, asl_runtime::path::ParseError>,
        invalid: &str,
    ) -> Option<Path> {
        let Value::String(s) = v else {
            self.error(at, "Value is not a String");
            return None;
        };
        match parse(s) {
            Ok(p) => Some(p),
            Err(_) => {
                self.error(at, invalid);
                None
            }
        }
    }

    /// `InputPath`/`OutputPath`: absent is `$`, `null` is kept as `None`.
    pub(crate) fn io_path(
        &mut self,
        obj: &Map<String, Value>,
        pointer: &str,
        key: &str,
        reference: bool,
    ) -> Option<Path> {
        match obj.get(key) {
            None => Path::parse("$").ok(),
            Some(Value::Null) => None,
            Some(v) => {
                let at = child(pointer, key);
                let p = if reference { self.reference_path(v, &at) } else { self.path_value(v, &at) };
                // A broken path was reported; read it as `$` to keep going.
                p.or_else(|| Path::parse("$").ok())
            }
        }
    }

    /// `ResultPath` also refuses `$$` and variables.
    pub(crate) fn result_path(&mut self, obj: &Map<String, Value>, pointer: &str) -> Option<Path> {
        let p = self.io_path(obj, pointer, "ResultPath", true)?;
        if p.root != asl_runtime::path::Root::Input {
            self.error(
                &child(pointer, "ResultPath"),
                "Value is not a valid ResultPath: it may not refer to the context object or a variable",
            );
        }
        Some(p)
    }

    /// A payload template that must be an object (`ResultSelector`,
    /// `ItemSelector`, …).
    pub(crate) fn object_template(&mut self, v: &Value, at: &str) -> Option<Template> {
        if !v.is_object() {
            self.error(at, "Value is not an Object");
            return None;
        }
        self.template(v, at)
    }

    /// A payload template: any JSON value whose objects' `.$` values are
    /// paths or intrinsic calls. A state's `Parameters` may be any value
    /// (an array of templates on a Pass state, say): AWS has accepted that
    /// since 2022.
    pub(crate) fn template(&mut self, v: &Value, at: &str) -> Option<Template> {
        match Template::parse(v) {
            Ok(t) => Some(t),
            Err(e) => {
                self.error(
                    at,
                    format!(
                        "The value for the field '{}' must be a valid JSONPath or a valid intrinsic function call",
                        e.field
                    ),
                );
                None
            }
        }
    }

    /// A number field with a `…Path` twin (JSONPath) or a JSONata string.
    /// `min`/`max` bound the literal.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn number_field(
        &mut self,
        obj: &Map<String, Value>,
        pointer: &str,
        key: &str,
        path_key: Option<&str>,
        ql: QueryLanguage,
        min: f64,
        max: f64,
        integer: bool,
    ) -> Option<NumberField> {
        if let Some(pk) = path_key {
            self.exclusive(obj, pointer, &[key, pk]);
            if let Some(v) = obj.get(pk) {
                return self.reference_path(v, &child(pointer, pk)).map(NumberField::Path);
            }
        }
        let v = obj.get(key)?;
        let at = child(pointer, key);
        if ql == QueryLanguage::Jsonata {
            if let Some(e) = jsonata_expr(v) {
                return self.jsonata_expression(e, &at).map(NumberField::Jsonata);
            }
        }
        let Value::Number(n) = v else {
            self.error(&at, if integer { "Value is not an Integer" } else { "Value is not a Number" });
            return None;
        };
        let f = n.as_f64().unwrap_or(f64::NAN);
        if integer && !(n.is_i64() || n.is_u64()) {
            self.error(&at, "Value is not an Integer");
            return None;
        }
        let show = |x: f64| {
            if integer {
                format!("{}", x as i64)
            } else {
                format!("{x:.1}")
            }
        };
        if f < min {
            self.error(&at, format!("Minimum value is {}", show(min)));
            return None;
        }
        if f > max {
            self.error(&at, format!("Maximum value is {}", show(max)));
            return None;
        }
        Some(NumberField::Literal(n.clone()))
    }

    /// A field that accepts JSONata at any depth; every expression in it is
    /// parsed now, and each bad one reported where it sits.
    pub(crate) fn jsonata_template(&mut self, v: &Value, at: &str) -> Option<jsonata::Template> {
        let before = self.diagnostics.len();
        self.jsonata_delimiters(v, at);
        if self.diagnostics.len() > before {
            return None;
        }
        match jsonata::Template::parse(v) {
            Ok(t) => Some(t),
            Err(e) => {
                let mut pointer = at.to_string();
                for part in &e.path {
                    pointer = child(&pointer, part);
                }
                self.error_code(e.error.code, &pointer, e.error.message);
                None
            }
        }
    }

    /// One JSONata expression (the text inside `{% %}`).
    pub(crate) fn jsonata_expression(&mut self, text: &str, at: &str) -> Option<jsonata::Expr> {
        match jsonata::Expr::parse(text) {
            Ok(e) => Some(e),
            Err(e) => {
                self.error_code(e.code, at, e.message);
                None
            }
        }
    }

    /// Checks that every `{% %}`-looking string under `v` is well delimited.
    fn jsonata_delimiters(&mut self, v: &Value, at: &str) {
        match v {
            Value::String(s) if s.starts_with("{%") && !s.ends_with("%}") => self.error_code(
                crate::diagnostics::codes::INVALID_JSONATA_EXPRESSION,
                at,
                "The JSONata expression must end with '%}'",
            ),
            Value::Object(m) => {
                for (k, v) in m {
                    self.jsonata_delimiters(v, &child(at, k));
                }
            }
            Value::Array(a) => {
                for (i, v) in a.iter().enumerate() {
                    self.jsonata_delimiters(v, &index(at, i));
                }
            }
            _ => {}
        }
    }
}
