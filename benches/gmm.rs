//! The ADBench Gaussian mixture model objective (1000 points) and its
//! gradient, six ways. `f64` is the plain objective. `tape` records the
//! same generic source on a reused tape and sweeps once. `tape_nary` does
//! the same with the engine's n-ary nodes for each log-sum-exp and squared
//! norm. `tensor` uses the tensor nodes of `adjoint::tensor` with all
//! components in one matrix product, as JAX's version batches them in one
//! `einsum`. `tensor_loop` uses tensor nodes with one matrix product per
//! component. `analytic` is the hand-derived gradient, the floor that any
//! automatic method is measured against.
//!
//! Problems (criterion group `gmm/d{d}_K{K}`, parameter = gradient
//! length): d2_K5, d10_K5, d10_K25 and d20_K25 from ADBench's inputs of
//! 1000 points.
//!
//! Run with `cargo bench --bench gmm`; `cargo bench --bench gmm -- d10_K25`
//! runs the main problem only.

use std::hint::black_box;

use adjoint::tensor::{Tensor, TensorGradients};
use adjoint::{Tape, Var};
use criterion::{BenchmarkId, criterion_group, criterion_main};
use ndarray::{Array1, Array2};

#[path = "common/config.rs"]
mod config;
#[path = "common/gmm.rs"]
mod gmm;

use gmm::GmmInput;

/// The folder of ADBench's GMM inputs.
const DATA_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/adbench-gmm/");

/// The problems timed, as `(d, K)`.
const PROBLEMS: [(usize, usize); 4] = [(2, 5), (10, 5), (10, 25), (20, 25)];

fn load(d: usize, k: usize) -> GmmInput {
    let path = format!("{DATA_DIR}gmm_d{d}_K{k}.txt");
    GmmInput::load(&path).unwrap_or_else(|error| {
        panic!("{error}: the GMM benchmark reads ADBench's inputs from {DATA_DIR}")
    })
}

/// Computes the GMM objective on the tape with the same terms as
/// `gmm::objective_generic`, but each log-sum-exp, each row of the
/// triangular product and each squared norm is one n-ary node
/// (`adjoint::log_sum_exp`, `adjoint::dot`).
///
/// It leaves out the parameter-free constant of the objective (the
/// normalization and the Wishart constant), which has no gradient.
fn objective_nary<'t>(input: &GmmInput, params: &[Var<'t>]) -> Var<'t> {
    let (d, k) = (input.d, input.k);
    let icf_len = input.icf_len();
    let (alphas, rest) = params.split_at(k);
    let (means, icf) = rest.split_at(k * d);

    let exp_diag: Vec<Var<'t>> = (0..k)
        .flat_map(|c| icf[c * icf_len..c * icf_len + d].iter().map(|q| q.exp()))
        .collect();
    let sum_q: Vec<Var<'t>> = (0..k)
        .map(|c| adjoint::sum(&icf[c * icf_len..c * icf_len + d]))
        .collect();
    let alpha_plus_q: Vec<Var<'t>> = (0..k).map(|c| alphas[c] + sum_q[c]).collect();

    // Row r of each factor, diagonal first: the factor's entries and, in
    // `centered`, the positions they multiply. The strict lower triangle
    // is packed by columns, so entry (r, col) sits at
    // col (d - 1) - col (col - 1) / 2 + r - col - 1.
    let rows: Vec<Vec<Var<'t>>> = (0..k * d)
        .map(|row| {
            let (c, r) = (row / d, row % d);
            let lower = &icf[c * icf_len + d..(c + 1) * icf_len];
            std::iter::once(exp_diag[row])
                .chain((0..r).map(|col| {
                    lower[col * (d - 1) - col * col.saturating_sub(1) / 2 + r - col - 1]
                }))
                .collect()
        })
        .collect();
    let mut centered = Vec::with_capacity(d);
    let mut factors = Vec::with_capacity(d);
    let mut transformed = Vec::with_capacity(d);
    let mut beta = Vec::with_capacity(k);
    let mut data_terms = Vec::with_capacity(input.n);
    for point in input.x.chunks_exact(d) {
        beta.clear();
        for c in 0..k {
            centered.clear();
            centered.extend((0..d).map(|j| point[j] - means[c * d + j]));
            // Each entry of L (x - mean) is one dot node over its row.
            transformed.clear();
            for r in 0..d {
                factors.clear();
                factors.push(centered[r]);
                factors.extend_from_slice(&centered[..r]);
                transformed.push(adjoint::dot(&rows[c * d + r], &factors));
            }
            let squared_norm = adjoint::dot(&transformed, &transformed);
            beta.push(alpha_plus_q[c] - 0.5 * squared_norm);
        }
        data_terms.push(adjoint::log_sum_exp(&beta));
    }
    let data_term = adjoint::sum(&data_terms);

    let gamma_sq = input.wishart_gamma * input.wishart_gamma;
    let m = f64::from(input.wishart_m);
    let mut prior_terms = Vec::with_capacity(k);
    for c in 0..k {
        let diag = &exp_diag[c * d..(c + 1) * d];
        let lower = &icf[c * icf_len + d..(c + 1) * icf_len];
        let squares = adjoint::dot(diag, diag) + adjoint::dot(lower, lower);
        prior_terms.push(0.5 * gamma_sq * squares - m * sum_q[c]);
    }
    let prior = adjoint::sum(&prior_terms);

    data_term - input.n as f64 * adjoint::log_sum_exp(alphas) + prior
}

