# Det, Matrix-kanalen selv skriver.

matrix-group-note = Hej! Jeg taler med én ad gangen, ikke i et rum med flere. Jeg har skrevet til dig i en privat besked.
matrix-dm-opened = Hej! Du skrev til mig i et rum med flere. Her kan vi tale, kun os to.
matrix-not-private-note = Hej! Andre kan komme ind i dette rum, så jeg taler ikke med dig her. Jeg har skrevet til dig i et privat rum.
matrix-private-opened = Hej! Her kan vi tale, kun os to. Kun du og jeg kan læse med i dette rum.
matrix-error = Undskyld, der gik noget galt hos mig. Send gerne dit svar igen om lidt.
matrix-undecryptable = Jeg kunne ikke læse din sidste besked. Den var låst med en nøgle, jeg ikke fik. Send den gerne igen.
matrix-linked = Dette rum får nu ugens overblik for »{ $name }«. Skriv /fjernoverblik for at stoppe det.
matrix-unlinked = Dette rum får ikke længere ugens overblik for »{ $name }«.
