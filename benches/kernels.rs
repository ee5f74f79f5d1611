//! Gradient cost against function cost on scalar kernels, in the style of
//! the Stan Math and FastAD benchmarks: a summation loop, a product loop,
//! log-sum-exp, the normal log density, Rosenbrock and a dense matrix
//! product written with scalars, for N = 1 to 16384 inputs.
//!
//! Each group times the plain `f64` function (`f64`), the gradient on a
//! reused tape (`tape`: clear, record, one reverse sweep, read the inputs'
//! adjoints) and, where the engine has one, the same kernel as one n-ary
//! node (`nary`: `adjoint::sum`, `adjoint::product`,
//! `adjoint::log_sum_exp`). Rosenbrock also runs with each term and its
//! addition to the total recorded as one statement by
//! `adjoint::preaccumulate` (`preaccumulated`).
//!
//! Run with `cargo bench --bench kernels`; `cargo bench --bench kernels --
//! --test` runs every case once as a smoke test.

use std::hint::black_box;

use adjoint::{Tape, Var};
use criterion::{BenchmarkId, Throughput, criterion_group, criterion_main};
use num_traits::Float;

#[path = "common/config.rs"]
mod config;
#[path = "common/functions.rs"]
mod functions;

/// Input counts of every kernel but the matrix product.
const SIZES: [usize; 8] = [1, 4, 16, 64, 256, 1024, 4096, 16384];

/// Matrix sides of the matrix product; its input count is `2 s^2`.
const MATRIX_SIDES: [usize; 7] = [1, 2, 4, 8, 16, 32, 64];

/// A scalar kernel, written once over [`Float`].
trait Kernel {
    const NAME: &'static str;
    fn eval<S: Float>(x: &[S]) -> S;
    fn start(n: usize) -> Vec<f64>;
    /// Records the same kernel as one n-ary node, where the engine has one.
    fn nary<'t>(_x: &[Var<'t>]) -> Option<Var<'t>> {
        None
    }
    /// Records the same kernel with `adjoint::preaccumulate`, where it has
    /// small pieces to preaccumulate.
    fn preaccumulated<'t>(_x: &[Var<'t>]) -> Option<Var<'t>> {
        None
    }
}

struct Sum;
impl Kernel for Sum {
    const NAME: &'static str = "sum";
    fn eval<S: Float>(x: &[S]) -> S {
        functions::sum_loop(x)
    }
    fn start(n: usize) -> Vec<f64> {
        functions::spread_start(n)
    }
    fn nary<'t>(x: &[Var<'t>]) -> Option<Var<'t>> {
        Some(adjoint::sum(x))
    }
}

struct Product;
impl Kernel for Product {
    const NAME: &'static str = "product";
    fn eval<S: Float>(x: &[S]) -> S {
        functions::product_loop(x)
    }
    fn start(n: usize) -> Vec<f64> {
        functions::spread_start(n)
    }
    fn nary<'t>(x: &[Var<'t>]) -> Option<Var<'t>> {
        Some(adjoint::product(x))
    }
}

struct LogSumExp;
impl Kernel for LogSumExp {
    const NAME: &'static str = "log_sum_exp";
    fn eval<S: Float>(x: &[S]) -> S {
        functions::log_sum_exp(x)
    }
    fn start(n: usize) -> Vec<f64> {
        functions::spread_start(n)
    }
    fn nary<'t>(x: &[Var<'t>]) -> Option<Var<'t>> {
        Some(adjoint::log_sum_exp(x))
    }
}

struct NormalLogDensity;
impl Kernel for NormalLogDensity {
    const NAME: &'static str = "normal_log_density";
    fn eval<S: Float>(x: &[S]) -> S {
        functions::normal_log_density(x)
    }
    fn start(n: usize) -> Vec<f64> {
        functions::normal_start(n)
    }
}

struct Rosenbrock;
impl Kernel for Rosenbrock {
    const NAME: &'static str = "rosenbrock";
    fn eval<S: Float>(x: &[S]) -> S {
        functions::rosenbrock(x)
    }
    fn start(n: usize) -> Vec<f64> {
        functions::rosenbrock_start(n)
    }
    fn preaccumulated<'t>(x: &[Var<'t>]) -> Option<Var<'t>> {
        Some(functions::rosenbrock_preaccumulated(x))
    }
}

