//! Rust names for OpenAPI names: `snake_case`, `PascalCase`, `SCREAMING_SNAKE_CASE`, keyword
//! escapes and deterministic collision resolution.
//!
//! Every function here is pure and total: any input string gives a valid Rust identifier.

use std::collections::BTreeSet;

/// Words of a name: split at every character that is not an ASCII letter or digit, at a
/// lower-case letter or digit followed by an upper-case letter (`paymentId` -> `payment`, `Id`),
/// and before the last capital of an acronym that starts a new word (`HTTPServer` -> `HTTP`,
/// `Server`). Digits stay with the word they follow or start (`v2`, `3ds`).
pub fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (index, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        if c.is_ascii_uppercase() && !current.is_empty() {
            let previous = chars[index - 1];
            let next_is_lower = chars
                .get(index + 1)
                .is_some_and(|next| next.is_ascii_lowercase());
            let starts_word = previous.is_ascii_lowercase()
                || previous.is_ascii_digit()
                || (previous.is_ascii_uppercase() && next_is_lower);
            if starts_word {
                words.push(std::mem::take(&mut current));
            }
        }
        current.push(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `PascalCase`: each word capitalised, the rest of it lower case (`ITEM_CLAIM` -> `ItemClaim`,
/// `split_session.completed` -> `SplitSessionCompleted`). Not escaped; see [`type_ident`].
pub fn pascal_case(name: &str) -> String {
    words(name)
        .iter()
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => {
                    first.to_ascii_uppercase().to_string() + &chars.as_str().to_ascii_lowercase()
                }
                None => String::new(),
            }
        })
        .collect()
}

/// `snake_case` (`listPayments` -> `list_payments`, `X-Merchant-ID` -> `x_merchant_id`).
/// Not escaped; see [`value_ident`].
pub fn snake_case(name: &str) -> String {
    words(name)
        .iter()
        .map(|word| word.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_")
}

/// `SCREAMING_SNAKE_CASE` (`listPayments` -> `LIST_PAYMENTS`). Not escaped; see
/// [`static_ident`].
pub fn screaming_snake_case(name: &str) -> String {
    snake_case(name).to_ascii_uppercase()
}

/// Whether `name` is a Rust keyword (strict, reserved or edition-2024 weak keyword that cannot be
/// used as a plain identifier).
pub fn is_keyword(name: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
        "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
        "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub",
        "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "try",
        "type", "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
    ];
    KEYWORDS.contains(&name)
}

/// A field, argument or function name: `snake_case`, a keyword gets a trailing underscore
/// (`type` -> `type_`), a name that starts with a digit gets a leading underscore (`3ds` ->
/// `_3ds`), and a name with no letters or digits becomes `value`.
pub fn value_ident(name: &str) -> String {
    escape(snake_case(name), "value", "_")
}

/// A type or variant name: `PascalCase`, `Self` becomes `Self_`, a name that starts with a digit
/// gets a `V` in front (`3ds` -> `V3ds`), and a name with no letters or digits becomes `Value`.
pub fn type_ident(name: &str) -> String {
    escape(pascal_case(name), "Value", "V")
}

/// A `static` name: `SCREAMING_SNAKE_CASE`, with a leading underscore before a digit and `VALUE`
/// for a name with no letters or digits.
pub fn static_ident(name: &str) -> String {
    escape(screaming_snake_case(name), "VALUE", "_")
}

fn escape(ident: String, empty: &str, digit_prefix: &str) -> String {
    if ident.is_empty() {
        return empty.to_owned();
    }
    if ident.starts_with(|c: char| c.is_ascii_digit()) {
        return format!("{digit_prefix}{ident}");
    }
    if is_keyword(&ident) {
        return format!("{ident}_");
    }
    ident
}

/// Whether `name` can be used unchanged as a Rust type name: ASCII, starts with a capital, only
/// letters and digits, and not a keyword.
pub fn is_pascal_case_ident(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
        && !is_keyword(name)
}

/// Hands out names in one namespace, resolving collisions deterministically: the first claim
/// of a name gets it unchanged, later claims get `2`, `3`, ... appended (after an underscore
/// when the name ends with a digit or is `snake_case`, so `amount` then `Amount` as fields give
/// `amount` and `amount_2`, and variants `Paid` then `PAID` give `Paid` and `Paid2`).
#[derive(Debug, Default)]
pub struct Namespace {
    taken: BTreeSet<String>,
}

