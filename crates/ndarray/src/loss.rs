//! Loss functions, each one fused node with its own vjp and a scalar `Var`
//! output: mean squared error, binary cross-entropy from logits and
//! cross-entropy from logits with class labels.
//!
//! The losses from logits use the stable forms (softplus and log-sum-exp),
//! so logits of any size give finite values and gradients.

use std::sync::Arc;

use adjoint_tape::{CustomOp, Var, rules};
use ndarray::{ArrayD, Axis, IxDyn, Zip};

use crate::error::{Error, expect_ok};
use crate::ops::softmax::lse_and_weights;
use crate::pool::PooledArray;
use crate::tensor::{Slot, Tensor, common_tape, shape_vec};

/// Checks that two loss operands have the same shape.
fn check_same_shape(op: &'static str, left: &Tensor<'_>, right: &Tensor<'_>) -> Result<(), Error> {
    if left.shape() == right.shape() {
        Ok(())
    } else {
        Err(Error::ShapeMismatch {
            op,
            left: shape_vec(left.shape()),
            right: shape_vec(right.shape()),
            reason: "the prediction and the target must have the same shape".into(),
        })
    }
}

/// Records a loss node with value `value` and the vjp `op`, unless both
/// operands are constants.
fn record_loss<'t>(
    tapes: impl IntoIterator<Item = Option<&'t adjoint_tape::Tape>>,
    op_name: &'static str,
    value: f64,
    op: impl FnOnce() -> Box<dyn CustomOp<f64>>,
) -> Var<'t> {
    let value = PooledArray::shared(ArrayD::from_elem(IxDyn(&[]), value));
    match common_tape(op_name, tapes) {
        Some(tape) => {
            let start = tape.push_custom(1, op());
            Tensor::on_tape(tape, start, value).to_scalar()
        }
        None => Var::constant(value[IxDyn(&[])]),
    }
}

/// `mean((p - t)²)`, with `diff = p - t` kept for the vjp.
struct Mse {
    prediction: Option<Slot>,
    target: Option<Slot>,
    diff: ArrayD<f64>,
}

impl CustomOp<f64> for Mse {
    fn name(&self) -> &'static str {
        "mse"
    }

    fn vjp(&self, cotangent: &[f64], adjoints: &mut [f64]) {
        let scale = 2.0 * cotangent[0] / self.diff.len() as f64;
        if let Some(slot) = &self.prediction {
            Zip::from(&mut slot.adjoint_mut(adjoints))
                .and(&self.diff)
                .for_each(|a, &d| *a += scale * d);
        }
        if let Some(slot) = &self.target {
            Zip::from(&mut slot.adjoint_mut(adjoints))
                .and(&self.diff)
                .for_each(|a, &d| *a -= scale * d);
        }
    }
}

/// The mean squared error `mean((prediction - target)²)` over all
/// elements (NaN for empty tensors).
///
/// Derivative: `2 (p - t) / n` for the prediction and its negative for the
/// target.
///
/// ```
/// use adjoint_ndarray::{Tensor, TensorGradients, loss};
/// use adjoint_tape::Tape;
/// use ndarray::array;
///
/// let tape = Tape::new();
/// let p = Tensor::var(&tape, array![1.0, 2.0]);
/// let t = Tensor::constant(array![0.0, 4.0]);
/// let l = loss::mse(&p, &t);
/// assert_eq!(l.value(), 2.5);
/// assert_eq!(l.gradient().wrt_tensor(&p), array![1.0, -2.0].into_dyn());
/// ```
///
/// # Panics
///
/// Panics if the shapes differ (no broadcasting, so that a column of
/// predictions against a row of targets is caught), naming both.
#[track_caller]
pub fn mse<'t>(prediction: &Tensor<'t>, target: &Tensor<'t>) -> Var<'t> {
    expect_ok(try_mse(prediction, target))
}

/// The mean squared error, or an error for different shapes.
///
/// # Errors
///
/// [`Error::ShapeMismatch`] if the shapes differ.
///
/// ```
/// use adjoint_ndarray::{Error, Tensor, loss};
/// use ndarray::array;
///
/// let p = Tensor::constant(array![[1.0], [2.0]]);
/// let t = Tensor::constant(array![1.0, 2.0]);
/// assert!(matches!(loss::try_mse(&p, &t), Err(Error::ShapeMismatch { op: "mse", .. })));
/// ```
pub fn try_mse<'t>(prediction: &Tensor<'t>, target: &Tensor<'t>) -> Result<Var<'t>, Error> {
    check_same_shape("mse", prediction, target)?;
    let diff = Zip::from(prediction.value())
        .and(target.value())
        .map_collect(|&p, &t| p - t);
    let value = diff.iter().map(|d| d * d).sum::<f64>() / diff.len() as f64;
    Ok(record_loss(
        [prediction.tape(), target.tape()],
        "mse",
        value,
        || {
            Box::new(Mse {
                prediction: prediction.slot(),
                target: target.slot(),
                diff,
            })
        },
    ))
}

