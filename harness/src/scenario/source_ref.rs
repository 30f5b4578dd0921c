//! References in an `unconfirmed` trace: a passage of a source document
//! (`004_5f09b125d9b38bcd.txt#resize`) or lines of CPython's or pywin32's
//! source at a tag or commit (`cpython@v3.12.0:Modules/mmapmodule.c#L1110-L1118`).
//! An expectation not observed on its platform must say which of these it
//! was read from, so a reader can check it and a Windows run can confirm it.

use super::load::DOCUMENTS;

/// A repository a trace may point into, with its GitHub address.
const REPOSITORIES: &[(&str, &str)] = &[
    ("cpython", "https://github.com/python/cpython"),
    ("pywin32", "https://github.com/mhammond/pywin32"),
];

/// One reference found in a trace.
#[derive(Debug, PartialEq, Eq)]
pub enum SourceRef<'a> {
    /// `<document>#<section>` of `../shared/seeds/`.
    Document(&'a str),
    /// `<repo>@<ref>:<path>#L<n>[-L<m>]`, with its address on GitHub.
    Lines {
        /// As written.
        text: &'a str,
        /// `https://github.com/<owner>/<repo>/blob/<ref>/<path>#L<n>[-L<m>]`.
        url: String,
    },
}

/// The references in `trace`, or what is wrong with one of them.
///
/// # Errors
///
/// A word that starts like a source reference (`cpython@`, `pywin32@`) but
/// is malformed, or a trace with no reference at all.
pub fn parse(trace: &str) -> Result<Vec<SourceRef<'_>>, String> {
    let mut out = vec![];
    for word in trace.split_whitespace() {
        let word = word
            .trim_start_matches(['(', '"', '\''])
            .trim_end_matches(['.', ',', ';', ':', ')', '"', '\'']);
        if let Some((repo, rest)) = word.split_once('@') {
            if let Some((_, base)) = REPOSITORIES.iter().find(|(name, _)| *name == repo) {
                out.push(lines(word, base, rest)?);
                continue;
            }
        }
        if let Some((doc, section)) = word.split_once('#') {
            if DOCUMENTS.contains(&doc) && !section.is_empty() {
                out.push(SourceRef::Document(word));
            }
        }
    }
    if out.is_empty() {
        return Err(format!(
            "expected a trace naming its source: a document passage (`004_5f09b125d9b38bcd.txt#resize`) \
             or source lines (`cpython@v3.12.0:Modules/mmapmodule.c#L1110-L1118`, `pywin32@<commit>:<path>#L<n>`), \
             found {trace:?}"
        ));
    }
    Ok(out)
}

fn lines<'a>(word: &'a str, base: &str, rest: &str) -> Result<SourceRef<'a>, String> {
    let bad = || {
        format!(
            "expected `<repo>@<tag or commit>:<path>#L<n>` or `…#L<n>-L<m>` with n ≤ m, found {word:?}"
        )
    };
    let (git_ref, path_lines) = rest.split_once(':').ok_or_else(bad)?;
    let (path, range) = path_lines.split_once("#L").ok_or_else(bad)?;
    let (first, last) = match range.split_once("-L") {
        Some((a, b)) => (a, Some(b)),
        None => (range, None),
    };
    let number = |s: &str| s.parse::<u32>().ok().filter(|n| *n > 0);
    let first = number(first).ok_or_else(bad)?;
    if let Some(last) = last {
        if number(last).is_none_or(|last| last < first) {
            return Err(bad());
        }
    }
    if git_ref.is_empty() || path.is_empty() || path.starts_with('/') {
        return Err(bad());
    }
    Ok(SourceRef::Lines {
        text: word,
        url: format!("{base}/blob/{git_ref}/{path}#L{range}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traces_name_documents_and_source_lines() {
        let refs = parse(
            "is_resizeable runs first (cpython@v3.12.0:Modules/mmapmodule.c#L803-L812); \
             004_5f09b125d9b38bcd.txt#resize.",
        )
        .unwrap();
        assert_eq!(
            refs,
            vec![
                SourceRef::Lines {
                    text: "cpython@v3.12.0:Modules/mmapmodule.c#L803-L812",
                    url: "https://github.com/python/cpython/blob/v3.12.0/Modules/mmapmodule.c#L803-L812"
                        .into()
                },
                SourceRef::Document("004_5f09b125d9b38bcd.txt#resize"),
            ]
        );
    }

    #[test]
    fn malformed_or_missing_references_are_refused() {
        for bad in [
            "cpython@v3.12.0:Modules/mmapmodule.c",
            "cpython@v3.12.0:Modules/mmapmodule.c#L9-L3",
            "cpython@:Modules/mmapmodule.c#L9",
            "pywin32@main:/abs.cpp#L1",
            "read it in the source",
            "999_unknown.txt#resize",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
