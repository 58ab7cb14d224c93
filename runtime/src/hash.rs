//! Digests for `States.Hash` and JSONata `$hash`.

use sha2::{Digest, Sha256};

/// Lowercase hex digest of `data`; `Err(None)` for an algorithm AWS does
/// not offer, `Err(Some(message))` for one this binary was built without.
/// SHA-256 is always there (task tokens and stable ids use it); the others
/// come with the `hashing` feature.
pub fn hex_digest(algorithm: &str, data: &[u8]) -> Result<String, Option<String>> {
    let bytes: Vec<u8> = match algorithm {
        #[cfg(feature = "hashing")]
        "MD5" => md5::Md5::digest(data).to_vec(),
        #[cfg(feature = "hashing")]
        "SHA-1" => sha1::Sha1::digest(data).to_vec(),
        #[cfg(feature = "hashing")]
        "SHA-384" => sha2::Sha384::digest(data).to_vec(),
        #[cfg(feature = "hashing")]
        "SHA-512" => sha2::Sha512::digest(data).to_vec(),
        #[cfg(not(feature = "hashing"))]
        "MD5" | "SHA-1" | "SHA-384" | "SHA-512" => {
            return Err(Some(crate::features::missing("hashing", "MD5, SHA-1, SHA-384 and SHA-512")))
        }
        "SHA-256" => Sha256::digest(data).to_vec(),
        _ => return Err(None),
    };
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
