//! Commands (/reflect, /try, /stop, /back, /language, /trials, /followup) and the menus they
//! show; the group commands are in `groups.rs`.

use super::parse;
use super::{EngineError, Reply, ReplyChoice, Turn};
use crate::command::{help_lines, Command, Listed};
use crate::dialogs::{Purpose, Role};
use crate::i18n::Lang;
use crate::records::{ActiveRun, Pending, TrialAction, TrialDraft, Value, Write};

/// The answers to "Do you want to stop?", in the order shown.
const STOP_CHOICES: [&str; 3] = ["stop-keep", "stop-discard", "stop-continue"];

impl Turn<'_, '_> {
    pub(super) fn command(&mut self, command: Command, arg: &str) -> Result<(), EngineError> {
        match command {
            Command::Start => {
                self.conv.pending = None;
                self.greet()
            }
            Command::Help => {
                self.help()?;
                if self.conv.active.is_some() && self.conv.pending.is_none() {
                    self.ask_current()?;
                }
                Ok(())
            }
            Command::Reflect => self.reflect(arg),
            Command::Try => self.try_something(),
            Command::Stop => self.stop(),
            Command::Back => self.back(),
            Command::Language => self.language(arg),
            Command::Trials => self.list_trials(),
            Command::FollowUp => self.follow_up(arg),
            Command::Join => self.join(arg),
            Command::NewGroup => self.new_group(arg),
            Command::NewCodes => self.new_codes(arg),
            Command::Members => self.members(),
            Command::Digest => self.digest(),
            Command::Groups => self.list_groups(),
            Command::Group => self.choose_group_command(arg),
            Command::Name => self.shown_name(arg),
            Command::Remind => self.remind(arg),
            Command::Consent => self.consent_command(),
            Command::Forget => self.forget_command(),
            Command::MyData => self.my_data(),
            Command::Leave => self.leave(arg),
            Command::Remove => self.remove(arg),
            Command::Facilitator => self.toggle_facilitator(arg),
            Command::Meeting => self.meeting(),
            Command::News => self.news(arg),
            // Said in a group chat, where the channel answers; in a private chat, a note and
            // the chats linked now.
            Command::LinkDigest => {
                self.say("link-in-group", &[])?;
                self.linked_chats("", false)
            }
            Command::UnlinkDigest => self.linked_chats(arg, true),
        }
    }

    /// The help: how to answer, then a line for each command; facilitators' commands too for
    /// those who may make groups.
    fn help(&mut self) -> Result<(), EngineError> {
        let lang = self.conv.lang;
        let locales = self.engine.locales;
        let mut lines = vec![self.text("help", &[])?];
        lines.extend(help_lines(locales, lang, Listed::Everyone)?);
        if self.may_create_groups() {
            lines.push(String::new());
            lines.push(self.text("help-facilitator", &[])?);
            lines.extend(help_lines(locales, lang, Listed::Facilitators)?);
        }
        self.replies.push(Reply::plain(lines.join("\n")));
        Ok(())
    }

    pub(super) fn reflect(&mut self, arg: &str) -> Result<(), EngineError> {
        if self.conv.active.is_some() {
            self.say("reflect-busy", &[])?;
            return self.ask_current();
        }
        if self.ask_group_if_unclear(false)? {
            return Ok(());
        }
        if !arg.is_empty() {
            if let Some(id) = self.menu_pick(arg)? {
                return self.start(&id, None);
            }
        }
        self.show_menu()
    }

    /// /try: a trial action on its own, outside a reflection.
    pub(super) fn try_something(&mut self) -> Result<(), EngineError> {
        if self.conv.active.is_some() {
            self.say("reflect-busy", &[])?;
            return self.ask_current();
        }
        if self.ask_group_if_unclear(true)? {
            return Ok(());
        }
        let dialogue = self
            .engine
            .catalog
            .for_purpose(self.conv.role, Purpose::Trial)
            .map(|d| d.id.clone());
        match dialogue {
            Some(id) => self.start(&id, None),
            None => {
                self.say("unknown-command", &[])?;
                self.repeat_prompt()
            }
        }
    }

