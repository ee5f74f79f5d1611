//! Central finite differences on plain functions, and a check of the
//! tape's gradient against them.
//!
//! Each input `xᵢ` is moved by a step scaled to its size,
//! `hᵢ = ∛ε · max(1, |xᵢ|)` (ε the machine epsilon of `T`), rounded so that
//! `xᵢ + hᵢ` is exactly representable. That step balances the truncation
//! error of the central difference (`O(h²)`) against the rounding error of
//! the two evaluations (`O(ε/h)`): for a well-scaled function the result has
//! about `ε^(2/3)` relative accuracy, near 4e-11 for `f64` and 2e-5 for
//! `f32`. Near a kink (`abs`, `max`, `floor`) or a singularity closer than
//! one step the difference quotient is not a derivative at all.
//!
//! ```
//! let g: Vec<f64> = adjoint_tape::finite_diff::gradient(
//!     |v: &[f64]| v[0] * v[0] + 3.0 * v[1] * v[1],
//!     &[1.0, 1.0],
//! );
//! assert!((g[0] - 2.0).abs() < 1e-9 && (g[1] - 6.0).abs() < 1e-9);
//! ```

use std::cell::RefCell;
use std::fmt;

use num_traits::Float;

use crate::real::Real;
use crate::tape::Tape;
use crate::var::Var;

/// Returns the relative step `∛ε` that [`gradient`], [`jacobian`] and
/// [`derivative`] use: about 6.06e-6 for `f64` and 4.92e-3 for `f32`.
///
/// ```
/// let h = adjoint_tape::finite_diff::default_step::<f64>();
/// assert_eq!(h, f64::EPSILON.cbrt());
/// ```
pub fn default_step<T: Float>() -> T {
    T::epsilon().cbrt()
}

/// Returns the two evaluation points `x + h` and `x - h` for the step
/// `h = relative_step · max(1, |x|)`, with `h` rounded so that `x + h` is
/// exact.
fn step_points<T: Float>(x: T, relative_step: T) -> (T, T) {
    let h = relative_step * x.abs().max(T::one());
    let h = (x + h) - x;
    (x + h, x - h)
}

/// Computes the central difference `(f(x + h) - f(x - h)) / 2h` of a
/// scalar function of one variable.
///
/// ```
/// let d = adjoint_tape::finite_diff::derivative(|t: f64| t.sin(), 0.5);
/// assert!((d - 0.5_f64.cos()).abs() < 1e-10);
/// ```
pub fn derivative<T, F>(f: F, x: T) -> T
where
    T: Float,
    F: Fn(T) -> T,
{
    let (plus, minus) = step_points(x, default_step());
    (f(plus) - f(minus)) / (plus - minus)
}

/// Computes the gradient of a scalar function of many variables by central
/// differences, two evaluations per input, with the step
/// `hᵢ = ∛ε · max(1, |xᵢ|)`.
///
/// An empty `x` gives an empty gradient without calling `f`. A non-finite
/// input gives a NaN component.
///
/// ```
/// let g: Vec<f64> = adjoint_tape::finite_diff::gradient(
///     |v: &[f64]| v[0] * v[0] + 3.0 * v[1] * v[1],
///     &[1.0, 1.0],
/// );
/// assert!((g[0] - 2.0).abs() < 1e-9);
/// assert!((g[1] - 6.0).abs() < 1e-9);
/// ```
pub fn gradient<T, F>(f: F, x: &[T]) -> Vec<T>
where
    T: Float,
    F: Fn(&[T]) -> T,
{
    gradient_with_step(f, x, default_step())
}

