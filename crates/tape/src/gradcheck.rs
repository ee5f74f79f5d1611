//! Derivative checks: a function's gradient, Jacobian or Hessian-vector
//! product by automatic differentiation, compared with central finite
//! differences, as `torch.autograd.gradcheck` does.
//!
//! ```
//! use adjoint_tape::gradcheck;
//!
//! let report = gradcheck::gradient(|v| (v[0] * v[1]).sin() + v[1].exp(), &[0.3, -1.2]);
//! assert!(report.passed, "{report}");
//!
//! // The same check in f32, with the tolerance that suits f32.
//! let report = gradcheck::gradient(|v| (v[0] * v[1]).sin() + v[1].exp(), &[0.3_f32, -1.2]);
//! assert!(report.passed, "{report}");
//! ```
//!
//! # Steps and tolerances
//!
//! Input `xᵢ` moves by `hᵢ = s · max(1, |xᵢ|)` with the relative step
//! `s = ∛ε` (ε the machine epsilon of the number type: 6.06e-6 for `f64`,
//! 4.92e-3 for `f32`), rounded so that `xᵢ ± hᵢ` are exact; see
//! [`finite_diff`](crate::finite_diff). That step balances the `O(h²)`
//! truncation error against the `O(ε/h)` rounding error, leaving an
//! error near `ε^(2/3)` times the function's scale: 4e-11 for `f64`,
//! 2e-5 for `f32`. The two function values are taken to `f64` before they
//! are subtracted and divided, so an `f32` check loses nothing more than
//! the `f32` evaluations themselves.
//!
//! An entry passes when its relative error
//! `|analytic - numeric| / max(1, |analytic|, |numeric|)` (see
//! [`finite_diff::relative_error`](crate::finite_diff::relative_error)) is
//! at most the tolerance, by default also `∛ε`: a margin of about 10⁵
//! over the expected error for `f64` and 200 for `f32`, enough for
//! badly scaled but smooth functions, and still small enough to catch a
//! wrong sign, a missing term or a factor of 2. Near a kink (`abs`,
//! `max`, `floor`) or a singularity closer than one step, the difference
//! quotient is not a derivative, and a check there fails for a correct
//! gradient: choose points away from them.

use num_traits::ToPrimitive;

use crate::error::Error;
use crate::finite_diff::{default_step, relative_error};
use crate::forward::{Coefficient, Dual};
use crate::real::Real;
use crate::tape::Tape;
use crate::var::Var;

/// The outcome of a derivative check: every entry both ways, and the
/// worst one.
///
/// ```
/// use adjoint_tape::gradcheck;
///
/// let report = gradcheck::jacobian(|v| vec![v[0] * v[1], v[0].exp()], &[1.0, 2.0]);
/// assert!(report.passed);
/// assert_eq!(report.analytic, vec![vec![2.0, 1.0], vec![1.0_f64.exp(), 0.0]]);
/// assert!(report.max_error < 1e-9);
/// assert!(report.into_result().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Report {
    /// The derivative checked: `"gradient"`, `"jacobian"` or
    /// `"hessian-vector product"`.
    pub check: &'static str,
    /// The entry with the largest relative error, as (output, input); a
    /// NaN error counts as the largest. `None` when there are no entries.
    pub worst: Option<(usize, usize)>,
    /// The largest relative error (NaN if any entry's is NaN, 0 without
    /// entries).
    pub max_error: f64,
    /// The tolerance the errors were compared with.
    pub tolerance: f64,
    /// Whether every entry's relative error is at most the tolerance
    /// (false if any is NaN).
    pub passed: bool,
    /// The derivatives by automatic differentiation, one row per output
    /// (one row for a gradient or a Hessian-vector product).
    pub analytic: Vec<Vec<f64>>,
    /// The finite-difference estimates, laid out like `analytic`.
    pub numeric: Vec<Vec<f64>>,
}

impl Report {
    fn new(
        check: &'static str,
        tolerance: f64,
        analytic: Vec<Vec<f64>>,
        numeric: Vec<Vec<f64>>,
    ) -> Self {
        let mut worst: Option<(usize, usize)> = None;
        let mut max_error = 0.0_f64;
        for (row, (a_row, n_row)) in analytic.iter().zip(&numeric).enumerate() {
            for (column, (&a, &n)) in a_row.iter().zip(n_row).enumerate() {
                let error = relative_error(a, n);
                // A NaN error ranks above every number and is kept.
                let worse = !max_error.is_nan() && (error.is_nan() || error > max_error);
                if worst.is_none() || worse {
                    worst = Some((row, column));
                    max_error = error;
                }
            }
        }
        Self {
            check,
            worst,
            max_error,
            tolerance,
            passed: max_error <= tolerance,
            analytic,
            numeric,
        }
    }

