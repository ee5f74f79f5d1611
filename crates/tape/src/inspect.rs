//! Tape inspection: statistics of a recording and its Graphviz DOT graph.
//!
//! ```
//! use adjoint_tape::Tape;
//!
//! let tape = Tape::new();
//! tape.set_debug(true);
//! let x = tape.var(1.0);
//! let y = tape.var(1.0);
//! let f = x * x + 3.0 * y * y;
//! let stats = tape.stats();
//! assert_eq!((stats.nodes, stats.operands), (6, 6));
//! assert_eq!(stats.by_kind["mul"], 3);
//!
//! let grads = f.gradient();
//! let dot = tape.to_dot_with_adjoints(grads.adjoints());
//! assert!(dot.starts_with("digraph tape {"));
//! assert!(dot.contains("adjoint 6")); // ∂f/∂y
//! ```

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};

use num_traits::ToPrimitive;

use crate::custom::CustomNode;
use crate::real::Real;
use crate::tape::{Recording, Tape};

/// Name under which nodes recorded while debug recording was off are
/// counted.
const UNKNOWN: &str = "unknown";

/// Size and make-up of a recording, from [`Tape::stats`].
///
/// ```
/// let tape = adjoint_tape::Tape::new();
/// let x = tape.var(2.0);
/// let _ = x.sin() * x;
/// let stats = tape.stats();
/// assert_eq!(stats.nodes, 3);
/// assert_eq!(stats.operands, 3);
/// assert_eq!(stats.bytes, tape.memory_bytes());
/// assert!(stats.by_kind.is_empty()); // debug recording is off
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TapeStats {
    /// Number of nodes: inputs, scalar statements and custom outputs.
    pub nodes: usize,
    /// Number of operand entries (edges of the graph).
    pub operands: usize,
    /// Number of custom operations (tensor nodes, user-defined vjps).
    pub custom_ops: usize,
    /// Bytes of the recorded statements, as [`Tape::memory_bytes`] counts
    /// them.
    pub bytes: usize,
    /// Count of each operation by name: one per scalar statement (inputs
    /// count as `"input"`) and one per custom operation, whatever its
    /// number of outputs.
    ///
    /// Filled only while debug recording ([`Tape::set_debug`]) is on,
    /// since the tape stores no names otherwise; empty when it is off.
    /// Statements recorded before it was turned on count as `"unknown"`.
    pub by_kind: BTreeMap<&'static str, usize>,
}

impl fmt::Display for TapeStats {
    /// Writes one line of totals, then one line per operation name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} nodes, {} operands, {} custom operations, {} bytes",
            self.nodes, self.operands, self.custom_ops, self.bytes
        )?;
        for (name, count) in &self.by_kind {
            write!(f, "\n  {name}: {count}")?;
        }
        Ok(())
    }
}

impl<T: Real> Tape<T> {
    /// Counts the nodes, operands, custom operations and bytes of the
    /// recording, and with debug recording on, the operations by name.
    ///
    /// ```
    /// let tape = adjoint_tape::Tape::new();
    /// tape.set_debug(true);
    /// let v = tape.vars(&[1.0, 2.0, 3.0]);
    /// let _ = adjoint_tape::sum(&v).exp();
    /// let stats = tape.stats();
    /// assert_eq!(stats.by_kind["input"], 3);
    /// assert_eq!(stats.by_kind["sum"], 1);
    /// assert_eq!(stats.by_kind["exp"], 1);
    /// assert_eq!(stats.to_string().lines().next(), Some("5 nodes, 4 operands, 0 custom operations, 68 bytes"));
    /// ```
    pub fn stats(&self) -> TapeStats {
        // A custom operation's `name` is user code, and it must not record
        // while the loop below reads the recording.
        let _hold = self.hold_recording();
        let rec = self.recording();
        let mut by_kind = BTreeMap::new();
        if let Some(debug) = &rec.debug {
            let mut customs = rec.customs.iter().peekable();
            let mut node = 0;
            while node < rec.ends.len() {
                if let Some(custom) = customs.next_if(|c| c.start as usize == node) {
                    *by_kind.entry(custom.op.name()).or_insert(0) += 1;
                    node = custom.end as usize;
                } else {
                    *by_kind.entry(debug.names[node]).or_insert(0) += 1;
                    node += 1;
                }
            }
        }
        TapeStats {
            nodes: self.len(),
            operands: self.operand_count(),
            custom_ops: self.custom_op_count(),
            bytes: self.memory_bytes(),
            by_kind,
        }
    }

