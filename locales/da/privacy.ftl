# Samtykke, /minedata og /glem. Borgere læser det hele: korte sætninger, hverdagsord.

consent-citizen =
    Før vi går i gang: Må jeg gemme dine svar?
    Jeg gemmer dine svar og det, du vil prøve.
    Personalet, der står for din gruppe, ser kun tal.
    For eksempel hvor mange der har svaret.
    Dine egne ord ser de kun, hvis du siger ja til at dele dem.
    De ser aldrig dit navn.
    Jeg sletter dine svar efter { $months } måneder.
    Med /minedata ser du alt, jeg har gemt om dig.
    Med /glem sletter du det hele.
    Hver uge får personalet et overblik.
    Når det er sendt, kan jeg ikke hente det tilbage.
    Du må gerne sige nej. Det ændrer ikke noget ved den hjælp, du får.
    Siger du nej, kan du stadig svare på mine spørgsmål.
    Men så gemmer jeg intet af det, du skriver.
    Må jeg gemme dine svar?
consent-staff =
    Dine svar gemmes, så du kan se dem igen, og så gruppen kan lære af dem. Facilitatorer ser tal og de prøvehandlinger, du laver, men ikke dine svar – kun dem, du selv vælger at dele. Svar slettes efter { $months } måneder. /minedata viser alt om dig, /glem sletter det. Er det i orden?
# Til en person uden gruppe: ingen andre ser noget endnu. Når de kommer i en gruppe, får de at vide, hvad gruppen ser.
consent-alone =
    Før vi går i gang: Må jeg gemme dine svar?
    Jeg gemmer dem, så du kan se dem igen.
    Du er ikke med i en gruppe, så ingen andre ser dem.
    Kommer du med i en gruppe senere, fortæller jeg dig, hvad gruppen kan se.
    Jeg sletter dine svar efter { $months } måneder.
    Med /minedata ser du alt, jeg har gemt om dig.
    Med /glem sletter du det hele.
    Du må gerne sige nej. Det ændrer ikke noget ved den hjælp, du får.
    Siger du nej, kan du stadig svare på mine spørgsmål.
    Men så gemmer jeg intet af det, du skriver.
    Må jeg gemme dine svar?
consent-yes = Ja, gem mine svar
consent-no = Nej, gem intet
consent-thanks = Tak. Dine svar bliver gemt.
consent-declined = Det er helt i orden. Du kan godt svare alligevel. Jeg gemmer intet af det, du skriver her.
consent-withdrawn = Nu gemmer jeg ikke flere svar fra dig. Det, du har svaret før, er stadig gemt. Skriv /glem, hvis du vil slette det.
consent-still-no = Jeg gemmer ikke dine svar. Du kan skifte mening med /samtykke.
consent-changed = Teksten om, hvad jeg gemmer, er lavet om. Læs den gerne og svar igen.
consent-status-yes = Du sagde ja til at gemme dine svar { $date }.
consent-status-no = Du har ikke sagt ja til at gemme dine svar.

forget-confirm = Vil du slette alt, jeg har gemt om dig? Dine svar, dine prøvehandlinger, dine grupper og din påmindelse. Du kan ikke fortryde det. Personalet har måske allerede fået ugens overblik. Det kan jeg ikke hente tilbage.
forget-yes = Ja, slet alt
forget-no = Nej, behold det
forget-done = Nu er alt om dig slettet. Skriver du igen, starter vi helt forfra.
forget-cancelled = Godt. Intet er slettet.

mydata-intro = Her er alt, jeg har gemt om dig.
mydata-consent-yes = Du sagde ja til at gemme dine svar { $date }.
mydata-consent-no = Du har ikke sagt ja til at gemme dine svar.
mydata-groups = { $count ->
    [0] Du er ikke med i en gruppe.
    [one] Du er med i én gruppe:
   *[other] Du er med i { $count } grupper:
}
mydata-group = – { $group } ({ $role })
mydata-role-facilitator = facilitator
mydata-role-staff = medarbejder
mydata-role-citizen = borger
mydata-name = Dit navn ved dine prøvehandlinger og det, du deler: { $name }
mydata-reminder = Jeg minder dig om at svare { $when }.
mydata-answers = { $count ->
    [0] Du har ingen gemte svar.
    [one] Du har ét gemt svar:
   *[other] Du har { $count } gemte svar:
}
mydata-answer = { $date } · { $dialogue }: { $answer }
mydata-trial-shared = { $line } (delt med personalet uden dit navn)
mydata-answer-shared = { $date } · { $dialogue }: { $answer } ({ $role ->
    [citizen] delt med personalet uden dit navn
   *[staff] delt med din gruppe
})
mydata-trials = { $count ->
    [0] Du har ingen prøvehandlinger.
    [one] Din prøvehandling – en lille ting, du har valgt at prøve:
   *[other] Dine { $count } prøvehandlinger – små ting, du har valgt at prøve:
}
mydata-file = Det samme står i filen her, så du kan gemme det.
mydata-yes = ja
mydata-no = nej
mydata-skipped = sprunget over
