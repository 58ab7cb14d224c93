//! Direct Rust for the states that dominate transition-bound workflows:
//! Pass, Choice and Succeed (with their variables), in JSONPath, and in
//! JSONata where their expressions compile (`jsonata.rs`); Maps and
//! Parallels made of them; Fail with literal texts; a fixed Wait; and the
//! I/O steps and variables of a Task, Parallel or Map that runs through
//! the runtime. Definite
//! paths become `get()` chains (other paths the runtime's selection,
//! parsed once), templates become object construction, Choice rules
//! become comparisons, `States.Format` is split where the code is
//! generated, other intrinsic calls go straight to the runtime's
//! function. Each fast path is a pure
//! function returning `None` whenever anything is unusual (a missing path,
//! a failing intrinsic, an oversized result): the state then runs through
//! the runtime's `run_state`, which raises AWS's error for it. So the fast
//! path never has to reproduce an error, only the successful result.

use super::jsonata::{self, Reads};
use crate::model::{Body, QueryLanguage, State};
use asl_runtime::choice::{Cmp, Kind, Operand, Rule, Test};
use asl_runtime::intrinsic::{Arg, Call};
use asl_runtime::machine::{ItemSelector, NumberField};
use asl_runtime::path::{Path, Root, Segment};
use asl_runtime::template::Template;
use proc_macro2::Ident;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

/// What a state's fast function returns.
pub enum Shape {
    /// `Option<Value>`: the output (Pass, Succeed).
    Output,
    /// `Option<States>`: the next state; the output is the input (Choice).
    Target,
    /// `Option<(Value, Value)>`: a Pass that assigns variables: its
    /// output, and the variables (an object within AWS's quotas), computed
    /// before the output as `run_state` does, and set after it.
    OutputAssigning,
    /// `Option<(States, Value)>`: a Choice that assigns variables: the next
    /// state, and the variables of the rule taken (or of the state, when
    /// its Default is), `null` where that assigns none.
    TargetAssigning,
}

pub struct Fast {
    pub shape: Shape,
    /// The body of `fn(input: &Value) -> Option<…>`.
    pub body: TokenStream,
    /// For a Pass whose output is its input object with new values: the
    /// body of `fn(input: &mut Value) -> Option<()>` that writes them in
    /// place when the input has exactly the template's keys, in order.
    pub in_place: Option<TokenStream>,
    /// Whether the body reads workflow variables: the function then takes
    /// `vars: &Vars` after the input.
    pub reads_vars: bool,
    /// Whether the body reads the execution's context object: the function
    /// then takes `context: &ExecutionContext` last.
    pub reads_context: bool,
}

impl Fast {
    /// A form that reads only its input and assigns nothing.
    fn new(shape: Shape, body: TokenStream) -> Fast {
        Fast { shape, body, in_place: None, reads_vars: false, reads_context: false }
    }

    /// Whether the function reads nothing but its input and changes
    /// nothing (a synchronous runner has no execution to give it).
    pub fn input_only(&self) -> bool {
        !self.reads_vars && !self.reads_context && matches!(self.shape, Shape::Output | Shape::Target)
    }
}

/// What a template's paths read: `$` is `input`; inside a Map's
/// ItemSelector, `$$.Map.Item.Value` and `$$.Map.Item.Index` are the
/// iteration's `item` and `index_value` (both `&Value` bindings).
pub struct Scope {
    input: TokenStream,
    map_item: bool,
    context: ContextIn,
}

/// What the other `$$` paths read where the code runs.
#[derive(Clone, Copy, PartialEq)]
enum ContextIn {
    /// Nothing: they decline (a synchronous runner, a Map's or Parallel's
    /// direct form, writing in place).
    Nothing,
    /// A Pass's, Choice's or Wait's function: `Execution` and
    /// `StateMachine`, the same for every state, from `context:
    /// &ExecutionContext`.
    Execution,
    /// A step the runtime calls (`Io`): the state's context object,
    /// `context: &Context`, as the runtime assembles it for that step.
    State,
}

impl ContextIn {
    /// Where JSONata `reads` are: an `Io` step's or not.
    fn of(reads: &Reads) -> ContextIn {
        if reads.state_context {
            ContextIn::State
        } else {
            ContextIn::Nothing
        }
    }
}

impl Scope {
    fn input(input: TokenStream) -> Scope {
        Scope::of(input, ContextIn::Nothing)
    }

    fn of(input: TokenStream, context: ContextIn) -> Scope {
        Scope { input, map_item: false, context }
    }

    /// A Map's ItemSelector over `effective`, where JSONata `reads` are.
    fn item_selector(reads: &Reads) -> Scope {
        Scope { input: quote!(effective), map_item: true, context: ContextIn::of(reads) }
    }
}

/// `$`-rooted definite path → `Option<&Value>` expression from `from`.
fn access(p: &Path, from: TokenStream) -> Option<TokenStream> {
    access_in(p, &Scope::input(from))
}

