//! Reverse mode against forward mode and finite differences as the number
//! of inputs grows, on the chained Rosenbrock function and on a
//! one-dimensional Gaussian-mixture log-likelihood (`mixture`), for
//! n = 2 (Rosenbrock) or 1 (mixture) up to 10^4 inputs.
//!
//! Modes, each a criterion function id within the group of one test
//! function:
//! - `f64`: the plain function, the unit every ratio is taken against;
//! - `record`: clearing a reused tape and recording the function, no sweep;
//! - `tape`: the gradient on a reused tape (clear, record, one reverse
//!   sweep, read the inputs' adjoints);
//! - `gradient`: `adjoint::gradient`, which records on the thread's
//!   spare tape;
//! - `tensor` (Rosenbrock only): the function written with tensor nodes
//!   (`adjoint::tensor`: slices, `powi`, one `sum`) on a reused tape;
//! - `tensor_fused` (Rosenbrock only): the same with the terms computed
//!   by one `adjoint::tensor::fuse` node in place of the chain of
//!   elementwise nodes;
//! - `tape_preaccumulated`, `gradient_preaccumulated`: `tape` and
//!   `gradient` of the function with small pieces recorded as one
//!   statement each by `adjoint::preaccumulate`. On Rosenbrock each term
//!   and its addition to the total is one statement. On the mixture each
//!   term `-0.5 (p_j - mu_k)^2` is one, and each point's log-sum-exp is
//!   one `adjoint::log_sum_exp` node;
//! - `forward`, `forward_lanes8`: `adjoint::forward::gradient` (one input
//!   per sweep) and `adjoint::forward::gradient_lanes::<8, _>`;
//! - `finite_diff`: `adjoint::finite_diff::gradient` (central differences,
//!   2n evaluations);
//! - `num_dual`, `num_dual_lanes8`: num-dual's `Dual64` (one input per
//!   sweep) and `DualSVec64<8>`, the forward-mode peer.
//!
//! The forward modes and finite differences cost O(n) evaluations, so they
//! run only up to n = 1024 (Rosenbrock) and n = 256 (mixture).
//!
//! Run with `cargo bench --bench reverse_vs_forward`; filter one function
//! with `cargo bench --bench reverse_vs_forward -- rosenbrock`.

use std::hint::black_box;

use adjoint::Tape;
use adjoint::tensor::{Tensor, TensorGradients};
use criterion::{BenchmarkId, Throughput, criterion_group, criterion_main};
use nalgebra::{Const, U1};
use num_dual::{Derivative, Dual64, DualSVec64, DualStruct};

#[path = "common/config.rs"]
mod config;
#[path = "common/functions.rs"]
mod functions;
#[path = "common/peer_functions.rs"]
mod peer_functions;

/// Input counts, log-spaced.
const SIZES: [usize; 8] = [1, 4, 16, 64, 256, 1024, 4096, 10_000];

/// One test function in every number type the modes need.
trait TestFunction {
    const NAME: &'static str;
    /// Largest n at which the O(n)-evaluation modes still run.
    const FORWARD_MAX: usize;
    fn eval<S: num_traits::Float>(x: &[S]) -> S;
    fn eval_num_dual<D: num_dual::DualNum<Primitive = f64> + Copy>(x: &[D]) -> D;
    fn start(n: usize) -> Vec<f64>;
    /// Records the function with tensor nodes, where the bench has a
    /// tensor version.
    fn tensor<'t>(_x: &Tensor<'t>) -> Option<adjoint::Var<'t>> {
        None
    }
    /// Records the function with tensor nodes and its elementwise chain
    /// fused into one node, where the bench has such a version.
    fn tensor_fused<'t>(_x: &Tensor<'t>) -> Option<adjoint::Var<'t>> {
        None
    }
    /// Records the function with `adjoint::preaccumulate`, where the bench
    /// has such a version.
    fn preaccumulated<'t>(_x: &[adjoint::Var<'t>]) -> Option<adjoint::Var<'t>> {
        None
    }
}

