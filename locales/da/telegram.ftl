# Det, Telegram-kanalen selv skriver.

telegram-group-note = Hej! Jeg taler med én ad gangen. Skriv til mig i en privat chat.
telegram-error = Undskyld, der gik noget galt hos mig. Send gerne dit svar igen om lidt.
telegram-chosen = → { $answer }
telegram-linked = Denne chat får nu ugens overblik for »{ $name }«. Skriv /fjernoverblik for at stoppe det.
telegram-unlinked = Denne chat får ikke længere ugens overblik for »{ $name }«.