    pub(super) fn menu_titles(&self) -> Result<Vec<(String, String)>, EngineError> {
        self.engine
            .catalog
            .menu(self.conv.role)
            .map(|d| Ok((d.id.clone(), self.text(&d.title, &[])?)))
            .collect()
    }

    pub(super) fn menu_pick(&self, text: &str) -> Result<Option<String>, EngineError> {
        let menu = self.menu_titles()?;
        let titles: Vec<String> = menu.iter().map(|(_, title)| title.clone()).collect();
        let by_title = parse::parse_choice(text, &titles).map(|i| menu[i].0.clone());
        Ok(by_title.or_else(|| {
            let id = parse::normalize(text);
            menu.iter().find(|(d, _)| *d == id).map(|(d, _)| d.clone())
        }))
    }

    pub(super) fn show_menu(&mut self) -> Result<(), EngineError> {
        self.conv.pending = Some(Pending::Dialogue);
        let menu = self.menu_titles()?;
        let text = self.text("menu", &[])?;
        let choices = menu
            .into_iter()
            .enumerate()
            .map(|(i, (_, title))| ReplyChoice {
                label: title,
                reply: (i + 1).to_string(),
                button: None,
            })
            .collect();
        self.ask(text, choices);
        Ok(())
    }

    pub(super) fn choose_dialogue(&mut self, text: &str) -> Result<(), EngineError> {
        match self.menu_pick(text)? {
            Some(id) => {
                self.conv.pending = None;
                self.start(&id, None)
            }
            None => {
                let count = self.menu_titles()?.len();
                self.say("reask-menu", &[("count", count.into())])?;
                self.show_menu()
            }
        }
    }

    /// Begins a run of dialogue `id`; `follows` is the trial action a follow-up looks back on.
    /// A run not `kept` stores nothing (no consent; see `privacy`).
    pub(super) fn begin(
        &mut self,
        id: &str,
        follows: Option<TrialAction>,
        kept: bool,
    ) -> Result<(), EngineError> {
        let Some(dialogue) = self.engine.catalog.get(id) else {
            return self.show_menu();
        };
        let (first, intro) = (dialogue.steps[0].id.clone(), dialogue.intro.clone());
        self.conv.runs_started += 1;
        self.conv.pending = None;
        self.conv.active = Some(ActiveRun {
            run: format!("r{:06}", self.conv.runs_started),
            dialogue: id.to_owned(),
            step: first,
            path: Vec::new(),
            answers: Default::default(),
            draft: None,
            // A follow-up counts for its trial action's group, while the person is in it.
            group: match &follows {
                Some(trial) => trial
                    .group
                    .clone()
                    .filter(|g| self.conv.memberships.iter().any(|m| &m.group == g)),
                None => self.conv.group.clone(),
            },
            follows: follows.clone(),
            started_at: self.now,
            kept,
            trial_principles: Default::default(),
        });
        if let Some(intro) = intro {
            let what = follows.as_ref().map(|t| t.what.clone()).unwrap_or_default();
            self.say(&intro, &[("trial", what.into())])?;
        }
        if let Some(sign) = follows.and_then(|t| t.sign) {
            self.say("follow-up-sign", &[("sign", sign.into())])?;
        }
        self.ask_current()
    }

    pub(super) fn stop(&mut self) -> Result<(), EngineError> {
        if self.conv.active.is_none() {
            self.conv.pending = None;
            return self.say("stop-nothing", &[]);
        }
        self.conv.pending = Some(Pending::ConfirmStop);
        self.ask_confirm_stop()
    }

    pub(super) fn ask_confirm_stop(&mut self) -> Result<(), EngineError> {
        let text = self.text("stop-confirm", &[])?;
        let choices = STOP_CHOICES
            .iter()
            .enumerate()
            .map(|(i, id)| {
                Ok(ReplyChoice {
                    label: self.text(id, &[])?,
                    reply: (i + 1).to_string(),
                    button: None,
                })
            })
            .collect::<Result<_, EngineError>>()?;
        self.ask(text, choices);
        Ok(())
    }

