//! Pages of lists, how to find the next one, and a lazy stream of items across pages.

use std::collections::VecDeque;
use std::fmt;
use std::hash::{BuildHasher, RandomState};
use std::marker::PhantomData;

use futures_util::Stream;
use http::HeaderMap;
use serde::de::{self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;
use url::Url;

use crate::client::ApiClient;
use crate::decode::ItemError;
use crate::error::Error;
use crate::operation::Pagination;
use crate::request::Request;

/// One page of a list, and how to ask for the next.
///
/// An item that cannot be decoded does not cost the page: [`Page::items`] holds every item that
/// decoded, in order, and [`Page::rejected`] one [`ItemError`] per item that did not (its
/// position, the JSON path and message of the failure, and its raw JSON). The page is decoded
/// whole first and item by item only when that fails, so a clean page costs nothing extra. Each
/// rejected item is also logged (`tracing` warning with the operation, index and path; never
/// the item's content).
///
/// ```
/// # use splitkit_common::Page;
/// # fn handle(page: Page<u32>) {
/// for item in &page.items { /* ... */ }
/// for bad in page.rejected() {
///     eprintln!("item {} not read at `{}`: {}", bad.index(), bad.path(), bad.message());
///     let raw: &str = bad.raw_json().get(); // keep it, or read it by hand
/// }
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The items on this page that decoded, in their order.
    pub items: Vec<T>,
    /// The items on this page that could not be decoded, in their order (see [`ItemError`]).
    pub rejected: Vec<ItemError>,
    /// How many items the whole list has, when the provider says (`Total` header).
    pub total: Option<u64>,
    /// How many items a page holds, when the provider says (`Per-Page` header).
    pub per_page: Option<u64>,
    next: Option<Request>,
    next_token: Option<String>,
}

impl<T> Page<T> {
    /// A page built by hand (for tests and custom list calls).
    pub fn new(items: Vec<T>) -> Self {
        Self {
            items,
            rejected: Vec::new(),
            total: None,
            per_page: None,
            next: None,
            next_token: None,
        }
    }

    /// Whether the provider says there is a next page.
    pub fn has_next(&self) -> bool {
        self.next.is_some()
    }

    /// What points at the next page: the `next` URL, the cursor, or the page number.
    pub fn next_token(&self) -> Option<&str> {
        self.next_token.as_deref()
    }

    /// The request for the next page, when there is one.
    pub fn next_request(&self) -> Option<&Request> {
        self.next.as_ref()
    }

    /// The items that could not be decoded (empty when every item was read).
    pub fn rejected(&self) -> &[ItemError] {
        &self.rejected
    }

    /// Whether every item of the page was decoded ([`Page::rejected`] is empty).
    pub fn is_complete(&self) -> bool {
        self.rejected.is_empty()
    }

    /// Every item of the page in the provider's order: `Ok` for an item that decoded, `Err` for
    /// one that did not.
    pub fn into_results(self) -> Vec<Result<T, ItemError>> {
        let mut items = self.items.into_iter();
        let mut rejected = self.rejected.into_iter().peekable();
        let mut out = Vec::with_capacity(items.len() + rejected.len());
        loop {
            if rejected.peek().is_some_and(|bad| bad.index() <= out.len()) {
                out.extend(rejected.next().map(Err));
            } else if let Some(item) = items.next() {
                out.push(Ok(item));
            } else {
                // Rejected items past the end (only in a hand-built page).
                out.extend(rejected.map(Err));
                return out;
            }
        }
    }

    /// The items that decoded, dropping the paging information and the rejected items (check
    /// [`Page::is_complete`] first, or use [`Page::into_results`], to keep them).
    pub fn into_items(self) -> Vec<T> {
        self.items
    }
}

/// One link of an RFC 8288 `Link` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The target, resolved against the request URL.
    pub url: Url,
    /// The relation types (`next`, `last`, ...), lower case.
    pub rels: Vec<String>,
}

/// Parses every `Link` header in `headers`: several links per header, several rels per link
/// (`rel="next last"`), quoted parameters that contain `,` or `;`, and relative targets resolved
/// against `base`. Malformed links are skipped.
pub fn parse_link_headers(headers: &HeaderMap, base: &Url) -> Vec<Link> {
    headers
        .get_all(http::header::LINK)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| parse_link_value(v, base))
        .collect()
}