/// The GMM parameters as tensors: the flat vector cut into the mixture
/// weights, the means and the two parts of each inverse covariance
/// factor, with the pieces both tensor objectives derive from them.
struct TensorParams<'t> {
    /// The `K` unnormalized log weights.
    alphas: Tensor<'t>,
    /// The `K x d` means.
    means: Tensor<'t>,
    /// The `K x d` logs of the factors' diagonals.
    log_diagonals: Tensor<'t>,
    /// The `K x d(d-1)/2` strictly lower parts of the factors, column by
    /// column.
    lower: Tensor<'t>,
    /// The `K x d` diagonals, `exp(log_diagonals)`.
    diagonals: Tensor<'t>,
    /// The `K` sums of `log_diagonals`, the log-determinants of the factors.
    sum_q: Tensor<'t>,
}

impl<'t> TensorParams<'t> {
    /// Cuts the flat parameter vector `params` of `input`'s problem.
    fn split(input: &GmmInput, params: &Tensor<'t>) -> Self {
        let (d, k) = (input.d, input.k);
        let icf_len = input.icf_len();
        let icf = params
            .slice_axis(0, k + k * d..k + k * d + k * icf_len)
            .reshape(&[k, icf_len]);
        let log_diagonals = icf.slice_axis(1, 0..d);
        Self {
            alphas: params.slice_axis(0, 0..k),
            means: params.slice_axis(0, k..k + k * d).reshape(&[k, d]),
            lower: icf.slice_axis(1, d..icf_len),
            diagonals: log_diagonals.exp(),
            sum_q: log_diagonals.sum_axis(1),
            log_diagonals,
        }
    }

