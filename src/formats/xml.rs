//! A small pull reader over `quick-xml` shared by the XML formats
//! (Cobertura, JaCoCo).
//!
//! Safety rules (docs/INPUTS.md §1.2): a DOCTYPE is skipped, never
//! resolved, so no external DTD or entity is ever fetched; entities other
//! than XML's five predefined ones and character references are never
//! expanded (quick-xml does not implement DTD entity expansion at all), so
//! an entity bomb stays a few bytes. An unknown entity in text is dropped
//! with a warning; in an attribute value it makes the file invalid.

use std::borrow::Cow;
use std::path::Path;

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use super::Diagnostics;
use crate::error::{Error, Result};

/// One start tag with its attributes, values unescaped.
#[derive(Debug)]
pub(crate) struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
}

impl Element {
    pub fn attr(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug)]
pub(crate) enum Node {
    /// A start tag; `true` when it is also its end (`<x/>`).
    Open(Element, bool),
    Close(String),
    Text(String),
}

pub(crate) struct XmlReader<'a> {
    reader: Reader<&'a [u8]>,
    text: &'a str,
    path: &'a Path,
    /// Line number at byte offset `counted`.
    line: usize,
    counted: usize,
    depth: usize,
    warned_entity: bool,
}

impl<'a> XmlReader<'a> {
    pub fn new(path: &'a Path, text: &'a str) -> Self {
        // quick-xml skips a BOM itself but then counts positions from after
        // it; strip it here so that our line numbers stay right.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let reader = Reader::from_str(text);
        XmlReader {
            reader,
            text,
            path,
            line: 1,
            counted: 0,
            depth: 0,
            warned_entity: false,
        }
    }

    /// The 1-based line of byte offset `pos` (offsets only grow).
    fn line_at(&mut self, pos: u64) -> usize {
        let pos = (pos as usize).min(self.text.len());
        if pos > self.counted {
            self.line += self.text.as_bytes()[self.counted..pos]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            self.counted = pos;
        }
        self.line
    }

    /// The line of the last node returned.
    pub fn error(&mut self, line: usize, message: impl Into<String>) -> Error {
        Error::parse(self.path, Some(line), message)
    }

    /// The next interesting node and the line it starts on; `None` at the
    /// end of the document. Comments, processing instructions, the XML
    /// declaration and the DOCTYPE are skipped.
    pub fn next(&mut self, diag: &mut Diagnostics) -> Result<Option<(Node, usize)>> {
        loop {
            let start = self.reader.buffer_position();
            let line = self.line_at(start);
            let event = match self.reader.read_event() {
                Ok(e) => e,
                Err(err) => {
                    let at = self.reader.error_position();
                    let line = self.line_at(at.max(start));
                    return Err(self.error(line, format!("invalid XML: {err}")));
                }
            };
            let node = match event {
                Event::Start(e) => {
                    self.depth += 1;
                    Node::Open(self.element(&e, line)?, false)
                }
                Event::Empty(e) => Node::Open(self.element(&e, line)?, true),
                Event::End(e) => {
                    self.depth = self.depth.saturating_sub(1);
                    Node::Close(String::from_utf8_lossy(e.local_name().as_ref()).into_owned())
                }
                Event::Text(t) => match t.xml10_content() {
                    Ok(s) => Node::Text(s.into_owned()),
                    Err(err) => return Err(self.error(line, format!("invalid text: {err}"))),
                },
                Event::CData(c) => Node::Text(String::from_utf8_lossy(&c).into_owned()),
                Event::GeneralRef(r) => {
                    if r.is_char_ref() {
                        match r.resolve_char_ref() {
                            Ok(Some(c)) => Node::Text(c.to_string()),
                            _ => {
                                return Err(self.error(line, "invalid character reference"));
                            }
                        }
                    } else {
                        let name = String::from_utf8_lossy(&r).into_owned();
                        match resolve_predefined_entity(&name) {
                            Some(s) => Node::Text(s.to_string()),
                            None => {
                                if !self.warned_entity {
                                    self.warned_entity = true;
                                    diag.warn(
                                        Some(line),
                                        format!(
                                            "entity &{name}; is not expanded (covmerge never \
                                             reads DTDs); it is left out of the text"
                                        ),
                                    );
                                }
                                continue;
                            }
                        }
                    }
                }
                Event::Eof => {
                    if self.depth > 0 {
                        return Err(self.error(
                            line,
                            "unexpected end of file: an element is not closed (truncated file?)",
                        ));
                    }
                    return Ok(None);
                }
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => continue,
            };
            return Ok(Some((node, line)));
        }
    }

