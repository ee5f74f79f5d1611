//! Classification data: the red wine quality and iris data sets that ship
//! inside `linfa-datasets`, a CSV reader for your own data, a seeded
//! train/test split and standardization fitted on the training part.
//!
//! ```
//! use adjoint_ndarray::data::{self, Standardizer};
//!
//! let wine = data::wine_quality();
//! let (train, test) = wine.split(0.2, 42);
//! let scaler = Standardizer::fit(train.features());
//! let (train, test) = (scaler.transform_dataset(&train), scaler.transform_dataset(&test));
//! assert_eq!((train.len(), test.len()), (1279, 320));
//! assert_eq!(train.num_features(), 11);
//! ```

mod builtin;
mod csv;
mod error;
mod split;
mod standardize;

pub use self::builtin::{iris, wine_quality};
pub use self::csv::{parse_csv, read_csv};
pub use self::error::DataError;
pub use self::standardize::Standardizer;

use ndarray::{Array2, Axis};

/// A classification data set: one row of numeric features per example and
/// its class, an index into the class names.
///
/// ```
/// use adjoint_ndarray::data::Dataset;
/// use ndarray::array;
///
/// let data = Dataset::new(
///     array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]],
///     vec![0, 1, 1],
///     vec!["x".into(), "y".into()],
///     vec!["no".into(), "yes".into()],
/// )?;
/// assert_eq!(data.class_counts(), vec![1, 2]);
/// assert_eq!(data.majority_rate(), 2.0 / 3.0);
/// # Ok::<(), adjoint_ndarray::data::DataError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    features: Array2<f64>,
    labels: Vec<usize>,
    feature_names: Vec<String>,
    class_names: Vec<String>,
}

impl Dataset {
    /// Builds a data set from a features matrix (one row per example), one
    /// label per row, one name per feature column and one name per class.
    ///
    /// # Errors
    ///
    /// [`DataError::LengthMismatch`] if the labels or names do not match
    /// the matrix, [`DataError::NoRows`] for a matrix without rows and
    /// [`DataError::LabelOutOfRange`] for a label that is not an index into
    /// `class_names`.
    ///
    /// ```
    /// use adjoint_ndarray::data::{DataError, Dataset};
    /// use ndarray::array;
    ///
    /// let error = Dataset::new(array![[1.0], [2.0]], vec![0, 2], vec!["x".into()], vec!["a".into(), "b".into()]);
    /// assert!(matches!(error, Err(DataError::LabelOutOfRange { row: 1, label: 2, classes: 2 })));
    /// ```
    pub fn new(
        features: Array2<f64>,
        labels: Vec<usize>,
        feature_names: Vec<String>,
        class_names: Vec<String>,
    ) -> Result<Self, DataError> {
        let (rows, columns) = features.dim();
        if rows == 0 {
            return Err(DataError::NoRows);
        }
        check_length("labels", rows, labels.len())?;
        check_length("feature_names", columns, feature_names.len())?;
        if let Some((row, &label)) = labels
            .iter()
            .enumerate()
            .find(|&(_, &label)| label >= class_names.len())
        {
            return Err(DataError::LabelOutOfRange {
                row,
                label,
                classes: class_names.len(),
            });
        }
        Ok(Self {
            features,
            labels,
            feature_names,
            class_names,
        })
    }

    /// The features, one row per example.
    ///
    /// ```
    /// assert_eq!(adjoint_ndarray::data::iris().features().dim(), (150, 4));
    /// ```
    pub fn features(&self) -> &Array2<f64> {
        &self.features
    }

    /// The class of each row, an index into [`class_names`](Self::class_names).
    ///
    /// ```
    /// let iris = adjoint_ndarray::data::iris();
    /// assert_eq!((iris.labels()[0], iris.labels()[149]), (0, 2));
    /// ```
    pub fn labels(&self) -> &[usize] {
        &self.labels
    }

    /// The name of each feature column.
    ///
    /// ```
    /// let wine = adjoint_ndarray::data::wine_quality();
    /// assert_eq!(wine.feature_names()[10], "alcohol");
    /// ```
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    /// The name of each class, in label order.
    ///
    /// ```
    /// let wine = adjoint_ndarray::data::wine_quality();
    /// assert_eq!(wine.class_names(), ["quality <= 5", "quality >= 6"]);
    /// ```
    pub fn class_names(&self) -> &[String] {
        &self.class_names
    }