    /// Adds the weights' normalization and the Wishart prior to
    /// `data_term`, the sum over points of the log-sum-exp of the betas.
    fn finish(&self, input: &GmmInput, data_term: Var<'t>) -> Var<'t> {
        let gamma_sq = input.wishart_gamma * input.wishart_gamma;
        let m = f64::from(input.wishart_m);
        let squares = self.diagonals.powi(2).sum() + self.lower.powi(2).sum();
        let prior = 0.5 * gamma_sq * squares - m * self.log_diagonals.sum();
        data_term - input.n as f64 * self.alphas.log_sum_exp(0).to_scalar() + prior
    }
}

/// Computes the GMM objective with tensor nodes, all components at once.
///
/// Row `r` of the points maps to `Q_c (r - mu_c)` for every component `c`
/// in one matrix product: the points with a column of ones appended, times
/// the factors `Q_c^T` side by side with the row `-(Q_c mu_c)^T` below
/// them. `params` is the flat parameter vector as one tensor, `points` the
/// `n x (d + 1)` data with the column of ones (see [`points_with_ones`]) as
/// a constant. Like [`objective_nary`] it leaves out the parameter-free
/// constant.
fn objective_tensor<'t>(input: &GmmInput, params: &Tensor<'t>, points: &Tensor<'t>) -> Var<'t> {
    let (n, d, k) = (input.n, input.d, input.k);
    let parts = TensorParams::split(input, params);
    let TensorParams {
        alphas,
        means,
        lower,
        diagonals,
        sum_q,
        ..
    } = &parts;

    // Column block c of the d x (K d) matrix is Q_c^T: entry (col, c d + row)
    // is Q_c's entry (row, col).
    let zero = Var::constant(0.0);
    let width = k * d;
    let mut factor_entries = vec![zero; d * width];
    for c in 0..k {
        let mut lower_index = 0;
        for col in 0..d {
            factor_entries[col * width + c * d + col] = diagonals.get(&[c, col]);
            for row in col + 1..d {
                factor_entries[col * width + c * d + row] = lower.get(&[c, lower_index]);
                lower_index += 1;
            }
        }
    }
    let factors_t = Tensor::from_vars(&factor_entries, &[d, width]);
    // Row c of means Q^T holds mu_c^T Q_{c'}^T for every c'; the blocks
    // with c' = c are the ones needed.
    let all_means = means.matmul(&factors_t).reshape(&[k * width]);
    let own_blocks: Vec<usize> = (0..k)
        .flat_map(|c| (0..d).map(move |j| c * width + c * d + j))
        .collect();
    let shifts = -all_means.select(0, &own_blocks).reshape(&[1, width]);
    let affine = Tensor::concatenate(0, &[factors_t, shifts]);
    let transformed = points.matmul(&affine);
    let squared_norms = transformed.powi(2).reshape(&[n, k, d]).sum_axis(2);
    let offsets = alphas + sum_q;
    let betas = squared_norms * -0.5 + &offsets;
    let data_term = betas.log_sum_exp(1).sum();
    parts.finish(input, data_term)
}

/// Computes the GMM objective with tensor nodes: per component one matrix
/// product of the centred points with the triangular factor, then one
/// log-sum-exp over the stacked components. `params` is the flat parameter
/// vector as one tensor, `points` the `n x d` data as a constant. Like
/// [`objective_nary`] it leaves out the parameter-free constant.
fn objective_tensor_loop<'t>(
    input: &GmmInput,
    params: &Tensor<'t>,
    points: &Tensor<'t>,
) -> Var<'t> {
    let (d, k) = (input.d, input.k);
    let parts = TensorParams::split(input, params);
    let TensorParams {
        alphas,
        means,
        lower,
        diagonals,
        sum_q,
        ..
    } = &parts;

    let zero = Var::constant(0.0);
    let mut factor_entries = vec![zero; d * d];
    let mut betas = Vec::with_capacity(k);
    for c in 0..k {
        // The factor Q_c, transposed so that a row r of centred points maps
        // to (Q_c r)^T = r^T Q_c^T.
        factor_entries.fill(zero);
        let mut lower_index = 0;
        for col in 0..d {
            factor_entries[col * d + col] = diagonals.get(&[c, col]);
            for row in col + 1..d {
                factor_entries[col * d + row] = lower.get(&[c, lower_index]);
                lower_index += 1;
            }
        }
        let factor_t = Tensor::from_vars(&factor_entries, &[d, d]);
        let centered = points - &means.slice_axis(0, c..c + 1);
        let squared_norms = centered.matmul(&factor_t).powi(2).sum_axis(1);
        let offset = alphas.get(&[c]) + sum_q.get(&[c]);
        betas.push(squared_norms * -0.5 + offset);
    }
    let data_term = Tensor::stack(1, &betas).log_sum_exp(1).sum();
    parts.finish(input, data_term)
}

/// The data points of `input` as an `n x d` array.
fn points(input: &GmmInput) -> Array2<f64> {
    Array2::from_shape_vec((input.n, input.d), input.x.clone())
        .expect("a GMM input holds n d coordinates")
}

