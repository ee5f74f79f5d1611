//! Shape operations: transpose, permute, reshape, slicing, row gather,
//! concatenation and stacking. Each output is a new node range whose vjp
//! routes every output adjoint back to the element it came from, except
//! for reshapes and slices of consecutive elements: those share the
//! input's nodes and record nothing.

use adjoint_tape::CustomOp;
use ndarray::{ArrayD, ArrayViewD, Axis, IxDyn, Order, Slice, Zip};

use crate::error::{Error, expect_ok};
use crate::ops::reduce::check_axis;
use crate::pool::{self, PooledArray};
use crate::tensor::{Slot, Tensor, common_tape, cotangent_view, shape_vec};

/// `permute_axes`: output axis `i` is input axis `axes[i]`.
struct Permute {
    input: Slot,
    axes: Vec<usize>,
    shape: IxDyn,
}

impl CustomOp<f64> for Permute {
    fn name(&self) -> &'static str {
        "permute_axes"
    }

    fn vjp(&self, cotangent: &[f64], adjoints: &mut [f64]) {
        let g = cotangent_view(&self.shape, cotangent);
        let adjoint = self.input.adjoint_mut(adjoints);
        let mut permuted = adjoint.permuted_axes(IxDyn(&self.axes));
        permuted += &g;
    }
}

/// `slice_axis`: the adjoint goes to the sliced part of the input.
struct SliceAxis {
    input: Slot,
    axis: usize,
    slice: Slice,
    shape: IxDyn,
}

impl CustomOp<f64> for SliceAxis {
    fn name(&self) -> &'static str {
        "slice_axis"
    }

    fn vjp(&self, cotangent: &[f64], adjoints: &mut [f64]) {
        let g = cotangent_view(&self.shape, cotangent);
        let mut adjoint = self.input.adjoint_mut(adjoints);
        let mut part = adjoint.slice_axis_mut(Axis(self.axis), self.slice);
        part += &g;
    }
}

/// `select`: output position `k` along `axis` is input position
/// `indices[k]`; repeated indices accumulate.
struct Select {
    input: Slot,
    axis: usize,
    indices: Vec<usize>,
    shape: IxDyn,
}

impl CustomOp<f64> for Select {
    fn name(&self) -> &'static str {
        "select"
    }

    fn vjp(&self, cotangent: &[f64], adjoints: &mut [f64]) {
        let g = cotangent_view(&self.shape, cotangent);
        let mut adjoint = self.input.adjoint_mut(adjoints);
        let axis = Axis(self.axis);
        for (k, &i) in self.indices.iter().enumerate() {
            let mut lane = adjoint.index_axis_mut(axis, i);
            lane += &g.index_axis(axis, k);
        }
    }
}

/// `concatenate`: input `i` occupies `offsets[i]..offsets[i + 1]` along
/// `axis` of the output.
struct Concatenate {
    inputs: Vec<Option<Slot>>,
    offsets: Vec<usize>,
    axis: usize,
    shape: IxDyn,
}

impl CustomOp<f64> for Concatenate {
    fn name(&self) -> &'static str {
        "concatenate"
    }

    fn vjp(&self, cotangent: &[f64], adjoints: &mut [f64]) {
        let g = cotangent_view(&self.shape, cotangent);
        for (i, input) in self.inputs.iter().enumerate() {
            if let Some(slot) = input {
                let part = g.slice_axis(
                    Axis(self.axis),
                    Slice::from(self.offsets[i]..self.offsets[i + 1]),
                );
                let mut adjoint = slot.adjoint_mut(adjoints);
                adjoint += &part;
            }
        }
    }
}

/// Copies `view` into a new array in standard layout.
fn standard(view: ArrayViewD<'_, f64>) -> ArrayD<f64> {
    match view.as_slice() {
        Some(elements) => pool::copy_slice(view.raw_dim(), elements),
        None => {
            let mut out = pool::zeros(view.raw_dim());
            Zip::from(&mut out).and(&view).for_each(|o, &x| *o = x);
            out
        }
    }
}

/// Resolves a slice's start against an axis of length `len`, as ndarray
/// does (negative values count from the end), after checking that the
/// start and the end lie within the axis.
fn resolve_slice(slice: Slice, len: usize) -> Result<usize, Error> {
    let resolve = |i: isize| {
        if i < 0 {
            len.checked_sub(i.unsigned_abs())
        } else {
            Some(i.unsigned_abs())
        }
    };
    let out_of_range = |bound: isize| Error::SliceBoundOutOfRange {
        op: "slice_axis",
        bound,
        len,
    };
    let start = resolve(slice.start)
        .filter(|&start| start <= len)
        .ok_or_else(|| out_of_range(slice.start))?;
    if let Some(end) = slice.end
        && resolve(end).is_none_or(|resolved| resolved > len)
    {
        return Err(out_of_range(end));
    }
    Ok(start)
}

