//! `operations.rs`: per operation, in document order, its `static Operation`, its parameter
//! struct, its request builder and its async function.

use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;

use super::tokens::{Imports, docs, ident, inner_docs, paragraphs, ty_tokens};
use crate::ir::{
    Api, BodyEncoding, ModelKind, Operation, Pagination, Param, ParamLocation, PathParamTy,
    Response, Ty, resolve_alias,
};

/// What `operations.rs` imports from the runtime; a model with one of these names is written
/// `models::Name` there.
const RUNTIME_NAMES: &[&str] = &[
    "ApiClient",
    "BTreeMap",
    "Date",
    "Decimal",
    "Error",
    "Method",
    "Operation",
    "Page",
    "Pagination",
    "Request",
    "SecretString",
    "Timestamp",
];

/// Clippy's `too_many_arguments` threshold.
const MAX_ARGUMENTS: usize = 7;

/// The items of `operations.rs`.
pub(crate) fn emit(api: &Api) -> TokenStream {
    let params_names: BTreeSet<&str> = api
        .operations
        .iter()
        .filter_map(|operation| operation.params_ident.as_deref())
        .collect();
    let mut emitter = OperationsEmitter {
        api,
        imports: Imports::default(),
        imported_models: RefCell::default(),
        qualified_models: Cell::new(false),
        clashing: RUNTIME_NAMES.iter().copied().chain(params_names).collect(),
    };
    let items: Vec<TokenStream> = api
        .operations
        .iter()
        .map(|operation| emitter.operation(operation))
        .collect();
    if !api.operations.is_empty() {
        emitter.imports.add("splitkit_common::operation", "Method");
        emitter
            .imports
            .add("splitkit_common::operation", "Operation");
        emitter
            .imports
            .add("splitkit_common::operation", "Pagination");
        emitter.imports.add("splitkit_common", "ApiClient");
        emitter.imports.add("splitkit_common", "Error");
        emitter.imports.add("splitkit_common", "Request");
    }
    for model in emitter.imported_models.borrow().iter() {
        emitter.imports.add("super::models", model);
    }
    let models_module = emitter.qualified_models.get().then(|| {
        quote!(
            use super::models;
        )
    });
    let imports = emitter.imports.tokens();
    let module_docs = inner_docs(&format!(
        "Operations of the {}, in document order. Each has a `static` `Operation` that tells the \
         runtime how to send it, a `*_request` function that builds its request, and an async \
         function that sends it.",
        api.title
    ));
    quote! {
        #module_docs
        #imports
        #models_module
        #(#items)*
    }
}

struct OperationsEmitter<'a> {
    api: &'a Api,
    imports: Imports,
    /// Models written by their plain name, imported from `super::models`.
    imported_models: RefCell<BTreeSet<String>>,
    /// Whether some model is written `models::Name`.
    qualified_models: Cell<bool>,
    /// Names a model may not be written as plainly.
    clashing: BTreeSet<&'a str>,
}

