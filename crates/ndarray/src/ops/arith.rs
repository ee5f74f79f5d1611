//! Elementwise arithmetic with NumPy broadcasting: `+ - * /` between
//! tensors, with `f64` constants and with scalar `Var`s, and elementwise
//! `maximum`/`minimum`.
//!
//! The partial derivatives come from `adjoint_tape::rules`, so ties of
//! `maximum` split the adjoint in halves as the scalar `max` does. The
//! adjoint of a broadcast operand is summed back to its own shape.

use std::ops::{Add, Div, Mul, Neg, Sub};
use std::sync::Arc;

use adjoint_tape::{CustomOp, Var, rules};
use ndarray::{ArrayD, Dimension, IxDyn, Zip};

use crate::error::{Error, expect_ok};
use crate::kernels::{
    add_binary_partial, add_product_pair, add_scaled, add_signed_pair, extend_zip,
};
use crate::ops::broadcast::{add_reduced, add_reduced_slot, broadcast_shape, broadcasts_as_blocks};
use crate::pool::{self, PooledArray};
use crate::tensor::{Slot, Tensor, common_tape, cotangent_view};

/// The elementwise binary operations.
#[derive(Clone, Copy, Debug)]
enum BinaryKind {
    Add,
    Sub,
    Mul,
    Div,
    Maximum,
    Minimum,
}

impl BinaryKind {
    fn name(self) -> &'static str {
        match self {
            Self::Add => "add",
            Self::Sub => "sub",
            Self::Mul => "mul",
            Self::Div => "div",
            Self::Maximum => "maximum",
            Self::Minimum => "minimum",
        }
    }

    /// The value and both partials at `(x, y)`.
    #[inline]
    fn rule(self, x: f64, y: f64) -> (f64, f64, f64) {
        match self {
            Self::Add => rules::add(x, y),
            Self::Sub => rules::sub(x, y),
            Self::Mul => rules::mul(x, y),
            Self::Div => rules::div(x, y),
            Self::Maximum => rules::max(x, y),
            Self::Minimum => rules::min(x, y),
        }
    }
}

/// A recorded binary operation; operands are kept broadcastable to `shape`.
struct Binary {
    kind: BinaryKind,
    left: Option<Slot>,
    right: Option<Slot>,
    /// The operands' values, kept for the kinds whose partials read them:
    /// all but `+` and `-`. Those free an operand's value as soon as no
    /// tensor refers to it.
    values: Option<(Arc<PooledArray>, Arc<PooledArray>)>,
    shape: IxDyn,
}

/// Returns the elements of `array` in row-major order, if it has exactly
/// `shape` and standard layout.
fn flat<'a>(array: &'a ArrayD<f64>, shape: &IxDyn) -> Option<&'a [f64]> {
    if array.shape() == shape.slice() {
        array.as_slice()
    } else {
        None
    }
}

impl Binary {
    /// Adds `g ⊙ partial(x, y)` into `slot`'s adjoint, summed back over the
    /// axes the operand was broadcast along.
    #[inline]
    fn accumulate(
        &self,
        slot: &Slot,
        adjoints: &mut [f64],
        cotangent: &[f64],
        partial: impl Fn(f64, f64) -> f64,
    ) {
        let (lhs, rhs) = self
            .values
            .as_ref()
            .expect("the values are kept for every kind whose partials read them");
        let same_shape = slot.shape == self.shape;
        if let (true, Some(xs), Some(ys)) =
            (same_shape, flat(lhs, &self.shape), flat(rhs, &self.shape))
        {
            add_binary_partial(slot.adjoint_slice(adjoints), cotangent, xs, ys, partial);
            return;
        }
        // The zero-adjoint rule of the scalar sweep, as in `add_binary_partial`.
        let term = |g: f64, x: f64, y: f64| if g == 0.0 { 0.0 } else { g * partial(x, y) };
        let g = cotangent_view(&self.shape, cotangent);
        let lhs = lhs.broadcast(self.shape.clone()).expect("checked");
        let rhs = rhs.broadcast(self.shape.clone()).expect("checked");
        let mut adjoint = slot.adjoint_mut(adjoints);
        if same_shape {
            Zip::from(&mut adjoint)
                .and(&g)
                .and(&lhs)
                .and(&rhs)
                .for_each(|a, &g, &x, &y| *a += term(g, x, y));
        } else {
            let mut contribution = pool::zeros(self.shape.clone());
            Zip::from(&mut contribution)
                .and(&g)
                .and(&lhs)
                .and(&rhs)
                .for_each(|c, &g, &x, &y| *c = term(g, x, y));
            add_reduced(&mut adjoint, contribution.view(), 1.0);
            drop(PooledArray::new(contribution));
        }
    }
}

