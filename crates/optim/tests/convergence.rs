//! Convergence on f(x, y) = x² + 3y² and on Rosenbrock's function, with
//! the gradient computed by hand at each step.

use adjoint_optim::{Adagrad, Adam, AdamW, Optimizer, RmsProp, Sgd};
use approx::assert_relative_eq;

fn quadratic_gradient(p: &[f64]) -> [f64; 2] {
    [2.0 * p[0], 6.0 * p[1]]
}

/// Rosenbrock's function (1 − x)² + 100(y − x²)² and its gradient.
fn rosenbrock(p: &[f64]) -> (f64, [f64; 2]) {
    let residual = p[1] - p[0] * p[0];
    let value = (1.0 - p[0]).powi(2) + 100.0 * residual * residual;
    let gradient = [
        -2.0 * (1.0 - p[0]) - 400.0 * p[0] * residual,
        200.0 * residual,
    ];
    (value, gradient)
}

/// Minimises x² + 3y² from (5, 5) for `steps` steps.
fn minimise_quadratic(optimizer: &mut dyn Optimizer, steps: usize) -> Vec<f64> {
    let mut params = vec![5.0, 5.0];
    for _ in 0..steps {
        let grads = quadratic_gradient(&params);
        optimizer.step(&mut params, &grads);
    }
    params
}

/// Minimises Rosenbrock's function from (-1.2, 1) for `steps` steps.
fn minimise_rosenbrock(optimizer: &mut dyn Optimizer, steps: usize) -> Vec<f64> {
    let mut params = vec![-1.2, 1.0];
    for _ in 0..steps {
        let (_, grads) = rosenbrock(&params);
        optimizer.step(&mut params, &grads);
    }
    params
}

#[test]
fn gradient_descent_quadratic_exact() {
    // θ ← θ - 0.1 * (2x, 6y) multiplies x by 0.8 and y by 0.4 each step, so
    // after 100 steps x = 5 * 0.8^100 ≈ 1.0185e-9 and y = 5 * 0.4^100 ≈ 8.0e-40.
    let params = minimise_quadratic(&mut Sgd::new(0.1), 100);
    assert_relative_eq!(params[0], 5.0 * 0.8_f64.powi(100), max_relative = 1e-12);
    assert_relative_eq!(params[1], 5.0 * 0.4_f64.powi(100), max_relative = 1e-12);
    assert!(params[0].abs() < 1e-6);
    assert!(params[1].abs() < 1e-6);
}

#[test]
fn momentum_methods_quadratic() {
    let cases: Vec<(&str, Box<dyn Optimizer>, usize, f64)> = vec![
        (
            "momentum 0.5",
            Box::new(Sgd::new(0.1).momentum(0.5)),
            100,
            1e-12,
        ),
        (
            "momentum 0.9",
            Box::new(Sgd::new(0.1).momentum(0.9)),
            300,
            1e-5,
        ),
        (
            "nesterov 0.9",
            Box::new(Sgd::new(0.1).momentum(0.9).nesterov(true)),
            200,
            1e-12,
        ),
        ("adam", Box::new(Adam::new(0.5)), 300, 1e-5),
        ("adagrad", Box::new(Adagrad::new(1.0)), 200, 1e-8),
    ];
    for (name, mut optimizer, steps, tolerance) in cases {
        let params = minimise_quadratic(optimizer.as_mut(), steps);
        assert!(
            params.iter().all(|p| p.abs() < tolerance),
            "{name} after {steps} steps: {params:?}"
        );
    }
}

#[test]
fn rosenbrock_converges() {
    let cases: Vec<(&str, Box<dyn Optimizer>, usize, f64)> = vec![
        (
            "momentum",
            Box::new(Sgd::new(1e-3).momentum(0.9)),
            8000,
            1e-10,
        ),
        (
            "nesterov",
            Box::new(Sgd::new(1e-3).momentum(0.9).nesterov(true)),
            8000,
            1e-10,
        ),
        ("adam", Box::new(Adam::new(2e-2)), 5000, 1e-8),
        (
            "adamw",
            Box::new(AdamW::new(2e-2).weight_decay(0.0)),
            5000,
            1e-8,
        ),
        ("adagrad", Box::new(Adagrad::new(0.5)), 10_000, 1e-3),
    ];
    for (name, mut optimizer, steps, tolerance) in cases {
        let params = minimise_rosenbrock(optimizer.as_mut(), steps);
        assert!(
            params.iter().all(|p| (p - 1.0).abs() < tolerance),
            "{name} after {steps} steps: {params:?}"
        );
    }
}

#[test]
fn rmsprop_rosenbrock_reaches_valley_floor() {
    // RMSprop's step stays near γ in size, so it hovers around the minimum
    // instead of settling on it.
    let params = minimise_rosenbrock(&mut RmsProp::new(1e-3), 10_000);
    let (value, _) = rosenbrock(&params);
    assert!(value < 1e-3, "f = {value} at {params:?}");
}

#[test]
fn rosenbrock_gradient_matches_finite_differences() {
    // The hand-written gradient drives the tests above, so check it.
    let point = [-1.2, 1.0];
    let (_, gradient) = rosenbrock(&point);
    let h = 1e-6;
    for i in 0..2 {
        let mut plus = point;
        let mut minus = point;
        plus[i] += h;
        minus[i] -= h;
        let central = (rosenbrock(&plus).0 - rosenbrock(&minus).0) / (2.0 * h);
        assert_relative_eq!(gradient[i], central, max_relative = 1e-7);
    }
}