struct MatmulSum;
impl Kernel for MatmulSum {
    const NAME: &'static str = "matmul";
    fn eval<S: Float>(x: &[S]) -> S {
        functions::matmul_sum(x)
    }
    fn start(n: usize) -> Vec<f64> {
        functions::spread_start(n)
    }
}

/// Times `K` as `f64`, on a reused tape and as an n-ary node, at each size
/// (the number of inputs).
fn bench_kernel<K: Kernel>(c: &mut config::Bench, sizes: &[usize]) {
    let mut group = c.benchmark_group(format!("kernels/{}", K::NAME));
    for &n in sizes {
        let x0 = K::start(n);
        group.throughput(Throughput::Elements(x0.len() as u64));

        group.bench_with_input(BenchmarkId::new("f64", n), &x0, |b, x0| {
            b.iter(|| K::eval(black_box(x0.as_slice())));
        });

        let mut tape = Tape::new();
        let mut grad = vec![0.0; x0.len()];
        group.bench_with_input(BenchmarkId::new("tape", n), &x0, |b, x0| {
            b.iter(|| {
                tape.clear();
                let x = tape.vars(black_box(x0));
                let y = K::eval(&x);
                y.gradient().write_wrt(&x, &mut grad);
                black_box(&grad);
            });
        });

        let has_nary = {
            let probe = Tape::new();
            let x = probe.vars(&x0);
            K::nary(&x).is_some()
        };
        let has_preaccumulated = {
            let probe = Tape::new();
            let x = probe.vars(&x0);
            K::preaccumulated(&x).is_some()
        };
        check_modes::<K>(&x0);
        if has_preaccumulated {
            group.bench_with_input(BenchmarkId::new("preaccumulated", n), &x0, |b, x0| {
                b.iter(|| {
                    tape.clear();
                    let x = tape.vars(black_box(x0));
                    let y = K::preaccumulated(&x).expect("checked above");
                    y.gradient().write_wrt(&x, &mut grad);
                    black_box(&grad);
                });
            });
        }

        if has_nary {
            group.bench_with_input(BenchmarkId::new("nary", n), &x0, |b, x0| {
                b.iter(|| {
                    tape.clear();
                    let x = tape.vars(black_box(x0));
                    let y = K::nary(&x).expect("checked above");
                    y.gradient().write_wrt(&x, &mut grad);
                    black_box(&grad);
                });
            });
        }
    }
    group.finish();
}

/// The gradient of one form of a kernel at a point, or `None` where the
/// kernel has no such form.
type GradientOf = fn(&[f64]) -> Option<Vec<f64>>;

/// Checks, before timing, that the n-ary and preaccumulated forms of `K`
/// give the gradient of the operation-by-operation recording.
fn check_modes<K: Kernel>(x0: &[f64]) {
    let reference = adjoint::gradient(|x| K::eval(x), x0);
    let modes: [(&str, GradientOf); 2] = [
        ("nary", |x0| {
            let tape = Tape::new();
            let x = tape.vars(x0);
            K::nary(&x).map(|y| y.gradient().wrt_all(&x))
        }),
        ("preaccumulated", |x0| {
            let tape = Tape::new();
            let x = tape.vars(x0);
            K::preaccumulated(&x).map(|y| y.gradient().wrt_all(&x))
        }),
    ];
    for (mode, gradient) in modes {
        let Some(gradient) = gradient(x0) else {
            continue;
        };
        for (i, (got, expected)) in gradient.iter().zip(&reference).enumerate() {
            assert!(
                (got - expected).abs() <= 1e-9 * expected.abs().max(1.0),
                "{} at n = {}: entry {i} is {got} by {mode}, {expected} on the tape",
                K::NAME,
                x0.len(),
            );
        }
    }
}

fn kernels(c: &mut config::Bench) {
    bench_kernel::<Sum>(c, &SIZES);
    bench_kernel::<Product>(c, &SIZES);
    bench_kernel::<LogSumExp>(c, &SIZES);
    bench_kernel::<NormalLogDensity>(c, &SIZES);
    bench_kernel::<Rosenbrock>(c, &SIZES[1..]);
    let matrix_inputs: Vec<usize> = MATRIX_SIDES.iter().map(|s| 2 * s * s).collect();
    bench_kernel::<MatmulSum>(c, &matrix_inputs);
}

criterion_group! {
    name = benches;
    config = config::quick();
    targets = kernels
}
criterion_main!(benches);