    /// Writes the recording as a Graphviz DOT graph, one graph node per
    /// tape node labelled with its index, operation name and value, and one
    /// edge per operand entry labelled with its partial derivative.
    ///
    /// Turn on [`Tape::set_debug`] before recording: without it the labels
    /// carry no names nor values. The graph is meant for small tapes (tens
    /// to a few hundred nodes), for teaching and debugging; render it with
    /// `dot -Tsvg tape.dot -o tape.svg`.
    ///
    /// A custom operation is drawn as one box for all its outputs. An edge
    /// from output `k` of a multi-output operation has its label prefixed
    /// with `[k]`. The tape stores no operands for a custom operation, so
    /// its input edges (dashed) come from calling its vjp with a cotangent
    /// of ones and drawing an edge from every node whose adjoint that
    /// changes.
    ///
    /// ```
    /// let tape = adjoint_tape::Tape::new();
    /// tape.set_debug(true);
    /// let x = tape.var(3.0);
    /// let _ = x * x;
    /// let dot = tape.to_dot();
    /// assert!(dot.contains(r##"n1 [label="#1 mul\nvalue 9"]"##));
    /// // x · x is one edge whose partial is 2x.
    /// assert!(dot.contains(r##"n0 -> n1 [label="6"]"##));
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if a custom operation's vjp panics or records on this tape.
    pub fn to_dot(&self) -> String {
        self.write_dot(None)
    }

    /// Writes the recording as [`to_dot`](Self::to_dot) does, with each
    /// node's adjoint from a sweep added to its label: pass
    /// [`Gradients::adjoints`](crate::Gradients::adjoints) or a buffer
    /// filled by [`sweep_into`](Self::sweep_into). Nodes past the end of
    /// `adjoints` (recorded after the swept output) get no adjoint.
    ///
    /// ```
    /// let tape = adjoint_tape::Tape::new();
    /// tape.set_debug(true);
    /// let x = tape.var(3.0);
    /// let y = x * x;
    /// let dot = tape.to_dot_with_adjoints(y.gradient().adjoints());
    /// assert!(dot.contains(r##"n0 [label="#0 input\nvalue 3\nadjoint 6", shape=ellipse]"##));
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if a custom operation's vjp panics or records on this tape.
    pub fn to_dot_with_adjoints(&self, adjoints: &[T]) -> String {
        self.write_dot(Some(adjoints))
    }

    fn write_dot(&self, adjoints: Option<&[T]>) -> String {
        // Custom operations' `name` and `vjp` are user code, and they must
        // not record while the loop below reads the recording.
        let _hold = self.hold_recording();
        let rec = self.recording();
        let mut out = String::from("digraph tape {\n");
        out.push_str("  node [shape=box, fontname=\"monospace\"];\n");
        out.push_str("  edge [fontname=\"monospace\", fontsize=10];\n");
        let label = |node: usize| NodeLabel {
            rec,
            node,
            adjoint: adjoints.and_then(|a| a.get(node).copied()),
        };
        let mut customs = rec.customs.iter().peekable();
        let mut node = 0;
        while node < rec.ends.len() {
            if let Some(custom) = customs.next_if(|c| c.start as usize == node) {
                self.write_custom(&mut out, custom, &label);
                node = custom.end as usize;
                continue;
            }
            let (start, end) = operand_range(rec, node);
            let shape = if start == end { ", shape=ellipse" } else { "" };
            writeln!(out, "  n{node} [label=\"{}\"{shape}];", label(node))
                .expect("writing to a String cannot fail");
            for entry in start..end {
                let operand = rec.operands[entry] as usize;
                let (source, output) = graph_source(rec, operand);
                let partial = format_number(rec.partials[entry]);
                writeln!(out, "  {source} -> n{node} [label=\"{output}{partial}\"];")
                    .expect("writing to a String cannot fail");
            }
            node += 1;
        }
        out.push_str("}\n");
        out
    }

