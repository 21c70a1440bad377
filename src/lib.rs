//! planpress: a static-site generator for provinces' annual plans of IT in
//! state agencies, and the tools around it (preview, editors' web app,
//! import from Office, chasing, publishing).
//!
//! # Layers, and who may use whom
//!
//! Data flows one way. A module may use the modules of its own layer's
//! foundations and of the layers above it in this table, never below:
//!
//! | layer | modules | may use |
//! |---|---|---|
//! | foundation | `diag` (codes, positions, messages), `timings`, `cli`, `cache` (keys and records of incremental builds) | crates only |
//! | read | `load` (files, BOM/CRLF, pasted characters, YAML tree with positions) | foundation |
//! | model | `model` (typed plan, `Decimal` amounts; `lower` builds it from the tree) | read |
//! | check | `validate` (every rule, one plan at a time where it can) | model |
//! | totals | `consolidate` (the only place that adds amounts), `status` rows | model, check |
//! | present | `render` (pages, charts, CSV/JSON/XLSX/DOCX, search), `report` | totals, git history as data |
//! | write | `output` (atomic swap), `plan_doc` (the one writer of plan files) | present |
//! | commands | `check`, `build`, `serve`, `publish`, `git`/`diff`, `scaffold`, `cycles`, `import`, `export`, `remind`, `editor` | any layer above |
//!
//! `main.rs` only parses the command line and calls these.
//!
//! Edges that still run against the grain, to be removed: `load` calls
//! `validate` (the fuzz entry) and `cli` (OS error wording); `model::lower`
//! reads `load::yaml` while `load` drives `lower`; `validate` reads
//! `scaffold`'s placeholder mark; `render` reads `git` and `diff`; `git` and
//! `diff` use each other; `output` takes `OutFile` from `render`; `publish`
//! takes content types from `serve`.

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

pub use build::{BuildError, BuildOutcome, build, build_to};
pub use check::{CheckView, Checked, check, for_people, narrow};
pub use cycles::new_cycle;
pub use diag::{Code, CommandError, Diagnostic, Lang, Pos, Severity};
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
pub use scaffold::{Created, InitOptions, init, init_asking, new_plan};
pub use serve::{ServeError, ServeOptions, Server, serve};
pub use status::{StatusFormat, StatusReport, status};

/// Checks a single plan given as text, against an empty site: the entry
/// point of the fuzz target. It must never panic, whatever the bytes.
pub fn check_plan_bytes(bytes: &[u8]) -> Vec<Diagnostic> {
    load::check_plan_bytes(bytes)
}