/// `mean(softplus(x) - t x)`.
struct BinaryCrossEntropy {
    logits: Option<Slot>,
    targets: Option<Slot>,
    x: Arc<PooledArray>,
    t: Arc<PooledArray>,
}

impl CustomOp<f64> for BinaryCrossEntropy {
    fn name(&self) -> &'static str {
        "binary_cross_entropy_with_logits"
    }

    fn vjp(&self, cotangent: &[f64], adjoints: &mut [f64]) {
        let scale = cotangent[0] / self.x.len() as f64;
        if let Some(slot) = &self.logits {
            Zip::from(&mut slot.adjoint_mut(adjoints))
                .and(&**self.x)
                .and(&**self.t)
                .for_each(|a, &x, &t| *a += scale * (rules::sigmoid_value(x) - t));
        }
        if let Some(slot) = &self.targets {
            Zip::from(&mut slot.adjoint_mut(adjoints))
                .and(&**self.x)
                .for_each(|a, &x| *a -= scale * x);
        }
    }
}

/// Binary cross-entropy from logits, averaged over all elements:
/// `mean(-t ln σ(x) - (1 - t) ln(1 - σ(x)))`, computed as
/// `mean(softplus(x) - t x)` so that no logit overflows or takes `ln 0`.
///
/// Derivative: `(σ(x) - t)/n` for the logits and `-x/n` for the targets.
///
/// ```
/// use adjoint_ndarray::{Tensor, TensorGradients, loss};
/// use adjoint_tape::Tape;
/// use ndarray::array;
///
/// let tape = Tape::new();
/// let x = Tensor::var(&tape, array![0.0, 800.0]);
/// let t = Tensor::constant(array![1.0, 0.0]);
/// let l = loss::binary_cross_entropy_with_logits(&x, &t);
/// assert_eq!(l.value(), (2.0_f64.ln() + 800.0) / 2.0);
/// assert_eq!(l.gradient().wrt_tensor(&x), array![-0.25, 0.5].into_dyn());
/// ```
///
/// # Panics
///
/// Panics if the shapes differ, naming both.
#[track_caller]
pub fn binary_cross_entropy_with_logits<'t>(logits: &Tensor<'t>, targets: &Tensor<'t>) -> Var<'t> {
    expect_ok(try_binary_cross_entropy_with_logits(logits, targets))
}

/// Binary cross-entropy from logits, or an error for different shapes.
///
/// # Errors
///
/// [`Error::ShapeMismatch`] if the shapes differ.
///
/// ```
/// use adjoint_ndarray::{Tensor, loss};
/// use ndarray::array;
///
/// let x = Tensor::constant(array![0.0]);
/// assert!(loss::try_binary_cross_entropy_with_logits(&x, &Tensor::constant(array![1.0, 0.0])).is_err());
/// ```
pub fn try_binary_cross_entropy_with_logits<'t>(
    logits: &Tensor<'t>,
    targets: &Tensor<'t>,
) -> Result<Var<'t>, Error> {
    let op = "binary_cross_entropy_with_logits";
    check_same_shape(op, logits, targets)?;
    let total: f64 = Zip::from(logits.value())
        .and(targets.value())
        .fold(0.0, |acc, &x, &t| acc + rules::softplus(x).0 - t * x);
    let value = total / logits.len() as f64;
    Ok(record_loss(
        [logits.tape(), targets.tape()],
        op,
        value,
        || {
            Box::new(BinaryCrossEntropy {
                logits: logits.slot(),
                targets: targets.slot(),
                x: Arc::clone(logits.value_arc()),
                t: Arc::clone(targets.value_arc()),
            })
        },
    ))
}

/// `mean_i(lse(xᵢ) - xᵢ[labelᵢ])`, with the softmax kept for the vjp.
struct CrossEntropy {
    logits: Slot,
    softmax: ArrayD<f64>,
    labels: Vec<usize>,
}

impl CustomOp<f64> for CrossEntropy {
    fn name(&self) -> &'static str {
        "cross_entropy_with_logits"
    }

    fn vjp(&self, cotangent: &[f64], adjoints: &mut [f64]) {
        let scale = cotangent[0] / self.labels.len() as f64;
        let mut adjoint = self.logits.adjoint_mut(adjoints);
        for (row, &label) in self.labels.iter().enumerate() {
            let (mut a, s) = if adjoint.ndim() == 2 {
                (
                    adjoint.index_axis_mut(Axis(0), row),
                    self.softmax.index_axis(Axis(0), row),
                )
            } else {
                (adjoint.view_mut(), self.softmax.view())
            };
            Zip::from(&mut a).and(&s).for_each(|a, &s| *a += scale * s);
            a[label] -= scale;
        }
    }
}

