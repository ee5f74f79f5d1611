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
//! # let _unused: Option<Var> = None;
//! ```

#![deny(missing_docs)]

pub use adjoint_ndarray as tensor;
pub use adjoint_optim as optim;
pub use adjoint_tape::*;