fn parse_link_value(value: &str, base: &Url) -> Vec<Link> {
    let mut links = Vec::new();
    let mut rest = value;
    loop {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_whitespace());
        let Some(after_open) = rest.strip_prefix('<') else {
            break;
        };
        let Some(close) = after_open.find('>') else {
            break;
        };
        let target = &after_open[..close];
        rest = &after_open[close + 1..];
        let mut rels = Vec::new();
        // Parameters run until a ',' outside quotes.
        loop {
            rest = rest.trim_start();
            let Some(after_semi) = rest.strip_prefix(';') else {
                break;
            };
            let (name, value, remaining) = parse_param(after_semi);
            rest = remaining;
            if name.eq_ignore_ascii_case("rel") {
                rels.extend(value.split_whitespace().map(str::to_ascii_lowercase));
            }
        }
        if let Ok(url) = base.join(target) {
            links.push(Link { url, rels });
        }
    }
    links
}

/// Parses `name="value"` or `name=value` after a `;`; returns the rest of the header.
fn parse_param(input: &str) -> (&str, String, &str) {
    let input = input.trim_start();
    let name_end = input.find(['=', ';', ',']).unwrap_or(input.len());
    let name = input[..name_end].trim();
    let rest = &input[name_end..];
    let Some(after_eq) = rest.strip_prefix('=') else {
        return (name, String::new(), rest);
    };
    let after_eq = after_eq.trim_start();
    if let Some(quoted) = after_eq.strip_prefix('"') {
        let mut value = String::new();
        let mut escaped = false;
        for (i, c) in quoted.char_indices() {
            match c {
                _ if escaped => {
                    value.push(c);
                    escaped = false;
                }
                '\\' => escaped = true,
                '"' => return (name, value, &quoted[i + 1..]),
                _ => value.push(c),
            }
        }
        (name, value, "")
    } else {
        let end = after_eq.find([';', ',']).unwrap_or(after_eq.len());
        (name, after_eq[..end].trim().to_owned(), &after_eq[end..])
    }
}

fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// What a list body holds besides its items.
pub(crate) struct ListBody<T> {
    pub(crate) items: Vec<T>,
    pub(crate) rejected: Vec<ItemError>,
    pub(crate) cursor: Option<String>,
    pub(crate) has_more: Option<bool>,
}

impl<T> ListBody<T> {
    /// How many items the body held, decoded or not.
    fn len(&self) -> usize {
        self.items.len() + self.rejected.len()
    }
}

/// Decodes a list answer: typed in one pass; when that fails, again with each item kept as raw
/// JSON, then item by item, so one bad item is isolated in `rejected` instead of failing the
/// whole list. Fails (with the path of the first error) only when the envelope itself is wrong.
pub(crate) fn decode_list<T: DeserializeOwned>(
    operation: &'static str,
    body: &[u8],
    secret_fields: &[&str],
    pagination: Pagination,
) -> Result<ListBody<T>, Error> {
    let typed = crate::decode::json_seed(
        operation,
        body,
        secret_fields,
        ListSeed::<T>::new(pagination),
    );
    let error = match typed {
        Ok(list) => return Ok(list),
        Err(error) => error,
    };
    let Ok(raw) = crate::decode::json_seed(
        operation,
        body,
        secret_fields,
        ListSeed::<Box<RawValue>>::new(pagination),
    ) else {
        return Err(error);
    };
    let (items, rejected) = crate::decode::items::<T>(raw.items);
    for bad in &rejected {
        tracing::warn!(
            operation,
            index = bad.index(),
            path = bad.path(),
            "an item of the list could not be decoded; the others were (see Page::rejected)"
        );
    }
    Ok(ListBody {
        items,
        rejected,
        cursor: raw.cursor,
        has_more: raw.has_more,
    })
}

/// Decodes a list body in one pass: the items field, the cursor fields, and nothing else.
pub(crate) struct ListSeed<T> {
    items: &'static str,
    cursor_field: Option<&'static str>,
    has_more_field: Option<&'static str>,
    marker: PhantomData<fn() -> T>,
}

// Not derived: a seed is copied whatever `T` is.
impl<T> Clone for ListSeed<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for ListSeed<T> {}

/// Which of a list body's fields a key names.
pub(crate) enum ListKey {
    Items,
    Cursor,
    HasMore,
    Other,
}