impl Binary {
    /// Adds both operands' contributions in one loop over the cotangent and
    /// returns whether it did. It does for `+`, `-` and `*` when both
    /// operands are on the tape, with the output's shape and in disjoint
    /// node ranges, and for `*` when both values are in standard layout.
    fn vjp_both_in_one_pass(&self, cotangent: &[f64], adjoints: &mut [f64]) -> bool {
        let (Some(left), Some(right)) = (&self.left, &self.right) else {
            return false;
        };
        if left.shape != self.shape || right.shape != self.shape {
            return false;
        }
        let Some((left_adjoint, right_adjoint)) = disjoint_adjoints(adjoints, left, right) else {
            return false;
        };
        match (self.kind, &self.values) {
            (BinaryKind::Add, _) => add_signed_pair(left_adjoint, right_adjoint, cotangent, 1.0),
            (BinaryKind::Sub, _) => add_signed_pair(left_adjoint, right_adjoint, cotangent, -1.0),
            (BinaryKind::Mul, Some((lhs, rhs))) => {
                let (Some(xs), Some(ys)) = (lhs.as_slice(), rhs.as_slice()) else {
                    return false;
                };
                add_product_pair(left_adjoint, right_adjoint, cotangent, xs, ys);
            }
            _ => return false,
        }
        true
    }
}

/// Splits out the adjoints of two operands as separate mutable slices, or
/// returns `None` when their node ranges overlap.
fn disjoint_adjoints<'a>(
    adjoints: &'a mut [f64],
    first: &Slot,
    second: &Slot,
) -> Option<(&'a mut [f64], &'a mut [f64])> {
    let (first_end, second_end) = (first.start + first.len(), second.start + second.len());
    if first_end <= second.start {
        let (below, above) = adjoints.split_at_mut(second.start);
        Some((
            &mut below[first.start..first_end],
            &mut above[..second.len()],
        ))
    } else if second_end <= first.start {
        let (below, above) = adjoints.split_at_mut(first.start);
        Some((
            &mut above[..first.len()],
            &mut below[second.start..second_end],
        ))
    } else {
        None
    }
}

impl CustomOp<f64> for Binary {
    fn name(&self) -> &'static str {
        self.kind.name()
    }

    fn vjp(&self, cotangent: &[f64], adjoints: &mut [f64]) {
        // Each kind gets its own loop so that the per-element partials are
        // inlined; the constant partials of `+` and `-` need no partials at
        // all.
        if self.vjp_both_in_one_pass(cotangent, adjoints) {
            return;
        }
        match self.kind {
            BinaryKind::Add | BinaryKind::Sub => {
                if let Some(slot) = &self.left {
                    add_reduced_slot(slot, adjoints, &self.shape, cotangent, 1.0);
                }
                if let Some(slot) = &self.right {
                    let sign = if matches!(self.kind, BinaryKind::Add) {
                        1.0
                    } else {
                        -1.0
                    };
                    add_reduced_slot(slot, adjoints, &self.shape, cotangent, sign);
                }
            }
            BinaryKind::Mul => {
                if let Some(slot) = &self.left {
                    self.accumulate(slot, adjoints, cotangent, |_, y| y);
                }
                if let Some(slot) = &self.right {
                    self.accumulate(slot, adjoints, cotangent, |x, _| x);
                }
            }
            kind => {
                if let Some(slot) = &self.left {
                    self.accumulate(slot, adjoints, cotangent, |x, y| kind.rule(x, y).1);
                }
                if let Some(slot) = &self.right {
                    self.accumulate(slot, adjoints, cotangent, |x, y| kind.rule(x, y).2);
                }
            }
        }
    }
}