/// A definite path → `Option<&Value>` expression in `scope`.
fn access_in(p: &Path, scope: &Scope) -> Option<TokenStream> {
    let (e, rest) = match (&p.root, p.segments.as_slice()) {
        (Root::Input, segments) => {
            let from = &scope.input;
            (quote!(Some(#from)), segments)
        }
        (Root::Context, [Segment::Child(m), Segment::Child(i), Segment::Child(v), rest @ ..])
            if scope.map_item && m == "Map" && i == "Item" && v == "Value" =>
        {
            (quote!(Some(item)), rest)
        }
        (Root::Context, [Segment::Child(m), Segment::Child(i), Segment::Child(x)])
            if scope.map_item && m == "Map" && i == "Item" && x == "Index" =>
        {
            (quote!(Some(&index_value)), &[][..])
        }
        (Root::Context, [Segment::Child(key), rest @ ..])
            if scope.context == ContextIn::Execution && (key == "Execution" || key == "StateMachine") =>
        {
            (quote!(context.map().get(#key)), rest)
        }
        _ => return None,
    };
    steps(e, rest, false)
}

/// A definite path's steps after its root, each a lookup in what `e` (an
/// `Option` of a `&Value`, or of a `&mut Value` when `mutable`) holds.
fn steps(mut e: TokenStream, segments: &[Segment], mutable: bool) -> Option<TokenStream> {
    for seg in segments {
        e = match (seg, mutable) {
            (Segment::Child(name), false) => quote!(#e.and_then(|v| rt::path::field(v, #name))),
            (Segment::Child(name), true) => quote!(#e.and_then(|v| v.get_mut(#name))),
            (Segment::Index(i), false) if *i >= 0 => {
                let i = *i as usize;
                quote!(#e.and_then(|v| v.get(#i)))
            }
            (Segment::Index(i), true) if *i >= 0 => {
                let i = *i as usize;
                quote!(#e.and_then(|v| v.get_mut(#i)))
            }
            _ => return None,
        };
    }
    Some(e)
}

/// What a path reads in `scope`, as an owned `Value` expression: a
/// definite path is a `get()` chain; any other `$` path (wildcards,
/// slices, filters) the runtime's `Path::select`, its text parsed once.
fn read(p: &Path, scope: &Scope) -> Option<TokenStream> {
    if let Some(a) = access_in(p, scope).filter(|_| p.is_definite()) {
        return Some(quote!(#a?.clone()));
    }
    let text = &p.text;
    let path = quote!(PATH.get_or_init(|| rt::path::Path::parse(#text).ok()).as_ref()?);
    let value = match p.root {
        Root::Input => {
            let from = &scope.input;
            quote!(#path.select(#from))
        }
        Root::Context if scope.context == ContextIn::State => quote!(context.read(#path)),
        _ => return None,
    };
    Some(quote!({
        static PATH: std::sync::OnceLock<Option<rt::path::Path>> = std::sync::OnceLock::new();
        #value.ok()?
    }))
}

/// A JSON constant as construction code.
pub(super) fn value(v: &Value) -> TokenStream {
    match v {
        Value::Null => quote!(Value::Null),
        Value::Bool(b) => quote!(Value::Bool(#b)),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => quote!(Value::from(#i)),
            (None, Some(u), _) => quote!(Value::from(#u)),
            (_, _, Some(f)) => quote!(Value::from(#f)),
            _ => quote!(Value::Null),
        },
        Value::String(s) => quote!(Value::String(#s.to_string())),
        Value::Array(items) => {
            let items = items.iter().map(value);
            quote!(Value::Array(vec![#(#items),*]))
        }
        Value::Object(map) if map.is_empty() => quote!(Value::Object(Default::default())),
        Value::Object(map) => {
            let n = map.len();
            let fields = map.iter().map(|(k, v)| {
                let v = value(v);
                quote!(o.insert(#k.to_string(), #v);)
            });
            quote!({
                let mut o = rt::Map::with_capacity(#n);
                #(#fields)*
                Value::Object(o)
            })
        }
    }
}

fn call(c: &Call, scope: &Scope) -> Option<TokenStream> {
    // The length of an array needs no copy of it; anything but an array
    // declines, and the general path raises the intrinsic's error.
    if let (asl_runtime::intrinsic::Function::ArrayLength, [Arg::Path(p)]) = (c.function, c.args.as_slice()) {
        if let Some(a) = access_in(p, scope).filter(|_| p.is_definite()) {
            return Some(quote!(Value::from(#a?.as_array()?.len())));
        }
    }
    if let (asl_runtime::intrinsic::Function::Format, [Arg::Str { raw, .. }, args @ ..]) =
        (c.function, c.args.as_slice())
    {
        if let Some(f) = format(raw, args, scope) {
            return Some(f);
        }
    }
    // A sum reads its two numbers where they are.
    if let (asl_runtime::intrinsic::Function::MathAdd, [a, b]) = (c.function, c.args.as_slice()) {
        let (a, b) = (borrowed_arg(a, scope)?, borrowed_arg(b, scope)?);
        return Some(quote!(rt::intrinsic::math_add(#a, #b).ok()?));
    }
    let args = c.args.iter().map(|a| arg(a, scope)).collect::<Option<Vec<_>>>()?;
    let raw = match c.args.first() {
        Some(Arg::Str { raw, .. }) => quote!(Some(#raw)),
        _ => quote!(None),
    };
    let f = format_ident!("{}", format!("{:?}", c.function));
    Some(quote!(rt::intrinsic::apply(rt::intrinsic::Function::#f, #raw, vec![#(#args),*]).ok()?))
}

/// An intrinsic's argument as an owned value.
fn arg(a: &Arg, scope: &Scope) -> Option<TokenStream> {
    Some(match a {
        Arg::Str { value, .. } => quote!(Value::String(#value.to_string())),
        Arg::Literal(v) => value(v),
        Arg::Path(p) => read(p, scope)?,
        Arg::Call(inner) => call(inner, scope)?,
    })
}

/// An intrinsic's argument as a `&Value`: a definite path borrows what it
/// names; anything else is built in place.
fn borrowed_arg(a: &Arg, scope: &Scope) -> Option<TokenStream> {
    if let Arg::Path(p) = a {
        if let Some(a) = access_in(p, scope).filter(|_| p.is_definite()) {
            return Some(quote!(#a?));
        }
    }
    let owned = arg(a, scope)?;
    Some(quote!(&#owned))
}

/// `States.Format` with a literal template, split where the code is
/// generated: the text is pushed as it is and each argument rendered in
/// place, borrowed where it is a definite path. `None` where the template's
/// `{}` do not match the arguments (the runtime's `apply` then declines).
fn format(raw: &str, args: &[Arg], scope: &Scope) -> Option<TokenStream> {
    use asl_runtime::intrinsic::Piece;
    let pieces = asl_runtime::intrinsic::format_pieces(raw);
    if pieces.iter().filter(|p| **p == Piece::Arg).count() != args.len() {
        return None;
    }
    let mut bindings = Vec::new();
    for (i, a) in args.iter().enumerate() {
        let name = format_ident!("a{}", i);
        bindings.push(match a {
            Arg::Path(p) if let Some(a) = access_in(p, scope).filter(|_| p.is_definite()) => {
                quote!(let #name: &Value = #a?;)
            }
            Arg::Path(p) => {
                let r = read(p, scope)?;
                quote!(let #name: &Value = &#r;)
            }
            Arg::Literal(v) => {
                let v = value(v);
                quote!(let #name: &Value = &#v;)
            }
            Arg::Str { value, .. } => quote!(let #name: &Value = &Value::String(#value.to_string());),
            Arg::Call(inner) => {
                let v = call(inner, scope)?;
                quote!(let #name: &Value = &#v;)
            }
        });
    }
    let mut next = 0usize;
    let pushes = pieces.iter().map(|p| match p {
        Piece::Text(t) => match t.chars().collect::<Vec<_>>().as_slice() {
            [c] => quote!(out.push(#c);),
            _ => quote!(out.push_str(#t);),
        },
        Piece::Arg => {
            let name = format_ident!("a{}", next);
            next += 1;
            quote!(rt::intrinsic::render(#name, &mut out);)
        }
    });
    let pushes: Vec<TokenStream> = pushes.collect();
    // Room for the text and short arguments: one allocation, mostly.
    let text: usize = pieces.iter().map(|p| if let Piece::Text(t) = p { t.len() } else { 0 }).sum();
    let capacity = text + 16 * args.len();
    Some(quote!({
        #(#bindings)*
        let mut out = String::with_capacity(#capacity);
        #(#pushes)*
        Value::String(out)
    }))
}

/// An object built from `(key, value code)` pairs, in order.
pub(super) fn object(fields: Vec<(&str, TokenStream)>) -> TokenStream {
    let distinct = fields.iter().enumerate().all(|(i, (k, _))| fields[..i].iter().all(|(seen, _)| seen != k));
    if !distinct {
        // A later duplicate replaces the value in the first one's place.
        let n = fields.len();
        let inserts = fields.iter().map(|(k, v)| quote!(o.insert(#k.to_string(), #v);));
        return quote!({
            let mut o = rt::Map::with_capacity(#n);
            #(#inserts)*
            Value::Object(o)
        });
    }
    let (keys, values): (Vec<&str>, Vec<TokenStream>) = fields.into_iter().unzip();
    quote!({
        static SHAPE: std::sync::OnceLock<rt::Map<String, Value>> = std::sync::OnceLock::new();
        rt::object(&SHAPE, [#(#keys),*], [#(#values),*])
    })
}

/// A payload template as construction code reading `scope`.
fn template(t: &Template, scope: &Scope) -> Option<TokenStream> {
    Some(match t {
        Template::Constant(v) => value(v),
        Template::Object(fields) if fields.is_empty() => quote!(Value::Object(Default::default())),
        Template::Object(fields) => {
            object(fields.iter().map(|(k, t)| Some((k.as_str(), template(t, scope)?))).collect::<Option<_>>()?)
        }
        Template::Array(items) => {
            let items = items.iter().map(|t| template(t, scope)).collect::<Option<Vec<_>>>()?;
            quote!(Value::Array(vec![#(#items),*]))
        }
        Template::Path { path, .. } => read(path, scope)?,
        Template::Call { call: c, .. } => call(c, scope)?,
    })
}

/// `InputPath`/`OutputPath` applied to `base` (a `&Value` expression),
/// as a `&Value` expression: `null` is `{}`, `$` is `base`, a definite path
/// a `get()` chain.
fn select(p: &Option<Path>, base: TokenStream) -> Option<TokenStream> {
    let Some(p) = p else { return Some(quote!(&empty)) };
    if p.is_root() {
        return Some(base);
    }
    let a = access(p, base)?;
    Some(quote!(#a?))
}

/// Whether `tokens` use the identifier `name` anywhere.
pub fn mentions(tokens: &TokenStream, name: &str) -> bool {
    tokens.clone().into_iter().any(|t| match t {
        proc_macro2::TokenTree::Ident(i) => i == name,
        proc_macro2::TokenTree::Group(g) => mentions(&g.stream(), name),
        _ => false,
    })
}

/// `{}`, for a `null` InputPath or OutputPath to point at.
fn empty_if_needed(s: &State) -> TokenStream {
    if s.input_path.is_none() || s.output_path.is_none() {
        quote!(let empty = Value::Object(Default::default());)
    } else {
        quote!()
    }
}

fn is_root(p: &Option<Path>) -> bool {
    p.as_ref().is_some_and(Path::is_root)
}

/// `ResultPath` placing `result` into the raw `input`: the runtime's
/// `merge_result` (its path parsed once), which declines where it would
/// fail, so the general path raises the error.
fn merged(s: &State) -> TokenStream {
    merged_at(&s.result_path)
}

/// `merged` for a `ResultPath` of the state's or of a catcher's.
fn merged_at(result_path: &Option<Path>) -> TokenStream {
    match result_path {
        None => quote!(input.clone()),
        Some(p) if p.is_root() => quote!(result),
        Some(p) => {
            let text = &p.text;
            quote!({
                static PATH: std::sync::OnceLock<Option<rt::path::Path>> = std::sync::OnceLock::new();
                let path = PATH.get_or_init(|| rt::path::Path::parse_reference(#text).ok()).as_ref()?;
                rt::io::merge_result(input.clone(), result, Some(path)).ok()?
            })
        }
    }
}

/// `OutputPath` applied to `merged`.
fn output(s: &State) -> Option<TokenStream> {
    Some(if is_root(&s.output_path) {
        quote!(merged)
    } else if s.output_path.is_none() {
        // `OutputPath: null` outputs `{}` whatever the result was.
        quote!({
            drop(merged);
            empty
        })
    } else {
        let o = select(&s.output_path, quote!(&merged))?;
        quote!((#o).clone())
    })
}

/// A JSONPath `Assign` over a state's result (`result: Value` in scope),
/// as a `Value` expression: `$` is the result, as the runtime reads it.
fn assigned_over_result(t: &Template, context: ContextIn) -> Option<TokenStream> {
    let assigned = template(t, &Scope::of(quote!(selected), context))?;
    Some(if mentions(&assigned, "selected") {
        quote!({
            let selected: &Value = &result;
            #assigned
        })
    } else {
        assigned
    })
}

/// A JSONPath Pass: its output, or with an `Assign` (which reads the
/// state's result, as the runtime does) its output and variables
/// (`Shape::OutputAssigning`).
fn pass(s: &State, result: Option<&Value>) -> Option<TokenStream> {
    let result = pass_result(s, result)?;
    let merged = merged(s);
    let output = output(s)?;
    let end = match &s.assign {
        None => quote! {
            let merged = #merged;
            Some(#output)
        },
        Some(crate::model::Assign::Paths(t)) => {
            let assigned = assigned_over_result(t, ContextIn::Execution)?;
            output_assigning(
                assigned,
                quote! {
                    let merged = #merged;
                    let output: Value = #output;
                },
            )
        }
        Some(crate::model::Assign::Jsonata(_)) => return None,
    };
    Some(quote! {
        #result
        if !rt::io::fits(&result, rt::MAX_PAYLOAD_BYTES) {
            return None;
        }
        #end
    })
}

/// A JSONPath Pass's result (its `Result`, or InputPath then
/// `Parameters`) from `input`, as statements binding `result: Value`.
fn pass_result(s: &State, result: Option<&Value>) -> Option<TokenStream> {
    let selected = select(&s.input_path, quote!(input))?;
    let result = match (result, &s.parameters) {
        (Some(_), Some(_)) => return None,
        (Some(v), None) => value(v),
        (None, Some(t)) => template(t, &Scope::of(quote!(selected), ContextIn::Execution))?,
        (None, None) => quote!(selected.clone()),
    };
    let empty = empty_if_needed(s);
    // A constant result does not read the input, but an `InputPath` that
    // selects nothing still fails the state (the general path raises it).
    let selected = if mentions(&result, "selected") {
        quote!(let selected: &Value = #selected;)
    } else if s.input_path.as_ref().is_some_and(|p| !p.is_root()) {
        quote!(let _: &Value = #selected;)
    } else {
        quote!()
    };
    Some(quote! {
        #empty
        #selected
        let result = #result;
    })
}

/// `Parameters` rebuilding an object over `$`, with `$` for InputPath,
/// ResultPath and OutputPath: computed from the input, then written over
/// the input's own values when its keys are the template's, in order —
/// no new object, no key hashing.
fn pass_in_place(s: &State, result: Option<&Value>) -> Option<TokenStream> {
    if result.is_some() || !is_root(&s.input_path) || !is_root(&s.result_path) || !is_root(&s.output_path) {
        return None;
    }
    let Some(Template::Object(fields)) = &s.parameters else { return None };
    let keys: Vec<&String> = fields.iter().map(|(k, _)| k).collect();
    let names: Vec<proc_macro2::Ident> = (0..fields.len()).map(|i| format_ident!("v{}", i)).collect();
    let mut computes = Vec::new();
    for ((_, t), n) in fields.iter().zip(&names) {
        let v = template(t, &Scope::input(quote!(selected)))?;
        computes.push(quote!(let #n = #v;));
    }
    let reads = computes.iter().any(|c| mentions(c, "selected"));
    let selected = if reads { quote!(let selected: &Value = input;) } else { quote!() };
    let write = write_in_place(&keys, &names);
    Some(quote! {
        #selected
        #(#computes)*
        #write
    })
}

/// Writes the values `names` hold over an input object whose keys are
/// exactly `keys`, in order, if the result fits a payload; else `None`.
fn write_in_place(keys: &[&String], names: &[proc_macro2::Ident]) -> TokenStream {
    quote! {
        let bound = 2 #(+ rt::io::bound(&#names) + #keys.len() * 6 + 4)*;
        if bound > rt::MAX_PAYLOAD_BYTES {
            return None;
        }
        let Value::Object(map) = input else { return None };
        if !map.keys().map(String::as_str).eq([#(#keys),*]) {
            return None;
        }
        let mut slots = map.values_mut();
        #(*slots.next()? = #names;)*
        Some(())
    }
}

/// A JSONata Pass whose `Output` rebuilds its input object with new values
/// from the input alone: computed, then written in place (as
/// `pass_in_place`).
fn jsonata_in_place(s: &State) -> Option<TokenStream> {
    let Some(asl_runtime::jsonata::Template::Object(fields)) = &s.output else { return None };
    let keys: Vec<&String> = fields.iter().map(|(k, _)| k).collect();
    let names: Vec<proc_macro2::Ident> = (0..fields.len()).map(|i| format_ident!("v{}", i)).collect();
    let mut reads = Reads::new(false);
    let values: Vec<TokenStream> =
        fields.iter().map(|(_, t)| jsonata::template(t, &mut reads)).collect::<Option<_>>()?;
    if reads.vars || reads.context {
        return None;
    }
    let write = write_in_place(&keys, &names);
    Some(quote! {
        let (#(#names,)*) = {
            let input: &Value = input;
            (#(#values,)*)
        };
        #write
    })
}

fn operand_kind(kind: Kind) -> TokenStream {
    match kind {
        Kind::String => quote!(rt::choice::Kind::String),
        Kind::Numeric => quote!(rt::choice::Kind::Numeric),
        Kind::Boolean => quote!(rt::choice::Kind::Boolean),
        Kind::Timestamp => quote!(rt::choice::Kind::Timestamp),
    }
}

fn cmp(c: Cmp) -> TokenStream {
    match c {
        Cmp::Eq => quote!(rt::choice::Cmp::Eq),
        Cmp::Lt => quote!(rt::choice::Cmp::Lt),
        Cmp::Gt => quote!(rt::choice::Cmp::Gt),
        Cmp::Le => quote!(rt::choice::Cmp::Le),
        Cmp::Ge => quote!(rt::choice::Cmp::Ge),
    }
}

/// A rule as an `Option<bool>` expression; `None` sends the state to the
/// general path (a missing Variable, which is an error there).
fn rule(r: &Rule) -> Option<TokenStream> {
    Some(match r {
        Rule::And(all) => {
            let parts = all.iter().map(rule).collect::<Option<Vec<_>>>()?;
            quote!((|| Some(#(#parts? )&&*))())
        }
        Rule::Or(all) => {
            let parts = all.iter().map(rule).collect::<Option<Vec<_>>>()?;
            quote!((|| Some(#(#parts? )||*))())
        }
        Rule::Not(inner) => {
            let inner = rule(inner)?;
            quote!(#inner.map(|b| !b))
        }
        Rule::Test { variable, test } => {
            let scope = Scope::of(quote!(input), ContextIn::Execution);
            let v = access_in(variable, &scope)?;
            let check = match test {
                Test::IsPresent(want) => return Some(quote!(Some(#v.is_some() == #want))),
                Test::IsNull(want) => quote!(v.is_null() == #want),
                Test::IsNumeric(want) => quote!(v.is_number() == #want),
                Test::IsString(want) => quote!(v.is_string() == #want),
                Test::IsBoolean(want) => quote!(v.is_boolean() == #want),
                Test::IsTimestamp(want) => {
                    quote!(v.as_str().and_then(rt::parse_timestamp).is_some() == #want)
                }
                Test::StringMatches(p) => {
                    quote!(match v.as_str() { Some(s) => rt::choice::string_matches(s, #p).ok()?, None => false })
                }
                Test::Compare { kind, cmp: c, operand } => {
                    let (k, c) = (operand_kind(*kind), cmp(*c));
                    let other = match operand {
                        Operand::Value(x) => {
                            let x = value(x);
                            quote!(&#x)
                        }
                        Operand::Path(p) => {
                            let a = access_in(p, &scope)?;
                            quote!(#a?)
                        }
                    };
                    quote!(rt::choice::compare(#k, #c, v, #other))
                }
            };
            quote!((|| { let v = #v?; Some(#check) })())
        }
    })
}

/// A JSONPath Choice whose rules and variables compile. `Assign` reads
/// the effective input, which is the input (no InputPath).
fn choice(s: &State, targets: &dyn Fn(&str) -> Option<TokenStream>) -> Option<Fast> {
    let Body::Choice(c) = &s.body else { return None };
    if !is_root(&s.input_path) || !is_root(&s.output_path) {
        return None;
    }
    let conditions = c.choices.iter().map(|b| match &b.condition {
        crate::model::Condition::Rule(r) => rule(r).map(|test| quote!(#test?)),
        crate::model::Condition::Jsonata(_) => None,
    });
    let assigned = choice_assigns(s, c).map(|a| match a {
        None => Some(None),
        Some(crate::model::Assign::Paths(t)) => template(t, &Scope::of(quote!(input), ContextIn::Execution)).map(Some),
        Some(crate::model::Assign::Jsonata(_)) => None,
    });
    let (shape, body) = choice_body(c, targets, conditions.collect::<Option<_>>()?, assigned.collect::<Option<_>>()?)?;
    Some(Fast::new(shape, body))
}

/// Each rule's `Assign`, then the state's own (which its Default takes).
fn choice_assigns<'m>(
    s: &'m State,
    c: &'m asl_runtime::machine::Choice,
) -> impl Iterator<Item = Option<&'m crate::model::Assign>> {
    c.choices.iter().map(|b| b.assign.as_ref()).chain([s.assign.as_ref()])
}

/// A Choice's fast function: its rules' compiled `conditions` (`bool`
/// expressions) in order, then its Default. `assigned`: the variables of
/// each rule and then of the state, as `choice_assigns` lists them
/// (`Value` expressions, `None` where there is no `Assign`); if any has
/// some, the function returns them with the target.
fn choice_body(
    c: &asl_runtime::machine::Choice,
    targets: &dyn Fn(&str) -> Option<TokenStream>,
    conditions: Vec<TokenStream>,
    mut assigned: Vec<Option<TokenStream>>,
) -> Option<(Shape, TokenStream)> {
    let assigning = assigned.iter().any(Option::is_some);
    let own = assigned.pop().flatten();
    let mut tests = Vec::new();
    for ((b, test), assigned) in c.choices.iter().zip(conditions).zip(assigned) {
        let go = chosen(targets(&b.next)?, assigned, assigning);
        tests.push(quote!(if #test { return #go; }));
    }
    let default = match &c.default {
        Some(d) => chosen(targets(d)?, own, assigning),
        None => quote!(None),
    };
    let shape = if assigning { Shape::TargetAssigning } else { Shape::Target };
    Some((shape, quote!(#(#tests)* #default)))
}

/// Where a Choice goes, as its fast function returns it: the target, with
/// the variables `assigned` (an expression of a `Value`) when the state
/// assigns any (`Shape::TargetAssigning`), held to AWS's quotas.
fn chosen(target: TokenStream, assigned: Option<TokenStream>, assigning: bool) -> TokenStream {
    match (assigning, assigned) {
        (false, _) => quote!(Some(#target)),
        (true, None) => quote!(Some((#target, Value::Null))),
        (true, Some(assigned)) => quote!({
            let assigned: Value = #assigned;
            if !rt::within_quota(&assigned) {
                return None;
            }
            Some((#target, assigned))
        }),
    }
}

/// The fast path of `s`, if it has one. `targets` names the enum variant
/// of a state of the same container.
pub fn fast(s: &State, targets: &dyn Fn(&str) -> Option<TokenStream>) -> Option<Fast> {
    if s.query_language == QueryLanguage::Jsonata {
        return jsonata_state(s, targets);
    }
    // Of the JSONPath states with `Assign`, a Pass's and a Choice's are
    // compiled.
    if s.assign.is_some() && !matches!(s.body, Body::Pass { .. } | Body::Choice(_)) {
        return None;
    }
    let fast = match &s.body {
        Body::Pass { result } => {
            let body = pass(s, result.as_ref())?;
            // The variables go with the state's events, not in place.
            if s.assign.is_some() {
                Fast::new(Shape::OutputAssigning, body)
            } else {
                Fast { in_place: pass_in_place(s, result.as_ref()), ..Fast::new(Shape::Output, body) }
            }
        }
        Body::Succeed => {
            let selected = select(&s.input_path, quote!(input))?;
            let output = select(&s.output_path, quote!(selected))?;
            let empty = empty_if_needed(s);
            let body = quote! {
                #empty
                let selected: &Value = #selected;
                let output: &Value = #output;
                Some(output.clone())
            };
            Fast::new(Shape::Output, body)
        }
        Body::Choice(_) => choice(s, targets)?,
        _ => return None,
    };
    // A `$$.Execution` or `$$.StateMachine` path reads `context`.
    let reads_context = mentions(&fast.body, "context");
    Some(Fast { reads_context, ..fast })
}

/// `{}`, for a `null` InputPath or OutputPath `p` to point at.
fn empty_for(p: &Option<Path>) -> TokenStream {
    if p.is_none() {
        quote!(let empty = Value::Object(Default::default());)
    } else {
        quote!()
    }
}

/// A Task's, Parallel's or Map's I/O steps as direct Rust, where there is
/// something to compute and it compiles: the bodies of
/// `fn(input: &Value, vars: &Vars, context: &ExecutionContext) ->
/// Option<Value>` (InputPath, then Parameters; or JSONata `Arguments`;
/// a Map has neither) and of `fn(input: &Value, result: &Value, vars,
/// context) -> Option<(Value, Value)>` (ResultSelector, `Assign`,
/// ResultPath, OutputPath; or JSONata `Assign` and `Output`): the output
/// and the variables assigned, `null` for none. The runtime runs the
/// state's work between them, and the model's evaluation wherever one
/// declines.
pub fn io(s: &State) -> (Option<TokenStream>, Option<TokenStream>) {
    if !matches!(s.body, Body::Task(_) | Body::Parallel { .. } | Body::Map(_)) {
        return (None, None);
    }
    if s.query_language == QueryLanguage::Jsonata {
        // `Arguments` from `$states.input`; `Assign` and `Output` from it
        // and `$states.result`, with the variables as at the state's entry.
        let effective = s.arguments.as_ref().and_then(|t| {
            let code = jsonata::template(t, &mut Reads::hook(false))?;
            Some(quote! {
                let value: Value = #code;
                if !rt::io::fits(&value, rt::MAX_PAYLOAD_BYTES) {
                    return None;
                }
                Some(value)
            })
        });
        let output = (s.output.is_some() || s.assign.is_some())
            .then(|| jsonata_assigning(s, quote!(result.clone()), &mut Reads::hook(true)))
            .flatten();
        return (effective, output);
    }
    let effective = (s.parameters.is_some() || !is_root(&s.input_path)).then(|| io_effective(s)).flatten();
    let output =
        (s.result_selector.is_some() || s.assign.is_some() || !is_root(&s.result_path) || !is_root(&s.output_path))
            .then(|| io_output(s))
            .flatten();
    (effective, output)
}

/// A JSONata state's `Assign` (evaluated first, as the runtime does,
/// with the variables as at the state's entry) and `Output`, else
/// `otherwise` (its input, or a Task's result): the end of a function
/// returning both (`output_assigning`).
fn jsonata_assigning(s: &State, otherwise: TokenStream, reads: &mut Reads) -> Option<TokenStream> {
    jsonata_assigning_with(&s.assign, &s.output, otherwise, reads)
}

/// `jsonata_assigning` for the `Assign` and `Output` of a state or of a
/// catcher.
fn jsonata_assigning_with(
    assign: &Option<crate::model::Assign>,
    output: &Option<asl_runtime::jsonata::Template>,
    otherwise: TokenStream,
    reads: &mut Reads,
) -> Option<TokenStream> {
    let assigned = match assign {
        None => quote!(Value::Null),
        Some(crate::model::Assign::Jsonata(t)) => jsonata::template(t, reads)?,
        Some(crate::model::Assign::Paths(_)) => return None,
    };
    let output = match output {
        None => otherwise,
        Some(t) => jsonata::template(t, reads)?,
    };
    Some(output_assigning(assigned, quote!(let output: Value = #output;)))
}

/// The end of a function returning an output and variables (a Pass's
/// that assigns, a Task's output step): the variables (`assigned`, a
/// `Value` expression, `null` for none) within AWS's quotas, then
/// `output` (statements binding `output`) within the payload limit.
fn output_assigning(assigned: TokenStream, output: TokenStream) -> TokenStream {
    quote! {
        let assigned: Value = #assigned;
        if !assigned.is_null() && !rt::within_quota(&assigned) {
            return None;
        }
        #output
        if !rt::io::fits(&output, rt::MAX_PAYLOAD_BYTES) {
            return None;
        }
        Some((output, assigned))
    }
}

/// InputPath then Parameters from `input`, as statements binding
/// `effective: Value` (an InputPath that selects nothing declines even
/// where constant Parameters do not read it).
fn effective_input(s: &State, context: ContextIn) -> Option<TokenStream> {
    let selected = select(&s.input_path, quote!(input))?;
    let effective = match &s.parameters {
        None => quote!(selected.clone()),
        Some(t) => template(t, &Scope::of(quote!(selected), context))?,
    };
    let selected = if mentions(&effective, "selected") {
        quote!(let selected: &Value = #selected;)
    } else {
        quote!(let _: &Value = #selected;)
    };
    Some(quote! {
        #selected
        let effective: Value = #effective;
    })
}

fn io_effective(s: &State) -> Option<TokenStream> {
    let effective = effective_input(s, ContextIn::State)?;
    let empty = empty_for(&s.input_path);
    Some(quote! {
        #empty
        #effective
        if !rt::io::fits(&effective, rt::MAX_PAYLOAD_BYTES) {
            return None;
        }
        Some(effective)
    })
}

fn io_output(s: &State) -> Option<TokenStream> {
    let result = match &s.result_selector {
        None => quote!(result.clone()),
        Some(t) => template(t, &Scope::of(quote!(result), ContextIn::State))?,
    };
    // `Assign` reads the selected result.
    let assigned = match &s.assign {
        None => quote!(Value::Null),
        Some(crate::model::Assign::Paths(t)) => assigned_over_result(t, ContextIn::State)?,
        Some(crate::model::Assign::Jsonata(_)) => return None,
    };
    let merged = merged(s);
    // A selector whose result `ResultPath: null` drops still runs: its
    // failure is the state's.
    let discard = if mentions(&merged, "result") { quote!() } else { quote!(let _ = &result;) };
    let output = output(s)?;
    let empty = empty_for(&s.output_path);
    let end = output_assigning(
        assigned,
        quote! {
            let merged = #merged;
            let output: Value = #output;
        },
    );
    Some(quote! {
        #empty
        let result: Value = #result;
        #discard
        #end
    })
}

/// What a Task's, Parallel's or Map's catchers do with the error they
/// catch, as generated code: the body of `fn(index: usize, input: &Value,
/// error_output: &Value, vars: &Vars, context: &ExecutionContext) ->
/// Option<(Value, Value)>`, the output and the variables (`null` for
/// none) of the catcher at `index`: JSONPath `Assign` over the Error
/// Output and `ResultPath` placing it into the input, or JSONata `Assign`
/// and `Output` (else the Error Output), both reading
/// `$states.errorOutput`. `None` where no catcher compiles; a catcher that
/// does not, or declines at run time, is the runtime's.
pub fn caught(s: &State) -> Option<TokenStream> {
    let jsonata = s.query_language == QueryLanguage::Jsonata;
    let arms: Vec<TokenStream> = s
        .catch
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let body = if jsonata {
                let mut reads = Reads::hook(false);
                reads.error_output_in_scope = true;
                jsonata_assigning_with(&c.assign, &c.output, quote!(error_output.clone()), &mut reads)?
            } else {
                let assigned = match &c.assign {
                    None => quote!(Value::Null),
                    Some(crate::model::Assign::Paths(t)) => {
                        template(t, &Scope::of(quote!(error_output), ContextIn::State))?
                    }
                    Some(crate::model::Assign::Jsonata(_)) => return None,
                };
                let merged = merged_at(&c.result_path);
                let result =
                    if mentions(&merged, "result") { quote!(let result = error_output.clone();) } else { quote!() };
                output_assigning(assigned, quote!(#result let output: Value = #merged;))
            };
            Some(quote!(#i => { #body }))
        })
        .collect();
    (!arms.is_empty()).then(|| {
        quote! {
            match index {
                #(#arms)*
                _ => None,
            }
        }
    })
}

/// How long a Wait that generated code runs itself waits, and what it
/// outputs.
pub enum WaitDelay {
    /// Fixed seconds; the input passes on.
    Seconds(u64),
    /// The body of `fn(input: &Value) -> Option<Duration>` (a
    /// `SecondsPath`, a `Timestamp`, a `TimestampPath`, a JSONata
    /// `Seconds` or `Timestamp`), `None` where the runtime raises an
    /// error instead; the input passes on.
    Read(TokenStream),
    /// A Wait with InputPath or OutputPath, `Assign` or JSONata `Output`,
    /// or whose delay reads variables: the bodies of `fn(input: &Value,
    /// vars: &Vars, context: &ExecutionContext) -> Option<Duration>` and of
    /// the same function returning `Option<(Value, Value)>`, its output and
    /// the variables it assigns (`null` for none).
    Io { delay: TokenStream, output: TokenStream },
}

/// A Wait's delay as an `Option<Duration>` expression, its rules the
/// runtime's (`exec::path_seconds` and the like): paths read `from`,
/// JSONata `$states.input`.
fn delay(w: &asl_runtime::machine::WaitFor, from: TokenStream, reads: &mut Reads) -> Option<TokenStream> {
    use asl_runtime::machine::WaitFor;
    Some(match w {
        WaitFor::Seconds(n) => quote!(Some(std::time::Duration::from_secs(#n))),
        WaitFor::Timestamp(t) => quote!(rt::timestamp_delay(#t)),
        WaitFor::SecondsPath(p) => {
            let a = access(p, from)?;
            quote!(rt::path_seconds(#a?))
        }
        WaitFor::TimestampPath(p) => {
            let a = access(p, from)?;
            quote!(rt::path_timestamp(#a?))
        }
        WaitFor::SecondsExpr(e) => {
            let seconds = jsonata::expr(e, reads)?;
            quote!(rt::expr_seconds(&#seconds))
        }
        WaitFor::TimestampExpr(e) => {
            let timestamp = jsonata::expr(e, reads)?;
            quote!(rt::expr_timestamp(&#timestamp))
        }
    })
}

/// A Wait state whose delay, output and variables compile. One that
/// passes its input on as it is (no InputPath or OutputPath to apply,
/// nothing assigned, no JSONata `Output`) and reads nothing else is
/// `Seconds` or `Read`; any other is `Io`.
pub fn wait(s: &State) -> Option<WaitDelay> {
    use asl_runtime::machine::WaitFor;
    let Body::Wait(w) = &s.body else { return None };
    let jsonata = s.query_language == QueryLanguage::Jsonata;
    let as_is = if jsonata { s.output.is_none() } else { is_root(&s.input_path) && is_root(&s.output_path) };
    if as_is && s.assign.is_none() {
        if let WaitFor::Seconds(n) = w {
            return Some(WaitDelay::Seconds(*n));
        }
        let mut reads = Reads::new(false);
        let read = delay(w, quote!(input), &mut reads)?;
        if !reads.vars && !reads.context {
            return Some(WaitDelay::Read(read));
        }
    }
    let mut reads = Reads::new(false);
    if jsonata {
        let delay = delay(w, quote!(input), &mut reads)?;
        let output = jsonata_assigning(s, quote!(input.clone()), &mut reads)?;
        return Some(WaitDelay::Io { delay, output });
    }
    // Paths, `Assign` and OutputPath read the input after InputPath.
    let selected = select(&s.input_path, quote!(input))?;
    let empty = empty_for(&s.input_path);
    // Each reads the selected input, or at least selects it: an
    // InputPath that selects nothing declines.
    let scoped = |code: TokenStream| {
        let name = if mentions(&code, "selected") { quote!(selected) } else { quote!(_) };
        quote!({
            #empty
            let #name: &Value = #selected;
            #code
        })
    };
    let delay = scoped(delay(w, quote!(selected), &mut reads)?);
    let assigned = match &s.assign {
        None => quote!(Value::Null),
        Some(crate::model::Assign::Paths(t)) => template(t, &Scope::of(quote!(selected), ContextIn::Execution))?,
        Some(crate::model::Assign::Jsonata(_)) => return None,
    };
    let output = match &s.output_path {
        None => quote!(Value::Object(Default::default())),
        Some(_) => {
            let o = select(&s.output_path, quote!(selected))?;
            quote!((#o).clone())
        }
    };
    // The input is selected once for both.
    let output = scoped(output_assigning(assigned, quote!(let output: Value = #output;)));
    Some(WaitDelay::Io { delay, output })
}

/// A Fail state's Error or Cause as generated code raises it.
pub enum FailText<'m> {
    /// Literal, or absent: nothing to evaluate.
    Literal(Option<&'m str>),
    /// Computed from the input (`ErrorPath`, an intrinsic, JSONata): a
    /// `String` expression, in a function of `input: &Value` returning
    /// `Option`.
    Computed(TokenStream),
}

/// A Fail state's Error and Cause, when both compile: literal, or read
/// from the input alone (a path, an intrinsic, a JSONata expression
/// that gives a string). Any other value declines, and the runtime raises
/// the state's error instead.
pub fn fail<'m>(s: &'m State) -> Option<(FailText<'m>, FailText<'m>)> {
    use asl_runtime::machine::FailText as Text;
    let Body::Fail(f) = &s.body else { return None };
    let scope = Scope::input(quote!(input));
    let text = |t: &'m Option<Text>| -> Option<FailText<'m>> {
        Some(match t {
            None => FailText::Literal(None),
            Some(Text::Literal(text)) => FailText::Literal(Some(text.as_str())),
            Some(Text::Path(p)) if p.is_definite() => {
                let a = access_in(p, &scope)?;
                FailText::Computed(quote!(rt::io::bare_text(#a?)))
            }
            Some(Text::Path(p)) => {
                let v = read(p, &scope)?;
                FailText::Computed(quote!(rt::io::bare_text(&#v)))
            }
            Some(Text::Call(c)) => {
                let v = call(c, &scope)?;
                FailText::Computed(quote!(rt::io::bare_text(&#v)))
            }
            Some(Text::Jsonata(e)) => {
                let mut reads = Reads::new(false);
                let v = jsonata::expr(e, &mut reads)?;
                if reads.vars || reads.context {
                    return None;
                }
                FailText::Computed(quote!(match #v {
                    Value::String(text) => text,
                    _ => return None,
                }))
            }
        })
    };
    Some((text(&f.error)?, text(&f.cause)?))
}

/// A JSONata Pass, Succeed or Choice whose expressions all compile
/// (`jsonata.rs`). A Pass or Succeed outputs its `Output`, else its input.
fn jsonata_state(s: &State, targets: &dyn Fn(&str) -> Option<TokenStream>) -> Option<Fast> {
    let mut reads = Reads::new(false);
    reads.state_name = Some(s.name.clone());
    let (shape, body) = match &s.body {
        // A Pass's variables are read as at its entry, like its `Output`.
        Body::Pass { result: None } if s.assign.is_some() => {
            (Shape::OutputAssigning, jsonata_assigning(s, quote!(input.clone()), &mut reads)?)
        }
        Body::Pass { result: None } | Body::Succeed => {
            let output = match &s.output {
                Some(t) => jsonata::template(t, &mut reads)?,
                None => quote!(input.clone()),
            };
            let body = quote! {
                let output: Value = #output;
                if !rt::io::fits(&output, rt::MAX_PAYLOAD_BYTES) {
                    return None;
                }
                Some(output)
            };
            (Shape::Output, body)
        }
        Body::Choice(c) => {
            if s.output.is_some() {
                return None;
            }
            let mut conditions = Vec::new();
            for b in &c.choices {
                let crate::model::Condition::Jsonata(t) = &b.condition else { return None };
                if b.output.is_some() {
                    return None;
                }
                conditions.push(jsonata::condition(t, &mut reads)?);
            }
            let assigned = choice_assigns(s, c)
                .map(|a| match a {
                    None => Some(None),
                    Some(crate::model::Assign::Jsonata(t)) => jsonata::template(t, &mut reads).map(Some),
                    Some(crate::model::Assign::Paths(_)) => None,
                })
                .collect::<Option<_>>()?;
            choice_body(c, targets, conditions, assigned)?
        }
        _ => return None,
    };
    let in_place =
        if matches!(shape, Shape::Output) && matches!(s.body, Body::Pass { .. }) { jsonata_in_place(s) } else { None };
    Some(Fast { shape, body, in_place, reads_vars: reads.vars, reads_context: reads.context })
}

/// A ResultSelector made of constants and definite paths that select
/// apart (none inside another), as code that moves each selected value out
/// of the result (`mut selected`, dropped after) instead of copying it.
fn taking(t: &Template) -> Option<TokenStream> {
    let Template::Object(fields) = t else { return None };
    let paths: Vec<&Path> = fields
        .iter()
        .filter_map(|(_, t)| match t {
            Template::Path { path, .. } => Some(path),
            _ => None,
        })
        .collect();
    let apart = paths.iter().enumerate().all(|(i, a)| {
        paths.iter().skip(i + 1).all(|b| {
            let n = a.segments.len().min(b.segments.len());
            a.segments[..n] != b.segments[..n]
        })
    });
    if paths.is_empty() || !apart {
        return None;
    }
    let mut out = Vec::new();
    for (k, t) in fields {
        out.push((
            k.as_str(),
            match t {
                Template::Constant(v) => value(v),
                Template::Path { path, .. } if path.root == Root::Input => {
                    let e = steps(quote!(Some(&mut selected)), &path.segments, true)?;
                    quote!(std::mem::take(#e?))
                }
                _ => return None,
            },
        ));
    }
    Some(object(out))
}

/// What a Map or Parallel does with its children's `result` (a `Value`
/// binding): the size limit, ResultSelector, ResultPath and OutputPath,
/// as statements ending in `merged` and the output expression.
fn after_result(s: &State) -> Option<(TokenStream, TokenStream)> {
    let selection = match &s.result_selector {
        None => quote!(),
        Some(t) => match taking(t) {
            Some(t) => quote!(let result = { let mut selected: Value = result; #t };),
            None => {
                let t = template(t, &Scope::input(quote!(selected)))?;
                quote!(let result = { let selected: &Value = &result; #t };)
            }
        },
    };
    let merged = merged(s);
    // `ResultPath: null` keeps the input: the children still run (their
    // errors count) but their outputs are dropped.
    let discard = if mentions(&merged, "result") { quote!() } else { quote!(let _ = result;) };
    let statements = quote! {
        if !rt::io::fits(&result, rt::MAX_PAYLOAD_BYTES) {
            return None;
        }
        #selection
        #discard
        let merged = #merged;
    };
    Some((statements, output(s)?))
}

/// `after_result` for JSONata: the state's `Output` over `$states.result`
/// (else the result itself), reading nothing but the input and the result.
fn jsonata_after_result(s: &State) -> Option<(TokenStream, TokenStream)> {
    let statements = quote! {
        if !rt::io::fits(&result, rt::MAX_PAYLOAD_BYTES) {
            return None;
        }
    };
    let Some(t) = &s.output else { return Some((statements, quote!(result))) };
    let mut reads = Reads::new(true);
    let output = jsonata::template(t, &mut reads)?;
    if reads.vars || reads.context {
        return None;
    }
    let output = quote!({
        let result: &Value = &result;
        let output: Value = #output;
        if !rt::io::fits(&output, rt::MAX_PAYLOAD_BYTES) {
            return None;
        }
        output
    });
    Some((statements, output))
}

/// A Map whose every iteration can run as direct Rust: `processor` is the
/// processor's synchronous runner (`fn(&Value) -> Option<(Value, u64)>`,
/// the output and how many history events the iteration recorded). The
/// body of `fn(input: &Value) -> Option<(Value, u64)>`: the Map's output
/// and the events of its iterations, their started and succeeded events
/// included. Any iteration that declines makes the whole Map decline,
/// before anything was recorded, and `run_state` runs it.
pub fn map(s: &State, processor: &Ident) -> Option<TokenStream> {
    if s.assign.is_some() || s.parameters.is_some() {
        return None;
    }
    let Body::Map(m) = &s.body else { return None };
    let jsonata = s.query_language == QueryLanguage::Jsonata;
    let plain = !m.distributed
        && (jsonata || m.items.is_none())
        && m.item_reader.is_none()
        && m.item_batcher.is_none()
        && m.result_writer.is_none()
        && m.tolerated_failure_count.is_none()
        && m.tolerated_failure_percentage.is_none()
        && matches!(m.max_concurrency, None | Some(NumberField::Literal(_)));
    if !plain {
        return None;
    }
    // JSONata reads the input as `$states.input`, which is `input`, and
    // takes its items from `Items` (else the input itself).
    let mut reads = Reads::new(false);
    let selected = if jsonata { quote!(input) } else { select(&s.input_path, quote!(input))? };
    let items = match map_items(m, &mut reads)? {
        jsonata::Code::Owned(items) => quote!(&#items),
        jsonata::Code::Ref(items) => items,
    };
    // An object ItemSelector is built once and written over for each
    // iteration, which only reads it: its constant fields stay as built.
    let refilled = m.item_selector.as_ref().and_then(|selector| refills(selector, &mut reads));
    let (reused, fill, iteration_input) = match (&m.item_selector, refilled) {
        (None, _) => (quote!(), quote!(), quote!(item)),
        (Some(selector), Some(writes)) => {
            let built = item_selector(selector, &mut reads)?;
            let fill = quote! {
                if let Some(Value::Object(fields)) = &mut iteration {
                    let mut slots = fields.values_mut();
                    #(#writes)*
                } else {
                    iteration = Some(#built);
                }
            };
            (quote!(let mut iteration: Option<Value> = None;), fill, quote!(iteration.as_ref()?))
        }
        (Some(selector), None) => {
            let t = item_selector(selector, &mut reads)?;
            (quote!(), quote!(), quote!(&#t))
        }
    };
    // The Map's function reads nothing but its input.
    if reads.vars || reads.context {
        return None;
    }
    let per_item = quote!(#fill #iteration_input);
    let index = if mentions(&per_item, "index_value") { quote!((index, item)) } else { quote!((_, item)) };
    let index_value =
        if mentions(&per_item, "index_value") { quote!(let index_value = Value::from(index);) } else { quote!() };
    let item = if mentions(&per_item, "item") { quote!() } else { quote!(let _ = item;) };
    let (after, output) = if jsonata { jsonata_after_result(s)? } else { after_result(s)? };
    let empty = empty_if_needed(s);
    // JSONata's `Items` and `ItemSelector` may read the input by name.
    let effective = if [&items, &per_item, &after, &output].iter().any(|t| mentions(t, "effective")) {
        quote!(let effective: &Value = #selected;)
    } else {
        quote!()
    };
    Some(quote! {
        #empty
        #effective
        let listed: &Value = #items;
        let items = listed.as_array()?;
        let mut outputs = Vec::with_capacity(items.len());
        let mut events = 0u64;
        #reused
        for #index in items.iter().enumerate() {
            #index_value
            #item
            #fill
            let (output, inner) = #processor(#iteration_input)?;
            outputs.push(output);
            events += 2 + inner;
        }
        let result = Value::Array(outputs);
        #after
        Some((#output, events))
    })
}

/// Statements writing an object ItemSelector's fields, in order, over
/// `slots` (the values of the last iteration's input): each field that
/// reads the item or its index, or calls a function that answers afresh
/// each time, is computed again; any other is left as the first
/// iteration built it, since the input it reads is the same for every
/// item. `None` where the selector is not such an object (not an object,
/// duplicate keys, a field that does not compile).
fn refills(selector: &ItemSelector, reads: &mut Reads) -> Option<Vec<TokenStream>> {
    use asl_runtime::jsonata::Template as Jsonata;
    fn constant(t: &Template) -> bool {
        match t {
            Template::Constant(_) => true,
            Template::Object(fields) => fields.iter().all(|(_, t)| constant(t)),
            Template::Array(items) => items.iter().all(constant),
            Template::Path { .. } | Template::Call { .. } => false,
        }
    }
    fn jsonata_constant(t: &Jsonata) -> bool {
        match t {
            Jsonata::Constant(_) => true,
            Jsonata::Object(fields) => fields.iter().all(|(_, t)| jsonata_constant(t)),
            Jsonata::Array(items) => items.iter().all(jsonata_constant),
            Jsonata::Expr(_) => false,
        }
    }
    /// The runtime's functions whose every call may give a new value
    /// (`States.UUID`, `States.MathRandom`, `$uuid`, `$random`, `$now`,
    /// `$millis`).
    const FRESH: [&str; 6] = ["Uuid", "MathRandom", "uuid", "random", "now", "millis"];
    let per_item = |code: TokenStream| {
        let varies = ["item", "index_value"].iter().chain(&FRESH).any(|name| mentions(&code, name));
        varies.then_some(code)
    };
    let scope = Scope::item_selector(reads);
    // Each field: its key, and its code where it varies from item to item.
    let fields: Vec<(&str, Option<TokenStream>)> = match selector {
        ItemSelector::Template(Template::Object(fields)) => fields
            .iter()
            .map(|(k, t)| Some((k.as_str(), if constant(t) { None } else { per_item(template(t, &scope)?) })))
            .collect::<Option<_>>()?,
        ItemSelector::Jsonata(Jsonata::Object(fields)) => {
            reads.map_item = true;
            fields
                .iter()
                .map(|(k, t)| {
                    let code = if jsonata_constant(t) { None } else { per_item(jsonata::template(t, reads)?) };
                    Some((k.as_str(), code))
                })
                .collect::<Option<_>>()?
        }
        _ => return None,
    };
    let distinct = fields.iter().enumerate().all(|(i, (k, _))| fields[..i].iter().all(|(seen, _)| seen != k));
    distinct.then(|| {
        fields
            .into_iter()
            .map(|(_, code)| match code {
                None => quote!(slots.next()?;),
                Some(v) => quote!(*slots.next()? = #v;),
            })
            .collect()
    })
}

/// A Map's items: JSONata `Items` (over `input`) as a `Value`
/// expression, else a `&Value` expression: an `ItemsPath` (over
/// `effective`, the input after InputPath), or `effective` itself.
fn map_items(m: &asl_runtime::machine::Map, reads: &mut Reads) -> Option<jsonata::Code> {
    Some(match (&m.items, &m.items_path) {
        (Some(t), _) => jsonata::Code::Owned(jsonata::template(t, reads)?),
        (None, Some(p)) => {
            let a = access(p, quote!(effective))?;
            jsonata::Code::Ref(quote!(#a?))
        }
        (None, None) => jsonata::Code::Ref(quote!(effective)),
    })
}

/// An iteration's input from its item as a `Value` expression: the
/// ItemSelector over `effective` (JSONPath) or `input` (JSONata), with
/// `$$.Map.Item.Value` and `.Index` the locals `item` and `index_value`.
fn item_selector(selector: &ItemSelector, reads: &mut Reads) -> Option<TokenStream> {
    match selector {
        ItemSelector::Template(t) => template(t, &Scope::item_selector(reads)),
        ItemSelector::Jsonata(t) => {
            reads.map_item = true;
            jsonata::template(t, reads)
        }
    }
}

/// A Map's steps before its iterations, for a Map that runs through the
/// runtime's driver (its iterations being any states): the bodies of
/// `fn(input: &Value, vars: &Vars, context: &ExecutionContext) ->
/// Option<Value>` (its items from the effective input, an array, where
/// `Items` or `ItemsPath` select them) and of `fn(input: &Value, index:
/// usize, item: &Value, vars, context) -> Option<Value>` (an iteration's
/// input, where there is an ItemSelector). The driver evaluates the model
/// wherever one declines (object items, a value that is not an array, an
/// expression not compiled).
pub fn map_steps(s: &State) -> (Option<TokenStream>, Option<TokenStream>) {
    let Body::Map(m) = &s.body else { return (None, None) };
    let items = (m.items.is_some() || m.items_path.is_some()).then(|| {
        let items = match map_items(m, &mut Reads::hook(false))? {
            jsonata::Code::Owned(items) => items,
            jsonata::Code::Ref(items) => quote!(#items.clone()),
        };
        let effective = if mentions(&items, "effective") { quote!(let effective: &Value = input;) } else { quote!() };
        Some(quote! {
            #effective
            let items: Value = #items;
            items.is_array().then_some(items)
        })
    });
    let item = m.item_selector.as_ref().map(|selector| {
        let value = item_selector(selector, &mut Reads::hook(false))?;
        let index_value =
            if mentions(&value, "index_value") { quote!(let index_value = Value::from(index);) } else { quote!() };
        let effective = if mentions(&value, "effective") { quote!(let effective: &Value = input;) } else { quote!() };
        Some(quote! {
            #effective
            #index_value
            Some(#value)
        })
    });
    (items.flatten(), item.flatten())
}

/// A Parallel whose every branch can run as direct Rust: `branches` are
/// their synchronous runners, in order. The body of
/// `fn(input: &Value) -> Option<(Value, u64)>`, as for `map`: each branch
/// gets the effective input, and the result lists their outputs.
pub fn parallel(s: &State, branches: &[Ident]) -> Option<TokenStream> {
    if s.assign.is_some() {
        return None;
    }
    // The branches borrow the effective input: it is copied only where
    // Arguments or Parameters build a new one.
    let (effective, (after, output)) = if s.query_language == QueryLanguage::Jsonata {
        let mut reads = Reads::new(false);
        let effective = match &s.arguments {
            None => quote!(let effective: &Value = input;),
            Some(t) => {
                let t = jsonata::template(t, &mut reads)?;
                quote!(let effective: &Value = &#t;)
            }
        };
        if reads.vars || reads.context {
            return None;
        }
        (effective, jsonata_after_result(s)?)
    } else if s.parameters.is_none() {
        let selected = select(&s.input_path, quote!(input))?;
        (quote!(let effective: &Value = #selected;), after_result(s)?)
    } else {
        let effective = effective_input(s, ContextIn::Nothing)?;
        (quote!(#effective let effective: &Value = &effective;), after_result(s)?)
    };
    let n = branches.len();
    let runs = branches.iter().map(|b| {
        quote! {
            let (output, inner) = #b(effective)?;
            outputs.push(output);
            events += inner;
        }
    });
    let empty = empty_if_needed(s);
    Some(quote! {
        #empty
        #effective
        let mut outputs = Vec::with_capacity(#n);
        let mut events = 0u64;
        #(#runs)*
        let result = Value::Array(outputs);
        #after
        Some((#output, events))
    })
}
