use super::Dataset;

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