/// Computes the gradient by central differences with the step
/// `hᵢ = relative_step · max(1, |xᵢ|)` in place of the default `∛ε`.
///
/// Comparing two step sizes distinguishes a trustworthy difference quotient
/// from one spoiled by a kink or by rounding: where the function is smooth the
/// two agree up to the truncation error, which shrinks as `h²`.
///
/// ```
/// use adjoint_tape::finite_diff::gradient_with_step;
///
/// let square = |v: &[f64]| v[0] * v[0];
/// let coarse = gradient_with_step(square, &[3.0], 1e-3);
/// let fine = gradient_with_step(square, &[3.0], 1e-6);
/// assert!((coarse[0] - 6.0).abs() < 1e-9);
/// assert!((fine[0] - 6.0).abs() < 1e-8);
/// ```
///
/// # Panics
///
/// Panics if `relative_step` is not positive and finite.
pub fn gradient_with_step<T, F>(f: F, x: &[T], relative_step: T) -> Vec<T>
where
    T: Float,
    F: Fn(&[T]) -> T,
{
    assert!(
        relative_step > T::zero() && relative_step.is_finite(),
        "the relative step of a finite difference must be positive and finite, got {}; \
         use finite_diff::default_step() for the usual choice",
        relative_step.to_f64().unwrap_or(f64::NAN)
    );
    let mut point = x.to_vec();
    (0..x.len())
        .map(|i| {
            let (plus, minus) = step_points(x[i], relative_step);
            point[i] = plus;
            let above = f(&point);
            point[i] = minus;
            let below = f(&point);
            point[i] = x[i];
            (above - below) / (plus - minus)
        })
        .collect()
}

/// Computes the Jacobian of a vector function by central differences, two
/// evaluations per input. Row `i` holds the gradient of output `i`, as in
/// [`jacobian`](crate::jacobian).
///
/// An empty `x` calls `f` once to learn the number of outputs and gives
/// that many empty rows.
///
/// ```
/// let j = adjoint_tape::finite_diff::jacobian(|v: &[f64]| vec![v[0] * v[1], v[0].exp()], &[1.0, 2.0]);
/// let expected = [[2.0, 1.0], [1.0_f64.exp(), 0.0]];
/// for (row, want) in j.iter().zip(expected) {
///     for (got, want) in row.iter().zip(want) {
///         assert!((got - want).abs() < 1e-9);
///     }
/// }
/// ```
///
/// # Panics
///
/// Panics if `f` returns vectors of different lengths at different points.
pub fn jacobian<T, F>(f: F, x: &[T]) -> Vec<Vec<T>>
where
    T: Float,
    F: Fn(&[T]) -> Vec<T>,
{
    if x.is_empty() {
        return vec![Vec::new(); f(x).len()];
    }
    let mut point = x.to_vec();
    let mut rows: Vec<Vec<T>> = Vec::new();
    for j in 0..x.len() {
        let (plus, minus) = step_points(x[j], default_step());
        point[j] = plus;
        let above = f(&point);
        point[j] = minus;
        let below = f(&point);
        point[j] = x[j];
        if j == 0 {
            rows = vec![Vec::with_capacity(x.len()); above.len()];
        }
        assert!(
            above.len() == rows.len() && below.len() == rows.len(),
            "the function returned {} outputs at one point and {} at another (input {j}); \
             a Jacobian needs the same number of outputs everywhere",
            rows.len(),
            if above.len() == rows.len() {
                below.len()
            } else {
                above.len()
            }
        );
        for (row, (a, b)) in rows.iter_mut().zip(above.iter().zip(&below)) {
            row.push((*a - *b) / (plus - minus));
        }
    }
    rows
}

/// Computes the relative error `|a - b| / max(1, |a|, |b|)`, the tolerance
/// rule of [`check_gradient`]: relative for large values, absolute below 1.
///
/// Equal values (infinities of the same sign included) give 0; a NaN on
/// either side gives NaN, and an infinity against any other value gives
/// `+inf`.
///
/// ```
/// use adjoint_tape::finite_diff::relative_error;
///
/// assert_eq!(relative_error(300.0, 297.0), 0.01);
/// assert_eq!(relative_error(0.25, 0.75), 0.5);
/// assert_eq!(relative_error(f64::INFINITY, f64::INFINITY), 0.0);
/// assert!(relative_error(f64::NAN, 1.0).is_nan());
/// ```
pub fn relative_error<T: Float>(a: T, b: T) -> T {
    if a == b {
        return T::zero();
    }
    if a.is_nan() || b.is_nan() {
        return T::nan();
    }
    let scale = T::one().max(a.abs()).max(b.abs());
    if scale.is_infinite() {
        return T::infinity();
    }
    (a - b).abs() / scale
}

