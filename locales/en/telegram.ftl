# What the Telegram channel writes itself.

telegram-group-note = Hi! I hold talks one to one. Please write to me in a private chat.
telegram-error = Sorry, something went wrong on my side. Please send your answer again in a moment.
telegram-chosen = → { $answer }
command-reflect = Choose a talk
command-try = Make a trial action
command-trials = See your trial actions
command-followup = Look back on a trial action
command-back = Change your last answer
command-stop = Take a break or stop
command-groups = See your groups
command-join = Join a group with a code
command-remind = Get a reminder
command-language = Change language
command-help = See the help
command-consent = See or withdraw your consent
command-mydata = See everything stored about you
command-forget = Delete everything about you
telegram-linked = This chat now gets the weekly digest of “{ $name }”. Type /unlinkdigest to stop it.
telegram-unlinked = This chat no longer gets the weekly digest of “{ $name }”.
