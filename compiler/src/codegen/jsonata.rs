//! JSONata compiled: the expressions workflows write most become Rust
//! over the runtime's `jsonata::fast` (`rt::jsonata`), whose operators
//! give a result only where JSONata's is plain:
//! - paths on `$states.input`, `$states.result`, `$states.context` (the
//!   state's own `State` and `Task` in a Task's, Parallel's or Map's
//!   steps, which the runtime hands it) and variables, which may index
//!   (`items[0]`, `items[-1]`), end in a filter (`items[price > 10]`),
//!   and map over the arrays they meet where the whole value or a
//!   sequence is read;
//! - literals, arithmetic, comparisons, `and`/`or`, `&`, `in`, `~>`,
//!   conditionals, object and array constructors;
//! - the common functions: `$count`, `$sum`, `$join`, `$exists`,
//!   `$string`, `$number`, `$length`, `$uppercase`, `$lowercase`,
//!   `$contains`, `$abs`, `$floor`, `$ceil`, `$keys`, `$merge`, `$split`,
//!   `$max`, `$min`, `$average`, `$not`, `$boolean`, `$trim`, `$round`,
//!   `$substring`, `$substringBefore`, `$substringAfter`, `$replace` (of a
//!   string), `$type`, `$lookup`, `$append`, `$reverse`, `$distinct`,
//!   `$sort` (without a comparator), `$now`, `$millis`, `$formatNumber`
//!   (without options), `$base64encode` and the other encodings, `$map`
//!   and `$filter` with a lambda of the item and its index, `$reduce`
//!   with one of the value so far and the item, and AWS's `$partition`,
//!   `$range`, `$hash`, `$parse`, `$uuid`, `$random`.
//!
//! Anything else (other functions, the state's own `$states.context`
//! outside the steps the runtime calls, …) is not compiled, and the state
//! keeps running through the JSONata engine; so does any compiled
//! expression that meets a value it declines, at run time.

use asl_runtime::jsonata::ast::{AstNode, BinaryOp, PathStep, Stage, UnaryOp};
use asl_runtime::jsonata::{json_number, Expr, Template};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// A compiled expression: Rust of type `&Value` (read from the input or
/// a variable, as it is) or `Value` (computed). Either uses `?`, in a
/// function returning `Option`.
pub(super) enum Code {
    Ref(TokenStream),
    Owned(TokenStream),
}

