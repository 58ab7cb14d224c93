//! Parsed values (paths, templates, intrinsic calls, JSONata) serialise as
//! the text they were parsed from and deserialise through the same parser,
//! so the checked model can be embedded in a generated binary as data.

use crate::intrinsic::{self, Call};
use crate::jsonata;
use crate::path::Path;
use crate::template::Template;
use serde::de::Error;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

impl Serialize for Path {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.text.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Path {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Path::parse(&String::deserialize(d)?).map_err(D::Error::custom)
    }
}

impl Serialize for Call {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.text.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Call {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        intrinsic::parse(&String::deserialize(d)?).map_err(D::Error::custom)
    }
}

impl Serialize for Template {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.source().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Template {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Template::parse(&Value::deserialize(d)?).map_err(|e| D::Error::custom(format!("{}: {}", e.field, e.reason)))
    }
}

impl Serialize for jsonata::Template {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.source().serialize(s)
    }
}

impl<'de> Deserialize<'de> for jsonata::Template {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        jsonata::Template::parse(&Value::deserialize(d)?).map_err(|e| D::Error::custom(e.error.message))
    }
}

impl Serialize for jsonata::Expr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.text.serialize(s)
    }
}

impl<'de> Deserialize<'de> for jsonata::Expr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        jsonata::Expr::parse(&String::deserialize(d)?).map_err(|e| D::Error::custom(e.message))
    }
}

/// An optional field whose value may itself be JSON `null` (a JSONata
/// `Output` of `null`, a Pass `Result` of `null`): present as a list of
/// one, absent as an empty one, so `Some(null)` survives the round trip
/// and stays distinct from `None`.
pub mod present {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<T: Serialize, S: Serializer>(v: &Option<T>, s: S) -> Result<S::Ok, S::Error> {
        v.as_slice().serialize(s)
    }

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(d: D) -> Result<Option<T>, D::Error> {
        Ok(Vec::<T>::deserialize(d)?.into_iter().next())
    }
}
