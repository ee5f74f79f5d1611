//! Tests of the data module: CSV errors, the seeded split, standardization
//! and the shipped data sets.

use adjoint_ndarray::data::{self, DataError, Dataset, Standardizer};
use ndarray::{Array2, Axis, array};

fn parse_error(text: &str) -> DataError {
    match data::parse_csv(text) {
        Ok(data) => panic!(
            "expected an error for {text:?}, got a data set of {} rows",
            data.len()
        ),
        Err(error) => error,
    }
}

#[test]
fn short_row_names_line_and_column() {
    let error = parse_error("a,b,c,label\n1,2,3,x\n4,5,6,y\n7,8\n");
    assert!(
        matches!(
            error,
            DataError::ShortRow {
                line: 4,
                column: 3,
                expected: 4,
                found: 2
            }
        ),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(message.contains("line 4"), "{message}");
    assert!(message.contains("column 3 is missing"), "{message}");
}

#[test]
fn long_row_names_line_and_column() {
    let error = parse_error("1,2,x\n3,4,y,5\n");
    assert!(
        matches!(
            error,
            DataError::LongRow {
                line: 2,
                column: 4,
                expected: 3,
                found: 4
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("column 4 is extra"));
}

#[test]
fn non_numeric_cell_names_line_column_and_header() {
    let error = parse_error("alpha,beta,label\n1,2,x\n3,4,y\n5,abc,x\n");
    match &error {
        DataError::NotNumeric {
            line,
            column,
            header,
            value,
        } => {
            assert_eq!(*line, 4);
            assert_eq!(*column, 2);
            assert_eq!(header.as_deref(), Some("beta"));
            assert_eq!(value, "abc");
        }
        other => panic!("expected NotNumeric, got {other:?}"),
    }
    assert!(
        error
            .to_string()
            .starts_with("line 4, column 2 (beta): \"abc\"")
    );
}

#[test]
fn non_numeric_cell_without_header() {
    let error = parse_error("1,2,x\n3,4,y\n5,6e,x\n");
    assert!(
        matches!(
            error,
            DataError::NotNumeric {
                line: 3,
                column: 2,
                header: None,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().starts_with("line 3, column 2: \"6e\""));
}

#[test]
fn non_finite_cells_rejected() {
    for cell in ["NaN", "inf", "-inf", "1e999"] {
        let error = parse_error(&format!("1,2,x\n{cell},4,y\n"));
        assert!(
            matches!(
                error,
                DataError::NotNumeric {
                    line: 2,
                    column: 1,
                    ..
                }
            ),
            "{cell}: {error:?}"
        );
    }
}

#[test]
fn empty_feature_cell_rejected() {
    let error = parse_error("a,b,label\n1,2,x\n3,,y\n");
    assert!(
        matches!(
            error,
            DataError::MissingValue {
                line: 3,
                column: 2,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .contains("line 3, column 2 (b): the cell is empty")
    );
}

#[test]
fn missing_label_rejected() {
    let error = parse_error("1,2,x\n3,4,\n");
    assert!(
        matches!(error, DataError::MissingLabel { line: 2, column: 3 }),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .starts_with("line 2, column 3: the class label is missing")
    );
}

#[test]
fn single_class_rejected() {
    let error = parse_error("f,label\n1,7\n2,7\n3,7\n");
    assert!(
        matches!(&error, DataError::SingleClass { label, rows: 3 } if label == "7"),
        "{error:?}"
    );
}

#[test]
fn header_only_has_no_rows() {
    assert!(matches!(parse_error("a,b,label\n"), DataError::NoRows));
    assert!(matches!(parse_error(""), DataError::NoRows));
    assert!(matches!(parse_error("\n\n"), DataError::NoRows));
}

#[test]
fn one_column_rejected() {
    let error = parse_error("1\n2\n");
    assert!(
        matches!(error, DataError::TooFewColumns { line: 1, found: 1 }),
        "{error:?}"
    );
}

#[test]
fn error_on_last_line_returns_no_data() {
    let mut text = String::from("a,b,label\n");
    for i in 0..100 {
        text.push_str(&format!("{i},{},{}\n", 2 * i, i % 2));
    }
    text.push_str("1,oops,0\n");
    let error = parse_error(&text);
    assert!(
        matches!(
            error,
            DataError::NotNumeric {
                line: 102,
                column: 2,
                ..
            }
        ),
        "{error:?}"
    );
}

#[test]
fn blank_lines_skipped_and_counted() {
    let data = data::parse_csv("a,b,label\n\n1,2,x\n\n3,4,y\n").expect("valid CSV");
    assert_eq!(data.len(), 2);
    let error = parse_error("a,b,label\n\n1,2,x\n\n3,z,y\n");
    assert!(
        matches!(
            error,
            DataError::NotNumeric {
                line: 5,
                column: 2,
                ..
            }
        ),
        "{error:?}"
    );
}

#[test]
fn crlf_and_quoted_line_breaks_counted() {
    let error = parse_error("a,b,label\r\n\r\n1,2,\"two\nlines\"\r\n3,4,y\r\n5,?,x\r\n");
    assert!(
        matches!(
            error,
            DataError::NotNumeric {
                line: 6,
                column: 2,
                ..
            }
        ),
        "{error:?}"
    );
}

#[test]
fn numeric_first_row_is_data() {
    let data = data::parse_csv("1,2,0\n3,4,1\n").expect("valid CSV");
    assert_eq!(data.len(), 2);
    assert_eq!(data.feature_names(), ["column 1", "column 2"]);
    assert_eq!(data.features(), array![[1.0, 2.0], [3.0, 4.0]]);
}

#[test]
fn numeric_labels_ordered_by_value() {
    let data = data::parse_csv("1,10\n2,9\n3,2\n4,10\n").expect("valid CSV");
    assert_eq!(data.class_names(), ["2", "9", "10"]);
    assert_eq!(data.labels(), [2, 1, 0, 2]);
}

#[test]
fn text_labels_ordered_as_text() {
    let data = data::parse_csv("x,kind\n1,pear\n2,apple\n3,fig\n").expect("valid CSV");
    assert_eq!(data.class_names(), ["apple", "fig", "pear"]);
    assert_eq!(data.labels(), [2, 0, 1]);
}

#[test]
fn semicolon_and_tab_delimiters_detected() {
    let semicolon =
        data::parse_csv("\"fixed acidity\";\"pH\";\"quality\"\n7.4;3.51;5\n7.8;3.2;6\n")
            .expect("valid CSV");
    assert_eq!(semicolon.feature_names(), ["fixed acidity", "pH"]);
    assert_eq!(semicolon.features(), array![[7.4, 3.51], [7.8, 3.2]]);
    let tab = data::parse_csv("a\tb\tc\n1\t2\tx\n3\t4\ty\n").expect("valid CSV");
    assert_eq!(tab.features(), array![[1.0, 2.0], [3.0, 4.0]]);
}

#[test]
fn read_csv_reads_a_file() {
    let path = std::env::temp_dir().join(format!("adjoint-data-test-{}.csv", std::process::id()));
    std::fs::write(&path, "a,b,label\n1,2,x\n3,4,y\n5,6,x\n").expect("temp dir is writable");
    let data = data::read_csv(&path);
    std::fs::remove_file(&path).expect("the file was just written");
    let data = data.expect("valid CSV");
    assert_eq!(data.len(), 3);
    assert_eq!(data.class_counts(), vec![2, 1]);
}

/// A data set whose first feature is the row number, so a split can be
/// traced back to the original rows.
fn numbered(rows: usize) -> Dataset {
    let features = Array2::from_shape_fn((rows, 2), |(row, column)| {
        if column == 0 {
            row as f64
        } else {
            (row * row) as f64
        }
    });
    let labels = (0..rows).map(|row| row % 3).collect();
    Dataset::new(
        features,
        labels,
        vec!["row".into(), "square".into()],
        vec!["a".into(), "b".into(), "c".into()],
    )
    .expect("consistent parts")
}

fn row_ids(data: &Dataset) -> Vec<usize> {
    data.features()
        .column(0)
        .iter()
        .map(|&id| id as usize)
        .collect()
}

#[test]
fn split_is_eighty_twenty() {
    let data = numbered(1000);
    let (train, test) = data.split(0.2, 1);
    assert_eq!(train.len(), 800);
    assert_eq!(test.len(), 200);
    let wine = data::wine_quality();
    let (train, test) = wine.split(0.2, 1);
    assert_eq!((train.len(), test.len()), (1279, 320));
}

#[test]
fn split_parts_partition_the_rows() {
    let data = numbered(101);
    let (train, test) = data.split(0.2, 9);
    let mut all: Vec<usize> = row_ids(&train).into_iter().chain(row_ids(&test)).collect();
    all.sort_unstable();
    assert_eq!(all, (0..101).collect::<Vec<_>>());
    for (row, &label) in row_ids(&train).iter().zip(train.labels()) {
        assert_eq!(label, row % 3, "row {row} lost its label");
    }
}

#[test]
fn split_is_deterministic_by_seed() {
    let data = numbered(200);
    let first = data.split(0.2, 42);
    let again = data.split(0.2, 42);
    assert_eq!(row_ids(&first.1), row_ids(&again.1));
    assert_eq!(first, again);
    let other = data.split(0.2, 43);
    assert_ne!(row_ids(&first.1), row_ids(&other.1));
}

#[test]
fn split_shuffles_rows() {
    let data = numbered(200);
    let (_, test) = data.split(0.2, 5);
    let ids = row_ids(&test);
    assert!(ids.windows(2).any(|pair| pair[0] > pair[1]), "{ids:?}");
    assert!(ids.iter().any(|&id| id >= 160), "{ids:?}");
}

#[test]
fn split_keeps_one_row_each_side() {
    let data = numbered(2);
    let (train, test) = data.split(0.01, 0);
    assert_eq!((train.len(), test.len()), (1, 1));
}

#[test]
#[should_panic(expected = "test_fraction must be strictly between 0 and 1, got 1")]
fn split_rejects_fraction_one() {
    let _ = numbered(10).split(1.0, 0);
}

#[test]
fn standardizer_uses_training_statistics_only() {
    let data = numbered(50);
    let (train, test) = data.split(0.2, 3);
    let scaler = Standardizer::fit(train.features());

    let train_mean = train.features().mean_axis(Axis(0)).expect("rows");
    let train_std = train.features().std_axis(Axis(0), 0.0);
    let full_mean = data.features().mean_axis(Axis(0)).expect("rows");
    assert_eq!(scaler.mean, train_mean);
    assert!((&scaler.std - &train_std).iter().all(|d| d.abs() < 1e-12));
    assert_ne!(scaler.mean, full_mean);

    let scaled_test = scaler.transform_dataset(&test);
    for (row, scaled) in test
        .features()
        .outer_iter()
        .zip(scaled_test.features().outer_iter())
    {
        for column in 0..2 {
            let expected = (row[column] - train_mean[column]) / scaler.std[column];
            assert_eq!(scaled[column], expected);
        }
    }

    let scaled_train = scaler.transform(train.features());
    for column in scaled_train.axis_iter(Axis(1)) {
        assert!(column.mean().expect("rows").abs() < 1e-12);
        assert!((column.std(0.0) - 1.0).abs() < 1e-12);
    }
}

#[test]
fn standardizer_uses_population_std() {
    let scaler = Standardizer::fit(&array![[1.0], [2.0], [3.0], [4.0]]);
    assert_eq!(scaler.mean, array![2.5]);
    assert_eq!(scaler.std, array![1.25_f64.sqrt()]);
}

#[test]
fn constant_column_gives_zeros_not_nan() {
    let train = array![[0.1, 1.0], [0.1, 2.0], [0.1, 3.0]];
    let scaler = Standardizer::fit(&train);
    assert_eq!(scaler.std[0], 0.0);
    let scaled = scaler.transform(&train);
    assert_eq!(scaled.column(0), array![0.0, 0.0, 0.0]);
    let other = scaler.transform(&array![[0.6, 2.0]]);
    assert!((other[[0, 0]] - 0.5).abs() < 1e-15);
    assert!(other.iter().all(|v| v.is_finite()));
}

#[test]
#[should_panic(expected = "the features have 3 columns, the standardizer was fitted on 2")]
fn standardizer_rejects_other_width() {
    let scaler = Standardizer::fit(&array![[1.0, 2.0], [3.0, 5.0]]);
    let _ = scaler.transform(&array![[1.0, 2.0, 3.0]]);
}

#[test]
fn wine_has_1599_rows_and_11_features() {
    let wine = data::wine_quality();
    assert_eq!(wine.len(), 1599);
    assert_eq!(wine.num_features(), 11);
    assert_eq!(wine.feature_names()[0], "fixed acidity");
    // First row of the UCI file: 7.4, 0.7, ..., alcohol 9.4, quality 5.
    assert_eq!(wine.features()[[0, 0]], 7.4);
    assert_eq!(wine.features()[[0, 10]], 9.4);
    assert_eq!(wine.labels()[0], 0);
}

#[test]
fn wine_class_balance() {
    let wine = data::wine_quality();
    assert_eq!(wine.class_counts(), vec![744, 855]);
    let rate = wine.majority_rate();
    assert!((rate - 855.0 / 1599.0).abs() < 1e-15);
    assert!((rate - 0.5347).abs() < 1e-4, "{rate}");
}

#[test]
fn iris_classes_in_file_order() {
    let iris = data::iris();
    assert_eq!(iris.class_counts(), vec![50, 50, 50]);
    // Setosa petals are short: every setosa petal length is below 2 cm.
    for (row, &label) in iris.features().outer_iter().zip(iris.labels()) {
        assert_eq!(row[2] < 2.0, label == 0, "petal length {}", row[2]);
    }
}

#[test]
fn dataset_new_checks_lengths() {
    let error = Dataset::new(
        array![[1.0, 2.0]],
        vec![0, 1],
        vec!["a".into(), "b".into()],
        vec!["x".into(), "y".into()],
    )
    .expect_err("two labels for one row");
    assert!(
        matches!(
            error,
            DataError::LengthMismatch {
                what: "labels",
                expected: 1,
                found: 2
            }
        ),
        "{error:?}"
    );
}
