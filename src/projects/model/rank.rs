//! Ranks: the order of a sprint's or the backlog's tasks, as strings that sort as the list does
//! (fractional indexing). Placing a task between two others gives it a rank between theirs, so
//! reordering is one write to the moved task and never a rewrite of the list.
//!
//! Ranks use the 62 digits `0-9A-Za-z` (in ASCII order) and never end with `0`, so that there is
//! always room between two different ranks. A new rank gets a random digit after the midpoint:
//! two people who drop a task into the same gap at the same moment get different ranks (and
//! where they would not, the task number breaks the tie: the order stays total).

const DIGITS: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const BASE: u8 = 62;

fn digit(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'A'..=b'Z' => c - b'A' + 10,
        b'a'..=b'z' => c - b'a' + 36,
        // Not a rank digit: read as the lowest (ranks are only made here).
        _ => 0,
    }
}

/// Whether `s` can bound a new rank: digits only, not ending in `0` (any length).
fn well_formed(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_alphanumeric()) && !s.ends_with('0')
}

/// Whether `s` is a rank this module could have made.
pub fn is_rank(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 400
        && s.bytes().all(|c| c.is_ascii_alphanumeric())
        && !s.ends_with('0')
}

/// A rank strictly between `lo` (None: the start of the list) and `hi` (None: its end).
/// `jitter` picks the extra digit that keeps concurrent placements apart (any value).
///
/// Total: a neighbour that is not a well-formed rank (a junk character, a trailing `0`, empty)
/// counts as absent, so a corrupted item gives an append (or prepend) rank instead of a loop;
/// the answer is at most two digits longer than the longer neighbour.
pub fn between(lo: Option<&str>, hi: Option<&str>, jitter: u8) -> String {
    let lo: Vec<u8> = lo
        .filter(|l| well_formed(l))
        .unwrap_or("")
        .bytes()
        .map(digit)
        .collect();
    let hi: Option<Vec<u8>> = hi
        .filter(|h| well_formed(h))
        .map(|h| h.bytes().map(digit).collect());
    // If `hi` is not above `lo` (a tie, or a stale neighbour), only `lo` binds.
    let hi = hi.filter(|h| lo.is_empty() || *h > lo);
    let mut out = Vec::new();
    let mut bounded = hi.is_some();
    let mut i = 0;
    loop {
        let a = lo.get(i).copied().unwrap_or(0);
        let b = match (&hi, bounded) {
            (Some(h), true) => h.get(i).copied().unwrap_or(0),
            _ => BASE,
        };
        if a == b {
            out.push(a);
        } else if b - a > 1 {
            out.push((a + b) / 2);
            break;
        } else {
            // b == a + 1: take a here; everything after is below `hi` already.
            out.push(a);
            bounded = false;
        }
        i += 1;
    }
    // The jitter digit (1..=61) goes after: still between, never ending in 0.
    out.push(1 + jitter % (BASE - 1));
    out.into_iter()
        .map(|d| DIGITS[d as usize] as char)
        .collect()
}

