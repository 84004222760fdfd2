# Det, Telegram-kanalen selv skriver.

telegram-group-note = Hej! Jeg taler med én ad gangen. Skriv til mig i en privat chat.
telegram-error = Undskyld, der gik noget galt hos mig. Send gerne dit svar igen om lidt.
telegram-chosen = → { $answer }
command-reflect = Vælg en samtale
command-try = Lav en prøvehandling
command-trials = Se dine prøvehandlinger
command-followup = Se tilbage på en prøvehandling
command-back = Ret dit sidste svar
command-stop = Hold pause eller stop
command-groups = Se dine grupper
command-join = Vær med i en gruppe med en kode
command-remind = Få en påmindelse
command-language = Skift sprog
command-help = Se hjælpen
command-consent = Se eller tilbagekald dit samtykke
command-mydata = Se alt, der er gemt om dig
command-forget = Slet alt om dig
telegram-linked = Denne chat får nu ugens overblik for »{ $name }«. Skriv /unlinkdigest for at stoppe det.
telegram-unlinked = Denne chat får ikke længere ugens overblik for »{ $name }«.
