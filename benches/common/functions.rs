//! Test functions shared by the benchmarks, each written once over
//! [`num_traits::Float`] so that the same source runs as plain `f64`, on the
//! tape, as forward-mode dual numbers and with the peer crates whose number
//! types implement `Float`.
//!
//! Include it with `#[path = "common/functions.rs"] mod functions;`.

#![allow(
    dead_code,
    reason = "each bench that includes this file uses a different subset"
)]

use num_traits::Float;

/// Converts an `f64` constant into `S`.
#[inline]
pub fn constant<S: Float>(c: f64) -> S {
    S::from(c).expect("every Float type of these benches converts from f64")
}

/// The chained (generalized) Rosenbrock function,
/// `sum_i 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2` over `i < n - 1`.
///
/// Each term records 8 statements with 12 operand entries on the tape
/// (the squares `x_i x_i` and `b b` are one entry each).
pub fn rosenbrock<S: Float>(x: &[S]) -> S {
    let hundred = constant::<S>(100.0);
    let one = S::one();
    let mut total = S::zero();
    for pair in x.windows(2) {
        let a = pair[1] - pair[0] * pair[0];
        let b = one - pair[0];
        total = total + hundred * a * a + b * b;
    }
    total
}

/// Records [`rosenbrock`] with each term and its addition to the running
/// total as one statement of `adjoint::preaccumulate`: three operand
/// entries per term in place of 8 statements and 12 entries.
pub fn rosenbrock_preaccumulated<'t>(x: &[adjoint::Var<'t>]) -> adjoint::Var<'t> {
    x.windows(2)
        .fold(adjoint::Var::constant(0.0), |total, pair| {
            adjoint::preaccumulate([total, pair[0], pair[1]], |[total, current, next]| {
                let a = next - current * current;
                let b = 1.0 - current;
                total + 100.0 * a * a + b * b
            })
        })
}

/// Computes the gradient of [`rosenbrock`] by hand, into `out`.
pub fn rosenbrock_gradient(x: &[f64], out: &mut [f64]) {
    out.fill(0.0);
    for i in 0..x.len().saturating_sub(1) {
        let a = x[i + 1] - x[i] * x[i];
        out[i] += -400.0 * a * x[i] - 2.0 * (1.0 - x[i]);
        out[i + 1] += 200.0 * a;
    }
}

/// Starting point for the Rosenbrock function: alternating -1.2 and 1, as
/// in the classic test problem.
pub fn rosenbrock_start(n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| if i % 2 == 0 { -1.2 } else { 1.0 })
        .collect()
}

/// Number of fixed data points in [`mixture`].
pub const MIXTURE_POINTS: usize = 8;

/// A one-dimensional Gaussian-mixture log-likelihood with unit variances
/// and equal weights, as a function of the `n` component means:
/// `sum_j logsumexp_k(-0.5 (p_j - mu_k)^2)` over
/// [`MIXTURE_POINTS`] fixed points `p_j` spread over `[-2, 2]`.
///
/// The log-sum-exp subtracts the largest term as a constant (its value
/// only), which leaves the derivative unchanged.
pub fn mixture<S: Float>(means: &[S]) -> S {
    let half = constant::<S>(-0.5);
    let mut total = S::zero();
    let mut terms: Vec<S> = Vec::with_capacity(means.len());
    for j in 0..MIXTURE_POINTS {
        let point = constant::<S>(mixture_point(j));
        terms.clear();
        terms.extend(means.iter().map(|&mu| {
            let r = point - mu;
            half * r * r
        }));
        total = total + log_sum_exp(&terms);
    }
    total
}

/// Records [`mixture`] with each term `-0.5 (p_j - mu_k)^2` preaccumulated
/// by `adjoint::preaccumulate`: one statement of one entry in place of
/// three statements. Each point's log-sum-exp is one `adjoint::log_sum_exp`
/// node, which sums in the same order as [`log_sum_exp`].
pub fn mixture_preaccumulated<'t>(means: &[adjoint::Var<'t>]) -> adjoint::Var<'t> {
    let mut total = adjoint::Var::constant(0.0);
    let mut terms = Vec::with_capacity(means.len());
    for j in 0..MIXTURE_POINTS {
        let point = mixture_point(j);
        terms.clear();
        terms.extend(means.iter().map(|&mu| {
            adjoint::preaccumulate([mu], |[mu]| {
                let r = point - mu;
                -0.5 * r * r
            })
        }));
        total += adjoint::log_sum_exp(&terms);
    }
    total
}