struct Rosenbrock;
impl TestFunction for Rosenbrock {
    const NAME: &'static str = "rosenbrock";
    const FORWARD_MAX: usize = 1024;
    fn eval<S: num_traits::Float>(x: &[S]) -> S {
        functions::rosenbrock(x)
    }
    fn eval_num_dual<D: num_dual::DualNum<Primitive = f64> + Copy>(x: &[D]) -> D {
        peer_functions::rosenbrock_dual(x)
    }
    fn start(n: usize) -> Vec<f64> {
        functions::rosenbrock_start(n)
    }
    fn tensor<'t>(x: &Tensor<'t>) -> Option<adjoint::Var<'t>> {
        let n = x.len();
        let head = x.slice_axis(0, 0..n - 1);
        let tail = x.slice_axis(0, 1..n);
        let a = &tail - &head.powi(2);
        let b = 1.0 - &head;
        Some((a.powi(2) * 100.0 + b.powi(2)).sum())
    }
    fn tensor_fused<'t>(x: &Tensor<'t>) -> Option<adjoint::Var<'t>> {
        let n = x.len();
        let head = x.slice_axis(0, 0..n - 1);
        let tail = x.slice_axis(0, 1..n);
        let terms = adjoint::tensor::fuse([&head, &tail], |[current, next]| {
            let a = next - current * current;
            100.0 * a * a + (1.0 - current) * (1.0 - current)
        });
        Some(terms.sum())
    }
    fn preaccumulated<'t>(x: &[adjoint::Var<'t>]) -> Option<adjoint::Var<'t>> {
        Some(functions::rosenbrock_preaccumulated(x))
    }
}

struct Mixture;
impl TestFunction for Mixture {
    const NAME: &'static str = "mixture";
    const FORWARD_MAX: usize = 256;
    fn eval<S: num_traits::Float>(x: &[S]) -> S {
        functions::mixture(x)
    }
    fn eval_num_dual<D: num_dual::DualNum<Primitive = f64> + Copy>(x: &[D]) -> D {
        peer_functions::mixture_dual(x)
    }
    fn start(n: usize) -> Vec<f64> {
        functions::mixture_start(n)
    }
    fn preaccumulated<'t>(x: &[adjoint::Var<'t>]) -> Option<adjoint::Var<'t>> {
        Some(functions::mixture_preaccumulated(x))
    }
}

/// Computes the gradient with `adjoint::forward::gradient`, one input per
/// sweep.
///
/// The check and the timed loop both call this one function, as they call
/// [`num_dual_gradient`], so that both crates' modes reach the test
/// function through one call site and meet the same inlining choices.
fn forward_gradient<F: TestFunction>(x0: &[f64]) -> Vec<f64> {
    adjoint::forward::gradient(|x| F::eval(x), x0)
}

/// Computes the gradient with `adjoint::forward::gradient_lanes::<8, _>`,
/// eight inputs per sweep, through one call site as [`forward_gradient`].
fn forward_lanes8_gradient<F: TestFunction>(x0: &[f64]) -> Vec<f64> {
    adjoint::forward::gradient_lanes::<8, _>(|x| F::eval(x), x0)
}

/// Computes the gradient with num-dual's `Dual64`, one input per sweep.
///
/// It returns a new vector, as `adjoint::forward::gradient` does, so that
/// both drivers pay for the same two allocations (inputs and gradient).
fn num_dual_gradient<F: TestFunction>(x0: &[f64]) -> Vec<f64> {
    let mut x: Vec<Dual64> = x0.iter().map(|&v| Dual64::from_re(v)).collect();
    let mut out = Vec::with_capacity(x0.len());
    for i in 0..x0.len() {
        x[i].eps = 1.0;
        out.push(F::eval_num_dual(&x).eps);
        x[i].eps = 0.0;
    }
    out
}

