# Grupper, roller, påmindelser og det navn, facilitatorer ser. Borgere læser de fleste:
# korte sætninger, almindelige ord.

not-allowed = Det kan du desværre ikke. Det kan kun de, der står for en gruppe. Spørg dem, hvis du har brug for det.
role-facilitator = facilitator
role-staff = medarbejder
role-citizen = borger
newgroup-how = Skriv gruppens navn efter kommandoen, sådan her: /nygruppe Team Nord
newgroup-name-long = Navnet er { $length } tegn langt. Der er plads til { $max }. Vælg et kortere navn.
newgroup-done = Gruppen »{ $name }« er klar. Du er facilitator for den.
codes =
    Giv disse koder til dem, der skal være med:
    Medarbejdere: { $staffcode }
    Borgere: { $citizencode }
    De skriver /deltag og koden.
codes-expire = Koderne virker til og med { $date }.
codes-no-expiry = Koderne virker, til du laver nye med /nyekoder.
newcodes-done = Nye koder til »{ $name }«. De gamle koder virker ikke mere.
newcodes-days = Skriv, hvor mange dage koderne skal virke, fra 1 til { $max }. Sådan her: /nyekoder 14
group-choose-first = Du har mere end én gruppe. Vælg en først med /gruppe og et tal.
group-unavailable = Jeg kan ikke finde gruppen lige nu. Prøv igen lidt senere.
join-how = Skriv /deltag og den kode, du har fået, sådan her: /deltag ABCDE-FGHJK
join-wrong = Den kode virker ikke. Måske er et bogstav forkert, eller koden er for gammel. Tjek den, eller bed om en ny.
join-wrong-paused = Den kode virker ikke. Du har prøvet mange koder. Vent { $minutes ->
    [one] et minut
   *[other] { $minutes } minutter
} og prøv igen.
join-paused = Vent { $minutes ->
    [one] et minut
   *[other] { $minutes } minutter
}, før du prøver en kode igen.
join-done = Velkommen til »{ $name }«. Du er med i gruppen som { $role }.
join-sees-staff = Gruppens facilitatorer ser tal og de prøvehandlinger, du laver. Dine svar ser de ikke.
join-sees-citizen = Personalet, der står for gruppen, ser kun tal. Dine egne ord ser de kun, hvis du siger ja til at dele dem. Dit navn bliver aldrig vist.
join-already = Du er allerede med i »{ $name }« som { $role }.
groups-none = Du er ikke med i en gruppe endnu. Skriv /deltag og en kode for at være med.
groups-header = Du er med i:
groups-line = { $number }. { $name } ({ $role })
groups-line-current = { $number }. { $name } ({ $role }) – her tæller dine svar
groups-choose-hint = Skriv /gruppe og et tal for at vælge, hvor dine svar tæller.
group-ask = Hvilken gruppe skal dine svar tælle med i?
group-set = Dine svar tæller nu med i »{ $name }«.
group-busy = Gør først denne samtale færdig, eller skriv /stop.
members-header = { $count ->
    [one] »{ $name }« har ét medlem:
   *[other] »{ $name }« har { $count } medlemmer, i den rækkefølge, de kom med:
}
members-line = { $number }. { $role ->
        [facilitator] Facilitator
        [staff] Medarbejder
       *[citizen] Borger
    }, med siden uge { $week } i { $year }
members-line-named = { $number }. { $name } ({ $role ->
        [facilitator] facilitator
        [staff] medarbejder
       *[citizen] borger
    }), med siden uge { $week } i { $year }
