//! The module graph of `src/` against the table of layers at the top of
//! `src/lib.rs`: every `crate::` path a module's code names must be allowed
//! by the table, no two modules may use each other (directly or round a
//! longer cycle), and every module must have a row. Tests inside a module
//! (`#[cfg(test)]`) may use anything, as dev-dependencies may.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The top-level modules: `src/x.rs` and `src/x/`.
fn modules() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for e in std::fs::read_dir(src()).expect("src/") {
        let e = e.expect("entry");
        let name = e.file_name().to_string_lossy().into_owned();
        if e.path().is_dir() {
            out.insert(name);
        } else if let Some(stem) = name.strip_suffix(".rs")
            && stem != "lib"
            && stem != "main"
        {
            out.insert(stem.to_string());
        }
    }
    out
}

/// The words between backticks in `text`, outside parentheses.
fn ticked_outside_parens(text: &str) -> Vec<String> {
    let (mut out, mut depth, mut cur, mut inside) = (Vec::new(), 0usize, String::new(), false);
    for c in text.chars() {
        match c {
            '(' if !inside => depth += 1,
            ')' if !inside => depth = depth.saturating_sub(1),
            '`' if depth == 0 => {
                if inside {
                    out.push(std::mem::take(&mut cur));
                }
                inside = !inside;
            }
            _ if inside => cur.push(c),
            _ => {}
        }
    }
    out
}

/// The table: layer of each module, in order, and the layers each may use.
struct Table {
    layer_of: BTreeMap<String, String>,
    may_use: BTreeMap<String, BTreeSet<String>>,
}

fn table() -> Table {
    let lib = read(&src().join("lib.rs"));
    let mut layer_of = BTreeMap::new();
    let mut may_use = BTreeMap::new();
    for line in lib.lines() {
        let Some(row) = line.strip_prefix("//! |") else {
            continue;
        };
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        if cells.len() < 3 || cells[0] == "layer" || cells[0].starts_with("---") {
            continue;
        }
        let layer = cells[0].to_string();
        for m in ticked_outside_parens(cells[1]) {
            if let Some(before) = layer_of.insert(m.clone(), layer.clone()) {
                panic!("`{m}` has two rows in lib.rs's table: {before} and {layer}");
            }
        }
        let allowed = cells[2]
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        may_use.insert(layer, allowed);
    }
    assert!(!layer_of.is_empty(), "no table of layers in src/lib.rs");
    for (layer, allowed) in &may_use {
        for a in allowed {
            assert!(
                may_use.contains_key(a),
                "layer {layer} may use {a}, which is no layer"
            );
        }
    }
    Table { layer_of, may_use }
}

/// The items `lib.rs` re-exports, by name, with their module: so that
/// `crate::Created` counts as a use of `scaffold`.
fn reexports(mods: &BTreeSet<String>) -> BTreeMap<String, String> {
    let lib = read(&src().join("lib.rs"));
    let mut out = BTreeMap::new();
    let flat = lib.replace('\n', " ");
    for part in flat.split("pub use ").skip(1) {
        let Some(stmt) = part.split(';').next() else {
            continue;
        };
        let Some((module, rest)) = stmt.split_once("::") else {
            continue;
        };
        if !mods.contains(module.trim()) {
            continue;
        }
        let names = match rest.rsplit_once('{') {
            Some((_, group)) => group.trim_end_matches(['}', ' ']),
            None => rest,
        };
        for name in names.split(',') {
            let name = name.trim().rsplit("::").next().unwrap_or("").to_string();
            if !name.is_empty() {
                out.insert(name, module.trim().to_string());
            }
        }
    }
    out
}

/// The lines of a file that are not tests or comments.
fn code_lines(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let t = line.trim_start();
        if t.starts_with("#[cfg(test)]") {
            match lines.peek().map(|l| l.trim_start()) {
                // Test modules close the file.
                Some(next) if next.starts_with("mod ") && next.ends_with('{') => break,
                _ => {
                    lines.next();
                    continue;
                }
            }
        }
        if !t.starts_with("//") {
            out.push(line);
        }
    }
    out
}

/// The modules named after `crate::` in one line: `crate::m::…`,
/// `crate::{a, b::c}`, and re-exported items (`crate::Created`).
fn uses_in(line: &str, mods: &BTreeSet<String>, re: &BTreeMap<String, String>) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in line.match_indices("crate::") {
        let rest = &line[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = group.split('}').next().unwrap_or("");
            for item in group.split(',') {
                let head = item.trim().split("::").next().unwrap_or("").trim();
                if mods.contains(head) {
                    out.push(head.to_string());
                } else if let Some(m) = re.get(head) {
                    out.push(m.clone());
                }
            }
            continue;
        }
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        // `crate::render(…)` calls the function `report` re-exports; any
        // other `crate::render…` (`::x`, `;`, ` as r`) names the module.
        let is_call = rest[name.len()..].starts_with('(');
        if !is_call && mods.contains(&name) {
            out.push(name);
        } else if let Some(m) = re.get(&name) {
            out.push(m.clone());
        }
    }
    out
}

