//! Layers: `Linear` (an affine map) and `Mlp` (a stack of them with an
//! activation between), with parameters in a [`ParamSet`] and seeded
//! initialization.

use ndarray::{Array1, Array2};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Normal, Uniform};
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::params::{BoundParams, ParamId, ParamSet};
use crate::tensor::Tensor;

/// An elementwise activation function.
///
/// ```
/// use adjoint_ndarray::{Activation, Tensor};
/// use ndarray::array;
///
/// let x = Tensor::constant(array![-1.0, 2.0]);
/// assert_eq!(Activation::Relu.apply(&x).value(), &array![0.0, 2.0].into_dyn());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Activation {
    /// No activation: `f(x) = x`.
    Identity,
    /// `max(x, 0)`, see [`Tensor::relu`].
    Relu,
    /// `tanh x`, see [`Tensor::tanh`].
    Tanh,
    /// `1/(1 + e⁻ˣ)`, see [`Tensor::sigmoid`].
    Sigmoid,
}

impl Activation {
    /// Applies the activation elementwise.
    ///
    /// ```
    /// use adjoint_ndarray::{Activation, Tensor};
    /// use ndarray::array;
    ///
    /// let x = Tensor::constant(array![0.0]);
    /// assert_eq!(Activation::Sigmoid.apply(&x).value()[[0]], 0.5);
    /// assert_eq!(Activation::Identity.apply(&x).value()[[0]], 0.0);
    /// ```
    pub fn apply<'t>(self, x: &Tensor<'t>) -> Tensor<'t> {
        match self {
            Self::Identity => x.clone(),
            Self::Relu => x.relu(),
            Self::Tanh => x.tanh(),
            Self::Sigmoid => x.sigmoid(),
        }
    }
}

/// The distribution of a [`Linear`] layer's initial weights; biases
/// start at 0.
///
/// ```
/// use adjoint_ndarray::{Activation, Init};
///
/// assert_eq!(Init::for_activation(Activation::Relu), Init::HeNormal);
/// assert_eq!(Init::for_activation(Activation::Tanh), Init::XavierUniform);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Init {
    /// He (Kaiming) normal: `N(0, 2/fan_in)`, for ReLU layers.
    HeNormal,
    /// Xavier (Glorot) uniform: `U(-a, a)` with `a = √(6/(fan_in + fan_out))`,
    /// for tanh, sigmoid and linear layers.
    XavierUniform,
    /// All weights 0 (a linear model fitted by a convex loss needs no
    /// random start).
    Zeros,
}

impl Init {
    /// The usual initialization for a layer followed by `activation`: He
    /// for ReLU, Xavier otherwise.
    ///
    /// ```
    /// use adjoint_ndarray::{Activation, Init};
    ///
    /// assert_eq!(Init::for_activation(Activation::Identity), Init::XavierUniform);
    /// ```
    pub fn for_activation(activation: Activation) -> Self {
        match activation {
            Activation::Relu => Self::HeNormal,
            _ => Self::XavierUniform,
        }
    }

    /// Draws a weight matrix of shape `(fan_in, fan_out)` from `rng`.
    fn weights<R: Rng + ?Sized>(self, fan_in: usize, fan_out: usize, rng: &mut R) -> Array2<f64> {
        match self {
            Self::HeNormal => {
                let std = (2.0 / fan_in as f64).sqrt();
                let normal = Normal::new(0.0, std).expect("the standard deviation is finite");
                Array2::from_shape_simple_fn((fan_in, fan_out), || normal.sample(rng))
            }
            Self::XavierUniform => {
                let a = (6.0 / (fan_in + fan_out) as f64).sqrt();
                let uniform = Uniform::new_inclusive(-a, a).expect("the bound is finite");
                Array2::from_shape_simple_fn((fan_in, fan_out), || uniform.sample(rng))
            }
            Self::Zeros => Array2::zeros((fan_in, fan_out)),
        }
    }
}

