//! All integration tests in one test binary (faster to build than one binary each).

// Test code: helpers may unwrap and panic like the tests they serve (clippy.toml allows it in
// `#[test]` functions only).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// matrix-sdk's futures nest deeply (matrix-rust-sdk#6551).
#![recursion_limit = "256"]

mod suite {
    #[cfg(feature = "telegram")]
    pub mod backup;
    pub mod bad_input;
    pub mod chat;
    #[cfg(feature = "telegram")]
    pub mod crash;
    pub mod groups;
    pub mod loader;
    #[cfg(feature = "matrix")]
    pub mod matrix;
    pub mod metadata;
    #[cfg(feature = "telegram")]
    pub mod metrics;
    pub mod month;
    pub mod privacy;
    pub mod roles;
    #[cfg(feature = "telegram")]
    pub mod telegram;
}
