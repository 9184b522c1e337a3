//! [`List`]: one builder for every paginated Zepto collection.
//!
//! Zepto paginates every collection with a `Link` header (`rel="next"`, `rel="last"`) and the
//! `Per-Page` and `Total` headers; `?page=` and `?per_page=` (at most 100) choose a page. A
//! `List` carries the collection's filters; [`List::send`] fetches one [`Page`] and
//! [`List::stream`] yields every item of every page, fetching the next page only when the items
//! before it have been read (and stopping with [`Error::PaginationLoop`] if the server points
//! back at a page it already returned).
//!
//! One item that cannot be decoded never costs the others: [`List::send`] returns it in
//! [`Page::rejected`] (index, JSON path, message and raw JSON) beside the items that decoded,
//! and [`List::stream`] yields it as `Err(`[`Error::Item`]`)` in its place and goes on. Any other
//! error is the last thing a stream yields.
//!
//! ```no_run
//! # async fn run(client: zepto_client::Client) -> Result<(), zepto_client::Error> {
//! use futures_util::StreamExt;
//! use zepto_client::Error;
//!
//! let mut payments = std::pin::pin!(client.payments().list().stream());
//! while let Some(next) = payments.next().await {
//!     match next {
//!         Ok(payment) => { /* handle it */ }
//!         Err(Error::Item(bad)) => {
//!             // Keep `bad.raw_json()` for later; the stream carries on.
//!             eprintln!("skipped: {bad}");
//!         }
//!         Err(other) => return Err(other),
//!     }
//! }
//! # Ok(()) }
//! ```

use std::fmt;
use std::marker::PhantomData;

use futures_util::Stream;
use futures_util::future::Either;
use serde::de::DeserializeOwned;
use splitkit_common::{Error, Page, Request};

use crate::client::Client;
use crate::rules;

/// Query parameters that carry `page` and `per_page`.
pub trait Paging {
    /// Sets `page` and `per_page` (already checked).
    fn set_paging(&mut self, page: Option<i32>, per_page: Option<i32>);
}

macro_rules! paging {
    ($($params:ty),* $(,)?) => {$(
        impl Paging for $params {
            fn set_paging(&mut self, page: Option<i32>, per_page: Option<i32>) {
                if page.is_some() {
                    self.page = page;
                }
                if per_page.is_some() {
                    self.per_page = per_page;
                }
            }
        }
    )*};
}

use crate::generated::operations as ops;
paging!(
    ops::ListOutgoingAgreementsParams,
    ops::ListBankAccountsParams,
    ops::ListBankConnectionsParams,
    ops::ListContactsParams,
    ops::ListOpenAgreementsParams,
    ops::ListPaymentRequestCollectionsParams,
    ops::ListPaymentRequestReceivablesParams,
    ops::ListPaymentsParams,
    ops::ListOutgoingRefundsParams,
    ops::ListTransactionsParams,
    ops::ListTransfersParams,
    ops::ListUnassignedAgreementsParams,
    ops::ListWebhooksParams,
);

type BuildFn<P> = fn(&P) -> Result<Request, Error>;
type CheckFn<P> = fn(&P) -> Result<(), Error>;

/// A request for a paginated collection of `T`, with its filters `P`.
///
/// Returned by the `list` methods of the resource handles (`client.transactions().list()`).
/// Set filters with its methods, then [`List::send`] for one page or [`List::stream`] for
/// every item.
#[must_use = "a List does nothing until it is sent or streamed"]
pub struct List<P, T> {
    pub(crate) client: Client,
    pub(crate) params: P,
    page: Option<u32>,
    per_page: Option<u32>,
    build: BuildFn<P>,
    check: CheckFn<P>,
    item: PhantomData<fn() -> T>,
}

impl<P: fmt::Debug, T> fmt::Debug for List<P, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("List")
            .field("params", &self.params)
            .field("page", &self.page)
            .field("per_page", &self.per_page)
            .finish_non_exhaustive()
    }
}

impl<P: Clone, T> Clone for List<P, T> {
    fn clone(&self) -> Self {
        Self {
            client: self.client.clone(),
            params: self.params.clone(),
            page: self.page,
            per_page: self.per_page,
            build: self.build,
            check: self.check,
            item: PhantomData,
        }
    }
}

fn no_check<P>(_: &P) -> Result<(), Error> {
    Ok(())
}

impl<P: Paging + Clone, T: DeserializeOwned + Send + 'static> List<P, T> {
    pub(crate) fn new(client: Client, params: P, build: BuildFn<P>) -> Self {
        Self {
            client,
            params,
            page: None,
            per_page: None,
            build,
            check: no_check::<P>,
            item: PhantomData,
        }
    }

    pub(crate) fn with_check(mut self, check: CheckFn<P>) -> Self {
        self.check = check;
        self
    }

    /// Asks for page `page` (the first page is 1).
    pub fn page(mut self, page: u32) -> Self {
        self.page = Some(page);
        self
    }

    /// Asks for `per_page` items per page (1 to 100; Zepto's default is 25).
    pub fn per_page(mut self, per_page: u32) -> Self {
        self.per_page = Some(per_page);
        self
    }

    /// The filters set so far.
    pub fn params(&self) -> &P {
        &self.params
    }

    /// Checks the filters and builds the request of the first page asked for, without sending it.
    pub fn request(&self) -> Result<Request, Error> {
        if let Some(page) = self.page {
            rules::page(page)?;
        }
        if let Some(per_page) = self.per_page {
            rules::per_page(per_page)?;
        }
        (self.check)(&self.params)?;
        let mut params = self.params.clone();
        params.set_paging(
            self.page.and_then(|p| i32::try_from(p).ok()),
            self.per_page.and_then(|p| i32::try_from(p).ok()),
        );
        (self.build)(&params)
    }

    /// Fetches one page. [`Client::next_page`] fetches the one after it. Items that cannot be
    /// decoded are in [`Page::rejected`]; the others in [`Page::items`].
    pub async fn send(self) -> Result<Page<T>, Error> {
        let request = self.request()?;
        self.client.api().fetch_page(request).await
    }

    /// Every item of the collection, page after page, fetched lazily as the stream is read.
    /// A filter that breaks a rule ends the stream with that error before anything is sent.
    /// An item that cannot be decoded comes as `Err(`[`Error::Item`]`)` in its place and the
    /// stream goes on; any other error ends it.
    pub fn stream(self) -> impl Stream<Item = Result<T, Error>> + Send + 'static {
        match self.request() {
            Ok(request) => Either::Left(self.client.api().stream(request)),
            Err(error) => Either::Right(futures_util::stream::iter([Err(error)])),
        }
    }
}
