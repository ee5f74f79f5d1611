//! Gradient descent with gradients from reverse mode.
//!
//! First the plain loop x ← x − 0.1·∇f(x) for 100 steps on
//! f(x, y) = x² + 3y² from (5, 5), then the same problem with SGD with
//! momentum, Nesterov momentum and Adam from `adjoint::optim`. Last, the
//! Rosenbrock function in 100 dimensions, minimised by argmin's L-BFGS
//! through the `ClosureProblem` adapter of `adjoint::optim::argmin`.
//!
//! Run with `cargo run --release --example gradient_descent`. It takes well
//! under a second, so it has no short mode and ignores `--quick`.

use adjoint::Scalar;
use adjoint::optim::argmin::ClosureProblem;
use adjoint::optim::{Adam, Optimizer, Sgd};
use argmin::core::{Executor, State};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;

/// f(x, y) = x² + 3y², written once for plain `f64` and tape variables.
fn quadratic<S: Scalar>(v: &[S]) -> S {
    v[0] * v[0] + S::from_f64(3.0) * v[1] * v[1]
}

/// The n-dimensional Rosenbrock function Σ (1 − xᵢ)² + 100(xᵢ₊₁ − xᵢ²)²,
/// with its minimum 0 at (1, …, 1).
fn rosenbrock<S: Scalar>(x: &[S]) -> S {
    let one = S::one();
    let hundred = S::from_f64(100.0);
    x.windows(2).fold(S::zero(), |total, pair| {
        let (a, b) = (pair[0], pair[1]);
        total + (one - a) * (one - a) + hundred * (b - a * a) * (b - a * a)
    })
}

fn plain_gradient_descent() {
    let mut x = vec![5.0, 5.0];
    for _ in 0..100 {
        let grads = adjoint::gradient(|v| v[0] * v[0] + 3.0 * v[1] * v[1], &x);
        for (xi, gi) in x.iter_mut().zip(&grads) {
            *xi -= 0.1 * gi;
        }
    }
    println!("x <- x - 0.1 * grad f, 100 steps from (5, 5):");
    println!("  end point ({:.6e}, {:.6e})", x[0], x[1]);
    // Each step multiplies x by 1 - 0.1 * 2 and y by 1 - 0.1 * 6.
    println!(
        "  exact     ({:.6e}, {:.6e}) = (5 * 0.8^100, 5 * 0.4^100)",
        5.0 * 0.8_f64.powi(100),
        5.0 * 0.4_f64.powi(100)
    );
}

fn optimizers_on_quadratic() {
    let optimizers: Vec<(&str, Box<dyn Optimizer>)> = vec![
        (
            "SGD, lr 0.1, momentum 0.5",
            Box::new(Sgd::new(0.1).momentum(0.5)),
        ),
        (
            "SGD, lr 0.1, momentum 0.9",
            Box::new(Sgd::new(0.1).momentum(0.9)),
        ),
        (
            "SGD, lr 0.1, Nesterov momentum 0.9",
            Box::new(Sgd::new(0.1).momentum(0.9).nesterov(true)),
        ),
        ("Adam, lr 0.5", Box::new(Adam::new(0.5))),
    ];
    println!("\nThe same problem, 100 steps of each optimizer:");
    for (name, mut optimizer) in optimizers {
        let mut params = vec![5.0, 5.0];
        for _ in 0..100 {
            let grads = adjoint::gradient(|v| quadratic(v), &params);
            optimizer.step(&mut params, &grads);
        }
        println!(
            "  {name:<36} end point ({:+.3e}, {:+.3e}), f = {:.3e}",
            params[0],
            params[1],
            quadratic(&params)
        );
    }
}

fn lbfgs_on_rosenbrock() -> Result<(), argmin::core::Error> {
    let dimension = 100;
    let start: Vec<f64> = (0..dimension)
        .map(|i| if i % 2 == 0 { -1.2 } else { 1.0 })
        .collect();
    let problem = ClosureProblem::new(
        |x: &[f64]| rosenbrock(x),
        |x: &[f64]| adjoint::gradient(|v| rosenbrock(v), x),
    );
    let solver = LBFGS::new(MoreThuenteLineSearch::new(), 7);
    let result = Executor::new(problem, solver)
        .configure(|state| state.param(start).max_iters(1000))
        .run()?;

    let state = result.state();
    let best = state
        .get_best_param()
        .expect("L-BFGS records a best parameter vector after its first iteration");
    let max_error = best.iter().map(|x| (x - 1.0).abs()).fold(0.0, f64::max);
    println!("\nRosenbrock in {dimension} dimensions, argmin L-BFGS (memory 7, More-Thuente):");
    println!("  iterations        {}", state.get_iter());
    println!("  best cost         {:.3e}", state.get_best_cost());
    println!("  max |x_i - 1|     {max_error:.3e}");
    if let Some(reason) = state.get_termination_reason() {
        println!("  stopped because   {reason}");
    }
    Ok(())
}

fn main() -> Result<(), argmin::core::Error> {
    plain_gradient_descent();
    optimizers_on_quadratic();
    lbfgs_on_rosenbrock()
}