/// An affine layer `y = x W + b`, with `W` of shape `(in, out)` and `b` of
/// shape `(out)` broadcast over the rows of `x`.
///
/// Its parameters are named `"{name}.weight"` and `"{name}.bias"` in the
/// [`ParamSet`].
///
/// ```
/// use adjoint_ndarray::{Init, Linear, ParamSet, Tensor};
/// use adjoint_tape::Tape;
/// use ndarray::array;
/// use rand::SeedableRng;
///
/// let mut params = ParamSet::new();
/// let mut rng = rand::rngs::StdRng::seed_from_u64(0);
/// let layer = Linear::new(&mut params, "fc", 2, 1, Init::Zeros, &mut rng)?;
/// params.value_mut(layer.weight()).assign(&array![[1.0], [2.0]].into_dyn());
/// params.value_mut(layer.bias()).fill(0.5);
/// let tape = Tape::new();
/// let bound = params.bind(&tape);
/// let y = layer.forward(&bound, &Tensor::constant(array![[1.0, 1.0], [2.0, 0.0]]));
/// assert_eq!(y.value(), &array![[3.5], [2.5]].into_dyn());
/// # Ok::<(), adjoint_ndarray::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Linear {
    weight: ParamId,
    bias: ParamId,
    in_features: usize,
    out_features: usize,
}

impl Linear {
    /// Adds a layer's weight (drawn with `init`) and bias (zeros) to
    /// `params`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidLayer`] if a size is 0, and
    /// [`Error::DuplicateParameter`] if `params` already has a parameter
    /// of that name.
    ///
    /// ```
    /// use adjoint_ndarray::{Init, Linear, ParamSet};
    /// use rand::SeedableRng;
    ///
    /// let mut params = ParamSet::new();
    /// let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    /// let layer = Linear::new(&mut params, "fc", 3, 2, Init::HeNormal, &mut rng)?;
    /// assert_eq!(params.shape(layer.weight()), &[3, 2]);
    /// assert_eq!(params.name(layer.bias()), "fc.bias");
    /// assert!(Linear::new(&mut params, "fc", 3, 2, Init::HeNormal, &mut rng).is_err());
    /// # Ok::<(), adjoint_ndarray::Error>(())
    /// ```
    pub fn new<R: Rng + ?Sized>(
        params: &mut ParamSet,
        name: &str,
        in_features: usize,
        out_features: usize,
        init: Init,
        rng: &mut R,
    ) -> Result<Self, Error> {
        if in_features == 0 || out_features == 0 {
            return Err(Error::InvalidLayer {
                sizes: vec![in_features, out_features],
                reason: "every layer needs at least one input and one output",
            });
        }
        let weight_name = format!("{name}.weight");
        let bias_name = format!("{name}.bias");
        for taken in [&weight_name, &bias_name] {
            if params.id(taken).is_some() {
                return Err(Error::DuplicateParameter {
                    name: taken.clone(),
                });
            }
        }
        let weight = params.add(weight_name, init.weights(in_features, out_features, rng))?;
        let bias = params.add(bias_name, Array1::<f64>::zeros(out_features))?;
        Ok(Self {
            weight,
            bias,
            in_features,
            out_features,
        })
    }

    /// Applies the layer to a batch `(rows, in)` or a single input `(in)`,
    /// giving `(rows, out)` or `(out)`.
    ///
    /// ```
    /// use adjoint_ndarray::{Init, Linear, ParamSet, Tensor};
    /// use adjoint_tape::Tape;
    /// use rand::SeedableRng;
    ///
    /// let mut params = ParamSet::new();
    /// let mut rng = rand::rngs::StdRng::seed_from_u64(0);
    /// let layer = Linear::new(&mut params, "fc", 3, 2, Init::XavierUniform, &mut rng)?;
    /// let tape = Tape::new();
    /// let bound = params.bind(&tape);
    /// let y = layer.forward(&bound, &Tensor::constant(ndarray::Array1::zeros(3)));
    /// assert_eq!(y.shape(), &[2]);
    /// # Ok::<(), adjoint_ndarray::Error>(())
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if the input's last axis is not of length `in_features`, or
    /// if `params` is not bound from the set that contains this layer.
    #[track_caller]
    pub fn forward<'t>(&self, params: &BoundParams<'t>, input: &Tensor<'t>) -> Tensor<'t> {
        let width = input.shape().last().copied();
        assert!(
            width == Some(self.in_features),
            "Linear::forward: the input of shape {:?} has {} features in its last axis, \
             the layer takes {}: pass rows of {} features",
            input.shape(),
            width.map_or("no".to_string(), |w| w.to_string()),
            self.in_features,
            self.in_features
        );
        input.matmul(&params.get(self.weight)) + params.get(self.bias)
    }

    /// The handle of the weight matrix `(in, out)`.
    ///
    /// ```
    /// # use adjoint_ndarray::{Init, Linear, ParamSet};
    /// # use rand::SeedableRng;
    /// let mut params = ParamSet::new();
    /// let layer = Linear::new(&mut params, "fc", 1, 1, Init::Zeros, &mut rand::rngs::StdRng::seed_from_u64(0))?;
    /// assert_eq!(params.name(layer.weight()), "fc.weight");
    /// # Ok::<(), adjoint_ndarray::Error>(())
    /// ```
    pub fn weight(&self) -> ParamId {
        self.weight
    }

