//! planpress: a static-site generator for provinces' annual plans of IT in
//! state agencies, and the tools around it (preview, editors' web app,
//! import from Office, chasing, publishing).
//!
//! # Layers, and who may use whom
//!
//! Data flows one way. A module may use the modules of the layers its row
//! names, and the other modules of its own row as long as no two modules use
//! each other. `tests/module_graph.rs` reads this table and every
//! `crate::` path of `src/` (tests inside a module excepted) and fails on an
//! edge the table does not allow, on a cycle, and on a module missing here.
//!
//! | layer | modules | may use |
//! |---|---|---|
//! | foundation | `diag` (codes, positions, messages, exit codes), `timings`, `cli` (the command line's words, stdout, exit), `yaml` (the YAML tree with positions), `escape` (HTML and XML), `output` (site files, content types, atomic swap), `cache` (keys and records of incremental builds) | foundation |
//! | model | `model` (typed plan, Decimal amounts; lower builds it from the YAML tree) | foundation |
//! | read | `load` (files, BOM/CRLF, pasted characters, front matter) | foundation, model |
//! | rules | `validate` (every rule, one plan at a time where it can) | foundation, model |
//! | totals | `consolidate` (the only place that adds amounts) | foundation, model |
//! | history | `git` (plan histories, the approved version, old revisions) | foundation, model, read, totals |
//! | present | `render` (pages, charts, CSV/JSON/XLSX a file each, DOCX, search), `report` (diagnostics as text) | foundation, model, read, totals, history |
//! | write | `plan_doc` (the one writer of plan files) | foundation, model |
//! | site | `check` (load, validate, theme), `status` (who has submitted) | foundation, model, read, rules, totals, history, present |
//! | prefill | `cycles` (a cycle and a plan moved on from the year before) | foundation, model, write |
//! | commands | `build`, `serve`, `publish` (errors and reports in files of their own), `diff` (compare computes, report prints), `scaffold` (the plan skeleton is a template), `import`, `export`, `remind`, `editor` | foundation, model, read, rules, totals, history, present, write, site, prefill |
//!
//! `main.rs` only parses the command line, calls these, and hands the result
//! to `cli::finish`, the one place that turns errors into exit codes.
//!
//! `render` receives the git history as data: `build` and `serve` read it
//! through `git::site_history` and hand it in.
//!
//! Still against the grain, to be removed: `check` reads the theme from
//! `render`.

/// mimalloc instead of the system allocator: a build allocates and frees
/// millions of small strings on every core, and glibc's malloc spent about a
/// tenth of the build in its own bookkeeping. It is set here, in the
/// library, so the binary, the tests and the benchmarks run the same code.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod build;
mod cache;
mod check;
pub mod cli;
mod consolidate;
mod cycles;
mod diag;
mod diff;
mod editor;
mod escape;
mod export;
mod git;
mod import;
mod load;
mod model;
mod output;
mod plan_doc;
mod publish;
mod remind;
mod render;
mod report;
mod scaffold;
mod serve;
mod status;
mod timings;
mod validate;
mod yaml;

pub use build::{BuildError, BuildOutcome, build, build_to};
pub use check::{CheckView, Checked, check, for_people, narrow};
pub use diag::{Code, CommandError, Diagnostic, Exit, Lang, Pos, Severity};
pub use diff::{DiffFormat, diff};
pub use editor::{EditorOptions, UsersCommand, editor, users};
pub use export::{Exported, export_docx};
pub use import::{ImportOptions, Imported, import, new_plan_xlsx};
pub use load::LoadError;
pub use model::Amount;
pub use model::money::{NumberError, format_grouped};
pub use publish::{
    Outcome, PublishError, PublishOptions, Published, Release, Releases, Report, RolledBack,
    placeholder_warning, portal_unchanged, publish, releases, rollback,
};
pub use remind::{RemindOptions, Reminded, remind};
pub use report::{Format, render};
pub use scaffold::{Created, InitOptions, init, init_asking, new_cycle, new_plan};
pub use serve::{ServeError, ServeOptions, Server, serve};
pub use status::{StatusFormat, StatusReport, status};

/// Checks a single plan given as text, against an empty site: the entry
/// point of the fuzz target. It must never panic, whatever the bytes.
pub fn check_plan_bytes(bytes: &[u8]) -> Vec<Diagnostic> {
    let (site, mut out) = load::plan_site_from_bytes(bytes);
    if let Some(site) = site {
        out.extend(validate::validate(&site));
    }
    out
}
