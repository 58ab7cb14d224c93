//! Task handlers for `order-pricing.json`, written in Rust and linked into
//! the workflow's binary:
//!
//!     aslc build examples/order-pricing.json --handlers examples/order-pricing.handlers.rs --out order-pricing
//!     ./order-pricing --input-file examples/order-pricing.input.json
//!
//! `register` binds resources (exact ARNs, `*` patterns, or a `lambda:invoke`
//! FunctionName) to functions from a task's input to its result. A
//! `TaskError` fails the task with that error name, for Retry and Catch.

use asl_runtime::serde_json::{json, Value};
use asl_runtime::tasks::{Linked, TaskError};

pub fn register(handlers: &mut Linked) {
    handlers.bind("arn:aws:lambda:*:*:function:price-line", price_line).bind("order-total", order_total);
}

/// Unit prices in cents.
const CATALOG: &[(&str, i64)] = &[("book", 1250), ("pen", 199), ("lamp", 3400)];

/// `{sku, quantity}` → `{sku, amount}`.
fn price_line(line: Value) -> Result<Value, TaskError> {
    let sku = line["sku"].as_str().ok_or_else(|| TaskError::new("InvalidLine", "a line needs a sku"))?;
    let quantity = line["quantity"].as_i64().unwrap_or(1);
    let (_, price) = CATALOG
        .iter()
        .find(|(s, _)| *s == sku)
        .ok_or_else(|| TaskError::new("UnknownSku", format!("'{sku}' is not in the catalog")))?;
    Ok(json!({ "sku": sku, "amount": price * quantity }))
}

/// `{lines, coupon}` → the order's total, after the coupon.
fn order_total(input: Value) -> Result<Value, TaskError> {
    let lines = input["lines"].as_array().ok_or_else(|| TaskError::new("InvalidOrder", "lines must be a list"))?;
    let subtotal: i64 = lines.iter().filter_map(|l| l["amount"].as_i64()).sum();
    let discount = match input["coupon"].as_str() {
        Some("TENOFF") => subtotal / 10,
        _ => 0,
    };
    Ok(json!({ "lines": lines, "subtotal": subtotal, "discount": discount, "total": subtotal - discount }))
}
