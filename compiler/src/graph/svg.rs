//! The state graph as SVG, laid out here (no Graphviz, no script), for
//! HTML pages that must work offline: states in rows by their distance
//! from `StartAt`, a Map's or Parallel's inner states below it. Each state
//! is a `<g class="state" data-state="…">` whose colour the caller picks.

use super::{edges, nested};
use crate::model::{Container, State};
use std::collections::HashMap;
use std::fmt::Write;

const ROW: f64 = 80.0;
const BOX_H: f64 = 34.0;
const GAP: f64 = 24.0;
const CHAR_W: f64 = 7.5;

/// How the caller wants states and edges drawn.
pub trait Style {
    /// The fill of a state's box, and a title (tooltip) for it.
    fn state(&self, s: &State) -> (String, String);
    /// Whether the edge was taken: untaken edges are dashed. `nested`: the
    /// edge from a Map or Parallel to the start of a container inside it.
    fn edge(&self, from: &str, to: &str, nested: bool) -> bool;
}

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// Every state of `c` and of the containers nested in it, with its row:
/// breadth first from `StartAt`; a nested container starts a row below
/// its state.
fn rows<'m>(c: &'m Container, first: usize, out: &mut Vec<(&'m State, usize)>) {
    let mut depth: HashMap<&str, usize> = HashMap::new();
    let mut queue = std::collections::VecDeque::from([(c.start_at.as_str(), first)]);
    while let Some((name, d)) = queue.pop_front() {
        let Some(s) = c.states.get(name) else { continue };
        if depth.contains_key(name) {
            continue;
        }
        depth.insert(name, d);
        let below = out.len();
        out.push((s, d));
        for (_, inner) in nested(s) {
            rows(inner, d + 1, out);
        }
        // The next states go below the deepest inner state.
        let after = out[below..].iter().map(|(_, r)| *r).max().unwrap_or(d) + 1;
        for e in edges(s) {
            queue.push_back((e.to, after.max(d + 1)));
        }
    }
    // States not reached from StartAt still appear, at the end.
    let last = out.iter().map(|(_, r)| *r).max().unwrap_or(first);
    for s in c.states.values() {
        if !depth.contains_key(s.name.as_str()) {
            out.push((s, last + 1));
        }
    }
}

/// The names of every state of `c`, nested ones too.
fn all_states<'m>(c: &'m Container, out: &mut Vec<&'m str>) {
    for s in c.states.values() {
        out.push(&s.name);
        for (_, inner) in nested(s) {
            all_states(inner, out);
        }
    }
}

/// The SVG of `root`'s graph.
pub fn svg(root: &Container, style: &dyn Style) -> String {
    let mut placed = Vec::new();
    rows(root, 0, &mut placed);
    let width = |s: &State| s.name.chars().count() as f64 * CHAR_W + 24.0;
    let mut row_width: HashMap<usize, f64> = HashMap::new();
    for (s, r) in &placed {
        *row_width.entry(*r).or_default() += width(s) + GAP;
    }
    let total_w = row_width.values().cloned().fold(200.0, f64::max) + GAP + 60.0;
    let mut x_in_row: HashMap<usize, f64> = HashMap::new();
    let mut at: HashMap<&str, (f64, f64, f64)> = HashMap::new();
    for (s, r) in &placed {
        let start = (total_w - row_width[r]) / 2.0 + GAP / 2.0;
        let x = x_in_row.entry(*r).or_insert(start);
        at.insert(&s.name, (*x, *r as f64 * ROW + 20.0, width(s)));
        *x += width(s) + GAP;
    }
    let rows_n = placed.iter().map(|(_, r)| *r).max().unwrap_or(0) + 1;
    let height = rows_n as f64 * ROW + 20.0;
    let mut out = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="graph" width="{total_w:.0}" height="{height:.0}" viewBox="0 0 {total_w:.0} {height:.0}"><defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>"##
    );
    // A Parallel's branches and a Map's processor: a dashed frame around
    // their states, named like the other drawings name them.
    for (s, _) in &placed {
        for (title, inner) in nested(s) {
            let mut names = Vec::new();
            all_states(inner, &mut names);
            let boxes: Vec<(f64, f64, f64)> = names.iter().filter_map(|n| at.get(n).copied()).collect();
            if boxes.is_empty() {
                continue;
            }
            let left = boxes.iter().map(|b| b.0).fold(f64::MAX, f64::min) - 8.0;
            let right = boxes.iter().map(|b| b.0 + b.2).fold(0.0, f64::max) + 8.0;
            let top = boxes.iter().map(|b| b.1).fold(f64::MAX, f64::min) - 14.0;
            let bottom = boxes.iter().map(|b| b.1).fold(0.0, f64::max) + BOX_H + 8.0;
            let _ = write!(
                out,
                r##"<g class="container"><rect x="{left:.0}" y="{top:.0}" width="{:.0}" height="{:.0}" rx="8" fill="none" stroke="#999" stroke-dasharray="5 4"/><text x="{:.0}" y="{:.0}" font-family="sans-serif" font-size="10" fill="#666">{}</text></g>"##,
                right - left,
                bottom - top,
                left + 4.0,
                top + 10.0,
                escape(&title)
            );
        }
    }
    for (s, _) in &placed {
        let (x, y, w) = at[s.name.as_str()];
        let mut targets: Vec<(&str, bool)> = edges(s).iter().map(|e| (e.to, false)).collect();
        targets.extend(nested(s).iter().map(|(_, c)| (c.start_at.as_str(), true)));
        targets.dedup();
        for (t, into) in targets {
            let Some(&(tx, ty, tw)) = at.get(t) else { continue };
            let taken = style.edge(&s.name, t, into);
            // Forward: bottom to top. Back (a loop): out of the right side
            // and round into the target's right side.
            let d = if ty > y {
                format!("M{:.0},{:.0} L{:.0},{:.0}", x + w / 2.0, y + BOX_H, tx + tw / 2.0, ty)
            } else {
                let (sx, sy, ex, ey) = (x + w, y + BOX_H / 2.0, tx + tw, ty + BOX_H / 2.0);
                let bulge = sx.max(ex) + 50.0;
                format!("M{sx:.0},{sy:.0} C{bulge:.0},{sy:.0} {bulge:.0},{ey:.0} {ex:.0},{ey:.0}")
            };
            let _ = write!(
                out,
                r##"<path class="edge{}" data-from="{}" data-to="{}" d="{d}" fill="none" stroke="#555" stroke-width="1.4"{} marker-end="url(#arrow)"/>"##,
                if taken { " taken" } else { "" },
                escape(&s.name),
                escape(t),
                if taken { "" } else { r#" stroke-dasharray="4 3" opacity="0.6""# },
            );
        }
    }
    for (s, _) in &placed {
        let (x, y, w) = at[s.name.as_str()];
        let (fill, title) = style.state(s);
        let _ = write!(
            out,
            r##"<g class="state" data-state="{name}" data-fill="{fill}"><title>{title}</title><rect x="{x:.0}" y="{y:.0}" width="{w:.0}" height="{BOX_H}" rx="6" fill="{fill}" stroke="#333"/><text x="{tx:.0}" y="{ty:.0}" text-anchor="middle" font-family="sans-serif" font-size="12">{name}</text></g>"##,
            name = escape(&s.name),
            title = escape(&title),
            tx = x + w / 2.0,
            ty = y + BOX_H / 2.0 + 4.0,
        );
    }
    out.push_str("</svg>");
    out
}