members-you = Dig
members-how = Skriv /fjern og et nummer for at tage en person ud af gruppen. Skriv /facilitator og et nummer for at gøre en medarbejder til facilitator eller en facilitator til medarbejder igen.
members-linked = { $count ->
    [one] Én gruppechat får ugens overblik. Skriv /fjernoverblik for at se den.
   *[other] { $count } gruppechats får ugens overblik. Skriv /fjernoverblik for at se dem.
}
members-no-such = Skriv et nummer fra 1 til { $count }. Du ser numrene med /medlemmer.
members-changed = Listen har ændret sig i mellemtiden, så jeg har ikke gjort noget. Skriv /medlemmer for at se den, som den er nu.
remove-how = Skriv /fjern og personens nummer fra /medlemmer, sådan her: /fjern 3
remove-self = Skriv /forlad, hvis du selv vil ud af gruppen.
remove-confirm = Skal nummer { $number } (med i gruppen siden uge { $week } i { $year }) ud af gruppen? Det, personen har svaret indtil nu, tæller stadig med i de tidligere uger. Personen får besked om det.
remove-yes = Ja, tag personen ud
remove-no = Nej
remove-done = Nummer { $number } er ikke længere med i gruppen. Fra nu af tæller personens svar ikke med her.
remove-cancelled = Godt. Ingen er taget ud.
facilitator-how = Skriv /facilitator og personens nummer fra /medlemmer, sådan her: /facilitator 2
facilitator-citizen = Borgere er med uden navn, så de kan ikke være facilitatorer her.
facilitator-last = Gruppen skal have mindst én facilitator. Gør først en anden til facilitator.
facilitator-added = Nummer { $number } er nu facilitator for »{ $name }« og får ugens overblik.
facilitator-removed = Nummer { $number } er ikke længere facilitator for »{ $name }«. Personen er stadig med i gruppen som medarbejder.
linked-none = Ingen gruppechat får ugens overblik fra »{ $name }«.
linked-header = Disse chats får ugens overblik fra »{ $name }«:
linked-line = { $number }. { $title } ({ $platform ->
        [matrix] rum i Matrix
       *[telegram] gruppechat i Telegram
    }), tilkoblet { $date } { $byyou ->
        [yes] af dig
       *[no] af en anden facilitator
    }
linked-untitled = En chat uden navn
linked-how = Skriv /fjernoverblik og et nummer for at stoppe ugens overblik til den chat.
linked-no-such = Skriv et nummer fra 1 til { $count }. Du ser numrene med /fjernoverblik.
unlinked-done = Chat nummer { $number } får ikke længere ugens overblik.
leave-which = Hvilken gruppe vil du ud af? Skriv /forlad og tallet ud for den.
leave-last-facilitator = Du er den eneste facilitator for »{ $name }«. Gør først en anden til facilitator: Skriv /medlemmer for at se, hvem der er med.
leave-confirm = Vil du forlade »{ $name }«? Det, du har sagt før, tæller stadig med i de uger, der er gået. Skriv /glem, hvis du vil slette alt om dig.
leave-yes = Ja, forlad gruppen
leave-no = Nej, jeg bliver
leave-done = Du har forladt »{ $name }«. Fra nu af tæller dine svar ikke med der.
leave-cancelled = Godt. Du er stadig med i gruppen.
member-removed = Du er ikke længere med i »{ $name }«. Det har de, der står for gruppen, bestemt. Spørg dem gerne hvorfor. Det, du har sagt før, er stadig gemt. Skriv /minedata for at se det eller /glem for at slette alt.
member-now-facilitator = Du er nu facilitator for »{ $name }«. Du får ugens overblik. Skriv /hjaelp for at se, hvad du kan.
member-now-staff = Du er ikke længere facilitator for »{ $name }«. Du er stadig med i gruppen som medarbejder.
name-how = Dine prøvehandlinger og det, du deler, står i ugens overblik uden dit navn. Vil du have dit fornavn med, så skriv /navn og dit fornavn, fx /navn Anna. Skriv /navn fra for at skjule det igen.
name-current = I ugens overblik står der { $name } ved dine prøvehandlinger og det, du deler. Skriv /navn fra for at skjule det.
name-set = Nu står der { $name } ved dine prøvehandlinger og det, du deler, i ugens overblik – også ved det, du har delt før. Skriv /navn fra for at skjule det igen.
name-removed = Dit navn er skjult nu. Fremover står dine prøvehandlinger og det, du deler, uden navn i ugens overblik. Overblik, der allerede er sendt, kan stadig vise det.
remind-how = Jeg kan minde dig om at starte en samtale. Skriv /paamind og et tidspunkt, fx /paamind hverdage 22:15 eller /paamind 21:00. Skriv /paamind fra for at stoppe.
remind-bad-time = Det tidspunkt findes ikke. Brug timer fra 0 til 23 og minutter fra 0 til 59, fx 22:15.
remind-set = Godt. Jeg minder dig om det { $when }.
remind-current = Jeg minder dig om det { $when }. Skriv /paamind fra for at stoppe.
remind-removed = Jeg minder dig ikke om det mere.
remind-every-day = hver dag
remind-weekdays = på hverdage
remind-weekend = i weekenden
remind-when = { $days } kl. { $time }
follow-up-offer = Du ville prøve det her i dag: »{ $what }«. Skal vi følge op på, hvordan det gik? Det tager to minutter.
follow-up-offer-busy = Når du er færdig her, er det tid til at følge op på »{ $what }«. Skriv /opfoelgning { $number }.
follow-up-now = Følg op nu
reminder = Er det tid til at se tilbage på din dag? Skriv /refleksion, når du er klar.
reminder-busy = Husk: Du er midt i en samtale. Svar, når du er klar.
reminder-start = Start en samtale
trial-sign = Hvordan vil du kunne se, om det virker?
trials-group-header = { $count ->
    [one] En åben prøvehandling i »{ $name }«:
   *[other] { $count } åbne prøvehandlinger i »{ $name }«:
}
trials-group-line = • { $what } – { $state } – { $date }
help-facilitator = For facilitatorer:
codes-expired = Koderne virker ikke længere. Lav nye med /nyekoder.
name-citizen = Dit navn bliver aldrig vist. Du skal ikke gøre noget.
stopped-trial-unfinished = Prøvehandlingen var ikke færdig, så den er ikke gemt. Du kan lave den igen med /proev.
follow-up-sign = Du skrev, at du kan se, om det virker, når: { $sign }
follow-up-offer-again = Du ville prøve det her: »{ $what }«. Skal vi følge op på, hvordan det gik? Det tager to minutter.
remind-on-days = hver { $days }
time-of-day = { $hour }.{ $minute }
list-and = { $rest } og { $last }

