//! adjoint against other Rust automatic-differentiation crates on the same
//! functions: the chained Rosenbrock function and the one-dimensional
//! Gaussian-mixture log-likelihood (`mixture`) at n = 16, 256 and 4096.
//!
//! Reverse mode, each recording the function and sweeping once per
//! gradient:
//! - `adjoint_tape`: a reused `adjoint::Tape`; `adjoint_gradient`:
//!   `adjoint::gradient` (a cleared tape kept per thread);
//! - `echidna`: `echidna::grad` 0.15 (an Adept-style tape from a
//!   thread-local pool);
//! - `reverse`: the `reverse` crate 0.2 with its tape reused (`clear`);
//! - `easy_ml`: easy-ml 2.3's `Record`s on a reused `WengertList`.
//!
//! Forward mode, one input per sweep, at n ≤ 256: `adjoint_forward`
//! (`adjoint::forward::gradient`) and `num_dual` (num-dual 0.15's
//! `Dual64`).
//!
//! `f64` is the plain function, so every figure also reads as a ratio.
//! RustQuant_autodiff 0.4 builds here too but pulls in about 65 crates
//! (nalgebra, plotters, chrono, ...), so it is left out to keep the
//! workspace's test build short.
//!
//! Run with `cargo bench --bench peers`.

use std::hint::black_box;

use adjoint::Tape;
use criterion::{BenchmarkId, Throughput, criterion_group, criterion_main};
use easy_ml::differentiation::{Record, WengertList};
use num_dual::Dual64;
use reverse::Gradient;

#[path = "common/config.rs"]
mod config;
#[path = "common/functions.rs"]
mod functions;
#[path = "common/peer_functions.rs"]
mod peer_functions;

/// Input counts.
const SIZES: [usize; 3] = [16, 256, 4096];

/// Largest n for the forward-mode (O(n) sweeps) entries.
const FORWARD_MAX: usize = 256;

/// One test function in every crate's number type.
trait TestFunction {
    const NAME: &'static str;
    fn eval<S: num_traits::Float>(x: &[S]) -> S;
    fn eval_num_dual(x: &[Dual64]) -> Dual64;
    fn eval_reverse<'a>(x: &[reverse::Var<'a>]) -> reverse::Var<'a>;
    fn eval_easy_ml<'a>(x: &[Record<'a, f64>]) -> Record<'a, f64>;
    fn start(n: usize) -> Vec<f64>;
}

struct Rosenbrock;
impl TestFunction for Rosenbrock {
    const NAME: &'static str = "rosenbrock";
    fn eval<S: num_traits::Float>(x: &[S]) -> S {
        functions::rosenbrock(x)
    }
    fn eval_num_dual(x: &[Dual64]) -> Dual64 {
        peer_functions::rosenbrock_dual(x)
    }
    fn eval_reverse<'a>(x: &[reverse::Var<'a>]) -> reverse::Var<'a> {
        peer_functions::rosenbrock_reverse(x)
    }
    fn eval_easy_ml<'a>(x: &[Record<'a, f64>]) -> Record<'a, f64> {
        peer_functions::rosenbrock_easy_ml(x)
    }
    fn start(n: usize) -> Vec<f64> {
        functions::rosenbrock_start(n)
    }
}

struct Mixture;
impl TestFunction for Mixture {
    const NAME: &'static str = "mixture";
    fn eval<S: num_traits::Float>(x: &[S]) -> S {
        functions::mixture(x)
    }
    fn eval_num_dual(x: &[Dual64]) -> Dual64 {
        peer_functions::mixture_dual(x)
    }
    fn eval_reverse<'a>(x: &[reverse::Var<'a>]) -> reverse::Var<'a> {
        peer_functions::mixture_reverse(x)
    }
    fn eval_easy_ml<'a>(x: &[Record<'a, f64>]) -> Record<'a, f64> {
        peer_functions::mixture_easy_ml(x)
    }
    fn start(n: usize) -> Vec<f64> {
        functions::mixture_start(n)
    }
}

fn gradient_reverse<F: TestFunction>(tape: &reverse::Tape, x0: &[f64]) -> Vec<f64> {
    tape.clear();
    let x = tape.add_vars(x0);
    F::eval_reverse(&x).grad().wrt(&x)
}

