//! Component schemas -> [`Model`]s, and schemas at use positions -> [`Ty`]s.

use std::collections::BTreeSet;

use openapiv3::{
    AdditionalProperties, AnySchema, IntegerFormat, ObjectType, ReferenceOr, Schema, SchemaKind,
    StringFormat, StringType, Type, VariantOrUnknownOrEmpty,
};

use super::{Lowerer, SchemaRef};
use crate::error::{Error, Place};
use crate::ir::{Alternative, Field, JsonKind, Model, ModelKind, Ty, Variant};
use crate::naming::{self, Namespace};

/// Names a component schema may not have: they would shadow what the generated code uses.
const RESERVED_TYPE_NAMES: &[&str] = &[
    "BTreeMap",
    "Box",
    "Clone",
    "Date",
    "Debug",
    "Decimal",
    "Default",
    "Deserialize",
    "Eq",
    "Err",
    "Hash",
    "None",
    "Ok",
    "Option",
    "PartialEq",
    "Result",
    "SecretString",
    "Serialize",
    "Some",
    "String",
    "Timestamp",
    "Vec",
];

/// A schema at a use position, lowered.
pub(super) struct Use {
    pub ty: Ty,
    pub nullable: bool,
    pub doc: Option<String>,
}

impl Lowerer<'_> {
    /// Lowers every component schema, in document order.
    pub(super) fn lower_components(&mut self) -> Result<Vec<Model>, Error> {
        let schemas = self.schemas.clone();
        let mut models = Vec::with_capacity(schemas.len());
        for (name, schema) in &schemas {
            let place = Place::root().join("components").join("schemas").join(name);
            if !naming::is_pascal_case_ident(name) {
                return Err(self.error(
                    &place,
                    "schema names must be PascalCase ASCII identifiers (they become Rust type names unchanged)",
                ));
            }
            if RESERVED_TYPE_NAMES.contains(&name.as_str()) {
                return Err(self.error(
                    &place,
                    format!("schema name {name:?} would shadow a type the generated code uses; rename it"),
                ));
            }
            if let ReferenceOr::Item(schema) = schema
                && schema.schema_data.nullable
            {
                return Err(self.error(
                    &place,
                    "nullable component schemas not supported; mark the property nullable instead (allOf: [$ref] with nullable: true)",
                ));
            }
            let (kind, doc) = self.lower_component(name, SchemaRef::of(schema), &place)?;
            models.push(Model {
                name: name.clone(),
                doc,
                kind,
                serialize: false,
                deserialize: false,
                in_request: false,
            });
            models.append(&mut self.property_models);
        }
        self.check_alias_cycles(&models)?;
        Ok(models)
    }

    fn lower_component(
        &mut self,
        name: &str,
        schema: SchemaRef<'_>,
        place: &Place,
    ) -> Result<(ModelKind, Option<String>), Error> {
        let schema = match schema {
            SchemaRef::Ref(reference) => {
                let target = self.schema_ref_name(reference, place)?;
                return Ok((ModelKind::Alias(Ty::Named(target)), None));
            }
            SchemaRef::Inline(schema) => schema,
        };
        let doc = schema.schema_data.description.clone();
        let kind = match &schema.schema_kind {
            SchemaKind::Type(Type::Object(object)) if !object.properties.is_empty() => {
                ModelKind::Struct(self.lower_struct(name, object, place)?)
            }
            SchemaKind::Type(Type::String(string)) if !string.enumeration.is_empty() => {
                ModelKind::Enum(self.lower_enum(string, place)?)
            }
            SchemaKind::OneOf { one_of } => {
                if schema.schema_data.discriminator.is_some() {
                    return Err(self.error(
                        &place.join("discriminator"),
                        "discriminator not supported; oneOf alternatives are told apart by their JSON type",
                    ));
                }
                ModelKind::OneOf(self.lower_one_of(one_of, place)?)
            }
            _ => ModelKind::Alias(self.lower_inline(schema, place)?),
        };
        Ok((kind, doc))
    }

    fn lower_struct(
        &mut self,
        name: &str,
        object: &ObjectType,
        place: &Place,
    ) -> Result<Vec<Field>, Error> {
        match &object.additional_properties {
            None | Some(AdditionalProperties::Any(false)) => {}
            Some(_) => {
                return Err(self.error(
                    &place.join("additionalProperties"),
                    "properties together with additionalProperties not supported",
                ));
            }
        }
        for (index, required) in object.required.iter().enumerate() {
            if !object.properties.contains_key(required) {
                return Err(self.error(
                    &place.join("required").join(index),
                    format!("{required:?} is required but not among the properties"),
                ));
            }
        }
        let mut idents = Namespace::new();
        let mut fields = Vec::with_capacity(object.properties.len());
        for (wire, property) in &object.properties {
            let field_place = place.join("properties").join(wire);
            let used = match SchemaRef::of_boxed(property) {
                SchemaRef::Inline(schema)
                    if matches!(schema.schema_kind, SchemaKind::OneOf { .. }) =>
                {
                    self.lower_property_one_of(name, wire, schema, &field_place)?
                }
                property => self.lower_use(property, &field_place)?,
            };
            let secret = self
                .config()
                .secret_fields
                .iter()
                .any(|entry| entry.split_once('.') == Some((name, wire.as_str())));
            let ty = if secret {
                if used.ty != Ty::String {
                    return Err(self.error(
                        &field_place,
                        "listed in secret_fields of codegen.toml but not an inline `type: string`",
                    ));
                }
                self.secrets_used.insert((name.to_owned(), wire.clone()));
                Ty::Secret
            } else {
                used.ty
            };
            let required = object.required.contains(wire);
            fields.push(Field {
                ident: idents.claim(naming::value_ident(wire)),
                wire: wire.clone(),
                doc: used.doc,
                ty,
                required,
                optional: !required || used.nullable,
                boxed: false,
            });
        }
        Ok(fields)
    }

    /// An inline `oneOf` in a property becomes a model of its own, named after the schema and
    /// the property (`ErrorResponse.errors` -> `ErrorResponseErrors`), placed after its parent.
    fn lower_property_one_of(
        &mut self,
        parent: &str,
        wire: &str,
        schema: &Schema,
        place: &Place,
    ) -> Result<Use, Error> {
        let name = format!("{parent}{}", naming::pascal_case(wire));
        let taken = self.schemas.contains_key(&name)
            || self.property_models.iter().any(|model| model.name == name)
            || !naming::is_pascal_case_ident(&name)
            || RESERVED_TYPE_NAMES.contains(&name.as_str());
        if taken {
            return Err(self.error(
                place,
                format!("this inline oneOf would be named {name}, which is taken; declare it under components/schemas"),
            ));
        }
        let (kind, _) = self.lower_component(&name, SchemaRef::Inline(schema), place)?;
        self.property_models.push(Model {
            name: name.clone(),
            doc: schema.schema_data.description.clone(),
            kind,
            serialize: false,
            deserialize: false,
            in_request: false,
        });
        Ok(Use {
            ty: Ty::Named(name),
            nullable: schema.schema_data.nullable,
            doc: schema.schema_data.description.clone(),
        })
    }

    fn lower_enum(&self, string: &StringType, place: &Place) -> Result<Vec<Variant>, Error> {
        let mut idents = Namespace::with_reserved(["Unknown"]);
        let mut seen = BTreeSet::new();
        let mut variants = Vec::new();
        for (index, value) in string.enumeration.iter().enumerate() {
            // `null` among the values only says the field may be null; the field says so too.
            let Some(value) = value else { continue };
            if !seen.insert(value.as_str()) {
                return Err(self.error(
                    &place.join("enum").join(index),
                    format!("duplicate enum value {value:?}"),
                ));
            }
            variants.push(Variant {
                ident: idents.claim(naming::type_ident(value)),
                value: value.clone(),
            });
        }
        if variants.is_empty() {
            return Err(self.error(&place.join("enum"), "enum without string values"));
        }
        Ok(variants)
    }

    fn lower_one_of(
        &self,
        alternatives: &[ReferenceOr<Schema>],
        place: &Place,
    ) -> Result<Vec<Alternative>, Error> {
        let mut idents = Namespace::new();
        let mut lowered: Vec<Alternative> = Vec::with_capacity(alternatives.len());
        for (index, alternative) in alternatives.iter().enumerate() {
            let alternative_place = place.join("oneOf").join(index);
            let schema = SchemaRef::of(alternative);
            let used = self.lower_use(schema, &alternative_place)?;
            if used.nullable {
                return Err(self.error(
                    &alternative_place,
                    "nullable oneOf alternatives not supported; make the property nullable",
                ));
            }
            let title = match schema {
                SchemaRef::Inline(schema) => schema.schema_data.title.as_deref(),
                SchemaRef::Ref(_) => None,
            };
            let base = match (title, &used.ty) {
                (Some(title), _) => naming::type_ident(title),
                (None, Ty::Named(name)) => name.clone(),
                (None, _) => {
                    return Err(self.error(
                        &alternative_place,
                        "give the alternative a title (it names the enum variant)",
                    ));
                }
            };
            let json = self.json_kind(schema, &alternative_place, 0)?;
            match json {
                JsonKind::Any => {
                    return Err(self.error(
                        &alternative_place,
                        "oneOf alternatives must each have one JSON type (no free-form schemas or nested oneOf)",
                    ));
                }
                JsonKind::Number => {
                    return Err(self.error(
                        &alternative_place,
                        "number alternatives not supported in oneOf (exact decimals need the field-level adapter)",
                    ));
                }
                _ => {}
            }
            if let Some(other) = lowered.iter().find(|other| other.json == json) {
                return Err(self.error(
                    &alternative_place,
                    format!(
                        "alternatives {} and {base} are both {}; oneOf alternatives must differ in JSON type",
                        other.ident,
                        json.describe()
                    ),
                ));
            }
            lowered.push(Alternative {
                ident: idents.claim(base),
                doc: used.doc,
                ty: used.ty,
                json,
            });
        }
        if lowered.len() < 2 {
            return Err(self.error(
                &place.join("oneOf"),
                "oneOf needs at least two alternatives",
            ));
        }
        Ok(lowered)
    }

    /// Lowers a schema where it is used: a property, an array item, a map value, a parameter,
    /// a body or a response.
    pub(super) fn lower_use(&self, schema: SchemaRef<'_>, place: &Place) -> Result<Use, Error> {
        match schema {
            SchemaRef::Ref(reference) => Ok(Use {
                ty: Ty::Named(self.schema_ref_name(reference, place)?),
                nullable: false,
                doc: None,
            }),
            SchemaRef::Inline(schema) => Ok(Use {
                ty: self.lower_inline(schema, place)?,
                nullable: schema.schema_data.nullable,
                doc: schema.schema_data.description.clone(),
            }),
        }
    }

    /// Lowers an inline schema that is not a named object, enum or oneOf.
    fn lower_inline(&self, schema: &Schema, place: &Place) -> Result<Ty, Error> {
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(string)) => {
                if !string.enumeration.is_empty() {
                    return Err(self.error(
                        place,
                        "inline enum not supported; declare it under components/schemas and use a $ref",
                    ));
                }
                match &string.format {
                    VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => Ok(Ty::Timestamp),
                    VariantOrUnknownOrEmpty::Item(StringFormat::Date) => Ok(Ty::Date),
                    VariantOrUnknownOrEmpty::Item(StringFormat::Binary) => Err(self.error(
                        place,
                        "binary strings not supported (JSON and form bodies only)",
                    )),
                    _ => Ok(Ty::String),
                }
            }
            SchemaKind::Type(Type::Number(number)) => {
                if !number.enumeration.is_empty() {
                    return Err(self.error(place, "number enums not supported"));
                }
                Ok(Ty::Decimal)
            }
            SchemaKind::Type(Type::Integer(integer)) => {
                if !integer.enumeration.is_empty() {
                    return Err(self.error(place, "integer enums not supported"));
                }
                match integer.format {
                    VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => Ok(Ty::I32),
                    _ => Ok(Ty::I64),
                }
            }
            SchemaKind::Type(Type::Boolean(_)) => Ok(Ty::Bool),
            SchemaKind::Type(Type::Array(array)) => {
                let items_place = place.join("items");
                let Some(items) = &array.items else {
                    return Err(self.error(place, "array without items"));
                };
                let item = self.lower_use(SchemaRef::of_boxed(items), &items_place)?;
                self.check_collection_item(&item, &items_place, "array items")?;
                Ok(Ty::List(Box::new(item.ty)))
            }
            SchemaKind::Type(Type::Object(object)) => {
                if !object.properties.is_empty() {
                    return Err(self.error(
                        place,
                        "inline object schema not supported; declare it under components/schemas and use a $ref",
                    ));
                }
                match &object.additional_properties {
                    None | Some(AdditionalProperties::Any(false)) => Ok(Ty::Json),
                    Some(AdditionalProperties::Any(true)) => Ok(Ty::Map(Box::new(Ty::Json))),
                    Some(AdditionalProperties::Schema(values)) => {
                        let values_place = place.join("additionalProperties");
                        let value = self.lower_use(SchemaRef::of(values), &values_place)?;
                        self.check_collection_item(&value, &values_place, "map values")?;
                        Ok(Ty::Map(Box::new(value.ty)))
                    }
                }
            }
            SchemaKind::AllOf { all_of } => match all_of.as_slice() {
                [single] => {
                    let inner =
                        self.lower_use(SchemaRef::of(single), &place.join("allOf").join(0))?;
                    Ok(inner.ty)
                }
                _ => Err(self.error(
                    &place.join("allOf"),
                    "allOf is supported only with a single $ref",
                )),
            },
            SchemaKind::OneOf { .. } => Err(self.error(
                place,
                "inline oneOf not supported; declare it under components/schemas and use a $ref",
            )),
            SchemaKind::AnyOf { .. } => Err(self.error(place, "anyOf not supported")),
            SchemaKind::Not { .. } => Err(self.error(place, "not not supported")),
            SchemaKind::Any(any) if *any == AnySchema::default() => Ok(Ty::Json),
            SchemaKind::Any(any) => Err(self.error(
                place,
                match &any.typ {
                    Some(typ) => {
                        format!("unsupported combination of schema keywords for type {typ:?}")
                    }
                    None => "unsupported schema: give it a `type` (or a single `$ref`)".to_owned(),
                },
            )),
        }
    }

    fn check_collection_item(&self, item: &Use, place: &Place, what: &str) -> Result<(), Error> {
        if item.nullable {
            return Err(self.error(place, format!("nullable {what} not supported")));
        }
        if self.is_decimal(&item.ty, 0) {
            return Err(self.error(
                place,
                format!(
                    "decimal {what} not supported (the exact-decimal adapter reads single values)"
                ),
            ));
        }
        Ok(())
    }

    /// Whether `ty` is a decimal, directly or through component aliases.
    fn is_decimal(&self, ty: &Ty, depth: usize) -> bool {
        match ty {
            Ty::Decimal => true,
            Ty::Named(name) if depth < 16 => match self.schemas.get(name) {
                Some(ReferenceOr::Reference { reference }) => reference
                    .strip_prefix(super::SCHEMA_PREFIX)
                    .is_some_and(|target| {
                        self.is_decimal(&Ty::Named(target.to_owned()), depth + 1)
                    }),
                Some(ReferenceOr::Item(schema)) => match &schema.schema_kind {
                    SchemaKind::Type(Type::Number(_)) => true,
                    SchemaKind::AllOf { all_of } => match all_of.as_slice() {
                        [ReferenceOr::Reference { reference }] => reference
                            .strip_prefix(super::SCHEMA_PREFIX)
                            .is_some_and(|target| {
                                self.is_decimal(&Ty::Named(target.to_owned()), depth + 1)
                            }),
                        _ => false,
                    },
                    _ => false,
                },
                None => false,
            },
            _ => false,
        }
    }

    /// The JSON type a schema reads, following `$ref`s and single-`allOf`s.
    fn json_kind(
        &self,
        schema: SchemaRef<'_>,
        place: &Place,
        depth: usize,
    ) -> Result<JsonKind, Error> {
        if depth > 16 {
            return Err(self.error(place, "$ref chain too long (a cycle?)"));
        }
        let schema = match schema {
            SchemaRef::Ref(reference) => {
                let name = self.schema_ref_name(reference, place)?;
                match self.schemas.get(&name) {
                    Some(target) => SchemaRef::of(target),
                    None => return Ok(JsonKind::Any),
                }
            }
            SchemaRef::Inline(schema) => return self.inline_json_kind(schema, place, depth),
        };
        self.json_kind(schema, place, depth + 1)
    }

    fn inline_json_kind(
        &self,
        schema: &Schema,
        place: &Place,
        depth: usize,
    ) -> Result<JsonKind, Error> {
        Ok(match &schema.schema_kind {
            SchemaKind::Type(Type::String(_)) => JsonKind::String,
            SchemaKind::Type(Type::Number(_)) => JsonKind::Number,
            SchemaKind::Type(Type::Integer(_)) => JsonKind::Integer,
            SchemaKind::Type(Type::Boolean(_)) => JsonKind::Boolean,
            SchemaKind::Type(Type::Array(_)) => JsonKind::Array,
            SchemaKind::Type(Type::Object(_)) => JsonKind::Object,
            SchemaKind::AllOf { all_of } => match all_of.as_slice() {
                [single] => self.json_kind(SchemaRef::of(single), place, depth + 1)?,
                _ => JsonKind::Any,
            },
            _ => JsonKind::Any,
        })
    }

    /// Every `secret_fields` entry must have matched a string property.
    pub(super) fn check_secret_fields_used(&self) -> Result<(), Error> {
        for entry in &self.config().secret_fields {
            let matched = entry.split_once('.').is_some_and(|(schema, field)| {
                self.secrets_used
                    .contains(&(schema.to_owned(), field.to_owned()))
            });
            if !matched {
                return Err(self.config_error(
                    Place::toml_key("secret_fields"),
                    format!("{entry:?} does not name a property as \"Schema.field\""),
                ));
            }
        }
        Ok(())
    }

    /// Type aliases that lead back to themselves cannot be written in Rust.
    fn check_alias_cycles(&self, models: &[Model]) -> Result<(), Error> {
        for model in models {
            let mut current = &model.kind;
            for _ in 0..=models.len() {
                let ModelKind::Alias(Ty::Named(target)) = current else {
                    break;
                };
                if target == &model.name {
                    return Err(self.error(
                        &Place::root()
                            .join("components")
                            .join("schemas")
                            .join(&model.name),
                        "schema refers to itself through $ref aliases only",
                    ));
                }
                match models.iter().find(|candidate| &candidate.name == target) {
                    Some(next) => current = &next.kind,
                    None => break,
                }
            }
        }
        Ok(())
    }
}