impl OperationsEmitter<'_> {
    fn ty(&mut self, ty: &Ty) -> TokenStream {
        let imported_models = &self.imported_models;
        let qualified_models = &self.qualified_models;
        let clashing = &self.clashing;
        ty_tokens(ty, &mut self.imports, &|name| {
            let model = ident(name);
            if clashing.contains(name) {
                qualified_models.set(true);
                quote!(models::#model)
            } else {
                imported_models.borrow_mut().insert(name.to_owned());
                quote!(#model)
            }
        })
    }

    fn operation(&mut self, operation: &Operation) -> TokenStream {
        let static_item = self.static_item(operation);
        let params_struct = self.params_struct(operation);
        let request_fn = self.request_fn(operation);
        let send_fn = self.send_fn(operation);
        quote! {
            #static_item
            #params_struct
            #request_fn
            #send_fn
        }
    }

    fn static_item(&mut self, operation: &Operation) -> TokenStream {
        let doc = docs(&format!(
            "`{} {}`: {}",
            operation.method.as_str(),
            operation.path,
            operation.summary
        ));
        let name = ident(&operation.static_ident);
        let id = &operation.id;
        let method = ident(operation.method.variant());
        let path = &operation.path;
        let idempotent = operation.idempotent;
        let idempotency_key = operation.idempotency_key;
        let pagination = match &operation.pagination {
            Pagination::None => quote!(Pagination::None),
            Pagination::Unpaged { items } => quote!(Pagination::Unpaged { items: #items }),
            Pagination::Link { items } => quote!(Pagination::Link { items: #items }),
            Pagination::Cursor {
                items,
                cursor_field,
                cursor_param,
                has_more_field,
            } => {
                let has_more_field = match has_more_field {
                    Some(field) => quote!(Some(#field)),
                    None => quote!(None),
                };
                quote!(Pagination::Cursor {
                    items: #items,
                    cursor_field: #cursor_field,
                    cursor_param: #cursor_param,
                    has_more_field: #has_more_field,
                })
            }
            Pagination::PageNumber { items, page_param } => {
                quote!(Pagination::PageNumber { items: #items, page_param: #page_param })
            }
        };
        quote! {
            #doc
            pub static #name: Operation = Operation {
                id: #id,
                method: Method::#method,
                path: #path,
                idempotent: #idempotent,
                idempotency_key: #idempotency_key,
                pagination: #pagination,
            };
        }
    }

    fn params_struct(&mut self, operation: &Operation) -> Option<TokenStream> {
        let name = ident(operation.params_ident.as_deref()?);
        let doc = docs(&format!(
            "Query and header parameters of [`{}`].",
            operation.fn_ident
        ));
        let all_optional = operation.params.iter().all(|param| !param.required);
        let default = all_optional.then(|| quote!(Default,));
        // Options that will grow: built from `Default` and set field by field, never a literal.
        let non_exhaustive = all_optional.then(|| quote!(#[non_exhaustive]));
        let fields: Vec<TokenStream> = operation
            .params
            .iter()
            .map(|param| {
                let text = match &param.doc {
                    Some(doc) if !doc.trim().is_empty() => doc.clone(),
                    _ => match param.location {
                        ParamLocation::Query { .. } => {
                            format!("The `{}` query parameter.", param.wire)
                        }
                        ParamLocation::Header => format!("The `{}` header.", param.wire),
                    },
                };
                let doc = docs(&text);
                let field = ident(&param.ident);
                let mut ty = self.ty(&param.ty);
                if !param.required {
                    ty = quote!(Option<#ty>);
                }
                quote!(#doc pub #field: #ty,)
            })
            .collect();
        Some(quote! {
            #doc
            #[derive(Debug, Clone, #default PartialEq)]
            #non_exhaustive
            pub struct #name {
                #(#fields)*
            }
        })
    }

    /// The arguments after `client`, as (declaration, use) pairs.
    fn arguments(&mut self, operation: &Operation) -> Vec<(TokenStream, TokenStream)> {
        let mut arguments = Vec::new();
        for param in &operation.path_params {
            let name = ident(&param.ident);
            let ty = match &param.ty {
                PathParamTy::Str => quote!(&str),
                PathParamTy::I32 => quote!(i32),
                PathParamTy::I64 => quote!(i64),
                PathParamTy::Enum(enum_name) => {
                    let ty = self.ty(&Ty::Named(enum_name.clone()));
                    quote!(&#ty)
                }
            };
            arguments.push((quote!(#name: #ty), quote!(#name)));
        }
        if let Some(params) = &operation.params_ident {
            let params = ident(params);
            arguments.push((quote!(params: &#params), quote!(params)));
        }
        if let Some(body) = &operation.body {
            let ty = self.ty(&body.ty);
            arguments.push((quote!(body: &#ty), quote!(body)));
        }
        arguments
    }

    fn request_fn(&mut self, operation: &Operation) -> TokenStream {
        let doc = docs(&format!(
            "Builds the request of `{}` without sending it (to add an idempotency key or call options).",
            operation.id
        ));
        let name = ident(&operation.request_fn_ident);
        let arguments: Vec<TokenStream> = self
            .arguments(operation)
            .into_iter()
            .map(|(declaration, _)| declaration)
            .collect();
        let allow = too_many(arguments.len());
        let static_name = ident(&operation.static_ident);
        let path_params = operation.path_params.iter().map(|param| {
            let wire = &param.wire;
            let name = ident(&param.ident);
            quote!(.path_param(#wire, #name))
        });
        let checks = self.enum_checks(operation);
        let params = operation.params.iter().map(param_call);
        let chain = quote!(Request::new(&#static_name) #(#path_params)* #(#params)*);
        let body = match operation.body.as_ref().map(|body| body.encoding) {
            None => quote!(Ok(#chain)),
            Some(BodyEncoding::Json) => quote!(#chain.json_body(body)),
            Some(BodyEncoding::Form) => quote!(#chain.form_body(body)),
        };
        quote! {
            #doc
            #allow
            pub fn #name(#(#arguments),*) -> Result<Request, Error> {
                #(#checks)*
                #body
            }
        }
    }

    /// Strict writer: one `ensure_known(...)?;` per parameter that holds an open enum, so an
    /// `Unknown` value is refused, naming the parameter, before the request is built.
    fn enum_checks(&mut self, operation: &Operation) -> Vec<TokenStream> {
        let mut checks = Vec::new();
        for param in &operation.path_params {
            if let PathParamTy::Enum(_) = param.ty {
                let wire = &param.wire;
                let name = ident(&param.ident);
                checks.push(quote!(ensure_known(#wire, [#name])?;));
            }
        }
        for param in &operation.params {
            let (is_list, item) = match resolve_alias(&self.api.models, &param.ty) {
                Ty::List(item) => (true, resolve_alias(&self.api.models, item)),
                other => (false, other),
            };
            let is_enum = matches!(item, Ty::Named(name) if self.api.model(name)
                .is_some_and(|model| matches!(model.kind, ModelKind::Enum(_))));
            if !is_enum {
                continue;
            }
            let wire = &param.wire;
            let field = ident(&param.ident);
            let values = match (is_list, param.required) {
                (false, true) => quote!([&params.#field]),
                (true, false) => quote!(params.#field.iter().flatten()),
                _ => quote!(&params.#field),
            };
            checks.push(quote!(ensure_known(#wire, #values)?;));
        }
        if !checks.is_empty() {
            self.imports.add("splitkit_common::request", "ensure_known");
        }
        checks
    }

    fn send_fn(&mut self, operation: &Operation) -> TokenStream {
        let mut text = paragraphs([
            Some(operation.summary.as_str()),
            operation.description.as_deref(),
        ]);
        let described: Vec<String> = operation
            .path_params
            .iter()
            .filter_map(|param| {
                let doc = param.doc.as_deref()?.split_whitespace().collect::<Vec<_>>();
                (!doc.is_empty()).then(|| format!("- `{}`: {}", param.ident, doc.join(" ")))
            })
            .collect();
        if !described.is_empty() {
            text.push_str("\n\nPath parameters:\n\n");
            text.push_str(&described.join("\n"));
        }
        text.push_str(&format!(
            "\n\nSends `{} {}` ([`{}`]).",
            operation.method.as_str(),
            operation.path,
            operation.static_ident
        ));
        let doc = docs(&text);
        let name = ident(&operation.fn_ident);
        let request_fn = ident(&operation.request_fn_ident);
        let arguments = self.arguments(operation);
        let allow = too_many(arguments.len() + 1);
        let declarations = arguments.iter().map(|(declaration, _)| declaration);
        let uses = arguments.iter().map(|(_, used)| used);
        let request = quote!(#request_fn(#(#uses),*)?);
        let (output, call) = match &operation.response {
            Response::Unit => (quote!(()), quote!(client.execute_unit(#request).await)),
            Response::Value(ty) => {
                let ty = self.ty(ty);
                (ty, quote!(client.execute(#request).await))
            }
            Response::Page(item) => {
                self.imports.add("splitkit_common", "Page");
                let item = self.ty(item);
                (
                    quote!(Page<#item>),
                    quote!(client.fetch_page(#request).await),
                )
            }
        };
        quote! {
            #doc
            #allow
            pub async fn #name(client: &ApiClient, #(#declarations),*) -> Result<#output, Error> {
                #call
            }
        }
    }
}

/// The builder call that adds one query or header parameter.
fn param_call(param: &Param) -> TokenStream {
    let wire = &param.wire;
    let field = ident(&param.ident);
    let is_list = matches!(param.ty, Ty::List(_));
    match (param.location, is_list, param.required) {
        (ParamLocation::Query { explode }, true, true) => {
            quote!(.query_list(#wire, &params.#field, #explode))
        }
        (ParamLocation::Query { explode }, true, false) => {
            quote!(.query_list(#wire, params.#field.iter().flatten(), #explode))
        }
        (ParamLocation::Query { .. }, false, true) => quote!(.query(#wire, &params.#field)),
        (ParamLocation::Query { .. }, false, false) => {
            quote!(.query_opt(#wire, params.#field.as_ref()))
        }
        (ParamLocation::Header, _, true) => quote!(.header(#wire, &params.#field)),
        (ParamLocation::Header, _, false) => quote!(.header_opt(#wire, params.#field.as_ref())),
    }
}

fn too_many(arguments: usize) -> Option<TokenStream> {
    (arguments > MAX_ARGUMENTS).then(|| quote!(#[allow(clippy::too_many_arguments)]))
}
