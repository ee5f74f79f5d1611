//! Gaussian mixture model log-likelihood from ADBench, shared by the
//! benchmarks and the tests.
//!
//! Include it with `#[path = "../benches/common/gmm.rs"] mod gmm;` (the path
//! is relative to the including file). It is bench and test code, not part of
//! the library's API.
//!
//! The objective, for `n` points `x_i` of dimension `d` and `K` components, is
//!
//! ```text
//! L = -(n d / 2) ln(2 pi)
//!     + sum_i logsumexp_k [ alpha_k + sum(q_k) - 0.5 |Q_k (x_i - mu_k)|^2 ]
//!     - n logsumexp(alpha)
//!     + sum_k [ 0.5 gamma^2 (|exp(q_k)|^2 + |l_k|^2) - m sum(q_k) ]
//!     - K C(d, gamma, m)
//!
//! C = n_w d (ln gamma - 0.5 ln 2) - lnGamma_d(n_w / 2),   n_w = d + m + 1
//! lnGamma_d(a) = 0.25 d (d-1) ln pi + sum_{j=1..d} lgamma(a + (1 - j) / 2)
//! ```
//!
//! `Q_k` is lower triangular with diagonal `exp(q_k)` and strictly lower
//! entries `l_k`, stored column by column. The prior term enters with a plus
//! sign, as in ADBench's reference implementation, so the function matches
//! ADBench's published values rather than a textbook log-posterior.
//!
//! The parameter vector is the concatenation of the alphas (`K`), the means
//! (`K x d`, row-major) and the inverse covariance factors (`K` blocks of
//! `d + d(d-1)/2`: the `d` log-diagonal entries `q_k`, then `l_k`).

#![allow(
    dead_code,
    reason = "each bench and test that includes this file uses a different subset"
)]

use std::f64::consts::PI;
use std::path::Path;

use num_traits::Float;

/// One GMM problem instance: the data points and prior (constants) and the
/// starting parameters (the independent variables).
#[derive(Clone, Debug, PartialEq)]
pub struct GmmInput {
    /// Dimension of each point.
    pub d: usize,
    /// Number of mixture components.
    pub k: usize,
    /// Number of data points.
    pub n: usize,
    /// Unnormalised log-weights of the components, length `k`.
    pub alphas: Vec<f64>,
    /// Component means, `k x d` row-major.
    pub means: Vec<f64>,
    /// Inverse covariance factors, `k` rows of `icf_len()` entries: the `d`
    /// log-diagonal entries, then the strictly lower triangle column by column.
    pub icf: Vec<f64>,
    /// Data points, `n x d` row-major.
    pub x: Vec<f64>,
    /// Wishart prior scale `gamma` (positive).
    pub wishart_gamma: f64,
    /// Wishart prior degrees-of-freedom offset `m`.
    pub wishart_m: u32,
}

/// Tokens of a whitespace-separated text, each with its 1-based line number.
struct Tokens<'a> {
    inner: Box<dyn Iterator<Item = (usize, &'a str)> + 'a>,
    last_line: usize,
}

impl<'a> Tokens<'a> {
    fn new(text: &'a str) -> Self {
        let inner = text
            .lines()
            .enumerate()
            .flat_map(|(index, line)| line.split_whitespace().map(move |token| (index + 1, token)));
        Tokens {
            inner: Box::new(inner),
            last_line: text.lines().count().max(1),
        }
    }

    /// Returns the next token, or an error naming `what` at the end of input.
    fn next_token(&mut self, what: &str) -> Result<(usize, &'a str), String> {
        self.inner.next().ok_or_else(|| {
            format!(
                "line {}: unexpected end of input, expected {what}",
                self.last_line
            )
        })
    }

    fn next_f64(&mut self, what: &str) -> Result<f64, String> {
        self.next_f64_with_line(what).map(|(_, value)| value)
    }

    /// Returns the next finite number and its line number.
    fn next_f64_with_line(&mut self, what: &str) -> Result<(usize, f64), String> {
        let (line, token) = self.next_token(what)?;
        let value: f64 = token
            .parse()
            .map_err(|_| format!("line {line}: expected {what} (a number), found {token:?}"))?;
        if !value.is_finite() {
            return Err(format!(
                "line {line}: expected {what} (a finite number), found {token:?}"
            ));
        }
        Ok((line, value))
    }

    fn next_count(&mut self, what: &str) -> Result<usize, String> {
        let (line, token) = self.next_token(what)?;
        token.parse().map_err(|_| {
            format!("line {line}: expected {what} (a non-negative integer), found {token:?}")
        })
    }

