//! `norm`: the Euclidean norm of many variables as one node.

use num_traits::Float;
use smallvec::SmallVec;

use crate::real::Real;
use crate::var::{Var, common_tape};

/// Euclidean norm `‖x‖ = √(Σ xᵢ²)` as one node, computed without overflow
/// or underflow; partials `xᵢ/‖x‖`.
///
/// At the origin, where the norm has no derivative, every partial is 0:
/// the subgradient that [`abs`](Var::abs) (`abs'(0) = 0`) and
/// [`hypot`](Var::hypot) also use, so `norm(&[x, y])` and `x.hypot(y)`
/// agree everywhere. Where some entries are infinite the norm is `+inf`,
/// each infinite entry gets its sign as partial and the finite ones 0. A NaN
/// entry makes the value and every partial NaN. The norm of no entries is
/// the constant 0.
///
/// ```
/// use adjoint_tape::{Tape, norm};
///
/// let tape = Tape::new();
/// let v = tape.vars(&[3.0, 4.0]);
/// let r = norm(&v);
/// assert_eq!(r.value(), 5.0);
/// assert_eq!(r.gradient().wrt_all(&v), vec![0.6, 0.8]);
///
/// let origin = tape.vars(&[0.0, 0.0]);
/// assert_eq!(norm(&origin).gradient().wrt_all(&origin), vec![0.0, 0.0]);
///
/// let huge = tape.vars(&[3e200_f64, 4e200]);
/// // x² + y² would overflow; the scaled form does not.
/// assert!((norm(&huge).value() / 5e200 - 1.0).abs() < 1e-15);
/// ```
///
/// # Panics
///
/// Panics if the entries belong to different tapes.
pub fn norm<'t, T: Real>(x: &[Var<'t, T>]) -> Var<'t, T> {
    let values: SmallVec<[T; 16]> = x.iter().map(|v| v.value()).collect();
    let mut partials: SmallVec<[T; 16]> = SmallVec::from_elem(T::zero(), x.len());
    let value = norm_rule(&values, &mut partials);
    let Some(tape) = common_tape(x.iter().copied()) else {
        return Var::constant(value);
    };
    let pairs = x.iter().copied().zip(partials.iter().copied());
    let index = tape.push_pairs("norm", value, x.len(), pairs);
    Var::on_tape(tape, index, value)
}

/// Computes the value and partials of the Euclidean norm, by the conventions that
/// [`norm`] documents; `partials` must have one slot per entry.
///
/// The entries are scaled by the largest magnitude `m`, so that the sum of
/// squares neither overflows nor underflows: `‖x‖ = m √(Σ (xᵢ/m)²)` and
/// `xᵢ/‖x‖ = (xᵢ/m) / √(Σ (xᵢ/m)²)`.
pub(crate) fn norm_rule<T: Float>(x: &[T], partials: &mut [T]) -> T {
    debug_assert_eq!(x.len(), partials.len());
    if x.iter().any(|v| v.is_nan()) {
        partials.fill(T::nan());
        return T::nan();
    }
    let largest = x.iter().fold(T::zero(), |m, v| m.max(v.abs()));
    if largest.is_zero() {
        partials.fill(T::zero());
        return T::zero();
    }
    if largest.is_infinite() {
        for (partial, v) in partials.iter_mut().zip(x) {
            *partial = if v.is_infinite() {
                v.signum()
            } else {
                T::zero()
            };
        }
        return largest;
    }
    let scaled_sum = x.iter().fold(T::zero(), |acc, &v| {
        let s = v / largest;
        acc + s * s
    });
    let scaled_norm = scaled_sum.sqrt();
    for (partial, &v) in partials.iter_mut().zip(x) {
        *partial = v / largest / scaled_norm;
    }
    largest * scaled_norm
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Tape;

    #[test]
    fn norm_agrees_with_hypot() {
        let points = [
            (3.0, 4.0),
            (0.0, 0.0),
            (-1e-300, 2e-300),
            (1e300, -1e300),
            (f64::INFINITY, 1.0),
            (-2.0, f64::NEG_INFINITY),
        ];
        let close = |a: f64, b: f64| a == b || (a - b).abs() <= 4.0 * f64::EPSILON * a.abs();
        for (a, b) in points {
            let tape = Tape::new();
            let (x, y) = (tape.var(a), tape.var(b));
            let by_norm = norm(&[x, y]);
            let by_hypot = x.hypot(y);
            let (value, expected) = (by_norm.value(), by_hypot.value());
            assert!(
                close(value, expected),
                "value {value} vs {expected} at ({a}, {b})"
            );
            let (gn, gh) = (by_norm.gradient(), by_hypot.gradient());
            for (got, want) in gn.wrt_all(&[x, y]).into_iter().zip(gh.wrt_all(&[x, y])) {
                assert!(close(got, want), "partial {got} vs {want} at ({a}, {b})");
            }
        }
    }

    #[test]
    fn norm_of_nan_entry_is_nan() {
        let tape = Tape::new();
        let v = tape.vars(&[f64::NAN, f64::INFINITY]);
        let r = norm(&v);
        assert!(r.value().is_nan());
        assert!(r.gradient().wrt(v[1]).is_nan());
    }

    #[test]
    fn norm_of_no_entries_is_zero_constant() {
        let r = norm::<f64>(&[]);
        assert!(r.is_constant());
        assert_eq!(r.value(), 0.0);
    }

    #[test]
    fn norm_skips_constant_entries() {
        let tape = Tape::new();
        let x = tape.var(4.0);
        let r = norm(&[Var::constant(3.0), x]);
        assert_eq!(tape.operand_count(), 1);
        assert_eq!(r.gradient().wrt(x), 0.8);
    }
}