/// Appends `kind` applied elementwise to two runs of one length, or to a
/// run and a single element, to `out`.
#[inline]
fn extend_values(kind: BinaryKind, xs: &[f64], ys: &[f64], out: &mut Vec<f64>) {
    // The same values as `rules::{add, sub, mul}`, in loops the compiler
    // can vectorize.
    match kind {
        BinaryKind::Add => extend_zip(out, xs, ys, |x, y| x + y),
        BinaryKind::Sub => extend_zip(out, xs, ys, |x, y| x - y),
        BinaryKind::Mul => extend_zip(out, xs, ys, |x, y| x * y),
        _ => extend_zip(out, xs, ys, |x, y| kind.rule(x, y).0),
    }
}

/// Returns the elements of `array` in row-major order, if it has standard
/// layout and broadcasts to `shape` by repeating as whole blocks (see
/// `broadcasts_as_blocks`).
fn block_slice<'a>(array: &'a ArrayD<f64>, shape: &IxDyn) -> Option<&'a [f64]> {
    if broadcasts_as_blocks(array.shape(), shape.slice()) {
        array.as_slice()
    } else {
        None
    }
}

/// Computes `kind` with broadcasting in row-major order, when one operand
/// has the output's `len` elements and the other repeats as whole blocks.
/// Returns `None` for other layouts.
fn block_values(kind: BinaryKind, xs: &[f64], ys: &[f64], len: usize) -> Option<Vec<f64>> {
    let mut out = pool::take(len);
    match (xs.len(), ys.len()) {
        (0, _) | (_, 0) => return None,
        (x_len, y_len) if x_len == y_len || x_len == 1 || y_len == 1 => {
            extend_values(kind, xs, ys, &mut out);
        }
        (x_len, y_len) if x_len == len => {
            for run in xs.chunks_exact(y_len) {
                extend_values(kind, run, ys, &mut out);
            }
        }
        (x_len, _) => {
            for run in ys.chunks_exact(x_len) {
                extend_values(kind, xs, run, &mut out);
            }
        }
    }
    (out.len() == len).then_some(out)
}

/// Records `kind` applied to `left` and `right` with broadcasting.
fn binary<'t>(
    kind: BinaryKind,
    left: &Tensor<'t>,
    right: &Tensor<'t>,
) -> Result<Tensor<'t>, Error> {
    let op = kind.name();
    let shape = broadcast_shape(op, left.shape(), right.shape())?;
    let tape = common_tape(op, [left.tape(), right.tape()]);
    let blocks = match (
        block_slice(left.value(), &shape),
        block_slice(right.value(), &shape),
    ) {
        (Some(xs), Some(ys)) => block_values(kind, xs, ys, shape.size()),
        _ => None,
    };
    let value = match blocks {
        Some(out) => ArrayD::from_shape_vec(shape.clone(), out).expect("one value per element"),
        None => {
            let lhs = left.value().broadcast(shape.clone()).expect("checked");
            let rhs = right.value().broadcast(shape.clone()).expect("checked");
            let mut out = pool::zeros(shape.clone());
            let zip = Zip::from(&mut out).and(&lhs).and(&rhs);
            match kind {
                BinaryKind::Add => zip.for_each(|o, &x, &y| *o = x + y),
                BinaryKind::Sub => zip.for_each(|o, &x, &y| *o = x - y),
                BinaryKind::Mul => zip.for_each(|o, &x, &y| *o = x * y),
                _ => zip.for_each(|o, &x, &y| *o = kind.rule(x, y).0),
            }
            out
        }
    };
    let value = PooledArray::shared(value);
    let Some(tape) = tape else {
        return Ok(Tensor::constant_arc(value));
    };
    Ok(Tensor::record(
        tape,
        value,
        Binary {
            kind,
            left: left.slot(),
            right: right.slot(),
            values: (!matches!(kind, BinaryKind::Add | BinaryKind::Sub))
                .then(|| (Arc::clone(left.value_arc()), Arc::clone(right.value_arc()))),
            shape,
        },
    ))
}

