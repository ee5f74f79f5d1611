//! adjoint: reverse-mode automatic differentiation for Rust.
//!
//! This facade re-exports the three crates of the workspace as one API:
//! the engine [`adjoint_tape`] (tape, elementary functions, forward mode,
//! finite differences) at the top level, the optimizers of
//! [`adjoint_optim`] as [`optim`], and the tensor nodes of
//! [`adjoint_ndarray`] as [`tensor`].
//!
//! ```
//! use adjoint::{Tape, Var};
//!
//! let tape = Tape::new();
//! let x = tape.var(1.0);
//! let y = tape.var(1.0);
//! let f = x * x + 3.0 * y * y;
//! let grads = f.gradient();
//! assert_eq!(f.value(), 4.0);
//! assert_eq!(grads.wrt(x), 2.0);
//! assert_eq!(grads.wrt(y), 6.0);
//!
//! let g: Vec<f64> = adjoint::gradient(|v| v[0] * v[0] + 3.0 * v[1] * v[1], &[1.0, 1.0]);
//! assert_eq!(g, vec![2.0, 6.0]);
//! let (value, g): (f64, Vec<f64>) =
//!     adjoint::value_and_gradient(|v| v[0].sin() * v[1], &[0.5, 2.0]);
//! assert_eq!(value, 0.5_f64.sin() * 2.0);
//! assert_eq!(g, vec![0.5_f64.cos() * 2.0, 0.5_f64.sin()]);
//! // Row i holds the gradient of output i (m sweeps over one recording).
//! let j: Vec<Vec<f64>> = adjoint::jacobian(|v| vec![v[0] * v[1], v[0].exp()], &[1.0, 2.0]);
//! assert_eq!(j, vec![vec![2.0, 1.0], vec![1.0_f64.exp(), 0.0]]);
//! let h: Vec<Vec<f64>> = adjoint::hessian(|v| v[0] * v[0] * v[1], &[1.0, 2.0]);
//! assert_eq!(h, vec![vec![4.0, 2.0], vec![2.0, 0.0]]);
//! let hv: Vec<f64> =
//!     adjoint::hessian_vector_product(|v| v[0] * v[0] * v[1], &[1.0, 2.0], &[1.0, 0.0]);
//! assert_eq!(hv, vec![4.0, 2.0]);
//!
//! // Forward mode: one sweep per input direction.
//! let g: Vec<f64> = adjoint::forward::gradient(|v| v[0] * v[0] + 3.0 * v[1] * v[1], &[1.0, 1.0]);
//! assert_eq!(g, vec![2.0, 6.0]);
//! let j: Vec<Vec<f64>> = adjoint::forward::jacobian(|v| vec![v[0] * v[1], v[0].exp()], &[1.0, 2.0]);
//! assert_eq!(j, vec![vec![2.0, 1.0], vec![1.0_f64.exp(), 0.0]]);
//! let d: f64 = adjoint::forward::derivative(|t| t.sin() * t, 0.5);
//! assert_eq!(d, 0.5_f64.cos() * 0.5 + 0.5_f64.sin());
//!
//! // Central finite differences on plain f64 functions.
//! let g: Vec<f64> =
//!     adjoint::finite_diff::gradient(|v: &[f64]| v[0] * v[0] + 3.0 * v[1] * v[1], &[1.0, 1.0]);
//! assert!((g[0] - 2.0).abs() < 1e-8 && (g[1] - 6.0).abs() < 1e-8);
//!
//! // Optimizers update flat slices of parameters in place, with the update
//! // rules that torch.optim.SGD and torch.optim.Adam document, step for step.
//! use adjoint::optim::{Adam, Optimizer, Sgd};
//! let mut params = vec![5.0, 5.0];
//! let mut sgd = Sgd::new(0.1).momentum(0.9).dampening(0.0).nesterov(true).weight_decay(1e-4);
//! let grads = adjoint::gradient(|v| v[0] * v[0] + 3.0 * v[1] * v[1], &params);
//! sgd.step(&mut params, &grads);
//! // Nesterov's first step: g = ∇f + 1e-4 p, buffer = g, update g + 0.9 g.
//! assert!((params[0] - (5.0 - 0.1 * 1.9 * (10.0 + 5e-4))).abs() < 1e-12);
//! let mut adam = Adam::new(1e-3);
//! adam.step(&mut params, &grads);
//! fn train(mut opt: impl Optimizer, params: &mut [f64], grads: &[f64]) {
//!     opt.step(params, grads); // `impl Optimizer` with its default type parameters means f64
//! }
//! train(Sgd::new(0.1), &mut params, &grads);
//! # let _unused: Option<Var> = None;
//! ```

#![deny(missing_docs)]

pub use adjoint_ndarray as tensor;
pub use adjoint_optim as optim;
pub use adjoint_tape::*;

/// The Rust examples of the user guide, README and the other documents,
/// compiled and run as doc tests so that they stay true.
#[cfg(doctest)]
mod documents {
    #[doc = include_str!("../README.md")]
    struct Readme;

    #[doc = include_str!("../docs/guide.md")]
    struct Guide;

    #[doc = include_str!("../docs/debugging.md")]
    struct Debugging;

    #[doc = include_str!("../docs/modes.md")]
    struct Modes;
}
