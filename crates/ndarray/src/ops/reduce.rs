//! Reductions: `sum`, `mean`, `max` and `min` over all elements (a scalar
//! `Var`) or along one axis (a tensor without that axis).

use std::sync::Arc;

use adjoint_tape::{CustomOp, Var};
use ndarray::{ArrayD, ArrayView1, ArrayViewMut1, Axis, Dimension, IxDyn, Zip};

use crate::error::{Error, expect_ok};
use crate::kernels::add_constant;
use crate::pool::PooledArray;
use crate::tensor::{Slot, Tensor, cotangent_view};

/// Checks that `axis` is below `ndim`.
pub(crate) fn check_axis(op: &'static str, axis: usize, ndim: usize) -> Result<(), Error> {
    if axis < ndim {
        Ok(())
    } else {
        Err(Error::AxisOutOfRange { op, axis, ndim })
    }
}

/// `sum` or `mean`, over all elements (`axis` `None`) or one axis:
/// every element's adjoint gains `scale` times its lane's cotangent.
struct Sum {
    input: Slot,
    axis: Option<usize>,
    scale: f64,
    shape: IxDyn,
}

impl CustomOp<f64> for Sum {
    fn name(&self) -> &'static str {
        "sum"
    }

    fn vjp(&self, cotangent: &[f64], adjoints: &mut [f64]) {
        let scale = self.scale;
        let shape = self.input.shape.slice();
        // Row-major fast paths: the lanes of the last axis are contiguous
        // runs; for a leading axis, the lanes' elements form whole blocks.
        match self.axis {
            None => {
                add_constant(self.input.adjoint_slice(adjoints), cotangent[0] * scale);
            }
            Some(axis) if axis + 1 == shape.len() => {
                let lane = shape[axis];
                let adjoint = self.input.adjoint_slice(adjoints);
                for (run, &g) in adjoint.chunks_exact_mut(lane).zip(cotangent) {
                    let g = g * scale;
                    for a in run {
                        *a += g;
                    }
                }
            }
            Some(axis) if shape[..axis].iter().all(|&len| len == 1) => {
                let inner: usize = shape[axis + 1..].iter().product();
                let adjoint = self.input.adjoint_slice(adjoints);
                for block in adjoint.chunks_exact_mut(inner) {
                    for (a, &g) in block.iter_mut().zip(cotangent) {
                        *a += g * scale;
                    }
                }
            }
            Some(axis) => {
                let mut adjoint = self.input.adjoint_mut(adjoints);
                let g = cotangent_view(&self.shape, cotangent).insert_axis(Axis(axis));
                Zip::from(&mut adjoint)
                    .and_broadcast(&g)
                    .for_each(|a, &g| *a += g * scale);
            }
        }
    }
}

/// Whether `x` is one of the elements a maximum or minimum `m` picks:
/// equal to it, or NaN when `m` is NaN (a lane of NaNs only).
fn is_pick(x: f64, m: f64) -> bool {
    x == m || (m.is_nan() && x.is_nan())
}

/// Adds `g`, split evenly among the elements of `lane` that `m` picks,
/// into `adjoint`.
fn split_among_picks(adjoint: ArrayViewMut1<'_, f64>, lane: ArrayView1<'_, f64>, m: f64, g: f64) {
    let picks = lane.iter().filter(|&&x| is_pick(x, m)).count();
    let share = g / picks as f64;
    Zip::from(adjoint).and(lane).for_each(|a, &x| {
        if is_pick(x, m) {
            *a += share;
        }
    });
}

/// `max` or `min` over all elements or one axis.
struct Extremum {
    name: &'static str,
    input: Slot,
    axis: Option<usize>,
    x: Arc<PooledArray>,
    out: Arc<PooledArray>,
}

impl CustomOp<f64> for Extremum {
    fn name(&self) -> &'static str {
        self.name
    }

    fn vjp(&self, cotangent: &[f64], adjoints: &mut [f64]) {
        let mut adjoint = self.input.adjoint_mut(adjoints);
        match self.axis {
            Some(axis) => {
                let g = cotangent_view(&self.out.raw_dim(), cotangent);
                Zip::from(adjoint.lanes_mut(Axis(axis)))
                    .and(self.x.lanes(Axis(axis)))
                    .and(&g)
                    .and(&**self.out)
                    .for_each(|a, x, &g, &m| split_among_picks(a, x, m, g));
            }
            None => {
                // One lane of all elements, in row-major order.
                let len = self.x.len();
                let adjoint = adjoint
                    .into_shape_with_order(len)
                    .expect("an adjoint slot is contiguous");
                let x = self.x.view().into_shape_with_order(len);
                let m = self.out[IxDyn(&[])];
                match x {
                    Ok(x) => split_among_picks(adjoint, x, m, cotangent[0]),
                    Err(_) => {
                        let x = self.x.iter().copied().collect::<ndarray::Array1<f64>>();
                        split_among_picks(adjoint, x.view(), m, cotangent[0]);
                    }
                }
            }
        }
    }
}

