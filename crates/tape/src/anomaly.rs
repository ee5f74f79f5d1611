//! Anomaly mode: a checked reverse sweep that reports the first NaN or
//! infinity, like PyTorch's `detect_anomaly` and JAX's `jax_debug_nans`.
//!
//! Turn on [`Tape::set_debug`] before recording, so that the tape keeps each
//! node's operation name and primal value, then call
//! [`Var::gradient_checked`] in place of [`Var::gradient`]:
//!
//! ```
//! use adjoint_tape::{Error, Quantity, Tape};
//!
//! let tape = Tape::new();
//! tape.set_debug(true);
//! let x = tape.var(0.0_f64);
//! // √(x²) has a finite value at 0, but sqrt'(0) = +inf meets the
//! // partial 2x = 0 of x², which gives 0 · inf = NaN in the gradient.
//! let y = (x * x).sqrt();
//! assert!(y.gradient().wrt(x).is_nan());
//! let error = y.gradient_checked().unwrap_err();
//! let Error::Anomaly { op, node, quantity, value, .. } = error else { unreachable!() };
//! assert_eq!((op, node, quantity, value), ("sqrt", 2, Quantity::Adjoint { to: 1 }, f64::INFINITY));
//! ```
//!
//! # What is checked
//!
//! The checked sweep computes exactly the adjoints of the fast sweep (it
//! runs to the end, whatever it finds) and checks two things:
//!
//! - **Values.** The primal value of every node that the output uses, that
//!   is every node the sweep reaches with a non-zero adjoint. A NaN on a
//!   branch the output does not use (the discarded side of
//!   [`select`](crate::select), a term multiplied by a constant 0) is not
//!   reported, for the same reason the zero-adjoint rule keeps it out of
//!   the gradient. Of the values that are not finite, the one recorded
//!   first (the lowest node index) is reported, since everything after it
//!   is usually its consequence.
//! - **Adjoints.** Every adjoint a node passes back to its operands. The
//!   first contribution, in sweep order, that makes an operand's adjoint
//!   non-finite is reported with the node that passed it, its operands and
//!   their partials: a partial of `inf` or NaN is usually the cause.
//!
//! A value anomaly is reported before an adjoint anomaly because it
//! happened first, during recording.
//!
//! Infinities count as anomalies: a computation that uses them on purpose
//! (a log-sum-exp over `-inf` masks) is reported, and should use the plain
//! sweep.
//!
//! # Cost
//!
//! Nothing while unused: the fast sweep has no checks, and recording pays
//! one branch per node while debug recording is off. With debug recording
//! on, each node stores its name and value (`8 + size_of::<T>()` bytes).
//! The checked sweep adds a test per adjoint and, after each custom
//! operation's vector-Jacobian product, a scan of the adjoints below the
//! operation (custom operations do not list their operands).
//!
//! NOTE: primal values of custom operations (tensor nodes) are not checked.
//! The tape stores a value for a custom output only where
//! [`Tape::custom_output`] was called. Their adjoints are checked.

use num_traits::ToPrimitive;

use crate::error::{Error, Operand, Quantity};
use crate::gradients::Gradients;
use crate::real::Real;
use crate::tape::{Recording, Tape};
use crate::var::Var;

/// Name reported for nodes recorded while debug recording was off.
const UNKNOWN: &str = "unknown";

