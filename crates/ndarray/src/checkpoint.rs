//! Saving and loading a [`ParamSet`] as JSON: a list of
//! `{name, shape, values}` objects in the order the parameters were added.

use std::path::Path;

use ndarray::{ArrayD, IxDyn};
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::params::ParamSet;

/// One parameter in a parameter file.
#[derive(Serialize, Deserialize)]
struct SavedParam {
    name: String,
    shape: Vec<usize>,
    values: Vec<f64>,
}

/// The JSON form of a parameter set: the parameters in order.
#[derive(Serialize, Deserialize)]
struct SavedParams {
    params: Vec<SavedParam>,
}

impl ParamSet {
    /// Serializes the parameters to JSON: a list of `{name, shape, values}`
    /// in order.
    ///
    /// # Errors
    ///
    /// [`Error::NonFiniteParameter`] if a value is NaN or infinite, which
    /// JSON cannot represent.
    ///
    /// ```
    /// let mut params = adjoint_ndarray::ParamSet::new();
    /// params.add("w", ndarray::array![1.5])?;
    /// let json = params.to_json()?;
    /// assert_eq!(json, r#"{"params":[{"name":"w","shape":[1],"values":[1.5]}]}"#);
    /// # Ok::<(), adjoint_ndarray::Error>(())
    /// ```
    pub fn to_json(&self) -> Result<String, Error> {
        let mut saved = Vec::with_capacity(self.len());
        for id in self.ids() {
            let values = &self.values()[self.range(id)];
            if let Some((index, &value)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
                return Err(Error::NonFiniteParameter {
                    name: self.name(id).to_owned(),
                    index,
                    value,
                });
            }
            saved.push(SavedParam {
                name: self.name(id).to_owned(),
                shape: self.shape(id).to_vec(),
                values: values.to_vec(),
            });
        }
        Ok(serde_json::to_string(&SavedParams { params: saved })?)
    }

    /// Reads a parameter set from the JSON of [`to_json`](Self::to_json).
    ///
    /// # Errors
    ///
    /// [`Error::Json`] for text that is not such JSON,
    /// [`Error::ParameterMismatch`] if a parameter's value count differs
    /// from its shape's, and [`Error::DuplicateParameter`] for a repeated
    /// name.
    ///
    /// ```
    /// use adjoint_ndarray::ParamSet;
    ///
    /// let params = ParamSet::from_json(r#"{"params":[{"name":"w","shape":[2],"values":[1.0,2.0]}]}"#)?;
    /// assert_eq!(params.values(), &[1.0, 2.0]);
    /// assert!(ParamSet::from_json(r#"{"params":[{"name":"w","shape":[3],"values":[1.0]}]}"#).is_err());
    /// # Ok::<(), adjoint_ndarray::Error>(())
    /// ```
    pub fn from_json(json: &str) -> Result<Self, Error> {
        let saved: SavedParams = serde_json::from_str(json)?;
        let mut params = Self::new();
        for p in saved.params {
            let expected: usize = p.shape.iter().product();
            if p.values.len() != expected {
                return Err(Error::ParameterMismatch {
                    reason: format!(
                        "parameter {:?} has shape {:?} ({expected} values) but {} values",
                        p.name,
                        p.shape,
                        p.values.len()
                    ),
                });
            }
            let value = ArrayD::from_shape_vec(IxDyn(&p.shape), p.values)
                .expect("the value count was checked");
            params.add(p.name, value)?;
        }
        Ok(params)
    }

    /// Replaces the values with those of a JSON parameter file, which must
    /// hold the same names with the same shapes (in any order). The model
    /// that owns the handles keeps working.
    ///
    /// On an error the values are left unchanged.
    ///
    /// # Errors
    ///
    /// [`Error::Json`] for invalid JSON and [`Error::ParameterMismatch`]
    /// naming the first parameter that is missing, extra or of another
    /// shape.
    ///
    /// ```
    /// let mut params = adjoint_ndarray::ParamSet::new();
    /// let w = params.add("w", ndarray::array![1.0, 2.0])?;
    /// let saved = params.to_json()?;
    /// params.value_mut(w).fill(0.0);
    /// params.load_json(&saved)?;
    /// assert_eq!(params.values(), &[1.0, 2.0]);
    /// assert!(params.load_json(r#"{"params":[]}"#).is_err());
    /// # Ok::<(), adjoint_ndarray::Error>(())
    /// ```
    pub fn load_json(&mut self, json: &str) -> Result<(), Error> {
        let loaded = Self::from_json(json)?;
        for id in self.ids() {
            let name = self.name(id);
            let Some(loaded_id) = loaded.id(name) else {
                return Err(Error::ParameterMismatch {
                    reason: format!("parameter {name:?} is missing from the file"),
                });
            };
            if loaded.shape(loaded_id) != self.shape(id) {
                return Err(Error::ParameterMismatch {
                    reason: format!(
                        "parameter {name:?} has shape {:?} in the file but {:?} in the model",
                        loaded.shape(loaded_id),
                        self.shape(id)
                    ),
                });
            }
        }
        if let Some(extra) = loaded.ids().find(|&id| self.id(loaded.name(id)).is_none()) {
            return Err(Error::ParameterMismatch {
                reason: format!(
                    "the file has parameter {:?}, which the model lacks",
                    loaded.name(extra)
                ),
            });
        }
        for id in self.ids() {
            let loaded_id = loaded
                .id(self.name(id))
                .expect("every name was checked above");
            let range = self.range(id);
            self.values_mut()[range].copy_from_slice(&loaded.values()[loaded.range(loaded_id)]);
        }
        Ok(())
    }

    /// Writes the parameters to a JSON file.
    ///
    /// # Errors
    ///
    /// [`Error::NonFiniteParameter`] as [`to_json`](Self::to_json), and
    /// [`Error::Io`] if the file cannot be written.
    ///
    /// ```
    /// let mut params = adjoint_ndarray::ParamSet::new();
    /// params.add("w", ndarray::array![1.0, 2.0])?;
    /// let path = std::env::temp_dir().join("adjoint-ndarray-doc-save.json");
    /// params.save(&path)?;
    /// params.values_mut().fill(0.0);
    /// params.load(&path)?;
    /// assert_eq!(params.values(), &[1.0, 2.0]);
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), adjoint_ndarray::Error>(())
    /// ```
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        std::fs::write(path, self.to_json()?)?;
        Ok(())
    }

    /// Replaces the values with those of a JSON file written by
    /// [`save`](Self::save), as [`load_json`](Self::load_json) does.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the file cannot be read, and the errors of
    /// [`load_json`](Self::load_json).
    ///
    /// ```
    /// let mut params = adjoint_ndarray::ParamSet::new();
    /// params.add("w", ndarray::array![1.0])?;
    /// assert!(matches!(params.load("/nonexistent/params.json"), Err(adjoint_ndarray::Error::Io(_))));
    /// # Ok::<(), adjoint_ndarray::Error>(())
    /// ```
    pub fn load(&mut self, path: impl AsRef<Path>) -> Result<(), Error> {
        let json = std::fs::read_to_string(path)?;
        self.load_json(&json)
    }
}