    /// The number of rows (examples).
    ///
    /// ```
    /// assert_eq!(adjoint_ndarray::data::wine_quality().len(), 1599);
    /// ```
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether the data set has no rows, which [`Dataset::new`] rejects, so
    /// this is always `false`.
    ///
    /// ```
    /// assert!(!adjoint_ndarray::data::iris().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The number of feature columns.
    ///
    /// ```
    /// assert_eq!(adjoint_ndarray::data::wine_quality().num_features(), 11);
    /// ```
    pub fn num_features(&self) -> usize {
        self.features.ncols()
    }

    /// The number of classes (class names), including classes no row has.
    ///
    /// ```
    /// assert_eq!(adjoint_ndarray::data::iris().num_classes(), 3);
    /// ```
    pub fn num_classes(&self) -> usize {
        self.class_names.len()
    }

    /// The number of rows of each class, in label order.
    ///
    /// ```
    /// assert_eq!(adjoint_ndarray::data::iris().class_counts(), vec![50, 50, 50]);
    /// ```
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.num_classes()];
        for &label in &self.labels {
            counts[label] += 1;
        }
        counts
    }

    /// The fraction of rows in the most common class: the accuracy of
    /// always predicting that class, the floor a classifier must beat.
    ///
    /// ```
    /// assert_eq!(adjoint_ndarray::data::iris().majority_rate(), 1.0 / 3.0);
    /// ```
    pub fn majority_rate(&self) -> f64 {
        let largest = self.class_counts().into_iter().max().unwrap_or(0);
        largest as f64 / self.len() as f64
    }

    /// The labels as a one-hot matrix: row `i` has a 1 in column
    /// `labels[i]` and 0 elsewhere, one column per class.
    ///
    /// ```
    /// use ndarray::array;
    ///
    /// let data = adjoint_ndarray::data::parse_csv("1,a\n2,b\n3,a\n")?;
    /// assert_eq!(data.one_hot(), array![[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]]);
    /// # Ok::<(), adjoint_ndarray::data::DataError>(())
    /// ```
    pub fn one_hot(&self) -> Array2<f64> {
        let mut one_hot = Array2::zeros((self.len(), self.num_classes()));
        for (row, &label) in self.labels.iter().enumerate() {
            one_hot[[row, label]] = 1.0;
        }
        one_hot
    }

    /// A new data set of the given rows, in the given order (rows may
    /// repeat), with the same names.
    ///
    /// ```
    /// let iris = adjoint_ndarray::data::iris();
    /// let picked = iris.select_rows(&[149, 0]);
    /// assert_eq!(picked.labels(), [2, 0]);
    /// assert_eq!(picked.features().row(1), iris.features().row(0));
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `rows` is empty or an index is out of range.
    pub fn select_rows(&self, rows: &[usize]) -> Self {
        assert!(!rows.is_empty(), "select_rows needs at least one row index");
        if let Some(&bad) = rows.iter().find(|&&row| row >= self.len()) {
            panic!(
                "select_rows: row index {bad} is out of range for a data set of {} rows",
                self.len()
            );
        }
        Self {
            features: self.features.select(Axis(0), rows),
            labels: rows.iter().map(|&row| self.labels[row]).collect(),
            feature_names: self.feature_names.clone(),
            class_names: self.class_names.clone(),
        }
    }

    /// The same data set with new feature values, such as the output of
    /// [`Standardizer::transform`]; labels and names are kept.
    ///
    /// ```
    /// let iris = adjoint_ndarray::data::iris();
    /// let doubled = iris.clone().with_features(iris.features() * 2.0);
    /// assert_eq!(doubled.features()[[0, 0]], 2.0 * iris.features()[[0, 0]]);
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `features` has another shape than the current features.
    pub fn with_features(self, features: Array2<f64>) -> Self {
        assert_eq!(
            features.dim(),
            self.features.dim(),
            "with_features: the new features have shape {:?}, the data set has {:?}",
            features.dim(),
            self.features.dim()
        );
        Self { features, ..self }
    }
}

fn check_length(what: &'static str, expected: usize, found: usize) -> Result<(), DataError> {
    if expected == found {
        Ok(())
    } else {
        Err(DataError::LengthMismatch {
            what,
            expected,
            found,
        })
    }
}
