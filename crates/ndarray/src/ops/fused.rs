//! A function of a few tensors applied element by element as one node per
//! element, with its partials from forward mode.

use std::array;
use std::borrow::Cow;

use adjoint_tape::CustomOp;
use adjoint_tape::forward::DualVec;
use ndarray::Dimension;

use crate::error::{Error, expect_ok};
use crate::kernels::add_product;
use crate::pool::{self, PooledArray};
use crate::tensor::{Slot, Tensor, common_tape};

/// The recorded node of [`fuse`]: partial `k` of element `i` is
/// `partials[k * len + i]`.
struct Fused<const N: usize> {
    inputs: [Option<Slot>; N],
    partials: Vec<f64>,
}

impl<const N: usize> Drop for Fused<N> {
    fn drop(&mut self) {
        pool::give(std::mem::take(&mut self.partials));
    }
}

impl<const N: usize> CustomOp<f64> for Fused<N> {
    fn name(&self) -> &'static str {
        "fuse"
    }

    fn vjp(&self, cotangent: &[f64], adjoints: &mut [f64]) {
        let len = cotangent.len();
        for (input, partial) in self.inputs.iter().zip(self.partials.chunks_exact(len)) {
            if let Some(slot) = input {
                add_product(slot.adjoint_slice(adjoints), cotangent, partial);
            }
        }
    }
}

/// Applies `f` to the elements of `inputs`, all of one shape, and records
/// the result as one node per element whose `N` partials come from forward
/// mode in the same pass.
///
/// A chain of elementwise tensor operations records a node and keeps an
/// array for each operation, and its sweep reads them all back. `fuse`
/// evaluates the whole chain once per element on [`DualVec`] numbers (one
/// tangent lane per input) and keeps only the `N` partials: the fusion
/// that XLA does for JAX's elementwise chains, and the tensor form of
/// [`adjoint_tape::preaccumulate`]. Rosenbrock's gradient with its terms
/// as one `fuse` took 2.0 times the plain `f64` loop at 10^4 inputs, and
/// 3.6 times as a chain of tensor operations (`docs/benchmarks.md`).
///
/// The closure is written over `DualVec` as in `preaccumulate`: `f64`
/// constants on either side of an operator. A constant tensor among
/// `inputs` passes no adjoint; if all are constants the result is a
/// constant. Partials follow forward mode's zero-tangent rule: a zero
/// tangent times an infinite partial contributes 0.
///
/// NOTE: forward mode multiplies the chain's partials in the opposite
/// order to the reverse sweep, so the two can differ where an intermediate
/// overflows. A hand-written `1 / (1 + exp(-x))` at `x = -1000` gives a NaN
/// partial here and 0 as a chain of tensor operations. The closure's
/// `sigmoid`, `softplus` and `ln_1p` avoid the overflow. Likewise a zero
/// constant factor does not stop an infinite tangent: `x.sqrt() * 0.0`
/// at `x = 0` gives a NaN partial here and 0 as a chain, where the
/// sweep's zero-adjoint rule applies.
///
/// ```
/// use adjoint_ndarray::{Tensor, TensorGradients, fuse};
/// use adjoint_tape::Tape;
/// use ndarray::array;
///
/// let tape = Tape::new();
/// let x = Tensor::var(&tape, array![-1.2, 1.0, 0.5]);
/// let n = x.len();
/// let (head, tail) = (x.slice_axis(0, ..n - 1), x.slice_axis(0, 1..));
/// // Rosenbrock, Σ 100 (xᵢ₊₁ - xᵢ²)² + (1 - xᵢ)², with one node per term.
/// let terms = fuse([&head, &tail], |[x, y]| {
///     let a = y - x * x;
///     100.0 * a * a + (1.0 - x) * (1.0 - x)
/// });
/// let f = terms.sum();
/// let g = f.gradient().wrt_tensor(&x);
/// let want = adjoint_tape::gradient(
///     |v| (0..2).map(|i| 100.0 * (v[i + 1] - v[i] * v[i]).powi(2) + (1.0 - v[i]).powi(2)).sum(),
///     &[-1.2, 1.0, 0.5],
/// );
/// for (got, want) in g.iter().zip(&want) {
///     assert!((got - want).abs() < 1e-12);
/// }
/// ```
///
/// # Panics
///
/// Panics if the inputs' shapes differ (broadcast them first with
/// [`Tensor::broadcast_to`]) or they belong to different tapes;
/// [`try_fuse`] returns the shape error instead. `N = 0` does not compile.
#[track_caller]
pub fn fuse<'t, const N: usize, F>(inputs: [&Tensor<'t>; N], f: F) -> Tensor<'t>
where
    F: for<'d> Fn([DualVec<'d, f64, N>; N]) -> DualVec<'d, f64, N>,
{
    expect_ok(try_fuse(inputs, f))
}

