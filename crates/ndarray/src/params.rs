//! `ParamSet`: named parameters stored in one flat `Vec<f64>`, bound to a
//! tape as input tensors at each step, with their gradients read back into
//! one flat `Vec<f64>` for the optimizers of `adjoint-optim`.

use std::ops::Range;
use std::sync::Arc;

use adjoint_optim::Optimizer;
use adjoint_tape::{Tape, Var};
use ndarray::{ArrayViewD, ArrayViewMutD, Dimension, IxDyn};

use crate::error::Error;
use crate::pool::PooledArray;
use crate::tensor::{Leaf, Tensor};

/// The handle of one parameter in a [`ParamSet`].
///
/// ```
/// use adjoint_ndarray::ParamSet;
///
/// let mut params = ParamSet::new();
/// let w = params.add("w", ndarray::array![1.0, 2.0])?;
/// assert_eq!(params.id("w"), Some(w));
/// # Ok::<(), adjoint_ndarray::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ParamId(usize);

/// A parameter's name, shape and place in the flat vector.
#[derive(Clone, Debug)]
struct Entry {
    name: String,
    shape: Vec<usize>,
    range: Range<usize>,
}

/// A parameter's node offset from the first parameter node, and the array
/// that carries its value on the tape.
#[derive(Clone, Debug)]
struct BoundValue {
    offset: usize,
    value: Arc<PooledArray>,
}

/// The tape and first node of the last [`ParamSet::bind`].
#[derive(Clone, Copy, Debug)]
struct Binding {
    /// Address of the tape, compared to tell tapes apart; never read
    /// through.
    tape: usize,
    start: usize,
}

/// Named parameters in one flat `Vec<f64>`, with a flat gradient of the
/// same length, so that an [`Optimizer`] updates them in place with no
/// copying.
///
/// Each training step records on a cleared tape: [`bind`](Self::bind) puts
/// every parameter on the tape as an input tensor (one node range for all),
/// [`backward`](Self::backward) sweeps from the loss and writes the
/// parameters' adjoints into the flat gradient, and [`step`](Self::step)
/// hands both slices to the optimizer. After the first step the parameter
/// arrays, the gradient and the sweep's adjoint buffer are reused, so the
/// only allocations are those of the operations' own results.
///
/// ```
/// use adjoint_ndarray::{ParamSet, Tensor, loss};
/// use adjoint_optim::Sgd;
/// use adjoint_tape::Tape;
/// use ndarray::array;
///
/// // Fit y = 2x with one weight.
/// let mut params = ParamSet::new();
/// let w = params.add("w", array![0.0])?;
/// let x = array![1.0, 2.0, 3.0];
/// let y = Tensor::constant(&x * 2.0);
/// let mut sgd = Sgd::new(0.05);
/// let mut tape = Tape::new();
/// for _ in 0..200 {
///     tape.clear();
///     let bound = params.bind(&tape);
///     let prediction = Tensor::constant(x.clone()) * bound.get(w).to_scalar();
///     let l = loss::mse(&prediction, &y);
///     params.backward(l);
///     params.step(&mut sgd);
/// }
/// assert!((params.value(w)[[0]] - 2.0).abs() < 1e-9);
/// # Ok::<(), adjoint_ndarray::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct ParamSet {
    entries: Vec<Entry>,
    values: Vec<f64>,
    gradients: Vec<f64>,
    bound: Arc<Vec<BoundValue>>,
    binding: Option<Binding>,
}

