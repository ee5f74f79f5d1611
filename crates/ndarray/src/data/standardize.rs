use ndarray::{Array1, Array2, Axis};
use serde::{Deserialize, Serialize};

use super::Dataset;

/// Standardization to zero mean and unit variance, column by column, with
/// the statistics of the data it was fitted on.
///
/// Fit it on the training part only and apply it to both parts, so that
/// nothing about the test rows leaks into training.
///
/// - `std` is the population standard deviation (divisor n, numpy's
///   default `ddof=0` and scikit-learn's `StandardScaler`), not the sample
///   one (divisor n − 1).
/// - A column whose training values are all equal has `std` exactly 0, and
///   [`transform`](Self::transform) only subtracts its mean (it divides by
///   1), so that column becomes 0 on the training rows and never NaN, as
///   scikit-learn's `StandardScaler` does.
///
/// ```
/// use adjoint_ndarray::data::Standardizer;
/// use ndarray::array;
///
/// let train = array![[1.0, 5.0], [3.0, 5.0]];
/// let scaler = Standardizer::fit(&train);
/// assert_eq!(scaler.mean, array![2.0, 5.0]);
/// assert_eq!(scaler.std, array![1.0, 0.0]);
/// assert_eq!(scaler.transform(&train), array![[-1.0, 0.0], [1.0, 0.0]]);
/// assert_eq!(scaler.transform(&array![[4.0, 7.0]]), array![[2.0, 2.0]]);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Standardizer {
    /// The mean of each column (for a constant column, its value).
    pub mean: Array1<f64>,
    /// The population standard deviation of each column; exactly 0 for a
    /// constant column.
    pub std: Array1<f64>,
}

impl Standardizer {
    /// Computes the mean and the population standard deviation of each
    /// column of `features` (two passes over the data).
    ///
    /// A NaN in a column gives that column a NaN mean and standard
    /// deviation.
    ///
    /// ```
    /// use adjoint_ndarray::data::Standardizer;
    /// use ndarray::array;
    ///
    /// let scaler = Standardizer::fit(&array![[0.0], [0.0], [3.0], [5.0]]);
    /// assert_eq!(scaler.mean, array![2.0]);
    /// // Squared deviations 4 + 4 + 1 + 9 = 18, over n = 4 rows.
    /// assert_eq!(scaler.std, array![(18.0_f64 / 4.0).sqrt()]);
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `features` has no rows.
    pub fn fit(features: &Array2<f64>) -> Self {
        let rows = features.nrows();
        assert!(
            rows > 0,
            "Standardizer::fit needs at least one row, got a {rows}x{} matrix",
            features.ncols()
        );
        let columns = features.ncols();
        let mut mean = Array1::zeros(columns);
        let mut std = Array1::zeros(columns);
        for (column, values) in features.axis_iter(Axis(1)).enumerate() {
            let first = values[0];
            if values.iter().all(|&value| value == first) {
                // The value itself rather than its rounded average, so
                // the column standardizes to exact zeros.
                mean[column] = first;
                continue;
            }
            let column_mean = values.sum() / rows as f64;
            let squares: f64 = values
                .iter()
                .map(|&value| (value - column_mean).powi(2))
                .sum();
            mean[column] = column_mean;
            std[column] = (squares / rows as f64).sqrt();
        }
        Self { mean, std }
    }

    /// Subtracts the fitted mean from each column and divides by the
    /// fitted standard deviation, or by 1 where that is 0.
    ///
    /// ```
    /// use adjoint_ndarray::data::Standardizer;
    /// use ndarray::array;
    ///
    /// let scaler = Standardizer { mean: array![1.0], std: array![2.0] };
    /// assert_eq!(scaler.transform(&array![[5.0], [-1.0]]), array![[2.0], [-1.0]]);
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `features` has another number of columns than the data
    /// the standardizer was fitted on.
    pub fn transform(&self, features: &Array2<f64>) -> Array2<f64> {
        assert_eq!(
            features.ncols(),
            self.mean.len(),
            "Standardizer::transform: the features have {} columns, the standardizer was \
             fitted on {}",
            features.ncols(),
            self.mean.len()
        );
        let scale = self.std.mapv(|std| if std > 0.0 { std } else { 1.0 });
        (features - &self.mean) / &scale
    }

    /// A copy of a data set with its features standardized by
    /// [`transform`](Self::transform).
    ///
    /// ```
    /// use adjoint_ndarray::data::{self, Standardizer};
    ///
    /// let iris = data::iris();
    /// let scaled = Standardizer::fit(iris.features()).transform_dataset(&iris);
    /// let column_mean = scaled.features().column(0).mean().unwrap();
    /// assert!(column_mean.abs() < 1e-12);
    /// assert_eq!(scaled.labels(), iris.labels());
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if the data set has another number of features than the
    /// data the standardizer was fitted on.
    pub fn transform_dataset(&self, data: &Dataset) -> Dataset {
        data.clone().with_features(self.transform(data.features()))
    }
}
