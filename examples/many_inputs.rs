//! The gradient of a function of 100,000 inputs in one reverse sweep, with
//! the time forward mode would need beside it.
//!
//! The function is the chained Rosenbrock function
//! `Σ (1 − xᵢ)² + 100 (xᵢ₊₁ − xᵢ²)²`. Reverse mode records it once and
//! sweeps back once, so the whole gradient costs a small multiple of one
//! evaluation. Forward mode needs one sweep per input, `n` evaluations of
//! `O(n)` work: it is measured at 1,000 inputs and extrapolated to 100,000
//! as `O(n²)`, 10,000 times the measured time, instead of being run.
//!
//! Run with `cargo run --release --example many_inputs`. With `--quick`
//! (or `ADJOINT_QUICK=1`) it uses 10,000 inputs and measures forward mode
//! at 300, and finishes in well under a second.

use std::hint::black_box;
use std::time::{Duration, Instant};

use adjoint::{Scalar, Tape};

/// The chained Rosenbrock function, written once for `f64`, dual numbers
/// and tape variables.
fn rosenbrock<S: Scalar>(x: &[S]) -> S {
    let hundred = S::from_f64(100.0);
    x.windows(2).fold(S::zero(), |total, pair| {
        let (a, b) = (pair[0], pair[1]);
        let valley = b - a * a;
        total + (S::one() - a) * (S::one() - a) + hundred * valley * valley
    })
}

/// Computes the gradient of [`rosenbrock`] by hand, to check the tape
/// against.
fn rosenbrock_gradient(x: &[f64]) -> Vec<f64> {
    let mut gradient = vec![0.0; x.len()];
    for i in 0..x.len().saturating_sub(1) {
        let (a, b) = (x[i], x[i + 1]);
        gradient[i] += -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
        gradient[i + 1] += 200.0 * (b - a * a);
    }
    gradient
}

fn point(n: usize) -> Vec<f64> {
    (0..n).map(|i| 0.5 + 0.4 * (i as f64).sin()).collect()
}

/// Runs `work` `repeats` times and returns its last result and the
/// fastest time. `black_box` keeps the optimizer from hoisting the work
/// out of the loop.
fn fastest<R>(repeats: usize, mut work: impl FnMut() -> R) -> (R, Duration) {
    let mut best = Duration::MAX;
    let mut result = None;
    for _ in 0..repeats {
        let start = Instant::now();
        result = Some(black_box(work()));
        best = best.min(start.elapsed());
    }
    (result.expect("repeats is at least 1"), best)
}

fn max_relative_error(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| adjoint::finite_diff::relative_error(*x, *y))
        .fold(0.0, f64::max)
}

fn main() {
    let quick = std::env::args().any(|arg| arg == "--quick")
        || std::env::var("ADJOINT_QUICK").is_ok_and(|value| value == "1");
    let (n, n_forward) = if quick {
        (10_000, 300)
    } else {
        (100_000, 1_000)
    };

    let x = point(n);
    let (value, plain_time) = fastest(5, || rosenbrock(black_box(&x)));

    let mut tape = Tape::with_capacity(8 * n, 16 * n);
    let mut record_time = Duration::MAX;
    let mut sweep_time = Duration::MAX;
    let mut gradient = Vec::new();
    let mut nodes = 0;
    let mut bytes = 0;
    for _ in 0..5 {
        tape.clear();
        let start = Instant::now();
        let inputs = tape.vars(&x);
        let output = rosenbrock(&inputs);
        let recorded = Instant::now();
        let adjoints = output.gradient();
        gradient = adjoints.wrt_all(&inputs);
        let swept = Instant::now();
        record_time = record_time.min(recorded - start);
        sweep_time = sweep_time.min(swept - recorded);
        assert_eq!(output.value(), value);
        nodes = tape.len();
        bytes = tape.memory_bytes();
    }
    let reverse_error = max_relative_error(&gradient, &rosenbrock_gradient(&x));
    let reverse_time = record_time + sweep_time;

    println!("chained Rosenbrock function of n = {n} inputs, f = {value:.6e}");
    println!("plain f64 evaluation:         {plain_time:>12.3?}");
    println!(
        "reverse mode, record:         {record_time:>12.3?}  ({nodes} nodes, {:.1} MB of tape)",
        bytes as f64 / 1e6
    );
    println!("reverse mode, one sweep:      {sweep_time:>12.3?}");
    println!(
        "reverse mode, whole gradient: {reverse_time:>12.3?}  ({:.1} times one f64 evaluation)",
        reverse_time.as_secs_f64() / plain_time.as_secs_f64()
    );
    println!("max relative error against the hand-derived gradient: {reverse_error:.1e}");
    assert!(
        reverse_error < 1e-12,
        "reverse gradient is off by {reverse_error:e}"
    );

    let x_small = point(n_forward);
    let (forward, forward_time) = fastest(3, || {
        adjoint::forward::gradient(|v| rosenbrock(v), black_box(&x_small))
    });
    let (lanes, lanes_time) = fastest(3, || {
        adjoint::forward::gradient_lanes::<8, _>(|v| rosenbrock(v), black_box(&x_small))
    });
    let (reverse_small, reverse_small_time) = fastest(3, || {
        adjoint::gradient(|v| rosenbrock(v), black_box(&x_small))
    });
    let forward_error = max_relative_error(&forward, &reverse_small);
    let lanes_error = max_relative_error(&lanes, &reverse_small);
    assert!(
        forward_error < 1e-12,
        "forward gradient is off by {forward_error:e}"
    );
    assert!(
        lanes_error < 1e-12,
        "lanes gradient is off by {lanes_error:e}"
    );

    println!();
    println!("measured at n = {n_forward}:");
    let sweeps = format!("{n_forward} sweeps of Dual");
    let lane_sweeps = format!("{} sweeps of DualVec<8>", n_forward.div_ceil(8));
    println!("forward mode, {sweeps:<26} {forward_time:>12.3?}");
    println!("forward mode, {lane_sweeps:<26} {lanes_time:>12.3?}");
    println!(
        "reverse mode, {:<26} {reverse_small_time:>12.3?}",
        "one recording and sweep"
    );
    println!(
        "forward and reverse gradients agree to {forward_error:.1e} (lanes {lanes_error:.1e})"
    );

    let scale = (n as f64 / n_forward as f64).powi(2);
    let forward_estimate = forward_time.as_secs_f64() * scale;
    let lanes_estimate = lanes_time.as_secs_f64() * scale;
    println!();
    println!(
        "extrapolated, not run: forward mode at n = {n} would take about {forward_estimate:.1} s \
         with Dual and {lanes_estimate:.1} s with DualVec<8>"
    );
    println!(
        "(the times measured at n = {n_forward} scaled by (n / {n_forward})^2 = {scale:.0}, \
         since it does n sweeps of O(n) work each)"
    );
    println!(
        "reverse mode at n = {n} took {:.4} s: about {:.0} times less",
        reverse_time.as_secs_f64(),
        forward_estimate / reverse_time.as_secs_f64()
    );
}
