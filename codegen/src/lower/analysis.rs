//! Whole-API passes over the lowered models: which fields need a `Box`, and which models are
//! written, read, or both.

use std::collections::BTreeSet;

use crate::ir::{Model, ModelKind, Operation, Response, Ty};

/// Boxes every field whose type contains, by value, the struct that holds the field
/// (`parent: Option<Category>` inside `Category`), so that the type has a finite size.
/// Arrays and maps already hold their items on the heap.
pub(crate) fn box_self_containing_fields(models: &mut [Model]) {
    let mut to_box = Vec::new();
    for (model_index, model) in models.iter().enumerate() {
        let ModelKind::Struct(fields) = &model.kind else {
            continue;
        };
        for (field_index, field) in fields.iter().enumerate() {
            if let Ty::Named(target) = &field.ty
                && contains_by_value(models, target, &model.name)
            {
                to_box.push((model_index, field_index));
            }
        }
    }
    for (model_index, field_index) in to_box {
        if let Some(ModelKind::Struct(fields)) = models.get_mut(model_index).map(|m| &mut m.kind)
            && let Some(field) = fields.get_mut(field_index)
        {
            field.boxed = true;
        }
    }
}

/// Whether the model `from` holds the model `wanted` by value, directly or through other
/// models' by-value fields, alternatives and aliases.
fn contains_by_value(models: &[Model], from: &str, wanted: &str) -> bool {
    let mut seen = BTreeSet::new();
    let mut pending = vec![from.to_owned()];
    while let Some(name) = pending.pop() {
        if name == wanted {
            return true;
        }
        if !seen.insert(name.clone()) {
            continue;
        }
        let Some(model) = models.iter().find(|model| model.name == name) else {
            continue;
        };
        let mut push = |ty: &Ty| {
            if let Ty::Named(next) = ty {
                pending.push(next.clone());
            }
        };
        match &model.kind {
            ModelKind::Struct(fields) => fields.iter().for_each(|field| push(&field.ty)),
            ModelKind::OneOf(alternatives) => {
                alternatives
                    .iter()
                    .for_each(|alternative| push(&alternative.ty));
            }
            ModelKind::Alias(ty) => push(ty),
            ModelKind::Enum(_) => {}
        }
    }
    false
}

/// Sets [`Model::serialize`], [`Model::deserialize`] and [`Model::in_request`]: a model reached
/// from a request body is written (and built by callers), one reached from a success response
/// is read. A model no operation reaches (a
/// webhook payload, an error body kept for hand-written code) is both, and so is everything it
/// contains. Enums are always both (they also serve as parameters, through `Display`).
pub(crate) fn assign_directions(models: &mut [Model], operations: &[Operation]) {
    let mut written = BTreeSet::new();
    let mut read = BTreeSet::new();
    for operation in operations {
        if let Some(body) = &operation.body {
            reach(models, &body.ty, &mut written);
        }
        match &operation.response {
            Response::Unit => {}
            Response::Value(ty) | Response::Page(ty) => reach(models, ty, &mut read),
        }
    }
    let in_request = written.clone();
    let unreached: Vec<String> = models
        .iter()
        .filter(|model| !written.contains(&model.name) && !read.contains(&model.name))
        .map(|model| model.name.clone())
        .collect();
    for name in unreached {
        let root = Ty::Named(name);
        reach(models, &root, &mut written);
        reach(models, &root, &mut read);
    }
    for model in models {
        let is_enum = matches!(model.kind, ModelKind::Enum(_));
        model.serialize = is_enum || written.contains(&model.name);
        model.deserialize = is_enum || read.contains(&model.name);
        model.in_request = in_request.contains(&model.name);
    }
}

/// Adds every model `ty` reaches to `reached`.
fn reach(models: &[Model], ty: &Ty, reached: &mut BTreeSet<String>) {
    match ty {
        Ty::List(inner) | Ty::Map(inner) => reach(models, inner, reached),
        Ty::Named(name) => {
            if !reached.insert(name.clone()) {
                return;
            }
            let Some(model) = models.iter().find(|model| &model.name == name) else {
                return;
            };
            match &model.kind {
                ModelKind::Struct(fields) => {
                    for field in fields {
                        reach(models, &field.ty, reached);
                    }
                }
                ModelKind::OneOf(alternatives) => {
                    for alternative in alternatives {
                        reach(models, &alternative.ty, reached);
                    }
                }
                ModelKind::Alias(target) => reach(models, target, reached),
                ModelKind::Enum(_) => {}
            }
        }
        _ => {}
    }
}
