use std::path::PathBuf;

#[cfg(doc)]
use super::Dataset;

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