/// Builds the data points of `input` as an `n x (d + 1)` array whose last
/// column is all ones.
fn points_with_ones(input: &GmmInput) -> Array2<f64> {
    let d = input.d;
    Array2::from_shape_fn((input.n, d + 1), |(i, j)| {
        if j < d { input.x[i * d + j] } else { 1.0 }
    })
}

/// Checks once, before timing, that both tape gradients match the
/// analytic one.
fn check_gradients(input: &GmmInput) {
    let params = input.params();
    let mut analytic = vec![0.0; params.len()];
    gmm::gradient_analytic(input, &params, &mut analytic);
    let generic = adjoint::gradient(|x| gmm::objective_generic(input, x), &params);
    let nary = adjoint::gradient(|x| objective_nary(input, x), &params);
    let tape = Tape::new();
    let flat = Tensor::var(&tape, Array1::from(params.clone()));
    let tensor = objective_tensor(input, &flat, &Tensor::constant(points_with_ones(input)))
        .gradient()
        .wrt_tensor(&flat);
    let tensor_loop = objective_tensor_loop(input, &flat, &Tensor::constant(points(input)))
        .gradient()
        .wrt_tensor(&flat);
    for (i, &expected) in analytic.iter().enumerate() {
        let tolerance = 1e-9 * expected.abs().max(1.0);
        for (mode, got) in [
            ("tape", generic[i]),
            ("tape_nary", nary[i]),
            ("tensor", tensor[i]),
            ("tensor_loop", tensor_loop[i]),
        ] {
            assert!(
                (got - expected).abs() <= tolerance,
                "d{}_K{}: gradient entry {i} is {got} by {mode}, analytic {expected}",
                input.d,
                input.k,
            );
        }
    }
}

fn gmm(c: &mut config::Bench) {
    for (d, k) in PROBLEMS {
        let input = load(d, k);
        check_gradients(&input);
        let params = input.params();
        let mut group = c.benchmark_group(format!("gmm/d{d}_K{k}"));
        let id = params.len();

        group.bench_with_input(BenchmarkId::new("f64", id), &params, |b, params| {
            b.iter(|| gmm::objective_f64(&input, black_box(params)));
        });

        let mut grad = vec![0.0; params.len()];
        group.bench_with_input(BenchmarkId::new("analytic", id), &params, |b, params| {
            b.iter(|| gmm::gradient_analytic(&input, black_box(params), &mut grad));
        });

        let mut tape = Tape::new();
        group.bench_with_input(BenchmarkId::new("tape", id), &params, |b, params| {
            b.iter(|| {
                tape.clear();
                let x = tape.vars(black_box(params));
                gmm::objective_generic(&input, &x)
                    .gradient()
                    .write_wrt(&x, &mut grad);
                black_box(&grad);
            });
        });

        group.bench_with_input(BenchmarkId::new("tape_nary", id), &params, |b, params| {
            b.iter(|| {
                tape.clear();
                let x = tape.vars(black_box(params));
                objective_nary(&input, &x)
                    .gradient()
                    .write_wrt(&x, &mut grad);
                black_box(&grad);
            });
        });

        let data = points_with_ones(&input);
        group.bench_with_input(BenchmarkId::new("tensor", id), &params, |b, params| {
            b.iter(|| {
                tape.clear();
                let flat = Tensor::var(&tape, Array1::from(black_box(params).clone()));
                let objective = objective_tensor(&input, &flat, &Tensor::constant(data.clone()));
                black_box(objective.gradient().wrt_tensor(&flat))
            });
        });

        let data = points(&input);
        group.bench_with_input(BenchmarkId::new("tensor_loop", id), &params, |b, params| {
            b.iter(|| {
                tape.clear();
                let flat = Tensor::var(&tape, Array1::from(black_box(params).clone()));
                let objective =
                    objective_tensor_loop(&input, &flat, &Tensor::constant(data.clone()));
                black_box(objective.gradient().wrt_tensor(&flat))
            });
        });
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = config::slow();
    targets = gmm
}
criterion_main!(benches);
