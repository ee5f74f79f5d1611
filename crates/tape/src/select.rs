//! `select`: the scalar `where`, whose discarded branch never reaches the
//! gradient.

use crate::real::Real;
use crate::var::{Var, common_tape};

/// Returns `if_true` when `condition` is true and `if_false` otherwise, as one
/// node whose only operand is the chosen variable (partial 1).
///
/// This is the scalar form of `torch.where` and `jnp.where`. Both branches
/// may be computed (the usual way to write a piecewise function), and the
/// discarded one never reaches the gradient: the node has no operand entry
/// for it, so even an infinite or NaN partial inside the discarded branch
/// contributes nothing. That is the "double where" trick of JAX built in:
///
/// ```
/// use adjoint_tape::{Tape, select};
///
/// // f(x) = x for x < 1, else √x; both branches are recorded.
/// let tape = Tape::new();
/// let x = tape.var(0.0);
/// let f = select(x < 1.0, x, x.sqrt());
/// assert_eq!(f.value(), 0.0);
/// assert_eq!(f.gradient().wrt(x), 1.0); // not 0 · sqrt'(0) = 0 · inf = NaN
///
/// let x = tape.var(4.0);
/// let f = select(x < 1.0, x, x.sqrt());
/// assert_eq!(f.gradient().wrt(x), 0.25);
/// ```
///
/// Either branch may be a constant (`select(x > 0.0, x, 0.0)`); choosing a
/// constant gives a constant. The derivative with respect to the condition
/// is 0: the result jumps where the condition changes, and the jump is not
/// differentiated. The value the discarded branch had is not looked at, so
/// a NaN there does not make the result NaN.
///
/// # Panics
///
/// Panics if the two branches are variables of different tapes.
#[doc(alias = "where")]
pub fn select<'t, T: Real>(
    condition: bool,
    if_true: impl Into<Var<'t, T>>,
    if_false: impl Into<Var<'t, T>>,
) -> Var<'t, T> {
    let (if_true, if_false) = (if_true.into(), if_false.into());
    // Mixing two tapes is a mistake even when the other branch is dropped.
    common_tape([if_true, if_false]);
    let chosen = if condition { if_true } else { if_false };
    chosen.unary("select", chosen.value(), T::one())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Tape;

    #[test]
    fn select_records_one_operand() {
        let tape = Tape::new();
        let (a, b) = (tape.var(1.0), tape.var(2.0));
        let s = select(false, a, b);
        assert_eq!(s.value(), 2.0);
        assert_eq!(tape.operand_count(), 1);
        assert_eq!(s.gradient().wrt_all(&[a, b]), vec![0.0, 1.0]);
    }

    #[test]
    fn select_discards_nan_branch_value_and_partial() {
        let tape = Tape::new();
        let x = tape.var(-1.0);
        let f = select(x > 0.0, x.ln(), x * 3.0);
        assert_eq!(f.value(), -3.0);
        assert_eq!(f.gradient().wrt(x), 3.0);
    }

    #[test]
    fn select_of_constant_is_constant() {
        let tape = Tape::new();
        let x = tape.var(-2.0);
        let relu = select(x > 0.0, x, 0.0);
        assert!(relu.is_constant());
        assert_eq!(relu.gradient().wrt(x), 0.0);
        assert_eq!(tape.len(), 1);
    }

    #[test]
    #[should_panic(expected = "two different tapes")]
    fn select_rejects_mixed_tapes() {
        let (first, second) = (Tape::new(), Tape::new());
        let _ = select(true, first.var(1.0), second.var(2.0));
    }
}
