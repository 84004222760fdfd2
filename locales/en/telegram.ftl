# What the Telegram channel writes itself.

telegram-group-note = Hi! I hold talks one to one. Please write to me in a private chat.
telegram-error = Sorry, something went wrong on my side. Please send your answer again in a moment.
telegram-chosen = → { $answer }
telegram-linked = This chat now gets the weekly digest of “{ $name }”. Type /unlinkdigest to stop it.
telegram-unlinked = This chat no longer gets the weekly digest of “{ $name }”.