/// `count` ranks in order after `lo`, for tasks appended together (a spillover, a bulk load):
/// evenly spread under one new prefix, so that their length grows with the logarithm of
/// `count`, not with `count`.
pub fn after_each(lo: Option<&str>, count: usize) -> Vec<String> {
    let prefix = between(lo, None, 30);
    let mut width = 1;
    while (BASE as usize).pow(width) < 2 * count + 2 && width < 8 {
        width += 1;
    }
    let space = (BASE as usize).pow(width);
    let step = (space / (count + 1)).max(1);
    (1..=count)
        .map(|i| {
            let mut v = (i * step).min(space - 1);
            let mut digits = vec![0u8; width as usize];
            for d in digits.iter_mut().rev() {
                *d = (v % BASE as usize) as u8;
                v /= BASE as usize;
            }
            let mut r = prefix.clone();
            r.extend(digits.into_iter().map(|d| DIGITS[d as usize] as char));
            r.push('V');
            r
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn between_sorts_between() {
        let cases: &[(Option<&str>, Option<&str>)] = &[
            (None, None),
            (None, Some("1")),
            (Some("1"), Some("2")),
            (Some("1"), Some("11")),
            (Some("z"), None),
            (Some("zzz"), None),
            (Some("a"), Some("a1")),
            (Some("Uz"), Some("V")),
            (None, Some("01")),
        ];
        for &(lo, hi) in cases {
            for j in [0u8, 7, 60, 255] {
                let r = between(lo, hi, j);
                assert!(is_rank(&r), "{r}");
                if let Some(lo) = lo {
                    assert!(lo < r.as_str(), "{lo} < {r}");
                }
                if let Some(hi) = hi {
                    assert!(r.as_str() < hi, "{r} < {hi}");
                }
            }
        }
    }

    #[test]
    fn repeated_inserts_stay_ordered_and_short() {
        // Always inserting right after the first item, then always before the last.
        let mut list = vec![between(None, None, 1)];
        for k in 0..300 {
            let r = between(Some(&list[0]), list.get(1).map(String::as_str), k as u8);
            list.insert(1, r);
            let n = list.len();
            let r = between(Some(&list[n - 2]), Some(&list[n - 1]), k as u8);
            list.insert(n - 1, r);
        }
        let mut sorted = list.clone();
        sorted.sort();
        assert_eq!(sorted, list);
        // 300 placements into the same gap cost about one digit per six (halving a base-62
        // digit): pathological use still keeps ranks far below DynamoDB's key size.
        let longest = list.iter().map(String::len).max().unwrap_or(0);
        assert!(longest < 80, "ranks stay short: {longest}");
    }

    #[test]
    fn ties_and_stale_neighbours_still_give_a_rank_after_lo() {
        let r = between(Some("V"), Some("V"), 3);
        assert!(r.as_str() > "V");
        let r = between(Some("a"), Some("5"), 3);
        assert!(r.as_str() > "a");
        let appended = after_each(Some("x"), 5);
        assert!(appended.windows(2).all(|w| w[0] < w[1]) && appended[0].as_str() > "x");
        let many = after_each(None, 5000);
        assert!(many.windows(2).all(|w| w[0] < w[1]));
        assert!(
            many.iter().all(|r| is_rank(r) && r.len() <= 6),
            "{}",
            many[4999]
        );
    }

    /// Runs `between` on a thread and waits a second for it: a loop shows as a failure, not a
    /// hung test run.
    fn between_in_time(lo: Option<&str>, hi: Option<&str>, jitter: u8) -> Option<String> {
        let (lo, hi) = (lo.map(str::to_owned), hi.map(str::to_owned));
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(between(lo.as_deref(), hi.as_deref(), jitter));
        });
        rx.recv_timeout(std::time::Duration::from_secs(1)).ok()
    }

    #[test]
    fn malformed_neighbours_give_a_rank_at_once() {
        for (lo, hi) in [
            (None, Some("0")),
            (Some("1"), Some("1-")),
            (Some("1"), Some("10")),
            (Some("-"), None),
            (Some(""), Some("")),
            (None, Some("00")),
            (Some("a b"), Some("a c")),
        ] {
            let r = between_in_time(lo, hi, 5)
                .unwrap_or_else(|| panic!("between({lo:?}, {hi:?}) did not return"));
            assert!(is_rank(&r), "between({lo:?}, {hi:?}) = {r:?}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        /// Any strings at all: an answer at once, a well-formed rank, short.
        #[test]
        fn between_is_total(lo in proptest::option::of(".{0,12}"), hi in proptest::option::of(".{0,12}"), j: u8) {
            let r = between_in_time(lo.as_deref(), hi.as_deref(), j);
            proptest::prop_assert!(r.is_some(), "between({:?}, {:?}) did not return", lo, hi);
            let r = r.unwrap_or_default();
            proptest::prop_assert!(is_rank(&r), "{:?}", r);
            let longest = lo.as_deref().map_or(0, str::len).max(hi.as_deref().map_or(0, str::len));
            proptest::prop_assert!(r.len() <= longest + 2, "{:?} from {:?} {:?}", r, lo, hi);
        }

        /// Well-formed pairs: strictly between, short.
        #[test]
        fn between_well_formed_ranks_is_strictly_between(a in "[0-9A-Za-z]{0,11}[1-9A-Za-z]", b in "[0-9A-Za-z]{0,11}[1-9A-Za-z]", j: u8) {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            let r = between_in_time(Some(&lo), None, j).unwrap_or_default();
            proptest::prop_assert!(r > lo && is_rank(&r));
            let r = between_in_time(None, Some(&hi), j).unwrap_or_default();
            proptest::prop_assert!(r < hi && is_rank(&r), "{:?} < {:?}", r, hi);
            if lo < hi {
                let r = between_in_time(Some(&lo), Some(&hi), j).unwrap_or_default();
                proptest::prop_assert!(lo < r && r < hi && is_rank(&r), "{:?} < {:?} < {:?}", lo, r, hi);
                proptest::prop_assert!(r.len() <= lo.len().max(hi.len()) + 2);
            }
        }
    }
}
