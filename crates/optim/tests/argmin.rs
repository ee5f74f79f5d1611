//! argmin 0.11's solvers on closures through `ClosureProblem` (run with
//! `--features argmin`).

#![cfg(feature = "argmin")]

use adjoint_optim::argmin::ClosureProblem;
use argmin::core::{CostFunction, Executor, Gradient, State};
use argmin::solver::conjugategradient::{NonlinearConjugateGradient, beta::PolakRibiere};
use argmin::solver::linesearch::{HagerZhangLineSearch, MoreThuenteLineSearch};
use argmin::solver::quasinewton::LBFGS;

/// The n-dimensional Rosenbrock function Σ (1 − xᵢ)² + 100(xᵢ₊₁ − xᵢ²)².
fn rosenbrock(x: &[f64]) -> f64 {
    x.windows(2)
        .map(|w| (1.0 - w[0]).powi(2) + 100.0 * (w[1] - w[0] * w[0]).powi(2))
        .sum()
}

fn rosenbrock_gradient(x: &[f64]) -> Vec<f64> {
    let mut gradient = vec![0.0; x.len()];
    for i in 0..x.len() - 1 {
        let residual = x[i + 1] - x[i] * x[i];
        gradient[i] += -2.0 * (1.0 - x[i]) - 400.0 * x[i] * residual;
        gradient[i + 1] += 200.0 * residual;
    }
    gradient
}

#[test]
fn gradient_matches_finite_differences() {
    let x: Vec<f64> = (0..6).map(|i| -1.0 + 0.4 * i as f64).collect();
    let gradient = rosenbrock_gradient(&x);
    let h = 1e-6;
    for i in 0..x.len() {
        let mut plus = x.clone();
        let mut minus = x.clone();
        plus[i] += h;
        minus[i] -= h;
        let central = (rosenbrock(&plus) - rosenbrock(&minus)) / (2.0 * h);
        assert!(
            (gradient[i] - central).abs() <= 1e-6 * central.abs().max(1.0),
            "component {i}: {} vs {central}",
            gradient[i]
        );
    }
}

#[test]
fn problem_forwards_closures() {
    let problem = ClosureProblem::new(rosenbrock, rosenbrock_gradient);
    let x = vec![0.5, -0.5, 2.0];
    assert_eq!(problem.cost(&x).unwrap(), rosenbrock(&x));
    assert_eq!(problem.gradient(&x).unwrap(), rosenbrock_gradient(&x));
}

#[test]
fn lbfgs_solves_rosenbrock_in_20_dimensions() {
    let problem = ClosureProblem::new(rosenbrock, rosenbrock_gradient);
    let start: Vec<f64> = (0..20)
        .map(|i| if i % 2 == 0 { -1.2 } else { 1.0 })
        .collect();
    let solver = LBFGS::new(MoreThuenteLineSearch::new(), 7);
    let result = Executor::new(problem, solver)
        .configure(|state| state.param(start).max_iters(500))
        .run()
        .unwrap();
    let state = result.state();
    let best = state.get_best_param().unwrap();
    assert!(
        state.get_best_cost() < 1e-12,
        "cost {}",
        state.get_best_cost()
    );
    assert!(best.iter().all(|x| (x - 1.0).abs() < 1e-6), "{best:?}");
}

#[test]
fn conjugate_gradient_solves_quadratic() {
    let problem = ClosureProblem::new(
        |x: &[f64]| x[0] * x[0] + 3.0 * x[1] * x[1],
        |x: &[f64]| vec![2.0 * x[0], 6.0 * x[1]],
    );
    let solver = NonlinearConjugateGradient::new(HagerZhangLineSearch::new(), PolakRibiere::new());
    let result = Executor::new(problem, solver)
        .configure(|state| state.param(vec![5.0, 5.0]).max_iters(50).target_cost(1e-16))
        .run()
        .unwrap();
    let best = result.state().get_best_param().unwrap();
    assert!(best.iter().all(|x| x.abs() < 1e-6), "{best:?}");
}

#[test]
fn wrong_gradient_length_is_error() {
    let problem = ClosureProblem::new(|x: &[f64]| x[0] * x[0], |_: &[f64]| vec![1.0, 2.0, 3.0]);
    let error = problem.gradient(&vec![1.0]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "parameter and gradient slices differ in length (params: 1, grads: 3); \
         pass one gradient per parameter"
    );

    let solver = LBFGS::new(MoreThuenteLineSearch::new(), 5);
    let outcome = Executor::new(problem, solver)
        .configure(|state| state.param(vec![1.0]).max_iters(10))
        .run();
    assert!(outcome.is_err());
}
