//! Keyed names: the ids a key is made of (people, groups, steps, trial actions, codes,
//! events, chats) become HMACs under a key of the folder's own, kept in its keyring wrapped
//! by the master key (so rotating the master key changes no name). The folder then
//! holds no id anyone could look up, and no step id that gives an answer away (a `support`
//! step exists only when someone rated a situation 1 or 2); only the holder of the master key
//! can find a given person's records, as the app does.

use eftertanke_core::keyed::{hex, hmac};
use zeroize::Zeroizing;

/// The bytes of a name written into a key, as 32 hexadecimal digits.
const NAME_BYTES: usize = 16;

/// What kind of id a name stands for: the same id of two kinds gets two names.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// A person or a shared chat ("telegram:12345", "matrix-room:!abc:example.org").
    Person,
    Group,
    Step,
    Trial,
    Code,
    Event,
    /// What an outbox message is about ("reminder", "follow-up-r000003-trial").
    Tag,
    /// A citizen's shared idea (person, run, dialogue, step): the token a learning meeting
    /// knows it by.
    Idea,
}

impl Kind {
    fn label(self) -> &'static [u8] {
        match self {
            Kind::Person => b"person",
            Kind::Group => b"group",
            Kind::Step => b"step",
            Kind::Trial => b"trial",
            Kind::Code => b"code",
            Kind::Event => b"event",
            Kind::Tag => b"tag",
            Kind::Idea => b"idea",
        }
    }
}

/// Makes the keyed names of one data folder.
pub struct Names {
    key: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for Names {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Names(keyed)")
    }
}

impl Names {
    /// The names of the folder whose own key is `folder` (kept in its keyring).
    #[must_use]
    pub fn new(folder: &[u8; 32]) -> Names {
        Names {
            key: Zeroizing::new(hmac(folder, b"storage names")),
        }
    }

    /// The name of `id`, of `kind`, as it is written into keys.
    #[must_use]
    pub fn name(&self, kind: Kind, id: &str) -> String {
        hex(&self.raw(kind, id))
    }

    /// A person's name as the first bytes of a value sealed for them: which key opens it.
    #[must_use]
    pub fn tag(&self, person: &str) -> [u8; NAME_BYTES] {
        self.raw(Kind::Person, person)
    }

    fn raw(&self, kind: Kind, id: &str) -> [u8; NAME_BYTES] {
        let mut message = Vec::with_capacity(8 + id.len());
        message.extend_from_slice(kind.label());
        message.push(0);
        message.extend_from_slice(id.as_bytes());
        let mac = hmac(self.key.as_ref(), &message);
        let mut name = [0u8; NAME_BYTES];
        name.copy_from_slice(&mac[..NAME_BYTES]);
        name
    }
}

/// True for a part of a key that is a keyed name (what a folder of the old layout never has:
/// its ids hold a `:`, a `-` or letters beyond `f`, or are shorter).
#[must_use]
pub fn is_name(part: &[u8]) -> bool {
    part.len() == NAME_BYTES * 2 && part.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_differ_by_kind_and_key_and_look_like_nothing_else() {
        let one = Names::new(&[1; 32]);
        let two = Names::new(&[2; 32]);
        let person = one.name(Kind::Person, "telegram:12345");
        assert_eq!(person, one.name(Kind::Person, "telegram:12345"));
        assert_ne!(person, one.name(Kind::Group, "telegram:12345"));
        assert_ne!(person, two.name(Kind::Person, "telegram:12345"));
        assert!(is_name(person.as_bytes()));
        for old in ["telegram:12345", "gxrtcsyrs", "53SHP-EXRPP", "support", "-"] {
            assert!(!is_name(old.as_bytes()), "{old}");
        }
    }
}
