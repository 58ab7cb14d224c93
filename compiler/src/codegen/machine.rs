//! One module per state machine: the model built once, and for each
//! container (the machine, every Parallel branch, every Map processor) an
//! enum of its states, their direct Rust forms (planned in `plan.rs`,
//! written by `fast.rs`), and a trampoline that dispatches on the enum. A
//! state without one, or whose direct form declines, runs through the
//! runtime's `run_state`, the function the interpreter calls (with its
//! compiled I/O steps, `Io`). Containers are planned bottom-up, so a Map
//! or Parallel knows whether its children run synchronously.

use super::fast::{self, Shape};
use super::names::Names;
use super::plan::{self, Direct, Plan};
use crate::model::{Body, Container, StateMachine};
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;
use std::collections::HashMap;

/// How a nested container is reached from its parent.
enum Link {
    Root,
    Branch { parent: usize, state: usize, branch: usize },
    Processor { parent: usize, state: usize },
}

struct Node<'m> {
    container: &'m Container,
    link: Link,
}

fn collect<'m>(c: &'m Container, link: Link, out: &mut Vec<Node<'m>>) {
    let id = out.len();
    out.push(Node { container: c, link });
    for (i, s) in c.states.values().enumerate() {
        match &s.body {
            Body::Parallel { branches } => {
                for (b, branch) in branches.iter().enumerate() {
                    collect(branch, Link::Branch { parent: id, state: i, branch: b }, out);
                }
            }
            Body::Map(m) => collect(&m.processor, Link::Processor { parent: id, state: i }, out),
            _ => {}
        }
    }
}

/// Where a state that is not a Choice goes: its `Next` with that state's
/// variant, or the end; `None` for a `Next` the container lacks.
fn successor<'m>(
    s: &'m crate::model::State,
    target_of: &dyn Fn(&str) -> Option<TokenStream>,
) -> Option<(Next<'m>, Option<TokenStream>)> {
    match (&s.next, s.end) {
        (Some(n), false) => Some((Next::State(n.as_str()), Some(target_of(n)?))),
        _ => Some((Next::End, None)),
    }
}

