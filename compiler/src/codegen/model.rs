//! Rust expressions that rebuild the checked model inside a generated
//! binary. Every string from the definition enters the code as a literal
//! through `quote!`; paths, templates, intrinsic calls and JSONata are
//! re-parsed from their text by `asl_runtime::build` (the same parsers),
//! in a function that returns `Result`, so nothing here can panic.

use crate::model::{
    Assign, Body, Catcher, Choice, ChoiceBranch, Condition, Container, Fail, FailText, ItemSelector, Map, NumberField,
    QueryLanguage, Retrier, State, StateMachine, Task, WaitFor,
};
use asl_runtime::choice::{Cmp, Kind, Operand, Rule, Test};
use asl_runtime::path::Path;
use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

fn opt<T>(v: &Option<T>, f: impl Fn(&T) -> TokenStream) -> TokenStream {
    match v {
        Some(x) => {
            let t = f(x);
            quote!(Some(#t))
        }
        None => quote!(None),
    }
}

fn string(s: &str) -> TokenStream {
    quote!(#s.to_string())
}

fn json(v: &Value) -> TokenStream {
    let text = v.to_string();
    quote!(b::json(#text)?)
}

fn path(p: &Path) -> TokenStream {
    let text = &p.text;
    quote!(b::path(#text)?)
}

fn template(t: &asl_runtime::template::Template) -> TokenStream {
    let text = t.source().to_string();
    quote!(b::template(#text)?)
}

fn jsonata(t: &asl_runtime::jsonata::Template) -> TokenStream {
    let text = t.source().to_string();
    quote!(b::jsonata_template(#text)?)
}

fn expr(e: &asl_runtime::jsonata::Expr) -> TokenStream {
    let text = &e.text;
    quote!(b::jsonata_expr(#text)?)
}

fn number(n: &NumberField) -> TokenStream {
    match n {
        NumberField::Literal(n) => {
            let text = n.to_string();
            quote!(m::NumberField::Literal(b::number(#text)?))
        }
        NumberField::Path(p) => {
            let p = path(p);
            quote!(m::NumberField::Path(#p))
        }
        NumberField::Jsonata(e) => {
            let e = expr(e);
            quote!(m::NumberField::Jsonata(#e))
        }
    }
}

fn assign(a: &Assign) -> TokenStream {
    match a {
        Assign::Paths(t) => {
            let t = template(t);
            quote!(m::Assign::Paths(#t))
        }
        Assign::Jsonata(t) => {
            let t = jsonata(t);
            quote!(m::Assign::Jsonata(#t))
        }
    }
}

fn rule(r: &Rule) -> TokenStream {
    match r {
        Rule::And(all) | Rule::Or(all) => {
            let items = all.iter().map(rule);
            let list = quote!(vec![#(#items),*]);
            if matches!(r, Rule::And(_)) {
                quote!(c::Rule::And(#list))
            } else {
                quote!(c::Rule::Or(#list))
            }
        }
        Rule::Not(inner) => {
            let inner = rule(inner);
            quote!(c::Rule::Not(Box::new(#inner)))
        }
        Rule::Test { variable, test } => {
            let variable = path(variable);
            let test = choice_test(test);
            quote!(c::Rule::Test { variable: #variable, test: #test })
        }
    }
}

fn choice_test(t: &Test) -> TokenStream {
    match t {
        Test::Compare { kind, cmp, operand } => {
            let kind = match kind {
                Kind::String => quote!(c::Kind::String),
                Kind::Numeric => quote!(c::Kind::Numeric),
                Kind::Boolean => quote!(c::Kind::Boolean),
                Kind::Timestamp => quote!(c::Kind::Timestamp),
            };
            let cmp = match cmp {
                Cmp::Eq => quote!(c::Cmp::Eq),
                Cmp::Lt => quote!(c::Cmp::Lt),
                Cmp::Gt => quote!(c::Cmp::Gt),
                Cmp::Le => quote!(c::Cmp::Le),
                Cmp::Ge => quote!(c::Cmp::Ge),
            };
            let operand = match operand {
                Operand::Value(v) => {
                    let v = json(v);
                    quote!(c::Operand::Value(#v))
                }
                Operand::Path(p) => {
                    let p = path(p);
                    quote!(c::Operand::Path(#p))
                }
            };
            quote!(c::Test::Compare { kind: #kind, cmp: #cmp, operand: #operand })
        }
        Test::StringMatches(s) => quote!(c::Test::StringMatches(#s.to_string())),
        Test::IsNull(b) => quote!(c::Test::IsNull(#b)),
        Test::IsPresent(b) => quote!(c::Test::IsPresent(#b)),
        Test::IsNumeric(b) => quote!(c::Test::IsNumeric(#b)),
        Test::IsString(b) => quote!(c::Test::IsString(#b)),
        Test::IsBoolean(b) => quote!(c::Test::IsBoolean(#b)),
        Test::IsTimestamp(b) => quote!(c::Test::IsTimestamp(#b)),
    }
}

fn branch(b: &ChoiceBranch) -> TokenStream {
    let pointer = &b.pointer;
    let condition = match &b.condition {
        Condition::Rule(r) => {
            let r = rule(r);
            quote!(m::Condition::Rule(#r))
        }
        Condition::Jsonata(t) => {
            let t = jsonata(t);
            quote!(m::Condition::Jsonata(#t))
        }
    };
    let next = string(&b.next);
    let assign = opt(&b.assign, assign);
    let output = opt(&b.output, jsonata);
    quote!(m::ChoiceBranch { pointer: #pointer.to_string(), condition: #condition, next: #next, assign: #assign, output: #output })
}

fn retrier(r: &Retrier) -> TokenStream {
    let errors = r.error_equals.iter().map(|e| string(e));
    let (interval, attempts, rate, jitter) = (r.interval_seconds, r.max_attempts, r.backoff_rate, r.full_jitter);
    let max_delay = opt(&r.max_delay_seconds, |d| quote!(#d));
    quote!(m::Retrier {
        error_equals: vec![#(#errors),*],
        interval_seconds: #interval,
        max_attempts: #attempts,
        backoff_rate: #rate,
        max_delay_seconds: #max_delay,
        full_jitter: #jitter,
    })
}

fn catcher(c: &Catcher) -> TokenStream {
    let pointer = &c.pointer;
    let errors = c.error_equals.iter().map(|e| string(e));
    let next = string(&c.next);
    let result_path = opt(&c.result_path, path);
    let output = opt(&c.output, jsonata);
    let assign = opt(&c.assign, assign);
    quote!(m::Catcher {
        pointer: #pointer.to_string(),
        error_equals: vec![#(#errors),*],
        next: #next,
        result_path: #result_path,
        output: #output,
        assign: #assign,
    })
}

fn task(t: &Task) -> TokenStream {
    let resource = string(&t.resource);
    let timeout = opt(&t.timeout_seconds, number);
    let heartbeat = opt(&t.heartbeat_seconds, number);
    let credentials = opt(&t.credentials, json);
    quote!(m::Task { resource: #resource, timeout_seconds: #timeout, heartbeat_seconds: #heartbeat, credentials: #credentials })
}

fn choice(c: &Choice) -> TokenStream {
    let branches = c.choices.iter().map(branch);
    let default = opt(&c.default, |d| string(d));
    quote!(m::Choice { choices: vec![#(#branches),*], default: #default })
}

fn wait(w: &WaitFor) -> TokenStream {
    match w {
        WaitFor::Seconds(s) => quote!(m::WaitFor::Seconds(#s)),
        WaitFor::Timestamp(t) => quote!(m::WaitFor::Timestamp(#t.to_string())),
        WaitFor::SecondsPath(p) => {
            let p = path(p);
            quote!(m::WaitFor::SecondsPath(#p))
        }
        WaitFor::TimestampPath(p) => {
            let p = path(p);
            quote!(m::WaitFor::TimestampPath(#p))
        }
        WaitFor::SecondsExpr(e) => {
            let e = expr(e);
            quote!(m::WaitFor::SecondsExpr(#e))
        }
        WaitFor::TimestampExpr(e) => {
            let e = expr(e);
            quote!(m::WaitFor::TimestampExpr(#e))
        }
    }
}

fn fail_text(t: &FailText) -> TokenStream {
    match t {
        FailText::Literal(s) => quote!(m::FailText::Literal(#s.to_string())),
        FailText::Path(p) => {
            let p = path(p);
            quote!(m::FailText::Path(#p))
        }
        FailText::Call(c) => {
            let text = &c.text;
            quote!(m::FailText::Call(b::call(#text)?))
        }
        FailText::Jsonata(e) => {
            let e = expr(e);
            quote!(m::FailText::Jsonata(#e))
        }
    }
}

fn fail(f: &Fail) -> TokenStream {
    let error = opt(&f.error, fail_text);
    let cause = opt(&f.cause, fail_text);
    quote!(m::Fail { error: #error, cause: #cause })
}

fn map(m: &Map) -> TokenStream {
    let processor = container(&m.processor);
    let distributed = m.distributed;
    let items_path = opt(&m.items_path, path);
    let items = opt(&m.items, jsonata);
    let item_selector = opt(&m.item_selector, |s| match s {
        ItemSelector::Template(t) => {
            let t = template(t);
            quote!(m::ItemSelector::Template(#t))
        }
        ItemSelector::Jsonata(t) => {
            let t = jsonata(t);
            quote!(m::ItemSelector::Jsonata(#t))
        }
    });
    let max_concurrency = opt(&m.max_concurrency, number);
    let count = opt(&m.tolerated_failure_count, number);
    let pct = opt(&m.tolerated_failure_percentage, number);
    let reader = opt(&m.item_reader, json);
    let batcher = opt(&m.item_batcher, json);
    let writer = opt(&m.result_writer, json);
    let label = opt(&m.label, |l| string(l));
    quote!(m::Map {
        processor: #processor,
        distributed: #distributed,
        items_path: #items_path,
        items: #items,
        item_selector: #item_selector,
        max_concurrency: #max_concurrency,
        tolerated_failure_count: #count,
        tolerated_failure_percentage: #pct,
        item_reader: #reader,
        item_batcher: #batcher,
        result_writer: #writer,
        label: #label,
    })
}

fn body(b: &Body) -> TokenStream {
    match b {
        Body::Pass { result } => {
            let result = opt(result, json);
            quote!(m::Body::Pass { result: #result })
        }
        Body::Task(t) => {
            let t = task(t);
            quote!(m::Body::Task(#t))
        }
        Body::Choice(c) => {
            let c = choice(c);
            quote!(m::Body::Choice(#c))
        }
        Body::Wait(w) => {
            let w = wait(w);
            quote!(m::Body::Wait(#w))
        }
        Body::Succeed => quote!(m::Body::Succeed),
        Body::Fail(f) => {
            let f = fail(f);
            quote!(m::Body::Fail(#f))
        }
        Body::Parallel { branches } => {
            let branches = branches.iter().map(container);
            quote!(m::Body::Parallel { branches: vec![#(#branches),*] })
        }
        Body::Map(mp) => {
            let mp = map(mp);
            quote!(m::Body::Map(Box::new(#mp)))
        }
        Body::Invalid => quote!(m::Body::Invalid),
    }
}

fn state(s: &State) -> TokenStream {
    let name = string(&s.name);
    let pointer = string(&s.pointer);
    let comment = opt(&s.comment, |c| string(c));
    let ql = match s.query_language {
        QueryLanguage::JsonPath => quote!(m::QueryLanguage::JsonPath),
        QueryLanguage::Jsonata => quote!(m::QueryLanguage::Jsonata),
    };
    let body = body(&s.body);
    let next = opt(&s.next, |n| string(n));
    let end = s.end;
    let input_path = opt(&s.input_path, path);
    let parameters = opt(&s.parameters, template);
    let result_selector = opt(&s.result_selector, template);
    let result_path = opt(&s.result_path, path);
    let output_path = opt(&s.output_path, path);
    let arguments = opt(&s.arguments, jsonata);
    let output = opt(&s.output, jsonata);
    let assign = opt(&s.assign, assign);
    let retry = s.retry.iter().map(retrier);
    let catch = s.catch.iter().map(catcher);
    quote!(m::State {
        name: #name,
        pointer: #pointer,
        comment: #comment,
        query_language: #ql,
        body: #body,
        next: #next,
        end: #end,
        input_path: #input_path,
        parameters: #parameters,
        result_selector: #result_selector,
        result_path: #result_path,
        output_path: #output_path,
        arguments: #arguments,
        output: #output,
        assign: #assign,
        retry: vec![#(#retry),*],
        catch: vec![#(#catch),*],
    })
}

fn container(c: &Container) -> TokenStream {
    let pointer = &c.pointer;
    let start_at = string(&c.start_at);
    let states = c.states.iter().map(|(name, s)| {
        let s = state(s);
        quote!((#name.to_string(), #s))
    });
    quote!(m::Container {
        pointer: #pointer.to_string(),
        start_at: #start_at,
        states: [#(#states),*].into_iter().collect(),
    })
}

/// An expression of type `StateMachine`, to sit in a function returning
/// `Result<StateMachine, String>` with `b` = `asl_runtime::build`,
/// `m` = `asl_runtime::machine` and `c` = `asl_runtime::choice` in scope.
pub fn machine(sm: &StateMachine) -> TokenStream {
    let root = container(&sm.root);
    let comment = opt(&sm.comment, |c| string(c));
    let version = opt(&sm.version, |v| string(v));
    let timeout = opt(&sm.timeout_seconds, |t| quote!(#t));
    let ql = match sm.query_language {
        QueryLanguage::JsonPath => quote!(m::QueryLanguage::JsonPath),
        QueryLanguage::Jsonata => quote!(m::QueryLanguage::Jsonata),
    };
    quote!(m::StateMachine { comment: #comment, version: #version, timeout_seconds: #timeout, query_language: #ql, root: #root })
}
