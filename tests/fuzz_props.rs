//! Property tests of `planpress::check_plan_bytes`, the entry point of the
//! fuzz target: it never panics, whatever the bytes, its positions stay
//! inside the text, and its sums are exact decimals.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use planpress::{Code, Diagnostic, check_plan_bytes};
use proptest::prelude::*;
use rust_decimal::Decimal;

/// A complete, valid plan (from the integration tests' fixture site).
const VALID: &str = include_str!("fixtures/check/valid/content/2019/so-tttt.md");

/// Characters that matter to YAML, Markdown and our number parser.
const SPICY: &[char] = &[
    ':', '-', ' ', '"', '\'', '0', '1', '5', '9', '.', ',', '{', '}', '[', ']', '#', '&', '*', '!',
    '|', '>', '?', '%', '@', '`', '\t', '\n', '\\', 'ạ', 'Đ', '\u{feff}',
];

/// `n` cases, unless `PROPTEST_CASES` asks for more (or fewer) in a long
/// local run.
fn cases(n: u32) -> ProptestConfig {
    let n = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(n);
    ProptestConfig {
        cases: n,
        ..ProptestConfig::default()
    }
}

/// Checks `bytes` and the invariants every answer must keep.
fn check(bytes: &[u8]) -> Vec<Diagnostic> {
    let diags = check_plan_bytes(bytes);
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let lines = text.split('\n').count() as u32;
    for d in &diags {
        assert_eq!(d.file, "content/2019/plan.md", "{d:?}");
        assert!(d.pos.line >= 1 && d.pos.col >= 1, "{d:?}");
        // A diagnostic may point just past the last line (an unexpected end
        // of input), never further.
        assert!(
            d.pos.line <= lines + 1,
            "line {} of a text of {lines} lines: {d:?}",
            d.pos.line
        );
        assert!(!d.message.is_empty(), "{d:?}");
    }
    diags
}

fn codes(diags: &[Diagnostic]) -> Vec<Code> {
    diags.iter().map(|d| d.code).collect()
}

/// One edit of a text, as a clumsy editor or a broken tool would make it.
#[derive(Clone, Debug)]
enum Mutation {
    /// Insert a character at a position.
    Insert(usize, char),
    /// Delete a run of characters.
    Delete(usize, usize),
    /// Replace a character.
    Replace(usize, char),
    /// Duplicate a line.
    DuplicateLine(usize),
    /// Delete a line.
    DeleteLine(usize),
    /// Swap two lines.
    SwapLines(usize, usize),
    /// Change a line's indentation.
    Indent(usize, usize),
    /// Insert a raw byte (possibly breaking UTF-8).
    RawByte(usize, u8),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let spicy = prop::sample::select(SPICY);
    prop_oneof![
        (any::<usize>(), spicy.clone()).prop_map(|(i, c)| Mutation::Insert(i, c)),
        (any::<usize>(), 1usize..40).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (any::<usize>(), spicy).prop_map(|(i, c)| Mutation::Replace(i, c)),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        any::<usize>().prop_map(Mutation::DeleteLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        (any::<usize>(), 0usize..9).prop_map(|(i, n)| Mutation::Indent(i, n)),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::RawByte(i, b)),
    ]
}

fn apply(text: &str, mutations: &[Mutation]) -> Vec<u8> {
    let mut chars: Vec<char> = text.chars().collect();
    let mut raw: Vec<(usize, u8)> = Vec::new();
    for m in mutations {
        let n = chars.len().max(1);
        match *m {
            Mutation::Insert(i, c) => chars.insert(i % (chars.len() + 1), c),
            Mutation::Delete(i, len) => {
                let start = i % n;
                let end = (start + len).min(chars.len());
                chars.drain(start.min(end)..end);
            }
            Mutation::Replace(i, c) => {
                if !chars.is_empty() {
                    chars[i % n] = c;
                }
            }
            Mutation::DuplicateLine(i)
            | Mutation::DeleteLine(i)
            | Mutation::SwapLines(i, _)
            | Mutation::Indent(i, _) => {
                let s: String = chars.iter().collect();
                let mut lines: Vec<String> = s.split('\n').map(str::to_string).collect();
                let k = i % lines.len();
                match *m {
                    Mutation::DuplicateLine(_) => {
                        let l = lines[k].clone();
                        lines.insert(k, l);
                    }
                    Mutation::DeleteLine(_) => {
                        lines.remove(k);
                    }
                    Mutation::SwapLines(_, j) => {
                        let j = j % lines.len();
                        lines.swap(k, j);
                    }
                    Mutation::Indent(_, width) => {
                        let l = lines[k].trim_start().to_string();
                        lines[k] = format!("{}{l}", " ".repeat(width));
                    }
                    _ => unreachable!(),
                }
                chars = lines.join("\n").chars().collect();
            }
            Mutation::RawByte(i, b) => raw.push((i, b)),
        }
    }
    let mut bytes = chars.iter().collect::<String>().into_bytes();
    for (i, b) in raw {
        bytes.insert(i % (bytes.len() + 1), b);
    }
    bytes
}

