//! Error reports for unsupported constructs and bad settings, and a few lowering rules.

use super::lower;
use crate::ir::{Api, ModelKind, Response, Ty};
use crate::source::Source;

/// A document with one `POST /payments` whose body and response are `Payment`, plus `extra`
/// appended under `components/schemas` (indented by 4).
fn document(operation: &str, extra_schemas: &str) -> String {
    format!(
        "openapi: 3.0.3
info: {{title: Test, version: '1'}}
paths:
  /payments:
    post:
{operation}
components:
  schemas:
    Payment:
      type: object
      required: [id]
      properties:
        id: {{type: string}}
{extra_schemas}"
    )
}

const CREATE_PAYMENT: &str = "      operationId: createPayment
      summary: Create.
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Payment'}
      responses:
        '201':
          description: Created.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Payment'}";

fn lower_texts(spec: &str, config: &str) -> Result<Api, String> {
    let source = Source::parse(
        "zepto-client/openapi.yaml".into(),
        spec,
        "zepto-client/codegen.toml".into(),
        config,
    )
    .map_err(|error| error.to_string())?;
    lower(&source).map_err(|error| error.to_string())
}

fn error_of(spec: &str, config: &str) -> String {
    match lower_texts(spec, config) {
        Ok(api) => panic!("expected an error, lowered {} models", api.models.len()),
        Err(error) => error,
    }
}

#[test]
fn lowers_the_minimal_document() {
    let api = lower_texts(&document(CREATE_PAYMENT, ""), "").expect("valid");
    assert_eq!(api.operations.len(), 1);
    assert_eq!(api.operations[0].fn_ident, "create_payment");
    assert_eq!(
        api.operations[0].response,
        Response::Value(Ty::Named("Payment".into()))
    );
    let payment = &api.models[0];
    assert!(payment.serialize && payment.deserialize);
}

#[test]
fn inline_request_object_is_refused_with_its_place() {
    let operation = "      operationId: createPayment
      summary: Create.
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                amount: {type: integer}
      responses:
        '204': {description: Done.}";
    assert_eq!(
        error_of(&document(operation, ""), ""),
        "zepto-client/openapi.yaml: #/paths/~1payments/post/requestBody/content/application~1json/schema: \
         inline object schema not supported; declare it under components/schemas and use a $ref"
    );
}

#[test]
fn unsupported_schema_constructs_are_refused() {
    let cases = [
        (
            "    Bad:\n      anyOf: [{type: string}, {type: integer}]\n",
            "#/components/schemas/Bad: anyOf not supported",
        ),
        (
            "    Bad:\n      type: object\n      properties:\n        status: {type: string, enum: [a, b]}\n",
            "#/components/schemas/Bad/properties/status: inline enum not supported",
        ),
        (
            "    Bad:\n      type: array\n      items: {type: number}\n",
            "#/components/schemas/Bad/items: decimal array items not supported",
        ),
        (
            "    Bad:\n      oneOf:\n        - {title: A, type: string}\n        - {title: B, type: string, format: date}\n",
            "#/components/schemas/Bad/oneOf/1: alternatives A and B are both a JSON string",
        ),
        (
            "    Bad:\n      oneOf:\n        - {type: string}\n        - {title: B, type: integer}\n",
            "#/components/schemas/Bad/oneOf/0: give the alternative a title",
        ),
        (
            "    bad_name:\n      type: string\n",
            "#/components/schemas/bad_name: schema names must be PascalCase",
        ),
        (
            "    Option:\n      type: string\n",
            "#/components/schemas/Option: schema name \"Option\" would shadow",
        ),
        (
            "    Bad:\n      $ref: '#/components/schemas/Missing'\n",
            "#/components/schemas/Bad: $ref \"#/components/schemas/Missing\": no such schema",
        ),
        (
            "    Bad:\n      type: object\n      required: [a]\n      properties:\n        b: {type: string}\n",
            "#/components/schemas/Bad/required/0: \"a\" is required but not among the properties",
        ),
        (
            "    Bad:\n      allOf:\n        - $ref: '#/components/schemas/Payment'\n        - $ref: '#/components/schemas/Payment'\n",
            "#/components/schemas/Bad/allOf: allOf is supported only with a single $ref",
        ),
    ];
    for (schemas, expected) in cases {
        let error = error_of(&document(CREATE_PAYMENT, schemas), "");
        assert!(
            error.starts_with(&format!("zepto-client/openapi.yaml: {expected}")),
            "{error}\nexpected to start with: {expected}"
        );
    }
}