/// [`fuse`], returning an error if the inputs' shapes differ.
///
/// ```
/// use adjoint_ndarray::{Error, Tensor, try_fuse};
/// use ndarray::array;
///
/// let a = Tensor::constant(array![1.0, 2.0]);
/// let b = Tensor::constant(array![[1.0, 2.0]]);
/// let error = try_fuse([&a, &b], |[a, b]| a * b).unwrap_err();
/// assert!(matches!(error, Error::ShapeMismatch { op: "fuse", .. }));
/// ```
///
/// # Panics
///
/// Panics if the inputs belong to different tapes.
pub fn try_fuse<'t, const N: usize, F>(inputs: [&Tensor<'t>; N], f: F) -> Result<Tensor<'t>, Error>
where
    F: for<'d> Fn([DualVec<'d, f64, N>; N]) -> DualVec<'d, f64, N>,
{
    const { assert!(N > 0, "fuse needs at least one input tensor") };
    let shape = inputs[0].value().raw_dim();
    if let Some((position, other)) = inputs
        .iter()
        .enumerate()
        .find(|(_, t)| t.shape() != shape.slice())
    {
        return Err(Error::ShapeMismatch {
            op: "fuse",
            left: shape.slice().to_vec(),
            right: other.shape().to_vec(),
            reason: format!(
                "input {position} differs from input 0, and fuse takes inputs of one shape; \
                 broadcast them first with broadcast_to"
            ),
        });
    }

    let len = shape.size();
    let values: [Cow<'_, [f64]>; N] = array::from_fn(|k| {
        let value = inputs[k].value();
        match value.as_slice() {
            Some(slice) => Cow::Borrowed(slice),
            None => Cow::Owned(value.iter().copied().collect()),
        }
    });

    let tape = common_tape("fuse", inputs.iter().map(|t| t.tape()));
    let Some(tape) = tape else {
        let value = pool::collect(
            shape,
            (0..len).map(|i| f(array::from_fn(|k| DualVec::constant(values[k][i]))).value()),
        );
        return Ok(Tensor::constant_arc(PooledArray::shared(value)));
    };

    let slots: [Option<Slot>; N] = array::from_fn(|k| inputs[k].slot());
    let mut value = pool::zeros_vec(len);
    let mut partials = pool::zeros_vec(N * len);
    if slots.iter().all(Option::is_some) {
        // Every input is a variable: no lane is known to be zero, and the
        // closure inlines into a loop with no branch on constants.
        for (i, v) in value.iter_mut().enumerate() {
            let out = f(array::from_fn(|k| DualVec::variable(values[k][i], k)));
            *v = out.value();
            for (k, partial) in out.tangents().into_iter().enumerate() {
                partials[k * len + i] = partial;
            }
        }
    } else {
        for (i, v) in value.iter_mut().enumerate() {
            let out = f(array::from_fn(|k| match slots[k] {
                Some(_) => DualVec::variable(values[k][i], k),
                None => DualVec::constant(values[k][i]),
            }));
            *v = out.value();
            for (k, partial) in out.tangents().into_iter().enumerate() {
                partials[k * len + i] = partial;
            }
        }
    }

    let value = ndarray::ArrayD::from_shape_vec(shape, value).expect("one value per element");
    Ok(Tensor::record(
        tape,
        PooledArray::shared(value),
        Fused {
            inputs: slots,
            partials,
        },
    ))
}
