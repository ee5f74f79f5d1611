//! Elementwise functions of one tensor.
//!
//! Each value and derivative comes from `adjoint_tape::rules`, so the
//! tensor path follows the scalar path's conventions at the awkward points
//! (`abs'(0) = 0`, `relu'(0) = 0`, `sqrt'(0) = +inf`, tails of `sigmoid` and
//! `tanh` accurate and never NaN). The derivative of every element is
//! computed in the forward pass and kept for the vjp.

use std::sync::Arc;

use crate::kernels::{self, add_binary_partial, add_product};
use crate::pool::{self, PooledArray};
use crate::tensor::{Slot, Tensor};
use adjoint_tape::{CustomOp, rules};

/// `y = f(x)` elementwise, with `f'(x)` stored per element in row-major
/// order.
struct Elementwise {
    name: &'static str,
    input: Slot,
    derivative: Vec<f64>,
}

impl Drop for Elementwise {
    fn drop(&mut self) {
        pool::give(std::mem::take(&mut self.derivative));
    }
}

impl CustomOp<f64> for Elementwise {
    fn name(&self) -> &'static str {
        self.name
    }

    fn vjp(&self, cotangent: &[f64], adjoints: &mut [f64]) {
        add_product(
            self.input.adjoint_slice(adjoints),
            cotangent,
            &self.derivative,
        );
    }
}

/// `y = x²` elementwise. The derivative `2x` is recomputed from the kept
/// input in the vjp, which costs less than storing it.
struct Square {
    input: Slot,
    x: Arc<PooledArray>,
}

impl CustomOp<f64> for Square {
    fn name(&self) -> &'static str {
        "powi"
    }

    fn vjp(&self, cotangent: &[f64], adjoints: &mut [f64]) {
        let adjoint = self.input.adjoint_slice(adjoints);
        match self.x.as_slice() {
            Some(xs) => add_binary_partial(adjoint, cotangent, xs, xs, |x, _| 2.0 * x),
            None => {
                for ((a, &g), &x) in adjoint.iter_mut().zip(cotangent).zip(self.x.iter()) {
                    let term = g * (2.0 * x);
                    *a += if g == 0.0 { 0.0 } else { term };
                }
            }
        }
    }
}