    fn element(&mut self, e: &BytesStart<'_>, line: usize) -> Result<Element> {
        let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
        let mut attrs = Vec::new();
        for attr in e.attributes() {
            let attr =
                attr.map_err(|err| self.error(line, format!("bad attribute in <{name}>: {err}")))?;
            let key = String::from_utf8_lossy(attr.key.local_name().as_ref()).into_owned();
            let value: Cow<'_, str> = attr
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|err| self.error(line, format!("bad value of {name}/@{key}: {err}")))?;
            attrs.push((key, value.into_owned()));
        }
        Ok(Element { name, attrs })
    }
}

/// The name of the root element, skipping a BOM, whitespace, the XML
/// declaration, comments, processing instructions and a DOCTYPE (with its
/// internal subset). `None` if the text does not start like XML.
pub(crate) fn root_element(text: &str) -> Option<&str> {
    let mut rest = text.strip_prefix('\u{feff}').unwrap_or(text);
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("<?") {
            rest = &r[r.find("?>")? + 2..];
        } else if let Some(r) = rest.strip_prefix("<!--") {
            rest = &r[r.find("-->")? + 3..];
        } else if let Some(r) = rest.strip_prefix("<!DOCTYPE") {
            // Skip to the '>' that is not inside the internal subset or a quote.
            let mut in_subset = false;
            let mut quote: Option<char> = None;
            let mut end = None;
            for (i, c) in r.char_indices() {
                match (quote, c) {
                    (Some(q), c) if c == q => quote = None,
                    (Some(_), _) => {}
                    (None, '"' | '\'') => quote = Some(c),
                    (None, '[') => in_subset = true,
                    (None, ']') => in_subset = false,
                    (None, '>') if !in_subset => {
                        end = Some(i);
                        break;
                    }
                    _ => {}
                }
            }
            rest = &r[end? + 1..];
        } else if let Some(r) = rest.strip_prefix('<') {
            let end = r
                .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
                .unwrap_or(r.len());
            let name = &r[..end];
            // Ignore a namespace prefix.
            return Some(name.rsplit(':').next().unwrap_or(name));
        } else {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_element_skips_prolog() {
        let text = "\u{feff}<?xml version=\"1.0\"?>\n<!-- c -->\n<!DOCTYPE coverage SYSTEM \
                    'http://x/coverage-04.dtd' [<!ENTITY a \"b>\">]>\n<coverage a=\"1\">";
        assert_eq!(root_element(text), Some("coverage"));
        assert_eq!(root_element("<report name=\"x\"/>"), Some("report"));
        assert_eq!(root_element("{\"a\":1}"), None);
        assert_eq!(root_element("<?xml version=\"1.0\""), None);
    }

    #[test]
    fn entity_bomb_is_not_expanded() {
        let text = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<a><b>&lol3;</b></a>"#;
        let mut diag = Diagnostics::default();
        let mut r = XmlReader::new(Path::new("x.xml"), text);
        let mut texts = String::new();
        while let Some((node, _)) = r.next(&mut diag).unwrap() {
            if let Node::Text(t) = node {
                texts.push_str(&t);
            }
        }
        assert!(!texts.contains("lol"));
        assert_eq!(diag.warnings.len(), 1);
    }

    #[test]
    fn lines_and_errors() {
        let text = "<a>\r\n<b x=\"1\"/>\r\n<c>&amp;&#65;</c>\n</a>";
        let mut diag = Diagnostics::default();
        let mut r = XmlReader::new(Path::new("x.xml"), text);
        let mut seen = Vec::new();
        while let Some((node, line)) = r.next(&mut diag).unwrap() {
            if let Node::Open(e, _) = node {
                seen.push((e.name, line));
            }
        }
        assert_eq!(seen, [("a".into(), 1), ("b".into(), 2), ("c".into(), 3)]);
        let mut r = XmlReader::new(Path::new("x.xml"), "<a>\n<b>\n");
        let err = loop {
            match r.next(&mut diag) {
                Ok(Some(_)) => continue,
                Ok(None) => panic!("truncated XML accepted"),
                Err(e) => break e.to_string(),
            }
        };
        assert!(err.starts_with("x.xml:"), "{err}");
    }
}