    /// Returns the report if the check passed, else an error that names
    /// the worst entry, for use with `?` in tests.
    ///
    /// ```
    /// use adjoint_tape::{Error, Var, gradcheck};
    ///
    /// // x² recorded by hand with a wrong partial of 1.
    /// let report = gradcheck::gradient(
    ///     |v| Var::from_partials(v[0].value() * v[0].value(), &[(v[0], 1.0)]),
    ///     &[3.0],
    /// );
    /// let error = report.into_result().unwrap_err();
    /// assert!(matches!(error, Error::DerivativeMismatch { analytic: 1.0, .. }));
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::DerivativeMismatch`] if an entry's relative error exceeds
    /// the tolerance or is NaN.
    pub fn into_result(self) -> Result<Self, Error> {
        match self.worst {
            Some((output, input)) if !self.passed => Err(Error::DerivativeMismatch {
                check: self.check,
                output,
                input,
                analytic: self.analytic[output][input],
                numeric: self.numeric[output][input],
                error: self.max_error,
                tolerance: self.tolerance,
            }),
            _ => Ok(self),
        }
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let verdict = if self.passed { "passed" } else { "failed" };
        match self.worst {
            None => write!(f, "{} check {verdict}: nothing to compare", self.check),
            Some((output, input)) => write!(
                f,
                "{} check {verdict}: worst entry (output {output}, input {input}) is {} by \
                 automatic differentiation and {} by finite differences, relative error {:e} \
                 (tolerance {:e})",
                self.check,
                self.analytic[output][input],
                self.numeric[output][input],
                self.max_error,
                self.tolerance
            ),
        }
    }
}

/// A derivative check with chosen tolerance and finite-difference step;
/// [`gradient`], [`jacobian`] and [`hessian_vector_product`] are its
/// defaults (`∛ε` for both, see the [module documentation](self)).
///
/// ```
/// use adjoint_tape::gradcheck::GradCheck;
///
/// let check = GradCheck::new().tolerance(1e-8).relative_step(1e-5);
/// let report = check.gradient(|v| v[0].powi(3), &[2.0]);
/// assert!(report.passed, "{report}");
/// assert_eq!(report.tolerance, 1e-8);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct GradCheck {
    tolerance: Option<f64>,
    relative_step: Option<f64>,
}

impl GradCheck {
    /// Creates a check with the default tolerance and step for the number
    /// type it is used with.
    ///
    /// ```
    /// let report = adjoint_tape::gradcheck::GradCheck::new().gradient(|v| v[0].sin(), &[1.0]);
    /// assert_eq!(report.tolerance, f64::EPSILON.cbrt());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the largest relative error an entry may have.
    ///
    /// ```
    /// use adjoint_tape::gradcheck::GradCheck;
    ///
    /// let report = GradCheck::new().tolerance(0.0).gradient(|v| v[0] * 2.0, &[1.0]);
    /// assert!(report.passed); // the difference quotient of a line is exact here
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `tolerance` is negative or NaN.
    pub fn tolerance(mut self, tolerance: f64) -> Self {
        assert!(
            tolerance >= 0.0,
            "the tolerance of a derivative check must be zero or positive, got {tolerance}"
        );
        self.tolerance = Some(tolerance);
        self
    }

    /// Sets the relative step `s` of the finite differences: input `xᵢ`
    /// moves by `s · max(1, |xᵢ|)`.
    ///
    /// ```
    /// use adjoint_tape::gradcheck::GradCheck;
    ///
    /// let report = GradCheck::new().relative_step(1e-4).gradient(|v| v[0].exp(), &[0.0]);
    /// assert!(report.passed, "{report}");
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `relative_step` is not positive and finite.
    pub fn relative_step(mut self, relative_step: f64) -> Self {
        assert!(
            relative_step > 0.0 && relative_step.is_finite(),
            "the relative step of a finite difference must be positive and finite, \
             got {relative_step}; the default ∛ε suits most functions"
        );
        self.relative_step = Some(relative_step);
        self
    }

