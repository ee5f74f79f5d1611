//! `Var`: the handle of a recorded value.

use std::fmt;
use std::ptr;

use crate::gradients::Gradients;
use crate::real::Real;
use crate::tape::Tape;

/// Node index of a constant, which is on no tape.
const CONSTANT: u32 = u32::MAX;

/// A value recorded on a [`Tape`]: its primal value and its node index.
///
/// `Var` is `Copy` and borrows its tape, so it cannot outlive the tape nor
/// survive [`Tape::clear`]. A `Var` can also be a constant that belongs to
/// no tape (see [`Var::constant`]); constants are what `num_traits`'
/// `zero()`, `one()` and `from()` return, and they cost no tape space.
///
/// Arithmetic between variables of two different tapes panics, naming the
/// problem; it never gives a silently wrong gradient.
///
/// ```
/// use adjoint_tape::Tape;
///
/// let tape = Tape::new();
/// let x = tape.var(0.5);
/// let y = x.sin() * x;
/// let dy = y.gradient().wrt(x);
/// assert!((dy - (0.5_f64.cos() * 0.5 + 0.5_f64.sin())).abs() < 1e-15);
/// ```
#[derive(Clone, Copy)]
pub struct Var<'t, T: Real = f64> {
    value: T,
    index: u32,
    tape: Option<&'t Tape<T>>,
}

impl<T: Real> fmt::Debug for Var<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.index() {
            Some(index) => write!(f, "Var {{ value: {:?}, node: {index} }}", self.value),
            None => write!(f, "Var {{ value: {:?}, constant }}", self.value),
        }
    }
}

impl<T: Real> fmt::Display for Var<'_, T>
where
    T: fmt::Display,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.value, f)
    }
}

#[cold]
#[inline(never)]
fn mixed_tapes(a: usize, b: usize) -> ! {
    panic!(
        "cannot combine variables of two different tapes (node {a} of one \
         tape, node {b} of another): record the whole function on one tape"
    )
}

impl<'t, T: Real> Var<'t, T> {
    #[inline]
    pub(crate) fn on_tape(tape: &'t Tape<T>, index: u32, value: T) -> Self {
        Self {
            value,
            index,
            tape: Some(tape),
        }
    }

    /// A constant: a value on no tape, whose derivative is zero.
    ///
    /// ```
    /// use adjoint_tape::{Tape, Var};
    ///
    /// let tape = Tape::new();
    /// let x = tape.var(2.0);
    /// let c = Var::constant(3.0);
    /// assert_eq!((c * x).gradient().wrt(x), 3.0);
    /// assert!(c.index().is_none());
    /// ```
    #[inline]
    pub const fn constant(value: T) -> Self {
        Self {
            value,
            index: CONSTANT,
            tape: None,
        }
    }

    /// The primal value.
    ///
    /// ```
    /// let tape = adjoint_tape::Tape::new();
    /// assert_eq!(tape.var(1.5).value(), 1.5);
    /// ```
    #[inline]
    pub fn value(self) -> T {
        self.value
    }

    /// The node index on the tape, or `None` for a constant.
    ///
    /// ```
    /// let tape = adjoint_tape::Tape::new();
    /// assert_eq!(tape.var(1.0).index(), Some(0));
    /// ```
    #[inline]
    pub fn index(self) -> Option<usize> {
        self.tape.map(|_| self.index as usize)
    }

