# What the Matrix channel writes itself.

matrix-group-note = Hi! I hold talks one to one, not in a room with several people. I have sent you a direct message.
matrix-dm-opened = Hi! You wrote to me in a room with several people. We can talk here, just the two of us.
matrix-not-private-note = Hi! This room is not closed to others, so I do not talk with you here. I have sent you a message in a private room.
matrix-private-opened = Hi! We can talk here, just the two of us. Only you and I can read this room.
matrix-error = Sorry, something went wrong on my side. Please send your answer again in a moment.
matrix-undecryptable = I could not read your last message: it was encrypted with a key I did not get. Please send it again.
matrix-linked = This room now gets the weekly digest of “{ $name }”. Type /unlinkdigest to stop it.
matrix-unlinked = This room no longer gets the weekly digest of “{ $name }”.
