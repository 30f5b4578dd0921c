//! Traceability: every sentence of the Python documents the specs derive
//! from (`../shared/seeds/`) maps to the scenarios that check it, or says
//! why none can (`traceability.yaml` at the repository's root).
//!
//! A document's text is cleaned of its markup (LaTeX commands, HTML tags
//! and entities, the page around the reference) and split into sentences.
//! An entry quotes one or more consecutive sentences, whole, as the cleaned
//! text reads; they match when their letters and digits match, so spacing
//! and punctuation left over from the markup do not matter.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::catalogue::Observations;
use crate::scenario::Scenario;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TraceDoc {
    documents: Vec<Spanned<DocumentDoc>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DocumentDoc {
    document: String,
    begins: String,
    ends: String,
    sentences: Vec<Spanned<EntryDoc>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryDoc {
    text: String,
    #[serde(default)]
    scenarios: Vec<String>,
    #[serde(default)]
    untestable: Option<String>,
}

/// How one entry is accounted for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Account {
    /// These scenarios check it.
    Scenarios(Vec<String>),
    /// Nothing can check it, for this reason.
    Untestable(String),
}

/// One row of the table: a sentence of a document and how it is accounted for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The sentence, as the cleaned document reads.
    pub sentence: String,
    /// `None`: a gap.
    pub account: Option<Account>,
}

/// The table of one document.
#[derive(Clone, Debug)]
pub struct DocumentTrace {
    /// The document's file name.
    pub document: String,
    /// Its sentences in order.
    pub rows: Vec<Row>,
}

/// Reads `path` (the list) against the documents in `seeds_dir` and the
/// scenario ids of the corpus; errors name the file and line and what was
/// expected.
pub fn load(
    path: &Path,
    seeds_dir: &Path,
    scenarios: &[Scenario],
) -> Result<Vec<DocumentTrace>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let doc: TraceDoc = serde_saphyr::from_str(&text).map_err(|e| {
        let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
        format!("{}:{line}:{column}: {e}", path.display())
    })?;
    let ids: BTreeSet<&str> = scenarios.iter().map(|s| s.id.as_str()).collect();
    let mut out = vec![];
    let mut errors = vec![];
    for d in doc.documents {
        let at = format!("{}:{}", path.display(), d.referenced.line());
        let d = d.value;
        let raw = std::fs::read_to_string(seeds_dir.join(&d.document))
            .map_err(|e| format!("{at}: cannot read the document {}: {e}", d.document))?;
        let sentences = match region(&clean(&raw), &d.begins, &d.ends) {
            Ok(region) => split(&region),
            Err(why) => return Err(format!("{at}: {why}")),
        };
        let keys: Vec<String> = sentences.iter().map(|s| key(s)).collect();
        let mut accounts: Vec<Option<Account>> = vec![None; sentences.len()];
        for entry in d.sentences {
            let at = format!("{}:{}", path.display(), entry.referenced.line());
            let e = entry.value;
            let account = match (e.scenarios.is_empty(), e.untestable) {
                (false, None) => {
                    for id in &e.scenarios {
                        if !ids.contains(id.as_str()) {
                            errors.push(format!("{at}: no scenario has the id {id:?}"));
                        }
                    }
                    Account::Scenarios(e.scenarios)
                }
                (true, Some(why)) if !why.trim().is_empty() => Account::Untestable(why),
                _ => {
                    errors.push(format!(
                        "{at}: expected either `scenarios` (a non-empty list) or `untestable` (a reason)"
                    ));
                    continue;
                }
            };
            let covered = consecutive(&keys, &key(&e.text));
            if covered.is_empty() {
                errors.push(format!(
                    "{at}: the text is not one or more whole sentences of {}: {:?}",
                    d.document, e.text
                ));
            }
            for i in covered {
                accounts[i] = Some(account.clone());
            }
        }
        out.push(DocumentTrace {
            document: d.document,
            rows: sentences
                .into_iter()
                .zip(accounts)
                .map(|(sentence, account)| Row { sentence, account })
                .collect(),
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors.join("\n"))
    }
}