impl ParamSet {
    /// Creates an empty parameter set.
    ///
    /// ```
    /// assert!(adjoint_ndarray::ParamSet::new().is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a parameter with its initial value, at the end of the flat
    /// vector.
    ///
    /// # Errors
    ///
    /// [`Error::DuplicateParameter`] if the name is taken.
    ///
    /// ```
    /// use adjoint_ndarray::{Error, ParamSet};
    /// use ndarray::array;
    ///
    /// let mut params = ParamSet::new();
    /// let w = params.add("w", array![[1.0, 2.0], [3.0, 4.0]])?;
    /// let b = params.add("b", array![5.0])?;
    /// assert_eq!(params.range(b), 4..5);
    /// assert_eq!(params.values(), &[1.0, 2.0, 3.0, 4.0, 5.0]);
    /// assert!(matches!(params.add("w", array![0.0]), Err(Error::DuplicateParameter { .. })));
    /// # let _ = w;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn add<D: Dimension>(
        &mut self,
        name: impl Into<String>,
        value: ndarray::Array<f64, D>,
    ) -> Result<ParamId, Error> {
        let name = name.into();
        if self.id(&name).is_some() {
            return Err(Error::DuplicateParameter { name });
        }
        let start = self.values.len();
        self.values.extend(value.iter());
        self.gradients.resize(self.values.len(), 0.0);
        let value = value.into_dyn();
        let shape = value.shape().to_vec();
        Arc::make_mut(&mut self.bound).push(BoundValue {
            offset: start,
            value: PooledArray::shared(value.as_standard_layout().into_owned()),
        });
        self.entries.push(Entry {
            name,
            shape,
            range: start..self.values.len(),
        });
        Ok(ParamId(self.entries.len() - 1))
    }

    /// The number of parameters (not of values).
    ///
    /// ```
    /// let mut params = adjoint_ndarray::ParamSet::new();
    /// params.add("w", ndarray::array![1.0, 2.0])?;
    /// assert_eq!(params.len(), 1);
    /// # Ok::<(), adjoint_ndarray::Error>(())
    /// ```
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the set has no parameters.
    ///
    /// ```
    /// assert!(adjoint_ndarray::ParamSet::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The number of scalar values of all parameters together.
    ///
    /// ```
    /// let mut params = adjoint_ndarray::ParamSet::new();
    /// params.add("w", ndarray::Array2::<f64>::zeros((3, 4)))?;
    /// assert_eq!(params.value_count(), 12);
    /// # Ok::<(), adjoint_ndarray::Error>(())
    /// ```
    pub fn value_count(&self) -> usize {
        self.values.len()
    }

    /// The handles of all parameters, in the order they were added.
    ///
    /// ```
    /// let mut params = adjoint_ndarray::ParamSet::new();
    /// let a = params.add("a", ndarray::array![1.0])?;
    /// let b = params.add("b", ndarray::array![2.0])?;
    /// assert_eq!(params.ids().collect::<Vec<_>>(), [a, b]);
    /// # Ok::<(), adjoint_ndarray::Error>(())
    /// ```
    pub fn ids(&self) -> impl Iterator<Item = ParamId> + use<> {
        (0..self.entries.len()).map(ParamId)
    }

    /// The handle of the parameter named `name`.
    ///
    /// ```
    /// let params = adjoint_ndarray::ParamSet::new();
    /// assert_eq!(params.id("missing"), None);
    /// ```
    pub fn id(&self, name: &str) -> Option<ParamId> {
        self.entries
            .iter()
            .position(|e| e.name == name)
            .map(ParamId)
    }

    #[track_caller]
    fn entry(&self, id: ParamId) -> &Entry {
        self.entries.get(id.0).unwrap_or_else(|| {
            panic!(
                "parameter id {} is not in this set of {} parameters; use ids from the set that created them",
                id.0,
                self.entries.len()
            )
        })
    }

    /// The name of a parameter.
    ///
    /// ```
    /// let mut params = adjoint_ndarray::ParamSet::new();
    /// let w = params.add("layer.weight", ndarray::array![1.0])?;
    /// assert_eq!(params.name(w), "layer.weight");
    /// # Ok::<(), adjoint_ndarray::Error>(())
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `id` is not from this set (as do all methods taking a
    /// `ParamId`).
    #[track_caller]
    pub fn name(&self, id: ParamId) -> &str {
        &self.entry(id).name
    }

    /// The shape of a parameter.
    ///
    /// ```
    /// let mut params = adjoint_ndarray::ParamSet::new();
    /// let w = params.add("w", ndarray::Array2::<f64>::zeros((2, 3)))?;
    /// assert_eq!(params.shape(w), &[2, 3]);
    /// # Ok::<(), adjoint_ndarray::Error>(())
    /// ```
    #[track_caller]
    pub fn shape(&self, id: ParamId) -> &[usize] {
        &self.entry(id).shape
    }

    /// The parameter's positions in [`values`](Self::values) and
    /// [`gradients`](Self::gradients).
    ///
    /// ```
    /// let mut params = adjoint_ndarray::ParamSet::new();
    /// params.add("a", ndarray::array![1.0, 2.0])?;
    /// let b = params.add("b", ndarray::array![3.0])?;
    /// assert_eq!(params.range(b), 2..3);
    /// # Ok::<(), adjoint_ndarray::Error>(())
    /// ```
    #[track_caller]
    pub fn range(&self, id: ParamId) -> Range<usize> {
        self.entry(id).range.clone()
    }

    /// The parameter's value, as a view of the flat vector.
    ///
    /// ```
    /// let mut params = adjoint_ndarray::ParamSet::new();
    /// let w = params.add("w", ndarray::array![[1.0, 2.0]])?;
    /// assert_eq!(params.value(w), ndarray::array![[1.0, 2.0]].into_dyn());
    /// # Ok::<(), adjoint_ndarray::Error>(())
    /// ```
    #[track_caller]
    pub fn value(&self, id: ParamId) -> ArrayViewD<'_, f64> {
        let entry = self.entry(id);
        ArrayViewD::from_shape(IxDyn(&entry.shape), &self.values[entry.range.clone()])
            .expect("a parameter's range matches its shape")
    }

    /// The parameter's value, as a mutable view of the flat vector.
    ///
    /// ```
    /// let mut params = adjoint_ndarray::ParamSet::new();
    /// let w = params.add("w", ndarray::array![1.0, 2.0])?;
    /// params.value_mut(w).fill(0.5);
    /// assert_eq!(params.values(), &[0.5, 0.5]);
    /// # Ok::<(), adjoint_ndarray::Error>(())
    /// ```
    #[track_caller]
    pub fn value_mut(&mut self, id: ParamId) -> ArrayViewMutD<'_, f64> {
        let entry = self.entry(id).clone();
        ArrayViewMutD::from_shape(IxDyn(&entry.shape), &mut self.values[entry.range])
            .expect("a parameter's range matches its shape")
    }

    /// The parameter's gradient from the last [`backward`](Self::backward),
    /// as a view of the flat gradient.
    ///
    /// ```
    /// use adjoint_tape::Tape;
    ///
    /// let mut params = adjoint_ndarray::ParamSet::new();
    /// let w = params.add("w", ndarray::array![1.0, 2.0])?;
    /// let tape = Tape::new();
    /// let bound = params.bind(&tape);
    /// let loss = bound.get(w).powi(2).sum();
    /// params.backward(loss);
    /// assert_eq!(params.gradient(w), ndarray::array![2.0, 4.0].into_dyn());
    /// # Ok::<(), adjoint_ndarray::Error>(())
    /// ```
    #[track_caller]
    pub fn gradient(&self, id: ParamId) -> ArrayViewD<'_, f64> {
        let entry = self.entry(id);
        ArrayViewD::from_shape(IxDyn(&entry.shape), &self.gradients[entry.range.clone()])
            .expect("a parameter's range matches its shape")
    }

    /// All values, parameter after parameter, each in row-major order.
    ///
    /// ```
    /// let mut params = adjoint_ndarray::ParamSet::new();
    /// params.add("w", ndarray::array![[1.0, 2.0], [3.0, 4.0]])?;
    /// assert_eq!(params.values(), &[1.0, 2.0, 3.0, 4.0]);
    /// # Ok::<(), adjoint_ndarray::Error>(())
    /// ```
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// All values, for an update in place.
    ///
    /// ```
    /// let mut params = adjoint_ndarray::ParamSet::new();
    /// params.add("w", ndarray::array![1.0, 2.0])?;
    /// params.values_mut()[1] = 7.0;
    /// assert_eq!(params.values(), &[1.0, 7.0]);
    /// # Ok::<(), adjoint_ndarray::Error>(())
    /// ```
    pub fn values_mut(&mut self) -> &mut [f64] {
        &mut self.values
    }

    /// All gradients from the last [`backward`](Self::backward), laid out
    /// like [`values`](Self::values); zeros before the first.
    ///
    /// ```
    /// let mut params = adjoint_ndarray::ParamSet::new();
    /// params.add("w", ndarray::array![1.0, 2.0])?;
    /// assert_eq!(params.gradients(), &[0.0, 0.0]);
    /// # Ok::<(), adjoint_ndarray::Error>(())
    /// ```
    pub fn gradients(&self) -> &[f64] {
        &self.gradients
    }

    /// All gradients, for changes in place such as
    /// `adjoint_optim::clip_grad_norm`.
    ///
    /// ```
    /// let mut params = adjoint_ndarray::ParamSet::new();
    /// params.add("w", ndarray::array![1.0])?;
    /// params.gradients_mut()[0] = 10.0;
    /// adjoint_optim::clip_grad_norm(params.gradients_mut(), 1.0);
    /// assert!((params.gradients()[0] - 1.0).abs() < 1e-6);
    /// # Ok::<(), adjoint_ndarray::Error>(())
    /// ```
    pub fn gradients_mut(&mut self) -> &mut [f64] {
        &mut self.gradients
    }

    /// Records every parameter on `tape` as an input tensor, all in one
    /// range of consecutive nodes, and returns their tensors.
    ///
    /// The values are copied from the flat vector into arrays that are
    /// reused from the previous bind when no tensor of that step is still
    /// alive (clear the tape first, which drops the recorded operations).
    /// Bind once per recording: [`backward`](Self::backward) reads the
    /// gradient of the last bind.
    ///
    /// ```
    /// use adjoint_tape::Tape;
    ///
    /// let mut params = adjoint_ndarray::ParamSet::new();
    /// let w = params.add("w", ndarray::array![1.0, 2.0])?;
    /// let tape = Tape::new();
    /// let bound = params.bind(&tape);
    /// assert_eq!(bound.get(w).node_range(), Some(0..2));
    /// # Ok::<(), adjoint_ndarray::Error>(())
    /// ```
    pub fn bind<'t>(&mut self, tape: &'t Tape) -> BoundParams<'t> {
        let bound = Arc::make_mut(&mut self.bound);
        for (entry, slot) in self.entries.iter().zip(bound.iter_mut()) {
            // Copies only if a tensor of an earlier step still shares it.
            let array = Arc::make_mut(&mut slot.value);
            array
                .as_slice_mut()
                .expect("parameter arrays are kept in standard layout")
                .copy_from_slice(&self.values[entry.range.clone()]);
        }
        let start = if self.values.is_empty() {
            tape.len()
        } else {
            tape.push_custom(self.values.len(), Box::new(Leaf))
        };
        self.binding = Some(Binding {
            tape: std::ptr::from_ref(tape) as usize,
            start,
        });
        BoundParams {
            tape,
            start,
            values: Arc::clone(&self.bound),
        }
    }

    /// Sweeps back from `loss`, writes the adjoint of every parameter into
    /// the flat gradient (overwriting, never accumulating), and returns the
    /// loss value.
    ///
    /// A constant loss gives zero gradients. The sweep reuses the tape's
    /// adjoint buffer.
    ///
    /// ```
    /// use adjoint_tape::Tape;
    ///
    /// let mut params = adjoint_ndarray::ParamSet::new();
    /// let w = params.add("w", ndarray::array![3.0])?;
    /// let tape = Tape::new();
    /// let bound = params.bind(&tape);
    /// let loss = bound.get(w).to_scalar().powi(2);
    /// assert_eq!(params.backward(loss), 9.0);
    /// assert_eq!(params.gradients(), &[6.0]);
    /// # Ok::<(), adjoint_ndarray::Error>(())
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `loss` is on a tape that the parameters were not last
    /// bound to.
    #[track_caller]
    pub fn backward(&mut self, loss: Var<'_>) -> f64 {
        let value = loss.value();
        let Some(tape) = loss.tape() else {
            self.gradients.fill(0.0);
            return value;
        };
        let binding = self
            .binding
            .filter(|b| b.tape == std::ptr::from_ref(tape) as usize)
            .expect(
                "backward: the loss is on a tape the parameters are not bound to; \
                 call bind(&tape) on this tape before recording the loss",
            );
        let gradients = loss.gradient();
        let adjoints = gradients.adjoints();
        let range = binding.start..binding.start + self.values.len();
        let available = range.start.min(adjoints.len())..range.end.min(adjoints.len());
        let copied = available.len();
        self.gradients[..copied].copy_from_slice(&adjoints[available]);
        self.gradients[copied..].fill(0.0);
        value
    }

    /// Updates the values in place with `optimizer` from the gradients of
    /// the last [`backward`](Self::backward).
    ///
    /// ```
    /// use adjoint_optim::Sgd;
    ///
    /// let mut params = adjoint_ndarray::ParamSet::new();
    /// params.add("w", ndarray::array![1.0])?;
    /// params.gradients_mut()[0] = 2.0;
    /// params.step(&mut Sgd::new(0.5));
    /// assert_eq!(params.values(), &[0.0]);
    /// # Ok::<(), adjoint_ndarray::Error>(())
    /// ```
    ///
    /// # Panics
    ///
    /// Panics as [`Optimizer::step`] does, for example if the optimizer's
    /// state was sized for another number of values.
    #[track_caller]
    pub fn step<O: Optimizer + ?Sized>(&mut self, optimizer: &mut O) {
        optimizer.step(&mut self.values, &self.gradients);
    }

    /// The values and the gradients at once, for an optimizer call or a
    /// custom update.
    ///
    /// ```
    /// let mut params = adjoint_ndarray::ParamSet::new();
    /// params.add("w", ndarray::array![1.0])?;
    /// let (values, gradients) = params.values_and_gradients_mut();
    /// values[0] -= gradients[0];
    /// # Ok::<(), adjoint_ndarray::Error>(())
    /// ```
    pub fn values_and_gradients_mut(&mut self) -> (&mut [f64], &mut [f64]) {
        (&mut self.values, &mut self.gradients)
    }
}