impl<'t, T: Real> Var<'t, T> {
    /// Runs a checked reverse sweep seeded with 1: the gradients of
    /// [`gradient`](Self::gradient), or an error naming the first NaN or
    /// infinity among the values and adjoints (see the
    /// [`anomaly`](crate::anomaly) module for what is checked).
    ///
    /// Turn on [`Tape::set_debug`] before recording: without it the error
    /// cannot name operations nor check values, and only adjoints are
    /// checked.
    ///
    /// ```
    /// use adjoint_tape::{Error, Tape};
    ///
    /// let tape = Tape::new();
    /// tape.set_debug(true);
    /// let x = tape.var(2.0);
    /// let y = (x - 3.0).ln() + x;
    /// match y.gradient_checked() {
    ///     Err(Error::Anomaly { op, operands, .. }) => {
    ///         assert_eq!(op, "ln");
    ///         assert_eq!(operands[0].value, Some(-1.0));
    ///     }
    ///     other => panic!("expected an anomaly in ln, got {other:?}"),
    /// }
    /// let finite = (x * x).gradient_checked().expect("x² has finite derivatives");
    /// assert_eq!(finite.wrt(x), 4.0);
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Anomaly`] for the first value or adjoint that is NaN or
    /// infinite. A constant has empty gradients and never fails.
    ///
    /// # Panics
    ///
    /// Panics if a custom operation's vjp panics or records on this tape.
    pub fn gradient_checked(self) -> Result<Gradients<'t, T>, Error> {
        self.gradient_with_seed_checked(T::one())
    }

    /// Runs a checked reverse sweep seeded with `seed`, as
    /// [`gradient_checked`](Self::gradient_checked) does with seed 1.
    ///
    /// ```
    /// use adjoint_tape::{Error, Quantity, Tape};
    ///
    /// let tape = Tape::new();
    /// let x = tape.var(3.0);
    /// let y = x * x;
    /// assert_eq!(y.gradient_with_seed_checked(0.5).unwrap().wrt(x), 3.0);
    /// let error = y.gradient_with_seed_checked(f64::NAN).unwrap_err();
    /// assert!(matches!(error, Error::Anomaly { quantity: Quantity::Seed, node: 1, .. }));
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Anomaly`] for a seed, value or adjoint that is not finite.
    ///
    /// # Panics
    ///
    /// Panics if a custom operation's vjp panics or records on this tape.
    pub fn gradient_with_seed_checked(self, seed: T) -> Result<Gradients<'t, T>, Error> {
        let (Some(tape), Some(output)) = (self.tape(), self.index()) else {
            return Ok(Gradients::empty());
        };
        let mut sweep = CheckedSweep::new(tape.recording(), output, seed);
        {
            let _guard = tape.begin_sweep();
            sweep.run();
        }
        match sweep.anomaly() {
            Some(error) => Err(error),
            None => Ok(Gradients::new(tape, sweep.adjoints)),
        }
    }
}

/// Records `f` on a fresh tape with debug recording on and returns its
/// gradient from a checked sweep; [`gradient`](crate::gradient) with
/// anomaly mode.
///
/// ```
/// let g = adjoint_tape::gradient_checked(|v| v[0] * v[1], &[2.0, 3.0]).unwrap();
/// assert_eq!(g, vec![3.0, 2.0]);
///
/// let error = adjoint_tape::gradient_checked(|v| v[0].ln() * v[1], &[-1.0, 3.0]).unwrap_err();
/// assert!(error.to_string().starts_with("anomaly at node 2 (`ln`): its value is NaN"));
/// ```
///
/// # Errors
///
/// [`Error::Anomaly`] for the first value or adjoint that is not finite.
pub fn gradient_checked<T, F>(f: F, x: &[T]) -> Result<Vec<T>, Error>
where
    T: Real,
    F: for<'t> Fn(&[Var<'t, T>]) -> Var<'t, T>,
{
    let tape = Tape::new();
    tape.set_debug(true);
    let inputs = tape.vars(x);
    let output = f(&inputs);
    Ok(output.gradient_checked()?.wrt_all(&inputs))
}

/// The state of one checked sweep.
struct CheckedSweep<'r, T: Real> {
    rec: &'r Recording<T>,
    adjoints: Vec<T>,
    /// Lowest used node whose value is not finite.
    value_anomaly: Option<usize>,
    /// First non-finite adjoint contribution, as an error.
    adjoint_anomaly: Option<Error>,
    output: usize,
    seed: T,
}

impl<'r, T: Real> CheckedSweep<'r, T> {
    fn new(rec: &'r Recording<T>, output: usize, seed: T) -> Self {
        Self {
            rec,
            adjoints: Vec::new(),
            value_anomaly: None,
            adjoint_anomaly: None,
            output,
            seed,
        }
    }

    /// Sweeps from the output down, with the layout rules of
    /// [`Tape::sweep_into`]: a sweep that starts inside the outputs of a
    /// custom operation covers all of them.
    fn run(&mut self) {
        let rec = self.rec;
        let first_custom_after = rec
            .customs
            .partition_point(|c| (c.start as usize) <= self.output);
        let nodes = match first_custom_after.checked_sub(1) {
            Some(last) => (self.output + 1).max(rec.customs[last].end as usize),
            None => self.output + 1,
        };
        self.adjoints = vec![T::zero(); nodes];
        self.adjoints[self.output] = self.seed;
        if !self.seed.is_finite() {
            self.adjoint_anomaly = Some(Error::Anomaly {
                op: self.name(self.output),
                node: self.output,
                quantity: Quantity::Seed,
                value: to_f64(self.seed),
                operands: Vec::new(),
            });
        }

        let mut top = nodes;
        for custom in rec.customs[..first_custom_after].iter().rev() {
            let (start, end) = (custom.start as usize, custom.end as usize);
            self.sweep_statements(end, top);
            let (below, outputs) = self.adjoints.split_at_mut(start);
            let cotangent = &outputs[..end - start];
            if cotangent.iter().any(|a| !a.is_zero()) {
                custom.op.vjp(cotangent, below);
                let non_finite = match self.adjoint_anomaly {
                    None => below.iter().rposition(|a| !a.is_finite()),
                    Some(_) => None,
                };
                if let Some(to) = non_finite {
                    let value = to_f64(below[to]);
                    self.adjoint_anomaly = Some(Error::Anomaly {
                        op: custom.op.name(),
                        node: start,
                        quantity: Quantity::Adjoint { to },
                        value,
                        operands: vec![self.operand(to, None)],
                    });
                }
            }
            top = start;
        }
        self.sweep_statements(0, top);
    }

