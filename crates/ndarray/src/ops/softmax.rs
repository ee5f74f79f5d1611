//! `log_sum_exp`, `softmax` and `log_softmax` along an axis, in the stable
//! forms that subtract each lane's maximum before exponentiating.
//!
//! Each lane follows the conventions of the scalar
//! `adjoint_tape::log_sum_exp`: a NaN makes the lane NaN; a lane of `-inf`
//! only has log-sum-exp `-inf` and weights 0; `+inf` elements share the
//! weight evenly. The weights `∂ lse/∂xᵢ` are the softmax.

use std::sync::Arc;

use adjoint_tape::CustomOp;
use ndarray::{ArrayD, ArrayView1, ArrayViewMut1, Axis, IxDyn, Zip};

use crate::error::{Error, expect_ok};
use crate::ops::reduce::check_axis;
use crate::pool::{self, PooledArray};
use crate::tensor::{Slot, Tensor, cotangent_view};

/// Writes the softmax weights of `lane` into `weights` and returns its
/// log-sum-exp.
fn lse_lane(lane: ArrayView1<'_, f64>, mut weights: ArrayViewMut1<'_, f64>) -> f64 {
    if lane.iter().any(|x| x.is_nan()) {
        weights.fill(f64::NAN);
        return f64::NAN;
    }
    let max = lane.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY {
        weights.fill(0.0);
        return max;
    }
    if max == f64::INFINITY {
        let count = lane.iter().filter(|&&x| x == max).count();
        let share = (count as f64).recip();
        Zip::from(&mut weights)
            .and(lane)
            .for_each(|w, &x| *w = if x == max { share } else { 0.0 });
        return max;
    }
    Zip::from(&mut weights)
        .and(lane)
        .for_each(|w, &x| *w = (x - max).exp());
    let total = weights.sum();
    weights.mapv_inplace(|w| w / total);
    max + total.ln()
}

/// The softmax weights along `axis` and the log-sum-exp of every lane.
pub(crate) fn lse_and_weights(x: &ArrayD<f64>, axis: usize) -> (ArrayD<f64>, ArrayD<f64>) {
    let mut weights = pool::zeros(x.raw_dim());
    let mut lane_shape = x.shape().to_vec();
    lane_shape.remove(axis);
    let mut lse = pool::zeros(IxDyn(&lane_shape));
    Zip::from(weights.lanes_mut(Axis(axis)))
        .and(x.lanes(Axis(axis)))
        .and(&mut lse)
        .for_each(|w, x, l| *l = lse_lane(x, w));
    (lse, weights)
}

/// The function a [`Softmax`] node records.
#[derive(Clone, Copy)]
enum Kind {
    LogSumExp,
    Softmax,
    LogSoftmax,
}

/// A softmax-family node; `weights` is the softmax of the input along
/// `axis`.
struct Softmax {
    kind: Kind,
    input: Slot,
    axis: usize,
    weights: Arc<PooledArray>,
    shape: IxDyn,
}

impl CustomOp<f64> for Softmax {
    fn name(&self) -> &'static str {
        match self.kind {
            Kind::LogSumExp => "log_sum_exp",
            Kind::Softmax => "softmax",
            Kind::LogSoftmax => "log_softmax",
        }
    }

    fn vjp(&self, cotangent: &[f64], adjoints: &mut [f64]) {
        let g = cotangent_view(&self.shape, cotangent);
        let axis = Axis(self.axis);
        let mut adjoint = self.input.adjoint_mut(adjoints);
        match self.kind {
            // x̄ += ḡ s
            Kind::LogSumExp => Zip::from(&mut adjoint)
                .and(&**self.weights)
                .and_broadcast(&g.insert_axis(axis))
                .for_each(|a, &s, &g| *a += g * s),
            // x̄ += s ⊙ (ḡ - Σ ḡ s)
            Kind::Softmax => Zip::from(adjoint.lanes_mut(axis))
                .and(self.weights.lanes(axis))
                .and(g.lanes(axis))
                .for_each(|a, s, g| {
                    let inner = s.dot(&g);
                    Zip::from(a)
                        .and(s)
                        .and(g)
                        .for_each(|a, &s, &g| *a += s * (g - inner));
                }),
            // x̄ += ḡ - s Σ ḡ
            Kind::LogSoftmax => Zip::from(adjoint.lanes_mut(axis))
                .and(self.weights.lanes(axis))
                .and(g.lanes(axis))
                .for_each(|a, s, g| {
                    let total = g.sum();
                    Zip::from(a)
                        .and(s)
                        .and(g)
                        .for_each(|a, &s, &g| *a += g - s * total);
                }),
        }
    }
}

