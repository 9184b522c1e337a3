//! Making text safe to print: URLs without their credentials, short excerpts of answer bodies
//! without their secrets.

use crate::secret::MASK;

/// The most characters of a body an error message quotes.
pub const SNIPPET_MAX_CHARS: usize = 160;

/// How much of a body is looked at to make an excerpt: a large HTML page costs no more than this.
const SNIPPET_SCAN_BYTES: usize = 4096;

/// Words that mark a name as holding a credential (`api_key`, `access_token`, `client_secret`,
/// `password`, `X-Signature`, ...), compared in lower case.
const SECRET_WORDS: &[&str] = &[
    "key",
    "token",
    "secret",
    "pass",
    "pwd",
    "signature",
    "auth",
    "credential",
    "bearer",
];

/// Whether a parameter, header or field called `name` looks like it holds a credential.
pub fn looks_secret(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SECRET_WORDS.iter().any(|word| lower.contains(word))
}

/// `url` with its credentials masked, safe to print: a user name and password become `***`, and
/// so does the value of every query parameter whose name looks like a credential (`api_key`,
/// `token`, ...). Works on text that is not a valid URL too.
///
/// ```
/// use splitkit_common::redact::mask_url;
///
/// assert_eq!(
///     mask_url("https://user:pa55@proxy.example/zepto?api_key=k1&page=2"),
///     "https://***@proxy.example/zepto?api_key=***&page=2",
/// );
/// assert_eq!(mask_url("https://api.example/v1"), "https://api.example/v1");
/// ```
pub fn mask_url(url: &str) -> String {
    let (before_fragment, fragment) = match url.find('#') {
        Some(at) => url.split_at(at),
        None => (url, ""),
    };
    let (base, query) = match before_fragment.find('?') {
        Some(at) => (&before_fragment[..at], Some(&before_fragment[at + 1..])),
        None => (before_fragment, None),
    };
    let mut out = String::with_capacity(url.len());
    let user_info = base.find("://").and_then(|scheme_end| {
        let authority_start = scheme_end + 3;
        let authority_end = base[authority_start..]
            .find('/')
            .map_or(base.len(), |at| authority_start + at);
        let at = base[authority_start..authority_end].rfind('@')?;
        Some((authority_start, authority_start + at))
    });
    match user_info {
        Some((start, end)) => {
            out.push_str(&base[..start]);
            out.push_str(MASK);
            out.push_str(&base[end..]);
        }
        None => out.push_str(base),
    }
    if let Some(query) = query {
        out.push('?');
        for (i, pair) in query.split('&').enumerate() {
            if i > 0 {
                out.push('&');
            }
            match pair.split_once('=') {
                Some((name, value)) if !value.is_empty() && looks_secret(name) => {
                    out.push_str(name);
                    out.push('=');
                    out.push_str(MASK);
                }
                _ => out.push_str(pair),
            }
        }
    }
    out.push_str(fragment);
    out
}

/// A short excerpt of an answer body for an error message, or `None` when the body holds no
/// text: at most [`SNIPPET_MAX_CHARS`] characters, HTML tags dropped, whitespace collapsed,
/// the string values of `secret_fields` (JSON) and every credential-looking `name=value`,
/// `"name": "value"` or `Bearer value` masked.
pub fn body_snippet(body: &[u8], secret_fields: &[&str]) -> Option<String> {
    let scanned = &body[..body.len().min(SNIPPET_SCAN_BYTES)];
    let text = String::from_utf8_lossy(scanned);
    let text = crate::decode::redact(&text, secret_fields);
    let text = if text.trim_start().starts_with('<') {
        strip_tags(&text)
    } else {
        text
    };
    let text = mask_assignments(&text);
    let mut snippet = String::new();
    let mut chars = 0;
    let mut truncated = body.len() > scanned.len();
    for word in text.split_whitespace() {
        let needed = word.chars().count() + usize::from(chars > 0);
        if chars + needed > SNIPPET_MAX_CHARS {
            truncated = true;
            break;
        }
        if chars > 0 {
            snippet.push(' ');
        }
        snippet.push_str(word);
        chars += needed;
    }
    if snippet.is_empty() {
        // One word longer than the limit: cut it.
        snippet = text
            .split_whitespace()
            .next()?
            .chars()
            .take(SNIPPET_MAX_CHARS)
            .collect();
        truncated = true;
    }
    if truncated {
        snippet.push('…');
    }
    Some(snippet)
}