    pub(super) fn confirm_stop(&mut self, text: &str) -> Result<(), EngineError> {
        let labels = STOP_CHOICES
            .iter()
            .map(|id| self.text(id, &[]))
            .collect::<Result<Vec<_>, _>>()?;
        match parse::parse_choice(text, &labels) {
            Some(0) => {
                self.conv.pending = None;
                let unfinished = self.keep_trial_draft();
                let kept = self.conv.active.as_ref().is_none_or(|run| run.kept);
                if let Some(run) = self.conv.active.take() {
                    self.write_follow_up_outcome(&run);
                }
                self.say(
                    if kept {
                        "stopped-kept"
                    } else {
                        "stopped-not-kept"
                    },
                    &[],
                )?;
                if unfinished {
                    self.say("stopped-trial-unfinished", &[])?;
                }
                Ok(())
            }
            Some(1) => {
                self.conv.pending = None;
                if let Some(run) = self.conv.active.take() {
                    self.writes.push(Write::DiscardRun { run: run.run });
                }
                self.say("stopped-discarded", &[])
            }
            Some(_) => self.ask_current(),
            None => {
                self.say("reask-choice", &[("count", STOP_CHOICES.len().into())])?;
                self.ask_confirm_stop()
            }
        }
    }

    pub(super) fn back(&mut self) -> Result<(), EngineError> {
        self.conv.pending = None;
        let Some(run) = self.conv.active.as_mut() else {
            return self.say("back-nothing", &[]);
        };
        if let Some(draft) = run.draft.take() {
            // Inside a trial action: step back one part of it. Citizens are not asked for
            // principles, so for them the part before "when" is "what".
            let staff = self.conv.role == Role::Staff;
            if draft.due.is_some() {
                run.draft = Some(TrialDraft { due: None, ..draft });
            } else if draft.principles.is_some() && staff {
                run.draft = Some(TrialDraft {
                    what: draft.what,
                    principles: None,
                    due: None,
                });
            }
            self.say("back-done", &[])?;
            return self.ask_current();
        }
        let Some(previous) = run.path.pop() else {
            self.say("back-at-start", &[])?;
            return self.ask_current();
        };
        let old = run.answers.remove(&previous);
        run.step = previous.clone();
        let run_id = run.run.clone();
        if let Some(Value::TrialAction(id)) = old {
            run.trial_principles.remove(&previous);
            self.writes.push(Write::DeleteTrial { id });
        }
        self.writes.push(Write::RetractAnswer {
            run: run_id,
            step: previous,
        });
        self.say("back-done", &[])?;
        self.ask_current()
    }

    pub(super) fn language(&mut self, arg: &str) -> Result<(), EngineError> {
        match Lang::parse(arg) {
            Some(lang) => self.set_language(lang),
            None => {
                self.conv.pending = Some(Pending::Language);
                self.ask_language()
            }
        }
    }

    pub(super) fn ask_language(&mut self) -> Result<(), EngineError> {
        let text = self.text("language-ask", &[])?;
        let choices = Lang::ALL
            .iter()
            .map(|lang| {
                Ok(ReplyChoice {
                    label: self.engine.locales.format(*lang, "language-name", &[])?,
                    reply: lang.code().to_owned(),
                    button: None,
                })
            })
            .collect::<Result<_, EngineError>>()?;
        self.ask(text, choices);
        Ok(())
    }

    pub(super) fn choose_language(&mut self, text: &str) -> Result<(), EngineError> {
        let by_number = parse::parse_number(text)
            .and_then(|n| usize::try_from(n - 1).ok())
            .and_then(|i| Lang::ALL.get(i).copied());
        match Lang::parse(text).or(by_number) {
            Some(lang) => self.set_language(lang),
            None => {
                self.say("reask-choice", &[("count", Lang::ALL.len().into())])?;
                self.ask_language()
            }
        }
    }

    pub(super) fn set_language(&mut self, lang: Lang) -> Result<(), EngineError> {
        self.conv.lang = lang;
        if self.conv.pending == Some(Pending::Language) {
            self.conv.pending = None;
        }
        self.say("language-set", &[])?;
        if self.conv.active.is_some() || self.conv.pending.is_some() {
            self.repeat_prompt()?;
        }
        Ok(())
    }