    fn tolerance_for<T: Real>(&self) -> f64 {
        self.tolerance
            .unwrap_or_else(|| to_f64(default_step::<T>()))
    }

    fn step_for<T: Real>(&self) -> T {
        match self.relative_step {
            Some(step) => T::from(step).expect("a Real converts from an f64 step"),
            None => default_step(),
        }
    }

    /// Checks the gradient of a scalar function at `x`: one reverse sweep
    /// against two evaluations per input.
    ///
    /// ```
    /// use adjoint_tape::gradcheck::GradCheck;
    ///
    /// let report = GradCheck::new().gradient(|v| v[0] * v[0] + 3.0 * v[1] * v[1], &[1.0, 1.0]);
    /// assert!(report.passed);
    /// assert_eq!(report.analytic, vec![vec![2.0, 6.0]]);
    /// ```
    pub fn gradient<T, F>(&self, f: F, x: &[T]) -> Report
    where
        T: Real,
        F: for<'t> Fn(&[Var<'t, T>]) -> Var<'t, T>,
    {
        let analytic = to_f64_vec(&crate::api::gradient(&f, x));
        let mut tape = Tape::new();
        let step = self.step_for::<T>();
        let mut point = x.to_vec();
        let numeric = (0..x.len())
            .map(|i| {
                let (plus, minus) = step_points(x[i], step);
                point[i] = plus;
                let above = to_f64(value_at(&f, &mut tape, &point));
                point[i] = minus;
                let below = to_f64(value_at(&f, &mut tape, &point));
                point[i] = x[i];
                (above - below) / (to_f64(plus) - to_f64(minus))
            })
            .collect();
        Report::new(
            "gradient",
            self.tolerance_for::<T>(),
            vec![analytic],
            vec![numeric],
        )
    }

    /// Checks the Jacobian of a vector function at `x`: one reverse sweep
    /// per output against two evaluations per input. Row `i` of the report
    /// is output `i`.
    ///
    /// ```
    /// use adjoint_tape::gradcheck::GradCheck;
    ///
    /// // Polar coordinates (r, θ) of the point (3, 4).
    /// let report = GradCheck::new().jacobian(|v| vec![v[0].hypot(v[1]), v[1].atan2(v[0])], &[3.0, 4.0]);
    /// assert!(report.passed, "{report}");
    /// assert_eq!(report.analytic[0], vec![0.6, 0.8]);
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `f` returns a different number of outputs at different
    /// points.
    pub fn jacobian<T, F>(&self, f: F, x: &[T]) -> Report
    where
        T: Real,
        F: for<'t> Fn(&[Var<'t, T>]) -> Vec<Var<'t, T>>,
    {
        let analytic: Vec<Vec<f64>> = crate::api::jacobian(&f, x)
            .iter()
            .map(|row| to_f64_vec(row))
            .collect();
        let outputs = analytic.len();
        let mut numeric = vec![Vec::with_capacity(x.len()); outputs];
        let mut tape = Tape::new();
        let step = self.step_for::<T>();
        let mut point = x.to_vec();
        for i in 0..x.len() {
            let (plus, minus) = step_points(x[i], step);
            point[i] = plus;
            let above = values_at(&f, &mut tape, &point);
            point[i] = minus;
            let below = values_at(&f, &mut tape, &point);
            point[i] = x[i];
            assert!(
                above.len() == outputs && below.len() == outputs,
                "the function returned {outputs} outputs at x but {} and {} after moving \
                 input {i}; a Jacobian needs the same number of outputs everywhere",
                above.len(),
                below.len()
            );
            let width = to_f64(plus) - to_f64(minus);
            for (row, (a, b)) in numeric.iter_mut().zip(above.iter().zip(&below)) {
                row.push((to_f64(*a) - to_f64(*b)) / width);
            }
        }
        Report::new("jacobian", self.tolerance_for::<T>(), analytic, numeric)
    }

    /// Checks the Hessian-vector product `H v` of a scalar function at `x`
    /// (forward over reverse, see
    /// [`hessian_vector_product`](crate::hessian_vector_product)) against
    /// the central difference of the gradient along `v`,
    /// `(∇f(x + h v) - ∇f(x - h v)) / 2h`, with
    /// `h = s · max(1, ‖x‖∞) / ‖v‖∞`.
    ///
    /// The closure runs on a tape over dual numbers, as for
    /// [`hessian_vector_product`](crate::hessian_vector_product); the
    /// gradients for the differences are the primal parts of its adjoints.
    ///
    /// ```
    /// use adjoint_tape::gradcheck::GradCheck;
    ///
    /// let report = GradCheck::new().hessian_vector_product(
    ///     |v| v[0] * v[0] * v[1] + v[1].sin(),
    ///     &[1.0, 2.0],
    ///     &[1.0, -1.0],
    /// );
    /// assert!(report.passed, "{report}");
    /// let expected = [2.0 * 2.0 - 2.0 * 1.0, 2.0 * 1.0 + 2.0_f64.sin()];
    /// assert!((report.analytic[0][0] - expected[0]).abs() < 1e-14);
    /// assert!((report.analytic[0][1] - expected[1]).abs() < 1e-14);
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `v` does not have one entry per input.
    pub fn hessian_vector_product<T, F>(&self, f: F, x: &[T], v: &[T]) -> Report
    where
        T: Coefficient + Real,
        F: for<'t> Fn(&[Var<'t, Dual<'static, T>>]) -> Var<'t, Dual<'static, T>>,
    {
        assert_eq!(
            x.len(),
            v.len(),
            "a Hessian-vector product check needs one direction entry per input: \
             {} inputs, {} entries",
            x.len(),
            v.len()
        );
        let analytic = to_f64_vec(&crate::second_order::hessian_vector_product(&f, x, v));
        let largest = |values: &[T]| values.iter().fold(T::zero(), |m, a| m.max(a.abs()));
        let direction_size = largest(v);
        let h = if direction_size.is_zero() {
            self.step_for::<T>()
        } else {
            self.step_for::<T>() * largest(x).max(T::one()) / direction_size
        };
        let moved =
            |sign: T| -> Vec<T> { x.iter().zip(v).map(|(&a, &d)| a + sign * h * d).collect() };
        let mut tape = Tape::new();
        let above = primal_gradient_at(&f, &mut tape, &moved(T::one()));
        let below = primal_gradient_at(&f, &mut tape, &moved(-T::one()));
        let width = 2.0 * to_f64(h);
        let numeric = above
            .iter()
            .zip(&below)
            .map(|(&a, &b)| (to_f64(a) - to_f64(b)) / width)
            .collect();
        Report::new(
            "hessian-vector product",
            self.tolerance_for::<T>(),
            vec![analytic],
            vec![numeric],
        )
    }
}

