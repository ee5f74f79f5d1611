//! NumPy broadcasting: the common shape of two operands, summing an
//! adjoint back to a broadcast operand's own shape, and `broadcast_to`.

use adjoint_tape::CustomOp;
use ndarray::{ArrayViewD, ArrayViewMutD, Axis, Dimension, IxDyn, Zip};

use crate::error::{Error, expect_ok};
use crate::pool::{self, PooledArray};
use crate::tensor::{Slot, Tensor, cotangent_view, shape_vec};

/// The shape that `left` and `right` broadcast to under NumPy's rules:
/// shapes are aligned at their last axis, and along each axis the lengths
/// must be equal or one of them 1.
pub(crate) fn broadcast_shape(
    op: &'static str,
    left: &[usize],
    right: &[usize],
) -> Result<IxDyn, Error> {
    let ndim = left.len().max(right.len());
    let mut shape = vec![0; ndim];
    for (axis, out) in shape.iter_mut().enumerate() {
        // Axis `axis` of the result, counted from the left; missing leading
        // axes of the shorter shape have length 1.
        let l = (axis + left.len()).checked_sub(ndim).map_or(1, |i| left[i]);
        let r = (axis + right.len())
            .checked_sub(ndim)
            .map_or(1, |i| right[i]);
        *out = match (l, r) {
            _ if l == r => l,
            (1, _) => r,
            (_, 1) => l,
            _ => {
                return Err(Error::ShapeMismatch {
                    op,
                    left: shape_vec(left),
                    right: shape_vec(right),
                    reason: format!(
                        "they do not broadcast: axis {axis} of the result has lengths {l} and {r}, \
                         and one of them must be 1 or both equal"
                    ),
                });
            }
        };
    }
    Ok(IxDyn(&shape))
}

/// Adds `scale · source`, whose shape `target`'s shape broadcasts to, into
/// `target`: summed over the leading axes that broadcasting added and over
/// the axes where `target` has length 1.
pub(crate) fn add_reduced(
    target: &mut ArrayViewMutD<'_, f64>,
    source: ArrayViewD<'_, f64>,
    scale: f64,
) {
    if target.shape() == source.shape() {
        target.scaled_add(scale, &source);
        return;
    }
    let leading = source.ndim() - target.ndim();
    let mut summed = source.to_owned();
    for _ in 0..leading {
        summed = summed.sum_axis(Axis(0));
    }
    for axis in 0..target.ndim() {
        if target.shape()[axis] == 1 && summed.shape()[axis] != 1 {
            summed = summed.sum_axis(Axis(axis)).insert_axis(Axis(axis));
        }
    }
    target.scaled_add(scale, &summed);
}

/// Checks whether an operand of shape `operand`, broadcast to `shape`, only
/// gains leading axes or grows leading axes of length 1. Such a broadcast
/// repeats the operand's elements as one block in row-major order.
pub(crate) fn broadcasts_as_blocks(operand: &[usize], shape: &[usize]) -> bool {
    let Some(leading) = shape.len().checked_sub(operand.len()) else {
        return false;
    };
    // Skip the operand's leading axes of length 1; the rest must match.
    let first = operand
        .iter()
        .position(|&len| len != 1)
        .unwrap_or(operand.len());
    operand[first..] == shape[leading + first..]
}

/// Adds `scale · cotangent`, whose shape is `shape`, into the adjoint of
/// the operand in `slot`, summed back to the operand's shape.
///
/// The operand's shape must broadcast to `shape`.
pub(crate) fn add_reduced_slot(
    slot: &Slot,
    adjoints: &mut [f64],
    shape: &IxDyn,
    cotangent: &[f64],
    scale: f64,
) {
    if broadcasts_as_blocks(slot.shape.slice(), shape.slice()) {
        // The operand repeats as whole blocks: add each block of the
        // cotangent (one block when the shapes are equal).
        let adjoint = slot.adjoint_slice(adjoints);
        for block in cotangent.chunks_exact(adjoint.len()) {
            for (a, &g) in adjoint.iter_mut().zip(block) {
                *a += scale * g;
            }
        }
        return;
    }
    add_reduced(
        &mut slot.adjoint_mut(adjoints),
        cotangent_view(shape, cotangent),
        scale,
    );
}

/// `broadcast_to`: the adjoint is summed back to the input's shape.
struct BroadcastTo {
    input: Slot,
    shape: IxDyn,
}

impl CustomOp<f64> for BroadcastTo {
    fn name(&self) -> &'static str {
        "broadcast_to"
    }

    fn vjp(&self, cotangent: &[f64], adjoints: &mut [f64]) {
        add_reduced_slot(&self.input, adjoints, &self.shape, cotangent, 1.0);
    }
}