    fn next_f64s(&mut self, out: &mut Vec<f64>, count: usize, what: &str) -> Result<(), String> {
        for entry in 0..count {
            out.push(self.next_f64(&format!("{what}, entry {entry}"))?);
        }
        Ok(())
    }
}

impl GmmInput {
    /// Parses an ADBench GMM file: `d K n`, the `K` alphas, the `K` means,
    /// the `K` inverse covariance factors, the `n` points, then `gamma m`.
    ///
    /// Numbers are separated by any whitespace, as ADBench's own reader
    /// allows, so the line layout is not enforced.
    ///
    /// # Errors
    ///
    /// Returns a message naming the line and the expected entry when a token
    /// is not a number, a number is not finite, the input ends early or has
    /// extra tokens, `d` or `K` is zero, or `gamma` is not positive.
    pub fn parse(text: &str) -> Result<GmmInput, String> {
        let mut tokens = Tokens::new(text);
        let d = tokens.next_count("the dimension d")?;
        let k = tokens.next_count("the component count K")?;
        let n = tokens.next_count("the point count n")?;
        if d == 0 || k == 0 {
            return Err(format!(
                "line 1: the dimension d and the component count K must be positive, found d = {d}, K = {k}"
            ));
        }
        let icf_len = d * (d + 1) / 2;

        let mut alphas = Vec::with_capacity(k);
        for component in 0..k {
            alphas.push(tokens.next_f64(&format!("alpha of component {component}"))?);
        }
        let mut means = Vec::with_capacity(k * d);
        for component in 0..k {
            tokens.next_f64s(&mut means, d, &format!("mean of component {component}"))?;
        }
        let mut icf = Vec::with_capacity(k * icf_len);
        for component in 0..k {
            let what = format!("inverse covariance factor of component {component}");
            tokens.next_f64s(&mut icf, icf_len, &what)?;
        }
        let mut x = Vec::with_capacity(n * d);
        for point in 0..n {
            tokens.next_f64s(&mut x, d, &format!("data point {point}"))?;
        }

        let (gamma_line, wishart_gamma) = tokens.next_f64_with_line("the Wishart gamma")?;
        if wishart_gamma <= 0.0 {
            return Err(format!(
                "line {gamma_line}: the Wishart gamma must be positive, found {wishart_gamma}"
            ));
        }
        let (line, token) = tokens.next_token("the Wishart m")?;
        let wishart_m: u32 = token.parse().map_err(|_| {
            format!("line {line}: expected the Wishart m (a non-negative integer), found {token:?}")
        })?;
        if let Some((line, token)) = tokens.inner.next() {
            return Err(format!(
                "line {line}: expected the end of input after the Wishart m, found {token:?}"
            ));
        }

        Ok(GmmInput {
            d,
            k,
            n,
            alphas,
            means,
            icf,
            x,
            wishart_gamma,
            wishart_m,
        })
    }

    /// Reads and parses an ADBench GMM file.
    ///
    /// # Errors
    ///
    /// Returns a message naming the path when the file cannot be read or
    /// [`GmmInput::parse`] rejects it.
    pub fn load(path: impl AsRef<Path>) -> Result<GmmInput, String> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|error| format!("failed to read {}: {error}", path.display()))?;
        GmmInput::parse(&text).map_err(|error| format!("{}: {error}", path.display()))
    }

    /// Number of entries of one component's inverse covariance factor,
    /// `d(d+1)/2`.
    pub fn icf_len(&self) -> usize {
        self.d * (self.d + 1) / 2
    }

    /// Length of the parameter vector, `K + K d + K d(d+1)/2`.
    pub fn param_count(&self) -> usize {
        self.k * (1 + self.d + self.icf_len())
    }

    /// Returns the starting parameters from the file, flattened as alphas,
    /// means, inverse covariance factors.
    pub fn params(&self) -> Vec<f64> {
        let mut params = Vec::with_capacity(self.param_count());
        params.extend_from_slice(&self.alphas);
        params.extend_from_slice(&self.means);
        params.extend_from_slice(&self.icf);
        params
    }

    /// Keeps only the first `n` data points, for cheap checks on the shapes
    /// of a large file.
    ///
    /// # Panics
    ///
    /// Panics if `n` exceeds the number of points.
    pub fn truncate_points(&mut self, n: usize) {
        assert!(
            n <= self.n,
            "cannot keep {n} points of a GMM input that has {}",
            self.n
        );
        self.n = n;
        self.x.truncate(n * self.d);
    }

    /// Splits a parameter vector into alphas, means and inverse covariance
    /// factors.
    fn split_params<'p, S>(&self, params: &'p [S]) -> (&'p [S], &'p [S], &'p [S]) {
        assert_eq!(
            params.len(),
            self.param_count(),
            "a GMM with d = {}, K = {} has {} parameters (alphas, means, icf), found {}",
            self.d,
            self.k,
            self.param_count(),
            params.len()
        );
        let (alphas, rest) = params.split_at(self.k);
        let (means, icf) = rest.split_at(self.k * self.d);
        (alphas, means, icf)
    }

    /// Computes the parameter-free part of the objective,
    /// `-(n d / 2) ln(2 pi) - K C(d, gamma, m)`.
    fn constant_term(&self) -> f64 {
        let d = self.d as f64;
        let n_w = d + f64::from(self.wishart_m) + 1.0;
        let half_n_w = 0.5 * n_w;
        let log_multigamma = 0.25 * d * (d - 1.0) * PI.ln()
            + (1..=self.d)
                .map(|j| libm::lgamma(half_n_w + 0.5 * (1.0 - j as f64)))
                .sum::<f64>();
        let wishart_c = n_w * d * (self.wishart_gamma.ln() - 0.5 * 2f64.ln()) - log_multigamma;
        -0.5 * self.n as f64 * d * (2.0 * PI).ln() - self.k as f64 * wishart_c
    }
}