/// A plan of agency `plan` (the stem `check_plan_bytes` uses) with a full
/// body, so that only the rules under test can fire.
fn plan_with(front: &str) -> String {
    format!(
        "---\nagency: plan\nyear: 2019\nstatus: submitted\nsubmitted: 2018-07-20\n\
         contact: {{ name: \"Nguyễn Văn An\" }}\n{front}---\n\n\
         ## Đánh giá chung\n\nx\n\n## Mục tiêu\n\nx\n\n## Định hướng\n\nx\n\n\
         ## Giải pháp\n\nx\n\n## Tổ chức thực hiện\n\nx\n"
    )
}

/// An amount with 0 to 4 decimals, as an editor writes it.
fn amount() -> impl Strategy<Value = Decimal> {
    (0i64..10_000_000_000, 0u32..=4).prop_map(|(n, scale)| Decimal::new(n, scale))
}

/// Amounts of a split, written under ids `l0`, `l1`, ….
fn split_yaml(parts: &[Decimal]) -> String {
    let items: Vec<String> = parts
        .iter()
        .enumerate()
        .map(|(i, a)| format!("l{i}: {a}"))
        .collect();
    format!("{{ {} }}", items.join(", "))
}

/// Line and column where `needle` starts in `text`.
fn pos_of(text: &str, needle: &str) -> (u32, u32) {
    let at = text.find(needle).expect("needle in text");
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line as u32, col as u32)
}

#[test]
fn the_valid_plan_checks_as_expected() {
    // Empty site: no catalog, no registry, so only the file stem differs.
    let d = check(VALID.as_bytes());
    assert_eq!(codes(&d), [Code::E011], "{d:#?}");
    let d = check(plan_with("").as_bytes());
    assert!(d.is_empty(), "{d:#?}");
}

#[test]
fn tenths_add_up_exactly() {
    // Ten times 0.1 is 1, not 0.9999999999999999.
    let parts = vec![Decimal::new(1, 1); 10];
    let front = format!(
        "spending:\n  - {{ category: c, task: t, total: 1, levels: {}, kinds: k }}\n",
        split_yaml(&parts)
    );
    let d = check(plan_with(&front).as_bytes());
    assert!(d.is_empty(), "{d:#?}");
}

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        check(&bytes);
    }

    #[test]
    fn random_front_matter_never_panics(
        body in prop::collection::vec(
            prop_oneof![
                prop::sample::select(SPICY).prop_map(|c| c.to_string()),
                prop::sample::select(&[
                    "agency", "year", "status", "submitted", "spending", "projects",
                    "indicators", "levels", "kinds", "cost", "total", "planned", "spent",
                    "period", "from", "to", "priority", "id", "2019", "1.200.000", "-0",
                    "1e9", "~", "null", "true", "&a", "*a", "<<", "!!str", "---", "...",
                    "\n  - ", "\n    ", ": ", "- ", "## Mục tiêu\n",
                ][..]).prop_map(str::to_string),
            ],
            0..200,
        )
    ) {
        let text = format!("---\n{}\n---\n", body.concat());
        check(text.as_bytes());
    }

    #[test]
    fn mutated_valid_plans_never_panic(
        mutations in prop::collection::vec(mutation(), 1..8)
    ) {
        let bytes = apply(VALID, &mutations);
        check(&bytes);
    }

    #[test]
    fn bom_and_crlf_change_nothing(
        mutations in prop::collection::vec(mutation(), 0..4)
    ) {
        let bytes = apply(VALID, &mutations);
        // Only texts a Windows editor could save: valid UTF-8, no stray CR.
        if let Ok(text) = String::from_utf8(bytes) {
            prop_assume!(!text.contains('\r') && !text.starts_with('\u{feff}'));
            let unix = check(text.as_bytes());
            let windows = format!("\u{feff}{}", text.replace('\n', "\r\n"));
            prop_assert_eq!(unix, check(windows.as_bytes()));
        }
    }
}

