//! Errors that name the file and the place in it, and the JSON-pointer-like places themselves.

use std::fmt;

/// A place in an OpenAPI document, written as a JSON pointer in a URI fragment
/// (`#/paths/~1payments/post/requestBody`), or a dotted key path in `codegen.toml`
/// (`operations.listPayments.pagination`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    text: String,
    kind: PlaceKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PlaceKind {
    Pointer,
    TomlKey,
}

impl Place {
    /// The root of a document, `#`.
    pub fn root() -> Self {
        Self {
            text: "#".to_owned(),
            kind: PlaceKind::Pointer,
        }
    }

    /// A top-level key of `codegen.toml`.
    pub fn toml_key(key: &str) -> Self {
        Self {
            text: key.to_owned(),
            kind: PlaceKind::TomlKey,
        }
    }

    /// The place of a child named `segment` (escaped as JSON pointers require: `~` -> `~0`,
    /// `/` -> `~1`; in `codegen.toml` key paths it is appended after a dot).
    pub fn join(&self, segment: impl fmt::Display) -> Self {
        let segment = segment.to_string();
        let text = match self.kind {
            PlaceKind::Pointer => {
                format!(
                    "{}/{}",
                    self.text,
                    segment.replace('~', "~0").replace('/', "~1")
                )
            }
            PlaceKind::TomlKey => format!("{}.{segment}", self.text),
        };
        Self {
            text,
            kind: self.kind,
        }
    }

    /// The place a local `$ref` (`#/components/schemas/Payment`) points at.
    pub fn from_ref(reference: &str) -> Self {
        Self {
            text: reference.to_owned(),
            kind: PlaceKind::Pointer,
        }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A problem in an input document or in the generator's environment, reported as
/// `file: place: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The file, relative to the repository root where possible (`zepto-client/openapi.yaml`).
    pub file: String,
    /// Where in the file, when known.
    pub place: Option<Place>,
    /// What is wrong.
    pub message: String,
}

impl Error {
    /// An error at `place` in `file`.
    pub fn at(file: impl Into<String>, place: Place, message: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            place: Some(place),
            message: message.into(),
        }
    }

    /// An error about `file` as a whole (it cannot be read or parsed, rustfmt failed on it, ...).
    pub fn in_file(file: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            place: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.place {
            Some(place) => write!(f, "{}: {place}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_escape_slashes_and_tildes() {
        let place = Place::root()
            .join("paths")
            .join("/payments/{id}")
            .join("post")
            .join("requestBody");
        assert_eq!(
            place.to_string(),
            "#/paths/~1payments~1{id}/post/requestBody"
        );
        assert_eq!(Place::root().join("a~b").to_string(), "#/a~0b");
    }

    #[test]
    fn toml_places_are_dotted() {
        let place = Place::toml_key("operations")
            .join("listPayments")
            .join("pagination");
        assert_eq!(place.to_string(), "operations.listPayments.pagination");
    }

    #[test]
    fn errors_name_file_and_place() {
        let error = Error::at(
            "zepto-client/openapi.yaml",
            Place::root()
                .join("paths")
                .join("/payments")
                .join("post")
                .join("requestBody"),
            "inline object schema not supported",
        );
        assert_eq!(
            error.to_string(),
            "zepto-client/openapi.yaml: #/paths/~1payments/post/requestBody: inline object schema not supported"
        );
        assert_eq!(
            Error::in_file("a/openapi.yaml", "cannot be read").to_string(),
            "a/openapi.yaml: cannot be read"
        );
    }
}