/// The largest (`f64::max`) or smallest (`f64::min`) element of a lane,
/// ignoring NaNs unless all are NaN.
fn fold_lane(lane: ArrayView1<'_, f64>, pick: fn(f64, f64) -> f64) -> f64 {
    lane.iter()
        .copied()
        .reduce(pick)
        .expect("extremum checked that lanes are not empty")
}

impl<'t> Tensor<'t> {
    /// Records a sum (scaled by `scale`) over all elements or one axis.
    fn reduce_sum(&self, axis: Option<usize>, scale: f64) -> Tensor<'t> {
        let value = match axis {
            Some(axis) => self.value().sum_axis(Axis(axis)) * scale,
            None => ArrayD::from_elem(IxDyn(&[]), self.value().sum() * scale),
        };
        let value = PooledArray::shared(value);
        match (self.tape(), self.slot()) {
            (Some(tape), Some(input)) => {
                let shape = value.raw_dim();
                Tensor::record(
                    tape,
                    value,
                    Sum {
                        input,
                        axis,
                        scale,
                        shape,
                    },
                )
            }
            _ => Tensor::constant_arc(value),
        }
    }

    /// The sum of all elements, as a scalar `Var` (0 for an empty tensor).
    ///
    /// Derivative: 1 for every element.
    ///
    /// ```
    /// use adjoint_ndarray::{Tensor, TensorGradients};
    /// use adjoint_tape::Tape;
    /// use ndarray::array;
    ///
    /// let tape = Tape::new();
    /// let x = Tensor::var(&tape, array![[1.0, 2.0], [3.0, 4.0]]);
    /// let s = x.sum();
    /// assert_eq!(s.value(), 10.0);
    /// assert_eq!(s.gradient().wrt_tensor(&x), array![[1.0, 1.0], [1.0, 1.0]].into_dyn());
    /// ```
    pub fn sum(&self) -> Var<'t> {
        self.reduce_sum(None, 1.0).to_scalar()
    }

    /// The mean of all elements, as a scalar `Var` (NaN for an empty
    /// tensor).
    ///
    /// Derivative: `1/n` for every element.
    ///
    /// ```
    /// use adjoint_ndarray::{Tensor, TensorGradients};
    /// use adjoint_tape::Tape;
    /// use ndarray::array;
    ///
    /// let tape = Tape::new();
    /// let x = Tensor::var(&tape, array![1.0, 2.0, 3.0, 6.0]);
    /// let m = x.mean();
    /// assert_eq!(m.value(), 3.0);
    /// assert_eq!(m.gradient().wrt_tensor(&x), array![0.25, 0.25, 0.25, 0.25].into_dyn());
    /// ```
    pub fn mean(&self) -> Var<'t> {
        self.reduce_sum(None, (self.len() as f64).recip())
            .to_scalar()
    }

    /// The sums along `axis`: a tensor without that axis.
    ///
    /// Derivative: each element's adjoint is its lane's cotangent.
    ///
    /// ```
    /// use adjoint_ndarray::{Tensor, TensorGradients};
    /// use adjoint_tape::Tape;
    /// use ndarray::array;
    ///
    /// let tape = Tape::new();
    /// let x = Tensor::var(&tape, array![[1.0, 2.0], [3.0, 4.0]]);
    /// let s = x.sum_axis(0);
    /// assert_eq!(s.value(), &array![4.0, 6.0].into_dyn());
    /// let loss = (&s * &Tensor::constant(array![1.0, 10.0])).sum();
    /// assert_eq!(loss.gradient().wrt_tensor(&x), array![[1.0, 10.0], [1.0, 10.0]].into_dyn());
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `axis` is not below [`ndim`](Self::ndim).
    #[track_caller]
    pub fn sum_axis(&self, axis: usize) -> Tensor<'t> {
        expect_ok(check_axis("sum_axis", axis, self.ndim()));
        self.reduce_sum(Some(axis), 1.0)
    }

    /// The means along `axis`: a tensor without that axis.
    ///
    /// Derivative: each element's adjoint is its lane's cotangent divided
    /// by the lane's length.
    ///
    /// ```
    /// use adjoint_ndarray::Tensor;
    /// use ndarray::array;
    ///
    /// let x = Tensor::constant(array![[1.0, 2.0], [3.0, 4.0]]);
    /// assert_eq!(x.mean_axis(1).value(), &array![1.5, 3.5].into_dyn());
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `axis` is not below [`ndim`](Self::ndim).
    #[track_caller]
    pub fn mean_axis(&self, axis: usize) -> Tensor<'t> {
        expect_ok(check_axis("mean_axis", axis, self.ndim()));
        let len = self.shape()[axis] as f64;
        self.reduce_sum(Some(axis), len.recip())
    }

    /// Records a maximum or minimum over all elements or one axis.
    fn extremum(
        &self,
        name: &'static str,
        axis: Option<usize>,
        pick: fn(f64, f64) -> f64,
    ) -> Result<Tensor<'t>, Error> {
        if let Some(axis) = axis {
            check_axis(name, axis, self.ndim())?;
        }
        let lane_len = axis.map_or(self.len(), |axis| self.shape()[axis]);
        if lane_len == 0 {
            return Err(Error::Empty {
                op: name,
                what: "element",
            });
        }
        let value = match axis {
            Some(axis) => self
                .value()
                .map_axis(Axis(axis), |lane| fold_lane(lane, pick)),
            None => {
                let m = self
                    .value()
                    .iter()
                    .copied()
                    .reduce(pick)
                    .expect("not empty");
                ArrayD::from_elem(IxDyn(&[]), m)
            }
        };
        let value = PooledArray::shared(value);
        let (Some(tape), Some(input)) = (self.tape(), self.slot()) else {
            return Ok(Tensor::constant_arc(value));
        };
        let op = Extremum {
            name,
            input,
            axis,
            x: Arc::clone(self.value_arc()),
            out: Arc::clone(&value),
        };
        Ok(Tensor::record(tape, value, op))
    }

    /// The largest element, as a scalar `Var`. NaNs are ignored, as
    /// `f64::max` ignores them, unless all elements are NaN.
    ///
    /// Derivative: 1 for the largest element; at a tie of `k` elements each
    /// gets `1/k` (for two elements this is the scalar `max`'s split in
    /// halves).
    ///
    /// ```
    /// use adjoint_ndarray::{Tensor, TensorGradients};
    /// use adjoint_tape::Tape;
    /// use ndarray::array;
    ///
    /// let tape = Tape::new();
    /// let x = Tensor::var(&tape, array![3.0, 1.0, 3.0]);
    /// let m = x.max();
    /// assert_eq!(m.value(), 3.0);
    /// assert_eq!(m.gradient().wrt_tensor(&x), array![0.5, 0.0, 0.5].into_dyn());
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if the tensor is empty.
    #[track_caller]
    pub fn max(&self) -> Var<'t> {
        expect_ok(self.extremum("max", None, f64::max)).to_scalar()
    }

    /// The smallest element, as a scalar `Var`, with the tie and NaN
    /// conventions of [`max`](Self::max).
    ///
    /// ```
    /// use adjoint_ndarray::Tensor;
    /// use ndarray::array;
    ///
    /// assert_eq!(Tensor::constant(array![3.0, 1.0]).min().value(), 1.0);
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if the tensor is empty.
    #[track_caller]
    pub fn min(&self) -> Var<'t> {
        expect_ok(self.extremum("min", None, f64::min)).to_scalar()
    }

    /// The maxima along `axis`: a tensor without that axis, with the tie
    /// and NaN conventions of [`max`](Self::max) in each lane.
    ///
    /// ```
    /// use adjoint_ndarray::{Tensor, TensorGradients};
    /// use adjoint_tape::Tape;
    /// use ndarray::array;
    ///
    /// let tape = Tape::new();
    /// let x = Tensor::var(&tape, array![[1.0, 5.0], [7.0, 2.0]]);
    /// let m = x.max_axis(1);
    /// assert_eq!(m.value(), &array![5.0, 7.0].into_dyn());
    /// assert_eq!(m.sum().gradient().wrt_tensor(&x), array![[0.0, 1.0], [1.0, 0.0]].into_dyn());
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `axis` is not below [`ndim`](Self::ndim) or the axis has
    /// length 0.
    #[track_caller]
    pub fn max_axis(&self, axis: usize) -> Tensor<'t> {
        expect_ok(self.extremum("max_axis", Some(axis), f64::max))
    }

    /// The minima along `axis`, with the conventions of
    /// [`max`](Self::max).
    ///
    /// ```
    /// use adjoint_ndarray::Tensor;
    /// use ndarray::array;
    ///
    /// let x = Tensor::constant(array![[1.0, 5.0], [7.0, 2.0]]);
    /// assert_eq!(x.min_axis(0).value(), &array![1.0, 2.0].into_dyn());
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `axis` is not below [`ndim`](Self::ndim) or the axis has
    /// length 0.
    #[track_caller]
    pub fn min_axis(&self, axis: usize) -> Tensor<'t> {
        expect_ok(self.extremum("min_axis", Some(axis), f64::min))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use adjoint_tape::Tape;
    use ndarray::array;

    #[test]
    fn max_of_transposed_value_reads_logical_order() {
        let tape = Tape::new();
        let x = Tensor::var(&tape, array![[1.0, 9.0], [3.0, 4.0]]);
        let xt = x.t();
        let m = xt.max();
        assert_eq!(m.value(), 9.0);
        let g = m.gradient();
        use crate::TensorGradients;
        assert_eq!(g.wrt_tensor(&x), array![[0.0, 1.0], [0.0, 0.0]].into_dyn());
    }

    #[test]
    fn max_of_nans_only_splits_between_them() {
        let tape = Tape::new();
        let x = Tensor::var(&tape, array![f64::NAN, f64::NAN]);
        let m = x.max();
        assert!(m.value().is_nan());
        assert_eq!(m.gradient().adjoints()[..2], [0.5, 0.5]);
    }

    #[test]
    #[should_panic(expected = "max: needs at least one element")]
    fn max_of_empty_panics() {
        let _ = Tensor::constant(ndarray::Array1::<f64>::zeros(0)).max();
    }
}
