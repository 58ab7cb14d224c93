//! Digests for `States.Hash` and JSONata `$hash`.

use sha2::{Digest, Sha256, Sha384, Sha512};

/// Lowercase hex digest of `data`; `Err(None)` for an algorithm AWS does
/// not offer, `Err(Some(message))` for one this binary was built without.
pub fn hex_digest(algorithm: &str, data: &[u8]) -> Result<String, Option<String>> {
    let bytes: Vec<u8> = match algorithm {
        #[cfg(feature = "hashing")]
        "MD5" => md5::Md5::digest(data).to_vec(),
        #[cfg(feature = "hashing")]
        "SHA-1" => sha1::Sha1::digest(data).to_vec(),
        #[cfg(not(feature = "hashing"))]
        "MD5" | "SHA-1" => return Err(Some(crate::features::missing("hashing", "MD5 and SHA-1"))),
        "SHA-256" => Sha256::digest(data).to_vec(),
        "SHA-384" => Sha384::digest(data).to_vec(),
        "SHA-512" => Sha512::digest(data).to_vec(),
        _ => return Err(None),
    };
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
