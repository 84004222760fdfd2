# The engine's own messages. Citizens read them too: short sentences, everyday words.

welcome = Hi! I help you look back and think. You answer at your own pace. You can always type /help.
welcome-back = Good to see you again. We go on where you left off.
help =
    How it works:
    Answer with a number, a word or a button.
    /reflect – choose a talk
    /back – change your last answer
    /stop – take a break or stop
    /try – make a trial action
    /trials – see your trial actions
    /join – join a group with a code
    /groups – see your groups
    /remind – get a reminder
    /name – show your first name by your trial actions
    /consent – see or change your consent
    /mydata – see all I have about you
    /forget – delete all about you
    /language – change language
    /help – see this help
menu = What do you want to talk about? Choose a number.
reask-menu = Type a number from 1 to { $count }.
no-dialogue = We are not in a talk right now.
dialogue-gone = That talk is no longer here. Please choose a new one.
dialogue-expired = It has been a while. I closed the old talk. What you answered is saved. You can start again.
dialogue-done = Thank you. Your answers are saved.
dialogue-next = Type /reflect when you want to talk again.
unsupported = I can only read text. Please write your answer in words.
edited = I keep what you wrote first. If you want to change an answer, type /back.
old-button = That button is from before. Please use a button under the new question.
unknown-command = I do not know that command. Type /help to see what you can do.
flood-slow-down = You are writing faster than I can follow. I did not read your last messages. Wait a moment, then write again.
reflect-busy = You are in the middle of a talk. Answer the question, or type /stop.
stop-nothing = There is nothing to stop.
stop-confirm = Do you want to stop? Shall I keep what you have answered so far?
stop-keep = Keep and stop
stop-discard = Delete and stop
stop-continue = Go on
stopped-kept = We stop here. Your words are saved.
stopped-not-kept = We stop here. I did not save any of what you wrote.
stopped-discarded = We stop here. Your words from this talk are now deleted.
back-nothing = There is nothing to go back to.
back-done = You can answer again now.
back-at-start = We are at the first question.
language-ask = Which language do you want?
language-name = English
language-set = I will write in English now.
trials-none = You have no trial actions yet.
trials-header = { $count ->
    [one] You have one trial action:
   *[other] You have { $count } trial actions:
}
trials-line = { $number }. { $what } – { $state } – { $date }
trials-follow-up-hint = Type /followup and a number to look back on one.
trial-state-planned = planned
trial-state-tried = tried
trial-state-kept = kept
trial-state-adjusted = changed
trial-state-dropped = dropped
trial-state-done = done
trial-principles = Which principles does it fit?
trial-when = When will you try it?
trial-saved = Saved: “{ $what }”. We look at it on { $date }.
trial-not-saved = Good. I do not save it, as you said no to saving your answers.
follow-up-closed = That one is already closed. Please pick another.
follow-up-which = Which one do you want to look back on? Type /followup and a number.
question = { $step }/{ $total } · { $question }
hint-optional = You can type “skip”.
skip-label = Skip
hint-trial-what = Write in a few words what you will try.
hint-principles = Type one or more numbers, like 2 4.
hint-choices = You can pick more than one, like 1 3.
hint-scale = { $min } is { $low }. { $max } is { $high }.
hint-principle-suggest = A tip: number { $number }, { $name }. You have thought least about it lately.
hint-date = Like today, tomorrow, on Friday or 24/11.
yes = Yes
no = No
principle-1 = Hopes and dreams
principle-2 = Resources
principle-3 = Network and community
principle-4 = Openness and respect
principle-5 = Help early
principle-6 = The whole life
principle-7 = Follow up
principle-8 = What works
date-today = Today
date-tomorrow = Tomorrow
date-next-week = Next week
date-format = { $weekday } { $day } { $month }
weekday-1 = Monday
weekday-2 = Tuesday
weekday-3 = Wednesday
weekday-4 = Thursday
weekday-5 = Friday
weekday-6 = Saturday
weekday-7 = Sunday
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December
reask-empty = I did not get an answer. Please write a few words.
reask-words = Please write a few words. Then I know better what you mean.
reask-too-long = Your answer is a bit long: { $length } characters. There is room for { $max }. Please try to make it shorter.
reask-choice = Type a number from 1 to { $count }, or use a button.
reask-choices = Type one or more numbers from 1 to { $count }, like 1 3.
reask-scale = Type a number from { $min } to { $max }. You can also use a smiley.
reask-yes-no = Please answer yes or no.
reask-principle = Type a number from 1 to 8.
reask-principles = Type one or more numbers from 1 to 8, like 2 4.
reask-date = I did not get that day. Type, say, tomorrow, on Friday or 24/11.
reask-date-past = That day has gone. Pick today or a later day.
reask-date-far = That is a bit far ahead. Pick a day within a year.
redacted-cpr = [CPR number removed]
redacted-phone = [phone number removed]
redacted-email = [e-mail removed]
redacted-cpr-name = a CPR number
redacted-phone-name = a phone number
redacted-email-name = an e-mail address
redacted-note = I took out { $what } before I saved your answer. Such numbers and addresses are never stored. The rest is saved.
