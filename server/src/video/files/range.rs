//! Which bytes a `Range` request header asks for (RFC 9110 §14.1.2), for the stores the
//! gateway streams itself. One range at a time: a list of ranges, or a header we cannot read,
//! gets the whole file (which the RFC allows).

/// What to send of a file of `size` bytes.
#[derive(Debug, PartialEq, Eq)]
pub enum Wanted {
    Whole,
    /// Bytes `first..=last` (206).
    Part { first: u64, last: u64 },
    /// Nothing of it can be sent (416).
    Unsatisfiable,
}

pub fn wanted(header: Option<&str>, size: u64) -> Wanted {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else { return Wanted::Whole };
    if spec.contains(',') {
        return Wanted::Whole;
    }
    let Some((from, to)) = spec.trim().split_once('-') else { return Wanted::Whole };
    let (from, to) = (from.trim(), to.trim());
    let number = |s: &str| if s.bytes().all(|b| b.is_ascii_digit()) { s.parse::<u64>().ok() } else { None };
    match (from.is_empty(), to.is_empty()) {
        // the last `n` bytes
        (true, false) => match number(to) {
            Some(0) => Wanted::Unsatisfiable,
            Some(_) if size == 0 => Wanted::Unsatisfiable,
            Some(n) => Wanted::Part { first: size.saturating_sub(n), last: size - 1 },
            None => Wanted::Whole,
        },
        (false, _) => {
            let Some(first) = number(from) else { return Wanted::Whole };
            let last = if to.is_empty() { Some(u64::MAX) } else { number(to) };
            match last {
                Some(last) if last < first => Wanted::Whole,
                Some(_) if first >= size => Wanted::Unsatisfiable,
                Some(last) => Wanted::Part { first, last: last.min(size - 1) },
                None => Wanted::Whole,
            }
        }
        (true, true) => Wanted::Whole,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_of_a_thousand_bytes() {
        let w = |h: &str| wanted(Some(h), 1000);
        assert_eq!(wanted(None, 1000), Wanted::Whole);
        assert_eq!(w("bytes=100-199"), Wanted::Part { first: 100, last: 199 });
        assert_eq!(w("bytes=990-"), Wanted::Part { first: 990, last: 999 });
        assert_eq!(w("bytes=990-5000"), Wanted::Part { first: 990, last: 999 });
        assert_eq!(w("bytes=-10"), Wanted::Part { first: 990, last: 999 });
        assert_eq!(w("bytes=-5000"), Wanted::Part { first: 0, last: 999 });
        assert_eq!(w("bytes=1000-"), Wanted::Unsatisfiable);
        assert_eq!(w("bytes=-0"), Wanted::Unsatisfiable);
        // unreadable or several ranges: the whole file
        for h in ["bytes=5-1", "bytes=0-1,5-9", "items=0-1", "bytes=a-b", "bytes=-", "bytes=+1-2", "bytes=1"] {
            assert_eq!(w(h), Wanted::Whole, "{h}");
        }
        assert_eq!(wanted(Some("bytes=0-"), 0), Wanted::Unsatisfiable);
    }
}