/// Returns the `j`-th data point of [`mixture`].
pub fn mixture_point(j: usize) -> f64 {
    -2.0 + 4.0 * j as f64 / (MIXTURE_POINTS - 1) as f64
}

/// Starting means for [`mixture`]: spread over `[-3, 3]`.
pub fn mixture_start(n: usize) -> Vec<f64> {
    (0..n)
        .map(|k| -3.0 + 6.0 * (k as f64 + 0.5) / n as f64)
        .collect()
}

/// `ln(sum_k exp(t_k))`, shifted by the largest value, which enters as a
/// constant: one `exp` per term, one sum, one `ln`.
pub fn log_sum_exp<S: Float>(terms: &[S]) -> S {
    let max = terms
        .iter()
        .map(|t| t.to_f64().expect("finite term"))
        .fold(f64::NEG_INFINITY, f64::max);
    let shift = constant::<S>(max);
    let mut total = S::zero();
    for &t in terms {
        total = total + (t - shift).exp();
    }
    shift + total.ln()
}

/// Sums `x` in a loop, one binary node per term.
pub fn sum_loop<S: Float>(x: &[S]) -> S {
    x.iter().fold(S::zero(), |acc, &v| acc + v)
}

/// Multiplies `x` out in a loop, one binary node per factor.
pub fn product_loop<S: Float>(x: &[S]) -> S {
    x.iter().fold(S::one(), |acc, &v| acc * v)
}

/// The normal log density of the data `y` under mean `mu` and standard
/// deviation `sigma`, summed:
/// `sum_i -0.5 ((y_i - mu) / sigma)^2 - ln sigma - 0.5 ln(2 pi)`.
///
/// `x` holds `y` followed by `mu` and `sigma`, so every entry is an input.
pub fn normal_log_density<S: Float>(x: &[S]) -> S {
    let (y, params) = x.split_at(x.len() - 2);
    let (mu, sigma) = (params[0], params[1]);
    let half = constant::<S>(0.5);
    let log_norm = sigma.ln() + constant::<S>(0.5 * (2.0 * std::f64::consts::PI).ln());
    let mut total = S::zero();
    for &value in y {
        let z = (value - mu) / sigma;
        total = total - half * z * z - log_norm;
    }
    total
}

/// The inputs of [`normal_log_density`] for `n` data points: data spread
/// over `[-1, 1]`, then `mu = 0.1` and `sigma = 1.3`.
pub fn normal_start(n: usize) -> Vec<f64> {
    let mut x: Vec<f64> = (0..n)
        .map(|i| -1.0 + 2.0 * (i as f64 + 0.5) / n as f64)
        .collect();
    x.extend([0.1, 1.3]);
    x
}

/// The sum of all entries of `A B` for two `s x s` matrices stored
/// row-major one after the other in `x` (so `x.len() = 2 s^2`), written with
/// scalar loops.
pub fn matmul_sum<S: Float>(x: &[S]) -> S {
    let s = matrix_side(x.len());
    let (a, b) = x.split_at(s * s);
    let mut total = S::zero();
    for i in 0..s {
        for j in 0..s {
            let mut entry = S::zero();
            for k in 0..s {
                entry = entry + a[i * s + k] * b[k * s + j];
            }
            total = total + entry;
        }
    }
    total
}

/// The side `s` of the two square matrices packed in `len = 2 s^2` inputs.
///
/// # Panics
///
/// Panics if `len` is not twice a perfect square.
pub fn matrix_side(len: usize) -> usize {
    let s = ((len / 2) as f64).sqrt().round() as usize;
    assert_eq!(
        2 * s * s,
        len,
        "matmul_sum needs 2 s^2 inputs for two s x s matrices, got {len}"
    );
    s
}

/// Deterministic inputs in `[0.99, 1.01)`: the product of 16384 of them
/// stays near 1, far from the subnormal range that would slow the `f64`
/// loop down, and no entry is zero.
pub fn spread_start(n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| 0.99 + 0.02 * ((i as f64 * 0.618_033_988_75) % 1.0))
        .collect()
}
