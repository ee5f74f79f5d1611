use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::path::Path;

use ndarray::Array2;

use super::{DataError, Dataset};

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
