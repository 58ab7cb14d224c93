//! Embeds the runtime crate's sources (and the workspace lockfile) in aslc,
//! so an installed aslc can write them out for the crates it generates
//! after the source tree is gone.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs" || e == "json") {
            out.push(p);
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let runtime = manifest.join("../runtime");
    let lock = manifest.join("../Cargo.lock");
    println!("cargo:rerun-if-changed={}", runtime.display());
    println!("cargo:rerun-if-changed={}", lock.display());
    let mut files = vec![runtime.join("Cargo.toml")];
    walk(&runtime.join("src"), &mut files);
    // FNV-1a over every file, to name the cache folder of this exact runtime.
    let mut hash: u64 = 0xcbf29ce484222325;
    let mut table = String::from("pub const RUNTIME_FILES: &[(&str, &str)] = &[\n");
    for f in &files {
        let rel = f.strip_prefix(&runtime).expect("under runtime/").to_string_lossy().replace('\\', "/");
        for b in std::fs::read(f).expect("runtime file is readable").iter().chain(rel.as_bytes()) {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x100000001b3);
        }
        writeln!(table, "    ({rel:?}, include_str!({:?})),", f.display().to_string()).expect("write to string");
    }
    table.push_str("];\n");
    writeln!(table, "pub const RUNTIME_HASH: &str = \"{hash:016x}\";").expect("write to string");
    writeln!(table, "pub const LOCKFILE: &str = include_str!({:?});", lock.display().to_string())
        .expect("write to string");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded.rs");
    std::fs::write(out, table).expect("OUT_DIR is writable");
}