/// Returns `ln(sum_j exp(values_j))`, computed after subtracting the maximum.
fn logsumexp(values: &[f64]) -> f64 {
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY {
        return max;
    }
    max + values.iter().map(|v| (v - max).exp()).sum::<f64>().ln()
}

/// Computes `y = Q x` for the lower triangular `Q` with diagonal
/// `exp_diag` and strictly lower entries `lower`, stored column by column.
fn lower_times(exp_diag: &[f64], lower: &[f64], x: &[f64], y: &mut [f64]) {
    let d = x.len();
    for j in 0..d {
        y[j] = exp_diag[j] * x[j];
    }
    let mut lower_entries = lower.iter();
    for (col, &x_col) in x.iter().enumerate() {
        for (y_row, &l) in y[col + 1..].iter_mut().zip(lower_entries.by_ref()) {
            *y_row += l * x_col;
        }
    }
}

/// Evaluates the GMM objective in plain `f64`.
///
/// # Panics
///
/// Panics if `params.len()` is not [`GmmInput::param_count`].
pub fn objective_f64(input: &GmmInput, params: &[f64]) -> f64 {
    let (d, k) = (input.d, input.k);
    let icf_len = input.icf_len();
    let (alphas, means, icf) = input.split_params(params);

    let exp_diag: Vec<f64> = (0..k)
        .flat_map(|c| icf[c * icf_len..c * icf_len + d].iter().map(|q| q.exp()))
        .collect();
    let sum_q: Vec<f64> = (0..k)
        .map(|c| icf[c * icf_len..c * icf_len + d].iter().sum())
        .collect();
    let mut centered = vec![0.0; d];
    let mut transformed = vec![0.0; d];
    let mut beta = vec![0.0; k];

    let mut data_term = 0.0;
    for point in input.x.chunks_exact(d) {
        for c in 0..k {
            for j in 0..d {
                centered[j] = point[j] - means[c * d + j];
            }
            let lower = &icf[c * icf_len + d..(c + 1) * icf_len];
            lower_times(
                &exp_diag[c * d..(c + 1) * d],
                lower,
                &centered,
                &mut transformed,
            );
            let squared_norm: f64 = transformed.iter().map(|t| t * t).sum();
            beta[c] = alphas[c] + sum_q[c] - 0.5 * squared_norm;
        }
        data_term += logsumexp(&beta);
    }

    let gamma_sq = input.wishart_gamma * input.wishart_gamma;
    let m = f64::from(input.wishart_m);
    let mut prior = 0.0;
    for c in 0..k {
        let diag_sq: f64 = exp_diag[c * d..(c + 1) * d].iter().map(|e| e * e).sum();
        let lower_sq: f64 = icf[c * icf_len + d..(c + 1) * icf_len]
            .iter()
            .map(|l| l * l)
            .sum();
        prior += 0.5 * gamma_sq * (diag_sq + lower_sq) - m * sum_q[c];
    }

    input.constant_term() + data_term - input.n as f64 * logsumexp(alphas) + prior
}

