//! `models.rs`: one item per component schema, in document order.

use proc_macro2::TokenStream;
use quote::quote;

use super::tokens::{Imports, docs, ident, inner_docs, ty_tokens};
use crate::ir::{Alternative, Api, Field, JsonKind, Model, ModelKind, Ty, Variant};

/// The items of `models.rs`.
pub(crate) fn emit(api: &Api) -> TokenStream {
    let mut emitter = ModelsEmitter {
        api,
        imports: Imports::default(),
    };
    let items: Vec<TokenStream> = api
        .models
        .iter()
        .map(|model| emitter.model(model))
        .collect();
    let imports = emitter.imports.tokens();
    let module_docs = inner_docs(&format!(
        "Schemas of the {} (`components/schemas` of `openapi.yaml`), in document order.",
        api.title
    ));
    quote! {
        #module_docs
        #imports
        #(#items)*
    }
}

struct ModelsEmitter<'a> {
    api: &'a Api,
    imports: Imports,
}

impl ModelsEmitter<'_> {
    fn model(&mut self, model: &Model) -> TokenStream {
        match &model.kind {
            ModelKind::Struct(fields) => self.structure(model, fields),
            ModelKind::Enum(variants) => self.open_enum(model, variants),
            ModelKind::OneOf(alternatives) => self.one_of(model, alternatives),
            ModelKind::Alias(ty) => self.alias(model, ty),
        }
    }

    fn ty(&mut self, ty: &Ty) -> TokenStream {
        ty_tokens(ty, &mut self.imports, &|name| {
            let name = ident(name);
            quote!(#name)
        })
    }

    /// The serde derives of `model`, importing them.
    fn serde_derives(&mut self, model: &Model) -> Vec<TokenStream> {
        let mut derives = Vec::new();
        if model.serialize {
            self.imports.add("serde", "Serialize");
            derives.push(quote!(Serialize));
        }
        if model.deserialize {
            self.imports.add("serde", "Deserialize");
            derives.push(quote!(Deserialize));
        }
        derives
    }

    fn structure(&mut self, model: &Model, fields: &[Field]) -> TokenStream {
        let doc = docs(&model_doc(model, "schema"));
        let name = ident(&model.name);
        let all_optional = fields.iter().all(|field| field.optional);
        let default = (model.serialize && all_optional).then(|| quote!(Default,));
        let serde_derives = self.serde_derives(model);
        let non_exhaustive = read_only(model).then(|| quote!(#[non_exhaustive]));
        let fields: Vec<TokenStream> = fields
            .iter()
            .map(|field| self.field(model, field))
            .collect();
        quote! {
            #doc
            #[derive(Debug, Clone, #default PartialEq, #(#serde_derives),*)]
            #non_exhaustive
            pub struct #name {
                #(#fields)*
            }
        }
    }

    fn field(&mut self, model: &Model, field: &Field) -> TokenStream {
        let doc_text = match &field.doc {
            Some(doc) if !doc.trim().is_empty() => doc.clone(),
            _ => format!("The `{}` property.", field.wire),
        };
        let doc = docs(&doc_text);
        let mut args = Vec::new();
        if field.ident != field.wire {
            let wire = &field.wire;
            args.push(quote!(rename = #wire));
        }
        if field.optional && model.deserialize {
            args.push(quote!(default));
        }
        if field.optional && !field.required && model.serialize {
            args.push(quote!(skip_serializing_if = "Option::is_none"));
        }
        // Tolerant reader: answers' strings, integers, booleans and decimals are read through
        // `splitkit_common::lenient` (numbers as strings and back, exact decimals); decimals are
        // also written through it, as exact JSON numbers.
        let lenient = model.deserialize && self.api.holds_lenient_scalar(&field.ty);
        if lenient || self.api.holds_decimal(&field.ty) {
            args.push(quote!(with = "splitkit_common::lenient"));
        }
        let serde = (!args.is_empty()).then(|| quote!(#[serde(#(#args),*)]));
        let mut ty = self.ty(&field.ty);
        if field.boxed {
            ty = quote!(Box<#ty>);
        }
        if field.optional {
            ty = quote!(Option<#ty>);
        }
        let name = ident(&field.ident);
        quote! {
            #doc
            #serde
            pub #name: #ty,
        }
    }

    fn open_enum(&mut self, model: &Model, variants: &[Variant]) -> TokenStream {
        let doc = docs(&model_doc(model, "values"));
        let name = ident(&model.name);
        let name_text = &model.name;
        let allow = needs_variant_names_allow(
            &model.name,
            variants.iter().map(|v| v.ident.as_str()).chain(["Unknown"]),
        )
        .then(|| quote!(#[allow(clippy::enum_variant_names)]));
        let declarations = variants.iter().map(|variant| {
            let doc = docs(&format!(
                "Wire value `{}`.",
                variant.value.replace('`', "'")
            ));
            let variant = ident(&variant.ident);
            quote!(#doc #variant,)
        });
        let as_str_arms = variants.iter().map(|variant| {
            let value = &variant.value;
            let variant = ident(&variant.ident);
            quote!(Self::#variant => #value,)
        });
        let from_str_arms = variants.iter().map(|variant| {
            let value = &variant.value;
            let variant = ident(&variant.ident);
            quote!(#value => Self::#variant,)
        });
        self.imports.add("serde", "Serialize");
        self.imports.add("serde", "Deserialize");
        let unknown_error = format!(
            "{name_text}::Unknown({{value:?}}) cannot be sent: the value is not known to this SDK"
        );
        quote! {
            #doc
            #allow
            #[derive(Debug, Clone, PartialEq, Eq, Hash)]
            #[non_exhaustive]
            pub enum #name {
                #(#declarations)*
                /// A value this version of the SDK does not know, kept as received. Sending it is an error.
                Unknown(String),
            }

            impl #name {
                /// The value as it is written on the wire.
                pub fn as_str(&self) -> &str {
                    match self {
                        #(#as_str_arms)*
                        Self::Unknown(value) => value,
                    }
                }
            }

            impl std::fmt::Display for #name {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str(self.as_str())
                }
            }

            impl std::str::FromStr for #name {
                type Err = std::convert::Infallible;

                fn from_str(value: &str) -> Result<Self, Self::Err> {
                    Ok(match value {
                        #(#from_str_arms)*
                        other => Self::Unknown(other.to_owned()),
                    })
                }
            }

            impl Serialize for #name {
                fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    match self {
                        Self::Unknown(value) => Err(serde::ser::Error::custom(format!(#unknown_error))),
                        known => serializer.serialize_str(known.as_str()),
                    }
                }
            }

            impl<'de> Deserialize<'de> for #name {
                fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    splitkit_common::lenient::open_enum(deserializer)
                }
            }

            impl splitkit_common::OpenEnum for #name {
                fn is_unknown(&self) -> bool {
                    matches!(self, Self::Unknown(_))
                }
            }
        }
    }

    fn one_of(&mut self, model: &Model, alternatives: &[Alternative]) -> TokenStream {
        let doc = docs(&model_doc(model, "alternatives"));
        let name = ident(&model.name);
        let mut allows = Vec::new();
        // A struct held by value can make one variant much larger than the others; the shape
        // comes from the API, so the lint is allowed rather than the struct boxed.
        let holds_struct = alternatives.iter().any(|alternative| {
            let ty = crate::ir::resolve_alias(&self.api.models, &alternative.ty);
            matches!(ty, Ty::Named(name) if self.api.model(name).is_some_and(|model| {
                matches!(model.kind, ModelKind::Struct(_) | ModelKind::OneOf(_))
            }))
        });
        if holds_struct {
            allows.push(quote!(clippy::large_enum_variant));
        }
        if needs_variant_names_allow(&model.name, alternatives.iter().map(|a| a.ident.as_str())) {
            allows.push(quote!(clippy::enum_variant_names));
        }
        let allows = (!allows.is_empty()).then(|| quote!(#[allow(#(#allows),*)]));
        let declarations: Vec<TokenStream> = alternatives
            .iter()
            .map(|alternative| {
                let text = match &alternative.doc {
                    Some(doc) if !doc.trim().is_empty() => doc.clone(),
                    _ => format!("The value when it is {}.", alternative.json.describe()),
                };
                let doc = docs(&text);
                let variant = ident(&alternative.ident);
                let ty = self.ty(&alternative.ty);
                quote!(#doc #variant(#ty),)
            })
            .collect();
        let serialize = model.serialize.then(|| {
            self.imports.add("serde", "Serialize");
            let arms = alternatives.iter().map(|alternative| {
                let variant = ident(&alternative.ident);
                quote!(Self::#variant(value) => value.serialize(serializer),)
            });
            quote! {
                impl Serialize for #name {
                    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                        match self {
                            #(#arms)*
                        }
                    }
                }
            }
        });
        let deserialize = model.deserialize.then(|| {
            self.imports.add("serde", "Deserialize");
            one_of_deserialize(model, alternatives)
        });
        let non_exhaustive = read_only(model).then(|| quote!(#[non_exhaustive]));
        quote! {
            #doc
            #allows
            #[derive(Debug, Clone, PartialEq)]
            #non_exhaustive
            pub enum #name {
                #(#declarations)*
            }

            #serialize
            #deserialize
        }
    }

    fn alias(&mut self, model: &Model, ty: &Ty) -> TokenStream {
        let doc = docs(&model_doc(model, "schema"));
        let name = ident(&model.name);
        let ty = self.ty(ty);
        quote! {
            #doc
            pub type #name = #ty;
        }
    }
}

/// Whether `model` is only read (no request body reaches it: a response, a webhook payload, an
/// error body): such a model grows with the provider's answers, so it is `#[non_exhaustive]`;
/// models that callers build for requests keep their public literal form.
fn read_only(model: &Model) -> bool {
    model.deserialize && !model.in_request
}

/// `Deserialize` for a `oneOf`: one `Visitor` method per alternative's JSON type, so the value
/// is read once, straight into the alternative (no buffering, which would turn exact decimals
/// inside it into floats).
fn one_of_deserialize(model: &Model, alternatives: &[Alternative]) -> TokenStream {
    let name = ident(&model.name);
    let visitor = ident(&format!("{}Visitor", model.name));
    let kinds: Vec<&str> = alternatives
        .iter()
        .map(|alternative| alternative.json.describe())
        .collect();
    let expecting = match kinds.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => kinds.join(""),
    };
    let methods = alternatives.iter().map(|alternative| {
        let variant = ident(&alternative.ident);
        match alternative.json {
            JsonKind::String => quote! {
                fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Self::Value, E> {
                    Deserialize::deserialize(serde::de::value::StrDeserializer::<E>::new(value))
                        .map(#name::#variant)
                }
            },
            JsonKind::Integer => quote! {
                fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<Self::Value, E> {
                    Deserialize::deserialize(serde::de::value::I64Deserializer::<E>::new(value))
                        .map(#name::#variant)
                }

                fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<Self::Value, E> {
                    Deserialize::deserialize(serde::de::value::U64Deserializer::<E>::new(value))
                        .map(#name::#variant)
                }
            },
            JsonKind::Boolean => quote! {
                fn visit_bool<E: serde::de::Error>(self, value: bool) -> Result<Self::Value, E> {
                    Ok(#name::#variant(value))
                }
            },
            JsonKind::Array => quote! {
                fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                    Deserialize::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))
                        .map(#name::#variant)
                }
            },
            JsonKind::Object => quote! {
                fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                    Deserialize::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                        .map(#name::#variant)
                }
            },
            // Lowering refuses number and untyped alternatives.
            JsonKind::Number | JsonKind::Any => quote!(),
        }
    });
    quote! {
        impl<'de> Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct #visitor;

                impl<'de> serde::de::Visitor<'de> for #visitor {
                    type Value = #name;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        formatter.write_str(#expecting)
                    }

                    #(#methods)*
                }

                deserializer.deserialize_any(#visitor)
            }
        }
    }
}

/// The model's description, or a generated sentence.
fn model_doc(model: &Model, what: &str) -> String {
    match &model.doc {
        Some(doc) if !doc.trim().is_empty() => doc.clone(),
        _ => format!("The `{}` {what}.", model.name),
    }
}

/// Whether clippy's `enum_variant_names` could fire: a variant starts or ends with the enum's
/// name, or (with three or more variants) all share a first or last word. The names come from
/// the API, so the lint is allowed rather than the names changed.
fn needs_variant_names_allow<'a>(enum_name: &str, variants: impl Iterator<Item = &'a str>) -> bool {
    let variants: Vec<&str> = variants.collect();
    if variants
        .iter()
        .any(|variant| variant.starts_with(enum_name) || variant.ends_with(enum_name))
    {
        return true;
    }
    if variants.len() < 3 {
        return false;
    }
    let words: Vec<Vec<String>> = variants.iter().map(|v| crate::naming::words(v)).collect();
    let shared = |pick: fn(&Vec<String>) -> Option<&String>| {
        let first = words.first().and_then(pick);
        first.is_some() && words.iter().all(|w| w.len() > 1 && pick(w) == first)
    };
    shared(|w| w.first()) || shared(|w| w.last())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_variant_names_clippy_would_flag() {
        assert!(needs_variant_names_allow(
            "Status",
            ["StatusOk", "Failed"].into_iter()
        ));
        assert!(needs_variant_names_allow(
            "Event",
            ["GroupCreated", "GroupFunded", "GroupExpired"].into_iter()
        ));
        assert!(!needs_variant_names_allow(
            "Event",
            ["GroupCreated", "GroupFunded", "Unknown"].into_iter()
        ));
        assert!(!needs_variant_names_allow(
            "Mode",
            ["Equal", "Itemized"].into_iter()
        ));
    }
}
