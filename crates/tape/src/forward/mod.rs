//! Forward mode: dual numbers that carry derivatives along with values.
//!
//! A [`Dual`] is `value + tangent·ε` with `ε² = 0`. Running a function on
//! dual numbers computes its value and its derivative along the seeded
//! direction in the same sweep, with no tape. Each operation applies the
//! derivative rule ([`rules`](crate::rules)) that the tape records, so
//! forward and reverse mode agree at the awkward points too. A
//! [`DualVec`] carries `N` tangents, for `N` directions in one sweep.
//!
//! # Which mode
//!
//! A function of `n` inputs and `m` outputs has an `m × n` Jacobian.
//! Forward mode gets one column per sweep (`n` sweeps), reverse mode one
//! row per sweep (`m` sweeps, after one recording that stores every
//! operation). So the gradient of a scalar function of many inputs is
//! reverse mode's ([`gradient`](crate::gradient)), and the Jacobian of a
//! function with few inputs and many outputs is forward mode's
//! ([`jacobian`]). Forward mode also needs no memory beyond the numbers
//! themselves, and [`jvp`] gives a directional derivative in one sweep.
//!
//! ```
//! use adjoint_tape::forward;
//!
//! let g: Vec<f64> = forward::gradient(|v| v[0] * v[0] + 3.0 * v[1] * v[1], &[1.0, 1.0]);
//! assert_eq!(g, vec![2.0, 6.0]);
//! let j: Vec<Vec<f64>> = forward::jacobian(|v| vec![v[0] * v[1], v[0].exp()], &[1.0, 2.0]);
//! assert_eq!(j, vec![vec![2.0, 1.0], vec![1.0_f64.exp(), 0.0]]);
//! let d: f64 = forward::derivative(|t| t.sin() * t, 0.5);
//! assert_eq!(d, 0.5_f64.cos() * 0.5 + 0.5_f64.sin());
//! ```
//!
//! # One function, every mode
//!
//! `Dual` and `DualVec` implement [`num_traits::Float`], so a function
//! written once over [`Scalar`](crate::Scalar) runs as `f64`, in forward
//! mode and on the tape:
//!
//! ```
//! use adjoint_tape::{Scalar, forward};
//!
//! fn f<S: Scalar>(x: &[S]) -> S {
//!     x[0] * x[1].exp() - S::from_f64(2.0) * x[1]
//! }
//!
//! assert_eq!(f(&[1.0, 0.0]), 1.0);
//! let forward = forward::gradient(|v| f(v), &[1.0, 0.0]);
//! let reverse = adjoint_tape::gradient(|v| f(v), &[1.0, 0.0]);
//! assert_eq!(forward, vec![1.0, -1.0]);
//! assert_eq!(forward, reverse);
//! ```
//!
//! # Nesting
//!
//! Dual numbers over dual numbers give higher derivatives: the functions
//! here are generic over their base type ([`Coefficient`]), so they nest,
//! and [`second_derivative`] does the common case. A tape over dual numbers
//! gives Hessian-vector products in one sweep (forward over reverse, see
//! [`hessian_vector_product`](crate::hessian_vector_product)).
//!
//! Nesting cannot confuse the perturbations of two levels. Each function
//! here calls its closure with numbers of a fresh lifetime brand, so a
//! number of the outer level enters an inner closure only as a constant of
//! the inner level's base type, and code that would mix two levels as if
//! they were one does not compile (see [`derivative`]).
//!
//! # Constants
//!
//! `x op c` works for a constant `c` of the base type (`f64` for
//! `Dual<f64>`) and `c op x` for an `f64` constant at any depth. In nested
//! code write `f64` constants on the left (`3.0 * x`) or through
//! `S::from_f64`.

#[macro_use]
mod arith;
#[macro_use]
mod elementary;
#[macro_use]
mod num_impls;

mod api;
mod coefficient;
mod dual;
mod dual_vec;

pub use api::{derivative, gradient, gradient_lanes, jacobian, jvp, second_derivative};
pub use coefficient::Coefficient;
pub use dual::Dual;
pub use dual_vec::DualVec;
