//! Reads a crate's `openapi.yaml` and `codegen.toml`.

use std::collections::BTreeMap;
use std::path::Path;

use openapiv3::OpenAPI;

use crate::config::Config;
use crate::error::{Error, Place};

/// File name of the OpenAPI document in a crate directory.
pub const SPEC_FILE: &str = "openapi.yaml";
/// File name of the generator settings in a crate directory.
pub const CONFIG_FILE: &str = "codegen.toml";

/// The parsed inputs of one crate.
#[derive(Debug, Clone)]
pub struct Source {
    /// `openapi.yaml` as named in errors (`zepto-client/openapi.yaml`).
    pub spec_file: String,
    /// `codegen.toml` as named in errors.
    pub config_file: String,
    /// The document.
    pub doc: OpenAPI,
    /// For each path, its keys in document order (`openapiv3` keeps methods in a fixed order).
    pub path_keys: BTreeMap<String, Vec<String>>,
    /// The settings.
    pub config: Config,
}

impl Source {
    /// Reads `dir/openapi.yaml` and `dir/codegen.toml`; `display_dir` is how errors name `dir`.
    pub fn load(dir: &Path, display_dir: &str) -> Result<Self, Error> {
        let spec_file = format!("{display_dir}/{SPEC_FILE}");
        let config_file = format!("{display_dir}/{CONFIG_FILE}");
        let spec_text = read(&dir.join(SPEC_FILE), &spec_file)?;
        let config_text = read(&dir.join(CONFIG_FILE), &config_file)?;
        Self::parse(spec_file, &spec_text, config_file, &config_text)
    }

    /// Parses the two files' texts; the names are used in errors.
    pub fn parse(
        spec_file: String,
        spec_text: &str,
        config_file: String,
        config_text: &str,
    ) -> Result<Self, Error> {
        let doc: OpenAPI = serde_yaml_ng::from_str(spec_text).map_err(|error| {
            Error::in_file(
                &spec_file,
                format!("not a valid OpenAPI 3.0 document: {error}"),
            )
        })?;
        if !doc.openapi.starts_with("3.0.") {
            return Err(Error::at(
                &spec_file,
                Place::root().join("openapi"),
                format!("version {:?} not supported (3.0.x only)", doc.openapi),
            ));
        }
        let path_keys = path_keys(spec_text)
            .map_err(|error| Error::in_file(&spec_file, format!("not valid YAML: {error}")))?;
        let config = Config::parse(&config_file, config_text)?;
        Ok(Self {
            spec_file,
            config_file,
            doc,
            path_keys,
            config,
        })
    }
}

fn read(path: &Path, display: &str) -> Result<String, Error> {
    std::fs::read_to_string(path)
        .map_err(|error| Error::in_file(display, format!("cannot be read: {error}")))
}

/// The keys of every path item in document order, read from the YAML itself.
fn path_keys(text: &str) -> Result<BTreeMap<String, Vec<String>>, serde_yaml_ng::Error> {
    let value: serde_yaml_ng::Value = serde_yaml_ng::from_str(text)?;
    let mut keys = BTreeMap::new();
    if let Some(paths) = value
        .get("paths")
        .and_then(serde_yaml_ng::Value::as_mapping)
    {
        for (path, item) in paths {
            let (Some(path), Some(item)) = (path.as_str(), item.as_mapping()) else {
                continue;
            };
            let item_keys = item
                .keys()
                .filter_map(|key| key.as_str().map(str::to_owned))
                .collect();
            keys.insert(path.to_owned(), item_keys);
        }
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    post: {operationId: b, summary: B, responses: {'204': {description: ok}}}\n    get: {operationId: a, summary: A, responses: {'204': {description: ok}}}\n";

    #[test]
    fn keeps_methods_in_document_order() {
        let source = Source::parse("o.yaml".into(), MINIMAL, "c.toml".into(), "").expect("valid");
        assert_eq!(source.path_keys["/a"], ["post", "get"]);
    }

    #[test]
    fn reports_bad_yaml_and_versions() {
        let error = Source::parse("o.yaml".into(), "openapi: [", "c.toml".into(), "")
            .expect_err("bad yaml");
        assert!(
            error.to_string().starts_with("o.yaml: not a valid OpenAPI"),
            "{error}"
        );

        let error = Source::parse(
            "o.yaml".into(),
            &MINIMAL.replace("3.0.3", "3.1.0"),
            "c.toml".into(),
            "",
        )
        .expect_err("3.1");
        assert_eq!(
            error.to_string(),
            "o.yaml: #/openapi: version \"3.1.0\" not supported (3.0.x only)"
        );
    }
}
