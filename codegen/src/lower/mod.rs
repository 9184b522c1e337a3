//! Turns a parsed [`Source`] into the intermediate model [`Api`], checking that the document
//! stays inside the supported subset (see the crate README) and that `codegen.toml` names
//! things that exist.
//!
//! Order of work: component schemas (`schemas`), then operations (`operations`), which need
//! the lowered models, then whole-API passes (`analysis`): boxing of self-containing fields
//! and the serialise/deserialise direction of each model.

mod analysis;
mod operations;
mod schemas;

use std::collections::BTreeSet;

use indexmap::IndexMap;
use openapiv3::{ReferenceOr, Schema};

use crate::config::Config;
use crate::error::{Error, Place};
use crate::ir::{Api, Model};
use crate::source::Source;

/// Lowers `source` into an [`Api`].
pub fn lower(source: &Source) -> Result<Api, Error> {
    let mut lowerer = Lowerer::new(source);
    let mut models = lowerer.lower_components()?;
    lowerer.check_secret_fields_used()?;
    let operations = lowerer.lower_operations(&models)?;
    lowerer.check_config(&models, &operations)?;
    analysis::box_self_containing_fields(&mut models);
    analysis::assign_directions(&mut models, &operations);
    let doc = &source.doc;
    Ok(Api {
        title: doc.info.title.clone(),
        version: doc.info.version.clone(),
        base_url: doc.servers.first().map(|server| server.url.clone()),
        idempotency_header: source.config.idempotency_header.clone(),
        error_schema: source.config.error_schema.clone(),
        models,
        operations,
    })
}

/// A schema at a use position: a `$ref` or an inline schema.
#[derive(Debug, Clone, Copy)]
pub(crate) enum SchemaRef<'a> {
    /// `$ref: '#/components/schemas/Name'` (or another reference, which is an error).
    Ref(&'a str),
    /// An inline schema.
    Inline(&'a Schema),
}

impl<'a> SchemaRef<'a> {
    fn of(schema: &'a ReferenceOr<Schema>) -> Self {
        match schema {
            ReferenceOr::Reference { reference } => Self::Ref(reference),
            ReferenceOr::Item(schema) => Self::Inline(schema),
        }
    }

    fn of_boxed(schema: &'a ReferenceOr<Box<Schema>>) -> Self {
        match schema {
            ReferenceOr::Reference { reference } => Self::Ref(reference),
            ReferenceOr::Item(schema) => Self::Inline(schema),
        }
    }
}

/// State of one lowering: the inputs, and what of `codegen.toml` has been used.
pub(crate) struct Lowerer<'a> {
    source: &'a Source,
    schemas: IndexMap<String, ReferenceOr<Schema>>,
    /// `secret_fields` entries, as (schema, field), that matched a property.
    secrets_used: BTreeSet<(String, String)>,
    /// Models made from inline `oneOf`s of the struct being lowered, to place after it.
    property_models: Vec<Model>,
}

const SCHEMA_PREFIX: &str = "#/components/schemas/";

impl<'a> Lowerer<'a> {
    fn new(source: &'a Source) -> Self {
        let schemas = source
            .doc
            .components
            .as_ref()
            .map(|components| components.schemas.clone())
            .unwrap_or_default();
        Self {
            source,
            schemas,
            secrets_used: BTreeSet::new(),
            property_models: Vec::new(),
        }
    }

    fn config(&self) -> &'a Config {
        &self.source.config
    }

    /// An error at `place` in `openapi.yaml`.
    fn error(&self, place: &Place, message: impl Into<String>) -> Error {
        Error::at(&self.source.spec_file, place.clone(), message)
    }

    /// An error at `place` in `codegen.toml`.
    fn config_error(&self, place: Place, message: impl Into<String>) -> Error {
        Error::at(&self.source.config_file, place, message)
    }

    /// The component name a schema `$ref` names, checked to exist.
    fn schema_ref_name(&self, reference: &str, place: &Place) -> Result<String, Error> {
        let Some(name) = reference.strip_prefix(SCHEMA_PREFIX) else {
            return Err(self.error(
                place,
                format!("$ref {reference:?} not supported (only {SCHEMA_PREFIX}<Name>)"),
            ));
        };
        if !self.schemas.contains_key(name) {
            return Err(self.error(place, format!("$ref {reference:?}: no such schema")));
        }
        Ok(name.to_owned())
    }

    /// Follows `$ref`s to `#/components/<section>/<Name>` until an item (at most a few hops).
    fn resolve<'b, T>(
        &self,
        item: &'b ReferenceOr<T>,
        section: &str,
        components: impl Fn(&'b str) -> Option<&'b ReferenceOr<T>>,
        place: &Place,
    ) -> Result<&'b T, Error> {
        let prefix = format!("#/components/{section}/");
        let mut current = item;
        for _ in 0..8 {
            match current {
                ReferenceOr::Item(item) => return Ok(item),
                ReferenceOr::Reference { reference } => {
                    let target = reference
                        .strip_prefix(&prefix)
                        .and_then(&components)
                        .ok_or_else(|| {
                            self.error(
                                place,
                                format!("$ref {reference:?} does not name an entry of components/{section}"),
                            )
                        })?;
                    current = target;
                }
            }
        }
        Err(self.error(place, "$ref chain too long (a cycle?)"))
    }

    fn check_config(
        &self,
        models: &[Model],
        operations: &[crate::ir::Operation],
    ) -> Result<(), Error> {
        let config = self.config();
        if let Some(error_schema) = &config.error_schema
            && !models.iter().any(|model| &model.name == error_schema)
        {
            return Err(self.config_error(
                Place::toml_key("error_schema"),
                format!("no schema named {error_schema:?} in components/schemas"),
            ));
        }
        for (id, settings) in &config.operations {
            let place = Place::toml_key("operations").join(id);
            if !operations.iter().any(|operation| &operation.id == id) {
                return Err(
                    self.config_error(place, "no operation with this operationId in the document")
                );
            }
            if settings.idempotency_key && config.idempotency_header.is_none() {
                return Err(self.config_error(
                    place.join("idempotency_key"),
                    "idempotency_key = true needs a top-level idempotency_header",
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
