//! State names become Rust identifiers through this one function: any
//! Unicode in, a valid and unique identifier out. The original name stays
//! in a doc comment and in string literals.

use std::collections::HashSet;

/// Allocates identifiers within one scope, resolving collisions.
#[derive(Default)]
pub struct Names {
    used: HashSet<String>,
}

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false", "fn",
    "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "static",
    "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while", "abstract", "become", "box", "do",
    "final", "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

fn words(name: &str) -> Vec<String> {
    name.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_string).collect()
}

impl Names {
    fn unique(&mut self, base: String) -> String {
        let mut candidate = base.clone();
        let mut n = 2;
        while !self.used.insert(candidate.clone()) {
            candidate = format!("{base}{n}");
            n += 1;
        }
        candidate
    }

    /// `UpperCamelCase`, for enum variants.
    pub fn camel(&mut self, name: &str, fallback: &str) -> String {
        let mut s: String = words(name)
            .iter()
            .map(|w| {
                let mut c = w.chars();
                c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
            })
            .collect();
        if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) || s == "Self" {
            s = format!("{fallback}{s}");
        }
        self.unique(s)
    }

    /// `snake_case`, for functions.
    pub fn snake(&mut self, name: &str, fallback: &str) -> String {
        let mut s = words(name).iter().map(|w| w.to_ascii_lowercase()).collect::<Vec<_>>().join("_");
        if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) || KEYWORDS.contains(&s.as_str()) {
            s = format!("{fallback}_{s}").trim_end_matches('_').to_string();
        }
        self.unique(s)
    }
}

#[cfg(test)]
mod tests {
    use super::Names;

    #[test]
    fn any_name_becomes_a_unique_identifier() {
        let mut n = Names::default();
        assert_eq!(n.camel("Hello World", "S"), "HelloWorld");
        assert_eq!(n.camel("hello-world", "S"), "HelloWorld2");
        assert_eq!(n.camel("日本語", "S"), "S");
        assert_eq!(n.camel("\"quoted\"\nnewline", "S"), "QuotedNewline");
        assert_eq!(n.camel("42 answers", "S"), "S42Answers");
        let mut f = Names::default();
        assert_eq!(f.snake("Is it ready?", "state"), "is_it_ready");
        assert_eq!(f.snake("match", "state"), "state_match");
        assert_eq!(f.snake("✓", "state"), "state");
        assert_eq!(f.snake("✗", "state"), "state2");
    }
}
