//! All integration tests in one test binary (faster to build than one binary each).

mod suite {
    pub mod bad_input;
    pub mod chat;
    #[cfg(feature = "telegram")]
    pub mod crash;
    pub mod groups;
    pub mod loader;
    pub mod month;
    pub mod privacy;
    pub mod roles;
    #[cfg(feature = "telegram")]
    pub mod telegram;
}
