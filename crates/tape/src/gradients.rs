//! `Gradients`: the adjoints read back after a reverse sweep.

use std::ptr;

use crate::real::Real;
use crate::tape::Tape;
use crate::var::Var;

/// The adjoints of every node after one reverse sweep: `∂output/∂node`.
///
/// Dropping a `Gradients` hands its buffer back to the tape, so that a
/// loop of sweeps allocates nothing after the first.
///
/// ```
/// let tape = adjoint_tape::Tape::new();
/// let x = tape.var(1.0);
/// let y = tape.var(1.0);
/// let f = x * x + 3.0 * y * y;
/// let grads = f.gradient();
/// assert_eq!(grads.wrt(x), 2.0);
/// assert_eq!(grads.wrt(y), 6.0);
/// ```
pub struct Gradients<'t, T: Real = f64> {
    tape: Option<&'t Tape<T>>,
    adjoints: Vec<T>,
}

impl<T: Real> std::fmt::Debug for Gradients<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gradients")
            .field("adjoints", &self.adjoints)
            .finish()
    }
}

impl<'t, T: Real> Gradients<'t, T> {
    pub(crate) fn new(tape: &'t Tape<T>, adjoints: Vec<T>) -> Self {
        Self {
            tape: Some(tape),
            adjoints,
        }
    }

    /// The gradients of a constant output: all zero.
    pub(crate) fn empty() -> Self {
        Self {
            tape: None,
            adjoints: Vec::new(),
        }
    }

    /// The adjoint of `var`: the derivative of the swept output with respect
    /// to it. Zero for constants and for nodes recorded after the output.
    ///
    /// ```
    /// let tape = adjoint_tape::Tape::new();
    /// let x = tape.var(2.0);
    /// let y = x.powi(3);
    /// assert_eq!(y.gradient().wrt(x), 12.0);
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `var` belongs to another tape than the swept output.
    pub fn wrt(&self, var: Var<'t, T>) -> T {
        let (Some(index), Some(var_tape)) = (var.index(), var.tape()) else {
            return T::zero();
        };
        if let Some(tape) = self.tape {
            assert!(
                ptr::eq(tape, var_tape),
                "cannot read the gradient with respect to node {index} of \
                 another tape: these gradients come from a sweep of a different tape"
            );
        }
        self.adjoints.get(index).copied().unwrap_or_else(T::zero)
    }

    /// The adjoints of several variables, in order.
    ///
    /// ```
    /// let tape = adjoint_tape::Tape::new();
    /// let v = tape.vars(&[1.0, 2.0, 3.0]);
    /// let f = adjoint_tape::sum(&v);
    /// assert_eq!(f.gradient().wrt_all(&v), vec![1.0, 1.0, 1.0]);
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if a variable belongs to another tape than the swept output.
    pub fn wrt_all(&self, vars: &[Var<'t, T>]) -> Vec<T> {
        vars.iter().map(|&v| self.wrt(v)).collect()
    }

    /// Writes the adjoints of `vars` into `out`, without allocating.
    ///
    /// ```
    /// let tape = adjoint_tape::Tape::new();
    /// let v = tape.vars(&[1.0, 2.0]);
    /// let mut out = [0.0; 2];
    /// (v[0] * v[1]).gradient().write_wrt(&v, &mut out);
    /// assert_eq!(out, [2.0, 1.0]);
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `out` and `vars` differ in length, or if a variable belongs
    /// to another tape.
    pub fn write_wrt(&self, vars: &[Var<'t, T>], out: &mut [T]) {
        assert_eq!(
            vars.len(),
            out.len(),
            "write_wrt needs one output slot per variable: {} variables, {} slots",
            vars.len(),
            out.len()
        );
        for (slot, &v) in out.iter_mut().zip(vars) {
            *slot = self.wrt(v);
        }
    }

    /// The adjoints of all nodes up to the swept output, indexed by node.
    ///
    /// ```
    /// let tape = adjoint_tape::Tape::new();
    /// let x = tape.var(2.0);
    /// let y = x * x;
    /// assert_eq!(y.gradient().adjoints(), &[4.0, 1.0]);
    /// ```
    pub fn adjoints(&self) -> &[T] {
        &self.adjoints
    }
}

impl<T: Real> Drop for Gradients<'_, T> {
    fn drop(&mut self) {
        if let Some(tape) = self.tape {
            tape.return_adjoints(std::mem::take(&mut self.adjoints));
        }
    }
}