/// The sentences, consecutive, whose keys together make `entry`: every
/// run of them that does, so that a sentence repeated in a document is
/// accounted for wherever it stands.
fn consecutive(keys: &[String], entry: &str) -> Vec<usize> {
    let mut out = vec![];
    for start in 0..keys.len() {
        let mut joined = String::new();
        for (end, k) in keys.iter().enumerate().skip(start) {
            joined.push_str(k);
            if !entry.starts_with(joined.as_str()) {
                break;
            }
            if joined.len() == entry.len() {
                out.extend(start..=end);
                break;
            }
        }
    }
    out
}

/// The repository's list, `traceability.yaml` at its root.
pub fn repository_path() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .unwrap_or(manifest)
        .join("traceability.yaml")
}

/// `text` without markup: no `<script>`/`<style>` blocks, tags, entities
/// or LaTeX commands, and single spaces.
pub fn clean(text: &str) -> String {
    let mut s = text.to_owned();
    for block in ["script", "style"] {
        while let Some(start) = s.find(&format!("<{block}")) {
            let end = s[start..]
                .find(&format!("</{block}>"))
                .map_or(s.len(), |e| start + e + block.len() + 3);
            s.replace_range(start..end, " ");
        }
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '<' => {
                // A tag: skip to its end; only a block tag separates words.
                let mut tag = String::new();
                for c in chars.by_ref() {
                    if c == '>' {
                        break;
                    }
                    tag.push(c);
                }
                let name: String = tag
                    .trim_start_matches('/')
                    .chars()
                    .take_while(char::is_ascii_alphanumeric)
                    .collect();
                if !INLINE_TAGS.contains(&name.as_str()) {
                    out.push(' ');
                }
            }
            '\\' if chars.peek().is_some_and(char::is_ascii_alphabetic) => {
                // A LaTeX command name; its braces' contents stay, except an
                // environment's name (`\begin{methoddesc}`).
                let mut name = String::new();
                while let Some(&c) = chars.peek().filter(|c| c.is_ascii_alphabetic()) {
                    name.push(c);
                    chars.next();
                }
                if (name == "begin" || name == "end") && chars.peek() == Some(&'{') {
                    for c in chars.by_ref() {
                        if c == '}' {
                            break;
                        }
                    }
                }
                out.push(' ');
            }
            '{' | '}' => {}
            c => out.push(c),
        }
    }
    let entities = [
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&para;", ""),
        ("&#182;", ""),
        ("&nbsp;", " "),
        ("&amp;", "&"),
    ];
    for (from, to) in entities {
        out = out.replace(from, to);
    }
    let spaced = out
        .replace('¶', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    // No space before closing punctuation (left where markup stood).
    let mut tidy = String::with_capacity(spaced.len());
    for c in spaced.chars() {
        if matches!(c, '.' | ',' | ';' | ':' | ')' | '?' | '!') && tidy.ends_with(' ') {
            tidy.pop();
        }
        tidy.push(c);
    }
    tidy
}

/// HTML tags that do not separate words.
const INLINE_TAGS: &[&str] = &[
    "a", "tt", "span", "em", "big", "strong", "code", "cite", "b", "i",
];

/// The part of `text` from `begins` to the end of `ends`.
fn region(text: &str, begins: &str, ends: &str) -> Result<String, String> {
    let start = text
        .find(begins)
        .ok_or_else(|| format!("`begins` {begins:?} is not in the cleaned document"))?;
    let end = text[start..]
        .find(ends)
        .map(|e| start + e + ends.len())
        .ok_or_else(|| format!("`ends` {ends:?} is not in the cleaned document after `begins`"))?;
    Ok(text[start..end].to_owned())
}