    /// The tape this variable is recorded on, or `None` for a constant.
    ///
    /// ```
    /// let tape = adjoint_tape::Tape::new();
    /// let x = tape.var(1.0);
    /// assert!(std::ptr::eq(x.tape().unwrap(), &tape));
    /// ```
    #[inline]
    pub fn tape(self) -> Option<&'t Tape<T>> {
        self.tape
    }

    /// Whether this is a constant on no tape.
    ///
    /// ```
    /// assert!(adjoint_tape::Var::constant(1.0).is_constant());
    /// ```
    #[inline]
    pub fn is_constant(self) -> bool {
        self.tape.is_none()
    }

    /// The raw node index, `u32::MAX` for a constant.
    #[inline]
    pub(crate) fn raw_index(self) -> u32 {
        self.index
    }

    /// Runs one reverse sweep seeded with 1 at this variable and returns the
    /// adjoints of every node: `∂self/∂node`.
    ///
    /// The tape is not changed, so further sweeps, from this or other
    /// outputs, need no re-recording; each sweep starts from zero adjoints,
    /// so gradients never accumulate across calls.
    ///
    /// ```
    /// let tape = adjoint_tape::Tape::new();
    /// let (a, b, d) = (tape.var(3.0), tape.var(2.0), tape.var(1.0));
    /// let e = (a + b) * d;
    /// for _ in 0..3 {
    ///     let g = e.gradient();
    ///     assert_eq!(g.wrt_all(&[a, b, d]), vec![1.0, 1.0, 5.0]);
    /// }
    /// ```
    ///
    /// For a constant the gradient is empty: every `wrt` is zero.
    pub fn gradient(self) -> Gradients<'t, T> {
        self.gradient_with_seed(T::one())
    }

    /// Runs one reverse sweep seeded with `seed` at this variable: the
    /// vector-Jacobian product of this output with cotangent `seed`.
    ///
    /// ```
    /// let tape = adjoint_tape::Tape::new();
    /// let x = tape.var(3.0);
    /// let y = x * x;
    /// assert_eq!(y.gradient_with_seed(0.5).wrt(x), 3.0);
    /// ```
    pub fn gradient_with_seed(self, seed: T) -> Gradients<'t, T> {
        match self.tape {
            Some(tape) => tape.gradients_from(self.index, seed),
            None => Gradients::empty(),
        }
    }

    /// Records a unary operation on `self` with primal `value` and partial
    /// derivative `partial`.
    #[inline(always)]
    pub(crate) fn unary(self, name: &'static str, value: T, partial: T) -> Self {
        match self.tape {
            Some(tape) => Self::on_tape(
                tape,
                tape.push_unary(name, value, self.index, partial),
                value,
            ),
            None => Self::constant(value),
        }
    }

    /// Records a binary operation on `self` and `other`.
    #[inline(always)]
    pub(crate) fn binary(
        self,
        other: Self,
        name: &'static str,
        value: T,
        d_self: T,
        d_other: T,
    ) -> Self {
        match (self.tape, other.tape) {
            (Some(a), Some(b)) => {
                if !ptr::eq(a, b) {
                    mixed_tapes(self.index as usize, other.index as usize);
                }
                Self::on_tape(
                    a,
                    a.push_binary(name, value, [self.index, other.index], [d_self, d_other]),
                    value,
                )
            }
            (Some(_), None) => self.unary(name, value, d_self),
            (None, Some(_)) => other.unary(name, value, d_other),
            (None, None) => Self::constant(value),
        }
    }

    /// Records an operation of any number of operands, given as
    /// `(variable, partial)` pairs; constants among them are skipped.
    ///
    /// This is the way to add a scalar function with a hand-written
    /// derivative (the scalar analogue of `jax.custom_jvp`): compute the
    /// value and the partials yourself and record them as one node.
    ///
    /// ```
    /// use adjoint_tape::{Tape, Var};
    ///
    /// let tape = Tape::new();
    /// let (x, y) = (tape.var(3.0), tape.var(4.0));
    /// // r = √(x² + y²), recorded as one node with partials x/r and y/r.
    /// let r = Var::from_partials(5.0, &[(x, 0.6), (y, 0.8)]);
    /// let g = r.gradient();
    /// assert_eq!((g.wrt(x), g.wrt(y)), (0.6, 0.8));
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if the variables belong to different tapes.
    pub fn from_partials(value: T, operands: &[(Self, T)]) -> Self {
        let Some(tape) = common_tape(operands.iter().map(|(v, _)| *v)) else {
            return Self::constant(value);
        };
        let index = tape.push_pairs("custom", value, operands.len(), operands.iter().copied());
        Self::on_tape(tape, index, value)
    }
}

/// Records a statement of `value` with one entry for each variable among
/// `operands`, in order, and none for constants.
///
/// The entries are compacted to the front of a stack array, so that the
/// statement takes the fast push path whatever the mix of constants. A
/// constant comes back if no operand is on a tape.
///
/// # Panics
///
/// Panics if the operands belong to different tapes.
#[inline]
pub(crate) fn record_fixed<'t, T: Real, const N: usize>(
    name: &'static str,
    value: T,
    operands: [Var<'t, T>; N],
    partials: [T; N],
) -> Var<'t, T> {
    let Some(tape) = common_tape(operands) else {
        return Var::constant(value);
    };
    let mut variable_indices = [0; N];
    let mut variable_partials = [T::zero(); N];
    let mut count = 0;
    for (operand, partial) in operands.into_iter().zip(partials) {
        if !operand.is_constant() {
            variable_indices[count] = operand.raw_index();
            variable_partials[count] = partial;
            count += 1;
        }
    }
    let index = tape.push_entries(name, value, variable_indices, variable_partials, count);
    Var::on_tape(tape, index, value)
}

/// The tape shared by all non-constant variables, or `None` if all are
/// constants.
///
/// # Panics
///
/// Panics if two variables belong to different tapes.
pub(crate) fn common_tape<'t, T: Real>(
    vars: impl IntoIterator<Item = Var<'t, T>>,
) -> Option<&'t Tape<T>> {
    let mut found: Option<(&'t Tape<T>, u32)> = None;
    for v in vars {
        if let Some(tape) = v.tape {
            match found {
                None => found = Some((tape, v.index)),
                Some((first, first_index)) => {
                    if !ptr::eq(first, tape) {
                        mixed_tapes(first_index as usize, v.index as usize);
                    }
                }
            }
        }
    }
    found.map(|(tape, _)| tape)
}