#[test]
fn unsupported_operation_constructs_are_refused() {
    let cases = [
        (
            CREATE_PAYMENT.replace("      operationId: createPayment\n", ""),
            "#/paths/~1payments/post: operationId missing",
        ),
        (
            CREATE_PAYMENT.replace("'201'", "'400'"),
            "#/paths/~1payments/post/responses: no success response (200, 201, 202 or 204)",
        ),
        (
            CREATE_PAYMENT.replace(
                "application/json:\n            schema: {$ref",
                "text/csv:\n            schema: {$ref",
            ),
            "#/paths/~1payments/post/requestBody/content: request bodies must be application/json or application/x-www-form-urlencoded (found: text/csv)",
        ),
        (
            format!(
                "{CREATE_PAYMENT}\n      parameters:\n        - {{name: session, in: cookie, schema: {{type: string}}}}"
            ),
            "#/paths/~1payments/post/parameters/0: cookie parameters not supported",
        ),
        (
            format!(
                "{CREATE_PAYMENT}\n      parameters:\n        - {{name: id, in: path, required: true, schema: {{type: string}}}}"
            ),
            "#/paths/~1payments/post/parameters/0: path parameter \"id\" does not appear in the path",
        ),
        (
            format!(
                "{CREATE_PAYMENT}\n      parameters:\n        - {{name: ids, in: header, schema: {{type: array, items: {{type: string}}}}}}"
            ),
            "#/paths/~1payments/post/parameters/0/schema: header parameters must be scalars or string enums",
        ),
        (
            format!(
                "{CREATE_PAYMENT}\n      parameters:\n        - {{name: q, in: query, style: deepObject, schema: {{type: string}}}}"
            ),
            "#/paths/~1payments/post/parameters/0/style: only style: form query parameters are supported",
        ),
    ];
    for (operation, expected) in cases {
        let error = error_of(&document(&operation, ""), "");
        assert!(
            error.starts_with(&format!("zepto-client/openapi.yaml: {expected}")),
            "{error}\nexpected to start with: {expected}"
        );
    }
}

#[test]
fn form_bodies_refuse_decimals() {
    let operation = CREATE_PAYMENT.replace(
        "application/json:\n            schema: {$ref: '#/components/schemas/Payment'}\n      responses",
        "application/x-www-form-urlencoded:\n            schema: {$ref: '#/components/schemas/Form'}\n      responses",
    );
    let error = error_of(
        &document(
            &operation,
            "    Form:\n      type: object\n      properties:\n        price: {type: number}\n",
        ),
        "",
    );
    assert!(
        error.starts_with("zepto-client/openapi.yaml: #/components/schemas/Form/properties/price: number fields cannot be form-encoded"),
        "{error}"
    );
}

#[test]
fn config_names_must_exist() {
    let spec = document(CREATE_PAYMENT, "");
    assert_eq!(
        error_of(
            &spec,
            "[operations.createPaymnt]\nidempotency_key = true\nidempotent = true"
        ),
        "zepto-client/codegen.toml: operations.createPaymnt: no operation with this operationId in the document"
    );
    assert_eq!(
        error_of(&spec, "error_schema = \"Eror\""),
        "zepto-client/codegen.toml: error_schema: no schema named \"Eror\" in components/schemas"
    );
    assert_eq!(
        error_of(&spec, "secret_fields = [\"Payment.secret\"]"),
        "zepto-client/codegen.toml: secret_fields: \"Payment.secret\" does not name a property as \"Schema.field\""
    );
    assert_eq!(
        error_of(&spec, "[operations.createPayment]\nidempotency_key = true"),
        "zepto-client/codegen.toml: operations.createPayment.idempotency_key: idempotency_key = true needs a top-level idempotency_header"
    );
    assert_eq!(
        error_of(
            &spec,
            "[operations.createPayment]\npagination = { kind = \"link\", items = \"data\" }"
        ),
        "zepto-client/codegen.toml: operations.createPayment.pagination.items: the success response has no property \"data\""
    );
    assert_eq!(
        error_of(
            &spec,
            "[operations.createPayment]\npagination = { kind = \"cursor\", items = \"\", cursor_field = \"c\", cursor_param = \"c\" }"
        ),
        "zepto-client/codegen.toml: operations.createPayment.pagination.items: items = \"\" needs a success response that is an array"
    );
}

#[test]
fn secret_fields_become_secret_strings() {
    let api = lower_texts(
        &document(CREATE_PAYMENT, ""),
        "secret_fields = [\"Payment.id\"]",
    )
    .expect("valid");
    let ModelKind::Struct(fields) = &api.models[0].kind else {
        panic!("Payment is a struct");
    };
    assert_eq!(fields[0].ty, Ty::Secret);
}

#[test]
fn colliding_operation_names_are_resolved_or_reported() {
    let spec = "openapi: 3.0.3
info: {title: Test, version: '1'}
paths:
  /a:
    get:
      operationId: getPayment
      summary: A.
      responses: {'204': {description: Done.}}
    post:
      operationId: getPaymentRequest
      summary: B.
      responses: {'204': {description: Done.}}
  /b:
    get:
      operationId: get_payment
      summary: C.
      responses: {'204': {description: Done.}}
";
    assert_eq!(
        error_of(spec, ""),
        "zepto-client/openapi.yaml: #/paths/~1b/get/operationId: operationId \"get_payment\" gives the Rust name GET_PAYMENT, as does \"getPayment\""
    );
    let api = lower_texts(&spec.replace("/b:\n    get:\n      operationId: get_payment\n      summary: C.\n      responses: {'204': {description: Done.}}\n", ""), "")
        .expect("valid");
    let builders: Vec<&str> = api
        .operations
        .iter()
        .map(|operation| operation.request_fn_ident.as_str())
        .collect();
    assert_eq!(
        builders,
        ["build_get_payment_request", "get_payment_request_request"]
    );
}
