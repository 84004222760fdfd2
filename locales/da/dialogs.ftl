# Dialogernes tekster (dansk). Id'erne nævnes i dialogs/*.toml.
# Motoren leverer selv tekster til fremdrift, genspørgsmål, ja/nej,
# principnavne og underspørgsmål til prøvehandlinger.

## efter-vagten: refleksion efter vagten (medarbejdere)

efter-vagten-title = Efter vagten
efter-vagten-intro = Tak for i dag. Lad os bruge 3-5 minutter på at kigge tilbage på vagten – kort og konkret, med udgangspunkt i én situation. Der er ingen forkerte svar.
efter-vagten-situation = Tænk på én konkret situation fra vagten, som du gerne vil kigge nærmere på. Hvad skete der? Skriv kort, hvem der var med, og hvad der blev sagt og gjort – uden navne og CPR-numre.
efter-vagten-citizen-view = Hvad ønskede borgeren selv i situationen? Og hvordan tror du, borgeren selv oplevede den?
efter-vagten-touched = Hvilke af de otte principper var i spil i situationen? Vælg et eller flere.
efter-vagten-how = Hvordan synes du, situationen gik – for borgeren og for dig?
efter-vagten-how-low = rigtig dårligt
efter-vagten-how-high = rigtig godt
# Ugeopsamlingen: hvor mange der svarede 4 eller 5.
efter-vagten-digest-how = Situationen gik godt
efter-vagten-support = Tak, fordi du deler en svær situation. Det er helt okay, at den fylder. De svære situationer kan vi også lære af – sammen. Hvad ville hjælpe dig nu? Måske en snak med en kollega eller din leder.
efter-vagten-resources = Noget virker næsten altid – også på en svær dag. Hvilke ressourcer var med til det, der lykkedes? Vælg gerne flere.
efter-vagten-opt-citizen = Borgerens egne ressourcer
efter-vagten-opt-network = Netværk og fællesskaber
efter-vagten-opt-ours = Vores faglighed og indsats
efter-vagten-opt-other = Noget andet
efter-vagten-worked = Hvad var det konkret, der virkede? Beskriv det, så en kollega kunne gøre det samme i morgen.
efter-vagten-different = Hvad kunne du eller I gøre anderledes næste gang? Tænk i små skridt.
efter-vagten-commit = Har du lyst til at lave en prøvehandling? En prøvehandling er en lille, konkret justering af praksis, som du prøver af og bagefter følger op på.
efter-vagten-trial = Godt! Gør den lille og konkret – noget, du kan nå at prøve inden for en uge eller to. Byg gerne videre på det, der allerede virker.
efter-vagten-share = Må jeg dele dit svar om det, der virkede, med din gruppe? Det kommer med i ugens overblik, så I kan lære af det sammen. Dit fornavn står kun ved, hvis du har skrevet det med /navn. Skriv ikke navne på borgere. Svarer du ikke, deler jeg det ikke.
efter-vagten-outro = Tak, fordi du tog dig tid til at reflektere. Det, du lægger mærke til i hverdagen, gør jeres praksis bedre – for borgerne og for jer. God fyraften.

## princip: ét princip i dybden (medarbejdere)

princip-title = Et princip i dybden
princip-intro = Her kigger du nærmere på ét af de otte principper i Borgeren ved roret. Du får ét spørgsmål og en kort vurdering. Tænk på konkrete situationer fra den seneste uge, og skriv uden borgernes navne.
princip-choose = Hvilket princip vil du reflektere over i dag?
princip-rate = I hvor høj grad synes du, at vi har efterlevet det her princip i praksis den seneste uge?
princip-rate-low = slet ikke
princip-rate-high = i meget høj grad
princip-outro = Tak, fordi du tog dig tid til at reflektere. Del gerne dine tanker med teamet – måske gemmer der sig en prøvehandling i dem.

# 1. Tag udgangspunkt i borgernes håb, ønsker og drømme.
princip-1-a = Hvornår hørte du sidst en borger fortælle om et håb eller en drøm? Hvad gjorde du med det, vedkommende fortalte?
princip-1-b = Tænk på en borger, du støtter. Hvad ved du om, hvad vedkommende drømmer om – og hvordan kan man se det i jeres hverdag sammen?
princip-1-c = Hvornår var det borgerens egne ønsker, der styrede det, I gjorde sammen i denne uge – og hvornår var det noget andet?

