//! Map states: the processor, items, selector, concurrency and failure
//! tolerance, and the Distributed-only reader, batcher and writer.

use super::value::jsonata_expr;
use super::{child, Reader};
use crate::model::{ItemSelector, Map as MapState, QueryLanguage};
use serde_json::{Map, Value};

impl Reader {
    pub(crate) fn map(&mut self, obj: &Map<String, Value>, sp: &str, ql: QueryLanguage) -> Option<MapState> {
        self.exclusive(obj, sp, &["ItemProcessor", "Iterator"]);
        self.exclusive(obj, sp, &["Parameters", "ItemSelector"]);
        let key = if obj.contains_key("ItemProcessor") { "ItemProcessor" } else { "Iterator" };
        let pp = child(sp, key);
        let Some(Value::Object(proc)) = obj.get(key) else {
            if obj.contains_key(key) {
                self.error(&pp, "Value is not an Object");
            } else {
                self.error(sp, "These fields are required: [ItemProcessor]");
            }
            return None;
        };
        self.only(proc, &pp, &["ProcessorConfig", "StartAt", "States", "Comment"]);
        self.require(proc, &pp, &["StartAt", "States"]);
        let mut distributed = false;
        if let Some(cfg) = proc.get("ProcessorConfig") {
            let cp = child(&pp, "ProcessorConfig");
            match cfg {
                Value::Object(c) => {
                    self.only(c, &cp, &["Mode", "ExecutionType"]);
                    match self.opt_string(c, &cp, "Mode").as_deref() {
                        Some("DISTRIBUTED") => distributed = true,
                        Some("INLINE") | None => {}
                        Some(_) => self.error(
                            &child(&cp, "Mode"),
                            "The field 'Mode' should have one of these values: [INLINE, DISTRIBUTED]",
                        ),
                    }
                    match self.opt_string(c, &cp, "ExecutionType").as_deref() {
                        Some("STANDARD" | "EXPRESS") => {}
                        Some(_) => self.error(
                            &child(&cp, "ExecutionType"),
                            "The field 'ExecutionType' should have one of these values: [STANDARD, EXPRESS]",
                        ),
                        None if distributed => self.error(&cp, "These fields are required: [ExecutionType]"),
                        None => {}
                    }
                }
                _ => self.error(&cp, "Value is not an Object"),
            }
        }
        if !distributed {
            for f in ["ItemReader", "ItemBatcher", "ResultWriter", "Label"] {
                if obj.contains_key(f) {
                    self.error(sp, format!("Field '{f}' is only supported in DISTRIBUTED mode"));
                }
            }
        }
        let processor = self.container(proc, &pp)?;

        let items_path = match (ql, obj.get("ItemsPath")) {
            (QueryLanguage::JsonPath, Some(v)) => self.reference_path(v, &child(sp, "ItemsPath")),
            _ => None,
        };
        let items = match obj.get("Items") {
            Some(v) => {
                if !v.is_array() && jsonata_expr(v).is_none() {
                    self.error(&child(sp, "Items"), "Value is not an Array or a JSONata expression");
                }
                self.jsonata_template(v, &child(sp, "Items"))
            }
            None => None,
        };
        let selector_key = if obj.contains_key("ItemSelector") { "ItemSelector" } else { "Parameters" };
        let item_selector = match (obj.get(selector_key), ql) {
            (Some(v), QueryLanguage::JsonPath) => {
                self.object_template(v, &child(sp, selector_key)).map(ItemSelector::Template)
            }
            (Some(v), QueryLanguage::Jsonata) => {
                self.jsonata_template(v, &child(sp, selector_key)).map(ItemSelector::Jsonata)
            }
            (None, _) => None,
        };
        let path_key = |k: &'static str| (ql == QueryLanguage::JsonPath).then_some(k);
        let max_concurrency =
            self.number_field(obj, sp, "MaxConcurrency", path_key("MaxConcurrencyPath"), ql, 0.0, f64::MAX, true);
        let tolerated_failure_count = self.number_field(
            obj,
            sp,
            "ToleratedFailureCount",
            path_key("ToleratedFailureCountPath"),
            ql,
            0.0,
            f64::MAX,
            true,
        );
        let tolerated_failure_percentage = self.number_field(
            obj,
            sp,
            "ToleratedFailurePercentage",
            path_key("ToleratedFailurePercentagePath"),
            ql,
            0.0,
            100.0,
            false,
        );
        let label = self.opt_string(obj, sp, "Label");
        if let Some(l) = &label {
            let bad = l.chars().count() > 40
                || l.chars().any(|c| c.is_whitespace() || c.is_control() || "?*<>{}[]:;,\\|^~$#%&`\"".contains(c));
            if bad {
                self.error(&child(sp, "Label"), "Value is not a valid Label");
            }
        }
        let item_batcher = obj.get("ItemBatcher").cloned();
        if let Some(Value::Object(b)) = &item_batcher {
            let bp = child(sp, "ItemBatcher");
            self.only(
                b,
                &bp,
                &[
                    "MaxItemsPerBatch",
                    "MaxItemsPerBatchPath",
                    "MaxInputBytesPerBatch",
                    "MaxInputBytesPerBatchPath",
                    "BatchInput",
                ],
            );
            self.exclusive(b, &bp, &["MaxItemsPerBatch", "MaxItemsPerBatchPath"]);
            self.exclusive(b, &bp, &["MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath"]);
            if !["MaxItemsPerBatch", "MaxItemsPerBatchPath", "MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath"]
                .iter()
                .any(|k| b.contains_key(*k))
            {
                self.error(&bp, "One of the following fields is required: [MaxItemsPerBatch, MaxInputBytesPerBatch]");
            }
        }
        if let Some(Value::Object(r)) = obj.get("ItemReader") {
            let rp = child(sp, "ItemReader");
            self.only(r, &rp, &["Resource", "ReaderConfig", "Parameters", "Arguments"]);
            self.require(r, &rp, &["Resource"]);
            if let (QueryLanguage::JsonPath, Some(p)) = (ql, r.get("Parameters")) {
                self.object_template(p, &child(&rp, "Parameters"));
            }
        }
        if let Some(Value::Object(w)) = obj.get("ResultWriter") {
            let wp = child(sp, "ResultWriter");
            self.only(w, &wp, &["Resource", "Parameters", "Arguments", "WriterConfig"]);
        }
        Some(MapState {
            processor,
            distributed,
            items_path,
            items,
            item_selector,
            max_concurrency,
            tolerated_failure_count,
            tolerated_failure_percentage,
            item_reader: obj.get("ItemReader").cloned(),
            item_batcher,
            result_writer: obj.get("ResultWriter").cloned(),
            label,
        })
    }
}