/// Checks the gradient of a scalar function at `x` with the default
/// tolerance and step; see [`GradCheck::gradient`].
///
/// ```
/// let report = adjoint_tape::gradcheck::gradient(|v| v[0].ln() * v[1], &[2.0, 3.0]);
/// assert!(report.passed, "{report}");
/// ```
pub fn gradient<T, F>(f: F, x: &[T]) -> Report
where
    T: Real,
    F: for<'t> Fn(&[Var<'t, T>]) -> Var<'t, T>,
{
    GradCheck::new().gradient(f, x)
}

/// Checks the Jacobian of a vector function at `x` with the default
/// tolerance and step; see [`GradCheck::jacobian`].
///
/// ```
/// let report = adjoint_tape::gradcheck::jacobian(|v| vec![v[0] * v[1], v[1].tanh()], &[0.5, 2.0]);
/// assert!(report.passed, "{report}");
/// ```
///
/// # Panics
///
/// Panics if `f` returns a different number of outputs at different
/// points.
pub fn jacobian<T, F>(f: F, x: &[T]) -> Report
where
    T: Real,
    F: for<'t> Fn(&[Var<'t, T>]) -> Vec<Var<'t, T>>,
{
    GradCheck::new().jacobian(f, x)
}

/// Checks the Hessian-vector product of a scalar function at `x` along
/// `v` with the default tolerance and step; see
/// [`GradCheck::hessian_vector_product`].
///
/// ```
/// let report = adjoint_tape::gradcheck::hessian_vector_product(
///     |v| v[0].exp() * v[1],
///     &[0.5, 2.0],
///     &[1.0, 0.0],
/// );
/// assert!(report.passed, "{report}");
/// ```
///
/// # Panics
///
/// Panics if `v` does not have one entry per input.
pub fn hessian_vector_product<T, F>(f: F, x: &[T], v: &[T]) -> Report
where
    T: Coefficient + Real,
    F: for<'t> Fn(&[Var<'t, Dual<'static, T>>]) -> Var<'t, Dual<'static, T>>,
{
    GradCheck::new().hessian_vector_product(f, x, v)
}