    /// The handle of the bias vector `(out)`.
    ///
    /// ```
    /// # use adjoint_ndarray::{Init, Linear, ParamSet};
    /// # use rand::SeedableRng;
    /// let mut params = ParamSet::new();
    /// let layer = Linear::new(&mut params, "fc", 1, 4, Init::Zeros, &mut rand::rngs::StdRng::seed_from_u64(0))?;
    /// assert_eq!(params.shape(layer.bias()), &[4]);
    /// # Ok::<(), adjoint_ndarray::Error>(())
    /// ```
    pub fn bias(&self) -> ParamId {
        self.bias
    }

    /// The number of inputs.
    ///
    /// ```
    /// # use adjoint_ndarray::{Init, Linear, ParamSet};
    /// # use rand::SeedableRng;
    /// let mut params = ParamSet::new();
    /// let layer = Linear::new(&mut params, "fc", 3, 4, Init::Zeros, &mut rand::rngs::StdRng::seed_from_u64(0))?;
    /// assert_eq!((layer.in_features(), layer.out_features()), (3, 4));
    /// # Ok::<(), adjoint_ndarray::Error>(())
    /// ```
    pub fn in_features(&self) -> usize {
        self.in_features
    }

    /// The number of outputs.
    ///
    /// ```
    /// # use adjoint_ndarray::{Init, Linear, ParamSet};
    /// # use rand::SeedableRng;
    /// let mut params = ParamSet::new();
    /// let layer = Linear::new(&mut params, "fc", 3, 4, Init::Zeros, &mut rand::rngs::StdRng::seed_from_u64(0))?;
    /// assert_eq!(layer.out_features(), 4);
    /// # Ok::<(), adjoint_ndarray::Error>(())
    /// ```
    pub fn out_features(&self) -> usize {
        self.out_features
    }
}

/// A multilayer perceptron: [`Linear`] layers with `activation` after
/// every layer but the last, whose outputs are left as they are (logits or
/// regression values).
///
/// Layer `i` is named `"{name}.{i}"`, so its parameters are
/// `"{name}.{i}.weight"` and `"{name}.{i}.bias"`.
///
/// ```
/// use adjoint_ndarray::{Activation, Mlp, ParamSet, Tensor, loss};
/// use adjoint_optim::Adam;
/// use adjoint_tape::Tape;
/// use ndarray::array;
///
/// // Learn XOR.
/// let x = Tensor::constant(array![[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]);
/// let labels = [0, 1, 1, 0];
/// let mut params = ParamSet::new();
/// let mlp = Mlp::new(&mut params, "mlp", &[2, 8, 2], Activation::Tanh, 7)?;
/// let mut adam = Adam::new(0.05);
/// let mut tape = Tape::new();
/// let mut last = f64::INFINITY;
/// for _ in 0..300 {
///     tape.clear();
///     let bound = params.bind(&tape);
///     let logits = mlp.forward(&bound, &x);
///     last = params.backward(loss::cross_entropy_with_logits(&logits, &labels));
///     params.step(&mut adam);
/// }
/// assert!(last < 0.05, "final loss {last}");
/// # Ok::<(), adjoint_ndarray::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Mlp {
    layers: Vec<Linear>,
    activation: Activation,
}

impl Mlp {
    /// Adds an MLP with layer widths `sizes` (inputs first, outputs last)
    /// to `params`, initialized from a [`StdRng`] seeded with `seed`: He
    /// normal weights for ReLU, Xavier uniform otherwise, zero biases.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidLayer`] if `sizes` has fewer than two entries or a
    /// 0, and [`Error::DuplicateParameter`] if a parameter name is taken.
    ///
    /// ```
    /// use adjoint_ndarray::{Activation, Mlp, ParamSet};
    ///
    /// let mut params = ParamSet::new();
    /// let mlp = Mlp::new(&mut params, "mlp", &[4, 16, 3], Activation::Relu, 42)?;
    /// assert_eq!(mlp.layers().len(), 2);
    /// assert_eq!(params.value_count(), 4 * 16 + 16 + 16 * 3 + 3);
    /// assert!(Mlp::new(&mut ParamSet::new(), "mlp", &[4], Activation::Relu, 42).is_err());
    /// # Ok::<(), adjoint_ndarray::Error>(())
    /// ```
    pub fn new(
        params: &mut ParamSet,
        name: &str,
        sizes: &[usize],
        activation: Activation,
        seed: u64,
    ) -> Result<Self, Error> {
        Self::with_rng(
            params,
            name,
            sizes,
            activation,
            &mut StdRng::seed_from_u64(seed),
        )
    }

