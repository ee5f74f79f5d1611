//! The error type of the engine's fallible functions.

use std::fmt;

/// Errors of the engine's fallible functions: the checked reverse sweep
/// ([`Var::gradient_checked`](crate::Var::gradient_checked)) and the
/// derivative checks of [`gradcheck`](crate::gradcheck).
///
/// Numbers are reported as `f64` whatever the tape's number type (for
/// dual numbers, their primal part).
///
/// ```
/// use adjoint_tape::{Error, Tape};
///
/// let tape = Tape::new();
/// tape.set_debug(true);
/// let x = tape.var(-1.0);
/// let y = x.sqrt() * 2.0;
/// let Err(Error::Anomaly { op, node, .. }) = y.gradient_checked() else {
///     panic!("sqrt(-1) is NaN, so the checked sweep must fail");
/// };
/// assert_eq!((op, node), ("sqrt", 1));
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A checked reverse sweep met a NaN or an infinity: the first node
    /// whose value, or the first adjoint that a node passed back, is not
    /// finite.
    #[error(
        "anomaly at node {node} (`{op}`): {quantity} is {value}; {}",
        describe_operands(operands)
    )]
    Anomaly {
        /// Name of the operation at `node` (`"unknown"` where the tape did
        /// not record names: turn on [`Tape::set_debug`](crate::Tape::set_debug)
        /// before recording).
        op: &'static str,
        /// Index of the node on the tape.
        node: usize,
        /// The kind of number that is not finite: value, adjoint or seed.
        quantity: Quantity,
        /// The number that is not finite.
        value: f64,
        /// The operands of `node` with their values and partials. For a
        /// custom operation the tape stores no operands, so this lists the
        /// node whose adjoint became non-finite.
        operands: Vec<Operand>,
    },

    /// A derivative check found a derivative that differs from its finite
    /// difference by more than the tolerance.
    #[error(
        "{check} check failed: entry (output {output}, input {input}) is {analytic} \
         but the finite difference gives {numeric}; relative error {error:e} exceeds \
         the tolerance {tolerance:e}"
    )]
    DerivativeMismatch {
        /// The derivative checked: `"gradient"`, `"jacobian"` or
        /// `"hessian-vector product"`.
        check: &'static str,
        /// Output row of the worst entry (0 for a gradient).
        output: usize,
        /// Input column of the worst entry.
        input: usize,
        /// The derivative from automatic differentiation.
        analytic: f64,
        /// The finite-difference estimate.
        numeric: f64,
        /// The relative error `|analytic - numeric| / max(1, |analytic|, |numeric|)`.
        error: f64,
        /// The tolerance the error was compared with.
        tolerance: f64,
    },
}

/// The number of a node that a checked sweep found not finite.
///
/// ```
/// use adjoint_tape::Quantity;
///
/// assert_eq!(Quantity::Value.to_string(), "its value");
/// assert_eq!(Quantity::Adjoint { to: 3 }.to_string(), "the adjoint it passes to node 3");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Quantity {
    /// The node's primal value.
    Value,
    /// The adjoint that the node's vector-Jacobian product added into the
    /// adjoint of node `to` (one of its operands).
    Adjoint {
        /// Index of the operand node whose adjoint became non-finite.
        to: usize,
    },
    /// The seed of the sweep, at the output node.
    Seed,
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Value => f.write_str("its value"),
            Self::Adjoint { to } => write!(f, "the adjoint it passes to node {to}"),
            Self::Seed => f.write_str("the seed of the sweep"),
        }
    }
}

/// One operand of a node named in an [`Error::Anomaly`].
///
/// ```
/// use adjoint_tape::Operand;
///
/// let operand = Operand { node: 0, op: "input", value: Some(-1.0), partial: Some(f64::NAN) };
/// assert_eq!(operand.to_string(), "node 0 (`input`) = -1 with partial NaN");
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Operand {
    /// Index of the operand node.
    pub node: usize,
    /// Name of the operand's operation (`"unknown"` without debug
    /// recording).
    pub op: &'static str,
    /// The operand's primal value, `None` where the tape did not record it
    /// (debug recording off, or an output of a custom operation whose
    /// value was never passed to
    /// [`Tape::custom_output`](crate::Tape::custom_output)).
    pub value: Option<f64>,
    /// The local partial derivative of the node with respect to this
    /// operand, `None` for custom operations.
    pub partial: Option<f64>,
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "node {} (`{}`)", self.node, self.op)?;
        match self.value {
            Some(value) => write!(f, " = {value}")?,
            None => f.write_str(" = (value not recorded)")?,
        }
        if let Some(partial) = self.partial {
            write!(f, " with partial {partial}")?;
        }
        Ok(())
    }
}

/// Formats the operand list of an anomaly message.
fn describe_operands(operands: &[Operand]) -> String {
    if operands.is_empty() {
        return "it has no operands".to_owned();
    }
    let list: Vec<String> = operands.iter().map(Operand::to_string).collect();
    format!("operands: {}", list.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anomaly_message_names_op_node_and_operands() {
        let error = Error::Anomaly {
            op: "sqrt",
            node: 2,
            quantity: Quantity::Adjoint { to: 1 },
            value: f64::INFINITY,
            operands: vec![Operand {
                node: 1,
                op: "mul",
                value: Some(0.0),
                partial: Some(f64::INFINITY),
            }],
        };
        assert_eq!(
            error.to_string(),
            "anomaly at node 2 (`sqrt`): the adjoint it passes to node 1 is inf; \
             operands: node 1 (`mul`) = 0 with partial inf"
        );
    }

    #[test]
    fn anomaly_message_without_operands() {
        let error = Error::Anomaly {
            op: "input",
            node: 0,
            quantity: Quantity::Value,
            value: f64::NAN,
            operands: Vec::new(),
        };
        assert_eq!(
            error.to_string(),
            "anomaly at node 0 (`input`): its value is NaN; it has no operands"
        );
    }
}
