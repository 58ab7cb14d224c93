//! One module per state machine: the model built once, and for each
//! container (the machine, every Parallel branch, every Map processor) an
//! enum of its states, one `async fn` per state, and a trampoline that
//! dispatches on the enum. Each state's work is the runtime's `run_state`,
//! the function the interpreter calls.

use super::fast::{self, Shape};
use super::model;
use super::names::Names;
use crate::model::{Body, Container, StateMachine};
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

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

fn ident(s: &str) -> Ident {
    Ident::new(s, Span::call_site())
}

/// The module for one machine; `name` is what the machine is called at run
/// time (the file stem).
pub fn module(name: &str, sm: &StateMachine) -> TokenStream {
    let mut nodes = Vec::new();
    collect(&sm.root, Link::Root, &mut nodes);
    let build = model::machine(sm);
    let timeout = match sm.timeout_seconds {
        Some(t) => quote!(Some(#t)),
        None => quote!(None),
    };
    let accessors = nodes.iter().enumerate().map(|(k, n)| accessor(k, n));
    let nested_arms: Vec<TokenStream> = nodes
        .iter()
        .enumerate()
        .skip(1)
        .map(|(k, n)| {
            let pointer = &n.container.pointer;
            let run = format_ident!("run_container_{}", k);
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
    let choice_import = if nodes.iter().any(|n| has_rules(n.container)) {
        quote!(
            use asl_runtime::choice as c;
        )
    } else {
        quote!()
    };
    let containers: Vec<TokenStream> =
        nodes.iter().enumerate().map(|(k, n)| container(k, n.container, &nest_value)).collect();
    quote! {
        use asl_runtime::build as b;
        #choice_import
        use asl_runtime::cli::RunArgs;
        use asl_runtime::exec::{run_state, Execution, Flow, Machine, Nested, Transition};
        use asl_runtime::machine as m;
        use asl_runtime::{StatesError, Value};
        use futures::future::LocalBoxFuture;
        use std::process::ExitCode;

        /// The machine's name at run time.
        pub const NAME: &str = #name;

        /// One state's work: where to go next (`None`: the container ends) and the output.
        type StepFuture<'a, S> = LocalBoxFuture<'a, Result<(Option<S>, Value), StatesError>>;

        fn build() -> b::BuildResult<m::StateMachine> {
            Ok(#build)
        }

        thread_local! {
            static MODEL: &'static b::BuildResult<m::StateMachine> = Box::leak(Box::new(build()));
        }

        /// The checked model, built on first use.
        fn model() -> Result<&'static m::StateMachine, StatesError> {
            MODEL.with(|m| m.as_ref().map_err(|e| StatesError::runtime(format!("the embedded state machine is corrupt: {e}"))))
        }

        fn state(c: Option<&'static m::Container>, index: usize) -> Result<&'static m::State, StatesError> {
            c.and_then(|c| c.states.get_index(index)).map(|(_, s)| s)
                .ok_or_else(|| StatesError::runtime("the embedded state machine is corrupt: a state is missing"))
        }

        fn unknown_target(name: &str) -> StatesError {
            StatesError::runtime(format!("the state '{name}' does not exist"))
        }

        #(#accessors)*

        #(#containers)*

        #nested_impl

        /// The whole machine, for the runtime's execution driver.
        pub struct Compiled;

        impl Machine for Compiled {
            fn run<'a>(&'a self, exec: &'a Execution, flow: Flow, input: Value) -> LocalBoxFuture<'a, Result<Value, StatesError>> {
                Box::pin(run_container_0(exec, flow, input))
            }
        }

        /// Runs one execution with the command line's flags.
        pub fn run(args: &RunArgs) -> ExitCode {
            if let Err(e) = model() {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
            asl_runtime::cli::run_main(args, NAME, #timeout, &Compiled)
        }
    }
}

fn accessor(k: usize, n: &Node<'_>) -> TokenStream {
    let f = format_ident!("container_{}", k);
    let body = match n.link {
        Link::Root => quote!(model().ok().map(|m| &m.root)),
        Link::Branch { parent, state, branch } => {
            let p = format_ident!("container_{}", parent);
            quote! {
                match &#p()?.states.get_index(#state)?.1.body {
                    m::Body::Parallel { branches } => branches.get(#branch),
                    _ => None,
                }
            }
        }
        Link::Processor { parent, state } => {
            let p = format_ident!("container_{}", parent);
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

/// Whether any state of this container has a JSONPath Choice rule.
fn has_rules(c: &Container) -> bool {
    c.states.values().any(|s| match &s.body {
        Body::Choice(ch) => ch.choices.iter().any(|b| matches!(b.condition, crate::model::Condition::Rule(_))),
        _ => false,
    })
}

fn container(k: usize, c: &Container, nest: &TokenStream) -> TokenStream {
    let enum_name = format_ident!("States{}", k);
    let accessor = format_ident!("container_{}", k);
    let runner = format_ident!("run_container_{}", k);
    let target_fn = format_ident!("target_{}", k);
    let mut variants = Names::default();
    let mut fns = Names::default();
    let entries: Vec<(Ident, Ident, &str, &str)> = c
        .states
        .iter()
        .map(|(name, s)| {
            let v = ident(&variants.camel(name, "S"));
            let f = format_ident!("c{}_{}", k, fns.snake(name, "state"));
            (v, f, name.as_str(), s.body.type_name())
        })
        .collect();
    let variant_defs = entries.iter().map(|(v, _, name, ty)| {
        let doc = format!(" `{name}` ({ty})");
        quote!(#[doc = #doc] #v)
    });
    let targets = entries.iter().map(|(v, _, name, _)| quote!(#name => Some(#enum_name::#v)));
    let start = entries
        .iter()
        .find(|(_, _, name, _)| *name == c.start_at)
        .map(|(v, ..)| quote!(#enum_name::#v))
        .unwrap_or_else(|| quote!(compile_error!("StartAt names no state")));
    let state_fns = entries.iter().enumerate().map(|(i, (_, f, name, ty))| {
        let doc = format!(" State `{name}` ({ty}).");
        quote! {
            #[doc = #doc]
            async fn #f(exec: &Execution, flow: &Flow, input: Value) -> Result<(Option<#enum_name>, Value), StatesError> {
                let s = state(#accessor(), #i)?;
                let step = run_state(exec, flow, s, input, &#nest).await?;
                let next = match &step.transition {
                    Transition::End => None,
                    Transition::Next(n) => Some(#target_fn(n).ok_or_else(|| unknown_target(n))?),
                };
                Ok((next, step.output))
            }
        }
    });
    let target_of = |name: &str| -> Option<TokenStream> {
        entries.iter().find(|e| e.2 == name).map(|(v, ..)| quote!(#enum_name::#v))
    };
    let mut fast_fns = Vec::new();
    let arms: Vec<TokenStream> = entries
        .iter()
        .zip(c.states.values())
        .map(|((v, f, name, ty), s)| {
            let general = quote!(Box::pin(#f(exec, &flow, input)));
            let Some(fp) = fast::fast(s, &target_of) else {
                return quote!(#enum_name::#v => #general);
            };
            let fast_fn = format_ident!("fast_{}", f);
            let body = fp.body;
            // A constant result never reads the input.
            let input = if fast::mentions(&body, "input") { quote!(input) } else { quote!(_input) };
            let doc = format!(" `{name}` run directly; `None` sends it through `run_state`.");
            match fp.shape {
                Shape::Output => {
                    fast_fns.push(quote! {
                        #[doc = #doc]
                        fn #fast_fn(#input: &Value) -> Option<Value> { #body }
                    });
                    let then = match (&s.next, s.end) {
                        (Some(n), false) => match target_of(n) {
                            Some(t) => quote! { current = #t; input = output; continue; },
                            None => return quote!(#enum_name::#v => #general),
                        },
                        _ => quote!(return Ok(output);),
                    };
                    quote! {
                        #enum_name::#v => {
                            if let Some(output) = #fast_fn(&input) {
                                asl_runtime::exec::transit(&flow, #ty, #name, &input, &output);
                                #then
                            }
                            #general
                        }
                    }
                }
                Shape::Target => {
                    fast_fns.push(quote! {
                        #[doc = #doc]
                        fn #fast_fn(#input: &Value) -> Option<#enum_name> { #body }
                    });
                    quote! {
                        #enum_name::#v => {
                            if let Some(next) = #fast_fn(&input) {
                                asl_runtime::exec::transit(&flow, #ty, #name, &input, &input);
                                current = next;
                                continue;
                            }
                            #general
                        }
                    }
                }
            }
        })
        .collect();
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

        #(#state_fns)*

        #(#fast_fns)*

        /// Runs the container from its `StartAt`: a trampoline over its states.
        async fn #runner(exec: &Execution, flow: Flow, mut input: Value) -> Result<Value, StatesError> {
            let mut current = #start;
            loop {
                let step: StepFuture<'_, #enum_name> = match current {
                    #(#arms,)*
                };
                match step.await? {
                    (Some(next), output) => {
                        current = next;
                        input = output;
                    }
                    (None, output) => return Ok(output),
                }
            }
        }
    }
}