/// Computes the gradient of [`objective_f64`] by hand-derived formulas into
/// `grad_out` and returns the objective value.
///
/// For point `x_i` and component `k`, with `r = x_i - mu_k`, `y = Q_k r` and
/// `beta_k = alpha_k + sum(q_k) - 0.5 |y|^2`, the data term's adjoint of
/// `beta_k` is the softmax weight `w_k = exp(beta_k - logsumexp(beta))`, and
///
/// ```text
/// d beta_k / d alpha_k = 1
/// d beta_k / d mu_k    = Q_k^T y
/// d beta_k / d q_kj    = 1 - y_j r_j exp(q_kj)
/// d beta_k / d l_k(a,b) = -y_a r_b          (row a > column b)
/// ```
///
/// The term `-n logsumexp(alpha)` adds `-n softmax(alpha)` to the alphas, and
/// the prior adds `gamma^2 exp(2 q_kj) - m` to `q_kj` and `gamma^2 l` to `l`.
/// Scratch is allocated once per call, never inside the loops over points.
///
/// # Panics
///
/// Panics if `params.len()` or `grad_out.len()` is not
/// [`GmmInput::param_count`].
pub fn gradient_analytic(input: &GmmInput, params: &[f64], grad_out: &mut [f64]) -> f64 {
    let (d, k) = (input.d, input.k);
    let icf_len = input.icf_len();
    let (alphas, means, icf) = input.split_params(params);
    assert_eq!(
        grad_out.len(),
        params.len(),
        "the gradient buffer must have one entry per parameter ({}), found {}",
        params.len(),
        grad_out.len()
    );
    grad_out.fill(0.0);
    let (grad_alphas, grad_rest) = grad_out.split_at_mut(k);
    let (grad_means, grad_icf) = grad_rest.split_at_mut(k * d);

    let exp_diag: Vec<f64> = (0..k)
        .flat_map(|c| icf[c * icf_len..c * icf_len + d].iter().map(|q| q.exp()))
        .collect();
    let sum_q: Vec<f64> = (0..k)
        .map(|c| icf[c * icf_len..c * icf_len + d].iter().sum())
        .collect();
    // Per component: the centred point r and y = Q r, kept for the backward pass.
    let mut centered = vec![0.0; k * d];
    let mut transformed = vec![0.0; k * d];
    let mut beta = vec![0.0; k];

    let mut data_term = 0.0;
    for point in input.x.chunks_exact(d) {
        for c in 0..k {
            let r = &mut centered[c * d..(c + 1) * d];
            for j in 0..d {
                r[j] = point[j] - means[c * d + j];
            }
            let y = &mut transformed[c * d..(c + 1) * d];
            let lower = &icf[c * icf_len + d..(c + 1) * icf_len];
            lower_times(&exp_diag[c * d..(c + 1) * d], lower, r, y);
            let squared_norm: f64 = y.iter().map(|t| t * t).sum();
            beta[c] = alphas[c] + sum_q[c] - 0.5 * squared_norm;
        }
        let point_lse = logsumexp(&beta);
        data_term += point_lse;

        for c in 0..k {
            let weight = (beta[c] - point_lse).exp();
            let r = &centered[c * d..(c + 1) * d];
            let y = &transformed[c * d..(c + 1) * d];
            let e = &exp_diag[c * d..(c + 1) * d];
            let lower = &icf[c * icf_len + d..(c + 1) * icf_len];
            let grad_mu = &mut grad_means[c * d..(c + 1) * d];
            let (grad_q, grad_lower) = grad_icf[c * icf_len..(c + 1) * icf_len].split_at_mut(d);

            grad_alphas[c] += weight;
            for j in 0..d {
                grad_q[j] += weight * (1.0 - y[j] * r[j] * e[j]);
                grad_mu[j] += weight * e[j] * y[j];
            }
            // Column `col` of the strictly lower triangle contains rows col+1..d.
            let mut start = 0;
            for (col, &r_col) in r.iter().enumerate() {
                let end = start + (d - col - 1);
                let weighted_r = weight * r_col;
                let mut mu_sum = 0.0;
                let column = grad_lower[start..end].iter_mut().zip(&lower[start..end]);
                for ((g, &l), &y_row) in column.zip(&y[col + 1..]) {
                    *g -= weighted_r * y_row;
                    mu_sum += l * y_row;
                }
                grad_mu[col] += weight * mu_sum;
                start = end;
            }
        }
    }

    let n = input.n as f64;
    let alpha_lse = logsumexp(alphas);
    for c in 0..k {
        grad_alphas[c] -= n * (alphas[c] - alpha_lse).exp();
    }

    let gamma_sq = input.wishart_gamma * input.wishart_gamma;
    let m = f64::from(input.wishart_m);
    let mut prior = 0.0;
    for c in 0..k {
        let e = &exp_diag[c * d..(c + 1) * d];
        let lower = &icf[c * icf_len + d..(c + 1) * icf_len];
        let (grad_q, grad_lower) = grad_icf[c * icf_len..(c + 1) * icf_len].split_at_mut(d);
        let mut squares = 0.0;
        for j in 0..d {
            squares += e[j] * e[j];
            grad_q[j] += gamma_sq * e[j] * e[j] - m;
        }
        for (g, &l) in grad_lower.iter_mut().zip(lower) {
            squares += l * l;
            *g += gamma_sq * l;
        }
        prior += 0.5 * gamma_sq * squares - m * sum_q[c];
    }

    input.constant_term() + data_term - n * alpha_lse + prior
}