impl Namespace {
    /// An empty namespace.
    pub fn new() -> Self {
        Self::default()
    }

    /// A namespace in which `reserved` names are already taken.
    pub fn with_reserved<'a>(reserved: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            taken: reserved.into_iter().map(str::to_owned).collect(),
        }
    }

    /// Claims `name`, or the first free numbered variant of it.
    pub fn claim(&mut self, name: String) -> String {
        if self.taken.insert(name.clone()) {
            return name;
        }
        let needs_underscore = name.contains('_')
            || name.starts_with(|c: char| c.is_ascii_lowercase())
            || name.ends_with(|c: char| c.is_ascii_digit());
        let separator = if needs_underscore { "_" } else { "" };
        let mut counter = 2u32;
        loop {
            let candidate = format!("{name}{separator}{counter}");
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
            counter += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_words() {
        assert_eq!(words("listPayments"), ["list", "Payments"]);
        assert_eq!(words("X-Merchant-ID"), ["X", "Merchant", "ID"]);
        assert_eq!(words("HTTPServer"), ["HTTP", "Server"]);
        assert_eq!(
            words("split_session.completed"),
            ["split", "session", "completed"]
        );
        assert_eq!(words("v2Payments"), ["v2", "Payments"]);
        assert_eq!(words("3ds"), ["3ds"]);
        assert!(words("--").is_empty());
    }

    #[test]
    fn pascal_case_names() {
        assert_eq!(pascal_case("new_payments_platform"), "NewPaymentsPlatform");
        assert_eq!(
            pascal_case("split_session.completed"),
            "SplitSessionCompleted"
        );
        assert_eq!(pascal_case("ITEM_CLAIM"), "ItemClaim");
        assert_eq!(pascal_case("group.created"), "GroupCreated");
        assert_eq!(pascal_case("usd"), "Usd");
        assert_eq!(pascal_case("listPayments"), "ListPayments");
    }

    #[test]
    fn snake_and_screaming_case_names() {
        assert_eq!(snake_case("listPayments"), "list_payments");
        assert_eq!(snake_case("sessionId"), "session_id");
        assert_eq!(snake_case("X-Merchant-ID"), "x_merchant_id");
        assert_eq!(snake_case("totalAmountQar"), "total_amount_qar");
        assert_eq!(snake_case("already_snake"), "already_snake");
        assert_eq!(screaming_snake_case("listPayments"), "LIST_PAYMENTS");
        assert_eq!(
            screaming_snake_case("createSplitSession"),
            "CREATE_SPLIT_SESSION"
        );
    }

    #[test]
    fn escapes_keywords_and_odd_names() {
        assert_eq!(value_ident("type"), "type_");
        assert_eq!(value_ident("self"), "self_");
        assert_eq!(value_ident("async"), "async_");
        assert_eq!(value_ident("gen"), "gen_");
        assert_eq!(value_ident("3ds"), "_3ds");
        assert_eq!(value_ident("$"), "value");
        assert_eq!(type_ident("self"), "Self_");
        assert_eq!(type_ident("10"), "V10");
        assert_eq!(type_ident(""), "Value");
        assert_eq!(static_ident("3ds"), "_3DS");
    }

    #[test]
    fn recognises_pascal_case_type_names() {
        assert!(is_pascal_case_ident("Payment"));
        assert!(is_pascal_case_ident("V2Payment"));
        assert!(!is_pascal_case_ident("payment"));
        assert!(!is_pascal_case_ident("Payment-Item"));
        assert!(!is_pascal_case_ident("Self"));
        assert!(!is_pascal_case_ident(""));
    }

    #[test]
    fn resolves_collisions_deterministically() {
        let mut fields = Namespace::new();
        assert_eq!(fields.claim("amount".into()), "amount");
        assert_eq!(fields.claim("amount".into()), "amount_2");
        assert_eq!(fields.claim("amount".into()), "amount_3");
        assert_eq!(fields.claim("line_1".into()), "line_1");
        assert_eq!(fields.claim("line_1".into()), "line_1_2");

        let mut variants = Namespace::with_reserved(["Unknown"]);
        assert_eq!(variants.claim(type_ident("paid")), "Paid");
        assert_eq!(variants.claim(type_ident("PAID")), "Paid2");
        assert_eq!(variants.claim(type_ident("unknown")), "Unknown2");
        assert_eq!(variants.claim(type_ident("v2")), "V2");
        assert_eq!(variants.claim(type_ident("V2")), "V2_2");
    }
}
