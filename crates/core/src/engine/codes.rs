//! Invite codes and group ids from random bytes the caller supplies (the engine does no I/O).
//!
//! Codes are read aloud and typed on phones, so the alphabet leaves out what is easily
//! confused: 0/O, 1/I/l. Ten symbols from 31 give 49 bits, beyond guessing at the pace
//! /join allows; they are shown as `XXXXX-XXXXX` and read back in any case, with or without
//! the dash or spaces.

/// Digits 2-9 and capital letters without I, L and O.
const ALPHABET: &[u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
const CODE_SYMBOLS: usize = 10;
/// How many random bytes `new_group` needs (rejection sampling drops a few).
pub const ENTROPY_BYTES: usize = 64;

/// Hands out symbols from random bytes without bias: bytes at or above the largest multiple
/// of 31 are skipped.
struct Symbols<'a> {
    bytes: std::slice::Iter<'a, u8>,
}

impl Symbols<'_> {
    fn next_symbol(&mut self) -> char {
        const LIMIT: u8 = (256 / ALPHABET.len() * ALPHABET.len()) as u8;
        for &byte in self.bytes.by_ref() {
            if byte < LIMIT {
                return char::from(ALPHABET[usize::from(byte) % ALPHABET.len()]);
            }
        }
        // Out of bytes: only when the caller gave too few. A fixed symbol keeps the code
        // valid; the group-id and code collision check in the app catches the rest.
        char::from(ALPHABET[0])
    }

    fn take(&mut self, count: usize) -> String {
        (0..count).map(|_| self.next_symbol()).collect()
    }
}

/// A new group id and two invite codes (staff, citizen) from `entropy`.
#[must_use]
pub fn new_group(entropy: &[u8]) -> (String, String, String) {
    let mut symbols = Symbols {
        bytes: entropy.iter(),
    };
    let id = format!("g{}", symbols.take(8).to_lowercase());
    let staff = format_code(&symbols.take(CODE_SYMBOLS));
    let citizen = format_code(&symbols.take(CODE_SYMBOLS));
    (id, staff, citizen)
}

fn format_code(symbols: &str) -> String {
    let (a, b) = symbols.split_at(CODE_SYMBOLS / 2);
    format!("{a}-{b}")
}

/// Reads a typed code: case, spaces and dashes do not matter. `None` when it cannot be a
/// code at all (wrong length or a symbol outside the alphabet), without any lookup.
#[must_use]
pub fn normalize_code(text: &str) -> Option<String> {
    let symbols: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let valid = symbols.len() == CODE_SYMBOLS && symbols.bytes().all(|b| ALPHABET.contains(&b));
    valid.then(|| format_code(&symbols))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_use_only_unambiguous_symbols_and_read_back_in_any_form() {
        let entropy: Vec<u8> = (0..=255u8).cycle().skip(7).take(ENTROPY_BYTES).collect();
        let (id, staff, citizen) = new_group(&entropy);
        assert_eq!(id.len(), 9);
        assert_ne!(staff, citizen);
        for code in [&staff, &citizen] {
            assert_eq!(code.len(), 11);
            assert!(!code.contains(['0', 'O', '1', 'I', 'L', 'l']));
            assert_eq!(normalize_code(code).as_deref(), Some(code.as_str()));
            let typed = code.to_lowercase().replace('-', " ");
            assert_eq!(normalize_code(&typed).as_deref(), Some(code.as_str()));
        }
    }

    #[test]
    fn each_symbol_carries_almost_five_bits() {
        let bits = (ALPHABET.len() as f64).log2() * CODE_SYMBOLS as f64;
        assert!(bits >= 40.0, "{bits} bits");
    }

    #[test]
    fn sampling_is_unbiased_over_all_byte_values() {
        let entropy: Vec<u8> = (0..=255u8).collect();
        let mut symbols = Symbols {
            bytes: entropy.iter(),
        };
        let mut counts = [0usize; 31];
        for _ in 0..(256 / 31 * 31) {
            let c = symbols.next_symbol() as u8;
            counts[ALPHABET.iter().position(|&a| a == c).unwrap()] += 1;
        }
        assert!(counts.iter().all(|&n| n == 8), "{counts:?}");
    }

    #[test]
    fn impossible_codes_are_refused_without_a_lookup() {
        for text in [
            "",
            "ABCDE",
            "ABCDE-FGHJK-M",
            "ABCDE-FGH0K",
            "ABCDE-FGHIK",
            "ÆØÅÆØ-ÆØÅÆØ",
        ] {
            assert_eq!(normalize_code(text), None, "{text}");
        }
    }
}
