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

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ndarray::{Array1, Array2, Axis};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

/// Errors from reading a data set: the CSV's line and column where it went
/// wrong, or the data set's shape.
///
/// Line numbers count from 1 and include the header row; column numbers
/// count from 1.
///
/// ```
/// use adjoint_ndarray::data::{self, DataError};
///
/// let error = data::parse_csv("a,b,class\n1.0,2.0,0\n3.0,oops,1\n").unwrap_err();
/// assert!(matches!(error, DataError::NotNumeric { line: 3, column: 2, .. }));
/// assert_eq!(
///     error.to_string(),
///     "line 3, column 2 (b): \"oops\" is not a finite number; every column except the last \
///      (the class label) must hold numbers"
/// );
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file that was requested.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },

    /// The text is not valid CSV (for example, it is not UTF-8).
    #[error("line {line}: invalid CSV: {message}")]
    Csv {
        /// The line where the CSV reader stopped.
        line: u64,
        /// The CSV reader's message.
        message: String,
    },

    /// The CSV has a header row at most and no data rows.
    #[error(
        "the CSV has no data rows; expected one row per example, numeric features first \
         and the class label last"
    )]
    NoRows,

    /// The first row has fewer than two columns, so there is no room for
    /// a feature and a label.
    #[error(
        "line {line} has {found} column(s); expected at least 2: one or more numeric \
         features and the class label last"
    )]
    TooFewColumns {
        /// The line of the first row.
        line: u64,
        /// The number of columns found.
        found: usize,
    },

    /// A row has fewer columns than the first row.
    #[error(
        "line {line} has {found} column(s), expected {expected} as in the first row: \
         column {column} is missing"
    )]
    ShortRow {
        /// The line of the short row.
        line: u64,
        /// The first missing column.
        column: usize,
        /// The number of columns of the first row.
        expected: usize,
        /// The number of columns of this row.
        found: usize,
    },

    /// A row has more columns than the first row.
    #[error(
        "line {line} has {found} column(s), expected {expected} as in the first row: \
         column {column} is extra"
    )]
    LongRow {
        /// The line of the long row.
        line: u64,
        /// The first extra column.
        column: usize,
        /// The number of columns of the first row.
        expected: usize,
        /// The number of columns of this row.
        found: usize,
    },

    /// A feature cell is empty.
    #[error(
        "line {line}, column {column}{}: the cell is empty; fill in a number or remove the row",
        header_suffix(header)
    )]
    MissingValue {
        /// The line of the row.
        line: u64,
        /// The column of the cell.
        column: usize,
        /// The column's name from the header row, if there is one.
        header: Option<String>,
    },

    /// A feature cell does not hold a finite number.
    #[error(
        "line {line}, column {column}{}: {value:?} is not a finite number; every column \
         except the last (the class label) must hold numbers",
        header_suffix(header)
    )]
    NotNumeric {
        /// The line of the row.
        line: u64,
        /// The column of the cell.
        column: usize,
        /// The column's name from the header row, if there is one.
        header: Option<String>,
        /// The cell's text.
        value: String,
    },

    /// The last cell of a row, the class label, is empty.
    #[error(
        "line {line}, column {column}: the class label is missing; the last column must \
         hold each row's class"
    )]
    MissingLabel {
        /// The line of the row.
        line: u64,
        /// The label's column (the last one).
        column: usize,
    },

    /// Every row has the same class, so there is nothing to classify.
    #[error(
        "every row has the class label {label:?} ({rows} rows); a classifier needs at \
         least two classes"
    )]
    SingleClass {
        /// The only label found.
        label: String,
        /// The number of rows.
        rows: usize,
    },

    /// The parts given to [`Dataset::new`] do not fit together.
    #[error("invalid data set: {what} has {found} entries, expected {expected}")]
    LengthMismatch {
        /// The part that has the wrong length.
        what: &'static str,
        /// The expected length.
        expected: usize,
        /// The length found.
        found: usize,
    },

    /// A label given to [`Dataset::new`] is not an index into the class
    /// names.
    #[error("invalid data set: row {row} has class {label}, but there are only {classes} classes")]
    LabelOutOfRange {
        /// The row, counted from 0.
        row: usize,
        /// The label found.
        label: usize,
        /// The number of class names.
        classes: usize,
    },
}