    /// Writes the box of one custom operation and its dashed input edges.
    fn write_custom<'a>(
        &self,
        out: &mut String,
        custom: &CustomNode<T>,
        label: &impl Fn(usize) -> NodeLabel<'a, T>,
    ) {
        let rec = self.recording();
        let (start, end) = (custom.start as usize, custom.end as usize);
        let text = if end - start == 1 {
            label(start).to_string()
        } else {
            format!(
                "#{start}..#{} {} ({} outputs)",
                end - 1,
                escape(custom.op.name()),
                end - start
            )
        };
        writeln!(out, "  n{start} [label=\"{text}\", shape=box3d];")
            .expect("writing to a String cannot fail");
        let cotangent = vec![T::one(); end - start];
        let mut probe = vec![T::zero(); start];
        // `write_dot` rejects recording for its whole loop, so the vjp
        // cannot record.
        custom.op.vjp(&cotangent, &mut probe);
        for (input, adjoint) in probe.iter().enumerate() {
            if !adjoint.is_zero() {
                let (source, _) = graph_source(rec, input);
                writeln!(out, "  {source} -> n{start} [style=dashed];")
                    .expect("writing to a String cannot fail");
            }
        }
    }
}

/// The label text of one node: index, name, value and adjoint.
struct NodeLabel<'a, T> {
    rec: &'a Recording<T>,
    node: usize,
    adjoint: Option<T>,
}

impl<T: Real> fmt::Display for NodeLabel<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let node = self.node;
        match &self.rec.debug {
            Some(debug) if debug.names[node] != UNKNOWN => {
                write!(f, "#{node} {}", escape(debug.names[node]))?;
                let value = debug.values[node];
                // A custom output whose value was never set stays NaN.
                if !(value.is_nan() && is_custom_output(self.rec, node)) {
                    write!(f, "\\nvalue {}", format_number(value))?;
                }
            }
            _ => write!(f, "#{node}")?,
        }
        if let Some(adjoint) = self.adjoint {
            write!(f, "\\nadjoint {}", format_number(adjoint))?;
        }
        Ok(())
    }
}

/// Returns the DOT name of the graph node that draws tape node `node`, and
/// for an output of a multi-output custom operation, a `[k] ` prefix for
/// the edge label naming which output it is.
fn graph_source<T>(rec: &Recording<T>, node: usize) -> (String, String) {
    match custom_containing(rec, node) {
        Some(custom) if custom.end - custom.start > 1 => (
            format!("n{}", custom.start),
            format!("[{}] ", node - custom.start as usize),
        ),
        Some(custom) => (format!("n{}", custom.start), String::new()),
        None => (format!("n{node}"), String::new()),
    }
}

fn custom_containing<T>(rec: &Recording<T>, node: usize) -> Option<&CustomNode<T>> {
    let after = rec.customs.partition_point(|c| c.start as usize <= node);
    let custom = &rec.customs[after.checked_sub(1)?];
    (node < custom.end as usize).then_some(custom)
}

fn is_custom_output<T>(rec: &Recording<T>, node: usize) -> bool {
    custom_containing(rec, node).is_some()
}

/// Returns the operand entries `start..end` of scalar statement `node`.
fn operand_range<T>(rec: &Recording<T>, node: usize) -> (usize, usize) {
    let start = if node == 0 {
        0
    } else {
        rec.ends[node - 1] as usize
    };
    (start, rec.ends[node] as usize)
}

/// Formats a number for a label: plain decimals with up to six places
/// between 1e-4 and 1e6, scientific notation outside.
fn format_number<T: Real>(value: T) -> String {
    let value = ToPrimitive::to_f64(&value).unwrap_or(f64::NAN);
    let magnitude = value.abs();
    if value == 0.0 || !value.is_finite() || (1e-4..1e6).contains(&magnitude) {
        let text = format!("{value:.6}");
        if text.contains('.') {
            text.trim_end_matches('0').trim_end_matches('.').to_owned()
        } else {
            text
        }
    } else {
        format!("{value:.4e}")
    }
}