/// The result of [`check_gradient`]: both gradients and their worst
/// component.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct GradientCheck<T = f64> {
    /// Index of the component with the largest relative error (a NaN error
    /// counts as the largest), or `None` for a function of no inputs.
    pub index: Option<usize>,
    /// The tape's gradient at that component (0 without inputs).
    pub tape: T,
    /// The finite-difference gradient at that component (0 without inputs).
    pub finite_difference: T,
    /// The relative error of that component, as [`relative_error`]
    /// computes it.
    pub relative_error: T,
    /// The tolerance the check compared against.
    pub tolerance: T,
    /// Whether every component's relative error is at most `tolerance`
    /// (false if any is NaN).
    pub passed: bool,
    /// The whole gradient from one reverse sweep of the tape.
    pub tape_gradient: Vec<T>,
    /// The whole gradient by central finite differences.
    pub finite_difference_gradient: Vec<T>,
}

impl<T: Real + fmt::Display + fmt::LowerExp> fmt::Display for GradientCheck<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.passed { "passed" } else { "failed" };
        match self.index {
            None => write!(f, "gradient check {verdict}: the function has no inputs"),
            Some(index) => write!(
                f,
                "gradient check {verdict}: worst component {index} is {} on the tape and {} by \
                 finite differences, relative error {:e} (tolerance {:e})",
                self.tape, self.finite_difference, self.relative_error, self.tolerance
            ),
        }
    }
}