/// The text of an HTML page: tags, comments, scripts and styles dropped.
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        out.push(' ');
        let tag = &rest[open..];
        let lower_start: String = tag.chars().take(8).collect::<String>().to_ascii_lowercase();
        let skip_to = if lower_start.starts_with("<script") {
            "</script>"
        } else if lower_start.starts_with("<style") {
            "</style>"
        } else if lower_start.starts_with("<!--") {
            "-->"
        } else {
            ">"
        };
        match find_ignore_case(tag, skip_to) {
            Some(end) => rest = &tag[end + skip_to.len()..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

fn find_ignore_case(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}

fn is_name_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-')
}

fn ends_value(byte: u8) -> bool {
    byte.is_ascii_whitespace() || matches!(byte, b'&' | b';' | b',' | b'"' | b'\'' | b'<' | b'>')
}

/// Masks the value after every credential-looking name: `api_key=v`, `token: v`,
/// `"secret": "v"`, `Bearer v`.
fn mask_assignments(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if !is_name_byte(bytes[i]) || (i > 0 && is_name_byte(bytes[i - 1])) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_name_byte(bytes[i]) {
            i += 1;
        }
        let name = &text[start..i];
        if !looks_secret(name) {
            continue;
        }
        // Past a closing quote and spaces, a `=` or `:` (or, after `Bearer`, one space).
        let mut j = i;
        if j < bytes.len() && matches!(bytes[j], b'"' | b'\'') {
            j += 1;
        }
        while j < bytes.len() && bytes[j] == b' ' {
            j += 1;
        }
        let separated = j < bytes.len() && matches!(bytes[j], b'=' | b':');
        if separated {
            j += 1;
            while j < bytes.len() && bytes[j] == b' ' {
                j += 1;
            }
        } else if !(name.eq_ignore_ascii_case("bearer") && j > i) {
            continue;
        }
        let quote = (j < bytes.len() && matches!(bytes[j], b'"' | b'\'')).then(|| bytes[j]);
        if quote.is_some() {
            j += 1;
        }
        let value_start = j;
        while j < bytes.len() && !ends_value(bytes[j]) {
            j += 1;
        }
        // `Authorization: Bearer <token>`: the scheme and the credential after it.
        let scheme = &text[value_start..j];
        if quote.is_none()
            && j + 1 < bytes.len()
            && bytes[j] == b' '
            && ["bearer", "basic", "token"]
                .iter()
                .any(|s| scheme.eq_ignore_ascii_case(s))
        {
            j += 1;
            while j < bytes.len() && !ends_value(bytes[j]) {
                j += 1;
            }
        }
        if let Some(quote) = quote {
            while j < bytes.len() && bytes[j] != quote {
                j += 1;
            }
        }
        if j > value_start {
            out.push_str(&text[copied..value_start]);
            out.push_str(MASK);
            copied = j;
        }
        i = j;
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_user_info_and_key_looking_parameters() {
        assert_eq!(
            mask_url("http://127.0.0.1:8080/api?token=abc&x=1#frag"),
            "http://127.0.0.1:8080/api?token=***&x=1#frag"
        );
        assert_eq!(
            mask_url("https://u:p@h/p/@not-userinfo?ApiKey=1&client_secret=s&code="),
            "https://***@h/p/@not-userinfo?ApiKey=***&client_secret=***&code="
        );
        assert_eq!(mask_url("not a url user:pw@x"), "not a url user:pw@x");
        assert_eq!(mask_url("ftp://user:pw@x"), "ftp://***@x");
    }

    #[test]
    fn html_bodies_become_short_text() {
        let page = b"<html><head><title>502 Bad Gateway</title><style>h1{x}</style></head>\n<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>";
        assert_eq!(
            body_snippet(page, &[]).as_deref(),
            Some("502 Bad Gateway 502 Bad Gateway nginx")
        );
        let long = format!("<p>{}</p>", "word ".repeat(100));
        let snippet = body_snippet(long.as_bytes(), &[]).unwrap();
        assert!(snippet.ends_with('…') && snippet.chars().count() <= SNIPPET_MAX_CHARS + 1);
        assert_eq!(body_snippet(b"  \n ", &[]), None);
        assert_eq!(body_snippet(b"<html></html>", &[]), None);
    }

    #[test]
    fn snippets_mask_credentials() {
        let text = br#"denied for api_key=k-123&page=2, Authorization: Bearer tok.en "access_token" : "s3cr3t", "session_url":"https://x/s/1""#;
        let snippet = body_snippet(text, &["session_url"]).unwrap();
        for secret in ["k-123", "tok.en", "s3cr3t", "https://x/s/1"] {
            assert!(!snippet.contains(secret), "{secret} in {snippet}");
        }
        assert!(snippet.contains("page=2"), "{snippet}");
        assert_eq!(
            body_snippet(b"monkey business", &[]).as_deref(),
            Some("monkey business")
        );
    }

    #[test]
    fn a_long_word_is_cut() {
        let snippet = body_snippet("x".repeat(500).as_bytes(), &[]).unwrap();
        assert_eq!(snippet.chars().count(), SNIPPET_MAX_CHARS + 1);
    }
}