impl<'t> Tensor<'t> {
    /// Applies `rule`, which returns the value and the derivative at `x`,
    /// to every element.
    #[inline]
    pub(crate) fn map_rule(
        &self,
        name: &'static str,
        rule: impl Fn(f64) -> (f64, f64),
    ) -> Tensor<'t> {
        let x = self.value();
        let (Some(tape), Some(input)) = (self.tape(), self.slot()) else {
            let value = pool::collect(x.raw_dim(), x.iter().map(|&x| rule(x).0));
            return Tensor::constant_arc(PooledArray::shared(value));
        };
        let len = x.len();
        let mut value = pool::take(len);
        let mut derivative = pool::take(len);
        match x.as_slice() {
            Some(xs) => kernels::extend_rule(&mut value, &mut derivative, xs, rule),
            None => {
                for &x in x.iter() {
                    let (v, d) = rule(x);
                    value.push(v);
                    derivative.push(d);
                }
            }
        }
        let value =
            ndarray::ArrayD::from_shape_vec(x.raw_dim(), value).expect("one value per element");
        Tensor::record(
            tape,
            PooledArray::shared(value),
            Elementwise {
                name,
                input,
                derivative,
            },
        )
    }

    /// Records `x²` with the values and derivatives of `rules::powi(x, 2)`:
    /// `x.powi(2)` is `x * x` and `2 x.powi(1)` is `2 x`.
    fn square(&self) -> Tensor<'t> {
        let x = self.value();
        let value = match x.as_slice() {
            Some(xs) => pool::map_slice(x.raw_dim(), xs, |x| x * x),
            None => pool::collect(x.raw_dim(), x.iter().map(|&x| x * x)),
        };
        let value = PooledArray::shared(value);
        match (self.tape(), self.slot()) {
            (Some(tape), Some(input)) => Tensor::record(
                tape,
                value,
                Square {
                    input,
                    x: Arc::clone(self.value_arc()),
                },
            ),
            _ => Tensor::constant_arc(value),
        }
    }

    /// Elementwise `eˣ`; derivative `eˣ` (`+inf` once it overflows, never
    /// NaN).
    ///
    /// ```
    /// use adjoint_ndarray::{Tensor, TensorGradients};
    /// use adjoint_tape::Tape;
    /// use ndarray::array;
    ///
    /// let tape = Tape::new();
    /// let x = Tensor::var(&tape, array![0.0, 1.0]);
    /// let g = x.exp().sum().gradient().wrt_tensor(&x);
    /// assert_eq!(g, array![1.0, 1.0_f64.exp()].into_dyn());
    /// ```
    pub fn exp(&self) -> Tensor<'t> {
        self.map_rule("exp", rules::exp)
    }

    /// Elementwise natural logarithm; derivative `1/x` (`+inf` at 0; the
    /// value is NaN for `x < 0`).
    ///
    /// ```
    /// use adjoint_ndarray::{Tensor, TensorGradients};
    /// use adjoint_tape::Tape;
    /// use ndarray::array;
    ///
    /// let tape = Tape::new();
    /// let x = Tensor::var(&tape, array![1.0, 4.0]);
    /// assert_eq!(x.ln().sum().gradient().wrt_tensor(&x), array![1.0, 0.25].into_dyn());
    /// ```
    pub fn ln(&self) -> Tensor<'t> {
        self.map_rule("ln", rules::ln)
    }

    /// Elementwise square root; derivative `1/(2√x)`: `+inf` at 0, NaN for
    /// `x < 0`.
    ///
    /// ```
    /// use adjoint_ndarray::{Tensor, TensorGradients};
    /// use adjoint_tape::Tape;
    /// use ndarray::array;
    ///
    /// let tape = Tape::new();
    /// let x = Tensor::var(&tape, array![4.0, 0.0]);
    /// let g = x.sqrt().sum().gradient().wrt_tensor(&x);
    /// assert_eq!(g, array![0.25, f64::INFINITY].into_dyn());
    /// ```
    pub fn sqrt(&self) -> Tensor<'t> {
        self.map_rule("sqrt", rules::sqrt)
    }

    /// Elementwise integer power `xⁿ`; derivative `n xⁿ⁻¹`, exact at 0 (the
    /// derivative of `x⁰` is 0 and that of `x¹` is 1 everywhere).
    ///
    /// ```
    /// use adjoint_ndarray::{Tensor, TensorGradients};
    /// use adjoint_tape::Tape;
    /// use ndarray::array;
    ///
    /// let tape = Tape::new();
    /// let x = Tensor::var(&tape, array![-2.0, 0.0]);
    /// let g = x.powi(3).sum().gradient().wrt_tensor(&x);
    /// assert_eq!(g, array![12.0, 0.0].into_dyn());
    /// ```
    pub fn powi(&self, n: i32) -> Tensor<'t> {
        match n {
            // The same products as `rules::powi(x, 2)` (`x.powi(2)` is
            // `x * x` and `x.powi(1)` is `x`), without the call to the
            // runtime's `powi` that a variable exponent costs.
            2 => self.square(),
            _ => self.map_rule("powi", move |x| rules::powi(x, n)),
        }
    }

    /// Elementwise power with a constant exponent `xᶜ`; derivative
    /// `c xᶜ⁻¹`, with no `ln x`: `d/dx x^0.5 = +inf` at 0, and `c = 0` has
    /// derivative 0.
    ///
    /// ```
    /// use adjoint_ndarray::{Tensor, TensorGradients};
    /// use adjoint_tape::Tape;
    /// use ndarray::array;
    ///
    /// let tape = Tape::new();
    /// let x = Tensor::var(&tape, array![4.0]);
    /// assert_eq!(x.powf(1.5).sum().gradient().wrt_tensor(&x), array![3.0].into_dyn());
    /// ```
    pub fn powf(&self, c: f64) -> Tensor<'t> {
        self.map_rule("powf", move |x| rules::powf_constant(x, c))
    }

    /// Elementwise absolute value; derivative `sign x` with `abs'(0) = 0`.
    ///
    /// ```
    /// use adjoint_ndarray::{Tensor, TensorGradients};
    /// use adjoint_tape::Tape;
    /// use ndarray::array;
    ///
    /// let tape = Tape::new();
    /// let x = Tensor::var(&tape, array![-2.0, 0.0, 3.0]);
    /// let g = x.abs().sum().gradient().wrt_tensor(&x);
    /// assert_eq!(g, array![-1.0, 0.0, 1.0].into_dyn());
    /// ```
    pub fn abs(&self) -> Tensor<'t> {
        self.map_rule("abs", rules::abs)
    }

    /// Elementwise reciprocal `1/x`; derivative `-1/x²` (`-inf` at 0).
    ///
    /// ```
    /// use adjoint_ndarray::{Tensor, TensorGradients};
    /// use adjoint_tape::Tape;
    /// use ndarray::array;
    ///
    /// let tape = Tape::new();
    /// let x = Tensor::var(&tape, array![2.0]);
    /// assert_eq!(x.recip().sum().gradient().wrt_tensor(&x), array![-0.25].into_dyn());
    /// ```
    pub fn recip(&self) -> Tensor<'t> {
        self.map_rule("recip", rules::recip)
    }

    /// Elementwise sine; derivative `cos x`.
    ///
    /// ```
    /// use adjoint_ndarray::{Tensor, TensorGradients};
    /// use adjoint_tape::Tape;
    /// use ndarray::array;
    ///
    /// let tape = Tape::new();
    /// let x = Tensor::var(&tape, array![0.0]);
    /// assert_eq!(x.sin().sum().gradient().wrt_tensor(&x), array![1.0].into_dyn());
    /// ```
    pub fn sin(&self) -> Tensor<'t> {
        self.map_rule("sin", rules::sin)
    }

    /// Elementwise cosine; derivative `-sin x`.
    ///
    /// ```
    /// use adjoint_ndarray::{Tensor, TensorGradients};
    /// use adjoint_tape::Tape;
    /// use ndarray::array;
    ///
    /// let tape = Tape::new();
    /// let x = Tensor::var(&tape, array![0.0]);
    /// assert_eq!(x.cos().sum().gradient().wrt_tensor(&x), array![-0.0].into_dyn());
    /// ```
    pub fn cos(&self) -> Tensor<'t> {
        self.map_rule("cos", rules::cos)
    }

    /// Elementwise hyperbolic tangent; derivative `1/cosh² x`, accurate in
    /// the tails (`tanh'(20) = 1.6993417021166355e-17`, the correctly
    /// rounded value) and 0, never NaN, once `cosh` overflows.
    ///
    /// ```
    /// use adjoint_ndarray::{Tensor, TensorGradients};
    /// use adjoint_tape::Tape;
    /// use ndarray::array;
    ///
    /// let tape = Tape::new();
    /// let x = Tensor::var(&tape, array![0.0, 20.0, 1000.0]);
    /// let g = x.tanh().sum().gradient().wrt_tensor(&x);
    /// assert_eq!(g, array![1.0, 1.6993417021166355e-17, 0.0].into_dyn());
    /// ```
    pub fn tanh(&self) -> Tensor<'t> {
        self.map_rule("tanh", rules::tanh)
    }

    /// Elementwise logistic sigmoid `1/(1 + e⁻ˣ)`, in a form that never
    /// overflows; derivative `σ(x) σ(-x)`, accurate in both tails:
    /// `σ'(-90) = 8.194012623990515e-40`.
    ///
    /// ```
    /// use adjoint_ndarray::{Tensor, TensorGradients};
    /// use adjoint_tape::Tape;
    /// use ndarray::array;
    ///
    /// let tape = Tape::new();
    /// let x = Tensor::var(&tape, array![0.0, -90.0]);
    /// let g = x.sigmoid().sum().gradient().wrt_tensor(&x);
    /// assert_eq!(g, array![0.25, 8.194012623990515e-40].into_dyn());
    /// ```
    pub fn sigmoid(&self) -> Tensor<'t> {
        self.map_rule("sigmoid", rules::sigmoid)
    }

    /// Elementwise rectified linear unit `max(x, 0)`; derivative 1 for
    /// `x > 0` and 0 for `x ≤ 0` (`relu'(0) = 0`, as in PyTorch).
    ///
    /// ```
    /// use adjoint_ndarray::{Tensor, TensorGradients};
    /// use adjoint_tape::Tape;
    /// use ndarray::array;
    ///
    /// let tape = Tape::new();
    /// let x = Tensor::var(&tape, array![-1.0, 0.0, 2.0]);
    /// let y = x.relu();
    /// assert_eq!(y.value(), &array![0.0, 0.0, 2.0].into_dyn());
    /// assert_eq!(y.sum().gradient().wrt_tensor(&x), array![0.0, 0.0, 1.0].into_dyn());
    /// ```
    pub fn relu(&self) -> Tensor<'t> {
        self.map_rule("relu", rules::relu)
    }

    /// Elementwise softplus `ln(1 + eˣ)`, computed as
    /// `max(x, 0) + ln(1 + e^-|x|)` so it neither overflows nor loses the
    /// tail; derivative `σ(x)`.
    ///
    /// ```
    /// use adjoint_ndarray::{Tensor, TensorGradients};
    /// use adjoint_tape::Tape;
    /// use ndarray::array;
    ///
    /// let tape = Tape::new();
    /// let x = Tensor::var(&tape, array![0.0, 1000.0]);
    /// let y = x.softplus();
    /// assert_eq!(y.value(), &array![2.0_f64.ln(), 1000.0].into_dyn());
    /// assert_eq!(y.sum().gradient().wrt_tensor(&x), array![0.5, 1.0].into_dyn());
    /// ```
    pub fn softplus(&self) -> Tensor<'t> {
        self.map_rule("softplus", rules::softplus)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TensorGradients;
    use adjoint_tape::Tape;
    use ndarray::array;

    #[test]
    fn square_matches_powi_rule() {
        let tape = Tape::new();
        let points = [-3.5, -0.0, 0.0, 1e-200, 7.25, 1e155];
        let x = Tensor::var(&tape, ndarray::Array1::from(points.to_vec()));
        let y = x.powi(2);
        let g = y.sum().gradient().wrt_tensor(&x);
        for (i, &point) in points.iter().enumerate() {
            let (value, derivative) = rules::powi(point, 2);
            assert_eq!(
                y.value()[[i]].to_bits(),
                value.to_bits(),
                "value at {point}"
            );
            // Adding into a zeroed adjoint turns a -0 derivative into +0,
            // as on the scalar path, so the derivative compares by value.
            assert_eq!(g[[i]], derivative, "derivative at {point}");
        }
    }

    #[test]
    fn square_passes_nothing_for_zero_cotangent() {
        let tape = Tape::new();
        let x = Tensor::var(&tape, array![f64::INFINITY, 2.0]);
        let y = x.powi(2).get(&[1]);
        let g = y.gradient().wrt_tensor(&x);
        assert_eq!(g, array![0.0, 4.0].into_dyn());
    }
}
