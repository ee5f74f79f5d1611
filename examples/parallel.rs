//! Per-sample gradients in parallel: the gradient of a least-squares loss
//! over many samples, each recorded on the tape of the rayon worker that
//! takes it, summed in a fixed order.
//!
//! A tape is `Send` but not `Sync`, and variables borrow their tape, so
//! threads never share one: `par_gradient_sum` gives each worker its own
//! tape and adds the per-chunk sums in chunk order. The result is the same
//! bit for bit as the sequential `gradient_sum`, whatever the number of
//! threads, which this example checks and times.
//!
//! Run with `cargo run --release --example parallel`; `--quick` (or
//! `ADJOINT_QUICK=1`) uses 20,000 samples instead of 400,000.

use std::time::Instant;

use adjoint::{Var, gradient_sum, par_gradient_sum};

/// Squared error of the model `a·sin(x) + b·x + c` at one sample `(x, y)`.
fn squared_error<'t>(params: &[Var<'t>], sample: &(f64, f64)) -> Var<'t> {
    let (x, y) = *sample;
    let prediction = params[0] * x.sin() + params[1] * x + params[2];
    let residual = prediction - y;
    residual * residual
}

fn main() {
    let quick =
        std::env::args().any(|arg| arg == "--quick") || std::env::var_os("ADJOINT_QUICK").is_some();
    let count = if quick { 20_000 } else { 400_000 };
    let samples: Vec<(f64, f64)> = (0..count)
        .map(|i| {
            let x = f64::from(i) / f64::from(count) * 10.0;
            (x, 1.5 * x.sin() - 0.3 * x + 2.0 + 0.1 * (7.0 * x).cos())
        })
        .collect();
    let params = [1.0, 0.0, 0.0];

    let start = Instant::now();
    let (loss, gradient) = gradient_sum(&params, &samples, squared_error);
    let sequential_time = start.elapsed();

    let start = Instant::now();
    let (par_loss, par_gradient) = par_gradient_sum(&params, &samples, squared_error);
    let parallel_time = start.elapsed();

    println!(
        "{count} samples on {} threads",
        rayon::current_num_threads()
    );
    println!("loss {loss:.6}, gradient {gradient:?}");
    println!(
        "sequential {:.1} ms, parallel {:.1} ms",
        sequential_time.as_secs_f64() * 1e3,
        parallel_time.as_secs_f64() * 1e3
    );
    assert_eq!((loss, &gradient), (par_loss, &par_gradient));
    println!("the parallel sum equals the sequential one bit for bit");
}