/// Compares the tape's gradient of `f` at `x` with central finite
/// differences and reports the worst component.
///
/// The function is written once, over tape variables: the reverse sweep
/// gives one gradient, and the finite differences evaluate the same
/// closure by recording it on a scratch tape and reading the output's
/// [`value`](Var::value). A component passes when
/// `|tape - fd| / max(1, |tape|, |fd|) <= tolerance` (see
/// [`relative_error`]). Finite differences are accurate to about `ε^(2/3)`
/// (see the [module documentation](self)), so `1e-6` suits `f64` and
/// `1e-2` suits `f32` for well-conditioned functions away from kinks.
///
/// ```
/// use adjoint_tape::finite_diff::check_gradient;
///
/// let check = check_gradient(|v| v[0] * v[0] + 3.0 * v[1] * v[1], &[1.0, 1.0], 1e-6);
/// assert!(check.passed, "{check}");
/// assert_eq!(check.tape_gradient, vec![2.0, 6.0]);
///
/// // A wrong derivative (a hand-written partial of 1 for x²) is caught.
/// let wrong = check_gradient(
///     |v| adjoint_tape::Var::from_partials(v[0].value() * v[0].value(), &[(v[0], 1.0)]),
///     &[3.0],
///     1e-6,
/// );
/// assert!(!wrong.passed);
/// assert_eq!(wrong.index, Some(0));
/// assert_eq!(wrong.tape, 1.0);
/// ```
///
/// # Panics
///
/// Panics if `tolerance` is negative or NaN.
pub fn check_gradient<T, F>(f: F, x: &[T], tolerance: T) -> GradientCheck<T>
where
    T: Real,
    F: for<'t> Fn(&[Var<'t, T>]) -> Var<'t, T>,
{
    assert!(
        tolerance >= T::zero(),
        "the tolerance of a gradient check must be zero or positive, got {:?}; \
         1e-6 suits f64 and 1e-2 suits f32",
        tolerance
    );
    let tape_gradient = crate::api::gradient(&f, x);

    let scratch = RefCell::new(Tape::<T>::new());
    let finite_difference_gradient = gradient(
        |point: &[T]| {
            let mut tape = scratch.borrow_mut();
            tape.clear();
            let inputs = tape.vars(point);
            f(&inputs).value()
        },
        x,
    );

    let mut check = GradientCheck {
        index: None,
        tape: T::zero(),
        finite_difference: T::zero(),
        relative_error: T::zero(),
        tolerance,
        passed: true,
        tape_gradient,
        finite_difference_gradient,
    };
    // A NaN error ranks above every number, so it is always reported.
    let is_worse = |error: T, worst: T| !worst.is_nan() && (error.is_nan() || error > worst);
    for (i, (&a, &b)) in check
        .tape_gradient
        .iter()
        .zip(&check.finite_difference_gradient)
        .enumerate()
    {
        let error = relative_error(a, b);
        if error.is_nan() || error > tolerance {
            check.passed = false;
        }
        if check.index.is_none() || is_worse(error, check.relative_error) {
            check.index = Some(i);
            check.tape = a;
            check.finite_difference = b;
            check.relative_error = error;
        }
    }
    check
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_makes_the_perturbed_point_exact() {
        for x in [0.0, 1.0, 0.1, -3.7, 1e8, 1e-300] {
            let (plus, minus) = step_points(x, default_step::<f64>());
            let h = plus - x;
            assert_eq!(x + h, plus, "x = {x}");
            assert_eq!(x - h, minus, "x = {x}");
            assert_eq!(plus - minus, 2.0 * h, "x = {x}");
        }
    }

    #[test]
    fn step_scales_with_large_inputs() {
        let (plus, _) = step_points(1e6, default_step::<f64>());
        let h = plus - 1e6;
        assert!((h / (f64::EPSILON.cbrt() * 1e6) - 1.0).abs() < 1e-9);
        let (plus, _) = step_points(1e-6, default_step::<f64>());
        let h = plus - 1e-6;
        assert!((h / f64::EPSILON.cbrt() - 1.0).abs() < 1e-9);
    }

    #[test]
    fn gradient_of_quadratic_is_accurate() {
        let g = gradient(|v: &[f64]| v[0] * v[0] + 3.0 * v[1] * v[1], &[1.0, 1.0]);
        assert!((g[0] - 2.0).abs() < 1e-10, "{g:?}");
        assert!((g[1] - 6.0).abs() < 1e-10, "{g:?}");
    }

    #[test]
    fn gradient_of_cubic_has_second_order_error() {
        // For x³ the central difference is 3x² + h² exactly (in real
        // arithmetic), so the error shows the step used.
        let x = 2.0;
        let h = 1e-3 * 2.0;
        let g = gradient_with_step(|v: &[f64]| v[0].powi(3), &[x], 1e-3);
        assert!((g[0] - (12.0 + h * h)).abs() < 1e-9, "{g:?}");
    }

    #[test]
    fn empty_input_skips_the_function() {
        let g = gradient(|_: &[f64]| panic!("must not be called"), &[]);
        assert!(g.is_empty());
    }

    #[test]
    fn gradient_works_in_f32() {
        let g = gradient(|v: &[f32]| v[0].sin() * v[1], &[0.5_f32, 2.0]);
        assert!((g[0] - 2.0 * 0.5_f32.cos()).abs() < 1e-3, "{g:?}");
        assert!((g[1] - 0.5_f32.sin()).abs() < 1e-3, "{g:?}");
    }

    #[test]
    fn gradient_at_nan_is_nan() {
        let g = gradient(|v: &[f64]| v[0] * 2.0 + v[1], &[f64::NAN, 1.0]);
        assert!(g[0].is_nan());
        assert!(g[1].is_nan());
    }

    #[test]
    fn gradient_at_infinite_input_is_nan_there_only() {
        // f64::min ignores a NaN operand, so the other component stays finite.
        let g = gradient(|v: &[f64]| v[0].min(1.0) + v[1], &[f64::INFINITY, 1.0]);
        assert!(g[0].is_nan());
        assert!((g[1] - 1.0).abs() < 1e-10);
    }

    #[test]
    #[should_panic(expected = "must be positive and finite, got 0")]
    fn zero_step_panics() {
        let _ = gradient_with_step(|v: &[f64]| v[0], &[1.0], 0.0);
    }

    #[test]
    fn derivative_of_exp_matches() {
        let d = derivative(|t: f64| t.exp(), 1.0);
        assert!((d - 1.0_f64.exp()).abs() < 1e-9);
    }

    #[test]
    fn jacobian_rows_are_outputs() {
        let j = jacobian(
            |v: &[f64]| vec![v[0] * v[1], v[0] + 2.0 * v[1], v[1]],
            &[3.0, 5.0],
        );
        let expected = [[5.0, 3.0], [1.0, 2.0], [0.0, 1.0]];
        assert_eq!(j.len(), 3);
        for (row, want) in j.iter().zip(expected) {
            assert_eq!(row.len(), 2);
            for (got, want) in row.iter().zip(want) {
                assert!((got - want).abs() < 1e-9, "{j:?}");
            }
        }
    }

    #[test]
    fn jacobian_of_empty_input_has_empty_rows() {
        let j = jacobian(|_: &[f64]| vec![1.0, 2.0], &[]);
        assert_eq!(j, vec![Vec::<f64>::new(), Vec::new()]);
    }

    #[test]
    #[should_panic(expected = "returned 1 outputs at one point and 2 at another")]
    fn jacobian_with_changing_output_count_panics() {
        let _ = jacobian(
            |v: &[f64]| {
                if v[0] > 1.0 {
                    vec![1.0]
                } else {
                    vec![1.0, 2.0]
                }
            },
            &[1.0],
        );
    }

    #[test]
    fn relative_error_is_absolute_below_one() {
        assert_eq!(relative_error(0.5, 0.25), 0.25);
        assert_eq!(relative_error(-4.0, 4.0), 2.0);
        assert_eq!(relative_error(f64::INFINITY, 1e300), f64::INFINITY);
        assert_eq!(
            relative_error(f64::INFINITY, f64::NEG_INFINITY),
            f64::INFINITY
        );
    }

    #[test]
    fn check_passes_for_correct_rule() {
        let check = check_gradient(|v| v[0].sin() * v[1].exp(), &[0.7, -0.3], 1e-6);
        assert!(check.passed, "{check}");
        assert!(check.index.is_some());
        assert!(check.relative_error < 1e-8, "{check}");
    }

    #[test]
    fn check_names_the_worst_component() {
        // The partial for v[1] is 10% too large, while v[0] and v[2] are right.
        let check = check_gradient(
            |v| {
                let value = v[0].value() + 2.0 * v[1].value() + v[2].value();
                Var::from_partials(value, &[(v[0], 1.0), (v[1], 2.2), (v[2], 1.0)])
            },
            &[1.0, 1.0, 1.0],
            1e-6,
        );
        assert!(!check.passed);
        assert_eq!(check.index, Some(1));
        assert_eq!(check.tape, 2.2);
        assert!((check.finite_difference - 2.0).abs() < 1e-9);
        assert!((check.relative_error - 0.2 / 2.2).abs() < 1e-9);
        assert!(
            check
                .to_string()
                .starts_with("gradient check failed: worst component 1")
        );
    }

    #[test]
    fn check_fails_on_nan_and_reports_it() {
        let check = check_gradient(
            |v| {
                Var::from_partials(
                    v[0].value() + v[1].value(),
                    &[(v[0], 1.0), (v[1], f64::NAN)],
                )
            },
            &[1.0, 1.0],
            1e-6,
        );
        assert!(!check.passed);
        assert_eq!(check.index, Some(1));
        assert!(check.relative_error.is_nan());
    }

    #[test]
    fn check_of_no_inputs_passes() {
        let check = check_gradient(|_| Var::constant(1.0), &[], 1e-6);
        assert!(check.passed);
        assert_eq!(check.index, None);
        assert_eq!(
            check.to_string(),
            "gradient check passed: the function has no inputs"
        );
    }

    #[test]
    fn check_works_on_f32_tapes() {
        let check = check_gradient(|v| v[0].tanh() * v[1], &[0.3_f32, 1.5], 1e-2);
        assert!(check.passed, "{check}");
    }

    #[test]
    #[should_panic(expected = "tolerance of a gradient check must be zero or positive, got NaN")]
    fn nan_tolerance_panics() {
        let _ = check_gradient(|v| v[0], &[1.0], f64::NAN);
    }
}
