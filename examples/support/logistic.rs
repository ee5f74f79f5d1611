//! Logistic regression by maximum likelihood on the adjoint tape: gradient
//! ascent from zero, then Newton steps with the Hessian of the
//! log-likelihood, and standard errors from the inverse of its negative
//! (the observed information), as R's `summary(glm)` reports them.
//!
//! The `logistic_mle` example and the root test `tests/logistic_mle.rs`
//! include this file with `#[path]`, so both run the same fit.

use adjoint::{Real, Var};
use nalgebra::{DMatrix, DVector};
use ndarray::Array2;

/// Gradient-ascent steps before Newton takes over.
pub const GRADIENT_STEPS: usize = 100;
/// Step size of the gradient ascent on the mean log-likelihood. Its
/// curvature is at most a quarter of the largest eigenvalue of `ZᵀZ / n`
/// (`Z` the standardized features with a column of ones), which is the
/// largest eigenvalue of the features' correlation matrix, 3.10 for the
/// wine data. So the curvature is below 0.78 and a step of 1 (stable below
/// 2 / 0.78) does not overshoot.
pub const GRADIENT_STEP_SIZE: f64 = 1.0;
/// Newton stops after a step that moves no coefficient by more than this,
/// relative to its size (or absolutely below 1). Newton converges
/// quadratically, so the point after such a step is accurate to rounding.
/// A tighter tolerance would chase the rounding noise of the gradient,
/// which is a sum over all rows.
pub const NEWTON_TOLERANCE: f64 = 1e-10;
/// A Newton step is accepted unless it lowers the log-likelihood by more
/// than this, relative to its size.
pub const LINE_SEARCH_SLACK: f64 = 1e-12;
/// Newton gives up after this many steps.
pub const MAX_NEWTON_STEPS: usize = 50;

/// The result of [`fit`].
pub struct LogisticFit {
    /// The intercept first, then one coefficient per feature column.
    pub coefficients: Vec<f64>,
    /// The standard error of each coefficient: the square root of the
    /// diagonal of the inverse observed information.
    pub std_errors: Vec<f64>,
    /// The maximized log-likelihood.
    pub log_likelihood: f64,
    /// The log-likelihood before each gradient-ascent step.
    pub ascent_trace: Vec<f64>,
    /// The log-likelihood before each Newton step.
    pub newton_trace: Vec<f64>,
}

impl LogisticFit {
    /// The z statistic of each coefficient: the estimate over its standard
    /// error.
    pub fn z_values(&self) -> Vec<f64> {
        self.coefficients
            .iter()
            .zip(&self.std_errors)
            .map(|(estimate, error)| estimate / error)
            .collect()
    }

    /// The two-sided p-value of each z statistic under the standard normal
    /// distribution: `P(|Z| > |z|) = erfc(|z| / √2)`.
    pub fn p_values(&self) -> Vec<f64> {
        self.z_values()
            .iter()
            .map(|z| libm::erfc(z.abs() / std::f64::consts::SQRT_2))
            .collect()
    }
}

/// The log-likelihood of logistic regression, `Σ yᵢ ηᵢ − softplus(ηᵢ)` with
/// the linear predictor `ηᵢ = β₀ + xᵢ · β₁..`, recorded on the tape of
/// `beta`.
///
/// Writing `log(1 + e^η)` as `softplus(η)` keeps it finite for large |η|,
/// where the naive form overflows to infinity (and `log σ(η)` to −inf).
/// Each row costs one dot-product node; the sum over rows is one node.
///
/// Generic over the tape's number type so that the Hessian can run it
/// over forward-mode dual numbers.
pub fn log_likelihood<'t, T: Real>(
    beta: &[Var<'t, T>],
    features: &Array2<f64>,
    outcome: &[f64],
) -> Var<'t, T> {
    let convert = |value: f64| T::from(value).expect("every Real converts from an f64");
    let mut terms = Vec::with_capacity(outcome.len());
    let mut row_values = Vec::with_capacity(features.ncols());
    for (row, &y) in features.outer_iter().zip(outcome) {
        row_values.clear();
        row_values.extend(row.iter().map(|&value| Var::constant(convert(value))));
        let eta = beta[0] + adjoint::dot(&beta[1..], &row_values);
        terms.push(eta * convert(y) - eta.softplus());
    }
    adjoint::sum(&terms)
}

