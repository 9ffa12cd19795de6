//! Generates `Msg`, the typed list of user-visible texts, from `locales/*.ftl`.
//!
//! Each locale file holds `key = text` lines. The build fails when the files do not define the same
//! keys, so a text can never be missing in one language.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::{env, fs, path::Path};

const LOCALES: [(&str, &str); 2] = [("Da", "locales/da.ftl"), ("En", "locales/en.ftl")];

fn main() {
    let mut tables = Vec::new();
    for (lang, path) in LOCALES {
        println!("cargo:rerun-if-changed={path}");
        let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
        tables.push((lang, path, parse(path, &text)));
    }
    let keys: Vec<&String> = tables[0].2.keys().collect();
    for (_, path, table) in &tables[1..] {
        let other: Vec<&String> = table.keys().collect();
        if other != keys {
            let missing: Vec<_> = keys.iter().filter(|k| !table.contains_key(**k)).collect();
            let extra: Vec<_> = other
                .iter()
                .filter(|k| !tables[0].2.contains_key(**k))
                .collect();
            panic!(
                "{path} does not match {}: missing {missing:?}, extra {extra:?}",
                tables[0].1
            );
        }
    }

    let mut out = String::from(
        "/// A user-visible text; `text(lang)` gives it in one language.\n\
         #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\n\
         #[allow(missing_docs)]\npub enum Msg {\n",
    );
    for key in &keys {
        let _ = writeln!(out, "    {},", variant(key));
    }
    out.push_str("}\n\nimpl Msg {\n    /// The text in `lang`.\n    pub fn text(self, lang: Lang) -> &'static str {\n        match lang {\n");
    for (lang, _, table) in &tables {
        let _ = writeln!(out, "            Lang::{lang} => match self {{");
        for (key, value) in table {
            let _ = writeln!(out, "                Msg::{} => {:?},", variant(key), value);
        }
        out.push_str("            },\n");
    }
    out.push_str("        }\n    }\n\n    /// The key as written in the locale files.\n    pub fn key(self) -> &'static str {\n        match self {\n");
    for key in &keys {
        let _ = writeln!(out, "            Msg::{} => {:?},", variant(key), key);
    }
    out.push_str("        }\n    }\n}\n");

    let dest = Path::new(&env::var("OUT_DIR").expect("OUT_DIR")).join("messages.rs");
    fs::write(dest, out).expect("writing messages.rs");
}

fn parse(path: &str, text: &str) -> BTreeMap<String, String> {
    let mut table = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .unwrap_or_else(|| panic!("{path}:{}: expected `key = text`", n + 1));
        let key = key.trim();
        assert!(
            !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
            "{path}:{}: keys are lower_snake_case",
            n + 1
        );
        if table
            .insert(key.to_owned(), value.trim().to_owned())
            .is_some()
        {
            panic!("{path}:{}: duplicate key {key}", n + 1);
        }
    }
    table
}

fn variant(key: &str) -> String {
    key.split('_')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}
