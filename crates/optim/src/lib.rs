//! Optimizers that update a flat slice of parameters in place from a slice
//! of gradients, with the update rules that PyTorch's `torch.optim`
//! documents, step for step.
//!
//! The crate does not compute gradients: any `&[T]` of gradients works, from reverse mode, forward mode, finite differences or
//! a formula. Every optimizer works for `f32` and `f64` (any
//! [`num_traits::Float`]), and `f64` is the default type parameter.
//!
//! # A training loop
//!
//! Minimise f(x, y) = x² + 3y² from (5, 5). Each step computes the gradient
//! (2x, 6y) and hands it to the optimizer, which owns its state:
//!
//! ```
//! use adjoint_optim::{Optimizer, Sgd};
//!
//! let mut params = vec![5.0_f64, 5.0];
//! let mut sgd = Sgd::new(0.1);
//! for _ in 0..100 {
//!     let grads = [2.0 * params[0], 6.0 * params[1]];
//!     sgd.step(&mut params, &grads);
//! }
//! // Each step multiplies x by 1 - 0.1 * 2 = 0.8 and y by 1 - 0.1 * 6 = 0.4.
//! assert!((params[0] - 5.0 * 0.8_f64.powi(100)).abs() < 1e-20);
//! assert!(params[0].abs() < 1e-8 && params[1].abs() < 1e-30);
//! ```
//!
//! Each optimizer is built by chained methods that check each value as it is
//! set and panic on a bad one, or from a config struct whose `build` returns
//! a `Result`:
//!
//! ```
//! use adjoint_optim::{Adam, AdamConfig, Optimizer, Sgd};
//!
//! let sgd = Sgd::new(0.1).momentum(0.9).nesterov(true).weight_decay(1e-4);
//! let adam = AdamConfig { lr: 0.01, amsgrad: true, ..AdamConfig::default() }.build()?;
//! assert_eq!(sgd.learning_rate(), 0.1);
//! assert_eq!(adam.config().betas, (0.9, 0.999));
//! # Ok::<(), adjoint_optim::Error>(())
//! ```
//!
//! # Optimizers and their defaults
//!
//! The defaults are PyTorch's documented ones; each config's `Default` has
//! them, and `new(lr)` takes the learning rate and keeps the rest.
//!
//! | optimizer | PyTorch class | defaults |
//! |---|---|---|
//! | [`Sgd`] | `torch.optim.SGD` | lr 1e-3, momentum 0, dampening 0, weight_decay 0, nesterov false, maximize false |
//! | [`Adam`] | `torch.optim.Adam` | lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0, amsgrad false, maximize false |
//! | [`AdamW`] | `torch.optim.AdamW` | lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 1e-2, amsgrad false, maximize false |
//! | [`RmsProp`] | `torch.optim.RMSprop` | lr 1e-2, alpha 0.99, eps 1e-8, weight_decay 0, momentum 0, centered false, maximize false |
//! | [`Adagrad`] | `torch.optim.Adagrad` | lr 1e-2, lr_decay 0, weight_decay 0, initial_accumulator_value 0, eps 1e-10, maximize false |
//!
//! `maximize` negates the gradient before the weight decay is added, as
//! PyTorch's implementation does, so the decay still pulls parameters
//! toward 0.
//!
//! # Valid hyperparameters
//!
//! Learning rates must be positive and finite when an optimizer is built
//! (a schedule may later set 0), momentum and the betas lie in [0, 1),
//! weight decay is non-negative and finite, and eps is positive and finite.
//! A bad value panics in the chained methods, or is an
//! [`Error::InvalidHyperparameter`] from `build`, naming the value. SGD's
//! Nesterov momentum needs momentum above 0 and dampening 0; because the
//! chained calls may come in any order, that combination is checked at each
//! step.
//!
//! # Steps
//!
//! [`Optimizer::step`] panics, and [`Optimizer::try_step`] returns an error,
//! when the two slices differ in length or the length differs from the first
//! step's; in both cases the parameters and the state are left untouched.
//! The state is sized at the first step, so later steps allocate nothing.
//! [`Optimizer::reset`] forgets the state.
//!
//! # Schedules and clipping
//!
//! The [`schedule`] module has step decay, exponential decay, cosine
//! annealing and linear warm-up, each usable with any optimizer through
//! [`Optimizer::set_learning_rate`]. [`clip_grad_norm`] and
//! [`clip_grad_value`] clip gradients before a step:
//!
//! ```
//! use adjoint_optim::schedule::{CosineAnnealingLr, LrScheduler};
//! use adjoint_optim::{clip_grad_norm, Adam, Optimizer};
//!
//! let schedule = CosineAnnealingLr::new(1.0, 0.0, 100);
//! let mut adam = Adam::new(1.0);
//! let mut params = vec![5.0_f64, 5.0];
//! for step in 0..100 {
//!     schedule.apply(&mut adam, step);
//!     let mut grads = vec![2.0 * params[0], 6.0 * params[1]];
//!     clip_grad_norm(&mut grads, 10.0);
//!     adam.step(&mut params, &grads);
//! }
//! assert!(params[0].abs() < 0.1 && params[1].abs() < 0.1);
//! ```
//!
//! # argmin
//!
//! With the `argmin` feature, `argmin::ClosureProblem`
//! runs argmin 0.11's solvers (L-BFGS, nonlinear conjugate gradient, line
//! searches) on a cost closure and a gradient closure.

#![deny(missing_docs)]

mod adagrad;
mod adam;
mod adamw;
mod clip;
mod error;
mod optimizer;
mod rmsprop;
pub mod schedule;
mod sgd;
mod state;

#[cfg(feature = "argmin")]
pub mod argmin;

pub use adagrad::{Adagrad, AdagradConfig};
pub use adam::{Adam, AdamConfig};
pub use adamw::{AdamW, AdamWConfig};
pub use clip::{clip_grad_norm, clip_grad_value, try_clip_grad_norm, try_clip_grad_value};
pub use error::Error;
pub use optimizer::Optimizer;
pub use rmsprop::{RmsProp, RmsPropConfig};
pub use sgd::{Sgd, SgdConfig};