impl<'t> Tensor<'t> {
    /// Wraps `value` with the op built from this tensor's slot, or as a
    /// constant when this tensor is one.
    fn unary_shape_op<O: CustomOp<f64> + 'static>(
        &self,
        value: ArrayD<f64>,
        op: impl FnOnce(Slot) -> O,
    ) -> Tensor<'t> {
        let value = PooledArray::shared(value);
        match (self.tape(), self.slot()) {
            (Some(tape), Some(input)) => Tensor::record(tape, value, op(input)),
            _ => Tensor::constant_arc(value),
        }
    }

    /// The transpose: the axes in reverse order (for a matrix, rows become
    /// columns). A vector or a scalar is returned as a new node range with
    /// the same shape.
    ///
    /// Derivative: the cotangent transposed back.
    ///
    /// ```
    /// use adjoint_ndarray::Tensor;
    /// use ndarray::array;
    ///
    /// let a = Tensor::constant(array![[1.0, 2.0, 3.0]]);
    /// assert_eq!(a.t().value(), &array![[1.0], [2.0], [3.0]].into_dyn());
    /// ```
    pub fn t(&self) -> Tensor<'t> {
        let axes: Vec<usize> = (0..self.ndim()).rev().collect();
        self.permute_axes(&axes)
    }

    /// Reorders the axes: axis `i` of the result is axis `axes[i]` of the
    /// input.
    ///
    /// ```
    /// use adjoint_ndarray::{Tensor, TensorGradients};
    /// use adjoint_tape::Tape;
    /// use ndarray::{Array3, array};
    ///
    /// let tape = Tape::new();
    /// let x = Tensor::var(&tape, Array3::from_shape_fn((2, 3, 4), |(i, j, k)| (i * 12 + j * 4 + k) as f64));
    /// let y = x.permute_axes(&[2, 0, 1]);
    /// assert_eq!(y.shape(), &[4, 2, 3]);
    /// assert_eq!(y.value()[[3, 1, 2]], x.value()[[1, 2, 3]]);
    /// let g = y.get(&[3, 1, 2]).gradient().wrt_tensor(&x);
    /// assert_eq!(g[[1, 2, 3]], 1.0);
    /// assert_eq!(g.sum(), 1.0);
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `axes` is not a permutation of `0..ndim`.
    #[track_caller]
    pub fn permute_axes(&self, axes: &[usize]) -> Tensor<'t> {
        let mut seen = vec![false; self.ndim()];
        let valid = axes.len() == self.ndim()
            && axes
                .iter()
                .all(|&a| a < seen.len() && !std::mem::replace(&mut seen[a], true));
        assert!(
            valid,
            "permute_axes: {axes:?} is not a permutation of the axes of a tensor of shape {:?}",
            self.shape()
        );
        let value = standard(self.value().view().permuted_axes(IxDyn(axes)));
        let shape = value.raw_dim();
        self.unary_shape_op(value, |input| Permute {
            input,
            axes: axes.to_vec(),
            shape,
        })
    }

    /// The same elements in row-major order with a new shape.
    ///
    /// The result shares this tensor's nodes rather than recording new
    /// ones, so its adjoint after a sweep is that of the same elements of
    /// this tensor, from every use of either.
    ///
    /// ```
    /// use adjoint_ndarray::Tensor;
    /// use ndarray::array;
    ///
    /// let a = Tensor::constant(array![[1.0, 2.0], [3.0, 4.0]]);
    /// assert_eq!(a.t().reshape(&[4]).value(), &array![1.0, 3.0, 2.0, 4.0].into_dyn());
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `shape` does not have the same number of elements.
    #[track_caller]
    pub fn reshape(&self, shape: &[usize]) -> Tensor<'t> {
        expect_ok(self.try_reshape(shape))
    }

    /// Reshapes, or returns an error.
    ///
    /// # Errors
    ///
    /// [`Error::ShapeMismatch`] if `shape` has a different number of
    /// elements.
    ///
    /// ```
    /// use adjoint_ndarray::Tensor;
    /// use ndarray::array;
    ///
    /// assert!(Tensor::constant(array![1.0, 2.0]).try_reshape(&[3]).is_err());
    /// ```
    pub fn try_reshape(&self, shape: &[usize]) -> Result<Tensor<'t>, Error> {
        let view = self
            .value()
            .to_shape((IxDyn(shape), Order::RowMajor))
            .map_err(|_| Error::ShapeMismatch {
                op: "reshape",
                left: shape_vec(self.shape()),
                right: shape_vec(shape),
                reason: "the number of elements must stay the same".into(),
            })?;
        // Both shapes read the elements in row-major order, which is the
        // order of the nodes: the result shares this tensor's nodes.
        Ok(self.alias(0, standard(view.view())))
    }

    /// Inserts an axis of length 1 at position `axis`.
    ///
    /// ```
    /// use adjoint_ndarray::Tensor;
    /// use ndarray::array;
    ///
    /// let a = Tensor::constant(array![1.0, 2.0]);
    /// assert_eq!(a.insert_axis(0).shape(), &[1, 2]);
    /// assert_eq!(a.insert_axis(1).shape(), &[2, 1]);
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `axis` is greater than [`ndim`](Self::ndim).
    #[track_caller]
    pub fn insert_axis(&self, axis: usize) -> Tensor<'t> {
        expect_ok(check_axis("insert_axis", axis, self.ndim() + 1));
        let mut shape = self.shape().to_vec();
        shape.insert(axis, 1);
        self.reshape(&shape)
    }

    /// A slice along one axis, with ndarray's [`Slice`] (a range such as
    /// `1..3`, or `Slice::new(start, end, step)` with negative values
    /// counting from the end).
    ///
    /// A slice of consecutive elements in row-major order (step 1, and only
    /// axes of length 1 before `axis`) shares this tensor's nodes, as
    /// [`reshape`](Self::reshape) does. Any other slice records a node
    /// range of its own.
    ///
    /// ```
    /// use adjoint_ndarray::{Tensor, TensorGradients};
    /// use adjoint_tape::Tape;
    /// use ndarray::array;
    ///
    /// let tape = Tape::new();
    /// let x = Tensor::var(&tape, array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    /// let y = x.slice_axis(1, 1..3);
    /// assert_eq!(y.value(), &array![[2.0, 3.0], [5.0, 6.0]].into_dyn());
    /// let g = y.sum().gradient().wrt_tensor(&x);
    /// assert_eq!(g, array![[0.0, 1.0, 1.0], [0.0, 1.0, 1.0]].into_dyn());
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `axis` is out of range, the slice runs past the axis, or
    /// its step is 0.
    #[track_caller]
    pub fn slice_axis(&self, axis: usize, slice: impl Into<Slice>) -> Tensor<'t> {
        let slice = slice.into();
        expect_ok(check_axis("slice_axis", axis, self.ndim()));
        let start = expect_ok(resolve_slice(slice, self.shape()[axis]));
        assert!(slice.step != 0, "slice_axis: the step must not be 0");
        let value = standard(self.value().slice_axis(Axis(axis), slice));
        if slice.step == 1 && self.shape()[..axis].iter().all(|&len| len == 1) {
            // With step 1 and only axes of length 1 before `axis`, the slice
            // is a run of consecutive nodes in row-major order.
            let block: usize = self.shape()[axis + 1..].iter().product();
            return self.alias(start * block, value);
        }
        let shape = value.raw_dim();
        self.unary_shape_op(value, |input| SliceAxis {
            input,
            axis,
            slice,
            shape,
        })
    }

    /// Gathers the positions `indices` along `axis`, in that order;
    /// indices may repeat.
    ///
    /// Derivative: each input position's adjoint is the sum of the
    /// adjoints of its copies.
    ///
    /// ```
    /// use adjoint_ndarray::Tensor;
    /// use ndarray::array;
    ///
    /// let x = Tensor::constant(array![[1.0, 2.0, 3.0]]);
    /// assert_eq!(x.select(1, &[2, 0]).value(), &array![[3.0, 1.0]].into_dyn());
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `axis` or an index is out of range.
    #[track_caller]
    pub fn select(&self, axis: usize, indices: &[usize]) -> Tensor<'t> {
        expect_ok(self.try_select(axis, indices))
    }

    /// Gathers positions along `axis`, or returns an error.
    ///
    /// # Errors
    ///
    /// [`Error::AxisOutOfRange`] or [`Error::IndexOutOfRange`].
    ///
    /// ```
    /// use adjoint_ndarray::{Error, Tensor};
    /// use ndarray::array;
    ///
    /// let x = Tensor::constant(array![1.0, 2.0]);
    /// assert!(matches!(x.try_select(0, &[2]), Err(Error::IndexOutOfRange { index: 2, len: 2, .. })));
    /// ```
    pub fn try_select(&self, axis: usize, indices: &[usize]) -> Result<Tensor<'t>, Error> {
        check_axis("select", axis, self.ndim())?;
        let len = self.shape()[axis];
        if let Some(&index) = indices.iter().find(|&&i| i >= len) {
            return Err(Error::IndexOutOfRange {
                op: "select",
                index,
                len,
            });
        }
        let value = standard(self.value().select(Axis(axis), indices).view());
        let shape = value.raw_dim();
        Ok(self.unary_shape_op(value, |input| Select {
            input,
            axis,
            indices: indices.to_vec(),
            shape,
        }))
    }

    /// Gathers rows (positions along axis 0), as for a minibatch.
    ///
    /// ```
    /// use adjoint_ndarray::{Tensor, TensorGradients};
    /// use adjoint_tape::Tape;
    /// use ndarray::array;
    ///
    /// let tape = Tape::new();
    /// let x = Tensor::var(&tape, array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]);
    /// let batch = x.select_rows(&[2, 0, 2]);
    /// assert_eq!(batch.value(), &array![[5.0, 6.0], [1.0, 2.0], [5.0, 6.0]].into_dyn());
    /// let g = batch.sum().gradient().wrt_tensor(&x);
    /// assert_eq!(g, array![[1.0, 1.0], [0.0, 0.0], [2.0, 2.0]].into_dyn());
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if the tensor has no axes or a row index is out of range.
    #[track_caller]
    pub fn select_rows(&self, indices: &[usize]) -> Tensor<'t> {
        expect_ok(self.try_select(0, indices))
    }

    /// Joins tensors along an existing axis.
    ///
    /// ```
    /// use adjoint_ndarray::{Tensor, TensorGradients};
    /// use adjoint_tape::Tape;
    /// use ndarray::array;
    ///
    /// let tape = Tape::new();
    /// let a = Tensor::var(&tape, array![[1.0, 2.0]]);
    /// let b = Tensor::constant(array![[3.0, 4.0], [5.0, 6.0]]);
    /// let c = Tensor::concatenate(0, &[a.clone(), b]);
    /// assert_eq!(c.shape(), &[3, 2]);
    /// let loss = c.get(&[0, 1]) * 2.0;
    /// assert_eq!(loss.gradient().wrt_tensor(&a), array![[0.0, 2.0]].into_dyn());
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `tensors` is empty, `axis` is out of range, or the shapes
    /// differ along another axis.
    #[track_caller]
    pub fn concatenate(axis: usize, tensors: &[Tensor<'t>]) -> Tensor<'t> {
        expect_ok(Self::try_concatenate(axis, tensors))
    }

    /// Joins tensors along an existing axis, or returns an error.
    ///
    /// # Errors
    ///
    /// [`Error::Empty`] for no tensors, [`Error::AxisOutOfRange`], and
    /// [`Error::ShapeMismatch`] naming the first shape that does not fit.
    ///
    /// ```
    /// use adjoint_ndarray::{Error, Tensor};
    /// use ndarray::array;
    ///
    /// let a = Tensor::constant(array![[1.0, 2.0]]);
    /// let b = Tensor::constant(array![[1.0, 2.0, 3.0]]);
    /// let error = Tensor::try_concatenate(0, &[a, b]).unwrap_err();
    /// assert!(matches!(error, Error::ShapeMismatch { op: "concatenate", .. }));
    /// ```
    pub fn try_concatenate(axis: usize, tensors: &[Tensor<'t>]) -> Result<Tensor<'t>, Error> {
        let first = tensors.first().ok_or(Error::Empty {
            op: "concatenate",
            what: "tensor",
        })?;
        check_axis("concatenate", axis, first.ndim())?;
        let mut offsets = vec![0];
        for t in tensors {
            let fits = t.ndim() == first.ndim()
                && (0..t.ndim()).all(|i| i == axis || t.shape()[i] == first.shape()[i]);
            if !fits {
                return Err(Error::ShapeMismatch {
                    op: "concatenate",
                    left: shape_vec(first.shape()),
                    right: shape_vec(t.shape()),
                    reason: format!("all shapes must agree except along axis {axis}"),
                });
            }
            offsets.push(offsets[offsets.len() - 1] + t.shape()[axis]);
        }
        let mut shape = first.shape().to_vec();
        shape[axis] = offsets[offsets.len() - 1];
        let mut value = pool::zeros(IxDyn(&shape));
        for (i, t) in tensors.iter().enumerate() {
            value
                .slice_axis_mut(Axis(axis), Slice::from(offsets[i]..offsets[i + 1]))
                .assign(t.value());
        }
        let value = PooledArray::shared(value);
        let Some(tape) = common_tape("concatenate", tensors.iter().map(Tensor::tape)) else {
            return Ok(Tensor::constant_arc(value));
        };
        let shape = value.raw_dim();
        let op = Concatenate {
            inputs: tensors.iter().map(Tensor::slot).collect(),
            offsets,
            axis,
            shape,
        };
        Ok(Tensor::record(tape, value, op))
    }

    /// Joins tensors of one shape along a new axis at position `axis`.
    ///
    /// ```
    /// use adjoint_ndarray::Tensor;
    /// use ndarray::array;
    ///
    /// let a = Tensor::constant(array![1.0, 2.0]);
    /// let b = Tensor::constant(array![3.0, 4.0]);
    /// let s = Tensor::stack(0, &[a, b]);
    /// assert_eq!(s.value(), &array![[1.0, 2.0], [3.0, 4.0]].into_dyn());
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `tensors` is empty, the shapes differ, or `axis` is
    /// greater than their number of dimensions.
    #[track_caller]
    pub fn stack(axis: usize, tensors: &[Tensor<'t>]) -> Tensor<'t> {
        let expanded: Vec<Tensor<'t>> = tensors.iter().map(|t| t.insert_axis(axis)).collect();
        Self::concatenate(axis, &expanded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TensorGradients;
    use adjoint_tape::Tape;
    use ndarray::array;

    #[test]
    fn leading_slice_shares_nodes() {
        let tape = Tape::new();
        let x = Tensor::var(&tape, array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]);
        let tail = x.slice_axis(0, 1..3);
        assert_eq!(tape.len(), 6);
        assert_eq!(tail.node_range(), Some(2..6));
        assert_eq!(tail.value(), &array![[3.0, 4.0], [5.0, 6.0]].into_dyn());
        let g = (&tail * &tail).sum().gradient().wrt_tensor(&x);
        assert_eq!(g, array![[0.0, 0.0], [6.0, 8.0], [10.0, 12.0]].into_dyn());
    }

    #[test]
    fn slice_errors_name_the_bad_bound() {
        let cases = [
            (Slice::new(-5, Some(-1), 1), -5),
            (Slice::new(5, Some(2), 1), 5),
            (Slice::new(-10, None, 1), -10),
            (Slice::new(0, Some(4), 1), 4),
            (Slice::new(1, Some(-4), 1), -4),
        ];
        for (slice, bound) in cases {
            let error = resolve_slice(slice, 3).unwrap_err();
            assert!(
                matches!(error, Error::SliceBoundOutOfRange { bound: b, len: 3, .. } if b == bound),
                "{slice:?} gave {error:?}"
            );
        }
        assert_eq!(
            resolve_slice(Slice::new(-5, Some(-1), 1), 3)
                .unwrap_err()
                .to_string(),
            "slice_axis: slice bound -5 is out of range for an axis of length 3: \
             use a bound from -3 to 3"
        );
        assert_eq!(resolve_slice(Slice::new(-3, Some(3), 1), 3).unwrap(), 0);
        assert_eq!(resolve_slice(Slice::new(1, None, 1), 3).unwrap(), 1);
    }

    #[test]
    fn reshape_shares_nodes() {
        let tape = Tape::new();
        let x = Tensor::var(&tape, array![[1.0, 2.0], [3.0, 4.0]]);
        let flat = x.reshape(&[4]).insert_axis(0);
        assert_eq!(tape.len(), 4);
        assert_eq!(flat.node_range(), Some(0..4));
        let g = flat.get(&[0, 2]).gradient().wrt_tensor(&x);
        assert_eq!(g, array![[0.0, 0.0], [1.0, 0.0]].into_dyn());
    }

    #[test]
    fn strided_slice_records_a_node_range() {
        let tape = Tape::new();
        let x = Tensor::var(&tape, array![[1.0, 2.0], [3.0, 4.0]]);
        let column = x.slice_axis(1, 1..2);
        assert_eq!(column.node_range(), Some(4..6));
        let g = (column.sum() * 3.0).gradient().wrt_tensor(&x);
        assert_eq!(g, array![[0.0, 3.0], [0.0, 3.0]].into_dyn());
    }

    #[test]
    fn empty_leading_slice_is_constant() {
        let tape = Tape::new();
        let x = Tensor::var(&tape, array![1.0, 2.0]);
        assert!(x.slice_axis(0, 1..1).is_constant());
    }
}
