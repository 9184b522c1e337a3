//! The intermediate model between the OpenAPI document and the emitted Rust: every name is
//! already a Rust name, every type already resolved, every check already done. The emitters
//! only print it.

/// One client crate's API.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// The first `servers` entry, the documented default base URL.
    pub base_url: Option<String>,
    /// `idempotency_header` of `codegen.toml`.
    pub idempotency_header: Option<String>,
    /// `error_schema` of `codegen.toml` (a name in [`Api::models`]).
    pub error_schema: Option<String>,
    /// Component schemas in document order; the model of an inline `oneOf` property follows
    /// its schema.
    pub models: Vec<Model>,
    /// Operations, in document order.
    pub operations: Vec<Operation>,
}

impl Api {
    /// The model named `name`.
    pub fn model(&self, name: &str) -> Option<&Model> {
        self.models.iter().find(|model| model.name == name)
    }

    /// Whether `ty` holds a decimal, directly, in a list or map, or through type aliases.
    pub fn holds_decimal(&self, ty: &Ty) -> bool {
        self.holds(ty, &|leaf| leaf == &Ty::Decimal)
    }

    /// Whether `ty` holds a scalar that `splitkit_common::lenient` reads tolerantly (a string,
    /// an integer, a boolean or a decimal), directly, in a list or map, or through type aliases.
    pub fn holds_lenient_scalar(&self, ty: &Ty) -> bool {
        self.holds(ty, &|leaf| {
            matches!(
                leaf,
                Ty::String | Ty::I32 | Ty::I64 | Ty::Bool | Ty::Decimal
            )
        })
    }

    fn holds(&self, ty: &Ty, leaf: &dyn Fn(&Ty) -> bool) -> bool {
        match resolve_alias(&self.models, ty) {
            Ty::List(item) | Ty::Map(item) => self.holds(item, leaf),
            other => leaf(other),
        }
    }
}

/// `ty` with type aliases among `models` followed (a cycle of aliases stops where it repeats).
pub fn resolve_alias<'a>(models: &'a [Model], mut ty: &'a Ty) -> &'a Ty {
    for _ in 0..=models.len() {
        let Ty::Named(name) = ty else { return ty };
        match models.iter().find(|model| &model.name == name) {
            Some(Model {
                kind: ModelKind::Alias(target),
                ..
            }) => ty = target,
            _ => return ty,
        }
    }
    ty
}

/// A Rust type of a field, parameter, alternative or response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    /// `String`.
    String,
    /// `splitkit_common::SecretString` (a field named in `secret_fields`).
    Secret,
    /// `bool`.
    Bool,
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// `rust_decimal::Decimal`, read and written through `splitkit_common::lenient` (exact).
    Decimal,
    /// `splitkit_common::Timestamp`.
    Timestamp,
    /// `splitkit_common::Date`.
    Date,
    /// `serde_json::Value` (a free-form object or an unconstrained schema).
    Json,
    /// A component schema by its Rust name.
    Named(String),
    /// `Vec<T>`.
    List(Box<Ty>),
    /// `std::collections::BTreeMap<String, T>`.
    Map(Box<Ty>),
}

/// What JSON value a type reads and writes; alternatives of a `oneOf` must differ in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum JsonKind {
    /// A string.
    String,
    /// An integer number.
    Integer,
    /// A number that may have a fraction.
    Number,
    /// `true` or `false`.
    Boolean,
    /// An array.
    Array,
    /// An object.
    Object,
    /// Any JSON value (free-form, or a `oneOf`).
    Any,
}

impl JsonKind {
    /// The kind's name in messages and generated docs.
    pub fn describe(self) -> &'static str {
        match self {
            Self::String => "a JSON string",
            Self::Integer => "a JSON integer",
            Self::Number => "a JSON number",
            Self::Boolean => "a JSON boolean",
            Self::Array => "a JSON array",
            Self::Object => "a JSON object",
            Self::Any => "any JSON value",
        }
    }
}

/// A component schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Rust type name (the component name, unchanged).
    pub name: String,
    /// `description` of the schema.
    pub doc: Option<String>,
    /// What it becomes.
    pub kind: ModelKind,
    /// Whether it is written (reached from a request body, or from no operation at all).
    pub serialize: bool,
    /// Whether it is read (reached from a success response, or from no operation at all).
    pub deserialize: bool,
    /// Whether a request body reaches it, so that callers build it (with a struct literal, for
    /// models without a hand-written builder). Models that are only read are
    /// `#[non_exhaustive]`.
    pub in_request: bool,
}

/// The Rust shape of a component schema.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelKind {
    /// An object with properties: a struct.
    Struct(Vec<Field>),
    /// A string enum: an open enum.
    Enum(Vec<Variant>),
    /// A `oneOf` of alternatives with different JSON types.
    OneOf(Vec<Alternative>),
    /// Anything else (array, map, scalar, free-form object): `pub type Name = T;`.
    Alias(Ty),
}

/// A struct field.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Rust name.
    pub ident: String,
    /// JSON name.
    pub wire: String,
    /// `description` of the property.
    pub doc: Option<String>,
    /// Type, without the `Option` wrapper.
    pub ty: Ty,
    /// Listed in `required`.
    pub required: bool,
    /// `Option<T>` in Rust (not required, or nullable).
    pub optional: bool,
    /// Held in a `Box` because the type contains itself.
    pub boxed: bool,
}

