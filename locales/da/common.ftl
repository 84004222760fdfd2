# Motorens egne tekster. Borgere læser dem også: korte sætninger, hverdagsord (LIX 30 eller under).

welcome = Hej! Jeg hjælper dig med at tænke tilbage. Du svarer i dit eget tempo. Du kan altid skrive /help.
welcome-back = Godt at se dig igen. Vi går videre, hvor du slap.
help =
    Sådan gør du:
    Svar med et tal, et ord eller en knap.
    /reflect – vælg en samtale
    /back – ret dit sidste svar
    /stop – hold en pause eller stop
    /try – lav en prøvehandling
    /trials – se dine prøvehandlinger
    /join – vær med i en gruppe med en kode
    /groups – se dine grupper
    /remind – få en påmindelse
    /name – vis dit fornavn ved dine prøvehandlinger
    /consent – se eller skift dit samtykke
    /mydata – se alt, jeg har om dig
    /forget – slet alt om dig
    /language – skift sprog
    /help – se denne hjælp
menu = Hvad vil du tale om? Vælg et tal.
reask-menu = Skriv et tal fra 1 til { $count }.
no-dialogue = Vi er ikke i gang med en samtale lige nu.
dialogue-gone = Den samtale findes ikke mere. Vælg gerne en ny.
dialogue-expired = Det er et stykke tid siden. Jeg har lukket den gamle samtale. Det, du svarede, er gemt. Du kan starte forfra.
dialogue-done = Tak. Dine svar er gemt.
dialogue-next = Skriv /reflect, når du vil tale igen.
edited = Jeg gemmer det, du skrev først. Vil du ændre et svar, så skriv /tilbage.
unsupported = Jeg kan kun læse tekst. Skriv gerne dit svar med ord.
old-button = Den knap er fra før. Brug en knap under det nye spørgsmål.
unknown-command = Den kommando kender jeg ikke. Skriv /help for at se, hvad du kan.
flood-slow-down = Du skriver hurtigere, end jeg kan følge med. Jeg har ikke læst dine sidste beskeder. Vent lidt, og skriv så igen.
reflect-busy = Du er i gang med en samtale. Svar på spørgsmålet, eller skriv /stop.
stop-nothing = Der er ikke noget at stoppe.
stop-confirm = Vil du stoppe? Skal jeg gemme det, du har svaret indtil nu?
stop-keep = Gem og stop
stop-discard = Slet og stop
stop-continue = Fortsæt
stopped-kept = Vi holder her. Dine svar er gemt.
stopped-not-kept = Vi holder her. Jeg har ikke gemt noget af det, du skrev.
stopped-discarded = Vi holder her. Dine svar er nu slettet.
back-nothing = Der er ikke noget at gå tilbage til.
back-done = Du kan nu svare igen.
back-at-start = Vi er ved det første spørgsmål.
language-ask = Hvilket sprog vil du skrive på?
language-name = Dansk
language-set = Nu skriver jeg på dansk.
trials-none = Du har ingen prøvehandlinger endnu.
trials-header = { $count ->
    [one] Du har én prøvehandling:
   *[other] Du har { $count } prøvehandlinger:
}
trials-line = { $number }. { $what } – { $state } – { $date }
trials-follow-up-hint = Skriv /followup og et tal for at se tilbage på en af dem.
trial-state-planned = planlagt
trial-state-tried = prøvet
trial-state-kept = fortsætter
trial-state-adjusted = ændret
trial-state-dropped = droppet
trial-state-done = klaret
trial-principles = Hvilke principper passer den til?
trial-when = Hvornår vil du prøve den?
trial-saved = Gemt: »{ $what }«. Vi ser på den { $date }.
trial-not-saved = Godt. Jeg gemmer den ikke, for du sagde nej til at gemme dine svar.
follow-up-closed = Den er slut. Vælg en anden.
follow-up-which = Hvilken vil du se på? Skriv /followup og et tal.
question = { $step }/{ $total } · { $question }
hint-optional = Du kan skrive »spring over«.
skip-label = Spring over
hint-trial-what = Skriv kort, hvad du vil prøve.
hint-principles = Skriv et eller flere tal, fx 2 4.
hint-choices = Du kan vælge flere, fx 1 3.
hint-scale = { $min } er { $low }. { $max } er { $high }.
hint-principle-suggest = Et forslag: nr. { $number }, { $name }. Det har du tænkt mindst over på det sidste.
hint-date = Fx i dag, i morgen, på fredag eller 24/11.
yes = Ja
no = Nej
principle-1 = Håb og drømme
principle-2 = Ressourcer
principle-3 = Netværk og fællesskab
principle-4 = Åbenhed og respekt
principle-5 = Hjælp tidligt
principle-6 = Hele livet
principle-7 = Følg op
principle-8 = Viden der virker
date-today = I dag
date-tomorrow = I morgen
date-next-week = Næste uge
date-format = { $weekday } d. { $day }. { $month }
weekday-1 = mandag
weekday-2 = tirsdag
weekday-3 = onsdag
weekday-4 = torsdag
weekday-5 = fredag
weekday-6 = lørdag
weekday-7 = søndag
month-1 = januar
month-2 = februar
month-3 = marts
month-4 = april
month-5 = maj
month-6 = juni
month-7 = juli
month-8 = august
month-9 = september
month-10 = oktober
month-11 = november
month-12 = december
reask-empty = Jeg fik ikke noget svar. Skriv gerne et par ord.
reask-words = Skriv gerne et par ord. Så ved jeg bedre, hvad du mener.
reask-too-long = Dit svar er lidt for langt: { $length } tegn. Der er plads til { $max }. Prøv at skrive det kortere.
reask-choice = Skriv et tal fra 1 til { $count }, eller brug en knap.
reask-choices = Skriv et eller flere tal fra 1 til { $count }, fx 1 3.
reask-scale = Skriv et tal fra { $min } til { $max }. Du kan også bruge en smiley.
reask-yes-no = Svar ja eller nej.
reask-principle = Skriv et tal fra 1 til 8.
reask-principles = Skriv et eller flere tal fra 1 til 8, fx 2 4.
reask-date = Den dag forstod jeg ikke. Skriv fx i morgen, på fredag eller 24/11.
reask-date-past = Den dag er gået. Vælg i dag eller en dag frem.
reask-date-far = Det er lidt langt ude. Vælg en dag inden for et år.
redacted-cpr = [CPR-nummer fjernet]
redacted-phone = [telefonnummer fjernet]
redacted-email = [mail fjernet]
redacted-cpr-name = et CPR-nummer
redacted-phone-name = et telefonnummer
redacted-email-name = en mailadresse
redacted-note = Jeg tog { $what } ud, før jeg gemte dit svar. Den slags gemmer vi aldrig. Resten er gemt.