## Læringsmødet (/moede): facilitatoren skriver ned, hvad gruppen besluttede
meeting-menu = Hvad besluttede gruppen? Vælg et tal.
    Besluttet indtil nu: { $trials ->
        [0] ingen prøvehandlinger for gruppen
        [one] 1 prøvehandling for gruppen
       *[other] { $trials } prøvehandlinger for gruppen
    } · fokus: { $focus }{ $ideas ->
        [0] {""}
        [one] {" "}· 1 idé fra borgerne taget op
       *[other] {" "}· { $ideas } idéer fra borgerne taget op
    }.
meeting-no-focus = ikke valgt
meeting-add-trial = Tilføj en prøvehandling for gruppen
meeting-choose-focus = Vælg fokus frem til næste møde
meeting-follow-up = Følg op på »{ $what }«
meeting-take-idea = Tag en idé fra borgerne op
meeting-idea-which = Hvilken idé vil I tage op? Vælg et tal.
meeting-idea-note = Hvad vil I gøre med idéen »{ $idea }«? Skriv det kort og i hverdagssprog. Borgeren, der kom med den, får dit svar at læse. I får ikke at vide, hvem det er.
meeting-idea-added = Noteret. Borgeren får besked, når mødet er gemt.
meeting-save = Gem, og giv personalet i gruppen besked
meeting-cancel = Stop uden at gemme
meeting-trial-what = Hvad vil gruppen prøve? Skriv det kort og konkret – én lille ændring i jeres praksis, uden navne og CPR-numre.
meeting-trial-principles = Hvilke principper hører prøvehandlingen ind under? Skriv et eller flere tal, fx 2 4.
meeting-trial-when = Hvornår vil I følge op på den? Vælg gerne datoen for næste læringsmøde.
meeting-trial-added = Noteret: »{ $what }«. I følger op på den { $date }.
meeting-focus = Hvilket princip vil gruppen have fokus på frem til næste møde?
meeting-follow-up-ask = Hvordan gik det med »{ $what }«?
meeting-trials-full = I kan højst beslutte { $count } prøvehandlinger for gruppen på ét møde. Hold dem små og få.
meeting-cancelled = Mødet er ikke gemt.
meeting-nothing-yet = Der er ikke noget at gemme endnu. Tilføj en prøvehandling, vælg et fokus eller følg op – eller stop uden at gemme.
meeting-not-yours = Du er ikke længere facilitator for gruppen, så mødet er ikke gemt.
meeting-saved = Mødet er gemt. Jeg fortæller personalet i gruppen, hvad I besluttede.

## Besked til personalet, når gruppen har holdt læringsmøde
meeting-news = Nyt fra læringsmødet i { $group }:
meeting-news-trial = • Gruppen vil prøve: »{ $what }«. I følger op på den { $date }.
meeting-news-focus = • Fokus frem til næste møde: { $principle }.
idea-taken-up = Du kom med en idé: »{ $idea }«
    Personalet har talt om den på et møde. De skrev, hvad de vil gøre: »{ $note }«
    Tak for din idé.
meeting-news-stop = Vil du ikke have besked om læringsmøderne, så skriv /nyt fra.
news-on = Du får besked, når din gruppe har holdt læringsmøde. Skriv /nyt fra for at stoppe.
news-off = Du får ikke længere besked om gruppens læringsmøder. Skriv /nyt til for at få besked igen.
news-is-on = Du får besked om gruppens læringsmøder. Skriv /nyt fra for at stoppe.
news-is-off = Du får ikke besked om gruppens læringsmøder. Skriv /nyt til for at få besked.