impl<'t> Tensor<'t> {
    /// Repeats the tensor along new leading axes and along axes of length 1
    /// to `shape`, as NumPy's `broadcast_to` does, but as a new tensor with
    /// its own nodes.
    ///
    /// Derivative: each input element's adjoint is the sum of the adjoints
    /// of its copies.
    ///
    /// ```
    /// use adjoint_ndarray::{Tensor, TensorGradients};
    /// use adjoint_tape::Tape;
    /// use ndarray::array;
    ///
    /// let tape = Tape::new();
    /// let r = Tensor::var(&tape, array![[0.5, 0.25]]);
    /// let rb = r.broadcast_to(&[3, 2]);
    /// assert_eq!(rb.value(), &array![[0.5, 0.25], [0.5, 0.25], [0.5, 0.25]].into_dyn());
    /// assert_eq!(rb.sum().gradient().wrt_tensor(&r), array![[3.0, 3.0]].into_dyn());
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if the shape does not broadcast to `shape`.
    #[track_caller]
    pub fn broadcast_to(&self, shape: &[usize]) -> Tensor<'t> {
        expect_ok(self.try_broadcast_to(shape))
    }

    /// Broadcasts to `shape`, or returns an error.
    ///
    /// # Errors
    ///
    /// [`Error::ShapeMismatch`] if the tensor's shape does not broadcast to
    /// `shape`.
    ///
    /// ```
    /// use adjoint_ndarray::Tensor;
    /// use ndarray::array;
    ///
    /// let t = Tensor::constant(array![1.0, 2.0]);
    /// assert!(t.try_broadcast_to(&[2, 3]).is_err());
    /// assert_eq!(t.try_broadcast_to(&[3, 2]).unwrap().shape(), &[3, 2]);
    /// ```
    pub fn try_broadcast_to(&self, shape: &[usize]) -> Result<Tensor<'t>, Error> {
        let mismatch = || Error::ShapeMismatch {
            op: "broadcast_to",
            left: shape_vec(self.shape()),
            right: shape_vec(shape),
            reason: "the tensor's shape must broadcast to the target shape".into(),
        };
        let view = self.value().broadcast(IxDyn(shape)).ok_or_else(mismatch)?;
        let mut value = pool::zeros(IxDyn(shape));
        Zip::from(&mut value)
            .and(&view)
            .for_each(|out, &x| *out = x);
        let value = PooledArray::shared(value);
        match (self.tape(), self.slot()) {
            (Some(tape), Some(input)) => Ok(Tensor::record(
                tape,
                value,
                BroadcastTo {
                    input,
                    shape: IxDyn(shape),
                },
            )),
            _ => Ok(Tensor::constant_arc(value)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{ArrayD, array};

    #[test]
    fn broadcast_shape_aligns_trailing_axes() {
        assert_eq!(
            broadcast_shape("add", &[2, 1, 3], &[4, 1]).unwrap(),
            IxDyn(&[2, 4, 3])
        );
        assert_eq!(broadcast_shape("add", &[], &[2]).unwrap(), IxDyn(&[2]));
        assert!(broadcast_shape("add", &[2, 3], &[2]).is_err());
    }

    #[test]
    fn broadcasts_as_blocks_needs_matching_trailing_axes() {
        assert!(broadcasts_as_blocks(&[3], &[2, 3]));
        assert!(broadcasts_as_blocks(&[1, 3], &[4, 3]));
        assert!(broadcasts_as_blocks(&[], &[4, 3]));
        assert!(broadcasts_as_blocks(&[1, 1], &[4, 3]));
        assert!(broadcasts_as_blocks(&[4, 3], &[4, 3]));
        assert!(!broadcasts_as_blocks(&[4, 1], &[4, 3]));
        assert!(!broadcasts_as_blocks(&[2, 1, 3], &[2, 4, 3]));
    }

    #[test]
    fn add_reduced_slot_matches_add_reduced() {
        let cotangent = array![[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]].into_dyn();
        let shape = cotangent.raw_dim();
        for operand in [&[2usize][..], &[1, 2], &[2, 1], &[2, 1, 2], &[], &[2, 2, 2]] {
            let slot = Slot {
                start: 1,
                shape: IxDyn(operand),
            };
            let len = slot.len();
            let mut adjoints = vec![0.5; len + 2];
            add_reduced_slot(
                &slot,
                &mut adjoints,
                &shape,
                cotangent.as_slice().unwrap(),
                -2.0,
            );
            let mut expected = ArrayD::from_elem(IxDyn(operand), 0.5);
            add_reduced(&mut expected.view_mut(), cotangent.view(), -2.0);
            assert_eq!(
                &adjoints[1..=len],
                expected.as_slice().unwrap(),
                "operand {operand:?}"
            );
            assert_eq!(adjoints[0], 0.5);
            assert_eq!(adjoints[len + 1], 0.5);
        }
    }

    #[test]
    fn add_reduced_sums_broadcast_axes() {
        let mut target = ArrayD::zeros(IxDyn(&[1, 2]));
        let source = array![[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]].into_dyn();
        add_reduced(&mut target.view_mut(), source.view(), 1.0);
        assert_eq!(target, array![[16.0, 20.0]].into_dyn());
    }
}
