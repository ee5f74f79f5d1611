//! Second derivatives by forward over reverse mode: a tape whose number
//! type is a dual number.
//!
//! Recording a function on `Tape<Dual<T>>` with the inputs' tangents set
//! to a direction `v` stores, for every partial derivative, its value and
//! its derivative along `v`. The reverse sweep then carries dual adjoints:
//! their values are the gradient and their tangents `H v`, the
//! Hessian-vector product, for the price of one recording and one sweep.

use std::ops::{Add, Div, Mul, Sub};

use crate::forward::{Coefficient, Dual};
use crate::real::Real;
use crate::rules;
use crate::tape::Tape;
use crate::var::Var;

/// Computes the Hessian-vector product `H v` of a scalar function at `x`
/// with one recording and one reverse sweep (forward over reverse).
///
/// The closure runs on a tape over dual numbers, `Var<Dual<T>>`. Constants
/// go on the right of an operator (`v[1] * 3.0`) or in a `Dual`:
/// `3.0 * v[1]` is not available on this tape, because a second
/// left-constant impl would break type inference of `3.0 * x` on `f64`
/// tapes.
///
/// ```
/// let hv: Vec<f64> =
///     adjoint_tape::hessian_vector_product(|v| v[0] * v[0] * v[1], &[1.0, 2.0], &[1.0, 0.0]);
/// assert_eq!(hv, vec![4.0, 2.0]);
/// ```
///
/// Hessian-vector products need only `O(1)` sweeps whatever the number of
/// inputs, which is what Newton-CG and trust-region solvers use in place of
/// the full Hessian.
///
/// # Panics
///
/// Panics if `v` does not have one entry per input.
pub fn hessian_vector_product<T, F>(f: F, x: &[T], v: &[T]) -> Vec<T>
where
    T: Coefficient + Real,
    F: for<'t> Fn(&[Var<'t, Dual<'static, T>>]) -> Var<'t, Dual<'static, T>>,
{
    assert_eq!(
        x.len(),
        v.len(),
        "hessian_vector_product needs one direction entry per input: {} inputs, {} entries",
        x.len(),
        v.len()
    );
    let tape = Tape::with_capacity(x.len() * 4, x.len() * 8);
    let seeds: Vec<Dual<'static, T>> = x
        .iter()
        .zip(v)
        .map(|(&xi, &vi)| Dual::new(xi, vi))
        .collect();
    let inputs = tape.vars(&seeds);
    let gradients = f(&inputs).gradient();
    inputs
        .iter()
        .map(|&xi| gradients.wrt(xi).tangent())
        .collect()
}

/// Computes the Hessian of a scalar function at `x` by `n`
/// Hessian-vector products, one per input, each one recording and one
/// reverse sweep on a tape over dual numbers (reused, so that only the
/// first recording allocates).
///
/// Row `i`, column `j` is `∂²f/∂xᵢ∂xⱼ`. The two products that give
/// `Hᵢⱼ` and `Hⱼᵢ` round differently, so the result is made exactly
/// symmetric by taking their mean (where they differ at all). An empty
/// input gives an empty Hessian.
///
/// ```
/// let h: Vec<Vec<f64>> = adjoint_tape::hessian(|v| v[0] * v[0] * v[1], &[1.0, 2.0]);
/// assert_eq!(h, vec![vec![4.0, 2.0], vec![2.0, 0.0]]);
/// ```
///
/// NOTE: the tape stores first-order partials only. Where `abs`, `max`,
/// `relu` or another kink meets an argument exactly at the kink, its
/// convention (`abs'(0) = 0`, ties split in halves) decides the result,
/// even where the function is smooth. So the Hessian of `|-x²|` at `x = 0`
/// comes out 0, not 2. Nested forward mode
/// ([`forward::derivative`](crate::forward::derivative)) sees the
/// higher-order term and gives 2.
pub fn hessian<T, F>(f: F, x: &[T]) -> Vec<Vec<T>>
where
    T: Coefficient + Real,
    F: for<'t> Fn(&[Var<'t, Dual<'static, T>>]) -> Var<'t, Dual<'static, T>>,
{
    let n = x.len();
    let mut tape = Tape::with_capacity(n * 4, n * 8);
    let mut columns: Vec<Vec<T>> = Vec::with_capacity(n);
    for j in 0..n {
        {
            let inputs: Vec<Var<'_, Dual<'static, T>>> = x
                .iter()
                .enumerate()
                .map(|(i, &xi)| {
                    let tangent = if i == j { T::one() } else { T::zero() };
                    tape.var(Dual::new(xi, tangent))
                })
                .collect();
            let gradients = f(&inputs).gradient();
            columns.push(
                inputs
                    .iter()
                    .map(|&xi| gradients.wrt(xi).tangent())
                    .collect(),
            );
        }
        tape.clear();
    }
    (0..n)
        .map(|i| {
            (0..n)
                .map(|j| symmetric_mean(columns[j][i], columns[i][j]))
                .collect()
        })
        .collect()
}

/// Returns `a` if both agree, else their mean, computed so that swapping
/// the arguments gives the same bits and large values do not overflow.
fn symmetric_mean<T: Coefficient>(a: T, b: T) -> T {
    if a == b {
        a
    } else {
        let half = rules::constant::<T>(0.5);
        a * half + b * half
    }
}

/// Implements `Var<Dual<T>> op f64` for the functions that
/// [`hessian`] and [`hessian_vector_product`] record, so a constant can be
/// written as a plain number on the right (`v[1] * 3.0`).
macro_rules! dual_tape_constant_right {
    ($($trait:ident $method:ident;)*) => {
        $(
            impl<'t, T: Coefficient + Real> $trait<f64> for Var<'t, Dual<'static, T>> {
                type Output = Self;
                /// Treats the `f64` as a constant of the tape's number type.
                #[inline]
                fn $method(self, constant: f64) -> Self {
                    $trait::$method(self, Dual::constant(rules::constant::<T>(constant)))
                }
            }
        )*
    };
}

dual_tape_constant_right! {
    Add add;
    Sub sub;
    Mul mul;
    Div div;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symmetric_mean_is_order_independent() {
        let (a, b): (f64, f64) = (0.1 + 0.2, 0.3);
        assert_eq!(
            symmetric_mean(a, b).to_bits(),
            symmetric_mean(b, a).to_bits()
        );
        assert_eq!(symmetric_mean(f64::MAX, f64::MAX), f64::MAX);
        assert_eq!(symmetric_mean(f64::MAX, f64::MAX / 2.0), 0.75 * f64::MAX);
    }

    #[test]
    fn constant_on_right_of_dual_tape_variable() {
        let h = hessian(|v| v[0] * v[0] * 3.0 - v[0] / 2.0 + 1.0, &[1.0]);
        assert_eq!(h, vec![vec![6.0]]);
    }
}