/// Sentences: a split after `.`, `?` or `!` and a space, unless the
/// period ends an abbreviation (`e.g. the` stays whole).
fn split(text: &str) -> Vec<String> {
    const ABBREVIATIONS: &[&str] = &["e.g.", "i.e.", "etc.", "vs.", "cf."];
    let mut out = vec![];
    let mut start = 0;
    let bytes = text.as_bytes();
    for i in 0..bytes.len() {
        // ASCII punctuation, so `i` is a character boundary.
        if !matches!(bytes[i], b'.' | b'?' | b'!') || bytes.get(i + 1) != Some(&b' ') {
            continue;
        }
        let word_start = text[..i].rfind(' ').map_or(0, |w| w + 1);
        let word = &text[word_start..=i];
        if !ABBREVIATIONS.iter().any(|a| word.eq_ignore_ascii_case(a)) {
            out.push(text[start..=i].trim().to_owned());
            start = i + 2;
        }
    }
    if start < text.len() {
        out.push(text[start..].trim().to_owned());
    }
    out.retain(|s| !key(s).is_empty());
    out
}

/// The letters and digits of `s`, lower-cased: what two quotations of a
/// sentence must share.
fn key(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Writes the table: each sentence, how it is accounted for, and what the
/// recorded run saw on CPython for its scenarios. Returns the number of
/// sentences accounted for by nothing.
pub fn write_table(
    out: &mut impl Write,
    traces: &[DocumentTrace],
    obs: &Observations,
) -> io::Result<usize> {
    let mut gaps = 0;
    for t in traces {
        let (mut checked, mut untestable) = (0, 0);
        writeln!(out, "{}", t.document)?;
        for (i, row) in t.rows.iter().enumerate() {
            let shown: String = row.sentence.chars().take(90).collect();
            let ellipsis = if row.sentence.chars().count() > 90 {
                "…"
            } else {
                ""
            };
            writeln!(out, "  {:>3} {shown}{ellipsis}", i + 1)?;
            match &row.account {
                Some(Account::Scenarios(ids)) => {
                    checked += 1;
                    writeln!(out, "      -> {} [{}]", ids.join(", "), verdicts(ids, obs))?;
                }
                Some(Account::Untestable(why)) => {
                    untestable += 1;
                    writeln!(out, "      untestable: {why}")?;
                }
                None => {
                    gaps += 1;
                    writeln!(out, "      GAP: no scenario and no reason")?;
                }
            }
        }
        writeln!(
            out,
            "  {} sentences: {checked} checked, {untestable} untestable, {} gaps\n",
            t.rows.len(),
            t.rows.len() - checked - untestable
        )?;
    }
    Ok(gaps)
}

/// What the recorded run saw of `ids` on the CPythons: `pass on cpython*`,
/// or the failing pairs.
fn verdicts(ids: &[String], obs: &Observations) -> String {
    let mut failing: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut recorded = false;
    for id in ids {
        let Some(results) = obs.results.get(id) else {
            continue;
        };
        for (imp, o) in results {
            if imp.starts_with("cpython") || imp == "reference" {
                recorded = true;
                if o.verdict != "pass" && o.verdict != "not applicable" {
                    failing.entry(id).or_default().push(imp);
                }
            }
        }
    }
    if !recorded {
        return "not recorded".into();
    }
    if failing.is_empty() {
        return "pass on the reference and every CPython recorded".into();
    }
    failing
        .iter()
        .map(|(id, imps)| format!("{id} fails on {}", imps.join(", ")))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_cleaned_and_sentences_split() {
        let latex = r"\method{seek()} through the file. A \var{length} of 0 maps it, e.g. all.";
        assert_eq!(
            split(&clean(latex)),
            [
                "seek() through the file.",
                "A length of 0 maps it, e.g. all."
            ]
        );
        let html = "<script>x</script><p>Returns <tt class=\"x\">-1</tt> &amp; more.</p>";
        assert_eq!(clean(html), "Returns -1 & more.");
        assert_eq!(key("  Return -1, e.g. (a)"), "return1ega");
        assert_eq!(
            split("It’s here. Then, e.g. so."),
            ["It’s here.", "Then, e.g. so."]
        );
    }
}