    /// Adds the contributions of the scalar statements `lo..hi`, from the
    /// last to the first, checking values and adjoints.
    fn sweep_statements(&mut self, lo: usize, hi: usize) {
        let rec = self.rec;
        for node in (lo..hi).rev() {
            let adjoint = self.adjoints[node];
            if adjoint.is_zero() {
                continue;
            }
            if self.value_is_anomalous(node) {
                self.value_anomaly = Some(node);
            }
            let (start, end) = operand_range(rec, node);
            for entry in start..end {
                let operand = rec.operands[entry] as usize;
                let slot = &mut self.adjoints[operand];
                *slot = *slot + adjoint * rec.partials[entry];
                if self.adjoint_anomaly.is_none() && !slot.is_finite() {
                    let value = to_f64(*slot);
                    self.adjoint_anomaly = Some(Error::Anomaly {
                        op: self.name(node),
                        node,
                        quantity: Quantity::Adjoint { to: operand },
                        value,
                        operands: self.operands_of(node),
                    });
                }
            }
        }
    }

    /// Tests whether node `node` is a scalar statement with a recorded value that
    /// is not finite.
    fn value_is_anomalous(&self, node: usize) -> bool {
        let Some(debug) = &self.rec.debug else {
            return false;
        };
        debug.names[node] != UNKNOWN
            && !debug.values[node].is_finite()
            && !self.is_custom_output(node)
    }

    fn is_custom_output(&self, node: usize) -> bool {
        let customs = &self.rec.customs;
        let after = customs.partition_point(|c| (c.start as usize) <= node);
        after
            .checked_sub(1)
            .is_some_and(|last| node < customs[last].end as usize)
    }

    fn name(&self, node: usize) -> &'static str {
        self.rec
            .debug
            .as_ref()
            .map_or(UNKNOWN, |debug| debug.names[node])
    }

    fn value(&self, node: usize) -> Option<f64> {
        let debug = self.rec.debug.as_ref()?;
        let value = debug.values[node];
        let unrecorded =
            debug.names[node] == UNKNOWN || (value.is_nan() && self.is_custom_output(node));
        (!unrecorded).then(|| to_f64(value))
    }

    fn operand(&self, node: usize, partial: Option<f64>) -> Operand {
        Operand {
            node,
            op: self.name(node),
            value: self.value(node),
            partial,
        }
    }

    fn operands_of(&self, node: usize) -> Vec<Operand> {
        let (start, end) = operand_range(self.rec, node);
        (start..end)
            .map(|entry| {
                let partial = to_f64(self.rec.partials[entry]);
                self.operand(self.rec.operands[entry] as usize, Some(partial))
            })
            .collect()
    }

    /// Returns the error to report: the first value anomaly, else the
    /// first adjoint anomaly.
    fn anomaly(&mut self) -> Option<Error> {
        if let Some(node) = self.value_anomaly {
            let debug = self.rec.debug.as_ref()?;
            return Some(Error::Anomaly {
                op: debug.names[node],
                node,
                quantity: Quantity::Value,
                value: to_f64(debug.values[node]),
                operands: self.operands_of(node),
            });
        }
        self.adjoint_anomaly.take()
    }
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

