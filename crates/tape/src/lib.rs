//! The engine of adjoint: a reverse-mode tape, the elementary functions of
//! `f64` on it, and the convenience functions built on one reverse sweep.
//!
//! # A first gradient
//!
//! A [`Tape`] records every elementary operation that runs on its variables
//! ([`Var`]). One reverse sweep from an output then gives the derivative of
//! that output with respect to every variable at once:
//!
//! ```
//! use adjoint_tape::Tape;
//!
//! let tape = Tape::new();
//! let x = tape.var(1.0);
//! let y = tape.var(1.0);
//! let f = x * x + 3.0 * y * y; // f(x, y) = x² + 3y²
//! let grads = f.gradient();
//! assert_eq!(f.value(), 4.0);
//! assert_eq!((grads.wrt(x), grads.wrt(y)), (2.0, 6.0));
//! ```
//!
//! # One function, every mode
//!
//! `Var` implements [`num_traits::Float`], so a function written once over
//! [`Scalar`] (which is `Float` plus a constant constructor) runs as plain
//! `f64` and on the tape:
//!
//! ```
//! use adjoint_tape::{Scalar, Tape};
//!
//! fn norm_squared<S: Scalar>(x: &[S]) -> S {
//!     x.iter().fold(S::zero(), |acc, &v| acc + v * v)
//! }
//!
//! assert_eq!(norm_squared(&[3.0, 4.0]), 25.0);
//! let g = adjoint_tape::gradient(|v| norm_squared(v), &[3.0, 4.0]);
//! assert_eq!(g, vec![6.0, 8.0]);
//! ```
//!
//! # Cost
//!
//! The tape stores the linearized Jacobian: each operation records its
//! local partial derivatives when it runs. A node costs 4 bytes and each of
//! its operands 4 bytes of index plus one `T` (12 bytes for `f64`). The
//! reverse sweep is a loop over the nodes from the output down, never
//! recursion, so chains of millions of operations are fine; its adjoint
//! buffer is reused from one sweep to the next.
//!
//! # Conventions
//!
//! Derivatives follow IEEE arithmetic and PyTorch's and JAX's conventions at
//! the awkward points: `abs'(0) = 0`, ties of `max`/`min` split the adjoint,
//! `sqrt'(0) = +inf`, and each function's documentation states its own.
//! A node whose adjoint is exactly zero passes nothing on (the zero-adjoint
//! rule), so a NaN on a branch the output does not use stays out of the
//! gradient.

#![deny(missing_docs)]

pub mod anomaly;
mod api;
mod custom;
mod custom_vjp;
mod error;
pub mod finite_diff;
mod float_impl;
pub mod forward;
pub mod gradcheck;
mod gradients;
mod inspect;
mod norm;
pub mod ops;
pub mod parallel;
mod preaccumulate;
mod real;
pub mod rules;
mod second_order;
mod select;
mod sweep;
mod tape;
mod var;

pub use anomaly::gradient_checked;
pub use api::{gradient, jacobian, value_and_gradient, vjp};
pub use custom::CustomOp;
pub use custom_vjp::custom_vjp;
pub use error::{Error, Operand, Quantity};
pub use gradients::Gradients;
pub use inspect::TapeStats;
pub use norm::norm;
pub use num_traits::Float;
pub use ops::nary::{dot, log_sum_exp, product, sum};
pub use parallel::gradient_sum;
#[cfg(feature = "rayon")]
pub use parallel::par_gradient_sum;
pub use preaccumulate::preaccumulate;
pub use real::{Real, Scalar};
pub use second_order::{hessian, hessian_vector_product};
pub use select::select;
pub use tape::Tape;
pub use var::Var;
