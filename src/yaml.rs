//! The raw shape of a YAML document: a tree of scalars, sequences and
//! mappings, each node carrying the position where it starts.
//!
//! This is the `lowargs` half of the two-stage parse: it knows nothing about
//! plans, only about YAML. Scalars keep their source text, so that amounts
//! are later read as exact decimals and never pass through a float.
//! Budgets bound the work of hostile input: nesting depth, node count
//! (which is what an alias bomb inflates) and, before this, the file size.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle};

use crate::diag::Pos;

/// Deepest nesting accepted. Plans need four levels; 64 leaves room for
/// anything sane and keeps recursive consumers far from the stack limit.
pub(crate) const MAX_DEPTH: usize = 64;
/// Most nodes in one document, counting every alias expansion.
pub(crate) const MAX_NODES: usize = 200_000;

/// One node of the tree.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    pub(crate) kind: Kind,
    pub(crate) pos: Pos,
}

/// What a node is.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Kind {
    Scalar { text: String, plain: bool },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// A plain `~`, `null` or empty scalar: YAML's way of saying nothing.
    pub(crate) fn is_null(&self) -> bool {
        matches!(&self.kind, Kind::Scalar { text, plain: true }
            if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// Short name of the node's shape, for "expected X, found Y" messages.
    pub(crate) fn shape(&self) -> &'static str {
        match &self.kind {
            Kind::Scalar { .. } if self.is_null() => "null",
            Kind::Scalar { .. } => "scalar",
            Kind::Seq(_) => "list",
            Kind::Map(_) => "map",
        }
    }

    fn size(&self) -> usize {
        match &self.kind {
            Kind::Scalar { .. } => 1,
            Kind::Seq(items) => 1 + items.iter().map(Node::size).sum::<usize>(),
            Kind::Map(entries) => {
                1 + entries
                    .iter()
                    .map(|(k, v)| k.size() + v.size())
                    .sum::<usize>()
            }
        }
    }
}

/// Why a document could not be read as YAML.
#[derive(Debug, PartialEq)]
pub(crate) struct YamlError {
    pub(crate) pos: Pos,
    pub(crate) kind: YamlErrorKind,
}

#[derive(Debug, PartialEq)]
pub(crate) enum YamlErrorKind {
    Syntax(String),
    TooDeep,
    TooLarge,
    UnknownAlias,
    DuplicateKey(String),
    ComplexKey,
    MultipleDocuments,
}

enum Frame {
    Seq {
        items: Vec<Node>,
        pos: Pos,
        anchor: usize,
    },
    Map {
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
        pos: Pos,
        anchor: usize,
    },
}

/// Parses one YAML document. `line_offset` is added to every line, so that
/// positions are those of the file the document was cut from. An empty
/// document gives `Ok(None)`.
pub(crate) fn parse(src: &str, line_offset: usize) -> Result<Option<Node>, YamlError> {
    let at = |m: saphyr_parser::Marker| Pos::new(m.line() + line_offset, m.col() + 1);
    let mut parser = Parser::new_from_str(src);
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut root: Option<Node> = None;
    let mut documents = 0usize;
    let mut nodes = 0usize;

    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| {
            let m = *e.marker();
            // This one is reported where the scalar starts, often a line
            // above the tab that an editor must find and replace.
            let pos = match e.info() {
                "while scanning a plain scalar, found a tab" => tab_after(src, m.line(), m.col())
                    .map_or_else(|| at(m), |(l, c)| Pos::new(l + line_offset, c)),
                _ => at(m),
            };
            YamlError {
                pos,
                // The scanner counts flow levels in a `u8` and gives up at
                // 255, before the parser has sent the events MAX_DEPTH counts.
                kind: if e.info() == "recursion limit exceeded" {
                    YamlErrorKind::TooDeep
                } else {
                    YamlErrorKind::Syntax(e.info().to_string())
                },
            }
        })?;
        let pos = at(span.start);
        let fail = |kind| Err(YamlError { pos, kind });
        let node = match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return fail(YamlErrorKind::MultipleDocuments);
                }
                continue;
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return fail(YamlErrorKind::TooDeep);
                }
                nodes += 1;
                if nodes > MAX_NODES {
                    return fail(YamlErrorKind::TooLarge);
                }
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Frame::Seq {
                        items: Vec::new(),
                        pos,
                        anchor,
                    }
                } else {
                    Frame::Map {
                        entries: Vec::new(),
                        key: None,
                        pos,
                        anchor,
                    }
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Frame::Seq { items, pos, anchor }) => remember(
                    &mut anchors,
                    anchor,
                    Node {
                        kind: Kind::Seq(items),
                        pos,
                    },
                ),
                Some(Frame::Map {
                    entries,
                    pos,
                    anchor,
                    ..
                }) => remember(
                    &mut anchors,
                    anchor,
                    Node {
                        kind: Kind::Map(entries),
                        pos,
                    },
                ),
                None => continue,
            },
            Event::Scalar(text, style, anchor, _tag) => {
                nodes += 1;
                if nodes > MAX_NODES {
                    return fail(YamlErrorKind::TooLarge);
                }
                let node = Node {
                    kind: Kind::Scalar {
                        text: text.into_owned(),
                        plain: style == ScalarStyle::Plain,
                    },
                    pos,
                };
                remember(&mut anchors, anchor, node)
            }
            Event::Alias(id) => {
                let Some(target) = anchors.get(&id) else {
                    return fail(YamlErrorKind::UnknownAlias);
                };
                // Expanding an alias costs as much as writing the subtree
                // out, so it is charged in full: this is what stops a
                // "billion laughs" document.
                nodes = nodes.saturating_add(target.size());
                if nodes > MAX_NODES {
                    return fail(YamlErrorKind::TooLarge);
                }
                target.clone()
            }
            _ => continue,
        };
        match stack.last_mut() {
            None => root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => {
                    let Kind::Scalar { text, .. } = &node.kind else {
                        return Err(YamlError {
                            pos: node.pos,
                            kind: YamlErrorKind::ComplexKey,
                        });
                    };
                    if entries.iter().any(|(k, _)| key_text(k) == Some(text)) {
                        return Err(YamlError {
                            pos: node.pos,
                            kind: YamlErrorKind::DuplicateKey(text.clone()),
                        });
                    }
                    *key = Some(node);
                }
                Some(k) => entries.push((k, node)),
            },
        }
    }
    Ok(root.filter(|n| !n.is_null()))
}