/// `value` as an `f64` for error messages (NaN if it has none).
fn to_f64<T: Real>(value: T) -> f64 {
    ToPrimitive::to_f64(&value).unwrap_or(f64::NAN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CustomOp;

    #[test]
    fn checked_sweep_matches_fast_sweep() {
        let tape = Tape::new();
        tape.set_debug(true);
        let x = tape.vars(&[0.3, -1.2, 2.5]);
        let y = (x[0] * x[1]).sin() + x[2].exp() / x[0] - x[1].powi(3);
        let fast = y.gradient().adjoints().to_vec();
        let checked = y.gradient_checked().expect("finite everywhere");
        assert_eq!(checked.adjoints(), fast.as_slice());
    }

    #[test]
    fn checked_sweep_without_debug_checks_adjoints() {
        let tape = Tape::new();
        let x = tape.var(0.0);
        let y = (x * x).sqrt();
        let error = y.gradient_checked().unwrap_err();
        assert_eq!(
            error,
            Error::Anomaly {
                op: UNKNOWN,
                node: 2,
                quantity: Quantity::Adjoint { to: 1 },
                value: f64::INFINITY,
                operands: vec![Operand {
                    node: 1,
                    op: UNKNOWN,
                    value: None,
                    partial: Some(f64::INFINITY),
                }],
            }
        );
    }

    #[test]
    fn lowest_non_finite_value_is_reported() {
        let tape = Tape::new();
        tape.set_debug(true);
        let x = tape.var(-4.0);
        let a = x.ln(); // node 1: NaN
        let b = a.sqrt(); // node 2: NaN
        let y = b + x; // node 3: NaN
        let Err(Error::Anomaly { op, node, .. }) = y.gradient_checked() else {
            panic!("ln(-4) is NaN");
        };
        assert_eq!((op, node), ("ln", 1));
    }

    #[test]
    fn unused_nan_branch_is_not_reported() {
        let tape = Tape::new();
        tape.set_debug(true);
        let x = tape.var(-1.0);
        let unused = x.ln(); // NaN, and `max` ignores it below.
        let y = x * 2.0 + unused.max(x);
        let g = y.gradient_checked().expect("max ignores the NaN operand");
        assert_eq!(g.wrt(x), 3.0);
    }

    #[test]
    fn nodes_recorded_before_debug_are_not_value_checked() {
        let tape = Tape::new();
        let x = tape.var(f64::INFINITY);
        tape.set_debug(true);
        let y = x.atan();
        let g = y.gradient_checked().expect("atan'(inf) = 0 is finite");
        assert_eq!(g.wrt(x), 0.0);
    }

    /// A custom operation whose vjp adds `factor` times the sum of its
    /// cotangent into the adjoint of node `input`.
    struct Scale {
        input: usize,
        factor: f64,
    }

    impl CustomOp<f64> for Scale {
        fn name(&self) -> &'static str {
            "scale"
        }
        fn vjp(&self, cotangent: &[f64], adjoints: &mut [f64]) {
            adjoints[self.input] += self.factor * cotangent.iter().sum::<f64>();
        }
    }

    #[test]
    fn custom_op_adjoint_anomaly_names_the_op() {
        let tape = Tape::new();
        tape.set_debug(true);
        let x = tape.var(1.0);
        let op = Scale {
            input: 0,
            factor: f64::INFINITY,
        };
        let first = tape.push_custom(1, Box::new(op));
        let y = tape.custom_output(first, 5.0);
        // `min` passes no adjoint to the larger operand, the custom output,
        // so the sweep never calls its vjp.
        let z = y.min(x) + x;
        assert_eq!(z.gradient_checked().unwrap().wrt(x), 2.0);
        let Err(Error::Anomaly {
            op,
            node,
            quantity,
            operands,
            ..
        }) = (y + x).gradient_checked()
        else {
            panic!("the custom vjp passes back an infinite adjoint");
        };
        assert_eq!((op, node), ("scale", 1));
        assert_eq!(quantity, Quantity::Adjoint { to: 0 });
        assert_eq!(operands[0].op, "input");
    }

    #[test]
    fn custom_output_values_are_not_checked() {
        let tape = Tape::new();
        tape.set_debug(true);
        let x = tape.var(2.0);
        // Nodes 1 and 2: outputs of `inner`, whose values are never passed
        // to `custom_output`, so the debug log contains NaN for them.
        let inner = tape.push_custom(
            2,
            Box::new(Scale {
                input: 0,
                factor: 3.0,
            }),
        );
        // Node 3: reads node 2 in its vjp, the way tensor nodes chain.
        let outer = tape.push_custom(
            1,
            Box::new(Scale {
                input: inner + 1,
                factor: 5.0,
            }),
        );
        let y = tape.custom_output(outer, 30.0);
        let g = y.gradient_checked().expect("all adjoints are finite");
        assert_eq!(g.wrt(x), 15.0);
        assert_eq!(g.adjoints(), &[15.0, 0.0, 5.0, 1.0]);
    }
}
