//! planpress: a static-site generator for provinces' annual plans of IT in
//! state agencies.
//!
//! Data flows one way, one module per stage:
//! `load` (files, front matter, YAML with positions) → `model` (typed plan,
//! exact `Decimal` amounts) → `validate` (diagnostics) → `report`.
//! `main.rs` only parses the command line and calls [`check`].

/// mimalloc instead of the system allocator: a build allocates and frees
/// millions of small strings on every core, and glibc's malloc spent about a
/// tenth of the build in its own bookkeeping. It is set here, in the
/// library, so the binary, the tests and the benchmarks run the same code.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod build;
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
mod output;
// Its other callers (editor, prefilled plans) land with their issues.
#[allow(dead_code)]
mod plan_doc;
mod publish;
mod remind;
// Parts of the model are read only by `build`, which lands next.
#[allow(dead_code)]
mod model;
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
