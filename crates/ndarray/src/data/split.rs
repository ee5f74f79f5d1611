use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use super::Dataset;

impl Dataset {
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
}