/// The parameters of a [`ParamSet`] recorded on a tape by
/// [`ParamSet::bind`]: one input tensor per parameter.
///
/// It holds no borrow of the parameter set, so
/// [`ParamSet::backward`] can run while it is alive.
///
/// ```
/// use adjoint_tape::Tape;
///
/// let mut params = adjoint_ndarray::ParamSet::new();
/// let w = params.add("w", ndarray::array![[1.0, 2.0]])?;
/// let tape = Tape::new();
/// let bound = params.bind(&tape);
/// assert_eq!(bound.get(w).value(), &ndarray::array![[1.0, 2.0]].into_dyn());
/// # Ok::<(), adjoint_ndarray::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct BoundParams<'t> {
    tape: &'t Tape,
    start: usize,
    values: Arc<Vec<BoundValue>>,
}

impl<'t> BoundParams<'t> {
    /// The input tensor of parameter `id`.
    ///
    /// ```
    /// use adjoint_tape::Tape;
    ///
    /// let mut params = adjoint_ndarray::ParamSet::new();
    /// let a = params.add("a", ndarray::array![1.0])?;
    /// let b = params.add("b", ndarray::array![2.0, 3.0])?;
    /// let tape = Tape::new();
    /// let bound = params.bind(&tape);
    /// assert_eq!(bound.get(b).node_range(), Some(1..3));
    /// # let _ = a;
    /// # Ok::<(), adjoint_ndarray::Error>(())
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `id` is not from the parameter set that was bound.
    #[track_caller]
    pub fn get(&self, id: ParamId) -> Tensor<'t> {
        let bound = self.values.get(id.0).unwrap_or_else(|| {
            panic!(
                "parameter id {} is not among the {} bound parameters",
                id.0,
                self.values.len()
            )
        });
        if bound.value.is_empty() {
            return Tensor::constant_arc(Arc::clone(&bound.value));
        }
        Tensor::on_tape(
            self.tape,
            self.start + bound.offset,
            Arc::clone(&bound.value),
        )
    }

    /// The tape the parameters are recorded on.
    ///
    /// ```
    /// use adjoint_tape::Tape;
    ///
    /// let mut params = adjoint_ndarray::ParamSet::new();
    /// let tape = Tape::new();
    /// assert!(std::ptr::eq(params.bind(&tape).tape(), &tape));
    /// ```
    pub fn tape(&self) -> &'t Tape {
        self.tape
    }
}