/// A value of an open enum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    /// Rust name.
    pub ident: String,
    /// The wire value.
    pub value: String,
}

/// An alternative of a `oneOf`.
#[derive(Debug, Clone, PartialEq)]
pub struct Alternative {
    /// Rust variant name (from `title`, else from the referenced schema name).
    pub ident: String,
    /// `description` of the alternative.
    pub doc: Option<String>,
    /// Type it holds.
    pub ty: Ty,
    /// The JSON type that selects it.
    pub json: JsonKind,
}

/// HTTP method of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`.
    Get,
    /// `PUT`.
    Put,
    /// `POST`.
    Post,
    /// `DELETE`.
    Delete,
    /// `OPTIONS`.
    Options,
    /// `HEAD`.
    Head,
    /// `PATCH`.
    Patch,
}

impl Method {
    /// The method from its lower-case OpenAPI key.
    pub fn from_key(key: &str) -> Option<Self> {
        Some(match key {
            "get" => Self::Get,
            "put" => Self::Put,
            "post" => Self::Post,
            "delete" => Self::Delete,
            "options" => Self::Options,
            "head" => Self::Head,
            "patch" => Self::Patch,
            _ => return None,
        })
    }

    /// Upper-case name (`GET`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Put => "PUT",
            Self::Post => "POST",
            Self::Delete => "DELETE",
            Self::Options => "OPTIONS",
            Self::Head => "HEAD",
            Self::Patch => "PATCH",
        }
    }

    /// Variant name of `splitkit_common::operation::Method`.
    pub fn variant(self) -> &'static str {
        match self {
            Self::Get => "Get",
            Self::Put => "Put",
            Self::Post => "Post",
            Self::Delete => "Delete",
            Self::Options => "Options",
            Self::Head => "Head",
            Self::Patch => "Patch",
        }
    }

    /// Whether HTTP defines the method as idempotent (all but POST and PATCH).
    pub fn is_idempotent(self) -> bool {
        !matches!(self, Self::Post | Self::Patch)
    }
}

/// An operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// `operationId`.
    pub id: String,
    /// Name of its `static Operation` (`LIST_PAYMENTS`).
    pub static_ident: String,
    /// Name of its async function (`list_payments`).
    pub fn_ident: String,
    /// Name of its request builder (`list_payments_request`).
    pub request_fn_ident: String,
    /// Name of its parameter struct (`ListPaymentsParams`), when it has query or header
    /// parameters.
    pub params_ident: Option<String>,
    /// Method.
    pub method: Method,
    /// Path template.
    pub path: String,
    /// `summary`.
    pub summary: String,
    /// `description`.
    pub description: Option<String>,
    /// Retry-safe.
    pub idempotent: bool,
    /// Honours an idempotency key.
    pub idempotency_key: bool,
    /// Pagination.
    pub pagination: Pagination,
    /// Path parameters, in the order they appear in the path.
    pub path_params: Vec<PathParam>,
    /// Query and header parameters, in document order.
    pub params: Vec<Param>,
    /// Request body.
    pub body: Option<Body>,
    /// What a success returns.
    pub response: Response,
}

/// Pagination of an operation, as in `splitkit_common::operation::Pagination`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pagination {
    /// Not paginated.
    None,
    /// A whole list in one answer, decoded like a page.
    Unpaged {
        /// Items field.
        items: String,
    },
    /// `Link` header.
    Link {
        /// Items field.
        items: String,
    },
    /// Cursor in the body.
    Cursor {
        /// Items field.
        items: String,
        /// Next-cursor field.
        cursor_field: String,
        /// Cursor query parameter.
        cursor_param: String,
        /// Has-more field.
        has_more_field: Option<String>,
    },
    /// Page numbers.
    PageNumber {
        /// Items field.
        items: String,
        /// Page query parameter.
        page_param: String,
    },
}

/// A path parameter: a function argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathParam {
    /// Name in the path template.
    pub wire: String,
    /// Rust argument name.
    pub ident: String,
    /// `description`.
    pub doc: Option<String>,
    /// Argument type.
    pub ty: PathParamTy,
}

/// Type of a path parameter argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathParamTy {
    /// `&str`.
    Str,
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// `&Enum`.
    Enum(String),
}

/// Where a query or header parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamLocation {
    /// Query string; `explode` says how an array is written.
    Query {
        /// `a=1&a=2` (true) or `a=1,2` (false).
        explode: bool,
    },
    /// Header.
    Header,
}

/// A query or header parameter: a field of the operation's parameter struct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// Wire name.
    pub wire: String,
    /// Rust field name.
    pub ident: String,
    /// `description`.
    pub doc: Option<String>,
    /// Where it goes.
    pub location: ParamLocation,
    /// Type, without the `Option` wrapper (a scalar, an enum, or a list of those).
    pub ty: Ty,
    /// `required: true` (a plain field rather than an `Option`).
    pub required: bool,
}

/// How a request body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyEncoding {
    /// `application/json`.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
}

/// A request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    /// The model it is.
    pub ty: Ty,
    /// Encoding.
    pub encoding: BodyEncoding,
}

/// What a successful call returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    /// Nothing (`204` or no content).
    Unit,
    /// The decoded body.
    Value(Ty),
    /// One page of items of this type.
    Page(Ty),
}
