//! A local Telegram Bot API emulator (being written).