# 2. Fokusér på borgernes ressourcer.
princip-2-a = Hvilken ressource hos en borger har du lagt mærke til for nylig – noget, vedkommende kan, ved eller holder af? Hvordan kan den få mere plads?
princip-2-b = Beskriv en situation, hvor du trådte et skridt tilbage, så borgeren selv kunne klare det. Hvad skete der?
princip-2-c = Hvornår kom I til at tale mere om en borgers problemer end om borgerens muligheder? Hvad kunne vende samtalen?

# 3. Inddrag borgernes netværk og de almene fællesskaber.
princip-3-a = Hvem i en borgers netværk – familie, venner, naboer – kunne spille en større rolle? Hvad skal der til, og hvad siger borgeren selv?
princip-3-b = Hvilke fællesskaber uden for tilbuddet – en forening, et værksted, en café, en idrætsklub – kunne give mening for en borger, du kender?
princip-3-c = Hvordan har samarbejdet med pårørende været i denne uge? Hvad fungerede, og hvad var svært?

# 4. Mød borgerne med åbenhed, tillid og respekt.
princip-4-a = Tænk på en samtale med en borger i denne uge. Hvornår lyttede du mest – og hvornår kom du til at tage over?
princip-4-b = Har du mødt en borger med en forforståelse, der ikke holdt? Hvad lærte du af det?
princip-4-c = Hvordan viser du og dine kolleger tillid til borgerens egne valg – også når I selv ville have valgt noget andet?

# 5. Hjælp borgerne så tidligt som muligt.
princip-5-a = Hvilke tidlige tegn har du lagt mærke til hos en borger for nylig – før noget blev svært? Hvad gjorde I?
princip-5-b = Hvornår nåede I at handle i tide i denne uge? Hvad gjorde det muligt?
princip-5-c = Er der en situation, hvor I ventede for længe? Hvad kunne hjælpe jer til at reagere tidligere næste gang?

# 6. Arbejd koordineret med borgernes samlede livssituation.
princip-6-a = Hvilke andre aktører er inde over en borgers liv – fx jobcenter, psykiatri, egen læge eller myndighed? Hvordan hænger det sammen set fra borgerens side?
princip-6-b = Hvor har en borger selv måttet bære koordineringen mellem forskellige indsatser? Hvad kunne du gøre for at lette den?
princip-6-c = Hvilke dele af livet – bolig, arbejde, helbred, økonomi, relationer – fylder mest for en borger lige nu? Ved de andre omkring borgeren det?

# 7. Følg op, så indsatsen altid er den rette.
princip-7-a = Hvornår har I sidst spurgt en borger, om indsatsen stadig giver mening for vedkommende? Hvad blev svaret?
princip-7-b = Er der noget i jeres indsats over for en borger, der kører på vane? Hvad ville der ske, hvis I justerede det?
princip-7-c = Hvordan følger I op på de mål, borgeren selv har sat? Hvem er med til at vurdere, om det virker?

# 8. Brug viden og metoder, der virker.
princip-8-a = Hvilken metode eller viden brugte du i denne uge? Hvordan ved du, om den virkede for borgeren?
princip-8-b = Hvad har du lært af en kollega, en borger eller en erfaringsekspert for nylig, som du vil bruge igen?
princip-8-c = Hvordan kobler I jeres faglige viden med borgerens egen viden om, hvad der virker for vedkommende?

## borger-tjek-ind: borgerens eget tjek ind (let dansk, LIX 30 eller under)