    /// The person's trial actions, oldest first: the numbering /trials shows.
    pub(super) fn trials_in_order(&self) -> Vec<&TrialAction> {
        let mut trials: Vec<&TrialAction> = self.ctx.trials.iter().collect();
        trials.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        trials
    }

    /// "1. what (state, date)": one trial action as /trials and /mydata list it.
    pub(super) fn trial_line(
        &self,
        number: usize,
        trial: &TrialAction,
    ) -> Result<String, EngineError> {
        let state = self.text(&format!("trial-state-{}", trial.state.name()), &[])?;
        let due = self.date_text(trial.due)?;
        self.text(
            "trials-line",
            &[
                ("number", number.into()),
                ("what", trial.what.clone().into()),
                ("state", state.into()),
                ("date", due.into()),
            ],
        )
    }

    pub(super) fn list_trials(&mut self) -> Result<(), EngineError> {
        self.list_own_trials()?;
        self.list_group_trials()
    }

    fn list_own_trials(&mut self) -> Result<(), EngineError> {
        let trials = self.trials_in_order();
        if trials.is_empty() {
            return self.say("trials-none", &[]);
        }
        let mut lines = vec![self.text("trials-header", &[("count", trials.len().into())])?];
        for (i, trial) in trials.iter().enumerate() {
            lines.push(self.trial_line(i + 1, trial)?);
        }
        if trials.iter().any(|t| t.state.is_open()) {
            lines.push(self.text("trials-follow-up-hint", &[])?);
        }
        self.replies.push(Reply::plain(lines.join("\n")));
        Ok(())
    }

    /// For a facilitator: the staff's open trial actions in the group, without names.
    /// Citizens' are not listed: their words are shown only with their consent.
    fn list_group_trials(&mut self) -> Result<(), EngineError> {
        let Some(view) = self.ctx.group else {
            return Ok(());
        };
        let mut open: Vec<_> = view
            .open_trials
            .iter()
            .filter(|t| t.person != self.conv.person && t.role == Role::Staff)
            .collect();
        if open.is_empty() {
            return Ok(());
        }
        open.sort_by_key(|t| (t.due, t.created_at));
        let header = self.text(
            "trials-group-header",
            &[
                ("name", view.group.name.clone().into()),
                ("count", open.len().into()),
            ],
        )?;
        let mut lines = vec![header];
        for trial in open {
            let state = self.text(&format!("trial-state-{}", trial.state.name()), &[])?;
            let due = self.date_text(trial.due)?;
            lines.push(self.text(
                "trials-group-line",
                &[
                    ("what", trial.what.clone().into()),
                    ("state", state.into()),
                    ("date", due.into()),
                ],
            )?);
        }
        self.replies.push(Reply::plain(lines.join("\n")));
        Ok(())
    }

    pub(super) fn follow_up(&mut self, arg: &str) -> Result<(), EngineError> {
        if self.conv.active.is_some() {
            self.say("reflect-busy", &[])?;
            return self.ask_current();
        }
        let trials = self.trials_in_order();
        let open: Vec<&TrialAction> = trials
            .iter()
            .copied()
            .filter(|t| t.state.is_open())
            .collect();
        let chosen = match parse::parse_number(arg) {
            Some(n) if n >= 1 => trials.get(n as usize - 1).copied(),
            _ if open.len() == 1 => open.first().copied(),
            _ => None,
        };
        let dialogue = self
            .engine
            .catalog
            .for_purpose(self.conv.role, Purpose::FollowUp)
            .map(|d| d.id.clone());
        match (chosen.cloned(), dialogue) {
            (Some(trial), Some(dialogue)) if trial.state.is_open() => {
                self.start(&dialogue, Some(trial))
            }
            (Some(_), Some(_)) => self.say("follow-up-closed", &[]),
            _ if trials.is_empty() => self.say("trials-none", &[]),
            _ => {
                self.say("follow-up-which", &[])?;
                self.list_trials()
            }
        }
    }
}