    /// Adds an MLP as [`new`](Self::new) does, drawing the weights from
    /// `rng`.
    ///
    /// # Errors
    ///
    /// As [`new`](Self::new).
    ///
    /// ```
    /// use adjoint_ndarray::{Activation, Mlp, ParamSet};
    /// use rand::SeedableRng;
    ///
    /// let mut rng = rand::rngs::StdRng::seed_from_u64(3);
    /// let mut a = ParamSet::new();
    /// Mlp::with_rng(&mut a, "mlp", &[2, 3], Activation::Tanh, &mut rng)?;
    /// let mut b = ParamSet::new();
    /// Mlp::new(&mut b, "mlp", &[2, 3], Activation::Tanh, 3)?;
    /// assert_eq!(a.values(), b.values());
    /// # Ok::<(), adjoint_ndarray::Error>(())
    /// ```
    pub fn with_rng<R: Rng + ?Sized>(
        params: &mut ParamSet,
        name: &str,
        sizes: &[usize],
        activation: Activation,
        rng: &mut R,
    ) -> Result<Self, Error> {
        if sizes.len() < 2 {
            return Err(Error::InvalidLayer {
                sizes: sizes.to_vec(),
                reason: "an MLP needs at least an input and an output size",
            });
        }
        if sizes.contains(&0) {
            return Err(Error::InvalidLayer {
                sizes: sizes.to_vec(),
                reason: "every layer size must be at least 1",
            });
        }
        let last = sizes.len() - 2;
        let layers = sizes
            .windows(2)
            .enumerate()
            .map(|(i, pair)| {
                let next = if i == last {
                    Activation::Identity
                } else {
                    activation
                };
                let init = Init::for_activation(next);
                Linear::new(params, &format!("{name}.{i}"), pair[0], pair[1], init, rng)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { layers, activation })
    }

    /// Applies the layers to a batch `(rows, inputs)` or a single input
    /// `(inputs)`.
    ///
    /// ```
    /// use adjoint_ndarray::{Activation, Mlp, ParamSet, Tensor};
    /// use adjoint_tape::Tape;
    ///
    /// let mut params = ParamSet::new();
    /// let mlp = Mlp::new(&mut params, "mlp", &[3, 5, 2], Activation::Relu, 0)?;
    /// let tape = Tape::new();
    /// let bound = params.bind(&tape);
    /// let y = mlp.forward(&bound, &Tensor::constant(ndarray::Array2::zeros((10, 3))));
    /// assert_eq!(y.shape(), &[10, 2]);
    /// # Ok::<(), adjoint_ndarray::Error>(())
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if the input's last axis is not of the first layer's width,
    /// or if `params` is not bound from the set that contains the layers.
    #[track_caller]
    pub fn forward<'t>(&self, params: &BoundParams<'t>, input: &Tensor<'t>) -> Tensor<'t> {
        let (last, hidden) = self
            .layers
            .split_last()
            .expect("an MLP has at least one layer");
        let mut x = input.clone();
        for layer in hidden {
            x = self.activation.apply(&layer.forward(params, &x));
        }
        last.forward(params, &x)
    }

    /// The layers, inputs first.
    ///
    /// ```
    /// use adjoint_ndarray::{Activation, Mlp, ParamSet};
    ///
    /// let mlp = Mlp::new(&mut ParamSet::new(), "mlp", &[3, 5, 2], Activation::Relu, 0)?;
    /// assert_eq!(mlp.layers()[1].in_features(), 5);
    /// # Ok::<(), adjoint_ndarray::Error>(())
    /// ```
    pub fn layers(&self) -> &[Linear] {
        &self.layers
    }

    /// The activation between layers.
    ///
    /// ```
    /// use adjoint_ndarray::{Activation, Mlp, ParamSet};
    ///
    /// let mlp = Mlp::new(&mut ParamSet::new(), "mlp", &[3, 2], Activation::Tanh, 0)?;
    /// assert_eq!(mlp.activation(), Activation::Tanh);
    /// # Ok::<(), adjoint_ndarray::Error>(())
    /// ```
    pub fn activation(&self) -> Activation {
        self.activation
    }
}
