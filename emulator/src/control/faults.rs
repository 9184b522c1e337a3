//! Faults for the next requests to an operation.

use serde_json::json;

use super::{ControlError, Data, Http};
use crate::faults::{Fault, InjectedFault};
use crate::webhooks::Provider;

/// What a fault applies to: any operation of a provider, or one operation.
///
/// `Provider::Zepto`, `(Provider::Zepto, "createPayment")` and an
/// [`Operation`](crate::Operation) all convert into one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultTarget {
    provider: Provider,
    operation: Option<String>,
}

impl From<Provider> for FaultTarget {
    fn from(provider: Provider) -> Self {
        Self {
            provider,
            operation: None,
        }
    }
}

impl From<(Provider, &str)> for FaultTarget {
    fn from((provider, operation): (Provider, &str)) -> Self {
        Self {
            provider,
            operation: Some(operation.to_string()),
        }
    }
}

impl From<&crate::Operation> for FaultTarget {
    fn from(operation: &crate::Operation) -> Self {
        (operation.provider, operation.id).into()
    }
}

/// Faults for the next requests.
#[derive(Debug, Clone, Copy)]
pub struct Faults<'a> {
    pub(super) http: &'a Http,
}

impl Faults<'_> {
    /// The next `count` requests to `target` meet `fault` (faults apply in the order they were
    /// added). An unknown operation id is refused.
    pub async fn next(
        &self,
        target: impl Into<FaultTarget>,
        count: u32,
        fault: Fault,
    ) -> Result<InjectedFault, ControlError> {
        let target = target.into();
        let mut body = serde_json::to_value(&fault).map_err(ControlError::Decode)?;
        if let Some(obj) = body.as_object_mut() {
            obj.insert("provider".into(), json!(target.provider));
            obj.insert("operation".into(), json!(target.operation));
            obj.insert("count".into(), json!(count));
        }
        self.http.post("/faults", body).await
    }

    /// The faults still waiting for requests.
    pub async fn list(&self) -> Result<Vec<InjectedFault>, ControlError> {
        Ok(self.http.get::<Data<InjectedFault>>("/faults").await?.data)
    }

    /// Forgets every waiting fault.
    pub async fn clear(&self) -> Result<(), ControlError> {
        self.http.delete("/faults").await
    }
}