fn header_suffix(header: &Option<String>) -> String {
    match header {
        Some(name) => format!(" ({name})"),
        None => String::new(),
    }
}

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

    /// Shuffles the rows with a seeded random number generator and splits
    /// them into a training part and a test part of `test_fraction` of the
    /// rows (rounded, and at least one row in each part).
    ///
    /// The same seed gives the same split on every machine for a given
    /// version of the `rand` crate (its `StdRng`, ChaCha12 in rand 0.9,
    /// makes no promise across versions). Both parts keep the shuffled
    /// order. The split is not stratified by class.
    ///
    /// ```
    /// let wine = adjoint_ndarray::data::wine_quality();
    /// let (train, test) = wine.split(0.2, 7);
    /// assert_eq!((train.len(), test.len()), (1279, 320));
    /// assert_eq!(wine.split(0.2, 7), (train, test));
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `test_fraction` is not strictly between 0 and 1, or the
    /// data set has fewer than two rows.
    pub fn split(&self, test_fraction: f64, seed: u64) -> (Self, Self) {
        assert!(
            test_fraction > 0.0 && test_fraction < 1.0,
            "split: test_fraction must be strictly between 0 and 1, got {test_fraction}; \
             use 0.2 for an 80/20 split"
        );
        let rows = self.len();
        assert!(
            rows >= 2,
            "split needs at least 2 rows to fill both parts, the data set has {rows}"
        );
        let mut order: Vec<usize> = (0..rows).collect();
        order.shuffle(&mut StdRng::seed_from_u64(seed));

        // The product is a finite count in 0..=rows, so the cast is exact.
        let test_rows = ((rows as f64 * test_fraction).round() as usize).clamp(1, rows - 1);
        let (test, train) = order.split_at(test_rows);
        (self.select_rows(train), self.select_rows(test))
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

/// The red wine quality data as a binary problem: 1,599 Portuguese "Vinho
/// Verde" red wines with 11 physicochemical features each. Class 1 is a
/// quality score of 6 or more ("quality >= 6", 855 wines) and class 0 a
/// score of 5 or less ("quality <= 5", 744 wines).
///
/// The data ships inside the `linfa-datasets` crate, so nothing is
/// downloaded. The features are raw (not standardized).
///
/// ```
/// let wine = adjoint_ndarray::data::wine_quality();
/// assert_eq!(wine.features().dim(), (1599, 11));
/// assert_eq!(wine.class_counts(), vec![744, 855]);
/// ```
pub fn wine_quality() -> Dataset {
    let wine = linfa_datasets::winequality();
    let labels = wine
        .targets()
        .iter()
        .map(|&quality| usize::from(quality >= 6))
        .collect();
    Dataset::new(
        wine.records().clone(),
        labels,
        wine.feature_names().to_vec(),
        vec!["quality <= 5".into(), "quality >= 6".into()],
    )
    .expect("the wine data has one quality score per row and 11 named features")
}

/// Fisher's iris data: 150 flowers, 4 features (sepal and petal length and
/// width in cm), 3 classes of 50 (setosa, versicolor, virginica), from the
/// `linfa-datasets` crate.
///
/// ```
/// let iris = adjoint_ndarray::data::iris();
/// assert_eq!(iris.features().dim(), (150, 4));
/// assert_eq!(iris.class_names(), ["setosa", "versicolor", "virginica"]);
/// ```
pub fn iris() -> Dataset {
    let iris = linfa_datasets::iris();
    Dataset::new(
        iris.records().clone(),
        iris.targets().to_vec(),
        iris.feature_names().to_vec(),
        vec!["setosa".into(), "versicolor".into(), "virginica".into()],
    )
    .expect("the iris data has one class in 0..3 per row and 4 named features")
}

/// Reads a classification data set from a CSV file; see [`parse_csv`] for
/// the format.
///
/// # Errors
///
/// [`DataError::Io`] if the file cannot be read, otherwise the errors of
/// [`parse_csv`].
///
/// ```
/// use adjoint_ndarray::data::{self, DataError};
///
/// let error = data::read_csv("no/such/file.csv").unwrap_err();
/// assert!(matches!(error, DataError::Io { .. }));
/// assert!(error.to_string().starts_with("cannot read no/such/file.csv: "));
/// ```
pub fn read_csv(path: impl AsRef<Path>) -> Result<Dataset, DataError> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|source| DataError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_csv(&text)
}