/// Cross-entropy from logits with integer class labels, averaged over the
/// rows: `mean_i(-log_softmax(xᵢ)[labelᵢ])`, computed from the stable
/// log-sum-exp. `logits` is a matrix of shape `(rows, classes)` with one
/// label per row, or a vector of `classes` logits with one label.
///
/// Derivative: `(softmax(xᵢ) - onehot(labelᵢ))/rows` for row `i`.
///
/// ```
/// use adjoint_ndarray::{Tensor, TensorGradients, loss};
/// use adjoint_tape::Tape;
/// use ndarray::array;
///
/// let tape = Tape::new();
/// let o = Tensor::var(&tape, array![[-431.0, 279.0, 427.0]]);
/// let l = loss::cross_entropy_with_logits(&o, &[0]);
/// assert_eq!(l.value(), 858.0);
/// let g = l.gradient().wrt_tensor(&o);
/// assert_eq!(g, array![[-1.0, 5.301718666092324e-65, 1.0]].into_dyn());
/// ```
///
/// # Panics
///
/// Panics if `logits` is not a vector or a matrix, the number of labels
/// differs from the number of rows, or a label is not below the number of
/// classes.
#[track_caller]
pub fn cross_entropy_with_logits<'t>(logits: &Tensor<'t>, labels: &[usize]) -> Var<'t> {
    expect_ok(try_cross_entropy_with_logits(logits, labels))
}

/// Cross-entropy from logits with class labels, or an error.
///
/// # Errors
///
/// [`Error::InvalidShape`] if `logits` is not a vector or a matrix,
/// [`Error::LengthMismatch`] if the number of labels differs from the
/// number of rows (1 for a vector), [`Error::IndexOutOfRange`] for a label
/// that is not below the number of classes, and [`Error::Empty`] for no
/// classes.
///
/// ```
/// use adjoint_ndarray::{Error, Tensor, loss};
/// use ndarray::array;
///
/// let o = Tensor::constant(array![[1.0, 2.0], [3.0, 4.0]]);
/// let error = loss::try_cross_entropy_with_logits(&o, &[0, 2]).unwrap_err();
/// assert!(matches!(error, Error::IndexOutOfRange { index: 2, len: 2, .. }));
///
/// let row = Tensor::constant(array![1.0, 2.0, 3.0]);
/// let error = loss::try_cross_entropy_with_logits(&row, &[0, 1, 2]).unwrap_err();
/// assert_eq!(
///     error.to_string(),
///     "cross_entropy_with_logits: expected 1 labels, one per row of the logits \
///      (a vector is one row), got 3"
/// );
/// ```
pub fn try_cross_entropy_with_logits<'t>(
    logits: &Tensor<'t>,
    labels: &[usize],
) -> Result<Var<'t>, Error> {
    let op = "cross_entropy_with_logits";
    let rows = match logits.ndim() {
        1 => 1,
        2 => logits.shape()[0],
        _ => {
            return Err(Error::InvalidShape {
                op,
                shape: shape_vec(logits.shape()),
                expected: "a matrix (rows, classes) or a vector of classes",
            });
        }
    };
    let classes = logits.shape()[logits.ndim() - 1];
    if classes == 0 {
        return Err(Error::Empty { op, what: "class" });
    }
    if labels.len() != rows {
        return Err(Error::LengthMismatch {
            op,
            counted: "labels, one per row of the logits (a vector is one row)",
            expected: rows,
            found: labels.len(),
        });
    }
    if let Some(&label) = labels.iter().find(|&&l| l >= classes) {
        return Err(Error::IndexOutOfRange {
            op,
            index: label,
            len: classes,
        });
    }
    let class_axis = logits.ndim() - 1;
    let (lse, softmax) = lse_and_weights(logits.value(), class_axis);
    let total: f64 = labels
        .iter()
        .enumerate()
        .map(|(row, &label)| {
            if logits.ndim() == 2 {
                lse[[row]] - logits.value()[[row, label]]
            } else {
                lse[IxDyn(&[])] - logits.value()[[label]]
            }
        })
        .sum();
    let value = total / rows as f64;
    Ok(record_loss([logits.tape()], op, value, || {
        Box::new(CrossEntropy {
            logits: logits.slot().expect("a tensor on a tape has a slot"),
            softmax,
            labels: labels.to_vec(),
        })
    }))
}