fn gradient_easy_ml<F: TestFunction>(list: &WengertList<f64>, x0: &[f64]) -> Vec<f64> {
    list.clear();
    let x: Vec<Record<'_, f64>> = x0.iter().map(|&v| Record::variable(v, list)).collect();
    let derivatives = F::eval_easy_ml(&x).derivatives();
    x.iter().map(|v| derivatives[v]).collect()
}

fn gradient_num_dual<F: TestFunction>(x0: &[f64]) -> Vec<f64> {
    let mut x: Vec<Dual64> = x0.iter().map(|&v| Dual64::from_re(v)).collect();
    (0..x0.len())
        .map(|i| {
            x[i].eps = 1.0;
            let derivative = F::eval_num_dual(&x).eps;
            x[i].eps = 0.0;
            derivative
        })
        .collect()
}

/// Checks once, before timing, that every crate computes the same gradient.
fn check_peers_agree<F: TestFunction>() {
    let x0 = F::start(12);
    let expected = adjoint::gradient(|x| F::eval(x), &x0);
    let results = [
        ("echidna", echidna::grad(|x| F::eval(x), &x0)),
        ("reverse", gradient_reverse::<F>(&reverse::Tape::new(), &x0)),
        ("easy_ml", gradient_easy_ml::<F>(&WengertList::new(), &x0)),
        ("num_dual", gradient_num_dual::<F>(&x0)),
    ];
    for (peer, gradient) in results {
        for (i, (&got, &want)) in gradient.iter().zip(&expected).enumerate() {
            assert!(
                (got - want).abs() <= 1e-10 * want.abs().max(1.0),
                "{}: {peer} gives {got} for input {i}, adjoint {want}",
                F::NAME
            );
        }
    }
}

fn bench_function<F: TestFunction>(c: &mut config::Bench) {
    check_peers_agree::<F>();
    let mut group = c.benchmark_group(format!("peers/{}", F::NAME));
    for n in SIZES {
        let x0 = F::start(n);
        group.throughput(Throughput::Elements(n as u64));

        group.bench_with_input(BenchmarkId::new("f64", n), &x0, |b, x0| {
            b.iter(|| F::eval(black_box(x0.as_slice())));
        });

        let mut tape = Tape::new();
        let mut grad = vec![0.0; n];
        group.bench_with_input(BenchmarkId::new("adjoint_tape", n), &x0, |b, x0| {
            b.iter(|| {
                tape.clear();
                let x = tape.vars(black_box(x0));
                F::eval(&x).gradient().write_wrt(&x, &mut grad);
                black_box(&grad);
            });
        });
        group.bench_with_input(BenchmarkId::new("adjoint_gradient", n), &x0, |b, x0| {
            b.iter(|| adjoint::gradient(|x| F::eval(x), black_box(x0)));
        });
        group.bench_with_input(BenchmarkId::new("echidna", n), &x0, |b, x0| {
            b.iter(|| echidna::grad(|x| F::eval(x), black_box(x0)));
        });
        let reverse_tape = reverse::Tape::new();
        group.bench_with_input(BenchmarkId::new("reverse", n), &x0, |b, x0| {
            b.iter(|| gradient_reverse::<F>(&reverse_tape, black_box(x0)));
        });
        let list = WengertList::new();
        group.bench_with_input(BenchmarkId::new("easy_ml", n), &x0, |b, x0| {
            b.iter(|| gradient_easy_ml::<F>(&list, black_box(x0)));
        });

        if n <= FORWARD_MAX {
            group.bench_with_input(BenchmarkId::new("adjoint_forward", n), &x0, |b, x0| {
                b.iter(|| adjoint::forward::gradient(|x| F::eval(x), black_box(x0)));
            });
            group.bench_with_input(BenchmarkId::new("num_dual", n), &x0, |b, x0| {
                b.iter(|| gradient_num_dual::<F>(black_box(x0)));
            });
        }
    }
    group.finish();
}

fn peers(c: &mut config::Bench) {
    bench_function::<Rosenbrock>(c);
    bench_function::<Mixture>(c);
}

criterion_group! {
    name = benches;
    config = config::quick();
    targets = peers
}
criterion_main!(benches);
