//! Money across providers: integer minor units with a currency, converted exactly to and from
//! the decimals FairShare speaks.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use splitkit_common::{Currency, MinorUnits};

use crate::error::Error;

/// Currencies whose minor unit is not a hundredth (ISO 4217): no minor unit at all.
const ZERO_DECIMALS: &[&str] = &[
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND",
    "VUV", "XAF", "XOF", "XPF",
];
/// A thousandth.
const THREE_DECIMALS: &[&str] = &["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];
/// A ten-thousandth.
const FOUR_DECIMALS: &[&str] = &["CLF", "UYW"];

/// How many decimal places the currency's minor unit has (ISO 4217): 0 for JPY, 3 for KWD,
/// 2 for USD, QAR and every code not listed as different.
pub fn exponent(currency: Currency) -> u32 {
    let code = currency.as_str();
    if ZERO_DECIMALS.contains(&code) {
        0
    } else if THREE_DECIMALS.contains(&code) {
        3
    } else if FOUR_DECIMALS.contains(&code) {
        4
    } else {
        2
    }
}

/// `amount` in major units, exactly: 12050 USD cents are `120.50`.
pub fn to_decimal(amount: MinorUnits, currency: Currency) -> Decimal {
    Decimal::new(amount.get(), exponent(currency))
}

/// `value` (major units) in minor units, exactly, or [`Error::Invalid`] naming `field` when it
/// has more decimal places than the currency's minor unit (`12.345` USD) or does not fit.
pub fn from_decimal(field: &str, value: Decimal, currency: Currency) -> Result<MinorUnits, Error> {
    let scale = Decimal::from(10_i64.pow(exponent(currency)));
    let scaled = value.checked_mul(scale).ok_or_else(|| {
        Error::invalid(field, format!("{value} {currency} is too large to convert"))
    })?;
    if scaled.fract() != Decimal::ZERO {
        return Err(Error::invalid(
            field,
            format!(
                "{value} {currency} is finer than the currency's minor unit ({} decimal places): it cannot be represented exactly",
                exponent(currency)
            ),
        ));
    }
    scaled
        .to_i64()
        .map(MinorUnits::new)
        .ok_or_else(|| Error::invalid(field, format!("{value} {currency} does not fit in i64")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn currency(code: &str) -> Currency {
        Currency::parse(code).unwrap()
    }

    #[test]
    fn exponents_follow_iso_4217() {
        assert_eq!(exponent(Currency::USD), 2);
        assert_eq!(exponent(currency("QAR")), 2);
        assert_eq!(exponent(currency("JPY")), 0);
        assert_eq!(exponent(currency("KWD")), 3);
        assert_eq!(exponent(currency("CLF")), 4);
    }

    #[test]
    fn conversions_are_exact_both_ways() {
        let qar = currency("QAR");
        assert_eq!(
            to_decimal(MinorUnits::new(12_050), qar).to_string(),
            "120.50"
        );
        assert_eq!(
            from_decimal("total", "120.50".parse().unwrap(), qar).unwrap(),
            MinorUnits::new(12_050)
        );
        assert_eq!(
            from_decimal("total", "120.5000".parse().unwrap(), qar).unwrap(),
            MinorUnits::new(12_050)
        );
        assert_eq!(
            to_decimal(MinorUnits::new(1_500), currency("JPY")).to_string(),
            "1500"
        );
        assert_eq!(
            from_decimal("total", "1.234".parse().unwrap(), currency("KWD")).unwrap(),
            MinorUnits::new(1_234)
        );
        for cents in [0, 1, 10, 99, 100, 12_345_678_901] {
            let back = from_decimal("x", to_decimal(MinorUnits::new(cents), qar), qar).unwrap();
            assert_eq!(back, MinorUnits::new(cents));
        }
    }

    #[test]
    fn finer_than_the_minor_unit_is_refused_not_rounded() {
        let err = from_decimal("collected", "40.005".parse().unwrap(), Currency::USD).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("collected") && text.contains("40.005"),
            "{text}"
        );
        assert!(from_decimal("x", "1.5".parse().unwrap(), currency("JPY")).is_err());
        assert!(from_decimal("x", Decimal::MAX, Currency::USD).is_err());
    }
}
