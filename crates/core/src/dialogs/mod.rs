//! Dialogues as data: `dialogs/*.toml` → raw serde structs → a validated [`Catalog`].

mod load;
mod model;

pub use load::{catalog_from_sources, load_catalog, DialogError, MAX_STEPS, MAX_TEXT_LIMIT};
pub use model::{
    AnswerKind, Audience, Branch, Catalog, ChoiceOption, Condition, Dialogue, Purpose, Role, Step,
    Target, TRIAL_STATES,
};