/// Parses a classification data set from CSV text: numeric feature columns
/// first, the class label in the last column.
///
/// - The delimiter is the most frequent of `,`, `;` and tab in the first
///   line (`,` when none occurs), so the UCI wine files (`;`) read as they
///   are. Cells are trimmed of surrounding spaces; blank lines are skipped.
/// - The first row is a header if none of its feature cells is a number;
///   its cells name the features. Without a header the features are named
///   `column 1`, `column 2`, ….
/// - A label is any non-empty text, compared as text (so `1` and `1.0`
///   are two classes). Classes are numbered in numeric order of their
///   labels when every label is a number, in text order otherwise.
///
/// The whole text is checked before a data set is returned, so no caller
/// ever trains on half-read data.
///
/// # Errors
///
/// Every error names its line (counting from 1, header included) and,
/// where there is one, its column (counting from 1):
/// [`ShortRow`](DataError::ShortRow) and [`LongRow`](DataError::LongRow)
/// for a row whose length differs from the first row's,
/// [`MissingValue`](DataError::MissingValue) for an empty feature cell,
/// [`NotNumeric`](DataError::NotNumeric) for a feature cell that is not a
/// finite number (`NaN` and `inf` included),
/// [`MissingLabel`](DataError::MissingLabel) for an empty label,
/// [`TooFewColumns`](DataError::TooFewColumns) for fewer than two columns,
/// [`NoRows`](DataError::NoRows), [`SingleClass`](DataError::SingleClass)
/// when every row has one label, and [`Csv`](DataError::Csv) for text the
/// CSV reader rejects.
///
/// ```
/// use adjoint_ndarray::data::{self, DataError};
///
/// let data = data::parse_csv("height; weight; kind\n1.5; 60; b\n1.8; 80; a\n1.7; 70; b\n")?;
/// assert_eq!(data.feature_names(), ["height", "weight"]);
/// assert_eq!(data.class_names(), ["a", "b"]);
/// assert_eq!(data.labels(), [1, 0, 1]);
/// assert_eq!(data.features()[[1, 1]], 80.0);
///
/// let error = data::parse_csv("1,2,0\n3,4\n").unwrap_err();
/// assert_eq!(
///     error.to_string(),
///     "line 2 has 2 column(s), expected 3 as in the first row: column 3 is missing"
/// );
/// # Ok::<(), DataError>(())
/// ```
pub fn parse_csv(text: &str) -> Result<Dataset, DataError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .delimiter(detect_delimiter(text))
        .from_reader(text.as_bytes());

    let mut width = 0;
    let mut headers: Option<Vec<String>> = None;
    let mut values = Vec::new();
    let mut label_texts = Vec::new();
    let mut first = true;

    for record in reader.records() {
        let record = record.map_err(|error| DataError::Csv {
            line: error.position().map_or(0, |at| line_at(text, at)),
            message: error.to_string(),
        })?;
        let line = record.position().map_or(0, |at| line_at(text, at));
        if record.len() == 1 && record[0].is_empty() {
            continue;
        }

        if first {
            first = false;
            width = record.len();
            if width < 2 {
                return Err(DataError::TooFewColumns { line, found: width });
            }
            let features = record.iter().take(width - 1);
            if features.clone().all(|cell| cell.parse::<f64>().is_err()) {
                headers = Some(record.iter().map(str::to_owned).collect());
                continue;
            }
        }

        check_row_length(line, width, record.len())?;
        for (index, cell) in record.iter().take(width - 1).enumerate() {
            values.push(parse_feature(cell, line, index, headers.as_deref())?);
        }
        let label = &record[width - 1];
        if label.is_empty() {
            return Err(DataError::MissingLabel {
                line,
                column: width,
            });
        }
        label_texts.push(label.to_owned());
    }

    if label_texts.is_empty() {
        return Err(DataError::NoRows);
    }
    let (labels, class_names) = number_classes(&label_texts)?;
    let feature_names = match headers {
        Some(mut names) => {
            names.truncate(width - 1);
            names
        }
        None => (1..width)
            .map(|column| format!("column {column}"))
            .collect(),
    };
    let rows = labels.len();
    let features = Array2::from_shape_vec((rows, width - 1), values)
        .expect("each row pushed exactly width - 1 features");
    Dataset::new(features, labels, feature_names, class_names)
}