/// Every edge `from -> to` with the first place that makes it.
fn edges(mods: &BTreeSet<String>) -> BTreeMap<(String, String), String> {
    let re = reexports(mods);
    let mut out = BTreeMap::new();
    let mut stack = vec![src()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let rel = p.strip_prefix(src()).expect("under src").to_path_buf();
            let rel_s = rel.to_string_lossy().replace('\\', "/");
            let Some(first) = rel_s.split('/').next() else {
                continue;
            };
            let from = first.trim_end_matches(".rs").to_string();
            if !rel_s.ends_with(".rs")
                || !mods.contains(&from)
                || p.file_name().is_some_and(|n| n == "tests.rs")
            {
                continue;
            }
            let text = read(&p);
            for (n, line) in code_lines(&text).into_iter().enumerate() {
                for to in uses_in(line, mods, &re) {
                    if to != from {
                        out.entry((from.clone(), to)).or_insert_with(|| {
                            format!("src/{rel_s} (code line {}): {}", n + 1, line.trim())
                        });
                    }
                }
            }
        }
    }
    out
}

#[test]
fn every_module_has_a_row() {
    let mods = modules();
    let t = table();
    let missing: Vec<_> = mods
        .iter()
        .filter(|m| !t.layer_of.contains_key(*m))
        .collect();
    assert!(
        missing.is_empty(),
        "modules with no row in src/lib.rs's table: {missing:?}"
    );
    let stale: Vec<_> = t.layer_of.keys().filter(|m| !mods.contains(*m)).collect();
    assert!(
        stale.is_empty(),
        "rows of src/lib.rs's table with no module: {stale:?}"
    );
}

#[test]
fn every_use_is_allowed_by_the_table() {
    let mods = modules();
    let t = table();
    let mut wrong = Vec::new();
    for ((from, to), at) in edges(&mods) {
        let (Some(lf), Some(lt)) = (t.layer_of.get(&from), t.layer_of.get(&to)) else {
            continue;
        };
        let ok = lf == lt || t.may_use.get(lf).is_some_and(|a| a.contains(lt));
        if !ok {
            wrong.push(format!("{from} ({lf}) -> {to} ({lt}) at {at}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "uses against src/lib.rs's table of layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_two_modules_use_each_other() {
    let mods = modules();
    let edges = edges(&mods);
    let mut next: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (from, to) in edges.keys() {
        next.entry(from).or_default().push(to);
    }
    // Depth-first search; a grey node met again closes a cycle.
    fn visit<'a>(
        n: &'a str,
        next: &BTreeMap<&'a str, Vec<&'a str>>,
        colour: &mut BTreeMap<&'a str, u8>,
        path: &mut Vec<&'a str>,
    ) -> Option<Vec<&'a str>> {
        match colour.get(n) {
            Some(1) => {
                let start = path.iter().position(|p| *p == n).unwrap_or(0);
                let mut cycle = path[start..].to_vec();
                cycle.push(n);
                return Some(cycle);
            }
            Some(_) => return None,
            None => {}
        }
        colour.insert(n, 1);
        path.push(n);
        for m in next.get(n).into_iter().flatten() {
            if let Some(c) = visit(m, next, colour, path) {
                return Some(c);
            }
        }
        path.pop();
        colour.insert(n, 2);
        None
    }
    let mut colour = BTreeMap::new();
    for m in &mods {
        if let Some(cycle) = visit(m, &next, &mut colour, &mut Vec::new()) {
            let places: Vec<String> = cycle
                .windows(2)
                .filter_map(|w| edges.get(&(w[0].to_string(), w[1].to_string())).cloned())
                .collect();
            panic!(
                "a cycle of modules: {}\n{}",
                cycle.join(" -> "),
                places.join("\n")
            );
        }
    }
}

#[test]
fn the_checker_sees_what_it_must() {
    let mods: BTreeSet<String> = ["load", "yaml", "render", "report", "scaffold"]
        .into_iter()
        .map(String::from)
        .collect();
    let re = BTreeMap::from([
        ("Created".to_string(), "scaffold".to_string()),
        ("render".to_string(), "report".to_string()),
    ]);
    let uses = |l: &str| uses_in(l, &mods, &re);
    assert_eq!(uses("use crate::load::yaml::{Kind};"), ["load"]);
    assert_eq!(uses("use crate::{yaml::Node, load};"), ["yaml", "load"]);
    assert_eq!(uses("-> Result<crate::Created, E>"), ["scaffold"]);
    // `crate::render(` is the re-exported function of `report`, while
    // `crate::render::x` is the module.
    assert_eq!(uses("crate::render(&d)"), ["report"]);
    assert_eq!(uses("crate::render::theme::Theme"), ["render"]);
    assert_eq!(uses("use crate::load;"), ["load"]);
    assert_eq!(uses("use crate::scaffold as s;"), ["scaffold"]);
    let lines = code_lines(
        "use a;\n// crate::x::y\n#[cfg(test)]\nuse b;\nuse c;\n#[cfg(test)]\nmod tests {\nuse d;\n",
    );
    assert_eq!(lines, ["use a;", "use c;"]);
    assert_eq!(ticked_outside_parens("`a` (see `b`), `c`"), ["a", "c"]);
}
