//! Finds the line and column of a key path in a TOML text, so that every problem names its place.

use std::fmt;

use toml_edit::{Document, Item, Table, Value};

/// One step of a key path: a key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// A key path such as `steps[3].on_disagree`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyPath(pub Vec<Segment>);

impl KeyPath {
    pub fn key(&self, key: &str) -> KeyPath {
        let mut path = self.clone();
        path.0.push(Segment::Key(key.to_string()));
        path
    }

    pub fn index(&self, index: usize) -> KeyPath {
        let mut path = self.clone();
        path.0.push(Segment::Index(index));
        path
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(key) if i == 0 => f.write_str(key)?,
                Segment::Key(key) => write!(f, ".{key}")?,
                Segment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

pub struct Locator {
    document: Option<Document<String>>,
    line_starts: Vec<usize>,
    text: String,
}

#[derive(Clone, Copy)]
enum Node<'a> {
    Item(&'a Item),
    Value(&'a Value),
    Table(&'a Table),
}

impl<'a> Node<'a> {
    fn span(&self) -> Option<std::ops::Range<usize>> {
        match self {
            Node::Item(item) => item.span(),
            Node::Value(value) => value.span(),
            Node::Table(table) => table.span(),
        }
    }

    fn child(&self, segment: &Segment) -> Option<Node<'a>> {
        match (*self, segment) {
            (Node::Item(item), Segment::Key(key)) => item.as_table_like()?.get(key).map(Node::Item),
            (Node::Value(value), Segment::Key(key)) => value.as_inline_table()?.get(key).map(Node::Value),
            (Node::Table(table), Segment::Key(key)) => table.get(key).map(Node::Item),
            (Node::Item(item), Segment::Index(i)) => match item.as_array_of_tables() {
                Some(tables) => tables.get(*i).map(Node::Table),
                None => item.as_array()?.get(*i).map(Node::Value),
            },
            (Node::Value(value), Segment::Index(i)) => value.as_array()?.get(*i).map(Node::Value),
            (Node::Table(_), Segment::Index(_)) => None,
        }
    }
}

impl Locator {
    pub fn new(text: &str) -> Locator {
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        Locator { document: Document::parse(text.to_string()).ok(), line_starts, text: text.to_string() }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let start = self.line_starts[line - 1];
        let column = self.text.get(start..offset.min(self.text.len())).map_or(1, |s| s.chars().count() + 1);
        (line, column)
    }

    /// The position of the deepest element of `path` present in the document.
    pub fn locate(&self, path: &KeyPath) -> Option<(usize, usize)> {
        let document = self.document.as_ref()?;
        let mut node = Node::Item(document.as_item());
        let mut span = None;
        for segment in &path.0 {
            match node.child(segment) {
                Some(child) => {
                    span = child.span().or(span);
                    node = child;
                }
                None => break,
            }
        }
        span.map(|s| self.position(s.start))
    }
}
