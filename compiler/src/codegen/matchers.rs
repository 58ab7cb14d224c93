//! Retry and Catch `ErrorEquals` lists compiled to one `match` on the
//! error's name per state, which the runtime's Retry and Catch call
//! (`exec::Io`) instead of testing each list in turn. What a retrier or
//! catcher then does (backoff, events, the catcher's output) stays in the
//! runtime, so both engines raise and catch alike.

use asl_runtime::error::names;
use proc_macro2::{Literal, TokenStream};
use quote::quote;
use std::collections::HashSet;

/// The body of `fn(error: &str) -> Option<usize>`: the index of the first
/// list that selects `error`, by `exec::error_matches`'s rule (`error`
/// is unread when the first list is `States.ALL`), or `None` where no list
/// is given.
pub fn selecting<'a>(lists: impl Iterator<Item = &'a [String]>) -> Option<TokenStream> {
    let mut arms = Vec::new();
    // A name an earlier arm takes is left out of later ones: its pattern
    // there could never match, which rustc warns of.
    let mut taken = HashSet::new();
    let mut any = false;
    for (i, list) in lists.enumerate() {
        any = true;
        let i = Literal::usize_unsuffixed(i);
        if list.iter().any(|e| e == names::ALL) {
            if arms.is_empty() {
                return Some(quote!(Some(#i)));
            }
            arms.push(quote!(_ => Some(#i),));
            return Some(quote!(match error { #(#arms)* }));
        }
        let literal: Vec<&str> = list
            .iter()
            .map(String::as_str)
            .filter(|e| *e != names::TASK_FAILED)
            .filter(|e| taken.insert(e.to_string()))
            .collect();
        if !literal.is_empty() {
            arms.push(quote!(#(#literal)|* => Some(#i),));
        }
        if list.iter().any(|e| e == names::TASK_FAILED) {
            arms.push(quote!(_ if rt::task_failed_selects(error) => Some(#i),));
        }
    }
    any.then(|| quote!(match error { #(#arms)* _ => None, }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lists(l: &[&[&str]]) -> Vec<Vec<String>> {
        l.iter().map(|l| l.iter().map(|s| s.to_string()).collect()).collect()
    }

    fn text(l: &[&[&str]]) -> String {
        let l = lists(l);
        selecting(l.iter().map(Vec::as_slice)).map(|t| t.to_string()).unwrap_or_default()
    }

    #[test]
    fn arms_follow_the_lists_in_order() {
        let t = text(&[&["A", "B"], &["States.TaskFailed", "A", "C"], &["States.Timeout"]]);
        assert_eq!(
            t,
            "match error { \"A\" | \"B\" => Some (0) , \"C\" => Some (1) , _ if rt :: task_failed_selects \
             (error) => Some (1) , \"States.Timeout\" => Some (2) , _ => None , }"
        );
    }

    #[test]
    fn states_all_ends_the_match() {
        let t = text(&[&["A"], &["States.ALL"], &["B"]]);
        assert_eq!(t, "match error { \"A\" => Some (0) , _ => Some (1) , }");
        assert_eq!(text(&[&["States.ALL"]]), "Some (0)");
        assert_eq!(text(&[]), "");
    }
}
