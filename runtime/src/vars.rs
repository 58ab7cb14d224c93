//! Workflow variables: one scope per `States` container, inner scopes
//! (Parallel branches, Map iterations) read outer ones but assign only
//! their own.

use indexmap::IndexMap;
use serde_json::Value;
use std::cell::RefCell;
use std::rc::Rc;

#[derive(Debug, Default)]
pub struct Vars {
    own: RefCell<IndexMap<String, Value>>,
    parent: Option<Rc<Vars>>,
}

impl Vars {
    pub fn root() -> Rc<Vars> {
        Rc::new(Vars::default())
    }

    /// A child scope for a branch or an iteration. Distributed Map children
    /// get `Vars::root()` instead: they cannot see outer variables.
    pub fn child(parent: &Rc<Vars>) -> Rc<Vars> {
        Rc::new(Vars { own: RefCell::default(), parent: Some(parent.clone()) })
    }

    /// This scope's own variables, for a checkpoint.
    pub fn own(&self) -> IndexMap<String, Value> {
        self.own.borrow().clone()
    }

    /// Puts back a checkpoint's variables of this scope.
    pub fn restore(&self, values: IndexMap<String, Value>) {
        *self.own.borrow_mut() = values;
    }

    pub fn get(&self, name: &str) -> Option<Value> {
        self.get_ref(name).map(|v| v.clone())
    }

    /// A variable borrowed where it is held: compiled JSONata reads it in
    /// place, with no copy per read (nothing assigns while it reads).
    pub fn get_ref(&self, name: &str) -> Option<std::cell::Ref<'_, Value>> {
        let own = self.own.borrow();
        if own.contains_key(name) {
            return std::cell::Ref::filter_map(own, |m| m.get(name)).ok();
        }
        drop(own);
        self.parent.as_ref().and_then(|p| p.get_ref(name))
    }

    /// Applies one state's assignments at once (values computed beforehand,
    /// so every expression saw the variables as at state entry).
    pub fn assign(&self, values: IndexMap<String, Value>) {
        let mut own = self.own.borrow_mut();
        for (k, v) in values {
            // A name assigned in an outer scope is that scope's variable.
            match self.parent.as_ref().and_then(|p| p.owner_of(&k)) {
                Some(owner) => {
                    owner.own.borrow_mut().insert(k, v);
                }
                None => {
                    own.insert(k, v);
                }
            }
        }
    }

    fn owner_of(self: &Rc<Self>, name: &str) -> Option<Rc<Vars>> {
        if self.own.borrow().contains_key(name) {
            return Some(self.clone());
        }
        self.parent.as_ref().and_then(|p| p.owner_of(name))
    }
}
