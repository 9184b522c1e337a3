//! Paths and operations -> [`Operation`]s.

use std::collections::BTreeMap;

use openapiv3::{Parameter, ParameterSchemaOrContent, PathItem, QueryStyle, StatusCode};

use super::{Lowerer, SchemaRef};
use crate::config::PaginationConfig;
use crate::error::{Error, Place};
use crate::ir::{
    Body, BodyEncoding, Field, Method, Model, ModelKind, Operation, Pagination, Param,
    ParamLocation, PathParam, PathParamTy, Response, Ty, resolve_alias,
};
use crate::naming::{self, Namespace};

/// Path item keys that are operations, in the order `openapiv3` would list them.
const METHOD_KEYS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Media type of JSON bodies.
const JSON: &str = "application/json";
/// Media type of form bodies.
const FORM: &str = "application/x-www-form-urlencoded";

/// Where one operation sits in the document.
struct OperationSite<'a> {
    path: &'a str,
    item: &'a PathItem,
    item_place: Place,
    method: Method,
    operation: &'a openapiv3::Operation,
    place: Place,
}

impl Lowerer<'_> {
    /// Lowers every operation, in document order.
    pub(super) fn lower_operations(&self, models: &[Model]) -> Result<Vec<Operation>, Error> {
        let mut operations = Vec::new();
        let mut places = Vec::new();
        for (path, item) in &self.source.doc.paths.paths {
            let item_place = Place::root().join("paths").join(path);
            let item = match item {
                openapiv3::ReferenceOr::Item(item) => item,
                openapiv3::ReferenceOr::Reference { .. } => {
                    return Err(self.error(&item_place, "path item $ref not supported"));
                }
            };
            let keys: Vec<&str> = match self.source.path_keys.get(path) {
                Some(keys) => keys.iter().map(String::as_str).collect(),
                None => METHOD_KEYS.to_vec(),
            };
            for key in keys {
                let operation = match key {
                    "get" => &item.get,
                    "put" => &item.put,
                    "post" => &item.post,
                    "delete" => &item.delete,
                    "options" => &item.options,
                    "head" => &item.head,
                    "patch" => &item.patch,
                    "trace" => &item.trace,
                    _ => continue,
                };
                let Some(operation) = operation else { continue };
                let place = item_place.join(key);
                let Some(method) = Method::from_key(key) else {
                    return Err(self.error(&place, format!("method {key} not supported")));
                };
                let site = OperationSite {
                    path,
                    item,
                    item_place: item_place.clone(),
                    method,
                    operation,
                    place: place.clone(),
                };
                operations.push(self.lower_operation(&site, models)?);
                places.push(place.join("operationId"));
            }
        }
        self.name_request_builders(&mut operations, &places)?;
        Ok(operations)
    }

    /// Checks that operations' Rust names are distinct, then names the request builders
    /// `{fn}_request`, or `build_{fn}_request` where that is another operation's function
    /// (`createPayment` next to `createPaymentRequest`).
    fn name_request_builders(
        &self,
        operations: &mut [Operation],
        places: &[Place],
    ) -> Result<(), Error> {
        // Rust name -> the operationId that produced it.
        let mut taken: BTreeMap<String, String> = BTreeMap::new();
        let mut claim = |name: &str, id: &str, place: &Place| match taken.get(name) {
            None => {
                taken.insert(name.to_owned(), id.to_owned());
                Ok(())
            }
            Some(other) if other == id => {
                Err(self.error(place, format!("operationId {id:?} is used twice")))
            }
            Some(other) => Err(self.error(
                place,
                format!("operationId {id:?} gives the Rust name {name}, as does {other:?}"),
            )),
        };
        for (operation, place) in operations.iter().zip(places) {
            claim(&operation.static_ident, &operation.id, place)?;
            claim(&operation.fn_ident, &operation.id, place)?;
            if let Some(params) = &operation.params_ident {
                claim(params, &operation.id, place)?;
            }
        }
        for (operation, place) in operations.iter_mut().zip(places) {
            let plain = format!("{}_request", operation.fn_ident);
            let name = if claim(&plain, &operation.id, place).is_ok() {
                plain
            } else {
                let fallback = format!("build_{}_request", operation.fn_ident);
                claim(&fallback, &operation.id, place)?;
                fallback
            };
            operation.request_fn_ident = name;
        }
        Ok(())
    }

    fn lower_operation(
        &self,
        site: &OperationSite<'_>,
        models: &[Model],
    ) -> Result<Operation, Error> {
        let operation = site.operation;
        let place = &site.place;
        let Some(id) = operation.operation_id.as_deref() else {
            return Err(self.error(place, "operationId missing"));
        };
        let id_is_valid = id.starts_with(|c: char| c.is_ascii_alphabetic())
            && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !id_is_valid {
            return Err(self.error(
                &place.join("operationId"),
                format!("operationId {id:?} must be camelCase ASCII letters and digits"),
            ));
        }
        let Some(summary) = operation
            .summary
            .as_deref()
            .map(str::trim)
            .filter(|summary| !summary.is_empty())
        else {
            return Err(self.error(place, "summary missing"));
        };
        let settings = self.config().operations.get(id);

        let parameters = self.collect_parameters(site)?;
        let path_params = self.lower_path_params(site, &parameters, models)?;
        let idempotency_key = settings.is_some_and(|settings| settings.idempotency_key);
        let params = self.lower_params(&parameters, idempotency_key, models)?;
        let body = self.lower_body(site, models)?;
        let response_ty = self.lower_response(site)?;

        let pagination_config = settings.and_then(|settings| settings.pagination.as_ref());
        let (pagination, response) = match (pagination_config, response_ty) {
            (None, None) => (Pagination::None, Response::Unit),
            (None, Some(ty)) => (Pagination::None, Response::Value(ty)),
            (Some(_), None) => {
                return Err(self.config_error(
                    pagination_place(id),
                    "the operation's success response has no content to paginate",
                ));
            }
            (Some(config), Some(ty)) => self.lower_pagination(id, config, &ty, &params, models)?,
        };

        let fn_ident = naming::value_ident(id);
        Ok(Operation {
            id: id.to_owned(),
            static_ident: naming::static_ident(id),
            // Named once every operation's function name is known.
            request_fn_ident: format!("{fn_ident}_request"),
            fn_ident,
            params_ident: (!params.is_empty()).then(|| format!("{}Params", naming::type_ident(id))),
            method: site.method,
            path: site.path.to_owned(),
            summary: summary.to_owned(),
            description: operation.description.clone(),
            idempotent: settings
                .and_then(|settings| settings.idempotent)
                .unwrap_or(site.method.is_idempotent()),
            idempotency_key,
            pagination,
            path_params,
            params,
            body,
            response,
        })
    }

    /// Path-item parameters, overridden by operation parameters of the same name and location,
    /// with `$ref`s resolved.
    fn collect_parameters<'a>(
        &'a self,
        site: &OperationSite<'a>,
    ) -> Result<Vec<(&'a Parameter, Place)>, Error> {
        let components = self.source.doc.components.as_ref();
        let lookup = |name: &str| components.and_then(|c| c.parameters.get(name));
        let mut merged: Vec<(&Parameter, Place)> = Vec::new();
        let sources = [
            (&site.item.parameters, site.item_place.join("parameters")),
            (&site.operation.parameters, site.place.join("parameters")),
        ];
        for (list, list_place) in sources {
            for (index, parameter) in list.iter().enumerate() {
                let place = list_place.join(index);
                let parameter = self.resolve(parameter, "parameters", lookup, &place)?;
                let key = parameter_key(parameter);
                match merged
                    .iter_mut()
                    .find(|(other, _)| parameter_key(other) == key)
                {
                    Some(slot) => *slot = (parameter, place),
                    None => merged.push((parameter, place)),
                }
            }
        }
        Ok(merged)
    }

    fn lower_path_params(
        &self,
        site: &OperationSite<'_>,
        parameters: &[(&Parameter, Place)],
        models: &[Model],
    ) -> Result<Vec<PathParam>, Error> {
        let placeholders = placeholders(site.path);
        let mut by_name = BTreeMap::new();
        for (parameter, place) in parameters {
            let Parameter::Path { parameter_data, .. } = parameter else {
                continue;
            };
            let name = parameter_data.name.as_str();
            if !placeholders.contains(&name) {
                return Err(self.error(
                    place,
                    format!("path parameter {name:?} does not appear in the path"),
                ));
            }
            if !parameter_data.required {
                return Err(self.error(place, "path parameters must be required: true"));
            }
            let schema_place = place.join("schema");
            let ParameterSchemaOrContent::Schema(schema) = &parameter_data.format else {
                return Err(self.error(place, "parameters with content not supported; use schema"));
            };
            let used = self.lower_use(SchemaRef::of(schema), &schema_place)?;
            let ty = match resolve_alias(models, &used.ty) {
                Ty::String => PathParamTy::Str,
                Ty::I32 => PathParamTy::I32,
                Ty::I64 => PathParamTy::I64,
                Ty::Named(enum_name) if is_enum(models, enum_name) => {
                    PathParamTy::Enum(enum_name.clone())
                }
                _ => {
                    return Err(self.error(
                        &schema_place,
                        "path parameters must be strings, integers or string enums",
                    ));
                }
            };
            by_name.insert(name, (parameter_data, ty));
        }
        let mut idents = Namespace::with_reserved(["client", "params", "body"]);
        let mut path_params = Vec::with_capacity(placeholders.len());
        for placeholder in placeholders {
            let Some((data, ty)) = by_name.remove(placeholder) else {
                return Err(self.error(
                    &site.place,
                    format!("the path placeholder {{{placeholder}}} has no path parameter"),
                ));
            };
            path_params.push(PathParam {
                wire: placeholder.to_owned(),
                ident: idents.claim(naming::value_ident(placeholder)),
                doc: data.description.clone(),
                ty,
            });
        }
        Ok(path_params)
    }

    /// Query and header parameters. A header named like `idempotency_header` only documents
    /// what the runtime sends: it is left out, and the operation must have `idempotency_key`.
    fn lower_params(
        &self,
        parameters: &[(&Parameter, Place)],
        idempotency_key: bool,
        models: &[Model],
    ) -> Result<Vec<Param>, Error> {
        let mut idents = Namespace::new();
        let mut params = Vec::new();
        for (parameter, place) in parameters {
            let (data, location) = match parameter {
                Parameter::Path { .. } => continue,
                Parameter::Cookie { .. } => {
                    return Err(self.error(place, "cookie parameters not supported"));
                }
                Parameter::Query {
                    parameter_data,
                    allow_reserved,
                    style,
                    ..
                } => {
                    if *style != QueryStyle::Form {
                        return Err(self.error(
                            &place.join("style"),
                            "only style: form query parameters are supported",
                        ));
                    }
                    if *allow_reserved {
                        return Err(self.error(
                            &place.join("allowReserved"),
                            "allowReserved not supported (values are always percent-encoded)",
                        ));
                    }
                    let explode = parameter_data.explode.unwrap_or(true);
                    (parameter_data, ParamLocation::Query { explode })
                }
                Parameter::Header { parameter_data, .. } => {
                    let is_idempotency_header = self
                        .config()
                        .idempotency_header
                        .as_deref()
                        .is_some_and(|header| header.eq_ignore_ascii_case(&parameter_data.name));
                    if is_idempotency_header && idempotency_key {
                        continue;
                    }
                    if is_idempotency_header {
                        return Err(self.error(
                            place,
                            "the idempotency header is declared here but codegen.toml does not set idempotency_key = true for this operation",
                        ));
                    }
                    (parameter_data, ParamLocation::Header)
                }
            };
            let schema_place = place.join("schema");
            let ParameterSchemaOrContent::Schema(schema) = &data.format else {
                return Err(self.error(place, "parameters with content not supported; use schema"));
            };
            let used = self.lower_use(SchemaRef::of(schema), &schema_place)?;
            let allowed = match (&location, resolve_alias(models, &used.ty)) {
                (ParamLocation::Query { .. }, Ty::List(item)) => is_scalar(models, item),
                (_, ty) => is_scalar(models, ty),
            };
            if !allowed {
                return Err(self.error(
                    &schema_place,
                    match location {
                        ParamLocation::Query { .. } => {
                            "query parameters must be scalars, string enums or arrays of those"
                        }
                        ParamLocation::Header => {
                            "header parameters must be scalars or string enums"
                        }
                    },
                ));
            }
            params.push(Param {
                wire: data.name.clone(),
                ident: idents.claim(naming::value_ident(&data.name)),
                doc: data.description.clone(),
                location,
                // Resolved, so that the emitter sees a list behind an alias.
                ty: resolve_alias(models, &used.ty).clone(),
                required: data.required,
            });
        }
        Ok(params)
    }

    fn lower_body(
        &self,
        site: &OperationSite<'_>,
        models: &[Model],
    ) -> Result<Option<Body>, Error> {
        let Some(body) = &site.operation.request_body else {
            return Ok(None);
        };
        let place = site.place.join("requestBody");
        let components = self.source.doc.components.as_ref();
        let body = self.resolve(
            body,
            "requestBodies",
            |name| components.and_then(|c| c.request_bodies.get(name)),
            &place,
        )?;
        let (media_type, encoding) = if body.content.contains_key(JSON) {
            (JSON, BodyEncoding::Json)
        } else if body.content.contains_key(FORM) {
            (FORM, BodyEncoding::Form)
        } else {
            return Err(self.error(
                &place.join("content"),
                format!(
                    "request bodies must be {JSON} or {FORM} (found: {})",
                    body.content.keys().cloned().collect::<Vec<_>>().join(", ")
                ),
            ));
        };
        let schema_place = place.join("content").join(media_type).join("schema");
        let schema = body
            .content
            .get(media_type)
            .and_then(|media| media.schema.as_ref())
            .ok_or_else(|| self.error(&schema_place, "request body without a schema"))?;
        let ty = self.lower_use(SchemaRef::of(schema), &schema_place)?.ty;
        let Ty::Named(name) = &ty else {
            return Err(self.error(
                &schema_place,
                "request body schema must be a $ref to a component schema",
            ));
        };
        if encoding == BodyEncoding::Form {
            self.check_form_body(name, models)?;
        }
        Ok(Some(Body { ty, encoding }))
    }

    /// Form bodies are flat: every field a scalar or a string enum, and no decimals (the
    /// exact-decimal adapter writes JSON numbers only).
    fn check_form_body(&self, name: &str, models: &[Model]) -> Result<(), Error> {
        let place = Place::root().join("components").join("schemas").join(name);
        let ty = Ty::Named(name.to_owned());
        let Some(fields) = struct_fields(models, &ty) else {
            return Err(self.error(&place, "form request bodies must be object schemas"));
        };
        for field in fields {
            let ty = resolve_alias(models, &field.ty);
            if ty == &Ty::Decimal {
                return Err(self.error(
                    &place.join("properties").join(&field.wire),
                    "number fields cannot be form-encoded exactly; use a string or an integer of minor units",
                ));
            }
            if !is_scalar(models, ty) && ty != &Ty::Secret {
                return Err(self.error(
                    &place.join("properties").join(&field.wire),
                    "form request bodies support scalar and string enum fields only",
                ));
            }
        }
        Ok(())
    }

    /// The success response's type, or `None` for no content.
    fn lower_response(&self, site: &OperationSite<'_>) -> Result<Option<Ty>, Error> {
        let place = site.place.join("responses");
        let success = site
            .operation
            .responses
            .responses
            .iter()
            .find(|(code, _)| matches!(code, StatusCode::Code(200 | 201 | 202 | 204)));
        let Some((code, response)) = success else {
            return Err(self.error(&place, "no success response (200, 201, 202 or 204)"));
        };
        let place = place.join(code);
        let components = self.source.doc.components.as_ref();
        let response = self.resolve(
            response,
            "responses",
            |name| components.and_then(|c| c.responses.get(name)),
            &place,
        )?;
        if *code == StatusCode::Code(204) || response.content.is_empty() {
            return Ok(None);
        }
        let Some(media) = response.content.get(JSON) else {
            return Err(self.error(
                &place.join("content"),
                format!(
                    "success responses must be {JSON} (found: {})",
                    response
                        .content
                        .keys()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        };
        let schema_place = place.join("content").join(JSON).join("schema");
        let Some(schema) = &media.schema else {
            return Err(self.error(&schema_place, "success response without a schema"));
        };
        Ok(Some(
            self.lower_use(SchemaRef::of(schema), &schema_place)?.ty,
        ))
    }

    fn lower_pagination(
        &self,
        id: &str,
        config: &PaginationConfig,
        response: &Ty,
        params: &[Param],
        models: &[Model],
    ) -> Result<(Pagination, Response), Error> {
        let place = pagination_place(id);
        let items = config.items();
        let fields = struct_fields(models, response);
        let item = if items.is_empty() {
            match resolve_alias(models, response) {
                Ty::List(item) => item.as_ref().clone(),
                _ => {
                    return Err(self.config_error(
                        place.join("items"),
                        "items = \"\" needs a success response that is an array",
                    ));
                }
            }
        } else {
            let Some(fields) = fields else {
                return Err(self.config_error(
                    place.join("items"),
                    "the success response is not an object schema with properties",
                ));
            };
            let field = find_field(fields, items).ok_or_else(|| {
                self.config_error(
                    place.join("items"),
                    format!("the success response has no property {items:?}"),
                )
            })?;
            match resolve_alias(models, &field.ty) {
                Ty::List(item) => item.as_ref().clone(),
                _ => {
                    return Err(self.config_error(
                        place.join("items"),
                        format!("property {items:?} of the success response is not an array"),
                    ));
                }
            }
        };
        let check_field = |key: &str, name: &str| match fields.and_then(|f| find_field(f, name)) {
            Some(_) => Ok(()),
            None => Err(self.config_error(
                place.join(key),
                format!("the success response has no property {name:?}"),
            )),
        };
        let check_query = |key: &str, name: &str| {
            let found = params.iter().any(|param| {
                param.wire == name && matches!(param.location, ParamLocation::Query { .. })
            });
            if found {
                Ok(())
            } else {
                Err(self.config_error(
                    place.join(key),
                    format!("the operation has no query parameter {name:?}"),
                ))
            }
        };
        let pagination = match config {
            PaginationConfig::Unpaged { items } => Pagination::Unpaged {
                items: items.clone(),
            },
            PaginationConfig::Link { items } => Pagination::Link {
                items: items.clone(),
            },
            PaginationConfig::Cursor {
                items,
                cursor_field,
                cursor_param,
                has_more_field,
            } => {
                check_field("cursor_field", cursor_field)?;
                if let Some(has_more_field) = has_more_field {
                    check_field("has_more_field", has_more_field)?;
                }
                check_query("cursor_param", cursor_param)?;
                Pagination::Cursor {
                    items: items.clone(),
                    cursor_field: cursor_field.clone(),
                    cursor_param: cursor_param.clone(),
                    has_more_field: has_more_field.clone(),
                }
            }
            PaginationConfig::Page { items, page_param } => {
                check_query("page_param", page_param)?;
                Pagination::PageNumber {
                    items: items.clone(),
                    page_param: page_param.clone(),
                }
            }
        };
        Ok((pagination, Response::Page(item)))
    }
}

fn pagination_place(id: &str) -> Place {
    Place::toml_key("operations").join(id).join("pagination")
}

/// Parameters are identified by name and location.
fn parameter_key(parameter: &Parameter) -> (&str, &'static str) {
    let location = match parameter {
        Parameter::Query { .. } => "query",
        Parameter::Header { .. } => "header",
        Parameter::Path { .. } => "path",
        Parameter::Cookie { .. } => "cookie",
    };
    (parameter.parameter_data_ref().name.as_str(), location)
}

/// The `{name}` placeholders of a path template, in order.
fn placeholders(path: &str) -> Vec<&str> {
    path.split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}').map(|(name, _)| name))
        .collect()
}

fn is_enum(models: &[Model], name: &str) -> bool {
    models
        .iter()
        .any(|model| model.name == name && matches!(model.kind, ModelKind::Enum(_)))
}

/// Scalars and string enums: what a query value, header or form field can hold.
fn is_scalar(models: &[Model], ty: &Ty) -> bool {
    match resolve_alias(models, ty) {
        Ty::String | Ty::Bool | Ty::I32 | Ty::I64 | Ty::Decimal | Ty::Timestamp | Ty::Date => true,
        Ty::Named(name) => is_enum(models, name),
        Ty::Secret | Ty::Json | Ty::List(_) | Ty::Map(_) => false,
    }
}

/// The fields of the struct `ty` names (through aliases).
fn struct_fields<'a>(models: &'a [Model], ty: &'a Ty) -> Option<&'a [Field]> {
    let Ty::Named(name) = resolve_alias(models, ty) else {
        return None;
    };
    match &models.iter().find(|model| &model.name == name)?.kind {
        ModelKind::Struct(fields) => Some(fields),
        _ => None,
    }
}

fn find_field<'a>(fields: &'a [Field], wire: &str) -> Option<&'a Field> {
    fields.iter().find(|field| field.wire == wire)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_placeholders_in_order() {
        assert_eq!(placeholders("/a/{b}/c/{d_e}"), ["b", "d_e"]);
        assert!(placeholders("/a").is_empty());
    }
}