/// Computes the gradient with num-dual's `DualSVec64<8>`, eight inputs per
/// sweep, into a new vector as `adjoint::forward::gradient_lanes` does.
fn num_dual_lanes8_gradient<F: TestFunction>(x0: &[f64]) -> Vec<f64> {
    let mut x: Vec<DualSVec64<8>> = x0.iter().map(|&v| DualSVec64::from_re(v)).collect();
    let mut out = vec![0.0; x0.len()];
    for start in (0..x0.len()).step_by(8) {
        let end = (start + 8).min(x0.len());
        for (lane, i) in (start..end).enumerate() {
            x[i] = DualSVec64::new(x0[i], Derivative::derivative_generic(Const::<8>, U1, lane));
        }
        let y = F::eval_num_dual(&x);
        let tangents = y.eps.unwrap_generic(Const::<8>, U1);
        out[start..end].copy_from_slice(&tangents.as_slice()[..end - start]);
        for i in start..end {
            x[i] = DualSVec64::from_re(x0[i]);
        }
        black_box(y.re());
    }
    out
}

fn bench_function<F: TestFunction>(c: &mut config::Bench) {
    let mut group = c.benchmark_group(format!("reverse_vs_forward/{}", F::NAME));
    for &n in &SIZES {
        // The chained Rosenbrock function has no term for n = 1.
        let n = if F::NAME == "rosenbrock" { n.max(2) } else { n };
        let x0 = F::start(n);
        group.throughput(Throughput::Elements(n as u64));

        group.bench_with_input(BenchmarkId::new("f64", n), &x0, |b, x0| {
            b.iter(|| F::eval(black_box(x0.as_slice())));
        });

        let mut tape = Tape::new();
        group.bench_with_input(BenchmarkId::new("record", n), &x0, |b, x0| {
            b.iter(|| {
                tape.clear();
                let x = tape.vars(black_box(x0));
                black_box(F::eval(&x).value())
            });
        });

        let mut grad = vec![0.0; n];
        group.bench_with_input(BenchmarkId::new("tape", n), &x0, |b, x0| {
            b.iter(|| {
                tape.clear();
                let x = tape.vars(black_box(x0));
                F::eval(&x).gradient().write_wrt(&x, &mut grad);
                black_box(&grad);
            });
        });

        group.bench_with_input(BenchmarkId::new("gradient", n), &x0, |b, x0| {
            b.iter(|| adjoint::gradient(|x| F::eval(x), black_box(x0)));
        });

        let tensor_modes: [(&str, TensorVersion); 2] =
            [("tensor", F::tensor), ("tensor_fused", F::tensor_fused)];
        for (name, version) in tensor_modes {
            if !has_tensor(version) {
                continue;
            }
            group.bench_with_input(BenchmarkId::new(name, n), &x0, |b, x0| {
                b.iter(|| {
                    tape.clear();
                    let x = Tensor::var(&tape, ndarray::Array1::from(black_box(x0).clone()));
                    let y = version(&x).expect("checked by has_tensor");
                    black_box(y.gradient().wrt_tensor(&x))
                });
            });
        }

        if F::preaccumulated(&Tape::new().vars(&x0)).is_some() {
            group.bench_with_input(BenchmarkId::new("tape_preaccumulated", n), &x0, |b, x0| {
                b.iter(|| {
                    tape.clear();
                    let x = tape.vars(black_box(x0));
                    let y = F::preaccumulated(&x).expect("checked above");
                    y.gradient().write_wrt(&x, &mut grad);
                    black_box(&grad);
                });
            });
            group.bench_with_input(
                BenchmarkId::new("gradient_preaccumulated", n),
                &x0,
                |b, x0| {
                    b.iter(|| {
                        adjoint::gradient(
                            |x| F::preaccumulated(x).expect("checked above"),
                            black_box(x0),
                        )
                    });
                },
            );
        }

        if n > F::FORWARD_MAX {
            continue;
        }
        group.bench_with_input(BenchmarkId::new("forward", n), &x0, |b, x0| {
            b.iter(|| forward_gradient::<F>(black_box(x0)));
        });
        group.bench_with_input(BenchmarkId::new("forward_lanes8", n), &x0, |b, x0| {
            b.iter(|| forward_lanes8_gradient::<F>(black_box(x0)));
        });
        group.bench_with_input(BenchmarkId::new("finite_diff", n), &x0, |b, x0| {
            b.iter(|| adjoint::finite_diff::gradient(|x: &[f64]| F::eval(x), black_box(x0)));
        });
        group.bench_with_input(BenchmarkId::new("num_dual", n), &x0, |b, x0| {
            b.iter(|| num_dual_gradient::<F>(black_box(x0)));
        });
        group.bench_with_input(BenchmarkId::new("num_dual_lanes8", n), &x0, |b, x0| {
            b.iter(|| num_dual_lanes8_gradient::<F>(black_box(x0)));
        });
    }
    group.finish();
}