/// The value and gradient of [`log_likelihood`] at `beta`, by one reverse
/// sweep.
pub fn value_and_gradient(
    beta: &[f64],
    features: &Array2<f64>,
    outcome: &[f64],
) -> (f64, Vec<f64>) {
    adjoint::value_and_gradient(|b| log_likelihood(b, features, outcome), beta)
}

/// The Hessian of [`log_likelihood`] at `beta`, forward over reverse: one
/// recording and one reverse sweep on a tape over dual numbers per
/// coefficient.
pub fn hessian(beta: &[f64], features: &Array2<f64>, outcome: &[f64]) -> Vec<Vec<f64>> {
    adjoint::hessian(|b| log_likelihood(b, features, outcome), beta)
}

/// Fits logistic regression of the 0/1 `outcome` on `features` (one row
/// per example) plus an intercept by maximum likelihood.
///
/// # Errors
///
/// Returns a message if the negative Hessian is not positive definite at
/// some step (perfectly separated classes, or a feature that is a linear
/// combination of others) or Newton has not converged after
/// [`MAX_NEWTON_STEPS`].
pub fn fit(features: &Array2<f64>, outcome: &[f64]) -> Result<LogisticFit, String> {
    assert_eq!(
        features.nrows(),
        outcome.len(),
        "fit needs one outcome per row: {} rows, {} outcomes",
        features.nrows(),
        outcome.len()
    );
    let rows = outcome.len() as f64;
    let mut beta = vec![0.0; features.ncols() + 1];

    let mut ascent_trace = Vec::with_capacity(GRADIENT_STEPS);
    for _ in 0..GRADIENT_STEPS {
        let (value, gradient) = value_and_gradient(&beta, features, outcome);
        ascent_trace.push(value);
        for (b, g) in beta.iter_mut().zip(&gradient) {
            *b += GRADIENT_STEP_SIZE * g / rows;
        }
    }

    let mut newton_trace = Vec::new();
    for _ in 0..MAX_NEWTON_STEPS {
        let (value, gradient) = value_and_gradient(&beta, features, outcome);
        newton_trace.push(value);
        let information = negative(&hessian(&beta, features, outcome));
        let cholesky = information.cholesky().ok_or(
            "the negative Hessian is not positive definite: the classes may be perfectly \
             separated, or a feature may be a linear combination of others",
        )?;
        let step = cholesky.solve(&DVector::from_vec(gradient));
        let converged = beta
            .iter()
            .zip(step.iter())
            .all(|(b, s)| s.abs() <= NEWTON_TOLERANCE * b.abs().max(1.0));

        // The log-likelihood is concave, so a full Newton step rarely
        // lowers it. Halve the step while it does by more than rounding:
        // near the maximum a step changes the sum by less than its
        // rounding error, and comparing exactly would stall there.
        let slack = LINE_SEARCH_SLACK * value.abs().max(1.0);
        let mut scale = 1.0;
        loop {
            let candidate: Vec<f64> = beta
                .iter()
                .zip(step.iter())
                .map(|(b, s)| b + scale * s)
                .collect();
            if value_and_gradient(&candidate, features, outcome).0 >= value - slack || scale < 1e-10
            {
                beta = candidate;
                break;
            }
            scale /= 2.0;
        }
        if converged {
            return Ok(finish(beta, features, outcome, ascent_trace, newton_trace));
        }
    }
    Err(format!(
        "Newton did not converge in {MAX_NEWTON_STEPS} steps; the last log-likelihood was {:?}",
        newton_trace.last()
    ))
}

fn finish(
    beta: Vec<f64>,
    features: &Array2<f64>,
    outcome: &[f64],
    ascent_trace: Vec<f64>,
    newton_trace: Vec<f64>,
) -> LogisticFit {
    let information = negative(&hessian(&beta, features, outcome));
    let covariance = information
        .try_inverse()
        .expect("the information matrix was positive definite at the last Newton step");
    let std_errors = covariance.diagonal().iter().map(|v| v.sqrt()).collect();
    let log_likelihood = value_and_gradient(&beta, features, outcome).0;
    LogisticFit {
        coefficients: beta,
        std_errors,
        log_likelihood,
        ascent_trace,
        newton_trace,
    }
}

/// The negative of a square matrix given as rows, as a nalgebra matrix.
fn negative(rows: &[Vec<f64>]) -> DMatrix<f64> {
    let size = rows.len();
    DMatrix::from_fn(size, size, |i, j| -rows[i][j])
}