/// Line and column (1-based, within `src`) of the first tab at or after the
/// 1-based `line` and 0-based `col`.
fn tab_after(src: &str, line: usize, col: usize) -> Option<(usize, usize)> {
    src.split('\n')
        .enumerate()
        .skip(line.checked_sub(1)?)
        .find_map(|(i, l)| {
            let skip = if i + 1 == line { col } else { 0 };
            let c = l.chars().skip(skip).position(|c| c == '\t')?;
            Some((i + 1, skip + c + 1))
        })
}

fn remember(anchors: &mut HashMap<usize, Node>, anchor: usize, node: Node) -> Node {
    if anchor > 0 {
        anchors.insert(anchor, node.clone());
    }
    node
}

/// The text of a scalar key.
pub(crate) fn key_text(node: &Node) -> Option<&String> {
    match &node.kind {
        Kind::Scalar { text, .. } => Some(text),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(node: &Node) -> &[(Node, Node)] {
        match &node.kind {
            Kind::Map(e) => e,
            _ => panic!("not a map"),
        }
    }

    #[test]
    fn positions_are_one_based_and_offset() {
        let n = parse("a: 1\nbb:\n  - x\n", 1).unwrap().unwrap();
        let e = map(&n);
        assert_eq!(e[0].1.pos, Pos { line: 2, col: 4 });
        let Kind::Seq(items) = &e[1].1.kind else {
            panic!()
        };
        assert_eq!(items[0].pos, Pos { line: 4, col: 5 });
    }

    #[test]
    fn scalars_keep_their_text() {
        let n = parse("a: 12345678901.2345678\nb: '1.5'\n", 0)
            .unwrap()
            .unwrap();
        let e = map(&n);
        assert_eq!(
            e[0].1.kind,
            Kind::Scalar {
                text: "12345678901.2345678".into(),
                plain: true
            }
        );
        assert_eq!(
            e[1].1.kind,
            Kind::Scalar {
                text: "1.5".into(),
                plain: false
            }
        );
    }

    #[test]
    fn syntax_errors_carry_a_position() {
        let e = parse("a: [1, 2\nb: 3\n", 4).unwrap_err();
        assert!(matches!(e.kind, YamlErrorKind::Syntax(_)));
        assert!(e.pos.line >= 5);
    }

    #[test]
    fn duplicate_keys_are_rejected() {
        let e = parse("a: 1\na: 2\n", 0).unwrap_err();
        assert_eq!(e.kind, YamlErrorKind::DuplicateKey("a".into()));
        assert_eq!(e.pos, Pos { line: 2, col: 1 });
    }

    #[test]
    fn alias_bomb_is_stopped_by_the_node_budget() {
        let mut doc = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..30 {
            let p = i - 1;
            doc.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let e = parse(&doc, 0).unwrap_err();
        assert_eq!(e.kind, YamlErrorKind::TooLarge);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let doc = "[".repeat(100_000);
        assert_eq!(parse(&doc, 0).unwrap_err().kind, YamlErrorKind::TooDeep);
        let block: String = (0..200).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
        assert_eq!(parse(&block, 0).unwrap_err().kind, YamlErrorKind::TooDeep);
    }

    #[test]
    fn a_tab_in_the_indentation_is_pointed_at() {
        let e = parse("a:\n  b: x\n\tc: y\n", 1).unwrap_err();
        assert!(matches!(e.kind, YamlErrorKind::Syntax(_)), "{e:?}");
        assert_eq!(e.pos, Pos { line: 4, col: 1 });
    }

    #[test]
    fn empty_document_is_none() {
        assert_eq!(parse("", 0).unwrap(), None);
        assert_eq!(parse("# only a comment\n", 0).unwrap(), None);
    }
}