impl Code {
    /// As a `&Value` operand.
    fn operand(self) -> TokenStream {
        match self {
            Code::Ref(r) => r,
            Code::Owned(o) => quote!(&#o),
        }
    }

    /// As a `Value` result: a read value is copied as the engine's own
    /// conversion would give it back (numbers normalised).
    fn owned(self) -> TokenStream {
        match self {
            Code::Ref(r) => quote!(rt::jsonata::read(#r)),
            Code::Owned(o) => o,
        }
    }
}

/// What compiled code reads besides its input.
pub struct Reads {
    /// Workflow variables (`vars: &Vars` in scope).
    pub vars: bool,
    /// The execution's part of `$states.context` (`context:
    /// &ExecutionContext` in scope, or in an `Io` step `context: &Context`).
    pub context: bool,
    /// In an `Io` step: `context` is the state's own context object, its
    /// `State` and `Task` readable as the runtime assembles them.
    pub state_context: bool,
    /// Whether `$states.result` may be read (a Task's, Parallel's or Map's
    /// `Output`, with `result: &Value` in scope); elsewhere it declines.
    pub result_in_scope: bool,
    /// Whether `$states.errorOutput` may be read (a catcher's `Assign` and
    /// `Output`, with `error_output: &Value` in scope).
    pub error_output_in_scope: bool,
    /// Inside a Map's `ItemSelector`: `$states.context.Map.Item.Value` and
    /// `.Index` are the iteration's `item` (a `&Value`) and `index_value`
    /// (a `Value`) in scope.
    pub map_item: bool,
    /// The state's name, where `$states.context.State.Name` is all of
    /// `State` an expression may read at compile time (a Pass, Choice or
    /// Succeed: no retries, and the entered time is the runtime's).
    pub state_name: Option<String>,
    /// The parameters of the lambdas being compiled, innermost last: each
    /// name and the Rust local (a `&Value`) that holds it.
    bound: Vec<(String, TokenStream)>,
    /// Inside a filter predicate: the local holding the item it tests,
    /// which the predicate's relative paths (`price > 10`) start from.
    focus: Option<TokenStream>,
}

impl Reads {
    pub fn new(result_in_scope: bool) -> Reads {
        Reads {
            vars: false,
            context: false,
            state_context: false,
            result_in_scope,
            error_output_in_scope: false,
            map_item: false,
            state_name: None,
            bound: Vec::new(),
            focus: None,
        }
    }

    /// What an `Io` step's expressions read.
    pub fn hook(result_in_scope: bool) -> Reads {
        Reads { state_context: true, ..Reads::new(result_in_scope) }
    }

    /// A variable as a `&Value` where it is read plainly (not an array): a
    /// lambda's parameter, else a workflow variable (a lambda's body reads
    /// those too).
    fn variable(&mut self, name: &str) -> TokenStream {
        let whole = self.whole_variable(name);
        // A lambda's parameters hold plain values already.
        if self.bound.iter().any(|(n, _)| n == name) {
            whole
        } else {
            quote!(rt::jsonata::plain(#whole)?)
        }
    }

    /// A variable as a `&Value`, arrays included.
    fn whole_variable(&mut self, name: &str) -> TokenStream {
        if let Some((_, local)) = self.bound.iter().rev().find(|(n, _)| n == name) {
            return local.clone();
        }
        self.vars = true;
        quote!(&*vars.get_ref(#name)?)
    }
}

/// A template (`Output`, a Condition) as Rust of type `Value`.
pub fn template(t: &Template, reads: &mut Reads) -> Option<TokenStream> {
    Some(match t {
        Template::Constant(v) => super::fast::value(v),
        Template::Expr(e) => match whole_path(e, reads) {
            Some(value) => value,
            None => expr(e, reads)?,
        },
        Template::Object(fields) => super::fast::object(
            fields.iter().map(|(k, t)| Some((k.as_str(), template(t, reads)?))).collect::<Option<_>>()?,
        ),
        Template::Array(items) => {
            let items: Vec<TokenStream> = items.iter().map(|t| template(t, reads)).collect::<Option<_>>()?;
            quote!(Value::Array(vec![#(#items),*]))
        }
    })
}

/// A whole expression that is a path of field names on `$states.input`
/// (or `$states.result` where in scope) or a variable: its value as the
/// engine gives it back, arrays included, and mapped over where the path
/// meets one (a Map's `$states.result.total`). Inside a longer
/// expression, `path` declines arrays, except where a function reads a
/// sequence.
fn whole_path(e: &Expr, reads: &mut Reads) -> Option<TokenStream> {
    let (root, names) = named_path(e.ast(), reads)?;
    Some(quote!(rt::jsonata::walked(#root, &[#(#names),*])?))
}

/// A path of field names from a root that may be an array
/// (`$states.input`, `$states.result` where in scope, a variable), or
/// the variable alone: the root as a `&Value`, and the names.
fn named_path<'s>(n: &'s AstNode, reads: &mut Reads) -> Option<(TokenStream, Vec<&'s str>)> {
    let names = |rest: &'s [PathStep]| rest.iter().map(field_name).collect::<Option<Vec<_>>>();
    let variable = |name: &str| name != "states" && !name.is_empty();
    match n {
        AstNode::Variable(name) if variable(name) => Some((reads.whole_variable(name), Vec::new())),
        AstNode::Path { steps } => {
            if let Some((root, rest)) = states_root(steps, reads) {
                return Some((root, names(rest)?));
            }
            let (first, rest) = steps.split_first()?;
            match &first.node {
                AstNode::Variable(name) if simple(first) && variable(name) => {
                    let names = names(rest)?;
                    Some((reads.whole_variable(name), names))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// A path that starts `$states.input` (or `$states.result` where in
/// scope): the local holding that value, and the steps after it.
fn states_root<'s>(steps: &'s [PathStep], reads: &Reads) -> Option<(TokenStream, &'s [PathStep])> {
    let (first, [root, rest @ ..]) = steps.split_first()? else { return None };
    if !matches!(&first.node, AstNode::Variable(s) if s == "states") || !simple(first) {
        return None;
    }
    match field_name(root)? {
        "input" => Some((quote!(input), rest)),
        "result" if reads.result_in_scope => Some((quote!(result), rest)),
        "errorOutput" if reads.error_output_in_scope => Some((quote!(error_output), rest)),
        _ => None,
    }
}

/// One `{% %}` expression as Rust of type `Value`.
pub fn expr(e: &Expr, reads: &mut Reads) -> Option<TokenStream> {
    Some(node(e.ast(), reads)?.owned())
}

fn node(n: &AstNode, reads: &mut Reads) -> Option<Code> {
    Some(match n {
        AstNode::String(s) => Code::Owned(quote!(Value::String(#s.to_string()))),
        AstNode::Number(f) if f.is_finite() => Code::Owned(super::fast::value(&json_number(*f))),
        AstNode::Boolean(b) => Code::Owned(quote!(Value::Bool(#b))),
        AstNode::Null => Code::Owned(quote!(Value::Null)),
        AstNode::Variable(name) if name != "states" && !name.is_empty() => Code::Ref(reads.variable(name)),
        AstNode::Path { steps } => path(steps, reads)?,
        AstNode::Name(name) => {
            let focus = reads.focus.clone()?;
            Code::Ref(quote!(rt::jsonata::field(#focus, #name)?))
        }
        AstNode::Function { name, args, is_builtin: true } => function(name, args, reads)?,
        AstNode::Block(items) if items.len() == 1 => node(&items[0], reads)?,
        AstNode::Unary { op: UnaryOp::Negate, operand } => {
            let a = node(operand, reads)?.operand();
            Code::Owned(quote!(rt::jsonata::negate(#a)?))
        }
        // `a ~> $f(b)` is `$f(a, b)`.
        AstNode::Binary { op: BinaryOp::ChainPipe, lhs, rhs } => match &**rhs {
            AstNode::Function { name, args, is_builtin: true } => {
                let args: Vec<AstNode> = std::iter::once(&**lhs).chain(args).cloned().collect();
                function(name, &args, reads)?
            }
            _ => return None,
        },
        AstNode::Binary { op, lhs, rhs } => {
            let (a, b) = (node(lhs, reads)?.operand(), node(rhs, reads)?.operand());
            Code::Owned(match op {
                BinaryOp::Add => quote!(rt::jsonata::arithmetic('+', #a, #b)?),
                BinaryOp::Subtract => quote!(rt::jsonata::arithmetic('-', #a, #b)?),
                BinaryOp::Multiply => quote!(rt::jsonata::arithmetic('*', #a, #b)?),
                BinaryOp::Divide => quote!(rt::jsonata::arithmetic('/', #a, #b)?),
                BinaryOp::Modulo => quote!(rt::jsonata::arithmetic('%', #a, #b)?),
                BinaryOp::Concatenate => quote!(rt::jsonata::concat(#a, #b)?),
                _ => {
                    let test = test(*op, a, b)?;
                    quote!(Value::Bool(#test))
                }
            })
        }
        AstNode::Conditional { condition, then_branch, else_branch } => {
            let c = node(condition, reads)?.operand();
            let t = node(then_branch, reads)?.owned();
            let e = match else_branch {
                Some(e) => node(e, reads)?.owned(),
                // False with no else is undefined: the engine reports it.
                None => quote!(return None),
            };
            Code::Owned(quote!(if rt::jsonata::boolean(#c)? { #t } else { #e }))
        }
        AstNode::Object(pairs) => {
            let mut fields: Vec<(&str, TokenStream)> = Vec::new();
            for (k, v) in pairs {
                // Duplicate keys are an error the engine reports.
                let AstNode::String(k) = k else { return None };
                if fields.iter().any(|(seen, _)| seen == k) {
                    return None;
                }
                fields.push((k, node(v, reads)?.owned()));
            }
            Code::Owned(super::fast::object(fields))
        }
        AstNode::Array(items) => {
            let mut out = Vec::new();
            for item in items {
                // An array constructor flattens array values into itself,
                // except nested constructors: other arrays decline.
                let v = node(item, reads)?.owned();
                out.push(match item {
                    AstNode::Array(_) => v,
                    _ => quote!({
                        let v = #v;
                        rt::jsonata::plain(&v)?;
                        v
                    }),
                });
            }
            Code::Owned(quote!(Value::Array(vec![#(#out),*])))
        }
        _ => return None,
    })
}

/// A call of one of the functions workflows use most, on plain values
/// (`jsonata::fast` declines the rest at run time). Functions over
/// sequences read a path's last step as one.
fn function(name: &str, args: &[AstNode], reads: &mut Reads) -> Option<Code> {
    let name = name.trim_start_matches('$');
    let mut plain = Vec::new();
    let code = match (name, args) {
        // A path, which may meet arrays: defined wherever it gives a value.
        ("exists", [a]) => {
            let (root, names) = match named_path(a, reads) {
                Some(found) => found,
                None => {
                    // Any other root (a predicate's item, a part of the
                    // context object) read as usual, then field names
                    // that may be missing.
                    let AstNode::Path { steps } = a else { return None };
                    let names = |at: usize| steps.get(at).and_then(field_name);
                    let root = match (steps.first().map(|s| &s.node), names(1), names(2)) {
                        (Some(AstNode::Variable(s)), Some("context"), Some(_)) if s == "states" => 3,
                        (Some(AstNode::Variable(s)), ..) if s == "states" => 2,
                        _ => 1,
                    };
                    let from = path(steps.get(..root)?, reads)?.operand();
                    (from, steps[root..].iter().map(field_name).collect::<Option<_>>()?)
                }
            };
            quote!(Value::Bool(rt::jsonata::walk(#root, &[#(#names),*])?.is_some()))
        }
        ("count", [a]) => {
            let items = sequence(a, reads)?;
            quote!(rt::jsonata::count(#items))
        }
        // An empty sequence may be undefined, which `$sum` and `$join`
        // pass on: the engine tells.
        ("sum", [a]) => {
            let items = sequence(a, reads)?;
            quote!(rt::jsonata::sum(rt::jsonata::nonempty(#items)?)?)
        }
        ("join", [a, rest @ ..]) if rest.len() <= 1 => {
            let items = sequence(a, reads)?;
            let separator = optional(rest.first(), reads, Code::operand)?;
            quote!(rt::jsonata::join(rt::jsonata::nonempty(#items)?, #separator)?)
        }
        ("merge", [a]) => {
            let items = sequence(a, reads)?;
            quote!(rt::jsonata::merge(rt::jsonata::nonempty(#items)?)?)
        }
        ("max" | "min", [a]) => {
            let (items, max) = (sequence(a, reads)?, name == "max");
            quote!(rt::jsonata::extremum(rt::jsonata::nonempty(#items)?, #max)?)
        }
        ("average", [a]) => {
            let items = sequence(a, reads)?;
            quote!(rt::jsonata::average(rt::jsonata::nonempty(#items)?)?)
        }
        ("append", [a, b]) => {
            let (a, b) = (sequence(a, reads)?, sequence(b, reads)?);
            quote!(rt::jsonata::append(#a, #b)?)
        }
        ("reverse" | "distinct" | "sort", [a]) => {
            let items = sequence(a, reads)?;
            let f = proc_macro2::Ident::new(name, proc_macro2::Span::call_site());
            quote!(rt::jsonata::#f(#items)?)
        }
        ("reduce", [items, AstNode::Lambda { params, body, signature: None, .. }, init @ ..])
            if params.len() == 2 && init.len() <= 1 =>
        {
            let items = sequence(items, reads)?;
            let init = optional(init.first(), reads, Code::owned)?;
            reduce_over(items, init, params, body, reads)?
        }
        ("map" | "filter", [items, AstNode::Lambda { params, body, signature: None, .. }]) if params.len() <= 2 => {
            let items = sequence(items, reads)?;
            lambda_over(name == "map", items, params, body, reads)?
        }
        _ => {
            for a in args {
                plain.push(node(a, reads)?.operand());
            }
            match (name, plain.as_slice()) {
                ("string", [a]) => quote!(rt::jsonata::string(#a, None)?),
                ("string", [a, prettify]) => quote!(rt::jsonata::string(#a, Some(#prettify))?),
                ("number", [a]) => quote!(rt::jsonata::to_number(#a)?),
                ("length", [a]) => quote!(rt::jsonata::length(#a)?),
                ("uppercase", [a]) => quote!(rt::jsonata::case(#a, true)?),
                ("lowercase", [a]) => quote!(rt::jsonata::case(#a, false)?),
                ("contains", [a, b]) => quote!(rt::jsonata::contains(#a, #b)?),
                ("split", [a, b]) => quote!(rt::jsonata::split(#a, #b, None)?),
                ("split", [a, b, limit]) => quote!(rt::jsonata::split(#a, #b, Some(#limit))?),
                ("keys", [a]) => quote!(rt::jsonata::keys(#a)?),
                ("type", [a]) => quote!(rt::jsonata::type_of(#a)?),
                ("lookup", [a, key]) => quote!(rt::jsonata::lookup(#a, #key)?),
                ("not", [a]) => quote!(Value::Bool(!rt::jsonata::boolean(#a)?)),
                ("boolean", [a]) => quote!(Value::Bool(rt::jsonata::boolean(#a)?)),
                ("trim", [a]) => quote!(rt::jsonata::trim(#a)?),
                ("substringBefore", [a, b]) => quote!(rt::jsonata::substring_around(#a, #b, false)?),
                ("substringAfter", [a, b]) => quote!(rt::jsonata::substring_around(#a, #b, true)?),
                ("replace", [a, pattern, by]) => quote!(rt::jsonata::replace(#a, #pattern, #by, None)?),
                ("replace", [a, pattern, by, limit]) => quote!(rt::jsonata::replace(#a, #pattern, #by, Some(#limit))?),
                ("round", [a]) => quote!(rt::jsonata::round(#a, None)?),
                ("round", [a, precision]) => quote!(rt::jsonata::round(#a, Some(#precision))?),
                ("substring", [a, start]) => quote!(rt::jsonata::substring(#a, #start, None)?),
                ("substring", [a, start, length]) => quote!(rt::jsonata::substring(#a, #start, Some(#length))?),
                ("range", [a, b, c]) => quote!(rt::jsonata::range(#a, #b, #c)?),
                ("partition", [a, b]) => quote!(rt::jsonata::partition(#a, #b)?),
                ("hash", [a, b]) => quote!(rt::jsonata::hash(#a, #b)?),
                ("parse", [a]) => quote!(rt::jsonata::parse(#a)?),
                ("uuid", []) => quote!(rt::jsonata::uuid()),
                ("now", []) => quote!(rt::jsonata::now()),
                ("formatNumber", [a, picture]) => quote!(rt::jsonata::format_number(#a, #picture)?),
                (
                    "base64encode" | "base64decode" | "encodeUrl" | "decodeUrl" | "encodeUrlComponent"
                    | "decodeUrlComponent",
                    [a],
                ) => quote!(rt::jsonata::encoding(#name, #a)?),
                ("millis", []) => quote!(rt::jsonata::millis()),
                ("random", []) => quote!(rt::jsonata::random(None)?),
                ("random", [seed]) => quote!(rt::jsonata::random(Some(#seed))?),
                ("abs" | "floor" | "ceil", [a]) => {
                    let f = proc_macro2::Ident::new(name, proc_macro2::Span::call_site());
                    quote!(rt::jsonata::rounding(#a, f64::#f)?)
                }
                _ => return None,
            }
        }
    };
    Some(Code::Owned(code))
}

/// An optional argument, compiled and taken by `code`, as Rust of type
/// `Option<_>`.
fn optional(arg: Option<&AstNode>, reads: &mut Reads, code: fn(Code) -> TokenStream) -> Option<TokenStream> {
    Some(match arg {
        Some(a) => {
            let c = code(node(a, reads)?);
            quote!(Some(#c))
        }
        None => quote!(None),
    })
}

/// `$reduce` of a sequence with a lambda of the value so far and the
/// item, from `init` (an `Option<Value>`; without it, the first item): the
/// body compiled with the parameters bound to locals. An empty sequence
/// (undefined, or an empty array, which differ) declines, and so do
/// nested arrays among the items and results that are arrays or
/// undefined.
fn reduce_over(
    items: TokenStream,
    init: TokenStream,
    params: &[String],
    body: &AstNode,
    reads: &mut Reads,
) -> Option<TokenStream> {
    let depth = reads.bound.len();
    let (acc, item) = (format_ident!("acc{depth}"), format_ident!("item{depth}"));
    let body = with_params(reads, params, [quote!(&#acc), quote!(#item)], body)?.owned();
    // A body that ignores the value so far does not bind it.
    let so_far = if super::fast::mentions(&body, &acc.to_string()) { quote!(#acc) } else { quote!(_) };
    Some(quote!({
        let mut folded: Option<Value> = #init;
        let mut any = false;
        for #item in <[Value]>::iter(#items) {
            any = true;
            let #item: &Value = rt::jsonata::plain(#item)?;
            folded = Some(match folded.take() {
                None => rt::jsonata::read(#item),
                Some(#so_far) => {
                    let r = #body;
                    rt::jsonata::plain(&r)?;
                    r
                }
            });
        }
        if !any {
            return None;
        }
        folded?
    }))
}

/// A lambda's body compiled with its parameters (as many as it names, up
/// to two) bound to the locals `locals` (`&Value` expressions), in order.
fn with_params(reads: &mut Reads, params: &[String], locals: [TokenStream; 2], body: &AstNode) -> Option<Code> {
    let depth = reads.bound.len();
    reads.bound.extend(params.iter().cloned().zip(locals));
    let body = node(body, reads);
    reads.bound.truncate(depth);
    body
}

/// `$map` (or `$filter`) of a sequence with a lambda of the item and,
/// optionally, its index: the body compiled with the parameters bound to
/// locals. Nested arrays among the items, and mapped results that are
/// arrays, decline (JSONata's sequences flatten them); so does a result
/// that is undefined, and the engine tells what it is.
fn lambda_over(
    map: bool,
    items: TokenStream,
    params: &[String],
    body: &AstNode,
    reads: &mut Reads,
) -> Option<TokenStream> {
    let depth = reads.bound.len();
    let (item, index) = (format_ident!("item{depth}"), format_ident!("index{depth}"));
    let body = with_params(reads, params, [quote!(#item), quote!(&#index)], body)?;
    let step = if map {
        let r = body.owned();
        quote! {
            let r = #r;
            rt::jsonata::plain(&r)?;
            out.push(r);
        }
    } else {
        let keep = body.operand();
        quote! {
            if rt::jsonata::boolean(#keep)? {
                out.push(rt::jsonata::read(#item));
            }
        }
    };
    // The index is counted only where the body reads it.
    let (each, count) = if super::fast::mentions(&step, &index.to_string()) {
        (quote!((n, #item) in <[Value]>::iter(#items).enumerate()), quote!(let #index = Value::from(n);))
    } else {
        (quote!(#item in <[Value]>::iter(#items)), quote!())
    };
    Some(quote!({
        let mut out = Vec::new();
        for #each {
            let #item: &Value = rt::jsonata::plain(#item)?;
            #count
            #step
        }
        rt::jsonata::several(out)?
    }))
}

/// A function argument read as a sequence (`&[Value]`): a path (on
/// `$states.input`, `$states.result` or a variable, mapped over the
/// arrays it meets; elsewhere its last step kept whole; a missing field
/// the empty sequence) or any compiled value.
fn sequence(n: &AstNode, reads: &mut Reads) -> Option<TokenStream> {
    if let Some((root, names)) = named_path(n, reads) {
        return Some(quote!(&*rt::jsonata::walked_seq(#root, &[#(#names),*])?));
    }
    if let AstNode::Path { steps } = n {
        if let Some((last, upstream)) = steps.split_last() {
            if let (Some(name), Some(Code::Ref(object))) = (field_name(last), path(upstream, reads)) {
                return Some(quote!(rt::jsonata::member_seq(#object, #name)?));
            }
        }
    }
    let v = node(n, reads)?.owned();
    Some(quote!(rt::jsonata::seq(&#v)?))
}

/// A comparison or `and`/`or` of two operands, as Rust of type `bool`.
fn test(op: BinaryOp, a: TokenStream, b: TokenStream) -> Option<TokenStream> {
    Some(match op {
        BinaryOp::Equal => quote!(rt::jsonata::equal(#a, #b)?),
        BinaryOp::NotEqual => quote!(!rt::jsonata::equal(#a, #b)?),
        BinaryOp::LessThan => quote!(rt::jsonata::order("<", #a, #b)?),
        BinaryOp::LessThanOrEqual => quote!(rt::jsonata::order("<=", #a, #b)?),
        BinaryOp::GreaterThan => quote!(rt::jsonata::order(">", #a, #b)?),
        BinaryOp::GreaterThanOrEqual => quote!(rt::jsonata::order(">=", #a, #b)?),
        BinaryOp::In => quote!(rt::jsonata::member(#a, #b)?),
        // Both sides are read before either is used: an operand the engine
        // would refuse declines even when the other decides the result.
        BinaryOp::And => quote!({
            let (a, b) = (rt::jsonata::boolean(#a)?, rt::jsonata::boolean(#b)?);
            a && b
        }),
        BinaryOp::Or => quote!({
            let (a, b) = (rt::jsonata::boolean(#a)?, rt::jsonata::boolean(#b)?);
            a || b
        }),
        _ => return None,
    })
}

/// A Choice rule's `Condition` as Rust of type `bool`; anything but a
/// boolean declines.
pub fn condition(t: &Template, reads: &mut Reads) -> Option<TokenStream> {
    if let Template::Expr(e) = t {
        if let AstNode::Binary { op, lhs, rhs } = e.ast() {
            let (a, b) = (node(lhs, reads)?.operand(), node(rhs, reads)?.operand());
            if let Some(test) = test(*op, a, b) {
                return Some(test);
            }
        }
    }
    let v = template(t, reads)?;
    Some(quote!((#v).as_bool()?))
}

/// A step that is a plain field name, with nothing bound or filtered.
/// A path's first step that is only its node (a variable), nothing bound.
fn simple(step: &PathStep) -> bool {
    step.stages.is_empty() && step.focus.is_none() && step.index_var.is_none() && !step.is_tuple
}

fn field_name(step: &PathStep) -> Option<&str> {
    filtered_name(step).filter(|(_, stages)| stages.is_empty()).map(|(n, _)| n)
}

/// A step that is a field name with nothing bound, and its predicates.
fn filtered_name(step: &PathStep) -> Option<(&str, &[Stage])> {
    let plain = step.focus.is_none()
        && step.index_var.is_none()
        && step.ancestor_label.is_none()
        && !step.is_tuple
        && !step.inner_tuple;
    match &step.node {
        AstNode::Name(n) if plain => Some((n, &step.stages)),
        _ => None,
    }
}

/// `name[i]` with a whole-number literal `i` (negative from the end).
fn index_stage(stages: &[Stage]) -> Option<i64> {
    match stages {
        [Stage::Filter(n)] => match **n {
            AstNode::Number(f) if f.fract() == 0.0 && f.abs() < 1e15 => Some(f as i64),
            _ => None,
        },
        _ => None,
    }
}

/// `name[predicate]` from `object`, then field `names` from each item kept:
/// the values the items the predicate (compiled with the item as its
/// focus) holds true for give, where they are several (`fast::several`).
fn filter(object: TokenStream, name: &str, predicate: &AstNode, names: &[&str], reads: &mut Reads) -> Option<Code> {
    let depth = reads.bound.len() + usize::from(reads.focus.is_some());
    let item = format_ident!("focus{depth}");
    let outer = reads.focus.replace(quote!(#item));
    let keep = node(predicate, reads).map(Code::operand);
    reads.focus = outer;
    let keep = keep?;
    Some(Code::Owned(quote!({
        let mut out = Vec::new();
        for #item in rt::jsonata::member_seq(#object, #name)? {
            if rt::jsonata::boolean(#keep)? {
                if let Some(value) = rt::jsonata::follow(#item, &[#(#names),*])? {
                    out.push(rt::jsonata::read(value));
                }
            }
        }
        rt::jsonata::several(out)?
    })))
}

/// `$states.input.a.b`, `$states.result.a.b` (where in scope),
/// `$states.context.Execution.a` (or `StateMachine`), the state's own
/// `$states.context.State.Name` (where known) or, in an `Io` step, any of
/// its `State` and `Task` (`State.EnteredTime`, `Task.Token`), a Map item's
/// `$states.context.Map.Item.Value` (or `Index`) in its ItemSelector, or
/// `$var.a.b`.
fn path(steps: &[PathStep], reads: &mut Reads) -> Option<Code> {
    let (first, rest) = steps.split_first()?;
    let simple = simple(first);
    let states = states_root(steps, reads);
    let (mut code, rest) = match (&first.node, rest) {
        _ if states.is_some() => {
            let (root, rest) = states?;
            (quote!(rt::jsonata::plain(#root)?), rest)
        }
        (AstNode::Variable(s), [context, state, name])
            if simple
                && reads.state_name.is_some()
                && s == "states"
                && field_name(context) == Some("context")
                && field_name(state) == Some("State")
                && field_name(name) == Some("Name") =>
        {
            let name = reads.state_name.as_deref()?;
            return Some(Code::Owned(quote!(Value::String(#name.to_string()))));
        }
        (AstNode::Variable(s), [context, map, item, part, rest @ ..])
            if simple
                && reads.map_item
                && s == "states"
                && field_name(context) == Some("context")
                && field_name(map) == Some("Map")
                && field_name(item) == Some("Item")
                && matches!(field_name(part), Some("Value" | "Index")) =>
        {
            let local = if field_name(part) == Some("Value") { quote!(item) } else { quote!(&index_value) };
            (quote!(rt::jsonata::plain(#local)?), rest)
        }
        // `Execution` and `StateMachine` are the same for every state of
        // the execution; `State` and `Task` are the runtime's, read where
        // it hands an `Io` step the state's context object.
        (AstNode::Variable(s), [context, key, rest @ ..])
            if simple
                && s == "states"
                && field_name(context) == Some("context")
                && matches!(field_name(key), Some("Execution" | "StateMachine")) =>
        {
            reads.context = true;
            let key = field_name(key)?;
            let execution = if reads.state_context { quote!(context.execution?) } else { quote!(context) };
            (quote!(rt::jsonata::context(#execution, #key)?), rest)
        }
        (AstNode::Variable(s), [context, key, rest @ ..])
            if simple
                && reads.state_context
                && s == "states"
                && field_name(context) == Some("context")
                && matches!(field_name(key), Some("State" | "Task")) =>
        {
            reads.context = true;
            let key = field_name(key)?;
            let names: Vec<&str> = rest.iter().map(field_name).collect::<Option<_>>()?;
            return Some(Code::Owned(quote!(rt::jsonata::state_context(context, #key, &[#(#names),*])?)));
        }
        (AstNode::Variable(name), rest) if simple && name != "states" && !name.is_empty() => {
            (reads.variable(name), rest)
        }
        // A predicate's relative path starts at the item it tests.
        (AstNode::Name(_), _) if reads.focus.is_some() => (reads.focus.clone()?, steps),
        _ => return None,
    };
    for (i, step) in rest.iter().enumerate() {
        let (name, stages) = filtered_name(step)?;
        code = match stages {
            [] => quote!(rt::jsonata::field(#code, #name)?),
            _ => match (index_stage(stages), stages) {
                (Some(index), _) => quote!(rt::jsonata::at(#code, #name, #index)?),
                // A filter ends the path, or field names that follow map
                // over its items.
                (None, [Stage::Filter(predicate)]) => {
                    let names: Vec<&str> = rest[i + 1..].iter().map(field_name).collect::<Option<_>>()?;
                    return filter(code, name, predicate, &names, reads);
                }
                _ => return None,
            },
        };
    }
    Some(Code::Ref(code))
}