/// The line (from 1) where a record starts.
///
/// The CSV reader's own line count (csv 1.4) is off after blank lines and
/// `\r\n` line ends. So this counts the line breaks before the record's
/// byte offset, which points at the record or at the blank lines before
/// it.
fn line_at(text: &str, position: &csv::Position) -> u64 {
    let bytes = text.as_bytes();
    let mut start = usize::try_from(position.byte()).map_or(bytes.len(), |b| b.min(bytes.len()));
    while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
        start += 1;
    }
    let breaks = bytes[..start].iter().filter(|&&b| b == b'\n').count();
    breaks as u64 + 1
}

/// Picks the most frequent of `,`, `;` and tab in the first non-blank
/// line; `,` wins ties and lines with none of them.
fn detect_delimiter(text: &str) -> u8 {
    let first_line = text
        .lines()
        .find(|line| !line.trim().is_empty())
        .unwrap_or("");
    let count = |delimiter: u8| first_line.bytes().filter(|&b| b == delimiter).count();
    [b';', b'\t'].into_iter().fold(b',', |best, candidate| {
        if count(candidate) > count(best) {
            candidate
        } else {
            best
        }
    })
}

fn check_row_length(line: u64, expected: usize, found: usize) -> Result<(), DataError> {
    match found.cmp(&expected) {
        Ordering::Equal => Ok(()),
        Ordering::Less => Err(DataError::ShortRow {
            line,
            column: found + 1,
            expected,
            found,
        }),
        Ordering::Greater => Err(DataError::LongRow {
            line,
            column: expected + 1,
            expected,
            found,
        }),
    }
}

fn parse_feature(
    cell: &str,
    line: u64,
    index: usize,
    headers: Option<&[String]>,
) -> Result<f64, DataError> {
    let header = headers.map(|names| names[index].clone());
    if cell.is_empty() {
        return Err(DataError::MissingValue {
            line,
            column: index + 1,
            header,
        });
    }
    match cell.parse::<f64>() {
        Ok(value) if value.is_finite() => Ok(value),
        _ => Err(DataError::NotNumeric {
            line,
            column: index + 1,
            header,
            value: cell.to_owned(),
        }),
    }
}

/// Numbers the distinct labels (numeric order if all are numbers, text
/// order otherwise) and returns each row's class and the class names.
fn number_classes(label_texts: &[String]) -> Result<(Vec<usize>, Vec<String>), DataError> {
    let mut names: Vec<&String> = label_texts
        .iter()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    if names.len() < 2 {
        return Err(DataError::SingleClass {
            label: label_texts[0].clone(),
            rows: label_texts.len(),
        });
    }
    let numeric: Option<Vec<f64>> = names.iter().map(|name| name.parse().ok()).collect();
    if let Some(numbers) = numeric {
        let mut paired: Vec<(f64, &String)> = numbers.into_iter().zip(names).collect();
        paired.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(b.1)));
        names = paired.into_iter().map(|(_, name)| name).collect();
    }
    let class_of: BTreeMap<&String, usize> = names
        .iter()
        .enumerate()
        .map(|(class, &name)| (name, class))
        .collect();
    let labels = label_texts.iter().map(|text| class_of[text]).collect();
    Ok((labels, names.into_iter().cloned().collect()))
}

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