/// Escapes a name for a quoted DOT string.
fn escape(name: &str) -> String {
    name.replace('\\', "\\\\").replace('"', "\\\"")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CustomOp;

    #[test]
    fn format_number_trims_and_switches_notation() {
        assert_eq!(format_number(1.0), "1");
        assert_eq!(format_number(-0.25), "-0.25");
        assert_eq!(format_number(1.0 / 3.0), "0.333333");
        assert_eq!(format_number(1e-10), "1.0000e-10");
        assert_eq!(format_number(2.5e7), "2.5000e7");
        assert_eq!(format_number(f64::NAN), "NaN");
        assert_eq!(format_number(f64::NEG_INFINITY), "-inf");
        assert_eq!(format_number(0.0), "0");
    }

    #[test]
    fn dot_of_seed_function_lists_nodes_and_edges() {
        let tape = Tape::new();
        tape.set_debug(true);
        let x = tape.var(1.0);
        let y = tape.var(1.0);
        let f = x * x + 3.0 * y * y;
        let dot = tape.to_dot_with_adjoints(f.gradient().adjoints());
        let expected = [
            r##"n0 [label="#0 input\nvalue 1\nadjoint 2", shape=ellipse];"##,
            r##"n1 [label="#1 input\nvalue 1\nadjoint 6", shape=ellipse];"##,
            r##"n2 [label="#2 mul\nvalue 1\nadjoint 1"];"##,
            r##"n0 -> n2 [label="2"];"##,
            r##"n3 [label="#3 mul\nvalue 3\nadjoint 1"];"##,
            r##"n1 -> n3 [label="3"];"##,
            r##"n4 [label="#4 mul\nvalue 3\nadjoint 1"];"##,
            r##"n3 -> n4 [label="1"];"##,
            r##"n1 -> n4 [label="3"];"##,
            r##"n5 [label="#5 add\nvalue 4\nadjoint 1"];"##,
            r##"n2 -> n5 [label="1"];"##,
            r##"n4 -> n5 [label="1"];"##,
        ];
        for line in expected {
            assert!(dot.contains(line), "missing {line} in\n{dot}");
        }
        // x · x is one edge n0 -> n2 whose partial is 2x.
        assert_eq!(dot.matches("n0 -> n2").count(), 1);
        assert!(dot.ends_with("}\n"));
    }

    #[test]
    fn dot_without_debug_shows_indices() {
        let tape = Tape::new();
        let x = tape.var(2.0);
        let _ = x.exp();
        let dot = tape.to_dot();
        assert!(dot.contains(r##"n1 [label="#1"];"##), "{dot}");
    }

    /// Sums its inputs into two outputs with equal values.
    struct Fork {
        inputs: Vec<usize>,
    }

    impl CustomOp<f64> for Fork {
        fn name(&self) -> &'static str {
            "fork \"sum\""
        }
        fn vjp(&self, cotangent: &[f64], adjoints: &mut [f64]) {
            for &input in &self.inputs {
                adjoints[input] += cotangent[0] + cotangent[1];
            }
        }
    }

    #[test]
    fn dot_draws_custom_op_with_probed_inputs() {
        let tape = Tape::new();
        tape.set_debug(true);
        let v = tape.vars(&[1.0, 2.0, 3.0]);
        let op = Fork { inputs: vec![0, 2] };
        let first = tape.push_custom(2, Box::new(op));
        let a = tape.custom_output(first, 4.0);
        let _ = a * 2.0;
        let dot = tape.to_dot();
        assert!(
            dot.contains(r##"n3 [label="#3..#4 fork \"sum\" (2 outputs)", shape=box3d];"##),
            "{dot}"
        );
        assert!(dot.contains("n0 -> n3 [style=dashed];"), "{dot}");
        assert!(dot.contains("n2 -> n3 [style=dashed];"), "{dot}");
        assert!(!dot.contains("n1 -> n3"), "{dot}");
        assert!(dot.contains(r##"n3 -> n5 [label="[0] 2"];"##), "{dot}");
        assert_eq!(v.len(), 3);
    }

    #[test]
    fn stats_count_custom_ops_once() {
        let tape = Tape::new();
        tape.set_debug(true);
        let _ = tape.vars(&[1.0, 2.0]);
        tape.push_custom(3, Box::new(Fork { inputs: vec![0] }));
        let stats = tape.stats();
        assert_eq!(stats.nodes, 5);
        assert_eq!(stats.custom_ops, 1);
        assert_eq!(stats.by_kind["input"], 2);
        assert_eq!(stats.by_kind["fork \"sum\""], 1);
        assert_eq!(stats.by_kind.len(), 2);
    }

    #[test]
    fn stats_name_nodes_recorded_before_debug_unknown() {
        let tape = Tape::new();
        let x = tape.var(1.0);
        tape.set_debug(true);
        let _ = x.sin();
        let stats = tape.stats();
        assert_eq!(stats.by_kind[UNKNOWN], 1);
        assert_eq!(stats.by_kind["sin"], 1);
    }
}