impl<'t> Tensor<'t> {
    fn softmax_family(
        &self,
        kind: Kind,
        op: &'static str,
        axis: usize,
    ) -> Result<Tensor<'t>, Error> {
        check_axis(op, axis, self.ndim())?;
        let (lse, weights) = lse_and_weights(self.value(), axis);
        let weights = PooledArray::shared(weights);
        let value = match kind {
            Kind::LogSumExp => PooledArray::shared(lse),
            Kind::Softmax => {
                drop(PooledArray::new(lse));
                Arc::clone(&weights)
            }
            Kind::LogSoftmax => {
                let lse = PooledArray::new(lse.insert_axis(Axis(axis)));
                let mut value = pool::zeros(self.value().raw_dim());
                Zip::from(&mut value)
                    .and(self.value())
                    .and_broadcast(&*lse)
                    // A lane of only -inf has lse = -inf; its log-softmax is
                    // -inf (not -inf - -inf = NaN), so that exp(log_softmax)
                    // equals the zeros that softmax gives there.
                    .for_each(|v, &x, &l| *v = if l == f64::NEG_INFINITY { l } else { x - l });
                PooledArray::shared(value)
            }
        };
        let (Some(tape), Some(input)) = (self.tape(), self.slot()) else {
            return Ok(Tensor::constant_arc(value));
        };
        let shape = value.raw_dim();
        let op = Softmax {
            kind,
            input,
            axis,
            weights,
            shape,
        };
        Ok(Tensor::record(tape, value, op))
    }

    /// `ln Σ exp(xᵢ)` along `axis`, computed as `m + ln Σ exp(xᵢ - m)` with
    /// `m` the lane's maximum, so it neither overflows nor underflows to
    /// `-inf`. The result has no `axis`.
    ///
    /// Derivative: the softmax of the lane. A lane of `-inf` only gives
    /// `-inf` with derivative 0, `+inf` elements share the derivative
    /// evenly, and a NaN makes the lane's value and derivative NaN.
    ///
    /// ```
    /// use adjoint_ndarray::{Tensor, TensorGradients};
    /// use adjoint_tape::Tape;
    /// use ndarray::array;
    ///
    /// let tape = Tape::new();
    /// let x = Tensor::var(&tape, array![[1000.0, 1000.0], [0.0, f64::NEG_INFINITY]]);
    /// let l = x.log_sum_exp(1);
    /// assert_eq!(l.value(), &array![1000.0 + 2.0_f64.ln(), 0.0].into_dyn());
    /// let g = l.sum().gradient().wrt_tensor(&x);
    /// assert_eq!(g, array![[0.5, 0.5], [1.0, 0.0]].into_dyn());
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `axis` is not below [`ndim`](Self::ndim).
    #[track_caller]
    pub fn log_sum_exp(&self, axis: usize) -> Tensor<'t> {
        expect_ok(self.softmax_family(Kind::LogSumExp, "log_sum_exp", axis))
    }

    /// The softmax `exp(xᵢ - lse(x))` along `axis`, from the stable
    /// log-sum-exp; a lane of `-inf` only gives weights 0.
    ///
    /// Derivative: `x̄ = s ⊙ (ḡ - Σ ḡ s)` per lane, which is exactly 0 for a
    /// lane whose softmax is one-hot and whose cotangent is constant.
    ///
    /// ```
    /// use adjoint_ndarray::{Tensor, TensorGradients};
    /// use adjoint_tape::Tape;
    /// use ndarray::array;
    ///
    /// let tape = Tape::new();
    /// let o = Tensor::var(&tape, array![-1047.0, -981.0, 1891.0]);
    /// let s = o.softmax(0);
    /// assert_eq!(s.value(), &array![0.0, 0.0, 1.0].into_dyn());
    /// // The softmax sums to 1 whatever o is, so the gradient is 0.
    /// assert_eq!(s.sum().gradient().wrt_tensor(&o), array![0.0, 0.0, 0.0].into_dyn());
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `axis` is not below [`ndim`](Self::ndim).
    #[track_caller]
    pub fn softmax(&self, axis: usize) -> Tensor<'t> {
        expect_ok(self.softmax_family(Kind::Softmax, "softmax", axis))
    }

    /// The log-softmax `xᵢ - lse(x)` along `axis`, from the stable
    /// log-sum-exp. A lane whose entries are all `-inf` gives `-inf`
    /// entries, matching the zeros of [`softmax`](Self::softmax) there.
    ///
    /// Derivative: `x̄ = ḡ - s Σ ḡ` per lane, with `s` the softmax.
    ///
    /// ```
    /// use adjoint_ndarray::{Tensor, TensorGradients};
    /// use adjoint_tape::Tape;
    /// use ndarray::array;
    ///
    /// let tape = Tape::new();
    /// let o = Tensor::var(&tape, array![-431.0, 279.0, 427.0]);
    /// let loss = -o.log_softmax(0).get(&[0]);
    /// assert_eq!(loss.value(), 858.0);
    /// let g = loss.gradient().wrt_tensor(&o);
    /// assert_eq!(g, array![-1.0, (-148.0_f64).exp(), 1.0].into_dyn());
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `axis` is not below [`ndim`](Self::ndim).
    #[track_caller]
    pub fn log_softmax(&self, axis: usize) -> Tensor<'t> {
        expect_ok(self.softmax_family(Kind::LogSoftmax, "log_softmax", axis))
    }
}
