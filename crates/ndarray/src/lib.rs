//! Tensor-valued nodes on the adjoint tape: n-dimensional `f64` arrays
//! whose elements are nodes of the same [`Tape`](adjoint_tape::Tape) as
//! scalar [`Var`](adjoint_tape::Var)s, with their operations, losses,
//! layers and the glue from parameters to the optimizers of
//! `adjoint-optim`.
//!
//! # Tensors on a tape
//!
//! A [`Tensor`] records one node per element (row-major order), and each
//! operation is one custom node whose vector-Jacobian product works on
//! whole arrays. Reducing a tensor gives a scalar `Var`, and a reverse
//! sweep from it reads back the adjoint of every tensor:
//!
//! ```
//! use adjoint_ndarray::{Tensor, TensorGradients};
//! use adjoint_tape::Tape;
//! use ndarray::array;
//!
//! let tape = Tape::new();
//! let a = Tensor::var(&tape, array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
//! let b = Tensor::var(&tape, array![[10.0, 20.0, 30.0]]); // broadcast over rows
//! let loss = (&a + &b).powi(2).sum();
//! let grads = loss.gradient();
//! assert_eq!(grads.wrt_tensor(&b), array![[50.0, 94.0, 138.0]].into_dyn());
//! ```
//!
//! Scalars and tensors mix: `tensor * var` scales by a scalar variable,
//! [`Tensor::from_vars`] builds a tensor from variables and
//! [`Tensor::get`] reads one element as a variable.
//!
//! For a function of arrays, [`gradient`] records it on a fresh tape:
//!
//! ```
//! use ndarray::array;
//!
//! let x = array![[1.0, 2.0], [3.0, 4.0]];
//! let g = adjoint_ndarray::gradient(|v| v[0].matmul(&v[0].t()).sum(), &[x]);
//! assert_eq!(g[0], array![[8.0, 12.0], [8.0, 12.0]]);
//! ```
//!
//! # Fitting a linear model
//!
//! Parameters live in a [`ParamSet`], one flat vector that an optimizer
//! updates in place. Each step clears the tape, binds the parameters to it
//! as input tensors, records the loss and sweeps back:
//!
//! ```
//! use adjoint_ndarray::{Init, Linear, ParamSet, Tensor, loss};
//! use adjoint_optim::Adam;
//! use adjoint_tape::Tape;
//! use ndarray::{Array2, Axis};
//! use rand::SeedableRng;
//!
//! // y = 3 x₀ - 2 x₁ + 1 on a 5 × 4 grid of points.
//! let x = Array2::from_shape_fn((20, 2), |(i, j)| if j == 0 { (i % 5) as f64 } else { (i / 5) as f64 });
//! let y = x.map_axis(Axis(1), |row| 3.0 * row[0] - 2.0 * row[1] + 1.0).insert_axis(Axis(1));
//! let (x, y) = (Tensor::constant(x), Tensor::constant(y));
//!
//! let mut params = ParamSet::new();
//! let mut rng = rand::rngs::StdRng::seed_from_u64(0);
//! let model = Linear::new(&mut params, "linear", 2, 1, Init::Zeros, &mut rng)?;
//! let mut adam = Adam::new(0.1);
//! let mut tape = Tape::new();
//! for _ in 0..2000 {
//!     tape.clear();
//!     let bound = params.bind(&tape);
//!     let prediction = model.forward(&bound, &x);
//!     params.backward(loss::mse(&prediction, &y));
//!     params.step(&mut adam);
//! }
//! let w = params.value(model.weight());
//! assert!((w[[0, 0]] - 3.0).abs() < 1e-4, "{w}");
//! assert!((w[[1, 0]] + 2.0).abs() < 1e-4, "{w}");
//! assert!((params.value(model.bias())[[0]] - 1.0).abs() < 1e-4);
//! # Ok::<(), adjoint_ndarray::Error>(())
//! ```
//!
//! [`Mlp`] stacks [`Linear`] layers with an [`Activation`] between them,
//! and [`ParamSet::save`] / [`ParamSet::load`] keep the parameters as JSON.
//!
//! # Conventions
//!
//! Elementwise values and derivatives come from `adjoint_tape::rules`, so
//! the tensor path gives the same numbers as the scalar path, with the same
//! conventions at the awkward points (`abs'(0) = 0`, ties of max split the
//! adjoint, stable softmax, log-sum-exp, sigmoid and softplus). Binary
//! operations broadcast as NumPy does, and the adjoint of a broadcast
//! operand is summed back to its own shape. Shape errors in operators panic
//! with the operation and both shapes; the `try_` methods return
//! [`Error`] instead.
//!
//! NOTE: tensors hold `f64` only; the scalar tape also works over other
//! float types.

#![deny(missing_docs)]

mod checkpoint;
pub mod data;
mod error;
mod gradient;
mod kernels;
pub mod loss;
mod nn;
mod ops;
mod params;
mod pool;
mod tensor;

pub use error::Error;
pub use gradient::{Adjoints, TensorGradients, gradient, value_and_gradient};
pub use nn::{Activation, Init, Linear, Mlp};
pub use ops::fused::{fuse, try_fuse};
pub use params::{BoundParams, ParamId, ParamSet};
pub use tensor::{TapeExt, Tensor};

/// The ndarray crate whose arrays tensors take and return. A caller that
/// depends on another version of ndarray gets a type mismatch between the
/// two versions' arrays, so it can name this one instead.
///
/// ```
/// use adjoint_ndarray::ndarray::array;
/// use adjoint_ndarray::{Tensor, TensorGradients};
/// use adjoint_tape::Tape;
///
/// let tape = Tape::new();
/// let x = Tensor::var(&tape, array![1.0, 2.0]);
/// assert_eq!(x.powi(2).sum().gradient().wrt_tensor(&x), array![2.0, 4.0].into_dyn());
/// ```
pub use ndarray;
