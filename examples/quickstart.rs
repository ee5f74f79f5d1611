//! A first gradient: f(x, y) = x² + 3y² at (1, 1) by one reverse sweep,
//! with central finite differences beside it, then 100 steps of gradient
//! descent from (5, 5).
//!
//! Run with `cargo run --example quickstart`. It runs instantly and ignores
//! `--quick`.

use adjoint::{Tape, finite_diff};

fn main() {
    // Record f once on a tape and sweep back from its output.
    let tape = Tape::new();
    let x = tape.var(1.0);
    let y = tape.var(1.0);
    let f = x * x + 3.0 * y * y;
    let grads = f.gradient();
    println!("f(1, 1) = {}", f.value());
    println!(
        "reverse mode:        df/dx = {}, df/dy = {}",
        grads.wrt(x),
        grads.wrt(y)
    );

    // The same derivative from two evaluations per input of plain f64 code.
    let fd = finite_diff::gradient(|v: &[f64]| v[0] * v[0] + 3.0 * v[1] * v[1], &[1.0, 1.0]);
    println!("finite differences:  df/dx = {}, df/dy = {}", fd[0], fd[1]);

    // check_gradient compares the two for a function written once over
    // tape variables.
    let check = finite_diff::check_gradient(|v| v[0] * v[0] + 3.0 * v[1] * v[1], &[1.0, 1.0], 1e-6);
    println!("{check}");

    // Gradient descent x ← x − 0.1 ∇f(x). Each step records the function
    // again, on a cleared tape that adjoint::gradient keeps per thread.
    let mut point = vec![5.0, 5.0];
    for _ in 0..100 {
        let g = adjoint::gradient(|v| v[0] * v[0] + 3.0 * v[1] * v[1], &point);
        for (p, g) in point.iter_mut().zip(&g) {
            *p -= 0.1 * g;
        }
    }
    println!(
        "gradient descent from (5, 5), step 0.1, 100 steps: ({:.3e}, {:.3e})",
        point[0], point[1]
    );
}