borger-tjek-ind-title = Tjek ind
borger-tjek-ind-intro = Hej. Jeg vil gerne høre fra dig. Her kan du sige, hvad der er vigtigt for dig. Der er ingen forkerte svar. Nogle spørgsmål kan du springe over. Du kan stoppe, når du vil.
borger-tjek-ind-hope = Hvad er vigtigt for dig lige nu? Det kan også være noget, du håber på.
borger-tjek-ind-helps = Hvad hjælper dig til daglig?
borger-tjek-ind-opt-people = Andre folk
borger-tjek-ind-opt-doing = Noget at lave
borger-tjek-ind-opt-rest = Ro og hvile
borger-tjek-ind-opt-nature = Natur
borger-tjek-ind-opt-other = Noget andet
borger-tjek-ind-helps-more = Vil du sige mere om det, der hjælper dig? Skriv med dine egne ord.
borger-tjek-ind-people = Hvem er du glad for at være sammen med?
borger-tjek-ind-opt-family = Nogen i min familie
borger-tjek-ind-opt-friends = Venner
borger-tjek-ind-opt-staff = Personalet
borger-tjek-ind-opt-neighbours = Naboer
borger-tjek-ind-opt-others = Andre
borger-tjek-ind-opt-nobody = Ingen lige nu
borger-tjek-ind-listened = Føler du, at personalet lytter til dig?
borger-tjek-ind-respected = Føler du, at personalet viser dig respekt, når I er sammen?
borger-tjek-ind-scale-low = nej, slet ikke
borger-tjek-ind-scale-high = ja, meget
# Ugeopsamlingen: hvor mange der svarede 4 eller 5.
borger-tjek-ind-digest-listened = Følte sig lyttet til
borger-tjek-ind-digest-respected = Følte sig respekteret
borger-tjek-ind-kind = Tak, fordi du siger det. Hvad kunne personalet gøre bedre?
borger-tjek-ind-idea = Har du en idé til, hvad personalet kunne gøre bedre? De kan tage den op på et møde. Hvis de gør det, får du besked her.
borger-tjek-ind-share = Må personalet læse det, du har skrevet? De ser ikke dit navn. Men de kan måske gætte, hvem du er. Det er fint at sige nej.
borger-tjek-ind-try = Er der noget, du har lyst til at prøve? Det må gerne være noget lille.
borger-tjek-ind-trial = Lad os skrive det ned. Tænk på noget lille, du kan gøre snart.
borger-tjek-ind-share-trial = Må personalet læse din prøvehandling? Det kan give dem idéer til deres arbejde. De ser ikke dit navn. Men de kan måske gætte, hvem du er. Det er fint at sige nej.
borger-tjek-ind-outro = Tak for dine svar. Det, du siger, betyder noget. Pas godt på dig selv.

## opfoelgning: opfølgning på en prøvehandling (let dansk, LIX 30 eller under)
## $trial er prøvehandlingens tekst.

opfoelgning-title = Hvad blev det til?
opfoelgning-intro = Nu følger vi op på det, du ville prøve:
    { $trial }
    Det tager kun to minutter. Der er ingen forkerte svar.
opfoelgning-tried = Fik du prøvet det?
opfoelgning-happened = Hvad skete der, da du prøvede det?
opfoelgning-now = Hvad vil du gøre nu?
opfoelgning-opt-kept = Blive ved med det
opfoelgning-opt-adjusted = Ændre det lidt
opfoelgning-opt-dropped = Droppe det
opfoelgning-opt-done = Det er klaret
opfoelgning-adjust = Fint. Lad os skrive den nye måde ned.
opfoelgning-hindered = Det er helt i orden. Hvad gjorde det svært?
opfoelgning-share = { $role ->
    [citizen] Må personalet læse det, du skrev om, hvordan det gik? De ser ikke dit navn. Men de kan måske gætte, hvem du er. Det er fint at sige nej.
   *[staff] Må jeg dele dit svar om, hvordan det gik, med din gruppe? Det kommer med i ugens overblik, så andre kan lære af det. Dit fornavn står kun ved, hvis du har skrevet det med /navn. Svarer du ikke, deler jeg det ikke.
}
opfoelgning-outro = Tak, fordi du fulgte op på det. Små skridt tæller også.

## Prøvehandling (/proev)
proevehandling-title = Prøvehandling: prøv en lille ting
proevehandling-intro = En prøvehandling er en lille ting, du vil prøve. Bagefter følger jeg op på, hvordan det gik.
proevehandling-what = Hvad vil du prøve?
proevehandling-outro = Godt. Den dag, du valgte, spørger jeg, hvordan det gik.