/// Whether `F` has a tensor version.
/// A tensor version of a test function: `TestFunction::tensor` or
/// `TestFunction::tensor_fused`.
type TensorVersion = for<'t> fn(&Tensor<'t>) -> Option<adjoint::Var<'t>>;

fn has_tensor(version: TensorVersion) -> bool {
    let tape = Tape::new();
    let x = Tensor::var(&tape, ndarray::Array1::from(vec![0.5; 4]));
    version(&x).is_some()
}

/// Checks once, before timing, that every mode computes the same gradient.
fn check_modes_agree<F: TestFunction>() {
    let x0 = F::start(9);
    let reverse = adjoint::gradient(|x| F::eval(x), &x0);
    let forward = forward_gradient::<F>(&x0);
    let lanes = forward_lanes8_gradient::<F>(&x0);
    let finite = adjoint::finite_diff::gradient(|x: &[f64]| F::eval(x), &x0);
    let tensor_modes: [(&str, TensorVersion); 2] =
        [("tensor", F::tensor), ("tensor_fused", F::tensor_fused)];
    for (name, version) in tensor_modes {
        if !has_tensor(version) {
            continue;
        }
        let tape = Tape::new();
        let x = Tensor::var(&tape, ndarray::Array1::from(x0.clone()));
        let tensor = version(&x).expect("checked by has_tensor");
        let gradient = tensor.gradient().wrt_tensor(&x);
        for (i, (&got, &want)) in gradient.iter().zip(&reverse).enumerate() {
            assert!(
                (got - want).abs() <= 1e-12 * want.abs().max(1.0),
                "{}: the {name} version gives {got} for input {i}, reverse mode {want}",
                F::NAME
            );
        }
    }
    let tape = Tape::new();
    let vars = tape.vars(&x0);
    if let Some(y) = F::preaccumulated(&vars) {
        let gradient = y.gradient().wrt_all(&vars);
        for (i, (&got, &want)) in gradient.iter().zip(&reverse).enumerate() {
            assert!(
                (got - want).abs() <= 1e-12 * want.abs().max(1.0),
                "{}: the preaccumulated version gives {got} for input {i}, reverse mode {want}",
                F::NAME
            );
        }
    }
    let dual = num_dual_gradient::<F>(&x0);
    let dual_lanes = num_dual_lanes8_gradient::<F>(&x0);
    for i in 0..x0.len() {
        let scale = reverse[i].abs().max(1.0);
        for (mode, other) in [
            ("forward", forward[i]),
            ("forward_lanes8", lanes[i]),
            ("num_dual", dual[i]),
            ("num_dual_lanes8", dual_lanes[i]),
        ] {
            assert!(
                (other - reverse[i]).abs() <= 1e-12 * scale,
                "{}: {mode} gives {other} for input {i}, reverse mode {}",
                F::NAME,
                reverse[i]
            );
        }
        assert!(
            (finite[i] - reverse[i]).abs() <= 1e-6 * scale,
            "{}: finite differences give {} for input {i}, reverse mode {}",
            F::NAME,
            finite[i],
            reverse[i]
        );
    }
}

fn reverse_vs_forward(c: &mut config::Bench) {
    check_modes_agree::<Rosenbrock>();
    check_modes_agree::<Mixture>();
    bench_function::<Rosenbrock>(c);
    bench_function::<Mixture>(c);
}

criterion_group! {
    name = benches;
    config = config::quick();
    targets = reverse_vs_forward
}
criterion_main!(benches);
