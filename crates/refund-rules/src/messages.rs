//! Parser messages in the document's own terms: serde_json says "invalid type: sequence,
//! expected struct Statuses at line 1 column 81"; a person needs "expected an object, found an
//! array". Only the text changes: the kind of problem and the place are decided elsewhere (from
//! the raw message and its position, before this runs).

/// The message a person reads for a serde_json error message.
pub(crate) fn humanize(raw: &str) -> String {
    let message = strip_position(raw);
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some((found, expected)) = message
            .strip_prefix(prefix)
            .and_then(|rest| rest.split_once(", expected "))
        {
            return format!(
                "expected {}, found {}",
                expected_text(expected),
                found_text(found)
            );
        }
    }
    if let Some(field) = message.strip_prefix("missing field ") {
        return format!("{field} is required");
    }
    if let Some(field) = message.strip_prefix("duplicate field ") {
        return format!("{field} is given twice");
    }
    if let Some(rest) = message.strip_prefix("unknown field ") {
        return match rest.split_once(", expected one of ") {
            Some((field, allowed)) => format!("unknown field {field}; this object takes {allowed}"),
            None => match rest.split_once(", expected ") {
                Some((field, allowed)) => {
                    format!("unknown field {field}; this object takes {allowed}")
                }
                None => match rest.split_once(", there are no fields") {
                    Some((field, _)) => format!("unknown field {field}; this object takes none"),
                    None => format!("unknown field {rest}"),
                },
            },
        };
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        return match rest.split_once(", expected one of ") {
            Some((value, allowed)) => format!("{value} is not one of {allowed}"),
            None => match rest.split_once(", expected ") {
                Some((value, allowed)) => format!("{value} is not {allowed}"),
                None => format!("{rest} is not a known value"),
            },
        };
    }
    if message.starts_with("EOF while parsing") {
        return "the JSON text ends before the document does".to_owned();
    }
    if message == "trailing characters" {
        return "text follows the JSON document".to_owned();
    }
    if message == "expected value" {
        return "not JSON: expected a value".to_owned();
    }
    message.to_owned()
}

/// The message without serde_json's " at line N column M" (the pointer says where).
fn strip_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(at) => {
            let tail = message.get(at..).unwrap_or_default();
            let numbers = tail
                .trim_start_matches(" at line ")
                .split(" column ")
                .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
            if numbers {
                message.get(..at).unwrap_or(message)
            } else {
                message
            }
        }
        None => message,
    }
}

/// What serde expected, in JSON words.
fn expected_text(expected: &str) -> String {
    if expected.starts_with("struct ") || expected == "a map" || expected == "map" {
        return "an object".to_owned();
    }
    match expected {
        "a sequence" | "sequence" => "an array".to_owned(),
        "a boolean" => "true or false".to_owned(),
        "u64" | "u32" | "u16" | "u8" | "usize" => "a whole number (0 or more)".to_owned(),
        "i64" | "i32" => "a whole number".to_owned(),
        "a string" => "a string".to_owned(),
        other => other.to_owned(),
    }
}

/// What serde found, in JSON words.
fn found_text(found: &str) -> String {
    match found {
        "sequence" => "an array".to_owned(),
        "map" => "an object".to_owned(),
        "null" | "unit value" => "null".to_owned(),
        other => {
            if let Some(s) = other.strip_prefix("string ") {
                return format!("the string {s}");
            }
            for prefix in ["integer ", "floating point "] {
                if let Some(n) = other.strip_prefix(prefix) {
                    return format!("the number {}", n.trim_matches('`'));
                }
            }
            if let Some(b) = other.strip_prefix("boolean ") {
                return b.trim_matches('`').to_owned();
            }
            other.to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::humanize;

    #[test]
    fn parser_words_become_document_words() {
        let cases = [
            (
                "invalid type: sequence, expected struct Statuses at line 1 column 81",
                "expected an object, found an array",
            ),
            (
                "invalid type: string \"5\", expected u64 at line 3 column 2",
                "expected a whole number (0 or more), found the string \"5\"",
            ),
            (
                "invalid type: floating point `1.5`, expected a string",
                "expected a string, found the number 1.5",
            ),
            ("missing field `currency`", "`currency` is required"),
            (
                "duplicate field `total` at line 1 column 9",
                "`total` is given twice",
            ),
            (
                "unknown field `totl`, expected `total` or `currency`",
                "unknown field `totl`; this object takes `total` or `currency`",
            ),
            (
                "unknown variant `refunded`, expected one of `a`, `b`",
                "`refunded` is not one of `a`, `b`",
            ),
            (
                "EOF while parsing an object at line 1 column 5",
                "the JSON text ends before the document does",
            ),
            // Not a position: kept.
            ("the field at line items", "the field at line items"),
        ];
        for (raw, expected) in cases {
            assert_eq!(humanize(raw), expected, "{raw}");
        }
    }
}