/// Evaluates the GMM objective over any [`Float`] scalar, so that the same
/// code runs as `f64` and on an AD tape.
///
/// Constants (data points, prior, the parameter-free terms) enter through
/// `S::from`. Both log-sum-exps subtract the maximum first, found with
/// `Float::max`.
///
/// # Panics
///
/// Panics if `params.len()` is not [`GmmInput::param_count`], or if `S::from`
/// cannot represent an `f64` constant.
pub fn objective_generic<S: Float>(input: &GmmInput, params: &[S]) -> S {
    let (d, k) = (input.d, input.k);
    let icf_len = input.icf_len();
    let (alphas, means, icf) = input.split_params(params);
    let constant = |value: f64| S::from(value).expect("the scalar type represents every f64");
    let half = constant(0.5);

    let exp_diag: Vec<S> = (0..k)
        .flat_map(|c| icf[c * icf_len..c * icf_len + d].iter().map(|q| q.exp()))
        .collect();
    let sum_q: Vec<S> = (0..k)
        .map(|c| sum(&icf[c * icf_len..c * icf_len + d]))
        .collect();
    let mut centered = Vec::with_capacity(d);
    let mut transformed = Vec::with_capacity(d);
    let mut beta = Vec::with_capacity(k);

    let mut data_term = S::zero();
    for point in input.x.chunks_exact(d) {
        beta.clear();
        for c in 0..k {
            centered.clear();
            centered.extend((0..d).map(|j| constant(point[j]) - means[c * d + j]));

            transformed.clear();
            transformed.extend((0..d).map(|j| exp_diag[c * d + j] * centered[j]));
            let lower = &icf[c * icf_len + d..(c + 1) * icf_len];
            let mut lower_entries = lower.iter();
            for (col, &centered_col) in centered.iter().enumerate() {
                let column = transformed[col + 1..]
                    .iter_mut()
                    .zip(lower_entries.by_ref());
                for (t, &l) in column {
                    *t = *t + l * centered_col;
                }
            }

            let squared_norm = transformed.iter().fold(S::zero(), |acc, &t| acc + t * t);
            beta.push(alphas[c] + sum_q[c] - half * squared_norm);
        }
        data_term = data_term + logsumexp_generic(&beta);
    }

    let gamma_sq = constant(input.wishart_gamma * input.wishart_gamma);
    let m = constant(f64::from(input.wishart_m));
    let mut prior = S::zero();
    for c in 0..k {
        let diag_sq = exp_diag[c * d..(c + 1) * d]
            .iter()
            .fold(S::zero(), |acc, &e| acc + e * e);
        let lower_sq = icf[c * icf_len + d..(c + 1) * icf_len]
            .iter()
            .fold(S::zero(), |acc, &l| acc + l * l);
        prior = prior + half * gamma_sq * (diag_sq + lower_sq) - m * sum_q[c];
    }

    constant(input.constant_term()) + data_term
        - constant(input.n as f64) * logsumexp_generic(alphas)
        + prior
}

fn sum<S: Float>(values: &[S]) -> S {
    values.iter().fold(S::zero(), |acc, &v| acc + v)
}

/// Returns `ln(sum_j exp(values_j))` over a [`Float`] scalar, computed after
/// subtracting the maximum. `values` must not be empty.
fn logsumexp_generic<S: Float>(values: &[S]) -> S {
    let max = values[1..].iter().fold(values[0], |acc, &v| acc.max(v));
    let exp_sum = values
        .iter()
        .fold(S::zero(), |acc, &v| acc + (v - max).exp());
    max + exp_sum.ln()
}