proptest! {
    #![proptest_config(cases(128))]

    #[test]
    fn spending_that_adds_up_is_never_e030(
        levels in prop::collection::vec(amount(), 1..8),
        cut in any::<usize>(),
        scale in 0u32..3,
    ) {
        let total: Decimal = levels.iter().sum();
        // The same money split another way: two kinds, each taking a run
        // of the levels.
        let cut = cut % (levels.len() + 1);
        let ks = [
            levels[..cut].iter().sum::<Decimal>(),
            levels[cut..].iter().sum::<Decimal>(),
        ];
        // Trailing zeros are a different way to write the same amount.
        let mut total_text = total.to_string();
        if scale > 0 {
            if !total_text.contains('.') {
                total_text.push('.');
            }
            total_text.push_str(&"0".repeat(scale as usize));
        }
        let front = format!(
            "spending:\n  - category: c\n    task: t\n    total: {total_text}\n    levels: {}\n    kinds: {}\n",
            split_yaml(&levels),
            split_yaml(&ks),
        );
        let d = check(plan_with(&front).as_bytes());
        prop_assert!(d.is_empty(), "{:#?}\n{}", d, front);
    }

    #[test]
    fn spending_off_by_a_cent_is_always_e030_at_the_total(
        levels in prop::collection::vec(amount(), 1..8),
        up in any::<bool>(),
    ) {
        let sum: Decimal = levels.iter().sum();
        let cent = Decimal::new(1, 2);
        let total = if up { sum + cent } else { sum - cent };
        prop_assume!(total >= Decimal::ZERO);
        let front = format!(
            "spending:\n  - category: c\n    task: t\n    total: {total}\n    levels: {}\n    kinds: k\n",
            split_yaml(&levels),
        );
        let text = plan_with(&front);
        let d = check(text.as_bytes());
        let (line, col) = pos_of(&text, &format!("total: {total}\n"));
        let got: Vec<(Code, u32, u32)> = d.iter().map(|d| (d.code, d.pos.line, d.pos.col)).collect();
        prop_assert_eq!(got, vec![(Code::E030, line, col + "total: ".len() as u32)], "{}", text);
    }

    #[test]
    fn project_amounts_that_agree_are_clean_and_a_cent_off_is_not(
        levels in prop::collection::vec(amount(), 1..6),
        spent in amount(),
        slack in amount(),
        which in 0u8..3,
    ) {
        let planned: Decimal = levels.iter().sum();
        let total = spent + planned + slack;
        let cent = Decimal::new(1, 2);
        let (total_w, planned_w, expected) = match which {
            0 => (total, planned, None),
            // One cent too little in the total: spent + planned exceeds it
            // only when there is no slack.
            1 => (
                spent + planned - cent,
                planned,
                Some((Code::E031, "total")),
            ),
            _ => (total + cent, planned + cent, Some((Code::E032, "planned"))),
        };
        prop_assume!(total_w >= Decimal::ZERO);
        let cost = format!("{{ total: {total_w}, spent: {spent}, planned: {planned_w} }}");
        let front = format!(
            "projects:\n  - id: p\n    name: n\n    category: c\n    priority: 1\n    period: {{ from: 2019, to: 2019 }}\n    lead: plan\n    approval: \"QĐ 1\"\n    cost: {cost}\n    levels: {}\n    kinds: {{ k: {planned_w} }}\n",
            split_yaml(&levels),
        );
        let text = plan_with(&front);
        let d = check(text.as_bytes());
        let got: Vec<(Code, u32, u32)> = d.iter().map(|d| (d.code, d.pos.line, d.pos.col)).collect();
        match expected {
            None => prop_assert!(d.is_empty(), "{:#?}\n{}", d, text),
            Some((code, field)) => {
                let value = if field == "total" { total_w } else { planned_w };
                let (line, col) = pos_of(&text, &format!("{field}: {value}"));
                let at = (code, line, col + field.len() as u32 + 2);
                prop_assert_eq!(got, vec![at], "{}", text);
            }
        }
    }
}

/// A body of `n` nested levels of `open` (`>` quotes, `<div>` tags, list
/// items…), after a full plan.
fn nested(open: &str, n: usize) -> String {
    format!("{}\n{}x\n", plan_with(""), open.repeat(n))
}

proptest! {
    #![proptest_config(cases(64))]

    /// Amounts up to 10^15 are amounts; anything beyond, to Decimal's
    /// limit and past it, is E005 at the amount, never a saturated sum.
    #[test]
    fn amounts_are_bounded_at_ten_to_the_fifteenth(
        over in 1u64..u64::MAX,
        digits in 16usize..40,
        under in 0u64..=1_000_000_000_000_000,
    ) {
        let limit = 1_000_000_000_000_000u128;
        for (text, too_big) in [
            (under.to_string(), false),
            ((limit + u128::from(over)).to_string(), true),
            (format!("9{}", "9".repeat(digits - 1)), true),
        ] {
            let front = format!(
                "spending:\n  - {{ category: c, task: t, total: {text}, levels: {{ l: {text} }}, kinds: k }}\n"
            );
            let plan = plan_with(&front);
            let d = check(plan.as_bytes());
            let (line, _) = pos_of(&plan, "total: ");
            let e005 = d.iter().filter(|d| d.code == Code::E005 && d.pos.line == line).count();
            if too_big {
                prop_assert!(e005 >= 1, "{} {:#?}", text, d);
            } else {
                prop_assert!(d.is_empty(), "{} {:#?}", text, d);
            }
        }
    }

    /// Nesting up to the limit passes; one level deeper, in any of the
    /// ways a body nests, is E005 on the body's line.
    #[test]
    fn nesting_past_the_limit_is_e005(
        way in prop::sample::select(vec!["> ", "<div>", "<span>", "<blockquote>", "- "]),
        extra in 1usize..2000,
    ) {
        // 45 levels, which a list counts twice (the list and its item).
        let ok = nested(way, 45);
        prop_assert!(!codes(&check(ok.as_bytes())).contains(&Code::E005));
        let deep = nested(way, 101 + extra);
        let d = check(deep.as_bytes());
        let line = deep.lines().count() as u32;
        prop_assert!(
            d.iter().any(|d| d.code == Code::E005 && d.pos.line == line),
            "{:?} {:#?}", way, d
        );
    }
}