/// Reads a key of a list body and says which field it names, without copying it.
impl<'de, T> DeserializeSeed<'de> for &ListSeed<T> {
    type Value = ListKey;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<ListKey, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<T> Visitor<'_> for &ListSeed<T> {
    type Value = ListKey;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<ListKey, E> {
        Ok(if key == self.items {
            ListKey::Items
        } else if Some(key) == self.cursor_field {
            ListKey::Cursor
        } else if Some(key) == self.has_more_field {
            ListKey::HasMore
        } else {
            ListKey::Other
        })
    }
}

impl<T> ListSeed<T> {
    fn new(pagination: Pagination) -> Self {
        let (cursor_field, has_more_field) = match pagination {
            Pagination::Cursor {
                cursor_field,
                has_more_field,
                ..
            } => (Some(cursor_field), has_more_field),
            _ => (None, None),
        };
        Self {
            items: pagination.items_field().unwrap_or(""),
            cursor_field,
            has_more_field,
            marker: PhantomData,
        }
    }
}

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for ListSeed<T> {
    type Value = ListBody<T>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        if self.items.is_empty() {
            let items = <Vec<T> as de::Deserialize>::deserialize(deserializer)?;
            return Ok(ListBody {
                items,
                rejected: Vec::new(),
                cursor: None,
                has_more: None,
            });
        }
        deserializer.deserialize_map(self)
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for ListSeed<T> {
    type Value = ListBody<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an object with a `{}` list", self.items)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut items = None;
        let mut cursor = None;
        let mut has_more = None;
        while let Some(key) = map.next_key_seed(&self)? {
            match key {
                // `null` is an empty list; a missing field is an error (a renamed field must not
                // look like the end of a list).
                ListKey::Items => {
                    items = Some(map.next_value::<Option<Vec<T>>>()?.unwrap_or_default());
                }
                ListKey::Cursor => cursor = map.next_value::<Cursor>()?.0,
                ListKey::HasMore => has_more = map.next_value::<Option<bool>>()?,
                ListKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let items = items.ok_or_else(|| de::Error::missing_field(self.items))?;
        Ok(ListBody {
            items,
            rejected: Vec::new(),
            cursor,
            has_more,
        })
    }
}

/// A cursor that may arrive as a string, an integer, or `null`; kept as its exact text.
struct Cursor(Option<String>);

impl<'de> de::Deserialize<'de> for Cursor {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CursorVisitor;
        impl Visitor<'_> for CursorVisitor {
            type Value = Cursor;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a cursor (string, integer or null)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Cursor, E> {
                Ok(Cursor((!v.is_empty()).then(|| v.to_owned())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Cursor, E> {
                Ok(Cursor(Some(v.to_string())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Cursor, E> {
                Ok(Cursor(Some(v.to_string())))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Cursor, E> {
                Ok(Cursor(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Cursor, E> {
                Ok(Cursor(None))
            }
        }
        deserializer.deserialize_any(CursorVisitor)
    }
}

/// Assembles a page from a decoded list body and the answer's headers.
pub(crate) fn build_page<T>(
    request: &Request,
    request_url: &Url,
    base_url: &Url,
    headers: &HeaderMap,
    body: ListBody<T>,
) -> Result<Page<T>, Error> {
    let total = header_u64(headers, "total");
    let per_page = header_u64(headers, "per-page");
    let (next, next_token) = match request.operation.pagination {
        Pagination::None | Pagination::Unpaged { .. } => (None, None),
        Pagination::Link { .. } => {
            let next = parse_link_headers(headers, request_url)
                .into_iter()
                .find(|l| l.rels.iter().any(|r| r == "next"));
            match next {
                Some(link) => {
                    if link.url.origin() != base_url.origin() {
                        return Err(Error::Config(format!(
                            "{}: refusing to follow a `Link` to another origin ({}): credentials would go with it",
                            request.operation.id,
                            link.url.origin().ascii_serialization()
                        )));
                    }
                    let token = link.url.to_string();
                    (
                        Some(request.clone().with_absolute_url(link.url)),
                        Some(token),
                    )
                }
                None => (None, None),
            }
        }
        Pagination::Cursor { cursor_param, .. } => {
            let more = body.has_more.unwrap_or(true);
            match body.cursor.filter(|_| more) {
                Some(cursor) => (
                    Some(request.clone().set_query(cursor_param, &cursor)),
                    Some(cursor),
                ),
                None => (None, None),
            }
        }
        Pagination::PageNumber { page_param, .. } => {
            let current: u64 = request
                .query_value(page_param)
                .and_then(|v| v.parse().ok())
                .unwrap_or(1);
            let seen = current.saturating_mul(per_page.unwrap_or(body.len() as u64));
            let more = body.len() > 0 && total.is_none_or(|t| seen < t);
            if more {
                let next = current + 1;
                (
                    Some(request.clone().set_query(page_param, next)),
                    Some(next.to_string()),
                )
            } else {
                (None, None)
            }
        }
    };
    Ok(Page {
        items: body.items,
        rejected: body.rejected,
        total,
        per_page,
        next,
        next_token,
    })
}

struct StreamState<T> {
    client: ApiClient,
    next: Option<Request>,
    buffered: VecDeque<Result<T, ItemError>>,
    guard: LoopGuard,
    pending_error: Option<Error>,
}

/// Pages remembered exactly by a stream's loop guard.
const RECENT_PAGES: usize = 1024;

/// Tells whether a stream is asked for a page it already fetched, in constant memory however
/// long the list: a keyed 64-bit fingerprint of each of the last [`RECENT_PAGES`] page
/// requests, so a loop among them is caught before any page is fetched twice; and, for longer
/// loops, Brent's cycle detection (one fingerprint kept at each power-of-two step), which
/// catches a loop of any length within about three times its length.
struct LoopGuard {
    keys: RandomState,
    recent: VecDeque<u64>,
    checkpoint: Option<u64>,
    since_checkpoint: u64,
    power: u64,
}

impl LoopGuard {
    fn new() -> Self {
        Self {
            keys: RandomState::new(),
            recent: VecDeque::new(),
            checkpoint: None,
            since_checkpoint: 0,
            power: 1,
        }
    }

    /// Records a page's URL; `true` when this stream already fetched that page.
    fn repeats(&mut self, url: &Url) -> bool {
        // Keyed with this stream's own keys, so a server cannot aim at a collision.
        let fingerprint = self.keys.hash_one(url.as_str());
        if self.checkpoint == Some(fingerprint) || self.recent.contains(&fingerprint) {
            return true;
        }
        if self.recent.len() == RECENT_PAGES {
            self.recent.pop_front();
        }
        self.recent.push_back(fingerprint);
        self.since_checkpoint += 1;
        if self.since_checkpoint == self.power {
            self.checkpoint = Some(fingerprint);
            self.since_checkpoint = 0;
            self.power = self.power.saturating_mul(2);
        }
        false
    }
}

/// A lazy stream of every item of a list: fetches a page only when the items before it have been
/// taken, and stops with [`Error::PaginationLoop`] if the server points back at a page it already
/// returned (see [`LoopGuard`]: memory stays flat however long the list). An item that could not
/// be decoded comes as [`Error::Item`] in its place, and the stream goes on; any other error is
/// the stream's last item.
pub(crate) fn stream<T: DeserializeOwned + Send + 'static>(
    client: ApiClient,
    first: Request,
) -> impl Stream<Item = Result<T, Error>> + Send + 'static + use<T> {
    let state = StreamState {
        client,
        next: Some(first),
        buffered: VecDeque::new(),
        guard: LoopGuard::new(),
        pending_error: None,
    };
    futures_util::stream::unfold(state, |mut state| async move {
        loop {
            if let Some(item) = state.buffered.pop_front() {
                return Some((item.map_err(|bad| Error::Item(Box::new(bad))), state));
            }
            if let Some(error) = state.pending_error.take() {
                state.next = None;
                return Some((Err(error), state));
            }
            let request = state.next.take()?;
            let url = match state.client.request_url(&request) {
                Ok(url) => url,
                Err(e) => return Some((Err(e), state)),
            };
            if state.guard.repeats(&url) {
                let repeated = state_token(&request);
                return Some((Err(Error::PaginationLoop { repeated }), state));
            }
            match state.client.fetch_page_at::<T>(request, url).await {
                Ok(mut page) => {
                    state.next = page.next.take();
                    if page.rejected.is_empty() {
                        state.buffered.extend(page.items.into_iter().map(Ok));
                    } else {
                        state.buffered.extend(page.into_results());
                    }
                }
                Err(e) => return Some((Err(e), state)),
            }
        }
    })
}

/// Query parameters that name a page and are safe to show in an error.
const PAGING_PARAMS: &[&str] = &[
    "page", "per_page", "cursor", "limit", "offset", "after", "before",
];

fn state_token(request: &Request) -> String {
    match request.operation.pagination {
        Pagination::Cursor { cursor_param, .. } => request
            .query_value(cursor_param)
            .map(|c| format!("cursor {c}"))
            .unwrap_or_default(),
        Pagination::PageNumber { page_param, .. } => request
            .query_value(page_param)
            .map(|p| format!("number {p}"))
            .unwrap_or_default(),
        _ => request
            .absolute_url
            .as_ref()
            .map(|u| {
                // The query is left out (it may carry credentials) except the paging parameters.
                let paging: Vec<String> = u
                    .query_pairs()
                    .filter(|(k, _)| PAGING_PARAMS.contains(&k.as_ref()))
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                let shown = crate::transport::display_url(u);
                if paging.is_empty() {
                    format!("URL {shown}")
                } else {
                    format!("URL {shown}?{}", paging.join("&"))
                }
            })
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operation::{Method, Operation};

    static LIST: Operation = Operation {
        id: "listThings",
        method: Method::Get,
        path: "/things",
        idempotent: true,
        idempotency_key: false,
        pagination: Pagination::PageNumber {
            items: "data",
            page_param: "page",
        },
    };

    fn page(n: u64) -> Url {
        let base = Url::parse("https://api.example.test/v1/").unwrap();
        Request::new(&LIST).query("page", n).url(&base).unwrap()
    }

    #[test]
    fn the_loop_guard_catches_a_short_loop_before_refetching() {
        let mut guard = LoopGuard::new();
        assert!(!guard.repeats(&page(1)));
        assert!(!guard.repeats(&page(2)));
        assert!(guard.repeats(&page(1)));
        // A `Link` to a page first asked for by its query is the same page.
        let link = Url::parse("https://api.example.test/v1/things?page=2").unwrap();
        assert!(guard.repeats(&link));
    }

    #[test]
    fn the_loop_guard_stays_small_and_quiet_on_a_long_list() {
        let mut guard = LoopGuard::new();
        for n in 0..20_000 {
            assert!(!guard.repeats(&page(n)), "page {n} taken for a repeat");
        }
        assert_eq!(guard.recent.len(), RECENT_PAGES);
    }

    #[test]
    fn the_loop_guard_catches_a_loop_longer_than_it_remembers() {
        for (lead, length) in [(0, 3_000_u64), (2_000, 1_500), (10, 20_000)] {
            let mut guard = LoopGuard::new();
            let pages = (0..lead).chain((0..).map(|i| lead + i % length));
            let caught = pages
                .take(10 * (lead + length) as usize)
                .position(|n| guard.repeats(&page(n)))
                .map(|at| at as u64);
            let caught = caught.unwrap_or_else(|| panic!("loop of {length} after {lead} missed"));
            assert!(
                caught >= lead + length,
                "a page was taken for a repeat too early"
            );
            assert!(
                caught <= 3 * (lead + length),
                "caught at {caught}: too late"
            );
        }
    }

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(http::header::LINK, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn parses_several_links_rels_and_quoted_params() {
        let base = Url::parse("https://api.example.test/payments?page=1").unwrap();
        let h = headers(&[
            r#"<https://api.example.test/payments?page=5>; rel="last", </payments?page=2>; title="a, b; c"; rel="next""#,
            r#"<?page=1>; rel="first prev"; title*=UTF-8'de'x"#,
        ]);
        let links = parse_link_headers(&h, &base);
        assert_eq!(links.len(), 3);
        assert_eq!(
            links[0].url.as_str(),
            "https://api.example.test/payments?page=5"
        );
        assert_eq!(links[0].rels, ["last"]);
        assert_eq!(
            links[1].url.as_str(),
            "https://api.example.test/payments?page=2"
        );
        assert_eq!(links[1].rels, ["next"]);
        assert_eq!(
            links[2].url.as_str(),
            "https://api.example.test/payments?page=1"
        );
        assert_eq!(links[2].rels, ["first", "prev"]);
    }

    #[test]
    fn skips_malformed_links() {
        let base = Url::parse("https://api.example.test/").unwrap();
        assert!(parse_link_headers(&headers(&["garbage"]), &base).is_empty());
        assert!(parse_link_headers(&headers(&["<unterminated; rel=next"]), &base).is_empty());
        let links = parse_link_headers(&headers(&["<a>; rel=NEXT"]), &base);
        assert_eq!(links[0].rels, ["next"]);
    }
}