/// `Some("text")` or `None`, as code.
fn optional_str(s: Option<&str>) -> TokenStream {
    match s {
        Some(s) => quote!(Some(#s)),
        None => quote!(None),
    }
}

fn ident(s: &str) -> Ident {
    Ident::new(s, Span::call_site())
}

/// The names of one container's items, after the state that holds it:
/// the machine's own states are `States`, run by `run_root`; a Parallel
/// `Lookup`'s second branch is `LookupBranch2States`, run by
/// `run_lookup_branch_2`; a Map `Process`'s processor `ProcessItemsStates`.
struct Idents {
    /// snake_case, unique in the module: `root`, `lookup_branch_2`.
    stem: String,
    enum_name: Ident,
    /// What the container's state functions start with.
    state_prefix: String,
}

impl Idents {
    fn all(nodes: &[Node<'_>], fns: &mut Names) -> Vec<Idents> {
        let mut enums = Names::default();
        let mut out: Vec<Idents> = Vec::new();
        for n in nodes {
            let holder = |parent: usize, state: usize| {
                nodes[parent].container.states.get_index(state).map(|(name, _)| name.as_str()).unwrap_or("")
            };
            let label = match n.link {
                Link::Root => "root".to_string(),
                Link::Branch { parent, state, branch } => format!("{} branch {}", holder(parent, state), branch + 1),
                Link::Processor { parent, state } => format!("{} items", holder(parent, state)),
            };
            let stem = fns.snake(&label, "container");
            let (enum_name, state_prefix) = match n.link {
                Link::Root => (ident("States"), String::new()),
                _ => (format_ident!("{}States", enums.camel(&stem, "C")), format!("{stem} ")),
            };
            out.push(Idents { stem, enum_name, state_prefix });
        }
        out
    }

    fn accessor(&self) -> Ident {
        format_ident!("{}_container", self.stem)
    }

    fn runner(&self) -> Ident {
        format_ident!("run_{}", self.stem)
    }

    fn sync_runner(&self) -> Ident {
        format_ident!("sync_run_{}", self.stem)
    }

    fn target_fn(&self) -> Ident {
        format_ident!("{}_target", self.stem)
    }
}

/// One machine's module, and the data files it includes beside it.
pub struct Module {
    pub tokens: TokenStream,
    /// `<module>.model.json`: the checked model the general paths read.
    pub model: String,
}

/// The module for one machine; `name` is what the machine is called at run
/// time (the file stem), `file` the stem of its files in `src/` (the
/// definition is `<file>.asl.json`, the model `<file>.model.json`).
pub fn module(name: &str, file: &str, sm: &StateMachine, definition: &str) -> Result<Module, String> {
    let mut nodes = Vec::new();
    collect(&sm.root, Link::Root, &mut nodes);
    let model = serde_json::to_string_pretty(sm).map_err(|e| format!("cannot embed the model: {e}"))?;
    let model_file = format!("{file}.model.json");
    let definition_file = format!("{file}.asl.json");
    // The definition as written, for each state's doc comment.
    let written: Value = serde_json::from_str(definition).unwrap_or(Value::Null);
    let timeout = match sm.timeout_seconds {
        Some(t) => quote!(Some(#t)),
        None => quote!(None),
    };
    // The module's own items keep their names.
    let mut fns = Names::default();
    for taken in ["model", "compiled", "run"] {
        fns.snake(taken, "reserved");
    }
    let idents = Idents::all(&nodes, &mut fns);
    let accessors = nodes.iter().enumerate().map(|(k, n)| accessor(&idents, k, n));
    let nested_arms: Vec<TokenStream> = nodes
        .iter()
        .enumerate()
        .skip(1)
        .map(|(k, n)| {
            let pointer = &n.container.pointer;
            let run = idents[k].runner();
            quote!(#pointer => Box::pin(#run(self.0, flow, input)))
        })
        .collect();
    let nested_impl = if nested_arms.is_empty() {
        quote! {
            /// This machine has no Parallel or Map state: nothing is nested.
            struct Nest<'e>(std::marker::PhantomData<&'e Execution>);

            impl Nested for Nest<'_> {
                fn run<'a>(&'a self, container: &'a m::Container, _: Value, _: Flow) -> LocalBoxFuture<'a, Result<Value, StatesError>> {
                    let e = StatesError::runtime(format!("no code was generated for the container at {}", container.pointer));
                    Box::pin(async move { Err(e) })
                }
            }
        }
    } else {
        quote! {
            /// Runs Parallel branches and Map iterations with their generated code.
            struct Nest<'e>(&'e Execution);

            impl Nested for Nest<'_> {
                fn run<'a>(&'a self, container: &'a m::Container, input: Value, flow: Flow) -> LocalBoxFuture<'a, Result<Value, StatesError>> {
                    match container.pointer.as_str() {
                        #(#nested_arms,)*
                        other => {
                            let e = StatesError::runtime(format!("no code was generated for the container at {other}"));
                            Box::pin(async move { Err(e) })
                        }
                    }
                }
            }
        }
    };
    let nest_value = if nodes.len() > 1 { quote!(Nest(exec)) } else { quote!(Nest(std::marker::PhantomData)) };
    // Containers whose states all run as direct Rust get a synchronous
    // runner, and the Map or Parallel that holds them a fast path of its
    // own. Children come after their parents, so this goes bottom-up.
    let mut children: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
    for (k, n) in nodes.iter().enumerate() {
        match n.link {
            Link::Branch { parent, state, .. } | Link::Processor { parent, state } => {
                children.entry((parent, state)).or_default().push(k)
            }
            Link::Root => {}
        }
    }
    // Each container's states, named, then planned.
    let entries: Vec<Vec<Entry<'_>>> =
        nodes.iter().zip(&idents).map(|(n, id)| entries(id, n.container, &mut fns)).collect();
    let mut sync = vec![false; nodes.len()];
    let mut plans: Vec<Vec<Plan<'_>>> = (0..nodes.len()).map(|_| Vec::new()).collect();
    for k in (0..nodes.len()).rev() {
        let enum_name = &idents[k].enum_name;
        let target_of = |name: &str| variant_of(enum_name, &entries[k], name);
        let runners = |i: usize| -> Option<Vec<Ident>> {
            let kids = children.get(&(k, i))?;
            kids.iter().all(|&p| sync[p]).then(|| kids.iter().map(|&p| idents[p].sync_runner()).collect())
        };
        plans[k] = plan::container(nodes[k].container, &target_of, &runners);
        sync[k] = !matches!(nodes[k].link, Link::Root) && plan::synchronous(nodes[k].container, &plans[k]);
    }
    // A runner nobody calls would be dead code: only those whose parent
    // state got its direct form stay.
    for (&(k, i), kids) in &children {
        if !matches!(plans[k].get(i).and_then(|p| p.direct.as_ref()), Some(Direct::Nested(_))) {
            for &p in kids {
                sync[p] = false;
            }
        }
    }
    let containers: Vec<TokenStream> = nodes
        .iter()
        .zip(entries.iter().zip(plans))
        .enumerate()
        .map(|(k, (n, (entries, plans)))| {
            let around = Surroundings { sync: sync[k], written: &written };
            container(&idents[k], n.container, entries, plans, &nest_value, &around)
        })
        .collect();
    let tokens = quote! {
        use asl_runtime::generated::{self as rt, model as m};
        use rt::{Execution, Flow, Linked, LocalBoxFuture, Machine, Nested, RunArgs, StatesError, Transition, Value};
        use std::process::ExitCode;

        /// The machine's name at run time.
        pub const NAME: &str = #name;


        /// The checked model: paths, templates and expressions as their text.
        static MODEL: rt::Embedded = rt::Embedded::new(include_str!(#model_file));

        fn model() -> Result<&'static m::StateMachine, StatesError> {
            MODEL.model()
        }

        #(#accessors)*

        #(#containers)*

        #nested_impl

        /// The whole machine, for the runtime's execution driver.
        pub struct Compiled;

        impl Machine for Compiled {
            fn run<'a>(&'a self, exec: &'a Execution, flow: Flow, input: Value) -> LocalBoxFuture<'a, Result<Value, StatesError>> {
                Box::pin(run_root(exec, flow, input))
            }
        }

        /// The definition, as the server describes it.
        pub const DEFINITION: &str = include_str!(#definition_file);

        /// The machine as the server runs it.
        pub fn compiled() -> rt::Compiled {
            rt::Compiled {
                name: NAME,
                definition: DEFINITION,
                load: || rt::Loaded { machine: Box::new(Compiled), timeout_seconds: #timeout },
            }
        }

        /// Runs one execution with the command line's flags and the
        /// binary's linked task handlers; `machines` are those its
        /// `states:startExecution` tasks may start.
        pub fn run(args: &RunArgs, linked: &Linked, machines: Vec<rt::Startable>) -> ExitCode {
            rt::run_main(args, NAME, #timeout, &Compiled, linked, machines)
        }
    };
    Ok(Module { tokens, model })
}

/// A state's JSON as written, as doc comment lines: its nested states
/// (a Parallel's branches, a Map's processor) are left out, since each
/// container's enum documents its own.
fn written_doc(written: &Value, pointer: &str) -> Vec<String> {
    let Some(mut state) = written.pointer(pointer).cloned() else { return Vec::new() };
    if let Some(o) = state.as_object_mut() {
        for nested in ["Branches", "ItemProcessor", "Iterator"] {
            if let Some(v) = o.get_mut(nested) {
                *v = Value::String("…".into());
            }
        }
    }
    let text = serde_json::to_string_pretty(&state).unwrap_or_default();
    let mut lines = vec![String::new(), " ```json".to_string()];
    lines.extend(text.lines().map(|l| format!(" {l}")));
    lines.push(" ```".to_string());
    lines
}

fn accessor(idents: &[Idents], k: usize, n: &Node<'_>) -> TokenStream {
    let f = idents[k].accessor();
    let body = match n.link {
        Link::Root => quote!(model().ok().map(|m| &m.root)),
        Link::Branch { parent, state, branch } => {
            let p = idents[parent].accessor();
            let branch = if branch == 0 { quote!(first()) } else { quote!(get(#branch)) };
            quote! {
                match &#p()?.states.get_index(#state)?.1.body {
                    m::Body::Parallel { branches } => branches.#branch,
                    _ => None,
                }
            }
        }
        Link::Processor { parent, state } => {
            let p = idents[parent].accessor();
            quote! {
                match &#p()?.states.get_index(#state)?.1.body {
                    m::Body::Map(map) => Some(&map.processor),
                    _ => None,
                }
            }
        }
    };
    let doc =
        format!(" The container at `{}`.", if n.container.pointer.is_empty() { "/" } else { &n.container.pointer });
    quote! {
        #[doc = #doc]
        fn #f() -> Option<&'static m::Container> {
            #body
        }
    }
}

/// A generated function's parameter `n`, named with a leading underscore
/// where `body` does not read it (generated code is warning-free).
fn param(body: &TokenStream, n: &str) -> Ident {
    if fast::mentions(body, n) {
        format_ident!("{n}")
    } else {
        format_ident!("_{n}")
    }
}

/// Where a fast state goes when its fast path succeeds.
#[derive(Clone, Copy)]
enum Next<'m> {
    /// A Choice: the fast function returns the target.
    Chosen,
    State(&'m str),
    End,
}

struct Fused<'m> {
    fast_fn: Ident,
    /// The call's arguments: the input, and the variables if it reads them.
    args: TokenStream,
    in_place_fn: Option<Ident>,
    /// Whether the fast function returns the variables it assigns with
    /// its output or target.
    assigning: bool,
    ty: &'m str,
    next: Next<'m>,
}

/// How many transitions lead to each state of the container.
fn predecessor_counts(c: &Container) -> HashMap<&str, usize> {
    let mut n: HashMap<&str, usize> = HashMap::new();
    for s in c.states.values() {
        for t in s.targets() {
            *n.entry(t).or_default() += 1;
        }
    }
    n
}

/// Chains of fused states are bounded so generated functions stay small.
const MAX_FUSED: usize = 16;

/// What fusing chains needs to know about a container's fast states.
struct Chains<'a, 'm> {
    fasts: &'a HashMap<&'m str, Fused<'m>>,
    variants: &'a HashMap<&'m str, Ident>,
    predecessors: &'a HashMap<&'m str, usize>,
    start: &'a str,
    enum_name: &'a Ident,
}

impl<'m> Chains<'_, 'm> {
    /// A fast state only reached from one fast state, which runs it in place.
    fn fused_into_predecessor(&self, name: &str) -> bool {
        self.fasts.contains_key(name)
            && self.predecessors.get(name) == Some(&1)
            && name != self.start
            && self.fasts.values().any(|f| matches!(f.next, Next::State(n) if n == name))
    }

    /// The fast attempt of `name` (the current state), continuing into its
    /// successor's when that successor is only reached from here. Each
    /// state's code appears once: a chain longer than `MAX_FUSED` breaks,
    /// and the state it breaks at is pushed to `breaks` to get an arm of
    /// its own.
    fn attempt(&self, name: &str, depth: usize, breaks: &mut Vec<&'m str>) -> TokenStream {
        let Some(f) = self.fasts.get(name) else { return quote!() };
        let (fast_fn, args, ty, enum_name) = (&f.fast_fn, &f.args, f.ty, self.enum_name);
        // A state that assigns sets its variables as its events are
        // recorded; its fast function gives them with what it computed.
        let transit = |output: TokenStream| match f.assigning {
            true => quote!(rt::transit_assigning(&flow, #ty, #name, &input, #output, assigned);),
            false => quote!(rt::transit(&flow, #ty, #name, &input, #output);),
        };
        let (output, next) = match f.assigning {
            true => (quote!((output, assigned)), quote!((next, assigned))),
            false => (quote!(output), quote!(next)),
        };
        let (same, made) = (transit(quote!(&input)), transit(quote!(&output)));
        match f.next {
            Next::Chosen => quote! {
                if let Some(#next) = #fast_fn(#args) {
                    #same
                    current = next;
                    continue;
                }
            },
            Next::End => quote! {
                if let Some(#output) = #fast_fn(#args) {
                    #made
                    return Ok(output);
                }
            },
            Next::State(next) => {
                let Some(v) = self.variants.get(next) else { return quote!() };
                let inner = if !self.fused_into_predecessor(next) {
                    quote!()
                } else if depth < MAX_FUSED {
                    self.attempt(next, depth + 1, breaks)
                } else {
                    breaks.push(next);
                    quote!()
                };
                let in_place = match &f.in_place_fn {
                    Some(ip) => quote! {
                        if !recording && #ip(&mut input).is_some() {
                            rt::transit(&flow, #ty, #name, &input, &input);
                            true
                        } else
                    },
                    None => quote!(),
                };
                quote! {
                    let advanced = #in_place if let Some(#output) = #fast_fn(#args) {
                        #made
                        input = output;
                        true
                    } else {
                        false
                    };
                    if advanced {
                        current = #enum_name::#v;
                        #inner
                        continue;
                    }
                }
            }
        }
    }
}

/// `sync_run_STEM`: the container's states one after another as
/// direct Rust, for its Map or Parallel to run it without `run_state`.
fn sync_runner(
    runner: &Ident,
    c: &Container,
    fasts: &HashMap<&str, Fused<'_>>,
    nested: &HashMap<&str, (Ident, Next<'_>)>,
    start: &TokenStream,
    target_of: &dyn Fn(&str) -> Option<TokenStream>,
) -> TokenStream {
    let mut arms = Vec::new();
    let mut nexts = Vec::new();
    for name in c.states.keys() {
        let Some(variant) = target_of(name) else { return quote!() };
        // A simple state records an entered and an exited event; a Map or
        // Parallel four around its children's.
        let (call, next) = match (fasts.get(name.as_str()), nested.get(name.as_str())) {
            (Some(f), _) => {
                let fast_fn = &f.fast_fn;
                (quote!({ events += 2; #fast_fn(input)? }), f.next)
            }
            (None, Some((fast_fn, next))) => (
                quote!({
                    let (output, inner) = #fast_fn(input)?;
                    events += 4 + inner;
                    output
                }),
                *next,
            ),
            (None, None) => return quote!(),
        };
        nexts.push(next);
        arms.push(match next {
            Next::Chosen => quote!(#variant => current = #call,),
            Next::End => quote!(#variant => return Some((#call, events)),),
            Next::State(n) => {
                let Some(t) = target_of(n) else { return quote!() };
                quote!(#variant => {
                    owned = Some(#call);
                    current = #t;
                })
            }
        });
    }
    // Only a state that goes on rewrites the input (the first state reads
    // the caller's); only a Choice or such a state moves to another.
    let rewrites = nexts.iter().any(|n| matches!(n, Next::State(_)));
    let moves = nexts.iter().any(|n| !matches!(n, Next::End));
    let (owned, input) = if rewrites {
        (quote!(let mut owned: Option<Value> = None;), quote!(let input: &Value = owned.as_ref().unwrap_or(first);))
    } else {
        (quote!(), quote!(let input: &Value = first;))
    };
    let current = if moves { quote!(mut current) } else { quote!(current) };
    quote! {
        /// The container run synchronously, every state as direct Rust: the
        /// output and how many history events it recorded; `None` if any
        /// state declines (its Map or Parallel then runs through `run_state`).
        fn #runner(first: &Value) -> Option<(Value, u64)> {
            let #current = #start;
            let mut events = 0u64;
            #owned
            loop {
                // A run that would fill a history is left to `run_state`,
                // which fails it as AWS does.
                if events > rt::STANDARD_HISTORY_LIMIT {
                    return None;
                }
                #input
                match current {
                    #(#arms)*
                }
            }
        }
    }
}

/// What a container's code depends on beyond its states.
struct Surroundings<'a> {
    /// Give the container a synchronous runner (a Map processor or a
    /// Parallel branch whose states all run as direct Rust).
    sync: bool,
    /// The definition as written, for the doc comments.
    written: &'a Value,
}

/// A state as its container's code names it: its variant, the stem of its
/// functions, its name and its type.
type Entry<'m> = (Ident, Ident, &'m str, &'static str);

/// The entries of a container's states, in the model's order.
fn entries<'m>(idents: &Idents, c: &'m Container, fns: &mut Names) -> Vec<Entry<'m>> {
    let mut variants = Names::default();
    c.states
        .iter()
        .map(|(name, s)| {
            let v = ident(&variants.camel(name, "S"));
            let f = ident(&fns.snake(&format!("{}{name}", idents.state_prefix), "state"));
            (v, f, name.as_str(), s.body.type_name())
        })
        .collect()
}

/// A state's variant, as code, by the state's name.
fn variant_of(enum_name: &Ident, entries: &[Entry<'_>], name: &str) -> Option<TokenStream> {
    entries.iter().find(|e| e.2 == name).map(|(v, ..)| quote!(#enum_name::#v))
}

/// A Wait's arm of a container's trampoline, when generated code sleeps
/// it itself (not in a durable execution, where `run_state` commits its
/// deadline), and the functions it calls (into `fast_fns`).
fn wait_arm(
    f: &Ident,
    name: &str,
    delay: fast::WaitDelay,
    go_on: TokenStream,
    fast_fns: &mut Vec<TokenStream>,
) -> TokenStream {
    match delay {
        fast::WaitDelay::Seconds(n) => quote! {
            if rt::waits_directly(exec) {
                rt::wait_state(&flow, #name, &input, std::time::Duration::from_secs(#n)).await;
                #go_on
            }
        },
        fast::WaitDelay::Read(delay) => {
            let wait_fn = format_ident!("wait_{}", f);
            let doc = format!(" How long Wait `{name}` waits; `None` sends it through `run_state`.");
            let input = param(&delay, "input");
            fast_fns.push(quote! {
                #[doc = #doc]
                fn #wait_fn(#input: &Value) -> Option<std::time::Duration> { #delay }
            });
            quote! {
                if let (true, Some(delay)) = (rt::waits_directly(exec), #wait_fn(&input)) {
                    rt::wait_state(&flow, #name, &input, delay).await;
                    #go_on
                }
            }
        }
        fast::WaitDelay::Io { delay, output } => {
            // Not `wait_out_`: a state named `Out …` has `wait_out_…`.
            let (wait_fn, out_fn) = (format_ident!("wait_{}", f), format_ident!("waited_{}", f));
            let doc = format!(" How long Wait `{name}` waits; `None` sends it through `run_state`.");
            let out_doc = format!(" Wait `{name}`'s output and the variables it assigns; `None`: as above.");
            for (f, doc, body, ret) in [
                (&wait_fn, doc, delay, quote!(Option<std::time::Duration>)),
                (&out_fn, out_doc, output, quote!(Option<(Value, Value)>)),
            ] {
                let (input, vars, context) = (param(&body, "input"), param(&body, "vars"), param(&body, "context"));
                fast_fns.push(quote! {
                    #[doc = #doc]
                    fn #f(#input: &Value, #vars: &rt::Vars, #context: &rt::ExecutionContext) -> #ret { #body }
                });
            }
            quote! {
                if rt::waits_directly(exec) {
                    let steps = (#wait_fn(&input, &flow.vars, &exec.context), #out_fn(&input, &flow.vars, &exec.context));
                    if let (Some(delay), Some((output, assigned))) = steps {
                        rt::wait_state_assigning(&flow, #name, &input, delay, &output, assigned).await;
                        input = output;
                        #go_on
                    }
                }
            }
        }
    }
}

/// A Fail's arm of a container's trampoline: literal texts raised as they
/// are, computed ones through a function (into `fast_fns`) that declines
/// to `run_state` where a value is not what the runtime would take.
fn fail_arm(
    f: &Ident,
    name: &str,
    error: fast::FailText<'_>,
    cause: fast::FailText<'_>,
    fast_fns: &mut Vec<TokenStream>,
) -> TokenStream {
    match (error, cause) {
        (fast::FailText::Literal(error), fast::FailText::Literal(cause)) => {
            let (error, cause) = (optional_str(error), optional_str(cause));
            quote!(return Err(rt::fail_state(&flow, #name, &input, #error, #cause));)
        }
        (error, cause) => {
            let fail_fn = format_ident!("fail_{}", f);
            let doc = format!(" Fail `{name}`'s error and cause; `None` sends it through `run_state`.");
            let text = |t: fast::FailText<'_>| match t {
                fast::FailText::Literal(Some(text)) => quote!(Some(#text.to_string())),
                fast::FailText::Literal(None) => quote!(None),
                fast::FailText::Computed(text) => quote!(Some(#text)),
            };
            let (error, cause) = (text(error), text(cause));
            let body = quote!(Some((#error, #cause)));
            let input = param(&body, "input");
            fast_fns.push(quote! {
                #[doc = #doc]
                fn #fail_fn(#input: &Value) -> Option<(Option<String>, Option<String>)> { #body }
            });
            quote! {
                if let Some((error, cause)) = #fail_fn(&input) {
                    return Err(rt::fail_state(&flow, #name, &input, error.as_deref(), cause.as_deref()));
                }
            }
        }
    }
}

/// A container's code, rendered from its states' plans.
fn container(
    idents: &Idents,
    c: &Container,
    entries: &[Entry<'_>],
    plans: Vec<Plan<'_>>,
    nest: &TokenStream,
    around: &Surroundings<'_>,
) -> TokenStream {
    let Surroundings { sync, written } = *around;
    let enum_name = &idents.enum_name;
    let accessor = idents.accessor();
    let runner = idents.runner();
    let target_fn = idents.target_fn();
    // The direct forms by kind, each with its state's entry, and the I/O
    // steps, in the model's order.
    let (mut fast_states, mut nested_states, mut waits, mut fails, mut io_states) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for ((entry, s), p) in entries.iter().zip(c.states.values()).zip(plans) {
        match p.direct {
            Some(Direct::Fast(f)) => fast_states.push((entry, s, f)),
            Some(Direct::Nested(body)) => nested_states.push((entry, s, body)),
            Some(Direct::Wait(delay)) => waits.push((entry, s, delay)),
            Some(Direct::Fail { error, cause }) => fails.push((entry, error, cause)),
            None => {}
        }
        io_states.push((entry, p.io));
    }
    // Discriminants are the states' indices in the model.
    let variant_defs = entries.iter().zip(c.states.values()).enumerate().map(|(i, ((v, _, name, ty), s))| {
        let doc = format!(" `{name}` ({ty})");
        let json = written_doc(written, &s.pointer);
        let i = i as isize;
        quote!(#[doc = #doc] #(#[doc = #json])* #v = #i)
    });
    let targets = entries.iter().map(|(v, _, name, _)| quote!(#name => Some(#enum_name::#v)));
    let target_of = |name: &str| variant_of(enum_name, entries, name);
    let start = target_of(&c.start_at).unwrap_or_else(|| quote!(compile_error!("StartAt names no state")));
    // First every state's fast path, then the dispatch arms, which fuse
    // chains: a fast state whose successor has no other predecessor runs
    // that successor's fast path straight away, without going through the
    // dispatch in between.
    let mut fast_fns = Vec::new();
    let mut fasts: HashMap<&str, Fused> = HashMap::new();
    for ((_, f, name, ty), s, fp) in fast_states {
        let fast_fn = format_ident!("fast_{}", f);
        let body = fp.body;
        let doc = format!(" State `{name}` ({ty}) as direct Rust; `None` sends it through `run_state`.");
        let ret = match fp.shape {
            Shape::Output => quote!(Value),
            Shape::OutputAssigning => quote!((Value, Value)),
            Shape::Target => quote!(#enum_name),
            Shape::TargetAssigning => quote!((#enum_name, Value)),
        };
        // The function names the parameters it does not read with a
        // leading underscore (a constant result never reads the input).
        let mut args = quote!(&input);
        if fp.reads_vars {
            args.extend(quote!(, &flow.vars));
        }
        if fp.reads_context {
            args.extend(quote!(, &exec.context));
        }
        let input = param(&body, "input");
        let mut fast_params = quote!(#input: &Value);
        if fp.reads_vars {
            let vars = param(&body, "vars");
            fast_params.extend(quote!(, #vars: &rt::Vars));
        }
        if fp.reads_context {
            let context = param(&body, "context");
            fast_params.extend(quote!(, #context: &rt::ExecutionContext));
        }
        fast_fns.push(quote! {
            #[doc = #doc]
            #[inline(never)]
            fn #fast_fn(#fast_params) -> Option<#ret> { #body }
        });
        let assigning = matches!(fp.shape, Shape::OutputAssigning | Shape::TargetAssigning);
        let next = match fp.shape {
            Shape::Target | Shape::TargetAssigning => Next::Chosen,
            Shape::Output | Shape::OutputAssigning => match successor(s, &target_of) {
                Some((next, _)) => next,
                None => continue,
            },
        };
        // Only a state that goes on to another one updates in place.
        let in_place = if matches!(next, Next::State(_)) { fp.in_place } else { None };
        let in_place_fn = in_place.map(|body| {
            let ip = format_ident!("in_place_{}", f);
            let doc = format!(" State `{name}` written over its input when the keys allow; `None` changes nothing.");
            fast_fns.push(quote! {
                #[doc = #doc]
                #[inline(never)]
                fn #ip(input: &mut Value) -> Option<()> { #body }
            });
            ip
        });
        fasts.insert(name, Fused { fast_fn, args, in_place_fn, assigning, ty, next });
    }
    let mut nested_arms = Vec::new();
    let mut nested_fns: HashMap<&str, (Ident, Next)> = HashMap::new();
    for ((v, f, name, ty), s, body) in nested_states {
        let fast_fn = format_ident!("fast_{}", f);
        let doc = format!(
            " {ty} `{name}` with its children as direct Rust: the output and their events; `None` sends it through `run_state`."
        );
        // Constant `Items` read no input.
        let input = param(&body, "input");
        fast_fns.push(quote! {
            #[doc = #doc]
            #[inline(never)]
            fn #fast_fn(#input: &Value) -> Option<(Value, u64)> { #body }
        });
        let Some((next, target)) = successor(s, &target_of) else { continue };
        let go_on = match target {
            Some(t) => quote! {
                input = output;
                current = #t;
                continue;
            },
            None => quote!(return Ok(output);),
        };
        nested_arms.push(quote! {
            #enum_name::#v => {
                if !recording {
                    if let Some((output, events)) = #fast_fn(&input) {
                        rt::nested_transit(&flow, #ty, events);
                        #go_on
                    }
                }
            }
        });
        nested_fns.insert(name, (fast_fn, next));
    }
    let sync_runner =
        if sync { sync_runner(&idents.sync_runner(), c, &fasts, &nested_fns, &start, &target_of) } else { quote!() };
    let predecessors = predecessor_counts(c);
    let variants: HashMap<&str, Ident> = entries.iter().map(|(v, _, name, _)| (*name, v.clone())).collect();
    let chains =
        Chains { fasts: &fasts, variants: &variants, predecessors: &predecessors, start: &c.start_at, enum_name };
    // A state fused into its predecessor's arm has none of its own (if its
    // predecessor ran through `run_state`, so does it).
    let mut heads: Vec<&str> =
        entries.iter().map(|e| e.2).filter(|n| fasts.contains_key(n) && !chains.fused_into_predecessor(n)).collect();
    let mut arms = Vec::new();
    while let Some(name) = heads.pop() {
        let mut breaks = Vec::new();
        let attempt = chains.attempt(name, 0, &mut breaks);
        heads.extend(breaks);
        if let Some(v) = variants.get(name) {
            arms.push(quote!(#enum_name::#v => { #attempt }));
        }
    }
    arms.reverse();
    let has_nested_arms = !nested_arms.is_empty();
    arms.extend(nested_arms);
    for ((v, f, name, _), s, delay) in waits {
        let Some((_, target)) = successor(s, &target_of) else { continue };
        let go_on = match target {
            Some(t) => quote!(current = #t; continue;),
            None => quote!(return Ok(input);),
        };
        let wait = wait_arm(f, name, delay, go_on, &mut fast_fns);
        arms.push(quote!(#enum_name::#v => { #wait }));
    }
    for ((v, f, name, _), error, cause) in fails {
        let arm = fail_arm(f, name, error, cause, &mut fast_fns);
        arms.push(quote!(#enum_name::#v => { #arm }));
    }
    let others = if arms.len() < entries.len() { quote!(_ => {}) } else { quote!() };
    // In-place updates skip the input copy the history's events would need,
    // and fast Maps and Parallels leave out the details of their events.
    let recording = if has_nested_arms || fasts.values().any(|f| f.in_place_fn.is_some()) {
        quote!(let recording = rt::recording(&flow);)
    } else {
        quote!()
    };
    let fast_dispatch = if arms.is_empty() {
        quote!()
    } else {
        quote! {
            if rt::fast_paths_open(&flow) {
                match current {
                    #(#arms)*
                    #others
                }
            }
        }
    };
    // Tasks, Parallels and Maps run through `run_state` with their I/O
    // steps and Retry and Catch matchers as generated code.
    let mut io_arms = Vec::new();
    for ((v, f, name, ty), steps) in io_states {
        let plan::IoSteps { effective, output, items, item, retrier, catcher, caught } = steps;
        if [&effective, &output, &items, &item, &retrier, &catcher, &caught].iter().all(|s| s.is_none()) {
            continue;
        }
        // Each step a function of what its body reads (the rest named
        // unused), and the `rt::Io` field that holds it.
        let mut step = |body: Option<TokenStream>,
                        (field, prefix): (&str, &str),
                        what: &str,
                        params: &[(&str, TokenStream)],
                        ret| {
            body.map(|body: TokenStream| {
                let step_fn = format_ident!("{prefix}_{}", f);
                let doc = format!(" {ty} `{name}`'s {what}.");
                let params = params.iter().map(|(n, t)| {
                    let p = param(&body, n);
                    quote!(#p: #t)
                });
                fast_fns.push(quote! {
                    #[doc = #doc]
                    fn #step_fn(#(#params),*) -> #ret { #body }
                });
                let field = format_ident!("{field}");
                quote!(#field: Some(#step_fn),)
            })
        };
        let (value, vars, context) = (quote!(&Value), quote!(&rt::Vars), quote!(&rt::Context<'_>));
        let declines = "; `None`: the model's evaluation";
        let effective = step(
            effective,
            ("effective", "io_in"),
            &format!("effective input{declines}"),
            &[("input", value.clone()), ("vars", vars.clone()), ("context", context.clone())],
            quote!(Option<Value>),
        );
        let output = step(
            output,
            ("output", "io_out"),
            &format!("output from its result, and the variables it assigns{declines}"),
            &[
                ("input", value.clone()),
                ("result", value.clone()),
                ("vars", vars.clone()),
                ("context", context.clone()),
            ],
            quote!(Option<(Value, Value)>),
        );
        let items = step(
            items,
            ("items", "io_items"),
            &format!("items from its effective input{declines}"),
            &[("input", value.clone()), ("vars", vars.clone()), ("context", context.clone())],
            quote!(Option<Value>),
        );
        let item = step(
            item,
            ("item", "io_item"),
            &format!("iteration input from its item and the effective input{declines}"),
            &[
                ("input", value.clone()),
                ("index", quote!(usize)),
                ("item", value.clone()),
                ("vars", vars.clone()),
                ("context", context.clone()),
            ],
            quote!(Option<Value>),
        );
        let retrier = step(
            retrier,
            ("retrier", "retrier"),
            "retrier an error's name selects",
            &[("error", quote!(&str))],
            quote!(Option<usize>),
        );
        let catcher = step(
            catcher,
            ("catcher", "catcher"),
            "catcher an error's name selects",
            &[("error", quote!(&str))],
            quote!(Option<usize>),
        );
        let caught = step(
            caught,
            ("caught", "io_caught"),
            &format!("output and variables from the error a catcher caught{declines}"),
            &[
                ("index", quote!(usize)),
                ("input", value.clone()),
                ("error_output", value),
                ("vars", vars),
                ("context", context),
            ],
            quote!(Option<(Value, Value)>),
        );
        let fields = [effective, output, items, item, retrier, catcher, caught];
        let rest = if fields.iter().all(Option::is_some) { quote!() } else { quote!(..Default::default()) };
        io_arms.push(quote!(#enum_name::#v => rt::Io { #(#fields)* #rest },));
    }
    let run = if io_arms.is_empty() {
        quote!(rt::run_state(exec, &flow, s, input, &#nest))
    } else {
        let io_fn = format_ident!("io_of_{}", idents.stem);
        let others = if io_arms.len() < entries.len() { quote!(_ => Default::default(),) } else { quote!() };
        fast_fns.push(quote! {
            /// Each state's I/O steps that were compiled.
            fn #io_fn(state: #enum_name) -> rt::Io {
                match state {
                    #(#io_arms)*
                    #others
                }
            }
        });
        quote!(rt::run_state_with(exec, &flow, s, input, &#nest, #io_fn(current)))
    };
    let doc = format!(" The states of the container at `{}`.", if c.pointer.is_empty() { "/" } else { &c.pointer });
    quote! {
        #[doc = #doc]
        #[derive(Clone, Copy)]
        enum #enum_name {
            #(#variant_defs,)*
        }

        fn #target_fn(name: &str) -> Option<#enum_name> {
            match name {
                #(#targets,)*
                _ => None,
            }
        }

        #(#fast_fns)*

        #sync_runner

        /// Runs the container from its `StartAt`: states with a fast path run
        /// it; every other state (and any fast path that declines) runs
        /// through the runtime's `run_state`, as in the interpreter.
        async fn #runner(exec: &Execution, flow: Flow, mut input: Value) -> Result<Value, StatesError> {
            // A resumed flow goes on from the state it was in.
            let mut current = match flow.resume_at() {
                Some(n) => #target_fn(&n).ok_or_else(|| rt::unknown_target(&n))?,
                None => #start,
            };
            #recording
            loop {
                exec.pause().await;
                #fast_dispatch
                let s = rt::state(#accessor(), current as usize)?;
                let step = #run.await?;
                match step.transition {
                    Transition::End => return Ok(step.output),
                    Transition::Next(n) => current = #target_fn(&n).ok_or_else(|| rt::unknown_target(&n))?,
                }
                input = step.output;
            }
        }
    }
}