/// An elementwise map with a constant derivative, `y = f(x)` with
/// `∂y/∂x = factor` (adding, subtracting or multiplying by a constant).
struct Scaled {
    input: Slot,
    factor: f64,
}

impl CustomOp<f64> for Scaled {
    fn name(&self) -> &'static str {
        "scale"
    }

    fn vjp(&self, cotangent: &[f64], adjoints: &mut [f64]) {
        add_scaled(self.input.adjoint_slice(adjoints), cotangent, self.factor);
    }
}

impl<'t> Tensor<'t> {
    /// Maps each element with `f`, whose derivative is the constant
    /// `factor`.
    #[inline]
    pub(crate) fn map_scaled(&self, f: impl Fn(f64) -> f64, factor: f64) -> Tensor<'t> {
        let x = self.value();
        let value = match x.as_slice() {
            Some(xs) => pool::map_slice(x.raw_dim(), xs, f),
            None => pool::collect(x.raw_dim(), x.iter().map(|&x| f(x))),
        };
        let value = PooledArray::shared(value);
        match (self.tape(), self.slot()) {
            (Some(tape), Some(input)) => Tensor::record(tape, value, Scaled { input, factor }),
            _ => Tensor::constant_arc(value),
        }
    }

    /// Elementwise sum with broadcasting, or an error for shapes that do
    /// not broadcast. The `+` operator calls this and panics on the error.
    ///
    /// # Errors
    ///
    /// [`Error::ShapeMismatch`] if the shapes do not broadcast.
    ///
    /// ```
    /// use adjoint_ndarray::Tensor;
    /// use ndarray::array;
    ///
    /// let a = Tensor::constant(array![[1.0, 2.0], [3.0, 4.0]]);
    /// let b = Tensor::constant(array![10.0, 20.0]);
    /// assert_eq!(a.try_add(&b).unwrap().value(), &array![[11.0, 22.0], [13.0, 24.0]].into_dyn());
    /// assert!(a.try_add(&Tensor::constant(array![1.0, 2.0, 3.0])).is_err());
    /// ```
    pub fn try_add(&self, other: &Tensor<'t>) -> Result<Tensor<'t>, Error> {
        binary(BinaryKind::Add, self, other)
    }

    /// Elementwise difference with broadcasting, or an error.
    ///
    /// # Errors
    ///
    /// [`Error::ShapeMismatch`] if the shapes do not broadcast.
    ///
    /// ```
    /// use adjoint_ndarray::Tensor;
    /// use ndarray::array;
    ///
    /// let a = Tensor::constant(array![3.0, 4.0]);
    /// assert_eq!(a.try_sub(&a).unwrap().value(), &array![0.0, 0.0].into_dyn());
    /// ```
    pub fn try_sub(&self, other: &Tensor<'t>) -> Result<Tensor<'t>, Error> {
        binary(BinaryKind::Sub, self, other)
    }

    /// Elementwise (Hadamard) product with broadcasting, or an error.
    ///
    /// # Errors
    ///
    /// [`Error::ShapeMismatch`] if the shapes do not broadcast.
    ///
    /// ```
    /// use adjoint_ndarray::Tensor;
    /// use ndarray::array;
    ///
    /// let a = Tensor::constant(array![3.0, 4.0]);
    /// assert_eq!(a.try_mul(&a).unwrap().value(), &array![9.0, 16.0].into_dyn());
    /// ```
    pub fn try_mul(&self, other: &Tensor<'t>) -> Result<Tensor<'t>, Error> {
        binary(BinaryKind::Mul, self, other)
    }

    /// Elementwise quotient with broadcasting, or an error.
    ///
    /// # Errors
    ///
    /// [`Error::ShapeMismatch`] if the shapes do not broadcast.
    ///
    /// ```
    /// use adjoint_ndarray::Tensor;
    /// use ndarray::array;
    ///
    /// let a = Tensor::constant(array![3.0, 4.0]);
    /// assert_eq!(a.try_div(&a).unwrap().value(), &array![1.0, 1.0].into_dyn());
    /// ```
    pub fn try_div(&self, other: &Tensor<'t>) -> Result<Tensor<'t>, Error> {
        binary(BinaryKind::Div, self, other)
    }

    /// Elementwise maximum with broadcasting.
    ///
    /// Derivative: the adjoint goes to the larger operand; at a tie it is
    /// split in halves (as the scalar `max` does), and a NaN operand is
    /// ignored like `f64::max` ignores it.
    ///
    /// ```
    /// use adjoint_ndarray::{Tensor, TensorGradients};
    /// use adjoint_tape::Tape;
    /// use ndarray::array;
    ///
    /// let tape = Tape::new();
    /// let x = Tensor::var(&tape, array![1.0, 2.0, 3.0]);
    /// let m = x.maximum(&Tensor::constant(array![2.0]));
    /// assert_eq!(m.value(), &array![2.0, 2.0, 3.0].into_dyn());
    /// assert_eq!(m.sum().gradient().wrt_tensor(&x), array![0.0, 0.5, 1.0].into_dyn());
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if the shapes do not broadcast.
    #[track_caller]
    pub fn maximum(&self, other: &Tensor<'t>) -> Tensor<'t> {
        expect_ok(binary(BinaryKind::Maximum, self, other))
    }

    /// Elementwise minimum with broadcasting, with the tie and NaN
    /// conventions of [`maximum`](Self::maximum).
    ///
    /// ```
    /// use adjoint_ndarray::Tensor;
    /// use ndarray::array;
    ///
    /// let m = Tensor::constant(array![1.0, 3.0]).minimum(&Tensor::constant(array![2.0]));
    /// assert_eq!(m.value(), &array![1.0, 2.0].into_dyn());
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if the shapes do not broadcast.
    #[track_caller]
    pub fn minimum(&self, other: &Tensor<'t>) -> Tensor<'t> {
        expect_ok(binary(BinaryKind::Minimum, self, other))
    }

    /// Multiplies every element by the scalar variable `factor`; the same as
    /// `self * factor`.
    ///
    /// Derivative: `∂/∂x = factor` for each element, and
    /// `∂/∂factor = Σ ḡᵢ xᵢ`.
    ///
    /// ```
    /// use adjoint_ndarray::{Tensor, TensorGradients};
    /// use adjoint_tape::Tape;
    /// use ndarray::array;
    ///
    /// let tape = Tape::new();
    /// let s = tape.var(3.0);
    /// let x = Tensor::var(&tape, array![1.0, 2.0]);
    /// let loss = x.scale(s).sum();
    /// let g = loss.gradient();
    /// assert_eq!(g.wrt(s), 3.0);
    /// assert_eq!(g.wrt_tensor(&x), array![3.0, 3.0].into_dyn());
    /// ```
    pub fn scale(&self, factor: Var<'t>) -> Tensor<'t> {
        expect_ok(binary(BinaryKind::Mul, self, &Tensor::from_var(factor)))
    }
}

/// Implements a binary operator between tensors for owned and borrowed
/// operands, panicking with the shapes on a mismatch.
macro_rules! tensor_operator {
    ($trait:ident, $method:ident, $kind:expr) => {
        impl<'t> $trait<&Tensor<'t>> for &Tensor<'t> {
            type Output = Tensor<'t>;
            #[track_caller]
            fn $method(self, rhs: &Tensor<'t>) -> Tensor<'t> {
                expect_ok(binary($kind, self, rhs))
            }
        }
        impl<'t> $trait<Tensor<'t>> for Tensor<'t> {
            type Output = Tensor<'t>;
            #[track_caller]
            fn $method(self, rhs: Tensor<'t>) -> Tensor<'t> {
                expect_ok(binary($kind, &self, &rhs))
            }
        }
        impl<'t> $trait<&Tensor<'t>> for Tensor<'t> {
            type Output = Tensor<'t>;
            #[track_caller]
            fn $method(self, rhs: &Tensor<'t>) -> Tensor<'t> {
                expect_ok(binary($kind, &self, rhs))
            }
        }
        impl<'t> $trait<Tensor<'t>> for &Tensor<'t> {
            type Output = Tensor<'t>;
            #[track_caller]
            fn $method(self, rhs: Tensor<'t>) -> Tensor<'t> {
                expect_ok(binary($kind, self, &rhs))
            }
        }
        impl<'t> $trait<Var<'t>> for &Tensor<'t> {
            type Output = Tensor<'t>;
            fn $method(self, rhs: Var<'t>) -> Tensor<'t> {
                expect_ok(binary($kind, self, &Tensor::from_var(rhs)))
            }
        }
        impl<'t> $trait<Var<'t>> for Tensor<'t> {
            type Output = Tensor<'t>;
            fn $method(self, rhs: Var<'t>) -> Tensor<'t> {
                expect_ok(binary($kind, &self, &Tensor::from_var(rhs)))
            }
        }
        impl<'t> $trait<&Tensor<'t>> for Var<'t> {
            type Output = Tensor<'t>;
            fn $method(self, rhs: &Tensor<'t>) -> Tensor<'t> {
                expect_ok(binary($kind, &Tensor::from_var(self), rhs))
            }
        }
        impl<'t> $trait<Tensor<'t>> for Var<'t> {
            type Output = Tensor<'t>;
            fn $method(self, rhs: Tensor<'t>) -> Tensor<'t> {
                expect_ok(binary($kind, &Tensor::from_var(self), &rhs))
            }
        }
    };
}

tensor_operator!(Add, add, BinaryKind::Add);
tensor_operator!(Sub, sub, BinaryKind::Sub);
tensor_operator!(Mul, mul, BinaryKind::Mul);
tensor_operator!(Div, div, BinaryKind::Div);

/// Implements `tensor op f64` and `f64 op tensor` for owned and borrowed
/// tensors through a function of `(&Tensor, f64)`. The maps capture the
/// constant by value (`move`). Captured by reference, it would be loaded
/// again for every element, because the output buffer might alias it, and
/// the loop would not vectorize.
macro_rules! constant_operator {
    ($trait:ident, $method:ident, $tensor_lhs:expr, $constant_lhs:expr) => {
        impl<'t> $trait<f64> for &Tensor<'t> {
            type Output = Tensor<'t>;
            fn $method(self, c: f64) -> Tensor<'t> {
                $tensor_lhs(self, c)
            }
        }
        impl<'t> $trait<f64> for Tensor<'t> {
            type Output = Tensor<'t>;
            fn $method(self, c: f64) -> Tensor<'t> {
                $tensor_lhs(&self, c)
            }
        }
        impl<'t> $trait<&Tensor<'t>> for f64 {
            type Output = Tensor<'t>;
            fn $method(self, t: &Tensor<'t>) -> Tensor<'t> {
                $constant_lhs(self, t)
            }
        }
        impl<'t> $trait<Tensor<'t>> for f64 {
            type Output = Tensor<'t>;
            fn $method(self, t: Tensor<'t>) -> Tensor<'t> {
                $constant_lhs(self, &t)
            }
        }
    };
}

constant_operator!(
    Add,
    add,
    |t: &Tensor<'t>, c: f64| t.map_scaled(move |x| x + c, 1.0),
    |c: f64, t: &Tensor<'t>| t.map_scaled(move |x| c + x, 1.0)
);
constant_operator!(
    Sub,
    sub,
    |t: &Tensor<'t>, c: f64| t.map_scaled(move |x| x - c, 1.0),
    |c: f64, t: &Tensor<'t>| t.map_scaled(move |x| c - x, -1.0)
);
constant_operator!(
    Mul,
    mul,
    |t: &Tensor<'t>, c: f64| t.map_scaled(move |x| x * c, c),
    |c: f64, t: &Tensor<'t>| t.map_scaled(move |x| c * x, c)
);
constant_operator!(
    Div,
    div,
    |t: &Tensor<'t>, c: f64| t.map_scaled(move |x| x / c, c.recip()),
    |c: f64, t: &Tensor<'t>| t.map_rule("div", move |x| {
        let (value, _, d) = rules::div(c, x);
        (value, d)
    })
);

impl<'t> Neg for &Tensor<'t> {
    type Output = Tensor<'t>;
    fn neg(self) -> Tensor<'t> {
        self.map_scaled(|x| -x, -1.0)
    }
}

impl<'t> Neg for Tensor<'t> {
    type Output = Tensor<'t>;
    fn neg(self) -> Tensor<'t> {
        -&self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use adjoint_tape::Tape;
    use ndarray::array;

    #[test]
    #[should_panic(expected = "add: shapes [2] and [3] are incompatible")]
    fn add_mismatch_names_both_shapes() {
        let _ = Tensor::constant(array![1.0, 2.0]) + Tensor::constant(array![1.0, 2.0, 3.0]);
    }

    #[test]
    fn disjoint_adjoints_splits_in_either_order() {
        let mut adjoints = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0];
        let low = Slot {
            start: 1,
            shape: IxDyn(&[2]),
        };
        let high = Slot {
            start: 3,
            shape: IxDyn(&[2]),
        };
        let (first, second) = disjoint_adjoints(&mut adjoints, &high, &low).unwrap();
        assert_eq!(first, &[3.0, 4.0]);
        assert_eq!(second, &[1.0, 2.0]);
        let (first, second) = disjoint_adjoints(&mut adjoints, &low, &high).unwrap();
        assert_eq!(first, &[1.0, 2.0]);
        assert_eq!(second, &[3.0, 4.0]);
        let overlapping = Slot {
            start: 2,
            shape: IxDyn(&[2]),
        };
        assert!(disjoint_adjoints(&mut adjoints, &low, &overlapping).is_none());
    }

    #[test]
    fn mul_of_disjoint_tensors_in_one_pass() {
        let tape = Tape::new();
        let x = Tensor::var(&tape, array![1.0, f64::INFINITY, 3.0]);
        let y = Tensor::var(&tape, array![4.0, 5.0, 6.0]);
        let adjoints = (&y * &x).vjp(array![1.0, 0.0, 2.0].view());
        assert_eq!(adjoints.wrt(&x), array![4.0, 0.0, 12.0].into_dyn());
        assert_eq!(adjoints.wrt(&y), array![1.0, 0.0, 6.0].into_dyn());
    }

    #[test]
    fn constant_division_derivative() {
        let tape = Tape::new();
        let x = Tensor::var(&tape, array![2.0]);
        let y = 6.0 / &x;
        assert_eq!(y.value()[[0]], 3.0);
        let adjoints = y.vjp(array![1.0].view());
        assert_eq!(adjoints.wrt(&x), array![-1.5].into_dyn());
    }

    #[test]
    fn var_operands_accumulate() {
        let tape = Tape::new();
        let s = tape.var(2.0);
        let x = Tensor::var(&tape, array![1.0, 2.0, 3.0]);
        let y = (&x - s).sum();
        assert_eq!(y.value(), 0.0);
        assert_eq!(y.gradient().wrt(s), -3.0);
    }
}
