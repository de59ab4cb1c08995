//! The write token: requests that change the ledger carry `Authorization: Bearer <token>`.
//!
//! The server keeps only the SHA-256 digest of the token and compares the digest of what
//! a client sends with it in constant time (`subtle`), so neither the token's length nor
//! the position of the first differing byte shows in the time an answer takes.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The environment variable the token comes from.
pub const TOKEN_ENV: &str = "BAMBOO_TOKEN";

/// Why a token cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("the operating system's random number generator failed: {0}")]
    Rng(String),
    #[error("{TOKEN_ENV} is set but {0}; use at least 16 printable characters without spaces, or unset it to have one generated")]
    Weak(&'static str),
}

/// The digest of the write token.
#[derive(Clone)]
pub struct Token {
    digest: [u8; 32],
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(<secret>)")
    }
}

fn digest(s: &[u8]) -> [u8; 32] {
    Sha256::digest(s).into()
}

impl Token {
    /// A token from a secret given by the operator (e.g. `BAMBOO_TOKEN`).
    pub fn from_secret(secret: &str) -> Result<Token, TokenError> {
        if secret.len() < 16 {
            return Err(TokenError::Weak("shorter than 16 characters"));
        }
        if !secret.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(TokenError::Weak(
                "contains spaces or characters that cannot travel in a header",
            ));
        }
        Ok(Token {
            digest: digest(secret.as_bytes()),
        })
    }

    /// A fresh token from the OS random number generator: 32 random bytes as 64 hex digits.
    /// Returns the token and its text, which the caller shows to the operator once.
    pub fn generate() -> Result<(Token, String), TokenError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| TokenError::Rng(e.to_string()))?;
        let text: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        Ok((
            Token {
                digest: digest(text.as_bytes()),
            },
            text,
        ))
    }

    /// Whether `given` is the token, in time independent of where they differ.
    pub fn matches(&self, given: &str) -> bool {
        bool::from(digest(given.as_bytes()).ct_eq(&self.digest))
    }
}

/// The token of an `Authorization: Bearer <token>` header. The scheme is matched without
/// regard to case (`Bearer`, `bearer`, `BEARER`), as RFC 7235 says auth schemes are; one or
/// more spaces or tabs separate it from the token.
pub fn bearer_token(h: &str) -> Option<&str> {
    let h = h.trim_start();
    let split = h.find([' ', '\t'])?;
    let (scheme, rest) = h.split_at(split);
    let token = rest.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_are_long_random_and_match_only_themselves() {
        let (t, text) = Token::generate().unwrap();
        let (_, other) = Token::generate().unwrap();
        assert_eq!(text.len(), 64);
        assert_ne!(text, other);
        assert!(t.matches(&text));
        assert!(!t.matches(&other));
        assert!(!t.matches(""));
        assert!(!t.matches(&text[..63]));
    }

    #[test]
    fn the_scheme_is_case_insensitive() {
        for h in [
            "Bearer t0k",
            "bearer t0k",
            "BEARER t0k",
            "BeArEr   t0k ",
            "Bearer\tt0k",
        ] {
            assert_eq!(bearer_token(h), Some("t0k"), "{h}");
        }
        for h in ["Basic t0k", "Bearer", "Bearer ", "Bearert0k", "t0k"] {
            assert_eq!(bearer_token(h), None, "{h}");
        }
    }

    #[test]
    fn weak_secrets_are_refused_with_a_reason() {
        assert!(Token::from_secret("short").is_err());
        assert!(Token::from_secret("has a space in it!!").is_err());
        let t = Token::from_secret("correct-horse-battery-staple").unwrap();
        assert!(t.matches("correct-horse-battery-staple"));
        assert!(!format!("{t:?}").contains("horse"));
    }
}