/// Returns `x + h` and `x - h` for `h = relative_step · max(1, |x|)`,
/// with `h` rounded so that `x + h` is exact.
fn step_points<T: Real>(x: T, relative_step: T) -> (T, T) {
    let h = relative_step * x.abs().max(T::one());
    let h = (x + h) - x;
    (x + h, x - h)
}

/// Records `f` at `point` on `tape` (cleared first) and returns its value.
fn value_at<T, F>(f: &F, tape: &mut Tape<T>, point: &[T]) -> T
where
    T: Real,
    F: for<'t> Fn(&[Var<'t, T>]) -> Var<'t, T>,
{
    tape.clear();
    let inputs = tape.vars(point);
    f(&inputs).value()
}

/// Records the vector function `f` at `point` and returns its values.
fn values_at<T, F>(f: &F, tape: &mut Tape<T>, point: &[T]) -> Vec<T>
where
    T: Real,
    F: for<'t> Fn(&[Var<'t, T>]) -> Vec<Var<'t, T>>,
{
    tape.clear();
    let inputs = tape.vars(point);
    f(&inputs).iter().map(|y| y.value()).collect()
}

/// Records `f` on dual numbers with zero tangents at `point` and returns
/// the primal parts of its gradient.
fn primal_gradient_at<T, F>(f: &F, tape: &mut Tape<Dual<'static, T>>, point: &[T]) -> Vec<T>
where
    T: Coefficient + Real,
    F: for<'t> Fn(&[Var<'t, Dual<'static, T>>]) -> Var<'t, Dual<'static, T>>,
{
    tape.clear();
    let seeds: Vec<Dual<'static, T>> = point.iter().map(|&a| Dual::constant(a)).collect();
    let inputs = tape.vars(&seeds);
    let gradients = f(&inputs).gradient();
    inputs
        .iter()
        .map(|&input| gradients.wrt(input).value())
        .collect()
}

fn to_f64<T: Real>(value: T) -> f64 {
    ToPrimitive::to_f64(&value).unwrap_or(f64::NAN)
}

fn to_f64_vec<T: Real>(values: &[T]) -> Vec<f64> {
    values.iter().map(|&v| to_f64(v)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_ranks_nan_error_worst() {
        let report = Report::new(
            "gradient",
            1e-6,
            vec![vec![1.0, f64::NAN, 5.0]],
            vec![vec![1.0, 2.0, 3.0]],
        );
        assert_eq!(report.worst, Some((0, 1)));
        assert!(report.max_error.is_nan());
        assert!(!report.passed);
    }

    #[test]
    fn report_without_entries_passes() {
        let report = Report::new("gradient", 1e-6, vec![vec![]], vec![vec![]]);
        assert_eq!(report.worst, None);
        assert!(report.passed);
        assert!(report.into_result().is_ok());
    }

    #[test]
    fn failed_report_names_worst_entry() {
        let report = GradCheck::new().jacobian(
            |v| {
                // Output 1 claims d/dx₁ (x₀ x₁) = x₁ instead of x₀.
                let wrong = Var::from_partials(
                    v[0].value() * v[1].value(),
                    &[(v[0], v[1].value()), (v[1], v[1].value())],
                );
                vec![v[0] + v[1], wrong]
            },
            &[2.0, 5.0],
        );
        assert!(!report.passed);
        assert_eq!(report.worst, Some((1, 1)));
        let message = report.to_string();
        assert!(
            message.starts_with("jacobian check failed: worst entry (output 1, input 1) is 5"),
            "{message}"
        );
    }

    #[test]
    fn f32_default_tolerance_is_cube_root_epsilon() {
        let report = gradient(|v| v[0] * v[0], &[3.0_f32]);
        assert_eq!(report.tolerance, f64::from(f32::EPSILON.cbrt()));
        assert!(report.passed, "{report}");
    }

    #[test]
    fn hessian_vector_product_along_zero_is_zero() {
        let report = hessian_vector_product(|v| v[0].powi(4), &[1.5], &[0.0]);
        assert_eq!(report.analytic, vec![vec![0.0]]);
        assert_eq!(report.numeric, vec![vec![0.0]]);
        assert!(report.passed);
    }
}
